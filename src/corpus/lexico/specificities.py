"""Lafon's hypergeometric specificities, as TXM and IRaMuTeQ compute them.

For a terms × parts table of counts (``f`` the count of a term in a part, ``F`` its
total, ``t`` the size of the part, ``T`` the grand total, all taken from the table), the
count of the term in a part of size ``t`` drawn without replacement follows a
hypergeometric law. Following the R package ``textometry`` (``specificities``, the code
TXM runs; Lafon P., 1980, "Sur la variabilité de la fréquence des formes dans un
corpus", *Mots* 1, 127-165):

* where ``f >= F t / T`` (at or above its expectation) the score is ``-log10 P(X >= f)``,
  positive;
* where ``f < F t / T`` it is ``log10 P(X <= f)``, negative;
* where the probability underflows to 0 in double precision the score is ``±inf``
  (textometry's ``±10`` sentinels become ``±Inf`` the same way).

textometry rounds its scores to 4 decimals; we keep full precision (round for display).
Its right tail sums ``dhyper`` terms until the sum stops changing; we take SciPy's
survival function (Boost), which agrees with it far beyond the third decimal.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import hypergeom

from corpus.lexico.errors import LexicoDataError, LexicoUsageError


def _check_counts(counts: pd.DataFrame) -> np.ndarray:
    if not isinstance(counts, pd.DataFrame):
        raise LexicoUsageError(
            f"specificities() takes a pandas DataFrame, not {type(counts).__name__}",
            code="E-LEXICO-COUNTS",
            hint="Give a terms × parts table of counts (rows terms, columns parts).",
        )
    if counts.shape[1] < 2:
        raise LexicoDataError(
            f"the count table has {counts.shape[1]} part(s); specificities compare at least two",
            code="E-LEXICO-ONE-MODALITY",
            hint="Choose a variable with two modalities or more.",
        )
    if counts.shape[0] == 0:
        raise LexicoDataError(
            "the count table has no term", code="E-LEXICO-EMPTY-ROWS", hint="Add terms."
        )
    try:
        values = counts.to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise LexicoUsageError(
            f"the count table holds values that are not numbers ({exc})",
            code="E-LEXICO-COUNTS",
            hint="Give non-negative integer counts.",
        ) from exc
    if not np.all(np.isfinite(values)) or (values < 0).any() or (values % 1 != 0).any():
        raise LexicoUsageError(
            "the count table holds negative, fractional or missing values",
            code="E-LEXICO-COUNTS",
            hint="Give non-negative integer counts (fill missing cells with 0).",
        )
    empty_rows = counts.index[values.sum(axis=1) == 0]
    if len(empty_rows):
        raise LexicoDataError(
            f"{len(empty_rows)} term(s) never occur (e.g. {empty_rows[0]!r})",
            code="E-LEXICO-EMPTY-ROWS",
            hint="Drop the all-zero rows: their specificity is undefined.",
        )
    empty_cols = counts.columns[values.sum(axis=0) == 0]
    if len(empty_cols):
        raise LexicoDataError(
            f"{len(empty_cols)} part(s) are empty (e.g. {empty_cols[0]!r})",
            code="E-LEXICO-EMPTY-COLUMNS",
            hint="Drop the all-zero columns: an empty part has no specificities.",
        )
    return values.astype(np.int64)


def specificity_scores(f: Any, F: Any, t: Any, T: int) -> np.ndarray:
    """Signed log10 hypergeometric tail probabilities (the scores of :func:`specificities`).

    Args:
        f: Observed counts (any shape).
        F: Total count of each term (broadcast with ``f``).
        t: Size of each part (broadcast with ``f``).
        T: Grand total.

    Returns:
        Scores of the shape of ``f``: positive above expectation, negative below,
        ``±inf`` where the tail probability underflows.
    """
    f, F, t = np.broadcast_arrays(
        np.asarray(f, dtype=np.int64), np.asarray(F, dtype=np.int64), np.asarray(t, np.int64)
    )
    expected = F * t / T
    positive = f >= expected
    scores = np.empty(f.shape, dtype=np.float64)
    with np.errstate(divide="ignore"):
        right = hypergeom.sf(f[positive] - 1, T, F[positive], t[positive])
        scores[positive] = -np.log10(right)
        left = hypergeom.cdf(f[~positive], T, F[~positive], t[~positive])
        scores[~positive] = np.log10(left)
    # -log10(1) is -0.0: a term exactly at its expectation scores 0.
    return scores + 0.0


def specificities(counts: pd.DataFrame) -> pd.DataFrame:
    """Lafon's specificities of a terms × parts count table (textometry/TXM semantics).

    Args:
        counts: Non-negative integer counts, one row per term, one column per part. The
            margins are taken from the table itself (add an "others" row to stand for
            the rest of the vocabulary, as textometry's ``robespierre`` table does).

    Returns:
        A table of the same index and columns: the signed log10 tail probability of each
        cell (positive: the term is over-represented in the part).

    Raises:
        LexicoUsageError: Not a DataFrame, or values that are not non-negative integers
            (``E-LEXICO-COUNTS``).
        LexicoDataError: Fewer than two parts (``E-LEXICO-ONE-MODALITY``), an all-zero
            row (``E-LEXICO-EMPTY-ROWS``) or column (``E-LEXICO-EMPTY-COLUMNS``).
    """
    values = _check_counts(counts)
    row_totals = values.sum(axis=1, keepdims=True)
    col_totals = values.sum(axis=0, keepdims=True)
    total = int(values.sum())
    scores = specificity_scores(values, row_totals, col_totals, total)
    return pd.DataFrame(scores, index=counts.index, columns=counts.columns)


def lexical_table(units: pd.Series, parts: pd.Series, *, min_frequency: int = 1) -> pd.DataFrame:
    """Count table of units (lemmas, forms...) by part, for :func:`specificities`.

    Args:
        units: One unit per token occurrence.
        parts: The part (modality) of each occurrence, aligned with ``units``.
        min_frequency: Keep units occurring at least this many times in all.

    Returns:
        Terms × parts counts (sorted index and columns).
    """
    frame = pd.DataFrame({"unit": units.to_numpy(), "part": parts.astype(str).to_numpy()})
    table = pd.crosstab(frame["unit"], frame["part"])
    table = table[table.sum(axis=1) >= min_frequency]
    table.index.name = None
    table.columns.name = None
    return table.sort_index().sort_index(axis=1)
