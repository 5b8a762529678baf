"""Reinert's descending hierarchical classification (ALCESTE), as rainette or IRaMuTeQ run it.

:class:`Reinert` fits a binary segments × terms matrix. It splits the biggest class
``k - 1`` times (each split: :mod:`corpus.lexico.chd`), then names the final classes:

* ``method="rainette"`` (R package rainette, ``rainette()``): the classes are the leaves,
  numbered left to right in the tree (rainette's ``group``); a split stops early when
  the biggest class has fewer than ``min_split_members`` rows or its table fewer than 3
  rows or terms. Rows left without any kept term when their class is split are
  unclassified (rainette's ``NA``, our 0).
* ``method="iramuteq"`` (IRaMuTeQ ``CHD.R`` then ``find.terminales``/``make.classes``):
  after each split, terms are eliminated from the child where they are
  under-represented (inherited by its descendants), then terms with at most 3
  occurrences; rows left empty are unclassified. The final classes are the leaves of at
  least ``min_class_size`` rows (IRaMuTeQ's ``mincl``, by default ``round(n / k)``); a
  smaller leaf is replaced by its mother when the mother is big enough and none of her
  other descendants is kept, else its rows are unclassified (0). Classes are numbered
  in IRaMuTeQ's order: kept leaves by node number, then the mothers.

Node numbers follow IRaMuTeQ: the root is 1, split ``i`` makes nodes ``2i`` and ``2i+1``.
Where the two methods differ inside a split (reassignment, term selection) is written in
:mod:`corpus.lexico.chd`.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClusterMixin

from corpus.lexico.chd import (
    best_cut,
    first_axis,
    groups_chi2,
    iramuteq_eliminate,
    iramuteq_reassign,
    rainette_select,
    rainette_switch,
)
from corpus.lexico.errors import LexicoDataError, LexicoUsageError

logger = logging.getLogger(__name__)

METHODS = ("iramuteq", "rainette")


def check_binary_matrix(X: Any, *, allow_empty_rows: bool = False) -> sp.csr_matrix:
    """A binary CSR copy of ``X``, or a clear error.

    Raises:
        LexicoDataError: All-zero columns (``E-LEXICO-EMPTY-COLUMNS``) or, unless
            allowed, all-zero rows (``E-LEXICO-EMPTY-ROWS``).
    """
    matrix = sp.csr_matrix(X, dtype=np.float64)
    matrix.eliminate_zeros()
    matrix.data[:] = 1.0
    if matrix.shape[0] == 0 or matrix.shape[1] == 0 or matrix.nnz == 0:
        raise LexicoDataError(
            f"the matrix ({matrix.shape[0]} × {matrix.shape[1]}) is empty",
            code="E-LEXICO-EMPTY-ROWS",
            hint="Give segments that contain active terms.",
        )
    empty_cols = np.flatnonzero(np.diff(matrix.tocsc().indptr) == 0)
    if len(empty_cols):
        raise LexicoDataError(
            f"{len(empty_cols)} column(s) of the matrix are empty (first: {empty_cols[0]})",
            code="E-LEXICO-EMPTY-COLUMNS",
            hint="Drop the terms that occur in no row before fitting.",
        )
    empty_rows = np.flatnonzero(np.diff(matrix.indptr) == 0)
    if len(empty_rows) and not allow_empty_rows:
        raise LexicoDataError(
            f"{len(empty_rows)} row(s) of the matrix are empty (first: {empty_rows[0]})",
            code="E-LEXICO-EMPTY-ROWS",
            hint="Drop the segments without any active term, or pass allow_empty_rows=True "
            "to leave them unclassified (class 0).",
        )
    return matrix


class Reinert(ClusterMixin, BaseEstimator):
    """Reinert's descending hierarchical classification of a binary segments × terms matrix.

    Args:
        k: Number of terminal classes wanted (``k - 1`` splits at most).
        method: ``"iramuteq"`` or ``"rainette"`` (see the module docstring).
        min_split_members: rainette: do not split a class smaller than this (at least 3).
            IRaMuTeQ: reassignment sweeps run only while both groups are at least this big.
        min_class_size: IRaMuTeQ's ``mincl`` (final classes smaller than this are merged
            up or unclassified); ``None``: ``round(n_rows / k)``, IRaMuTeQ's default.
        cc_test: rainette's contingency-coefficient threshold of term selection.
        tsj: rainette's minimum term frequency in a child.
        allow_empty_rows: Leave all-zero rows unclassified instead of raising.
        random_state: Seeds the first-axis computation of large tables.

    Attributes:
        labels_: Final class of each row (1..n_classes_), 0 for an unclassified row.
        levels_: DataFrame, one column per split (``1``..``n_splits``): the node of each
            row after that split (0: unclassified).
        splits_: DataFrame, one row per split: ``split``, ``parent``, ``left``, ``right``,
            ``n_parent``, ``n_left``, ``n_right``, ``n_terms``, ``chi2_cut`` (before
            reassignment), ``chi2`` (after).
        classes_: DataFrame, one row per final class: ``class``, ``node``, ``size``.
        n_classes_: Number of final classes.
    """

    def __init__(
        self,
        k: int = 10,
        *,
        method: str = "iramuteq",
        min_split_members: int = 5,
        min_class_size: int | None = None,
        cc_test: float = 0.3,
        tsj: int = 3,
        allow_empty_rows: bool = False,
        random_state: int = 0,
    ) -> None:
        self.k = k
        self.method = method
        self.min_split_members = min_split_members
        self.min_class_size = min_class_size
        self.cc_test = cc_test
        self.tsj = tsj
        self.allow_empty_rows = allow_empty_rows
        self.random_state = random_state

    # -- checks ---------------------------------------------------------------------------
    def _check_params(self, n_rows: int) -> None:
        if self.method not in METHODS:
            raise LexicoUsageError(
                f"unknown method {self.method!r}", hint=f"Use one of {', '.join(METHODS)}."
            )
        if not isinstance(self.k, int | np.integer) or self.k < 2:
            raise LexicoUsageError(f"k must be an integer ≥ 2, not {self.k!r}")
        if n_rows < max(2 * self.min_split_members, self.k, 3):
            raise LexicoDataError(
                f"{n_rows} segment(s) cannot be split into {self.k} classes (at least "
                f"{max(2 * self.min_split_members, self.k, 3)} are needed with "
                f"min_split_members={self.min_split_members})",
                code="E-LEXICO-TOO-FEW",
                hint="Add documents, lower k or min_split_members.",
            )

    # -- fitting --------------------------------------------------------------------------
    def fit(self, X: Any, y: Any = None) -> Reinert:
        """Classify the rows of ``X``.

        Args:
            X: Binary (or count, binarised) segments × terms matrix, dense or sparse.
            y: Ignored.

        Returns:
            self

        Raises:
            LexicoDataError: Empty rows or columns, too few rows for ``k``.
            LexicoUsageError: Unknown method, bad ``k``.
        """
        matrix = check_binary_matrix(X, allow_empty_rows=self.allow_empty_rows)
        self._check_params(matrix.shape[0])
        if self.method == "rainette":
            levels, splits = self._fit_rainette(matrix)
        else:
            levels, splits = self._fit_iramuteq(matrix)
        self.levels_ = pd.DataFrame(
            {i + 1: level for i, level in enumerate(levels)}, dtype=np.int64
        )
        self.splits_ = pd.DataFrame(
            splits,
            columns=[
                "split",
                "parent",
                "left",
                "right",
                "n_parent",
                "n_left",
                "n_right",
                "n_terms",
                "chi2_cut",
                "chi2",
            ],
        )
        if not splits:
            raise LexicoDataError(
                "the matrix could not be split even once",
                code="E-LEXICO-TOO-FEW",
                hint="Add segments or terms.",
            )
        if self.method == "rainette":
            nodes = self._rainette_leaves(splits)
        else:
            nodes = self._terminal_nodes(levels, splits, matrix.shape[0])
        self.labels_ = self._labels(levels, splits, nodes)
        sizes = [int((self.labels_ == c).sum()) for c in range(1, len(nodes) + 1)]
        self.classes_ = pd.DataFrame(
            {"class": np.arange(1, len(nodes) + 1), "node": nodes, "size": sizes}
        )
        self.n_classes_ = len(nodes)
        return self

    def _split_table(
        self, matrix: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, float, float] | None:
        """Split ``rows`` on ``cols``; returns the two row sets (global indices) or None."""
        table = matrix[rows][:, cols].tocsr()
        table.eliminate_zeros()
        if table.shape[0] < 3 or table.shape[1] < 2:
            return None
        coord = first_axis(table, random_state=self.random_state)
        order = np.argsort(coord, kind="stable")
        n_first, chi2_cut = best_cut(table, order)
        if self.method == "rainette":
            g1, g2, chi2 = rainette_switch(table, order, n_first, chi2_cut)
            return rows[g1], rows[g2], chi2_cut, chi2
        # CHD.R cuts on the coordinate: rows tied with the last row of the first group
        # go with it.
        in_first = coord <= coord[order[n_first - 1]]
        in_first, _ = iramuteq_reassign(table, in_first, min_members=self.min_split_members)
        chi2 = groups_chi2(table, in_first)
        return rows[in_first], rows[~in_first], chi2_cut, chi2

    def _fit_rainette(self, matrix: sp.csr_matrix) -> tuple[list[np.ndarray], list[tuple]]:
        n_rows, n_cols = matrix.shape
        min_members = max(3, self.min_split_members)
        # Each leaf: (node, rows, cols); rows may include rows empty on cols (rainette
        # counts them in the size and drops them when the leaf is split).
        leaves: list[tuple[int, np.ndarray, np.ndarray]] = [
            (1, np.arange(n_rows), np.arange(n_cols))
        ]
        labels = np.ones(n_rows, dtype=np.int64)
        levels: list[np.ndarray] = []
        splits: list[tuple] = []
        self._leaf_order = [1]
        for i in range(1, self.k):
            sizes = [len(rows) for _, rows, _ in leaves]
            biggest = int(np.argmax(sizes))
            node, rows, cols = leaves[biggest]
            if len(rows) < min_members:
                logger.info("rainette: no class bigger than min_split_members; stop at %d", i)
                break
            if len(rows) < 3 or len(cols) < 3:
                logger.info("rainette: the class to split is too small; stop at %d", i)
                break
            sub = matrix[rows][:, cols]
            nonempty_rows = rows[np.diff(sub.tocsr().indptr) > 0]
            nonempty_cols = cols[np.diff(sub.tocsc().indptr) > 0]
            result = self._split_table(matrix, nonempty_rows, nonempty_cols)
            if result is None:
                logger.info("rainette: the table to split is too small; stop at %d", i)
                break
            first, second, chi2_cut, chi2 = result
            table = matrix[:, nonempty_cols]
            keep1, keep2 = rainette_select(
                table.tocsr(),
                first,
                second,
                cc_test=self.cc_test,
                tsj=self.tsj,
            )
            left, right = 2 * i, 2 * i + 1
            labels = labels.copy()
            labels[rows] = 0  # rows empty on the split table drop out (rainette's NA)
            labels[first] = left
            labels[second] = right
            leaves[biggest : biggest + 1] = [
                (left, first, nonempty_cols[keep1]),
                (right, second, nonempty_cols[keep2]),
            ]
            levels.append(labels)
            splits.append(
                (i, node, left, right, len(rows), len(first), len(second), len(nonempty_cols),
                 chi2_cut, chi2)
            )  # fmt: skip
            self._leaf_order = [leaf[0] for leaf in leaves]
        return levels, splits

    def _fit_iramuteq(self, matrix: sp.csr_matrix) -> tuple[list[np.ndarray], list[tuple]]:
        n_rows, n_cols = matrix.shape
        eliminated: dict[int, set[int]] = {1: set()}
        labels = np.ones(n_rows, dtype=np.int64)
        labels[np.diff(matrix.indptr) == 0] = 0
        rows = np.flatnonzero(labels)
        cols = np.arange(n_cols)
        parent_of: dict[int, int] = {}
        levels: list[np.ndarray] = []
        splits: list[tuple] = []
        node = 1
        for i in range(1, self.k):
            result = self._split_table(matrix, rows, cols)
            if result is None:
                logger.info("iramuteq: the table to split is too small; stop at %d", i)
                break
            first, second, chi2_cut, chi2 = result
            left, right = 2 * i, 2 * i + 1
            parent_of[left] = parent_of[right] = node
            table = matrix[:, cols].tocsr()
            in_first = np.zeros(n_rows, dtype=bool)
            in_first[first] = True
            sub = table[np.concatenate([first, second])]
            out1, out2 = iramuteq_eliminate(
                sub, np.concatenate([np.ones(len(first), bool), np.zeros(len(second), bool)])
            )
            eliminated[left] = eliminated[node] | set(cols[out1].tolist())
            eliminated[right] = eliminated[node] | set(cols[out2].tolist())
            labels = labels.copy()
            labels[first] = left
            labels[second] = right
            splits.append(
                (i, node, left, right, len(rows), len(first), len(second), len(cols),
                 chi2_cut, chi2)
            )  # fmt: skip
            # The next table: the biggest class (ties: first in string order, as R's
            # factor levels), without its and its ancestors' eliminated terms, without
            # terms of 3 occurrences or fewer; rows left empty are unclassified.
            classes, counts = np.unique(labels[labels > 0], return_counts=True)
            by_name = sorted(
                zip(classes.tolist(), counts.tolist(), strict=True), key=lambda x: str(x[0])
            )
            node = max(by_name, key=lambda x: x[1])[0]
            rows = np.flatnonzero(labels == node)
            keep = np.array([c not in eliminated[node] for c in range(n_cols)], dtype=bool)
            cols = np.flatnonzero(keep)
            col_sums = np.asarray(matrix[rows][:, cols].sum(axis=0)).ravel()
            cols = cols[col_sums > 3]
            row_sums = np.asarray(matrix[rows][:, cols].sum(axis=1)).ravel()
            dropped = rows[row_sums == 0]
            if len(dropped):
                # CHD.R zeroes them from the next level on; this level keeps them.
                logger.debug("iramuteq: %d segment(s) unclassified at split %d", len(dropped), i)
            rows = rows[row_sums > 0]
            levels.append(labels)
            labels = labels.copy()
            labels[dropped] = 0
        self._parent_of = parent_of
        return levels, splits

    # -- final classes --------------------------------------------------------------------
    def _rainette_leaves(self, splits: list[tuple]) -> list[int]:
        return list(self._leaf_order)

    def _terminal_nodes(
        self, levels: list[np.ndarray], splits: list[tuple], n_rows: int
    ) -> list[int]:
        """IRaMuTeQ's ``find.terminales``: leaves big enough, else their mothers."""
        mincl = self.min_class_size
        if mincl is None:
            mincl = max(1, round(n_rows / self.k))
        last = levels[-1]
        children = {parent: (left, right) for _, parent, left, right, *_ in splits}
        parent_of = {left: parent for _, parent, left, _, *_ in splits}
        parent_of.update({right: parent for _, parent, _, right, *_ in splits})
        size_at_birth = {}
        for split, _, left, right, *_ in splits:
            size_at_birth[left] = int((levels[split - 1] == left).sum())
            size_at_birth[right] = int((levels[split - 1] == right).sum())

        def descendants(node: int) -> list[int]:
            out: list[int] = []
            for child in children.get(node, ()):
                out.append(child)
                out.extend(descendants(child))
            return out

        names, counts = np.unique(last, return_counts=True)
        terminals = [int(n) for n, c in zip(names, counts, strict=True) if c >= mincl and n != 0]
        to_check = [int(n) for n, c in zip(names, counts, strict=True) if c < mincl and n != 0]
        while to_check:
            value = to_check.pop(0)
            mother = parent_of[value]
            if mother == 1:
                continue
            mother_size = size_at_birth.get(mother, 0)
            sisters = [d for d in descendants(mother) if d != value]
            sister_to_check = any(d in to_check for d in sisters)
            sister_kept = any(d in terminals for d in sisters)
            if mother_size >= mincl and not sister_to_check and not sister_kept:
                terminals.append(mother)
                to_check = [t for t in to_check if t not in {*sisters, value, mother}]
            elif (
                mother_size >= mincl
                and not sister_kept
                and sister_to_check
                and mother not in to_check
            ):
                to_check.insert(0, mother)
        if not terminals:
            raise LexicoDataError(
                f"no class reaches the minimum size ({mincl} segments)",
                code="E-LEXICO-TOO-FEW",
                hint="Lower k or min_class_size, or add documents.",
            )
        self._descendants = {t: descendants(t) for t in terminals}
        self.min_class_size_ = mincl
        return terminals

    def _labels(
        self, levels: list[np.ndarray], splits: list[tuple], nodes: list[int]
    ) -> np.ndarray:
        last = levels[-1]
        labels = np.zeros(len(last), dtype=np.int64)
        children = {parent: (left, right) for _, parent, left, right, *_ in splits}

        def leaves_under(node: int) -> list[int]:
            if node not in children:
                return [node]
            left, right = children[node]
            return leaves_under(left) + leaves_under(right)

        for number, node in enumerate(nodes, start=1):
            labels[np.isin(last, leaves_under(node))] = number
        return labels


def class_tree(splits: pd.DataFrame, classes: pd.DataFrame) -> dict[int, Any]:
    """Children of each node, with the final class of the terminal nodes (for plots).

    Returns:
        ``{node: {"children": (left, right) or (), "class": int or 0}}``.
    """
    tree: dict[int, Any] = {1: {"children": (), "class": 0}}
    for parent, left, right in splits[["parent", "left", "right"]].to_numpy(dtype=int).tolist():
        tree.setdefault(parent, {"children": (), "class": 0})
        tree[parent]["children"] = (left, right)
        tree[left] = {"children": (), "class": 0}
        tree[right] = {"children": (), "class": 0}
    for node, number in zip(classes["node"], classes["class"], strict=True):
        tree[int(node)]["class"] = int(number)
    return tree
