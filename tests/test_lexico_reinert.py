"""Reinert's classification against rainette's published example, and its contract.

The reference numbers come from rainette's unit tests (R package rainette 0.3.2,
tests/testthat/test_rainette1.R, github.com/juba/rainette): a 7 × 5 binary matrix, the
rows switched by ``switch_docs`` from a deliberately wrong cut, the features kept by
``select_features`` and the groups of ``rainette(k = 2, min_split_members = 3)``.
Here the ``iramuteq`` method is checked on its own rules and on planted classes; its
classes against IRaMuTeQ's own, run on the same matrices, are in
``test_lexico_reference.py`` (with rainette's).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.stats import chi2_contingency
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score

from corpus.errors import EXIT_DATA, EXIT_USAGE, CorpusError
from corpus.lexico import Reinert, chd
from corpus.lexico.chd import (
    best_cut,
    first_axis,
    iramuteq_eliminate,
    iramuteq_reassign,
    rainette_select,
    rainette_switch,
)

MINI = np.array(
    [
        [1, 1, 1, 0, 0],
        [0, 0, 1, 1, 0],
        [1, 0, 0, 0, 0],
        [1, 1, 1, 1, 0],
        [1, 1, 1, 1, 1],
        [1, 0, 0, 0, 0],
        [1, 1, 1, 0, 0],
    ]
)
# rainette: expect_equal(res$group, c(2, 2, 1, 2, 2, 1, 2))
MINI_GROUPS = np.array([2, 2, 1, 2, 2, 1, 2])


def _order() -> np.ndarray:
    return np.argsort(first_axis(sp.csr_matrix(MINI.astype(float))), kind="stable")


def test_cut_maximises_the_chi_square_over_the_ca_order():
    # rainette's split_tab test: the kept cut is the maximum of chisq.test over the cuts.
    order = _order()
    n_first, chi2 = best_cut(sp.csr_matrix(MINI.astype(float)), order)
    manual = [
        chi2_contingency(
            np.vstack([MINI[order[:i]].sum(0), MINI[order[i:]].sum(0)]), correction=False
        )[0]
        for i in range(1, 7)
    ]
    assert n_first == int(np.argmax(manual)) + 1
    assert chi2 == pytest.approx(max(manual), rel=1e-6)


def test_switch_docs_from_a_wrong_cut_matches_rainette():
    # rainette: switch_docs(tab, indices, max_index = 1, max_chisq = 4.5) gives
    # indices1 = c(3, 6), indices2 = c(7, 4, 5, 2, 1), chisq = the best cut's chi-square.
    order = _order()
    table = sp.csr_matrix(MINI.astype(float))
    position = list(order).index(0) + 1  # max_index = 1: the cut after row 1
    group1, group2, chi2 = rainette_switch(table, order, position, 4.5)
    assert (group1 + 1).tolist() == [3, 6]
    assert (group2 + 1).tolist() == [7, 4, 5, 2, 1]
    assert chi2 == pytest.approx(best_cut(table, order)[1], rel=1e-9)


def test_select_features_matches_rainette():
    table = sp.csr_matrix(MINI.astype(float))
    order = _order()
    group1, group2, _ = rainette_switch(table, order, *best_cut(table, order))
    keep1, keep2 = rainette_select(table, group1, group2, cc_test=0.3, tsj=3)
    assert np.flatnonzero(keep1).tolist() == []  # cols1 = character(0)
    assert (np.flatnonzero(keep2) + 1).tolist() == [2, 3, 4]  # feat2, feat3, feat4
    keep1, keep2 = rainette_select(
        table, np.array([4, 3, 5, 6, 2]) - 1, np.array([7, 1]) - 1, cc_test=0.3, tsj=3
    )
    assert (np.flatnonzero(keep1) + 1).tolist() == [1, 3, 4]
    assert np.flatnonzero(keep2).tolist() == []


def test_rainette_groups_of_the_published_matrix():
    model = Reinert(2, method="rainette", min_split_members=3).fit(MINI)
    assert model.labels_.tolist() == MINI_GROUPS.tolist()
    assert adjusted_rand_score(MINI_GROUPS, model.labels_) >= 0.9
    order = _order()
    assert model.splits_["chi2"].iloc[0] == pytest.approx(
        best_cut(sp.csr_matrix(MINI.astype(float)), order)[1]
    )  # rainette: res$height == the split's max chi-square


def _planted(n_per_class: int = 40, n_classes: int = 4, seed: int = 3) -> tuple:
    """Segments drawing most of their terms from their class's own vocabulary."""
    rng = np.random.default_rng(seed)
    vocab, shared = 12, 10
    rows, truth = [], []
    for c in range(n_classes):
        for _ in range(n_per_class):
            row = np.zeros(n_classes * vocab + shared)
            own = rng.choice(vocab, size=5, replace=False) + c * vocab
            row[own] = 1
            row[n_classes * vocab + rng.choice(shared, size=2, replace=False)] = 1
            rows.append(row)
            truth.append(c)
    return np.array(rows), np.array(truth)


