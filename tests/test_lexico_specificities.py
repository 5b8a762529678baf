"""Lafon's specificities against textometry's ``robespierre`` table and Lafon (1980)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from corpus.errors import EXIT_DATA, EXIT_USAGE
from corpus.lexico import specificities
from corpus.lexico.specificities import lexical_table, specificity_scores

# textometry's data(robespierre) (R package textometry 0.1.6, data/robespierre.rda,
# decoded): 5 words and "others" in 10 discourses of Robespierre, from Lafon P. (1980),
# "Sur la variabilité de la fréquence des formes dans un corpus", Mots 1, 127-165.
ROBESPIERRE = pd.DataFrame(
    [
        [464, 165, 194, 392, 398, 235, 509, 96, 58, 662],
        [45, 18, 15, 14, 53, 30, 42, 16, 4, 59],
        [35, 10, 16, 29, 29, 9, 21, 14, 2, 42],
        [30, 13, 11, 19, 22, 10, 16, 7, 2, 35],
        [6, 5, 16, 8, 23, 10, 35, 8, 3, 39],
        [7815, 2347, 3668, 6441, 7371, 4261, 9519, 1922, 1015, 13096],
    ],
    index=["de", "peuple", "republique", "ennemi", "patrie", "others"],
    columns=[f"D{i}" for i in range(1, 11)],
)


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _log10_tail(f: int, big_f: int, t: int, total: int, *, upper: bool) -> float:
    """log10 of P(X >= f) or P(X <= f), summing the hypergeometric terms (no SciPy)."""
    ks = range(f, min(big_f, t) + 1) if upper else range(max(0, t - (total - big_f)), f + 1)
    logs = [_log_comb(big_f, k) + _log_comb(total - big_f, t - k) - _log_comb(total, t) for k in ks]
    top = max(logs)
    return (top + math.log(sum(math.exp(v - top) for v in logs))) / math.log(10)


def test_robespierre_table_margins_are_lafons():
    # Lafon 1980, p. 140: T = 61,449 occurrences, part D9 of t = 1,084, F("peuple") = 296.
    assert int(ROBESPIERRE.to_numpy().sum()) == 61449
    assert int(ROBESPIERRE["D9"].sum()) == 1084
    assert int(ROBESPIERRE.loc["peuple"].sum()) == 296


def test_peuple_in_d4_matches_lafon_1980():
    # Lafon 1980, p. 149, as quoted by the tests of the R package wam
    # (tests/wam.specificities.R): the probability for "peuple" (f = 14) in D4 is
    # "66.937*10^-4". The exact left tail with Lafon's margins is 6.6937e-05: the same
    # five digits, two decades lower, so we take the quote's digits as the reference and
    # its exponent as a slip of the quote (P(X <= 14) when 33.25 are expected cannot be
    # 0.0067; P(X = 14) alone is 4.19e-05). Specificity: log10(6.6937e-05) = -4.1743.
    scores = specificities(ROBESPIERRE)
    assert scores.loc["peuple", "D4"] == pytest.approx(math.log10(66.937e-6), abs=1e-3)
    assert scores.loc["peuple", "D4"] < 0


def test_every_cell_matches_the_summed_hypergeometric_tail():
    scores = specificities(ROBESPIERRE)
    values = ROBESPIERRE.to_numpy()
    total = int(values.sum())
    for i, term in enumerate(ROBESPIERRE.index):
        for j, part in enumerate(ROBESPIERRE.columns):
            f, big_f, t = int(values[i, j]), int(values[i].sum()), int(values[:, j].sum())
            upper = f >= big_f * t / total  # textometry: >= expectation is positive
            log_p = _log10_tail(f, big_f, t, total, upper=upper)
            expected = -log_p if upper else log_p
            assert scores.loc[term, part] == pytest.approx(expected, abs=5e-4), (term, part)


def test_sign_follows_the_expectation_and_underflow_is_infinite():
    scores = specificity_scores(np.array([1000, 0]), np.array([1000, 1000]), 1000, 10**6)
    assert scores[0] == math.inf
    assert scores[1] < 0 and math.isfinite(scores[1])
    table = pd.DataFrame({"a": [5000, 0], "b": [0, 5000]}, index=["x", "y"])
    result = specificities(table)
    assert result.loc["x", "a"] == math.inf and result.loc["x", "b"] == -math.inf


def test_lexical_table_counts_units_by_part():
    units = pd.Series(["a", "b", "a", "a", "c"])
    parts = pd.Series(["p", "p", "q", "q", "q"])
    table = lexical_table(units, parts, min_frequency=2)
    assert table.to_dict() == {"p": {"a": 1}, "q": {"a": 2}}


@pytest.mark.parametrize(
    ("table", "code", "exit_code"),
    [
        (pd.DataFrame({"a": [1, 2]}), "E-LEXICO-ONE-MODALITY", EXIT_DATA),
        (pd.DataFrame({"a": [1, 0], "b": [2, 0]}), "E-LEXICO-EMPTY-ROWS", EXIT_DATA),
        (pd.DataFrame({"a": [1, 2], "b": [0, 0]}), "E-LEXICO-EMPTY-COLUMNS", EXIT_DATA),
        (pd.DataFrame({"a": [1, -2], "b": [1, 2]}), "E-LEXICO-COUNTS", EXIT_USAGE),
        (pd.DataFrame({"a": [1.5, 2], "b": [1, 2]}), "E-LEXICO-COUNTS", EXIT_USAGE),
    ],
)
def test_bad_count_tables_are_refused(table, code, exit_code):
    from corpus.errors import CorpusError

    with pytest.raises(CorpusError) as err:
        specificities(table)
    assert err.value.code == code and err.value.exit_code == exit_code
    assert code in str(err.value)
