"""Social needs a passage says social innovation addresses (component ``corpus_needs``).

Resources (folder ``resources/needs/``, or a copy given as ``resources``):

* ``taxonomy.yaml``: the needs (id, French label, description);
* ``patterns.jsonl``: token patterns or phrases per need, each with a ``weight``
  (1: a phrase naming the need, "insertion professionnelle"; 0.5: a generic word,
  "logement"; 0.25: an ambiguous one, "numérique");
* ``context.jsonl``: ``cue`` patterns (a sentence that speaks of answering needs,
  fighting a problem, giving access...) and ``aside`` patterns (link lines such as
  "À lire aussi", whose mentions are ignored);
* ``free.jsonl``: the open-ended "besoin(s) de/en X" pattern.

Each mention gets a ``score``: its weight, cut to :data:`NAME_FACTOR` inside a name
("Direction de santé publique"), else doubled in a cue sentence, else cut to
:data:`HEADING_FACTOR` in a heading or tag line (no verb, few words). The mentions are
candidates: at document level (:func:`corpus.extract.needs.document_needs`) the trained
``needs`` scorer decides from their counts, scores, contexts and sentences
(:mod:`corpus.scorers.labels`); without a scorer file, a rule keeps a need when one
mention scores at least 1 or all its mentions together reach 2.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from corpus.nlp.extensions import register_extensions
from corpus.nlp.lexicon import (
    Match,
    PatternSet,
    TaxonomyItem,
    load_lexicon,
    longest_per_label,
    optional_patterns,
    sentence_bounds,
    sentence_index,
)

logger = logging.getLogger(__name__)

#: Factor of a mention in a cue sentence ("répondre aux besoins en logement").
CUE_FACTOR = 2.0
#: Factor of a mention in a heading or tag line (no verb, few words).
HEADING_FACTOR = 0.3
#: Factor of a mention inside a name ("Direction de santé publique").
NAME_FACTOR = 0.3
#: A sentence without verb and with at most this many words is a heading.
HEADING_MAX_WORDS = 12
#: Longest object kept for a free "besoin de X" phrase, in tokens.
FREE_OBJECT_MAX_TOKENS = 8

_OBJECT_POS = {"NOUN", "PROPN", "VERB", "ADJ", "NUM"}


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``."""
    return frozenset(text.split())


_CONTRACTIONS = {"des", "du", "aux", "au"}
# Head nouns naming people: "besoins d'une population" says whose needs.
_PEOPLE = _words(
    """
    population personne famille habitant usager communauté individu société
    public client citoyen membre jeune enfant aîné parent
    bénéficiaire patient élève étudiant résident salarié ménage populations
    personnes familles habitants usagers communautés individus sociétés clients
    citoyens membres jeunes enfants aînés parents bénéficiaires patients
    élèves étudiants résidents salariés ménages chacun tous
    """
)
# After "besoins de", these name whose needs ("besoins de leurs membres"), not what is needed.
_WHOSE = _words(
    """
    le la l' l’ les mon ton son ma ta sa mes
    tes ses notre votre leur nos vos leurs ce cette ces
    """
)


def _line_start(text: str, char: int) -> bool:
    """Whether only non-letters precede ``char`` on its line (a bullet, a dash)."""
    line_start = text.rfind("\n", 0, char) + 1
    return not any(c.isalnum() for c in text[line_start:char])


def aside_chars(
    doc: Doc, matches: Iterable[Match], text: str | None = None
) -> list[tuple[int, int]]:
    """Character ranges of aside lines: from an aside cue at a line start to the line end."""
    ranges: list[tuple[int, int]] = []
    for match in matches:
        if match.label != "aside":
            continue
        if text is None:
            text = doc.text
        start = doc[match.start].idx
        if not _line_start(text, start):
            continue
        end = text.find("\n", start)
        ranges.append((start, len(text) if end < 0 else end))
    return ranges


def in_ranges(char: int, ranges: list[tuple[int, int]]) -> bool:
    """Whether ``char`` falls in one of ``ranges``."""
    return any(a <= char < b for a, b in ranges)


def _after_avoir(doc: Doc, i: int) -> bool:
    """Whether token ``i`` follows a form of "avoir" (adverbs skipped): "a besoin de"."""
    j = i - 1
    while j >= 0 and (doc[j].pos_ == "ADV" or doc[j].lower_ in ("pas", "plus", "grand")):
        j -= 1
    return j >= 0 and doc[j].lemma_ == "avoir"