@pytest.mark.parametrize("method", ["iramuteq", "rainette"])
def test_both_methods_find_planted_classes(method):
    x, truth = _planted()
    model = Reinert(4, method=method, min_class_size=10).fit(x)
    classified = model.labels_ > 0
    assert classified.mean() > 0.9
    assert adjusted_rand_score(truth[classified], model.labels_[classified]) >= 0.9
    assert model.n_classes_ == 4 and len(model.levels_.columns) == 3
    assert list(model.splits_.columns[:4]) == ["split", "parent", "left", "right"]


def test_fit_is_deterministic_and_the_sparse_axis_agrees(monkeypatch):
    x, _ = _planted(n_per_class=30)
    first = Reinert(4, method="iramuteq", random_state=1).fit(sp.csr_matrix(x)).labels_
    again = Reinert(4, method="iramuteq", random_state=1).fit(x).labels_
    assert first.tolist() == again.tolist()
    monkeypatch.setattr(chd, "DENSE_SVD_CELLS", 10)  # force ARPACK
    sparse_axis = Reinert(4, method="iramuteq", random_state=1).fit(x).labels_
    assert adjusted_rand_score(first, sparse_axis) == 1.0


def test_iramuteq_reassignment_only_raises_the_chi_square():
    x, _ = _planted(n_per_class=20, n_classes=2)
    table = sp.csr_matrix(x)
    start = np.zeros(len(x), dtype=bool)
    start[::2] = True  # a poor cut
    before = chd.groups_chi2(table, start)
    after_groups, sweeps = iramuteq_reassign(table, start, min_members=5)
    assert sweeps >= 1 and chd.groups_chi2(table, after_groups) > before


def test_iramuteq_elimination_drops_under_represented_terms():
    # term 0 only in group 1; term 1 in both groups alike
    x = np.array([[1, 1]] * 10 + [[0, 1]] * 10)
    in_first = np.array([True] * 10 + [False] * 10)
    out1, out2 = iramuteq_eliminate(sp.csr_matrix(x.astype(float)), in_first)
    assert out1.tolist() == [False, False] and out2.tolist() == [True, False]


def test_iramuteq_small_leaves_go_up_or_out():
    x, _ = _planted(n_per_class=30, n_classes=3)
    model = Reinert(6, method="iramuteq", min_class_size=25).fit(x)
    assert (model.classes_["size"] >= 25).all()
    assert set(np.unique(model.labels_)) <= {0, *range(1, model.n_classes_ + 1)}


def test_estimator_contract():
    model = Reinert(3, method="rainette", random_state=4)
    assert clone(model).get_params() == model.get_params()
    assert not hasattr(model, "labels_")
    x, _ = _planted(n_per_class=10, n_classes=3)
    assert model.fit(x) is model


@pytest.mark.parametrize(
    ("matrix", "params", "code", "exit_code"),
    [
        (np.eye(4), {"k": 3}, "E-LEXICO-TOO-FEW", EXIT_DATA),
        (np.vstack([np.eye(12), np.zeros((1, 12))]), {"k": 2}, "E-LEXICO-EMPTY-ROWS", EXIT_DATA),
        (np.hstack([np.eye(12), np.zeros((12, 1))]), {"k": 2}, "E-LEXICO-EMPTY-COLUMNS", EXIT_DATA),
        (np.eye(12), {"k": 2, "method": "alceste"}, "E-LEXICO-PARAM", EXIT_USAGE),
        (np.eye(12), {"k": 1}, "E-LEXICO-PARAM", EXIT_USAGE),
    ],
)
def test_bad_input_is_refused_with_a_code(matrix, params, code, exit_code):
    k = params.pop("k")
    with pytest.raises(CorpusError) as err:
        Reinert(k, **params).fit(matrix)
    assert err.value.code == code and err.value.exit_code == exit_code
