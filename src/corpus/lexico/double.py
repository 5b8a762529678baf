"""Double classification on two segment sizes, as rainette's ``rainette2`` does it.

Two :class:`~corpus.lexico.reinert.Reinert` classifications are fitted on the same
segments grouped into larger units of two minimum sizes (consecutive segments of one
document merged until they hold ``min_segment_size1``, resp. ``min_segment_size2``
active terms: rainette's ``merge_segments``). Every class of every level of the first
is crossed with every class of every level of the second; a crossing is kept when it
holds more than ``min_members`` segments and its signed, Yates-corrected 2 × 2
chi-square (R's ``chisq.test``) exceeds ``min_chi2``. Partitions are sets of disjoint
kept crossings; for each number of classes the best ones are kept (largest sum of
chi-squares and, with ``full=True``, also the largest number of segments classified).

Differences from rainette2, on purpose: segments unclassified in a fit (rainette's
``NA``) form no crossing class (rainette pastes ``NA`` into a class name and crosses it
like a class); crossings are listed level by level in node order (rainette in the
string order of the class names), which can only change which of two crossings with
the same members is kept, or the order of tied partitions.
IRaMuTeQ's own double classification (``Rchdtxt``) selects crossings differently
(greedy by decreasing chi-square); with ``method="iramuteq"`` the two fits follow
IRaMuTeQ and the crossing follows rainette2.
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClusterMixin

from corpus.lexico.errors import LexicoDataError, LexicoUsageError
from corpus.lexico.reinert import Reinert, check_binary_matrix

logger = logging.getLogger(__name__)


def merge_segments(sizes: np.ndarray, doc_ids: np.ndarray, min_size: int) -> np.ndarray:
    """rainette's ``merge_segments``: the unit of each segment (ids are row numbers).

    Consecutive segments of one document are merged until the unit holds at least
    ``min_size`` terms; a document's last, too small unit joins the previous unit of
    that document.

    Args:
        sizes: Number of terms of each segment.
        doc_ids: Document of each segment (segments of a document are consecutive).
        min_size: Minimum size of a unit.

    Returns:
        The unit id of each segment (the row number of its unit's first segment).
    """
    n = len(sizes)
    units = np.arange(n)
    if min_size <= 1 or np.all(sizes >= min_size):
        return units
    doc_ids = np.asarray(doc_ids)
    index = 0
    while index < n:
        current = sizes[index]
        grouping = index
        while current < min_size:
            if grouping + 1 < n and doc_ids[grouping] == doc_ids[grouping + 1]:
                grouping += 1
                current += sizes[grouping]
                units[grouping] = index
            else:
                same_doc = doc_ids == doc_ids[grouping]
                current_unit = units[grouping]
                others = units[same_doc & (units < current_unit)]
                if len(others):
                    units[units == current_unit] = others.max()
                break
        index = grouping + 1
    return units


def _yates_chi2(n_both: np.ndarray, n1: np.ndarray, n2: np.ndarray, n_tot: int) -> np.ndarray:
    """Signed chi-square of ``[[n_both, n1 - n_both], [n2 - n_both, rest]]`` (R's chisq.test)."""
    obs = np.stack([n_both, n2 - n_both, n1 - n_both, n_tot - n1 - n2 + n_both], axis=-1).astype(
        np.float64
    )  # column-major as R's matrix(c(...), nrow = 2)
    rows = np.stack([obs[:, 0] + obs[:, 2], obs[:, 1] + obs[:, 3]], -1)
    cols = np.stack([obs[:, 0] + obs[:, 1], obs[:, 2] + obs[:, 3]], -1)
    expected = np.stack(
        [
            rows[:, 0] * cols[:, 0],
            rows[:, 1] * cols[:, 0],
            rows[:, 0] * cols[:, 1],
            rows[:, 1] * cols[:, 1],
        ],
        -1,
    ) / float(n_tot)
    with np.errstate(divide="ignore", invalid="ignore"):
        yates = np.minimum(0.5, np.abs(obs - expected).min(axis=1, keepdims=True))
        stat = ((np.abs(obs - expected) - yates) ** 2 / expected).sum(axis=1)
    stat = np.where(expected[:, 0] > n_both, -stat, stat)
    return stat


def crossed_classes(
    levels1: pd.DataFrame, levels2: pd.DataFrame, *, min_members: int, min_chi2: float
) -> pd.DataFrame:
    """Every crossing of a class of ``levels1`` with a class of ``levels2`` worth keeping.

    Args:
        levels1: One column per level, the class of each segment (0: unclassified).
        levels2: The same for the second classification.
        min_members: Keep crossings with more segments than this.
        min_chi2: Keep crossings whose signed chi-square exceeds this.

    Returns:
        ``level1``, ``g1``, ``level2``, ``g2``, ``n_both``, ``n1``, ``n2``, ``chi2``,
        ``interclass``, ``members`` (row indices), one row per distinct member set.
    """
    n_tot = len(levels1)
    records = []
    for l1, l2 in itertools.product(levels1.columns, levels2.columns):
        a = levels1[l1].to_numpy()
        b = levels2[l2].to_numpy()
        for g1 in np.unique(a[a > 0]):
            in1 = a == g1
            for g2 in np.unique(b[b > 0]):
                both = in1 & (b == g2)
                n_both = int(both.sum())
                if n_both <= min_members:
                    continue
                records.append(
                    (str(l1), int(g1), str(l2), int(g2), n_both, int(in1.sum()),
                     int((b == g2).sum()), np.flatnonzero(both))
                )  # fmt: skip
    columns = ["level1", "g1", "level2", "g2", "n_both", "n1", "n2", "members"]
    frame = pd.DataFrame(records, columns=columns)
    if frame.empty:
        return frame.assign(chi2=[], interclass=[])
    frame["chi2"] = _yates_chi2(
        frame["n_both"].to_numpy(), frame["n1"].to_numpy(), frame["n2"].to_numpy(), n_tot
    )
    frame = frame[frame["chi2"] > min_chi2].copy()
    frame["interclass"] = [
        f"{r.level1}.{r.g1}x{r.level2}.{r.g2}" for r in frame.itertuples(index=False)
    ]
    keys = frame["members"].map(lambda m: m.tobytes())
    frame = frame[~keys.duplicated()].reset_index(drop=True)
    return frame


def keep_max(cross: pd.DataFrame) -> pd.DataFrame:
    """rainette2's ``crosstab_keep_max``: crossings that are each other's best match."""
    if cross.empty:
        return cross
    best_g2 = cross.loc[cross.groupby("g1", sort=False)["chi2"].idxmax(), ["g1", "g2"]]
    best_g1 = cross.loc[cross.groupby("g2", sort=False)["chi2"].idxmax(), ["g1", "g2"]]
    max_g2 = dict(zip(best_g2["g1"], best_g2["g2"], strict=True))
    max_g1 = dict(zip(best_g1["g2"], best_g1["g1"], strict=True))
    mask = [
        max_g2[g1] == g2 and max_g1[g2] == g1
        for g1, g2 in zip(cross["g1"], cross["g2"], strict=True)
    ]
    return cross[mask].reset_index(drop=True)


#: Partitions enumerated per number of classes at most (rainette2 has no bound; the
#: count grows combinatorially with the crossings kept).
MAX_PARTITIONS = 500_000


def partitions(
    members: list[np.ndarray], max_k: int, *, limit: int = MAX_PARTITIONS
) -> list[list[tuple[int, ...]]]:
    """Sets of pairwise disjoint crossings, of 2 up to ``max_k`` crossings (0-based ids).

    Larger partitions are not enumerated once a size has more than ``limit`` of them
    (logged): raise ``min_members`` or ``min_chi2`` to keep fewer crossings.

    Returns:
        ``result[j]``: the partitions of ``j + 2`` crossings, each a tuple of increasing
        ids, in rainette2's order.
    """
    n = len(members)
    if n < 2:
        return []
    sets = [set(m.tolist()) for m in members]
    disjoint = np.zeros((n, n), dtype=bool)  # disjoint[i, j] only for i < j
    for i in range(n - 1):
        for j in range(i + 1, n):
            disjoint[i, j] = sets[i].isdisjoint(sets[j])
    # R's which(sizes == 0, arr.ind = TRUE) lists pairs column by column.
    pairs: list[tuple[int, ...]] = [(i, j) for j in range(n) for i in range(j) if disjoint[i, j]]
    result = [pairs]
    for _ in range(max_k - 2):
        if len(result[-1]) > limit:
            logger.warning(
                "double classification: %d partitions of %d classes; larger ones are not "
                "enumerated (raise min_members or min_chi2)",
                len(result[-1]),
                len(result) + 1,
            )
            break
        following: list[tuple[int, ...]] = []
        for partition in result[-1]:
            ok = np.all(disjoint[list(partition)], axis=0)
            following.extend((*tuple(partition), int(j)) for j in np.flatnonzero(ok))
        if not following:
            logger.info("double classification: no partition of %d classes", len(result) + 2)
            break
        result.append(following)
    return [level for level in result if level]


def optimal_partitions(
    found: list[list[tuple[int, ...]]], cross: pd.DataFrame, n_tot: int, *, full: bool = True
) -> pd.DataFrame:
    """rainette2's ``get_optimal_partitions``: the best partitions for each k.

    Returns:
        ``k``, ``clusters`` (interclass names), ``chi2``, ``n``, ``groups`` (class of each
        segment, 1-based, 0 outside), sorted by ``k`` then ``chi2``.
    """
    chi2 = cross["chi2"].to_numpy()
    n_both = cross["n_both"].to_numpy()
    names = cross["interclass"].tolist()
    rows = []
    for k_index, level in enumerate(found):
        if not level:
            continue
        ids = np.asarray(level)
        sums = chi2[ids].sum(axis=1)
        sizes = n_both[ids].sum(axis=1)
        frame = pd.DataFrame({"i": range(len(ids)), "chi2": sums, "n": sizes})
        if full:
            frame = frame[(frame["n"] == frame["n"].max()) | (frame["chi2"] == frame["chi2"].max())]
            frame = frame[frame["chi2"] == frame.groupby("n")["chi2"].transform("max")]
        else:
            frame = frame[frame["chi2"] == frame["chi2"].max()]
        frame = frame[frame["n"] == frame.groupby("chi2")["n"].transform("max")]
        frame = frame.sort_values(["chi2", "i"], kind="stable")
        for row in frame.itertuples(index=False):
            partition = ids[row.i]
            groups = np.zeros(n_tot, dtype=np.int64)
            for number, crossing in enumerate(partition, start=1):
                groups[cross["members"].iloc[crossing]] = number
            rows.append(
                (k_index + 2, [names[c] for c in partition], float(row.chi2), int(row.n), groups)
            )
    return pd.DataFrame(rows, columns=["k", "clusters", "chi2", "n", "groups"])


class ReinertDouble(ClusterMixin, BaseEstimator):
    """Double Reinert classification on two segment sizes (rainette2).

    Args:
        k: Largest number of classes of a partition.
        method: ``"iramuteq"`` or ``"rainette"``, for the two simple classifications.
        min_segment_size1: Minimum number of terms of a unit, first classification.
        min_segment_size2: The same, second classification.
        min_members: Crossings must hold more segments than this (also each simple
            classification's ``min_split_members``).
        min_chi2: Crossings must have a signed chi-square above this.
        full: Keep, for each k, the partitions with the largest chi-square and those
            with the most segments (rainette2's ``full``); else only the former.
        random_state: Seeds both simple classifications.

    Attributes:
        first_, second_: The two fitted :class:`~corpus.lexico.reinert.Reinert`.
        levels1_, levels2_: Their levels mapped back to the segments.
        crossed_: The kept crossings (:func:`crossed_classes`).
        partitions_: The best partitions per k (:func:`optimal_partitions`).
        labels_: Classes of the best partition (largest chi-square, then most segments)
            at the largest k found up to ``k``; 0 for segments outside it.
        n_classes_: Its number of classes.
    """

    def __init__(
        self,
        k: int = 5,
        *,
        method: str = "rainette",
        min_segment_size1: int = 10,
        min_segment_size2: int = 15,
        min_members: int = 10,
        min_chi2: float = 3.84,
        full: bool = True,
        random_state: int = 0,
    ) -> None:
        self.k = k
        self.method = method
        self.min_segment_size1 = min_segment_size1
        self.min_segment_size2 = min_segment_size2
        self.min_members = min_members
        self.min_chi2 = min_chi2
        self.full = full
        self.random_state = random_state

    def _fit_one(self, matrix: sp.csr_matrix, doc_ids: np.ndarray, min_size: int) -> Any:
        sizes = np.asarray(matrix.sum(axis=1)).ravel()
        units = merge_segments(sizes, doc_ids, min_size)
        unique, inverse = np.unique(units, return_inverse=True)
        grouping = sp.csr_matrix(
            (np.ones(len(units)), (inverse, np.arange(len(units)))),
            shape=(len(unique), len(units)),
        )
        grouped = (grouping @ matrix).tocsr()
        grouped.data[:] = 1.0
        model = Reinert(
            self.k,
            method=self.method,
            min_split_members=self.min_members,
            allow_empty_rows=True,
            random_state=self.random_state,
        ).fit(grouped)
        levels = model.levels_.iloc[inverse].reset_index(drop=True)
        return model, levels

    def fit(self, X: Any, y: Any = None, *, groups: Any = None) -> ReinertDouble:
        """Fit both classifications and cross them.

        Args:
            X: Binary segments × terms matrix (segments of a document consecutive).
            y: Ignored.
            groups: The document of each segment (units never span two documents).

        Returns:
            self

        Raises:
            LexicoUsageError: No ``groups`` given, or bad parameters.
            LexicoDataError: Fewer than two crossings worth keeping, or the matrix
                errors of :class:`~corpus.lexico.reinert.Reinert`.
        """
        if groups is None:
            raise LexicoUsageError(
                "ReinertDouble.fit needs groups= (the document of each segment)",
                hint="Pass the doc_id column of the segments table.",
            )
        matrix = check_binary_matrix(X, allow_empty_rows=True)
        doc_ids = np.asarray(groups)
        if len(doc_ids) != matrix.shape[0]:
            raise LexicoUsageError(
                f"groups has {len(doc_ids)} values for {matrix.shape[0]} rows",
                hint="Give one document id per row.",
            )
        self.first_, self.levels1_ = self._fit_one(matrix, doc_ids, self.min_segment_size1)
        self.second_, self.levels2_ = self._fit_one(matrix, doc_ids, self.min_segment_size2)
        cross = crossed_classes(
            self.levels1_, self.levels2_, min_members=self.min_members, min_chi2=self.min_chi2
        )
        if not self.full:
            cross = keep_max(cross)
        if len(cross) < 2:
            raise LexicoDataError(
                f"only {len(cross)} crossed class(es) hold more than {self.min_members} "
                "segments with a significant chi-square",
                code="E-LEXICO-TOO-FEW",
                hint="Lower min_members, or add documents.",
            )
        self.crossed_ = cross
        found = partitions(cross["members"].tolist(), self.k)
        self.partitions_ = optimal_partitions(found, cross, matrix.shape[0], full=self.full)
        if self.partitions_.empty:
            raise LexicoDataError(
                "no two crossed classes are disjoint",
                code="E-LEXICO-TOO-FEW",
                hint="Lower min_members, or add documents.",
            )
        best_k = int(self.partitions_["k"].max())
        candidates = self.partitions_[self.partitions_["k"] == best_k]
        best = candidates.sort_values(["chi2", "n"], kind="stable").iloc[-1]
        self.labels_ = np.asarray(best["groups"], dtype=np.int64)
        self.n_classes_ = best_k
        return self
