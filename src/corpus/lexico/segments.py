"""Text segments as IRaMuTeQ cuts them, with offsets into their document.

A passage (a paragraph) longer than ``segment_size + window`` words is cut into
segments of about ``segment_size`` (40) words. Each cut falls after the word that
maximises ``weight / (|position - segment_size| + 1)`` among the next
``segment_size + window`` words, where the weight is that of the punctuation right after
the word: 6 for ``. ? ! …``, 5 for ``:``, 4 for ``;``, 1 for ``,``, 0.01 for none. These
are IRaMuTeQ's separator weights, and this search is rainette's ``split_segments`` (its
window defaults to 0.4 × ``segment_size``): a full stop wins over a colon, a colon over
a semicolon, a semicolon over a comma, each unless it is much farther from the 40th
word. The words left after the last cut form the last segment. Segments never span two
passages, so never two paragraphs.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

#: Weight of the punctuation after a word (IRaMuTeQ's separators).
PUNCTUATION_WEIGHTS = {".": 6.0, "?": 6.0, "!": 6.0, "…": 6.0, ":": 5.0, ";": 4.0, ",": 1.0}
NO_PUNCTUATION = 0.01
SEGMENT_COLUMNS = ["segment_id", "doc_id", "passage_id", "index", "start", "end", "n_words", "text"]


def cut_points(weights: np.ndarray, segment_size: int = 40, window: int | None = None) -> list[int]:
    """Where to cut a run of words (rainette's ``split_segments_words``).

    Args:
        weights: Weight of the punctuation after each word.
        segment_size: Target segment length in words.
        window: Extra words searched beyond ``segment_size`` (default ``0.4 × size``).

    Returns:
        The word index at which each segment starts (the first is 0).
    """
    n = len(weights)
    window = round(0.4 * segment_size) if window is None else window
    if n <= segment_size:
        return [0]
    span = segment_size + window
    positions = np.arange(1, span + 1)
    scale = np.abs(positions - segment_size) + 1.0
    starts = [0]
    last = 0
    stop = n - span  # rainette: while last_index < length - span + 1 (1-based)
    while last < stop:
        chunk = weights[last : last + span]
        length = int(np.argmax(chunk / scale[: len(chunk)])) + 1
        last += length
        starts.append(last)
    return starts


def _weights(tokens: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Word positions (row numbers in ``tokens``) and the weight after each word."""
    is_word = tokens["is_word"].to_numpy()
    word_rows = np.flatnonzero(is_word)
    weights = np.full(len(word_rows), NO_PUNCTUATION)
    forms = tokens["form"].to_numpy()
    for number, row in enumerate(word_rows):
        following = row + 1
        best = NO_PUNCTUATION
        while following < len(forms) and not is_word[following]:
            for char in str(forms[following]):
                best = max(best, PUNCTUATION_WEIGHTS.get(char, NO_PUNCTUATION))
            following += 1
        weights[number] = best
    return word_rows, weights


def segment(
    passages: pd.DataFrame, tokens: pd.DataFrame, *, segment_size: int = 40
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cut the passages into segments and attach each token to its segment.

    Args:
        passages: The store's ``passages`` (``passage_id``, ``doc_id``, ``start``, ``text``).
        tokens: From :func:`corpus.lexico.tokens.tokenise` (document offsets).
        segment_size: Target length in words.

    Returns:
        ``(segments, tokens)``. ``segments``: ``segment_id`` (``doc_id:index``),
        ``doc_id``, ``passage_id``, ``index`` (order in the document), ``start``, ``end``
        (offsets in the document's clean text), ``n_words``, ``text``. ``tokens``: the
        token table with a ``segment_id`` column (punctuation goes with the word before
        it; passages without a word have no segment).
    """
    texts = dict(zip(passages["passage_id"], passages["text"].astype(str), strict=True))
    offsets = dict(zip(passages["passage_id"], passages["start"].astype("int64"), strict=True))
    segment_of = np.empty(len(tokens), dtype=object)
    records = []
    counters: dict[str, int] = {}
    grouped = tokens.groupby("passage_id", sort=False).indices
    for passage_id in passages["passage_id"]:
        rows = grouped.get(passage_id)
        if rows is None:
            continue
        part = tokens.iloc[rows]
        word_rows, weights = _weights(part)
        if not len(word_rows):
            continue
        doc_id = str(part["doc_id"].iloc[0])
        starts = cut_points(weights, segment_size)
        bounds = [*starts, len(word_rows)]
        for first, stop in itertools.pairwise(bounds):
            row_from = 0 if first == 0 else int(word_rows[first])
            row_to = len(part) if stop == len(word_rows) else int(word_rows[stop])
            index = counters.get(doc_id, 0)
            counters[doc_id] = index + 1
            segment_id = f"{doc_id}:{index}"
            segment_of[rows[row_from:row_to]] = segment_id
            start = int(part["start"].iloc[row_from])
            end = int(part["end"].iloc[row_to - 1])
            local = offsets[passage_id]
            records.append(
                (segment_id, doc_id, passage_id, index, start, end, stop - first,
                 texts[passage_id][start - local : end - local])
            )  # fmt: skip
    segments = pd.DataFrame(records, columns=SEGMENT_COLUMNS)
    segments[["index", "start", "end", "n_words"]] = segments[
        ["index", "start", "end", "n_words"]
    ].astype("int64")
    out = tokens.assign(segment_id=segment_of)
    out = out[out["segment_id"].notna()].reset_index(drop=True)
    out["segment_id"] = out["segment_id"].astype(str)
    return segments, out
