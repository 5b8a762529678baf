"""Concordances (keyword in context) over the token table.

A query is one or more items separated by spaces, matched against consecutive words
(punctuation is skipped): ``innovation sociale`` is that sequence of forms (or lemmas
with ``by="lemma"``). An item can name its own field: ``lemma:financer``,
``form:ESS``, ``pos:NOUN`` (a universal part-of-speech tag), so ``lemma:besoin pos:ADJ``
finds "besoin" followed by any adjective. ``*`` in an item matches any characters
(``social*``).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from corpus.lexico.errors import LexicoUsageError

FIELDS = ("form", "lemma", "pos")


def strip_accents(text: str) -> str:
    """``"été"`` -> ``"ete"`` (combining marks removed after NFD decomposition)."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _normalise(values: pd.Series, *, ignore_case: bool, ignore_accents: bool) -> pd.Series:
    out = values.astype(str)
    if ignore_case:
        out = out.str.casefold()
    if ignore_accents:
        out = out.map(strip_accents)
    return out


def parse_query(query: str | list[str], *, by: str = "form") -> list[tuple[str, str]]:
    """``"lemma:besoin pos:ADJ"`` -> ``[("lemma", "besoin"), ("pos", "ADJ")]``.

    Raises:
        LexicoUsageError: Empty query (``E-LEXICO-EMPTY-QUERY``), unknown field.
    """
    if by not in ("form", "lemma"):
        raise LexicoUsageError(f"by must be 'form' or 'lemma', not {by!r}")
    items = query.split() if isinstance(query, str) else [str(q) for q in query]
    items = [i for i in (item.strip() for item in items) if i]
    if not items:
        raise LexicoUsageError(
            "the query is empty",
            code="E-LEXICO-EMPTY-QUERY",
            hint="Give a word, a sequence of words, or items such as 'lemma:besoin pos:ADJ'.",
        )
    parsed = []
    for item in items:
        field, sep, value = item.partition(":")
        if sep and field in FIELDS and value:
            parsed.append((field, value))
        elif sep and field in FIELDS:
            raise LexicoUsageError(
                f"the query item {item!r} has no value", code="E-LEXICO-EMPTY-QUERY"
            )
        else:
            parsed.append((by, item))
    return parsed


def _item_mask(
    words: pd.DataFrame, field: str, value: str, *, ignore_case: bool, ignore_accents: bool
) -> np.ndarray:
    if field == "pos":
        return (words["pos"].astype(str) == value.upper()).to_numpy()
    column = _normalise(words[field], ignore_case=ignore_case, ignore_accents=ignore_accents)
    target = value.casefold() if ignore_case else value
    target = strip_accents(target) if ignore_accents else target
    if "*" in target:
        pattern = re.compile("^" + ".*".join(re.escape(p) for p in target.split("*")) + "$")
        return column.map(lambda s: bool(pattern.match(s))).to_numpy()
    return (column == target).to_numpy()


def find_sequences(
    words: pd.DataFrame,
    items: list[tuple[str, str]],
    *,
    ignore_case: bool = True,
    ignore_accents: bool = False,
) -> np.ndarray:
    """Row positions (in ``words``) where the sequence of ``items`` starts.

    Args:
        words: Word tokens in reading order with ``doc_id``, ``form``, ``lemma``, ``pos``.
        items: From :func:`parse_query`.
        ignore_case: Compare case-folded text.
        ignore_accents: Compare text without accents.

    Returns:
        Start positions of the matches (a match never spans two documents).
    """
    n = len(words)
    length = len(items)
    if n < length:
        return np.array([], dtype=np.int64)
    docs = words["doc_id"].to_numpy()
    ok = np.ones(n - length + 1, dtype=bool)
    for offset, (field, value) in enumerate(items):
        mask = _item_mask(
            words, field, value, ignore_case=ignore_case, ignore_accents=ignore_accents
        )
        ok &= mask[offset : n - length + 1 + offset]
        if offset:
            ok &= docs[offset : n - length + 1 + offset] == docs[: n - length + 1]
    return np.flatnonzero(ok)


def concordance(
    tokens: pd.DataFrame,
    texts: dict[str, str],
    query: str | list[str],
    *,
    by: str = "form",
    window: int = 10,
    ignore_case: bool = True,
    ignore_accents: bool = False,
) -> pd.DataFrame:
    """The concordance of ``query``: left context, pivot, right context, offsets.

    Args:
        tokens: Token table (``doc_id``, ``segment_id``, ``form``, ``lemma``, ``pos``,
            ``start``, ``end``, ``is_word``) in reading order.
        texts: Each document's clean text, by ``doc_id`` (contexts are cut from it).
        query: See the module docstring.
        by: Field of plain items, ``"form"`` or ``"lemma"``.
        window: Words of context on each side (within the document).
        ignore_case: Match case-insensitively.
        ignore_accents: Match ignoring accents.

    Returns:
        ``doc_id``, ``segment_id``, ``start``, ``end`` (the pivot's offsets in its
        document), ``left``, ``pivot``, ``right``; one row per match in reading order.

    Raises:
        LexicoUsageError: Empty query, bad ``by`` or ``window``.
    """
    items = parse_query(query, by=by)
    if window < 0:
        raise LexicoUsageError(f"window must be ≥ 0, not {window}")
    words = tokens[tokens["is_word"]].reset_index(drop=True)
    starts = find_sequences(words, items, ignore_case=ignore_case, ignore_accents=ignore_accents)
    docs = words["doc_id"].to_numpy()
    begin = words["start"].to_numpy()
    finish = words["end"].to_numpy()
    rows = []
    for first in starts:
        last = first + len(items) - 1
        doc = docs[first]
        text = texts.get(doc, "")
        left_from = max(first - window, 0)
        while docs[left_from] != doc:
            left_from += 1
        right_to = min(last + window, len(words) - 1)
        while docs[right_to] != doc:
            right_to -= 1
        start, end = int(begin[first]), int(finish[last])
        left = text[int(begin[left_from]) : start] if window else ""
        right = text[end : int(finish[right_to])] if window else ""
        rows.append(
            (doc, words["segment_id"].iat[first], start, end,
             " ".join(left.split()), " ".join(text[start:end].split()), " ".join(right.split()))
        )  # fmt: skip
    return pd.DataFrame(
        rows, columns=["doc_id", "segment_id", "start", "end", "left", "pivot", "right"]
    )
