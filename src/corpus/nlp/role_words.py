"""Word-level tools shared by the role finders.

Folded word sets, the sentence around a mention (cut at punctuation, not at the
parser's boundaries), the :class:`RoleHit` a finder yields, and the lookups that
tell whether a verb or a multi-word phrase is a role cue.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc, Span, Token

from corpus.nlp.actor_lexicon import RoleCues, fold

DETERMINERS = frozenset(fold(w) for w in ("le", "la", "les", "l’", "l'", "un", "une", "des"))
DE_WORDS = frozenset(fold(w) for w in ("de", "du", "des", "d’", "d'"))


#: A "sentence" never reaches further than this from the mention (text without stops).
MAX_SENTENCE_TOKENS = 120

_TERMINATORS = frozenset((".", "!", "?", ";", "\n"))


_BOUNDS: list[Any] = [None, []]  # (doc, terminator indices) of the last doc seen


def _terminators(doc: Doc) -> list[int]:
    """Indices of the tokens that end a sentence in ``doc`` (computed once per doc)."""
    if _BOUNDS[0] is not doc:
        _BOUNDS[0] = doc
        _BOUNDS[1] = [i for i, t in enumerate(doc) if t.text in _TERMINATORS or "\n" in t.text]
    bounds: list[int] = _BOUNDS[1]
    return bounds


def sentence_of(span: Span) -> Span:
    """The sentence around ``span``, cut at end punctuation and line breaks only.

    The parser's sentence boundaries are unreliable on web text (it may cut
    ``X a mis sur pied ...`` after ``X``); punctuation is what the reader sees.
    """
    doc = span.doc
    stops = _terminators(doc)
    k = bisect.bisect_left(stops, span.start)  # stops before the span: stops[:k]
    start = stops[k - 1] + 1 if k else 0
    start = max(start, span.start - MAX_SENTENCE_TOKENS, 0)
    m = bisect.bisect_left(stops, span.end)  # first stop at or after the span's end
    end = stops[m] + 1 if m < len(stops) else len(doc)
    end = min(end, span.end + MAX_SENTENCE_TOKENS, len(doc))
    return doc[start:end]


@dataclass(frozen=True)
class RoleHit:
    """One role found for a mention."""

    role: str
    cue: str
    weak: bool = False


def is_amount(token: Token) -> bool:
    """A number or a currency sign (the tagger may call "420 000" determiners)."""
    return token.like_num or token.pos_ in ("NUM", "SYM") or token.text in ("$", "€", "£")


def folded_lemma(token: Token) -> str:
    return fold(token.lemma_ or token.text)


def folded_text(token: Token) -> str:
    return fold(token.text)


def previous_content(span: Span, sent: Span) -> int:
    """Index of the token before ``span``, skipping one determiner (-1 if none)."""
    i = span.start - 1
    if i >= sent.start and folded_text(span.doc[i]) in DETERMINERS:
        i -= 1
    return i if i >= sent.start else -1


def verb_role(cues: RoleCues, verb: Token) -> tuple[str, str] | None:
    """Role of a cue verb; generic verbs need a support or funding noun nearby
    (``offrir une subvention`` -> bailleur, ``une formation offerte par X`` -> partenaire).
    """
    entry = cues.verbs.get(folded_lemma(verb))
    if entry is None:  # a lemma the lemmatizer got wrong, or a mis-tagged participle
        entry = next(
            (cues.verbs[g] for g in participle_lemmas(folded_text(verb)) if g in cues.verbs), None
        )
    if entry is None:
        text = folded_text(verb)
        stem = next((st for st in cues.stems if text.startswith(st)), None)
        entry = cues.verbs.get(f"{stem}er") if stem and looks_like_cue_verb(verb, cues) else None
    if entry is None:
        return None
    doc = verb.doc
    # The direct object decides first: "offre l'accompagnement juridique et financier"
    # is support even with a funding word nearby; "prête deux salles" lends premises.
    objects = [c for c in verb.children if c.dep_ == "obj" and c.pos_ in ("NOUN", "PROPN")]
    for obj in objects:
        forms = {folded_lemma(obj), folded_text(obj)}
        # "accorde une aide financière": a funding noun phrase of the lexicon
        funding = (
            forms & cues.funding_nouns
            or any(
                "bailleur" in (cues.nouns.get((folded_lemma(obj), f)) for f in _forms(c))
                for c in obj.children
                if c.dep_ == "amod"
            )
            # "apporte une aide à l'investissement": support aimed at a funding noun
            or any(set(_forms(c)) & cues.funding_nouns for c in obj.children if c.dep_ == "nmod")
        )
        if "funding" in entry and funding:
            return entry["funding"], verb.lemma_
        if "support" in entry and forms & cues.support_nouns:
            return entry["support"], verb.lemma_
    window = [
        *doc[max(0, verb.i - 8) : verb.i],
        *doc[verb.i + 1 : min(verb.i + 10, len(doc))],
        *([] if verb.head.i == verb.i else [verb.head]),  # a root is its own head
        *verb.children,
    ]
    words = {folded_lemma(t) for t in window} | {folded_text(t) for t in window}
    if "funding" in entry and words & cues.funding_nouns:
        return entry["funding"], verb.lemma_
    if "default" in entry:
        return entry["default"], verb.lemma_
    if "support" in entry and words & cues.support_nouns:
        return entry["support"], verb.lemma_
    if folded_lemma(verb) in cues.subject_roles and words & cues.project_nouns:
        # "le projet, conduit par X": leading the project itself
        return cues.subject_roles[folded_lemma(verb)], verb.lemma_
    return None


def _forms(token: Token) -> tuple[str, str]:
    return folded_lemma(token), folded_text(token)


def participle_lemmas(text: str) -> list[str]:
    """Infinitives a participle the tagger missed may come from (``consenti`` ->
    ``consentir``, ``financées`` -> ``financer``, ``co-construit`` -> ``co-construire``)."""
    base = text[:-1] if text.endswith("s") else text
    base = base[:-1] if base.endswith("e") and len(base) > 3 else base
    if base.endswith("e"):  # folded "é"
        return [base[:-1] + "er"]
    if base.endswith("i"):
        return [base + "r"]
    if base.endswith("uit"):  # "co-construit" -> "co-construire"
        return [base[:-1] + "re"]
    return []


def phrase_at(cues: RoleCues, token: Token) -> tuple[str, str] | None:
    """A multi-word cue starting at ``token`` (``mettre sur pied``, ``être à l'origine``)."""
    doc = token.doc
    for words, role in cues.phrases.items():
        if folded_lemma(token) != words[0]:
            continue
        j = token.i + 1
        ok = True
        for n, word in enumerate(words[1:]):
            skipped = 0
            while j < len(doc) and (
                doc[j].pos_ == "ADV"
                or (
                    (
                        n == 0
                        and skipped < _OBJECT_WORDS
                        and (doc[j].pos_ in ("DET", "NOUN", "ADJ") or _inner_de(doc, j))
                    )
                    and word not in (folded_text(doc[j]), folded_lemma(doc[j]))
                )
            ):
                j += 1
                skipped += 1
            if j >= len(doc) or word not in (folded_text(doc[j]), folded_lemma(doc[j])):
                ok = False
                break
            j += 1
        if ok:
            return role, " ".join(t.text for t in doc[token.i : j])
    return None


# Words of an object between a phrase's verb and the rest ("mis une salle de réunion à
# disposition"): a short noun phrase, with one "de" complement at most.
_OBJECT_WORDS = 5


def _inner_de(doc: Doc, j: int) -> bool:
    """``de`` between two nouns of an object (``une salle de réunion``)."""
    return (
        folded_text(doc[j]) in DE_WORDS
        and j > 0
        and doc[j - 1].pos_ == "NOUN"
        and j + 1 < len(doc)
        and doc[j + 1].pos_ == "NOUN"
    )


_VERB_ENDINGS = ("e", "es", "ent", "ons", "ez", "ait", "aient", "é", "ée", "és", "ées", "era")


def looks_like_cue_verb(token: Token, cues: RoleCues) -> bool:
    """A form of an ``-er`` cue verb the tagger took for an adjective or a noun
    (``La Fondation X finance le projet``)."""
    text = folded_text(token)
    return any(text.startswith(stem) and text[len(stem) :] in _VERB_ENDINGS for stem in cues.stems)


def is_passive(verb: Token, skipped: list[Token]) -> bool:
    """``a été mise sur pied``, ``est financé``: the subject is not the agent."""
    if any(c.dep_ in ("aux:pass",) for c in verb.children):
        return True
    reflexive = any(folded_text(t) in ("se", "s’") for t in skipped)
    return (
        not reflexive
        and any(folded_lemma(t) == "etre" for t in skipped)
        and "Part" in verb.morph.get("VerbForm", [])
    )
