"""Stages of the social-innovation process a passage describes (component ``corpus_stages``).

Resources (folder ``resources/stages/``, or a copy given as ``resources``):

* ``taxonomy.yaml``: the stages (id, French label, description);
* ``patterns.jsonl``: token patterns or phrases per stage with a ``weight``
  (1: names the stage, "essaimage"; 0.5: suggests it, "partenariat");
* ``context.jsonl``: ``aside`` patterns (link lines such as "À lire aussi"), whose
  mentions are ignored.

Overlapping matches of different stages keep the longest ("évaluation des besoins" is
a diagnostic, not an evaluation). The mentions are candidates: at document level
(:func:`corpus.extract.stages.document_stages`) the trained ``stages`` scorer decides
(:mod:`corpus.scorers.labels`); without a scorer file, a rule keeps a stage whose
mention weights add up to at least 1.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from corpus.nlp.extensions import register_extensions
from corpus.nlp.lexicon import (
    Match,
    PatternSet,
    TaxonomyItem,
    load_lexicon,
    longest_first,
    non_overlapping,
    optional_patterns,
    per_label,
    sentence_bounds,
    sentence_index,
)
from corpus.nlp.needs import aside_chars, in_ranges, record_spans

logger = logging.getLogger(__name__)


def resolve_overlaps(matches: Iterable[Match]) -> list[Match]:
    """Non-overlapping matches: per stage the heaviest, then across stages the longest.

    "répondre à un besoin" (weak) inside "un besoin identifié" (strong) keeps the strong
    one; "évaluation des besoins" (diagnostic) beats "évaluation" (evaluation).
    """
    heaviest = per_label(
        matches, lambda m: (-m.entry.weight, -(m.end - m.start), m.start, m.entry.id)
    )
    return sorted(non_overlapping(heaviest, longest_first), key=lambda m: (m.start, m.end))


class StageFinder:
    """spaCy component: stages of the social-innovation process.

    Writes ``doc.spans["stages"]`` (label: stage id) and ``doc._.stages`` records
    (stage, text, start, end, evidence, cue, weight).
    """

    def __init__(self, nlp: Language, name: str, *, resources: str | Path | None = None) -> None:
        """Store settings only; resources are loaded by :meth:`initialize`.

        Args:
            nlp: The pipeline.
            name: Component name.
            resources: Folder replacing ``resources/stages`` (same file names).
        """
        self.nlp = nlp
        self.name = name
        self.resources = str(resources) if resources else None
        self.taxonomy: dict[str, TaxonomyItem] = {}
        self._stages: PatternSet | None = None
        self._context: PatternSet | None = None
        register_extensions()

    def initialize(
        self, get_examples: Callable[[], Iterable[Any]] | None = None, nlp: Language | None = None
    ) -> None:
        """Load the taxonomy and build the matchers from the resource files.

        Raises:
            ConfigError: A resource file is missing or invalid, or a pattern's label
                is not a taxonomy id.
        """
        vocab = (nlp or self.nlp).vocab
        self.taxonomy, self._stages = load_lexicon(vocab, self.resources, "stages", "stage")
        self._context = optional_patterns(vocab, self.resources, "stages", "context.jsonl")
        logger.debug("stages: %d patterns", len(self._stages))

    def _ready(self) -> tuple[PatternSet, PatternSet]:
        if self._stages is None or self._context is None:
            self.initialize()
        assert self._stages is not None and self._context is not None
        return self._stages, self._context

    def __call__(self, doc: Doc) -> Doc:
        """Find stage mentions and write them to ``doc``."""
        self.set_annotations(doc, self.find(doc))
        return doc

    def find(self, doc: Doc) -> list[dict[str, Any]]:
        """Records of the stage mentions of ``doc`` (contract fields plus ``weight``)."""
        stages_set, context_set = self._ready()
        if len(doc) == 0:
            return []
        bounds = sentence_bounds(doc)
        asides = aside_chars(doc, context_set(doc, bounds))
        records: list[dict[str, Any]] = []
        for match in resolve_overlaps(stages_set(doc, bounds)):
            span = match.span(doc)
            if in_ranges(span.start_char, asides):
                continue
            s_start, s_end = bounds[sentence_index(bounds, match.start)]
            records.append(
                {
                    "stage": match.label,
                    "text": span.text,
                    "start": span.start_char,
                    "end": span.end_char,
                    "evidence": doc[s_start:s_end].text.strip(),
                    "cue": match.entry.id,
                    "weight": match.entry.weight,
                }
            )
        return records

    def set_annotations(self, doc: Doc, found: list[dict[str, Any]]) -> None:
        """Write the records to ``doc._.stages`` and ``doc.spans["stages"]``."""
        doc._.stages = list(found)
        doc.spans["stages"] = record_spans(doc, found, "stage")
