"""Double classification (rainette2) against rainette's published unit tests.

Reference cases from rainette 0.3.2, tests/testthat/test_rainette2.R
(github.com/juba/rainette): ``crosstab_add_members and filtering``, ``next_partitions``
and ``get_optimal_partitions``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from corpus.errors import CorpusError
from corpus.lexico import ReinertDouble
from corpus.lexico.double import (
    crossed_classes,
    merge_segments,
    optimal_partitions,
    partitions,
)


def test_crossed_classes_filtering_matches_rainette2():
    g1 = pd.DataFrame({1: [1, 1, 1, 1, 2], 2: [1, 1, 2, 3, 3]})
    g2 = pd.DataFrame({1: [1, 1, 1, 1, 2], 2: [3, 1, 3, 1, 2]})
    cross = crossed_classes(g1, g2, min_members=2, min_chi2=0.5)
    assert len(cross) == 1
    row = cross.iloc[0]
    assert (row["g1"], row["g2"], row["n_both"]) == (1, 1, 4)
    assert row["members"].tolist() == [0, 1, 2, 3]  # members 1:4
    # chisq.test(matrix(c(4, 0, 0, 1), nrow = 2)) with R's continuity correction:
    # expected 3.2, 0.8, 0.8, 0.2; (0.8 - 0.5)^2 summed over 1/E = 0.703125.
    assert row["chi2"] == pytest.approx(0.703125)


def test_next_partitions_matches_rainette2():
    members = [np.array(m) - 1 for m in ([1, 2, 3], [4, 5, 6], [1, 2], [7])]
    found = partitions(members, max_k=4)
    assert [tuple(p) for p in found[1]] == [(0, 1, 3), (1, 2, 3)]  # c(1,2,4), c(2,3,4)
    assert len(found) == 2  # no partition of four


def _valid() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "interclass": ["1x1", "2x2", "3x3", "4x4"],
            "n_both": [3, 3, 2, 1],
            "chi2": [4.0, 5.0, 10.0, 4.0],
            "members": [np.array(m) - 1 for m in ([1, 2, 3], [4, 5, 6], [1, 2], [7])],
        }
    )


def test_optimal_partitions_full_matches_rainette2():
    found = [[(0, 1), (1, 2), (0, 3)], [(0, 1, 3)]]
    res = optimal_partitions(found, _valid(), 7, full=True)
    two = res[res["k"] == 2]
    assert two["clusters"].tolist() == [["1x1", "2x2"], ["2x2", "3x3"]]
    assert two["chi2"].tolist() == [9.0, 15.0] and two["n"].tolist() == [6, 5]
    assert [g.tolist() for g in two["groups"]] == [[1, 1, 1, 2, 2, 2, 0], [2, 2, 0, 1, 1, 1, 0]]
    three = res[res["k"] == 3]
    assert three["clusters"].tolist() == [["1x1", "2x2", "4x4"]]
    assert three["chi2"].tolist() == [13.0] and three["n"].tolist() == [7]
    assert three["groups"].iloc[0].tolist() == [1, 1, 1, 2, 2, 2, 3]


def test_optimal_partitions_not_full_matches_rainette2():
    found = [[(0, 1), (1, 2), (0, 3)], [(0, 1, 3)]]
    res = optimal_partitions(found, _valid(), 7, full=False)
    two = res[res["k"] == 2]
    assert two["clusters"].tolist() == [["2x2", "3x3"]]
    assert two["chi2"].tolist() == [15.0] and two["n"].tolist() == [5]
    assert two["groups"].iloc[0].tolist() == [2, 2, 0, 1, 1, 1, 0]


def test_merge_segments_groups_within_documents():
    sizes = np.array([3, 4, 5, 12, 2, 2, 9])
    docs = np.array(["a", "a", "a", "a", "b", "b", "b"])
    units = merge_segments(sizes, docs, 10)
    # a: 3+4+5 = 12 -> unit 0; 12 -> unit 3; b: 2+2+9 = 13 -> unit 4
    assert units.tolist() == [0, 0, 0, 3, 4, 4, 4]
    # a document's last, too small unit joins the previous unit of that document
    assert merge_segments(np.array([12, 3]), np.array(["a", "a"]), 10).tolist() == [0, 0]
    assert merge_segments(sizes, docs, 0).tolist() == list(range(7))


def _planted_docs(seed: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    rows, truth, docs = [], [], []
    for c in range(3):
        for d in range(12):
            for _ in range(4):
                row = np.zeros(3 * 15)
                row[rng.choice(15, size=4, replace=False) + 15 * c] = 1
                rows.append(row)
                truth.append(c)
                docs.append(f"{c}-{d}")
    return np.array(rows), np.array(truth), np.array(docs)


def test_double_classification_recovers_planted_classes():
    x, truth, docs = _planted_docs()
    model = ReinertDouble(
        3, min_segment_size1=4, min_segment_size2=8, min_members=5, random_state=0
    ).fit(x, groups=docs)
    kept = model.labels_ > 0
    assert kept.mean() > 0.8
    assert adjusted_rand_score(truth[kept], model.labels_[kept]) >= 0.9
    assert set(model.partitions_["k"]) <= {2, 3}


def test_double_needs_document_groups():
    x, _, _ = _planted_docs()
    with pytest.raises(CorpusError) as err:
        ReinertDouble(3).fit(x)
    assert err.value.code == "E-LEXICO-PARAM"


def test_partition_enumeration_is_bounded(caplog):
    members = [np.array([i]) for i in range(6)]  # six disjoint crossings
    assert len(partitions(members, max_k=6)[-1]) == 1  # the one partition of six
    with caplog.at_level("WARNING"):
        found = partitions(members, max_k=6, limit=10)
    assert len(found[0]) == 15 and len(found) == 1  # 15 pairs > 10: no triples enumerated
    assert "not enumerated" in caplog.text
