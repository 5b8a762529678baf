"""Cooccurrents of a pivot with TXM's hypergeometric score.

As TXM's *Cooccurrences* command: the contexts are the ``window`` words on each side of
every occurrence of the pivot (within its passage, the pivot's own occurrences left
out); a word's *cofrequency* is its count in the union of the contexts, its *frequency*
its count in the corpus; its score is Lafon's specificity of that cofrequency, for a
part the size of the contexts drawn from the corpus
(:func:`corpus.lexico.specificities.specificity_scores`). TXM's defaults filter the list
(cofrequency ≥ 2, score ≥ 2) and sort it by score.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from corpus.lexico.errors import LexicoDataError, LexicoUsageError
from corpus.lexico.kwic import find_sequences, parse_query
from corpus.lexico.specificities import specificity_scores


def cooccurrents(
    tokens: pd.DataFrame,
    pivot: str,
    *,
    window: int = 10,
    unit: str = "lemma",
    min_cofrequency: int = 2,
    min_score: float = 2.0,
    ignore_case: bool = True,
) -> pd.DataFrame:
    """The cooccurrents of ``pivot`` (a word or a query, see :mod:`corpus.lexico.kwic`).

    Args:
        tokens: Token table (``passage_id``, ``form``, ``lemma``, ``pos``, ``is_word``) in
            reading order.
        pivot: The pivot (in ``unit``; ``lemma:x`` or sequences work too).
        window: Words on each side of each pivot occurrence.
        unit: Count cooccurrents as ``"lemma"`` or ``"form"``.
        min_cofrequency: Keep cooccurrents seen at least this often in the contexts.
        min_score: Keep cooccurrents scoring at least this much.
        ignore_case: Match the pivot case-insensitively.

    Returns:
        ``cooccurrent``, ``frequency``, ``cofrequency``, ``score``, ``mean_distance``,
        sorted by decreasing score (then cooccurrent).

    Raises:
        LexicoUsageError: Empty pivot, bad ``unit`` or ``window``.
        LexicoDataError: The pivot does not occur (``E-LEXICO-NOT-FOUND``).
    """
    if unit not in ("form", "lemma"):
        raise LexicoUsageError(f"unit must be 'form' or 'lemma', not {unit!r}")
    if window < 1:
        raise LexicoUsageError(f"window must be ≥ 1, not {window}")
    items = parse_query(pivot, by=unit)
    words = tokens[tokens["is_word"]].reset_index(drop=True)
    starts = find_sequences(words, items, ignore_case=ignore_case)
    if not len(starts):
        raise LexicoDataError(
            f"the pivot {pivot!r} does not occur in the corpus",
            code="E-LEXICO-NOT-FOUND",
            hint="Check its spelling, or search by='form' / 'lemma' (see Corpus.frequencies()).",
        )
    values = words[unit].astype(str)
    values = values.str.lower() if unit == "lemma" else values
    passages = words["passage_id"].to_numpy()
    n = len(words)
    is_pivot = np.zeros(n, dtype=bool)
    for first in starts:
        is_pivot[first : first + len(items)] = True
    distance = np.full(n, np.inf)
    for first in starts:
        last = first + len(items) - 1
        lo, hi = max(first - window, 0), min(last + window, n - 1)
        span = np.arange(lo, hi + 1)
        span = span[passages[span] == passages[first]]
        gap = np.where(span < first, first - span, span - last).astype(float)
        distance[span] = np.minimum(distance[span], gap)
    in_context = np.isfinite(distance) & ~is_pivot
    frequency = values.value_counts()
    context = pd.DataFrame({"unit": values[in_context], "distance": distance[in_context]})
    stats = context.groupby("unit").agg(
        cofrequency=("distance", "size"), mean_distance=("distance", "mean")
    )
    stats["frequency"] = frequency.reindex(stats.index).to_numpy()
    total, part = n, int(in_context.sum())
    stats["score"] = specificity_scores(
        stats["cofrequency"].to_numpy(), stats["frequency"].to_numpy(), part, total
    )
    stats = stats[(stats["cofrequency"] >= min_cofrequency) & (stats["score"] >= min_score)]
    out = stats.reset_index().rename(columns={"unit": "cooccurrent"})
    out = out[["cooccurrent", "frequency", "cofrequency", "score", "mean_distance"]]
    out = out.sort_values(["score", "cooccurrent"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)
