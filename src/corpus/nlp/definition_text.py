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
from typing import Any

import numpy
from spacy.parts_of_speech import IDS as POS_IDS
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


class Triggers:
    """Pre-filter: the tokens where a pattern may start, read from the token arrays.

    Only sentences holding such a token are given to the Matcher; a one-token pattern
    the pre-filter reads entirely (the copula) is matched here directly, so a sentence
    with no other cue skips the Matcher. A first token made of
    ``LOWER``/``LEMMA``/``ORTH``/``DEP`` equalities or ``IN`` sets is read here; a
    pattern opening on a comma is triggered by the token after the comma; any other
    opening (an optional first token, another attribute) disables the pre-filter.
    """

    _ATTRS = ("LOWER", "LEMMA", "ORTH", "DEP")

    def __init__(
        self, vocab: Any, patterns: list[list[dict[str, Any]]], keys: list[str] | None = None
    ) -> None:
        """Args:
        vocab: The pipeline's vocab (string hashes).
        patterns: The Matcher patterns (already expanded).
        keys: The Matcher key of each pattern (for direct one-token matches).
        """
        self.vocab = vocab
        self.keys = keys or [""] * len(patterns)
        self.single = [len(p) == 1 and bool(k) for p, k in zip(patterns, self.keys, strict=True)]
        #: Per pattern, its fixed token count and its ``{"POS": X, "OP": "*"}`` tokens
        #: (by POS id), or None when a match's length has no bound this can read.
        self.lengths = [_length_bound(p) for p in patterns]
        self._index: dict[str, dict[int, list[int]]] | None = None
        self._columns: list[tuple[int, dict[int, list[int]]]] = []
        self._checks: list[
            tuple[list[tuple[int, set[int]]], list[tuple[int, set[int]]] | None]
        ] = []
        self.specs: list[tuple[dict[str, set[int]], dict[str, set[int]] | None]] | None = []
        for pattern in patterns:
            first = self._spec(pattern[0]) if pattern else None
            if first is None:
                self.specs = None
                return
            second = None
            if pattern[0] == {"ORTH": ","}:
                second = self._spec(pattern[1]) if len(pattern) > 1 else None
                if second is None:
                    self.specs = None
                    return
            self.specs.append((first, second))

    def _spec(self, token: dict[str, Any]) -> dict[str, set[int]] | None:
        out: dict[str, set[int]] = {}
        for attr, value in token.items():
            if attr not in self._ATTRS:
                return None
            values = value.get("IN") if isinstance(value, dict) else [value]
            if not isinstance(values, list) or (isinstance(value, dict) and set(value) != {"IN"}):
                return None
            out[attr] = {self.vocab.strings.add(str(v)) for v in values}
        return out

    def positions(self, doc: Doc) -> list[tuple[int, int]] | None:
        """``(token index, pattern index)`` where a pattern may start; None: whole doc."""
        if self.specs is None:
            return None
        if self._index is None:
            self._index = {attr: {} for attr in self._ATTRS}
            for k, (first, _) in enumerate(self.specs):
                attr = next(iter(first))
                for value in first[attr]:
                    self._index[attr].setdefault(value, []).append(k)
            # The same, by column of the token array, the specs as (column, values) pairs.
            column = {attr: c for c, attr in enumerate(self._ATTRS)}
            self._columns = [
                (c, self._index[attr]) for c, attr in enumerate(self._ATTRS) if self._index[attr]
            ]
            self._checks = [
                (
                    [(column[a], v) for a, v in first.items()],
                    None if second is None else [(column[a], v) for a, v in second.items()],
                )
                for first, second in self.specs
            ]
        checks = self._checks
        arrays = doc.to_array(list(self._ATTRS)).tolist()
        hits: list[tuple[int, int]] = []
        n = len(arrays)
        for i, row in enumerate(arrays):
            for c, index in self._columns:
                for k in index.get(row[c], ()):
                    opening, after = checks[k]
                    if not all(row[a] in v for a, v in opening):
                        continue
                    if after is not None:
                        if i + 1 >= n:
                            continue
                        following = arrays[i + 1]
                        if not all(following[a] in v for a, v in after):
                            continue
                    hits.append((i, k))
        return hits

    def window_end(self, doc: Doc, hits: list[tuple[int, int]], start: int, end: int) -> int:
        """Where matching may stop: past the longest match the triggered patterns allow.

        A pattern starting at trigger ``i`` spans at most its fixed tokens plus, per
        ``{"POS": X, "OP": "*"}`` token, the longest run of ``X`` tokens in
        ``[start, end)``. One token more is kept, so the Matcher sees the token after
        each match, as it does on the whole sentence.

        Args:
            doc: The doc.
            hits: ``(token index, pattern index)`` from :meth:`positions`.
            start: First token given to the Matcher.
            end: End of the sentence.
        """
        furthest = start
        runs: dict[int, int] = {}
        pos: list[int] | None = None
        for i, k in hits:
            bound = self.lengths[k]
            if bound is None:
                return end
            fixed, stars = bound
            reach = i + fixed
            for tag, count in stars.items():
                if tag not in runs:
                    if pos is None:
                        pos = doc.to_array("POS")[start:end].tolist()
                    runs[tag] = _longest_run(pos, tag)
                reach += count * runs[tag]
            furthest = max(furthest, reach)
        return min(end, furthest + 1)


def _length_bound(pattern: list[dict[str, Any]]) -> tuple[int, dict[int, int]] | None:
    """A pattern's fixed token count and its POS-starred tokens (see ``window_end``)."""
    fixed = 0
    stars: dict[int, int] = {}
    for token in pattern:
        op = token.get("OP")
        if op is None or op in ("!", "?", "1"):
            fixed += 1
        elif op == "*" and set(token) == {"POS", "OP"} and token["POS"] in POS_IDS:
            tag = POS_IDS[token["POS"]]
            stars[tag] = stars.get(tag, 0) + 1
        elif isinstance(op, str) and op.startswith("{") and op.endswith("}"):
            high = op[1:-1].split(",")[-1].strip()
            if not high.isdigit():
                return None
            fixed += int(high)
        else:
            return None
    return fixed, stars


def _longest_run(values: list[int], value: int) -> int:
    """Length of the longest run of ``value`` in ``values``."""
    best = current = 0
    for v in values:
        current = current + 1 if v == value else 0
        best = max(best, current)
    return best


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
