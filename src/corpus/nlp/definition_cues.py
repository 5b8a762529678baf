"""Cue handlers of the definitions component: the term and text each cue gives.

:class:`CueHandlers` (a base of :class:`corpus.nlp.definitions.DefinitionFinder`) holds
the handler of "on entend par X" / "par X, on entend" / "X, que nous entendons comme",
and the attribution of a text to its source from the ``attribution.yaml`` patterns.
Cues that name their term by their shape ("Définition de X :", "définir X comme",
apposition "X, une N qui...", "X (ACR), seule N") are structural candidates
(:mod:`corpus.nlp.definition_candidates`) that the trained scorer weighs; the rarer cue
handlers it made redundant ("on parle de X lorsque", "appeler X Y", "X la définissent
ainsi", "il s'agit de") are gone.
The records' building blocks (:class:`Cue`, :class:`Candidate`) live here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from corpus.nlp.definition_terms import MAX_TERM_TOKENS, TermParser
from corpus.nlp.definition_text import _YEAR, _clean_term, clean_source, governing_noun


@dataclass(frozen=True)
class Cue:
    """One cue pattern of ``cues.jsonl``."""

    id: str
    kind: str
    handler: str
    anchor: frozenset[str]
    confidence: float


@dataclass
class Candidate:
    """A cue analysed in its sentence."""

    cue: Cue
    kind: str
    term: str
    head: Token | None
    confidence: float
    pronoun: bool = False


@dataclass
class _Found:
    """A definition being built (character offsets in the doc)."""

    term: str
    head_lemma: str
    start: int
    end: int
    cue: str
    confidence: float
    source: str | None = None
    year: int | None = None
    last_sent: int = 0
    n_sents: int = 1


class CueHandlers(TermParser):
    """The "entendre" cue handler and the attribution of a definition to its source."""

    _attribution: dict[str, list[re.Pattern[str]]]

    def _entendre(self, doc: Doc, sent: Span, cue: Cue, anchor: Token) -> Candidate | None:
        if self._negated(anchor):
            return None
        j = anchor.i + 1
        while j < sent.end and doc[j].pos_ == "ADV":
            j += 1
        if j < sent.end and doc[j].lower_ == "par":
            # "On entend par X ...": the term follows "par".
            head = next((t for t in doc[j + 1 : sent.end] if t.pos_ in ("NOUN", "PROPN")), None)
            if head is None:
                return None
            head = governing_noun(head, j + 1)
            term, head_token = self._term(head)
            rest = [t for t in doc[head.i + 1 : sent.end] if t.is_alpha]
            if len(rest) < 3:
                return None  # a heading ("Ce que nous entendons par X"): text comes next
            return Candidate(cue, "definition", term, head_token, cue.confidence) if term else None
        relative = self._relative_entendre(doc, sent, cue, anchor)
        if relative is not None:
            return relative
        # "Par X, on entend ...": the term stands between "Par" and the comma.
        tokens = [t for t in doc[sent.start : anchor.i] if not t.is_space]
        first = max((k for k, t in enumerate(tokens) if t.lower_ == "par"), default=None)
        comma = next(
            (k for k, t in enumerate(tokens) if t.text == "," and first is not None and k > first),
            None,
        )
        if first is None or comma is None or comma <= first + 1:
            return None
        words = [t for t in tokens[first + 1 : comma] if t.pos_ != "DET"]
        if not words or len(words) > MAX_TERM_TOKENS:
            return None
        term = _clean_term(self._text(doc)[words[0].idx : words[-1].idx + len(words[-1])])
        nouns = [t for t in words if t.pos_ in ("NOUN", "PROPN")]
        return Candidate(cue, "definition", term, nouns[0] if nouns else words[0], cue.confidence)

    def _relative_entendre(self, doc: Doc, sent: Span, cue: Cue, anchor: Token) -> Candidate | None:
        """ "l'économie circulaire, que nous entendons ici comme ...": the noun the relative
        ``que`` follows is the term, when ``comme`` comes after the verb."""
        k = anchor.i - 1
        if k <= sent.start or doc[k].lower_ not in ("nous", "on", "j'", "j’", "je", "l'on", "l’on"):
            return None
        k -= 1
        if k <= sent.start or doc[k].lower_ not in ("que", "qu'", "qu’"):
            return None
        if not any(t.lower_ == "comme" for t in doc[anchor.i + 1 : min(sent.end, anchor.i + 25)]):
            return None
        k -= 1
        if doc[k].text == ",":
            k -= 1
        head = governing_noun(doc[k], sent.start, ("amod", "flat", "fixed"))
        if head.pos_ not in ("NOUN", "PROPN") or not self._term_ok(head):
            return None
        term, head_token = self._term(head, until=k + 1)
        return Candidate(cue, "definition", term, head_token, cue.confidence) if term else None

    def _attribute(
        self, text: str, kind: str, *, only_retained: bool = False
    ) -> tuple[str | None, int | None]:
        """Source and year from the first attribution pattern of ``kind`` found in ``text``."""
        for pattern in self._attribution.get(kind, []):
            if only_retained and "retenue" not in pattern.pattern:
                continue
            match = pattern.search(text)
            if match is None:
                continue
            source = clean_source(match.group("source"))
            if not source:
                continue
            year_text = match.groupdict().get("year") or None
            if year_text is None:
                found = _YEAR.search(match.group(0))
                year_text = found.group(1) if found else None
            return source, int(year_text) if year_text else None
        return None, None