def name_tokens(doc: Doc) -> set[int]:
    """Tokens inside a named entity, after its first token ("Direction de *santé*")."""
    inside: set[int] = set()
    for ent in doc.ents:
        if len(ent) > 1 and ent[0].is_title:
            inside.update(range(ent.start + 1, ent.end))
    return inside


_BULLET = re.compile(r"^\s*(?:[-–—•·▪*>]|\d{1,2}[.)°]|[a-z][.)])\s")


def is_list_item(sent: Span, text: str | None = None) -> bool:
    """A list item ("- lutte contre l'isolement ;"): bullet at its line start, or ; or ,.

    Args:
        sent: The sentence.
        text: ``sent.doc.text`` if the caller has it (building it is not free).
    """
    text = sent.doc.text if text is None else text
    line_start = text.rfind("\n", 0, sent.start_char) + 1
    line_end = text.find("\n", sent.end_char)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    return bool(_BULLET.match(line)) or sent.text.rstrip().endswith((";", ","))


def is_heading(sent: Span, text: str | None = None) -> bool:
    """A heading or tag line: no verb, at most :data:`HEADING_MAX_WORDS` words, not a
    list item."""
    if is_list_item(sent, text):
        return False
    words = [t for t in sent if t.is_alpha]
    if len(words) > HEADING_MAX_WORDS:
        return False
    return not any(t.pos_ in ("VERB", "AUX") for t in sent)


