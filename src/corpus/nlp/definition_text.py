"""Text helpers of the definitions component: quotes, sentences, words, pre-filter.

Plain functions over strings and spaCy tokens, used by :mod:`corpus.nlp.definitions`
and :mod:`corpus.nlp.definition_terms`: where quotations open and close, the doc's
sentences from its SENT_START array, French singulars, trimming and cleaning of terms
and sources, and :class:`Triggers`, the pre-filter over token arrays that gives the Matcher
only the sentences where a cue may start.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection
from typing import Any

import numpy
from spacy.tokens import Doc, Span, Token

_OPEN_QUOTES = {"«": "»", "“": "”", "„": "”"}
_STRIP_LEAD = " \t\r\n-–—•*·>\"'«“”„»"
_STRIP_TRAIL = " \t\r\n\"'«“”„»"
_ACRONYM = re.compile(r"\s*\([^)]*\)\s*$")
_YEAR = re.compile(r"\b((?:1[89]|20)\d\d)\b")


def quote_regions(text: str) -> list[tuple[int, int]]:
    """``(open, close)`` character indices of quoted stretches («», “”, straight quotes).

    An unclosed quotation mark runs to the end of the text.
    """
    regions: list[tuple[int, int]] = []
    stack: list[tuple[int, str]] = []
    straight: int | None = None
    for i, char in enumerate(text):
        if char in _OPEN_QUOTES:
            stack.append((i, _OPEN_QUOTES[char]))
        elif stack and char == stack[-1][1]:
            opened, _ = stack.pop()
            if not stack:
                regions.append((opened, i))
        elif char == '"' and not stack:
            if straight is None:
                straight = i
            else:
                regions.append((straight, i))
                straight = None
    if stack:
        regions.append((stack[0][0], len(text)))
    elif straight is not None:
        regions.append((straight, len(text)))
    return sorted(regions)


def region_at(regions: list[tuple[int, int]], char: int) -> tuple[int, int] | None:
    for opened, closed in regions:
        if opened < char < closed:
            return opened, closed
    return None


def expand_first(pattern: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """One pattern per alternative of a first token ``{"LOWER": {"IN": [...]}}``.

    The Matcher tests a set predicate ("IN") in Python on every token of the doc when
    it opens a pattern, but an equality in C: expanding the first token keeps the
    component fast without changing what matches.
    """
    if not pattern:
        return [pattern]
    first = pattern[0]
    if len(first) != 1:
        return [pattern]
    ((attr, value),) = first.items()
    if not isinstance(value, dict) or set(value) != {"IN"} or attr not in ("LOWER", "LEMMA"):
        return [pattern]
    return [[{attr: alternative}, *pattern[1:]] for alternative in value["IN"]]


def _sentences(doc: Doc) -> list[Span]:
    """The doc's sentences, from the SENT_START array (cheaper than ``doc.sents``).

    A line break always ends a sentence (a heading, a list item), even when the parser
    ran the lines together.
    """
    flags = doc.to_array("SENT_START")
    starts = {int(i) for i in numpy.flatnonzero(flags == 1)}
    for i in numpy.flatnonzero(doc.to_array("IS_SPACE")):
        if "\n" in doc[int(i)].text and int(i) + 1 < len(doc):
            starts.add(int(i) + 1)
    bounds = sorted(starts | {0})
    bounds.append(len(doc))
    return [doc[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def _singular_word(word: str) -> str:
    """A plural French or English word in the singular ("foncières" -> "foncière")."""
    lower = word.lower()
    if len(lower) > 4 and lower.endswith("aux"):
        return word[:-3] + "al"
    if len(lower) > 3 and lower.endswith(("s", "x")) and not lower.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _short_infinitive(token: Token) -> bool:
    """An infinitive complement of one word after "de"/"à" ("pouvoir *d'agir*")."""
    if token.dep_ not in ("acl", "xcomp") or token.i <= token.head.i:
        return False
    subtree = list(token.subtree)
    return (
        len(subtree) == 2
        and subtree[0].lower_ in ("de", "d'", "d’", "à")
        and token.lower_ == token.lemma_.lower()
        and token.lower_.endswith(("er", "ir", "re"))
    )


def _finite(token: Token) -> bool:
    """Not a present participle or an infinitive ("visant à", "pour désigner").

    Read from the form, as the tagger's VerbForm is unreliable on these verbs.
    """
    if any(c.dep_.startswith("aux") for c in token.children):
        return True  # a compound form ("est défini", "peut être vu"): its auxiliary decides
    lower = token.lower_
    if lower.endswith("ant") and token.lemma_.lower() != lower:
        return False
    return not (lower == token.lemma_.lower() and lower.endswith(("er", "ir", "re")))


def _is_name_word(token: Token) -> bool:
    """A capitalised word inside a sentence that is not an acronym: part of a name."""
    text = token.text
    if not text[:1].isupper() or token.is_sent_start:
        return False
    if text.isupper() and len(text) <= 6:
        return False  # an acronym (ESS, OBNL) may be a defined term
    previous = token.doc[token.i - 1] if token.i > 0 else None
    # After a bullet, a colon or an opening quote, a capital starts the phrase.
    return not (previous is not None and (previous.is_punct or previous.is_space))


def doc_comma_before(token: Token) -> bool:
    """Whether ``token``'s phrase is preceded by a comma (an apposition, not "et X")."""
    left = min([token.i, *(t.i for t in token.subtree if t.i < token.i and not t.is_punct)])
    return left > 0 and token.doc[left - 1].text == ","


#: Dependencies of the words that modify a noun from its right ("économie *sociale*").
MODIFIER_DEPS = frozenset(("amod", "nmod", "flat", "fixed"))


def governing_noun(token: Token, lo: int, deps: Collection[str] = MODIFIER_DEPS) -> Token:
    """The word a chain of right-hand modifiers ending at ``token`` hangs on: ``token``
    climbed up its heads (at most six steps) while its dependency is in ``deps`` and the
    head stands between ``lo`` and it."""
    for _ in range(6):
        if token.dep_ in deps and lo <= token.head.i < token.i:
            token = token.head
        else:
            break
    return token


def _bisect(starts: list[int], token_i: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= token_i:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _trim_start(text: str, start: int, end: int) -> int:
    while start < end and text[start] in _STRIP_LEAD:
        start += 1
    return start


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in _STRIP_TRAIL:
        end -= 1
    return end


def _clean_term(text: str) -> str:
    """Lower case, one space, no trailing acronym in parentheses or punctuation."""
    text = _ACRONYM.sub("", text)
    text = re.sub(r"\s+", " ", text).strip(" \t\n\"'«»“”.,;:!?()[]-–—").lower()
    return text


def clean_source(text: str) -> str:
    """A source as written, trimmed of spaces, quotes and trailing punctuation."""
    text = re.sub(r"\s+", " ", text).strip(' \t\n"«»“”.,;:-–—')
    return text
