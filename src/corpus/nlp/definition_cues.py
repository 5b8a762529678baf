"""Cue handlers of the definitions component: the term and text each cue gives.

:class:`CueHandlers` (a base of :class:`corpus.nlp.definitions.DefinitionFinder`) holds
the handlers of the cues other than the verb-subject and copula ones: "on entend par
X", apposition ("X, une N qui...", "X, c'est-à-dire", "X, terme qui désigne"), "X la
définissent ainsi :", "on parle de X lorsque", "appeler X Y"; and the attribution of a
text to its source from the ``attribution.yaml`` patterns. "Définition de X :" and
"définir X comme" are structural candidates (:mod:`corpus.nlp.definition_candidates`).
The records' building blocks (:class:`Cue`, :class:`Candidate`) live here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from corpus.nlp.definition_terms import MAX_TERM_TOKENS, TermParser
from corpus.nlp.definition_text import _YEAR, _clean_term, clean_source, governing_noun

#: Words that open the condition of "on parle de X lorsque ...".
_CONDITIONS = frozenset(("lorsque", "lorsqu'", "lorsqu’", "quand", "si", "s'", "s’", "dès"))
#: Words that open the defining noun phrase of "appeler X une N".
_INDEFINITES = frozenset(("un", "une", "des", "toute", "tout", "toutes", "tous"))


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
    """Handlers of the cues that name their term otherwise than by a subject."""

    _attribution: dict[str, list[re.Pattern[str]]]
    _recent_terms: list[str]

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

    def _parler_de(self, doc: Doc, sent: Span, cue: Cue, anchor: Token) -> Candidate | None:
        """ "On parle de X lorsque / quand / si ...": X is defined by the condition."""
        if self._negated(anchor) or anchor.i + 1 >= sent.end:
            return None
        j = anchor.i + 2  # after "de"
        k = j
        while k < sent.end and k - j <= MAX_TERM_TOKENS and doc[k].lower_ not in _CONDITIONS:
            if doc[k].is_punct and doc[k].text not in ("«", "»", "-", "'", "’"):
                return None
            k += 1
        if k >= sent.end or doc[k].lower_ not in _CONDITIONS:
            return None
        return self._phrase_term(doc, cue, doc[j:k])

    def _naming(self, doc: Doc, sent: Span, cue: Cue, anchor: Token) -> Candidate | None:
        """ "Je propose d'appeler X une réponse ...", "on nomme X tout ...": X is the term
        (written without an article), the noun phrase after it defines it."""
        if self._negated(anchor):
            return None
        j = anchor.i + 1
        k = j
        while k < sent.end and k - j <= MAX_TERM_TOKENS and doc[k].lower_ not in _INDEFINITES:
            if doc[k].is_punct and doc[k].text not in ("«", "»", "-", "'", "’"):
                return None
            k += 1
        if k >= sent.end or k == j or doc[j].pos_ == "DET":
            return None
        return self._phrase_term(doc, cue, doc[j:k])

    def _phrase_term(self, doc: Doc, cue: Cue, phrase: Span) -> Candidate | None:
        """A candidate whose term is ``phrase`` (without determiners); it needs a noun."""
        words = [t for t in phrase if t.pos_ != "DET" and not (t.is_punct and t.text in "«»")]
        nouns = [t for t in words if t.pos_ in ("NOUN", "PROPN")]
        if not words or not (nouns or words[0].pos_ == "ADJ"):
            return None  # "commun urbain" may be tagged as adjectives
        term = _clean_term(self._text(doc)[words[0].idx : words[-1].idx + len(words[-1])])
        head = nouns[0] if nouns else words[0]
        return Candidate(cue, "definition", term, head, cue.confidence) if term else None

    def _apposition(self, doc: Doc, sent: Span, cue: Cue, start: int, end: int) -> Candidate | None:
        """ "X, une N qui ...," / "X, c'est-à-dire Y": X is defined by what follows."""
        j = start - 1  # the match opens on the comma; the noun phrase ends before it
        while j > sent.start and doc[j].pos_ == "ADJ":
            j -= 1  # "X sociale, c'est-à-dire": back to the noun
        if j < sent.start:
            return None
        noun = doc[j]
        if cue.id == "apposition":
            # The noun phrase must open the sentence ("La mutuelle, une organisation...").
            first = next(
                (t for t in sent if not t.is_punct and not t.is_space and t.pos_ != "DET"), None
            )
            if first is None or first.i != noun.i:
                return None
            # The apposition closes with a comma before the sentence's verb.
            rest = doc[end : sent.end]
            comma = next((t for t in rest if t.text == ","), None)
            if comma is None or not any(t.pos_ in ("VERB", "AUX") for t in doc[comma.i : sent.end]):
                return None
        acronym = noun.text.isupper() and 2 <= len(noun.text) <= 6
        if (noun.pos_ != "NOUN" and not acronym) or not self._term_ok(noun, apposition=True):
            return None
        if self._in("discourse_subjects", noun.lemma_) or self._in(
            "specific_subjects", noun.lemma_
        ):
            return None
        term, head = self._term(noun)
        if not term:
            return None
        confidence = cue.confidence
        if head is not None and self._in("concept_heads", head.lemma_):
            confidence += 0.1
        return Candidate(cue, "definition", term, head, confidence)

    def _object_pronoun(
        self, doc: Doc, sents: list[Span], si: int, cue: Cue, anchor: Token
    ) -> Candidate | None:
        """ "X (2009) la définissent ainsi : « ... »": the term is the one just discussed."""
        if self._negated(anchor):
            return None
        if not any(
            t.text == ":" or t.lower_ in ("comme", "ainsi")
            for t in doc[anchor.i + 1 : anchor.i + 4]
        ):
            return None
        pronoun = doc[anchor.i - 1] if anchor.i > sents[si].start else None
        here = self._concept_before(sents[si], pronoun) if pronoun is not None else None
        term = here or (self._recent_terms[-1] if self._recent_terms else None)
        if term is None:
            previous = self._previous_term(sents, si)
            term = previous[0] if previous else None
        if not term:
            return None
        return Candidate(cue, "definition", term, anchor, cue.confidence)

    def _concept_before(self, sent: Span, pronoun: Token) -> str | None:
        """ "La loi de 2020 relative à l'économie sociale la définit comme ...": the nearest
        concept noun before the object pronoun, in the same sentence, of its gender."""
        gender = {"la": "Fem", "le": "Masc"}.get(pronoun.lower_)
        for token in reversed(sent[: pronoun.i - sent.start]):
            if token.pos_ != "NOUN" or not self._in("concept_heads", token.lemma_):
                continue
            genders = token.morph.get("Gender", [])
            if gender and genders and gender not in genders:
                continue
            term, _ = self._term(token)
            return term or None
        return None

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