class NeedFinder:
    """spaCy component: social needs (taxonomy) and free "besoin de X" phrases.

    Writes ``doc.spans["needs"]`` (label: need id) and ``doc._.needs`` records
    (need, text, start, end, evidence, cue, weight, context, score, context_cue);
    ``doc.spans["free_needs"]`` (label ``besoin``) and ``doc._.free_needs`` records
    (text, start, end, object, need).
    """

    def __init__(self, nlp: Language, name: str, *, resources: str | Path | None = None) -> None:
        """Store settings only; resources are loaded by :meth:`initialize`.

        Args:
            nlp: The pipeline.
            name: Component name.
            resources: Folder replacing ``resources/needs`` (same file names).
        """
        self.nlp = nlp
        self.name = name
        self.resources = str(resources) if resources else None
        self.taxonomy: dict[str, TaxonomyItem] = {}
        self._needs: PatternSet | None = None
        self._context: PatternSet | None = None
        self._free: PatternSet | None = None
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
        self.taxonomy, self._needs = load_lexicon(vocab, self.resources, "needs", "need")
        self._context = optional_patterns(vocab, self.resources, "needs", "context.jsonl")
        self._free = optional_patterns(vocab, self.resources, "needs", "free.jsonl")
        logger.debug("needs: %d patterns, %d needs", len(self._needs), len(self.taxonomy))

    def _ready(self) -> tuple[PatternSet, PatternSet, PatternSet]:
        if self._needs is None or self._context is None or self._free is None:
            self.initialize()
        assert self._needs is not None and self._context is not None and self._free is not None
        return self._needs, self._context, self._free

    def __call__(self, doc: Doc) -> Doc:
        """Find needs and free need phrases and write them to ``doc``."""
        self.set_annotations(doc, self.find(doc))
        return doc

    def find(self, doc: Doc) -> dict[str, list[dict[str, Any]]]:
        """Records of the need mentions and free need phrases of ``doc``.

        Returns:
            ``{"needs": [...], "free_needs": [...]}`` (records of the contract).
        """
        needs_set, context_set, free_set = self._ready()
        if len(doc) == 0:
            return {"needs": [], "free_needs": []}
        bounds = sentence_bounds(doc)
        text = doc.text
        context = context_set(doc, bounds)
        asides = aside_chars(doc, context, text)
        cue_by_sent: dict[int, str] = {}
        for match in context:
            if match.label == "cue":
                sent_i = sentence_index(bounds, match.start)
                cue_by_sent.setdefault(sent_i, match.span(doc).text)
        all_matches = needs_set(doc, bounds)
        need_matches = longest_per_label(all_matches)
        names = name_tokens(doc)
        records: list[dict[str, Any]] = []
        headings: dict[int, bool] = {}
        for match in need_matches:
            span = match.span(doc)
            if in_ranges(span.start_char, asides):
                continue
            sent_i = sentence_index(bounds, match.start)
            s_start, s_end = bounds[sent_i]
            sent = doc[s_start:s_end]
            cue = cue_by_sent.get(sent_i)
            if match.start in names:
                context_kind, factor = "name", NAME_FACTOR
            elif cue is not None:
                context_kind, factor = "cue", CUE_FACTOR
            else:
                if sent_i not in headings:
                    headings[sent_i] = is_heading(sent, text)
                if headings[sent_i]:
                    context_kind, factor = "heading", HEADING_FACTOR
                else:
                    context_kind, factor = "plain", 1.0
            records.append(
                {
                    "need": match.label,
                    "text": span.text,
                    "start": span.start_char,
                    "end": span.end_char,
                    "evidence": sent.text.strip(),
                    "cue": match.entry.id,
                    "weight": match.entry.weight,
                    "context": context_kind,
                    "context_cue": cue,
                    "score": round(match.entry.weight * factor, 4),
                }
            )
        free = self._free_needs(doc, free_set(doc, bounds), all_matches, asides)
        return {"needs": records, "free_needs": free}

    def _free_needs(
        self,
        doc: Doc,
        matches: list[Match],
        need_matches: list[Match],
        asides: list[tuple[int, int]],
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for match in matches:
            first = doc[match.start]
            if in_ranges(first.idx, asides):
                continue
            # "avoir besoin de" is a verb phrase, not a social need.
            if _after_avoir(doc, match.start):
                continue
            obj = self._object(doc, match.end)
            if obj is None:
                continue
            need = next(
                (
                    m.label
                    for m in need_matches
                    if m.start < obj.end and m.end > obj.start and m.entry.weight >= 0.25
                ),
                None,
            )
            span = doc[match.start : obj.end]
            out.append(
                {
                    "text": span.text,
                    "start": span.start_char,
                    "end": span.end_char,
                    "object": obj.text,
                    "need": need,
                }
            )
        return out

    @staticmethod
    def _object(doc: Doc, i: int) -> Span | None:
        """The noun or verb phrase after "besoin de", or None ("besoins des individus")."""
        if i >= len(doc):
            return None
        if doc[i].lower_ in _CONTRACTIONS:
            return None  # "besoins des individus": whose needs, not what is needed
        if doc[i - 1].lower_ != "en" and doc[i].lower_ in _WHOSE:
            return None  # "besoins de leurs membres"
        start = i
        j = i
        while (
            j < len(doc)
            and j - start < 2
            and (doc[j].pos_ in ("DET", "ADV") or doc[j].lower_ in ("se", "s'", "s’"))
        ):
            j += 1
        if j >= len(doc) or doc[j].pos_ not in _OBJECT_POS:
            return None
        if doc[j].lemma_.lower() in _PEOPLE or doc[j].lower_ in _PEOPLE:
            return None  # "besoins d'une population": whose needs
        end = j + 1
        limit = min(len(doc), start + FREE_OBJECT_MAX_TOKENS)
        head = doc[j]
        right = min(head.right_edge.i + 1, limit) if head.pos_ != "VERB" else limit
        k = end
        while k < right:
            tok = doc[k]
            if tok.is_punct or tok.pos_ in ("CCONJ", "SCONJ") or tok.is_space:
                break
            if tok.pos_ in ("VERB", "AUX", "PRON") and head.pos_ != "VERB":
                break
            k += 1
        end = max(end, k)
        return doc[start:end]

    def set_annotations(self, doc: Doc, found: dict[str, list[dict[str, Any]]]) -> None:
        """Write the records to ``doc._.needs``/``free_needs`` and labelled spans."""
        needs = found.get("needs", [])
        free = found.get("free_needs", [])
        doc._.needs = list(needs)
        doc._.free_needs = list(free)
        doc.spans["needs"] = record_spans(doc, needs, "need")
        doc.spans["free_needs"] = record_spans(doc, free, None, label="besoin")


def record_spans(
    doc: Doc, records: list[dict[str, Any]], key: str | None, *, label: str = ""
) -> list[Span]:
    """Spans of ``records`` labelled ``record[key]`` (or ``label``); unaligned ones skipped."""
    spans = (
        doc.char_span(r["start"], r["end"], label=str(r[key]) if key else label) for r in records
    )
    return [span for span in spans if span is not None]
