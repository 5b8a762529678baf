"""Definitions of terms, and goal statements kept apart (component ``corpus_definitions``).

Resources (folder ``resources/definitions/``, or a copy given as ``resources``):

* ``cues.jsonl``: Matcher patterns of the cues ("X est un...", "consiste à",
  "se définit comme", "désigne", "on entend par", "Définition de X :", "vise à"...), each
  with its ``kind`` (definition or goal), ``handler`` (how the term is found) and base
  ``confidence``;
* ``terms.yaml``: word lists of the term finder (goal nouns, discourse subjects,
  blocked determiners, concept heads...);
* ``attribution.yaml``: regular expressions giving the source of a definition
  ("Selon X", "X (2011)", "définition retenue par X", a quote followed by its author);
* ``dimensions.yaml``: the dimensions a definition is coded on (see
  :mod:`corpus.nlp.dimensions`).

The Matcher runs over the whole passage (a few milliseconds against the parse's
hundreds) and each match is analysed on the dependency parse. A definition's term is the
noun phrase heading the subject, as written, lower case, without its determiner (plurals
are kept: "bailleurs de fonds"; modules :mod:`~corpus.nlp.definition_terms` and
:mod:`~corpus.nlp.definition_cues`); a pronoun subject ("Elle", "C'est") continues the
previous definition or takes the previous sentence's term. A definition quoted in
« » (or quotation marks) runs to the closing mark, over several sentences, and takes
the source written after it. Goal statements go to ``doc._.goals``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

from corpus.errors import ConfigError
from corpus.nlp.definition_candidates import (
    merge_candidates,
    question_term,
    structure_candidates,
)
from corpus.nlp.definition_cues import Candidate, Cue, CueHandlers, _Found
from corpus.nlp.definition_terms import (
    _SUBJECT_DEPS,
)
from corpus.nlp.definition_text import (
    _STRIP_TRAIL,
    _YEAR,
    _bisect,
    _finite,
    _sentences,
    _trim_end,
    _trim_start,
    expand_first,
    quote_regions,
    region_at,
)
from corpus.nlp.dimensions import DimensionCoder, load_dimensions
from corpus.nlp.extensions import register_extensions
from corpus.nlp.lexicon import read_jsonl, read_yaml, resource_file

logger = logging.getLogger(__name__)

#: Definitions below this confidence are dropped.
MIN_CONFIDENCE = 0.45
#: At most this many sentences follow a definition's first sentence in its text.
MAX_CONTINUATION = 2
#: A quoted definition longer than this (characters) is cut to its first sentence.
MAX_QUOTE_CHARS = 2500

_PP_CASES = {
    "à", "au", "aux", "en", "dans", "sur", "sous", "chez", "entre", "par", "pour", "avec",
    "sans", "contre", "vers", "hors", "parmi", "selon", "de", "du", "des", "d'", "d’",
}  # fmt: skip
_POSSESSIVES = {
    "mon",
    "ma",
    "mes",
    "notre",
    "nos",
    "votre",
    "vos",
    "son",
    "sa",
    "ses",
    "leur",
    "leurs",
}
_NEGATIONS = {"ne", "n'", "n’", "pas", "jamais", "guère", "nullement", "aucunement"}


class DefinitionFinder(CueHandlers):
    """spaCy component: definitions of terms and goal statements.

    Writes ``doc._.definitions``: every definition candidate (term, text, start, end,
    cue, source, year, confidence, dimensions, features), the cue rules' records and the
    structural candidates of :mod:`corpus.nlp.definition_candidates`, for the trained
    scorer to decide; ``doc.spans["definitions"]`` (label: the term) holds those the
    rules keep;
    ``doc.spans["goals"]`` and ``doc._.goals`` records (term, text, start, end, cue).
    """

    def __init__(
        self,
        nlp: Language,
        name: str,
        *,
        resources: str | Path | None = None,
        min_confidence: float = MIN_CONFIDENCE,
    ) -> None:
        """Store settings only; resources are loaded by :meth:`initialize`.

        Args:
            nlp: The pipeline.
            name: Component name.
            resources: Folder replacing ``resources/definitions`` (same file names).
            min_confidence: The rules keep definitions of at least this confidence (the
                ``rule_kept`` feature; the decision when no trained scorer is in force).
        """
        self.nlp = nlp
        self.name = name
        self.resources = str(resources) if resources else None
        self.min_confidence = min_confidence
        self._matcher: Matcher | None = None
        self._cues: dict[str, Cue] = {}
        self._lists: dict[str, frozenset[str]] = {}
        self._attribution: dict[str, list[re.Pattern[str]]] = {}
        self._coder: DimensionCoder | None = None
        self._recent_terms: list[str] = []
        self._text_doc: Doc | None = None
        self._text_value = ""
        register_extensions()

    # -- resources -------------------------------------------------------------------

    def initialize(
        self, get_examples: Callable[[], Iterable[Any]] | None = None, nlp: Language | None = None
    ) -> None:
        """Load cue patterns, word lists, attribution patterns and dimensions.

        Raises:
            ConfigError: A resource file is missing or invalid.
        """
        vocab = (nlp or self.nlp).vocab
        cues_path = resource_file(self.resources, "definitions", "cues.jsonl")
        terms_path = resource_file(self.resources, "definitions", "terms.yaml")
        attribution_path = resource_file(self.resources, "definitions", "attribution.yaml")
        dimensions_path = resource_file(self.resources, "definitions", "dimensions.yaml")
        assert cues_path and terms_path and attribution_path and dimensions_path
        matcher = Matcher(vocab)
        cues: dict[str, Cue] = {}
        for number, obj in enumerate(read_jsonl(cues_path), start=1):
            try:
                cue = Cue(
                    id=str(obj["id"]),
                    kind=str(obj.get("kind", "definition")),
                    handler=str(obj.get("handler", "subject")),
                    anchor=frozenset(str(a).lower() for a in obj.get("anchor", [])),
                    confidence=float(obj.get("confidence", 0.6)),
                )
                matcher.add(cue.id, expand_first(obj["pattern"]))
            except (KeyError, TypeError, ValueError) as exc:
                raise ConfigError(
                    f"cue #{number} is invalid ({type(exc).__name__}: {exc})",
                    path=cues_path,
                    hint="Each line needs id, kind, handler, anchor and a spaCy pattern.",
                ) from exc
            if cue.kind not in ("definition", "goal"):
                raise ConfigError(
                    f"cue {cue.id!r} has kind {cue.kind!r}",
                    path=cues_path,
                    hint="kind is 'definition' or 'goal'.",
                )
            cues[cue.id] = cue
        terms = read_yaml(terms_path) or {}
        if not isinstance(terms, dict):
            raise ConfigError("expected a mapping of word lists", path=terms_path)
        self._lists = {
            key: frozenset(str(w).lower() for w in (value or []))
            for key, value in terms.items()
            if isinstance(value, list)
        }
        raw = read_yaml(attribution_path) or {}
        try:
            self._attribution = {
                key: [re.compile(p) for p in (raw.get(key) or [])]
                for key in ("before", "after", "line", "intro")
            }
        except re.error as exc:
            raise ConfigError(
                f"invalid regular expression ({exc})",
                path=attribution_path,
                hint="Fix the pattern; each needs a named group 'source'.",
            ) from exc
        self._coder = DimensionCoder(load_dimensions(dimensions_path))
        self._matcher = matcher
        self._cues = cues
        logger.debug("definitions: %d cues", len(cues))

    def _ready(self) -> tuple[Matcher, DimensionCoder]:
        if self._matcher is None or self._coder is None:
            self.initialize()
        assert self._matcher is not None and self._coder is not None
        return self._matcher, self._coder

    # -- spaCy interface ---------------------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        """Find definitions and goals and write them to ``doc``."""
        self.set_annotations(doc, self.find(doc))
        return doc

    def set_annotations(self, doc: Doc, found: dict[str, list[dict[str, Any]]]) -> None:
        """Write records to ``doc._.definitions``/``doc._.goals`` and spans to ``doc.spans``."""
        for key in ("definitions", "goals"):
            records = found.get(key, [])
            setattr(doc._, key, records)
            spans = []
            for record in records:
                if not record.get("features", {}).get("rule_kept", True):
                    continue  # a candidate the rules did not keep: no span
                span = doc.char_span(
                    record["start"], record["end"], label=record["term"] or key,
                    alignment_mode="expand",
                )  # fmt: skip
                if span is not None:
                    spans.append(span)
            doc.spans[key] = spans

    # -- finding -----------------------------------------------------------------------

    def find(self, doc: Doc) -> dict[str, list[dict[str, Any]]]:
        """Records of the definitions and goal statements of ``doc``.

        Returns:
            ``{"definitions": [...], "goals": [...]}`` (records of the contract).
        """
        matcher, coder = self._ready()
        if len(doc) == 0 or not doc.has_annotation("DEP"):
            return {"definitions": [], "goals": []}
        sents = _sentences(doc)
        structural = structure_candidates(doc, sents, self._lists)
        starts = [s.start for s in sents]
        by_sent: dict[int, list[tuple[Cue, int, int]]] = {}
        for match_id, start, end in matcher(doc):
            si = _bisect(starts, start)
            if end <= sents[si].end:  # a cue never runs over its sentence
                cue = self._cues[doc.vocab.strings[match_id]]
                by_sent.setdefault(si, []).append((cue, start, end))
        if not by_sent:
            return {"definitions": merge_candidates([], structural, sents), "goals": []}
        regions: list[tuple[int, int]] | None = None  # quotes, found when first needed
        self._recent_terms = []
        found: list[_Found] = []
        goals: list[dict[str, Any]] = []
        covered = -1
        last: _Found | None = None
        for si, sent in enumerate(sents):
            if sent.start_char < covered:
                continue
            candidates = self._analyse_sentence(doc, sents, si, by_sent.get(si, []))
            definition = next((c for c in candidates if c.kind == "definition"), None)
            adjacent = last is not None and last.last_sent == si - 1
            if (
                definition is not None
                and definition.pronoun
                and last is not None
                and adjacent
                and self._attribute(sent.text, "before")[0] is not None
            ):
                # "Selon X, il s'agit de...": another author's definition of that term.
                definition.term = last.term
                definition.pronoun = False
            if definition is None or definition.pronoun:
                if (
                    last is not None
                    and adjacent
                    and last.n_sents <= MAX_CONTINUATION
                    and (self._continues(sent, last.head_lemma) or definition is not None)
                    and "\n" not in self._text(doc)[last.end : sent.start_char]
                ):
                    last.end = max(
                        last.end, _trim_end(self._text(doc), sent.start_char, sent.end_char)
                    )
                    last.last_sent = si
                    last.n_sents += 1
                    continue
                if definition is not None and definition.pronoun:
                    asked = question_term(sents[si - 1].text) if si > 0 else None
                    previous = (asked, None) if asked else self._previous_term(sents, si)
                    if previous is None:
                        definition = None
                    else:
                        definition.term, definition.head = previous
                        if asked is None:  # the answer to "Qu'est-ce que X ?" is sure
                            definition.confidence -= 0.2
                if definition is None:
                    goal = next((c for c in candidates if c.kind == "goal"), None)
                    if goal is not None:
                        goals.append(self._goal_record(doc, sent, goal, found))
                    continue
            if regions is None:
                regions = quote_regions(self._text(doc))
            item = self._build(doc, sents, si, definition, regions)
            if item is None:
                continue
            found.append(item)
            self._recent_terms.append(item.term)
            last = item
            covered = item.end
            if item.end > sent.end_char:
                # The definition runs over the next sentences (a quote): skip them.
                while (
                    item.last_sent + 1 < len(sents)
                    and sents[item.last_sent + 1].start_char < item.end
                ):
                    item.last_sent += 1
        records = []
        for item in found:
            span = doc.char_span(item.start, item.end, alignment_mode="expand")
            dims = (
                coder.code_span(span)
                if span is not None
                else coder.code_text(self._text(doc)[item.start : item.end])
            )
            records.append(
                {
                    "term": item.term,
                    "text": self._text(doc)[item.start : item.end],
                    "start": item.start,
                    "end": item.end,
                    "cue": item.cue,
                    "source": item.source,
                    "year": item.year,
                    "confidence": round(min(1.0, max(0.0, item.confidence)), 3),
                    "dimensions": dims,
                    "kept": round(min(1.0, max(0.0, item.confidence)), 3) >= self.min_confidence,
                }
            )
        return {"definitions": merge_candidates(records, structural, sents), "goals": goals}

    # -- analysis of one sentence ---------------------------------------------------------

    def _analyse_sentence(
        self, doc: Doc, sents: list[Span], si: int, cues: list[tuple[Cue, int, int]]
    ) -> list[Candidate]:
        if not cues:
            return []
        sent = sents[si]
        if sent.text.rstrip(_STRIP_TRAIL).endswith("?"):
            return []
        out: list[Candidate] = []
        for cue, start, end in cues:
            try:
                candidate = self._analyse(doc, sents, si, cue, start, end)
            except IndexError:  # pragma: no cover - defensive against odd parses
                candidate = None
            if candidate is not None:
                out.append(candidate)
        # Definitions first, explicit cues before the copula, then by confidence.
        out.sort(key=lambda c: (c.kind != "definition", c.pronoun, -c.cue.confidence))
        return out

    def _anchor(self, doc: Doc, cue: Cue, start: int, end: int) -> Token:
        for token in doc[start:end]:
            if token.lemma_.lower() in cue.anchor or token.lower_ in cue.anchor:
                return token
        return doc[start]

    def _analyse(
        self, doc: Doc, sents: list[Span], si: int, cue: Cue, start: int, end: int
    ) -> Candidate | None:
        sent = sents[si]
        anchor = self._anchor(doc, cue, start, end)
        if cue.handler == "copula":
            return self._copula(doc, sent, cue, anchor)
        if cue.handler == "entendre":
            return self._entendre(doc, sent, cue, anchor)
        if cue.handler == "parler_de":
            return self._parler_de(doc, sent, cue, anchor)
        if cue.handler == "naming":
            return self._naming(doc, sent, cue, anchor)
        if cue.handler == "apposition":
            return self._apposition(doc, sent, cue, start, end)
        if cue.handler == "object_pronoun":
            return self._object_pronoun(doc, sents, si, cue, anchor)
        if cue.handler == "goal_noun":
            subject = self._subject(doc, sent, anchor)
            if subject is None or subject.pos_ not in ("NOUN", "PROPN"):
                return None
            if not self._in("goal_nouns", subject.lemma_):
                return None
            term, head = self._goal_term(subject)
            return Candidate(cue, "goal", term, head, cue.confidence)
        # "subject" handler: a verb cue whose subject is the term.
        if self._negated(anchor) or self._past(anchor) or not _finite(anchor):
            return None
        if any(c.dep_ == "obj" and self._in("appointed_roles", c.lemma_) for c in anchor.children):
            return None  # "le conseil désigne un représentant": appoints, does not define
        subject = self._subject(doc, sent, anchor)
        return self._from_subject(doc, sent, cue, anchor, subject)

    def _from_subject(
        self, doc: Doc, sent: Span, cue: Cue, anchor: Token, subject: Token | None
    ) -> Candidate | None:
        if subject is None:
            return None
        kind = cue.kind
        if subject.pos_ == "PRON" or subject.lower_ in ("c'", "c’"):
            lower = subject.lower_
            if lower in ("c'", "c’", "ce"):
                dislocated = self._dislocated(doc, sent, subject)
                if dislocated is not None:
                    term, head = self._term(dislocated)
                    if not term:
                        return None
                    return Candidate(cue, kind, term, head, cue.confidence + 0.1)
            if kind == "definition" and self._in("anaphoric_pronouns", lower):
                return Candidate(cue, kind, "", None, cue.confidence, pronoun=True)
            return None
        if subject.pos_ not in ("NOUN", "PROPN", "X"):
            return None
        # conjuncts the parser hangs on the subject after the cue are the definiens'
        if not self._term_ok(subject, before=anchor.i if anchor.i > subject.i else None):
            return None
        if self._in("goal_nouns", subject.lemma_):
            term, head = self._goal_term(subject)
            return Candidate(cue, "goal", term, head, cue.confidence)
        if self._in("discourse_subjects", subject.lemma_):
            return None
        if self._in("metalinguistic_subjects", subject.lemma_):
            # "la notion de communs", "l'expression « X »", "le terme" (quoted before).
            named = next(
                (
                    c
                    for c in subject.children
                    if c.dep_ in ("nmod", "appos", "flat", "compound")
                    and c.i > subject.i
                    and c.pos_ in ("NOUN", "PROPN", "ADJ")
                ),
                None,
            )
            quoted = self._quoted_after(doc, subject)
            if quoted is None and named is not None:
                quoted, _ = self._term(named)
            if quoted is None and named is None:
                quoted = self._quoted_before(doc, sent, subject)
            if not quoted:
                return None
            return Candidate(cue, kind, quoted, subject, cue.confidence)
        # The parser may hang the cue verb on the subject ("l'innovation sociale
        # désigne" as a clause of the noun): the term stops before the cue.
        term, head = self._term(subject, until=anchor.i if anchor.i > subject.i else None)
        if not term:
            return None
        confidence = cue.confidence
        determiners = {c.lower_ for c in subject.children if c.dep_ == "det"}
        if determiners & {"un", "une"}:
            confidence += 0.1  # "Une épicerie solidaire est...": a generic definition
        elif head is not None and self._in("concept_heads", head.lemma_):
            confidence += 0.1
        elif self._in("specific_subjects", subject.lemma_) and not any(
            c.dep_ in ("amod", "nmod", "acl") and c.i > subject.i for c in subject.children
        ):
            confidence -= 0.2  # a bare "le projet", "la démarche": one of the text's own
        if determiners & {"le", "la", "les", "l'", "l’"} and any(
            (c.dep_ == "acl" and "Part" in c.morph.get("VerbForm", []) and c.i > subject.i + 1)
            or (c.dep_ == "acl" and "Part" in c.morph.get("VerbForm", []) and list(c.children))
            for c in subject.children
            if c.i < anchor.i  # a participle after the cue belongs to the definiens
        ):
            return None  # "les besoins cités", "les bailleurs mentionnés": particular ones
        return Candidate(cue, kind, term, head, confidence)

    def _copula(self, doc: Doc, sent: Span, cue: Cue, anchor: Token) -> Candidate | None:
        predicate = anchor.head
        if not self._present(anchor):
            return None
        if self._negated(anchor) or self._negated(predicate):
            return None
        if predicate.pos_ != "NOUN" or predicate.i < anchor.i:
            return None
        between = doc[anchor.i + 1 : predicate.i]
        if any(t.pos_ == "ADP" and t.lower_ in _PP_CASES for t in between):
            if not self._in("pp_predicates", predicate.lemma_):
                return None
            pp_penalty = 0.2
        else:
            pp_penalty = 0.0
        if (
            anchor.i > 0
            and doc[anchor.i - 1].lower_ in ("c'", "c’", "ce")
            and any(self._in("cest_blockers", t.lower_) for t in between[:1])
        ):
            return None
        if not any(c.dep_ == "det" for c in predicate.children):
            return None
        if any(c.dep_ == "nummod" for c in predicate.children):
            return None
        subject = next((c for c in predicate.children if c.dep_ in _SUBJECT_DEPS), None)
        if subject is None or subject.i > anchor.i:
            subject = self._surface_subject(doc, sent, anchor)
        subject = self._same_quote(doc, sent, anchor, subject)
        if subject is not None and any(c.dep_ == "cop" for c in subject.children):
            return None  # "X n'est pas un N, c'est ...": N is a predicate, not the term
        if predicate.text[:1].isupper() and not predicate.is_sent_start:
            return None  # "les bailleurs sont la Fondation X": names, not a definition
        candidate = self._from_subject(doc, sent, cue, anchor, subject)
        if candidate is None:
            return None
        if candidate.pronoun and subject is not None and subject.lower_ in ("c'", "c’", "ce"):
            first = next((t for t in sent if not t.is_punct and not t.is_space), None)
            if first is None or first.i != subject.i:
                return None  # "..., mais c'est aussi un moyen": not a definition
        candidate.confidence -= pp_penalty
        if self._in("classifier_nouns", predicate.lemma_):
            candidate.confidence += 0.05
        if self._in("evaluative_predicates", predicate.lemma_) or any(
            c.dep_ in ("amod", "nummod") and self._in("evaluative_modifiers", c.lemma_)
            for c in predicate.children
        ):
            candidate.confidence -= 0.3
        if any(
            c.dep_ == "nmod"
            and any(d.dep_ == "det" and d.lower_ in _POSSESSIVES for d in c.children)
            for c in predicate.children
        ):
            candidate.confidence -= 0.2  # "une valeur de notre organisation": our own
        return candidate

    # -- building records ---------------------------------------------------------------

    def _build(
        self,
        doc: Doc,
        sents: list[Span],
        si: int,
        candidate: Candidate,
        regions: list[tuple[int, int]],
    ) -> _Found | None:
        text = self._text(doc)
        sent = sents[si]
        start, end = sent.start_char, sent.end_char
        head_char = candidate.head.idx if candidate.head is not None else sent.start_char
        after_quote: str | None = None
        region = region_at(regions, head_char)
        first_sent = si
        if region is not None:
            opened, closed = region
            if closed - max(opened, start) <= MAX_QUOTE_CHARS:
                end = max(end, closed)
                if opened >= sent.start_char:
                    start = sent.start_char
                line_end = text.find("\n", closed)
                after_quote = text[closed + 1 : len(text) if line_end < 0 else line_end]
        else:
            # A sentence split inside a quoted title: start at the quote's sentence.
            inner = region_at(regions, sent.start_char)
            if inner is not None and inner[1] < head_char:
                while first_sent > 0 and sents[first_sent].start_char > inner[0]:
                    first_sent -= 1
                start = sents[first_sent].start_char
        if first_sent == si and si > 0:
            previous = sents[si - 1]
            gap = text[previous.end_char : sent.start_char]
            if (
                "\n" not in previous.text
                and "\n" not in gap
                and not (
                    previous.text.rstrip(_STRIP_TRAIL + ")").endswith((".", "!", "?", "…", ":"))
                )
            ):
                # The parser cut a sentence in two ("Selon X (2005)" | ", l'économie...").
                first_sent = si - 1
                start = previous.start_char
        start = _trim_start(text, start, end)
        end = _trim_end(text, start, end)
        if end - start < 10:
            return None
        last_sent = si
        while last_sent + 1 < len(sents) and sents[last_sent + 1].start_char < end:
            last_sent += 1
        item = _Found(
            term=candidate.term,
            head_lemma=candidate.head.lemma_.lower() if candidate.head is not None else "",
            start=start,
            end=end,
            cue=candidate.cue.id,
            confidence=candidate.confidence,
            last_sent=last_sent,
        )
        # Attribution: before the cue in the sentence (and an introducing sentence).
        cue_char = head_char if candidate.head is not None else sent.end_char
        window = text[sents[first_sent].start_char : max(cue_char, start)]
        if first_sent > 0 and sents[first_sent - 1].text.rstrip().endswith(":"):
            window = sents[first_sent - 1].text + " " + window
        source, year = self._attribute(window, "before")
        if source is None and after_quote is not None and len(after_quote.split()) <= 30:
            source, year = self._attribute(after_quote, "after")
        if source is None:
            # "Définition de X, retenue par Y" in the rest of the definition's text.
            source, year = self._attribute(text[start:end], "before", only_retained=True)
        if source is not None:
            if year is None:
                found_year = _YEAR.search(source)
                year = int(found_year.group(1)) if found_year else None
            item.source = source
            item.year = year
            item.confidence += 0.1
        return item

    def _goal_record(
        self, doc: Doc, sent: Span, goal: Candidate, found: list[_Found]
    ) -> dict[str, Any]:
        start = _trim_start(self._text(doc), sent.start_char, sent.end_char)
        end = _trim_end(self._text(doc), start, sent.end_char)
        term = goal.term
        if not term and found:
            term = found[-1].term
        return {
            "term": term,
            "text": self._text(doc)[start:end],
            "start": start,
            "end": end,
            "cue": goal.cue.id,
        }
