"""One split of Reinert's descending classification, in its two reference variants.

Both references split a binary rows × terms table the same way at first: the rows are
ordered along the first axis of a correspondence analysis, and the cut along that order
that maximises the chi-square of the two-group table (2 × terms, the column sums of
each group) is kept. They differ after that:

* **reassignment**. rainette (``switch_docs``) repeatedly computes, for every row, the
  chi-square if that row alone changed group, and moves the best one while it improves
  the chi-square (one row per round). IRaMuTeQ (``CHD.R``) sweeps the rows in table
  order and moves each row at once if moving it raises the chi-square; sweeps repeat
  until one moves nothing or moves the same rows as the previous one, and only while
  both groups hold at least 5 rows (our ``min_split_members``).
* **term selection** for the next splits. rainette (``select_features``) keeps a term
  in a child when it occurs there at least ``tsj`` (3) times and either its contingency
  coefficient is at most ``cc_test`` (0.3) or it is over-represented there. IRaMuTeQ
  eliminates a term from the child where it is under-represented when its 2 × 2
  presence chi-square (Yates-corrected when a cell is under 10) exceeds
  ``1.9 × (larger group / smaller group) + 1.9``; a term absent from one group entirely
  counts as above the threshold.

Faithfulness notes (kept on purpose, to get the references' numbers):

* rainette picks the row to move as ``indices[which.max(chisq_values)]``: the values are
  in the order of the two groups' current members, ``indices`` in the CA order. After
  the first move the two orders no longer line up, so rainette may move a row other
  than the best one; :func:`rainette_switch` does the same (its unit test on the
  published 7 × 5 matrix depends on it).
* The chi-square is computed incrementally (``N² / (a b) · (Σ t₁ⱼ² / sⱼ − a² / N)`` for
  group sizes ``a``, ``b`` in occurrences and column sums ``s``), which equals the
  references' full computation.

* IRaMuTeQ stops its sweeps when ``all(moved == previous)``, R's comparison that
  recycles the shorter vector; :func:`iramuteq_reassign` compares the same way.

The first axis is computed exactly (LAPACK) for small tables and with ARPACK from a
starting vector drawn from ``random_state`` for large ones; its sign is fixed (see
:func:`first_axis`), so the same table gives the same split. Where the references
differ, found by running them on the same matrices (``tests/test_lexico_reference.py``):

* A table whose rows fall into disconnected blocks (segments sharing no term with the
  rest) has a first axis that is not unique: its singular value 1 repeats. IRaMuTeQ's
  default SVD (``irlba``, a Lanczos method, on the uncentred table) sees a repeated
  singular value once and so takes the axis of the largest singular value below 1;
  ``first_axis(..., distinct=True)`` does the same (``method="iramuteq"``), which made
  our tree identical to IRaMuTeQ's on the demo corpus's matrix (with the exact axis
  the first split peeled off another block). rainette (RSpectra, centred table) gets
  one vector of the repeated value, which depends on its start vector; we keep the
  exact one.
* IRaMuTeQ's split does not depend on the axis's sign; rainette's does, through the
  indexing above (the CA order decides which row a switch moves). rainette's sign is
  whatever RSpectra's Lanczos run from its fixed start vector ends with; no closed rule
  gives it, but the Ritz vector mostly keeps the sign of its start vector's component
  (81 % of 80 random tables checked against RSpectra 0.16), so ``method="rainette"``
  orients the axis that way (``orientation="rspectra"``). With the former rule (largest
  coordinate negative) our rainette classes reached an adjusted Rand index of 0.973 and
  0.964 against rainette's on two of the four reference matrices; with this one, 1 on
  all four, and rainette's published 7 × 5 example still gives its groups.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import LinearOperator, svds

#: Above this many cells the first CA axis is computed with ARPACK, not a dense SVD.
DENSE_SVD_CELLS = 40_000


def _axis(table: sp.csr_matrix, random_state: int) -> tuple[np.ndarray, float, np.ndarray]:
    """First-axis row coordinates (sign not fixed), singular value and right vector."""
    total = float(table.sum())
    r = np.asarray(table.sum(axis=1)).ravel() / total
    c = np.asarray(table.sum(axis=0)).ravel() / total
    n_rows, n_cols = table.shape
    if n_rows * n_cols <= DENSE_SVD_CELLS or min(n_rows, n_cols) < 3:
        p = table.toarray() / total
        expected = np.outer(r, c)
        s = (p - expected) / np.sqrt(expected)
        u, sigma, vt = np.linalg.svd(s, full_matrices=False)
        left, value, right = u[:, 0], float(sigma[0]), vt[0]
    else:
        p = (table / total).tocsr()
        pt = p.T.tocsr()
        sr, sc = np.sqrt(r), np.sqrt(c)

        def matvec(v: np.ndarray) -> np.ndarray:
            v = np.ravel(v)
            return (p @ (v / sc)) / sr - sr * (sc @ v)

        def rmatvec(u_: np.ndarray) -> np.ndarray:
            u_ = np.ravel(u_)
            return (pt @ (u_ / sr)) / sc - sc * (sr @ u_)

        op = LinearOperator((n_rows, n_cols), matvec=matvec, rmatvec=rmatvec, dtype=np.float64)
        rng = np.random.default_rng(random_state)
        v0 = rng.standard_normal(min(n_rows, n_cols))
        u, sigma, vt = svds(op, k=1, v0=v0, tol=1e-12, solver="arpack", random_state=random_state)
        left, value, right = u[:, 0], float(sigma[0]), vt[0]
    return left / np.sqrt(r), value, right


def _distinct_axis(table: sp.csr_matrix, random_state: int) -> np.ndarray | None:
    """The axis a Lanczos SVD of the uncentred table finds when it falls into blocks.

    Each connected block of rows and terms adds a singular value 1; a Krylov method
    (IRaMuTeQ's ``irlba``) sees a repeated singular value once, so its second vector
    is the axis of the largest singular value below 1, which lives in one block (the
    rows of the other blocks get 0). None when the table is connected or no block has
    an axis of its own.
    """
    n_rows = table.shape[0]
    graph = sp.bmat([[None, table], [table.T, None]], format="csr")
    n_blocks, block = connected_components(graph, directed=False)
    if n_blocks == 1:
        return None
    row_block, col_block = block[:n_rows], block[n_rows:]
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for b in range(n_blocks):
        rows, cols = np.flatnonzero(row_block == b), np.flatnonzero(col_block == b)
        if len(rows) < 2 or len(cols) < 2:
            continue  # one row or one term: no axis besides the trivial one
        coord, value, _ = _axis(table[rows][:, cols].tocsr(), random_state)
        if best is None or value > best[0] + 1e-12:
            best = (value, rows, coord)
    if best is None:
        return None
    out = np.zeros(n_rows)
    out[best[1]] = best[2]
    return out


@functools.cache
def spectra_start(n: int) -> np.ndarray:
    """The start vector of RSpectra's ``svds`` (Spectra's ``SimpleRandom`` with seed 0).

    Park and Miller's minimal standard generator (``x ← 16807 x mod 2³¹ − 1`` from
    ``x = 1``), each draw scaled to ``x / (2³¹ − 1) − 0.5``.
    """
    out = np.empty(n)
    x = 1
    for i in range(n):
        x = (16807 * x) % 2147483647
        out[i] = x / 2147483647 - 0.5
    return out


def first_axis(
    table: sp.csr_matrix,
    *,
    random_state: int = 0,
    distinct: bool = False,
    orientation: str = "largest",
) -> np.ndarray:
    """Row coordinates on the first axis of a correspondence analysis of ``table``.

    Args:
        table: Non-negative rows × terms table without empty rows or columns.
        random_state: Seeds ARPACK's starting vector (large tables only).
        distinct: Do as IRaMuTeQ's SVD (``irlba``) on a table that falls into
            disconnected blocks: the axis of the largest singular value below 1 (see
            :func:`_distinct_axis`); else the exact first axis, which then separates
            blocks (its singular value is 1).
        orientation: The sign: ``"largest"`` makes the largest absolute coordinate
            negative; ``"rspectra"`` gives the vector RSpectra's ``svds`` iterates on (the
            right one when the table has more rows than terms, else the left one) a
            positive projection on RSpectra's start vector (:func:`spectra_start`).

    Returns:
        One coordinate per row.
    """
    coord = _distinct_axis(table, random_state) if distinct else None
    if coord is None:
        coord, _, right = _axis(table, random_state)
        if orientation == "rspectra":
            n_rows, n_cols = table.shape
            total = float(table.sum())
            left = coord * np.sqrt(np.asarray(table.sum(axis=1)).ravel() / total)
            iterated = right if n_rows > n_cols else left
            return -coord if float(iterated @ spectra_start(len(iterated))) < 0 else coord
    if coord[np.argmax(np.abs(coord))] > 0:
        coord = -coord
    return coord


def _chi2(q: float, a: float, total: float) -> float:
    """Chi-square of a 2 × terms table from ``Q = Σ t₁ⱼ²/sⱼ`` and group 1's size ``a``."""
    b = total - a
    if a <= 0 or b <= 0:
        return float("nan")
    return total * total / (a * b) * (q - a * a / total)


def best_cut(table: sp.csr_matrix, order: np.ndarray) -> tuple[int, float]:
    """The cut along ``order`` that maximises the two-group chi-square.

    Args:
        table: Binary rows × terms table without empty columns.
        order: Row indices in first-axis order.

    Returns:
        ``(n_first, chi2)``: the number of rows (in ``order``) of the first group and the
        chi-square of that cut (the first maximum, as both references keep).
    """
    col_sums = np.asarray(table.sum(axis=0)).ravel().astype(np.float64)
    total = float(col_sums.sum())
    inv = 1.0 / col_sums
    t1 = np.zeros_like(col_sums)
    q = 0.0
    a = 0.0
    best, best_n = -np.inf, 1
    indptr, indices = table.indptr, table.indices
    for position, row in enumerate(order[:-1], start=1):
        cols = indices[indptr[row] : indptr[row + 1]]
        q += float(((2.0 * t1[cols] + 1.0) * inv[cols]).sum())
        t1[cols] += 1.0
        a += len(cols)
        chi2 = _chi2(q, a, total)
        if chi2 > best:
            best, best_n = chi2, position
    return best_n, float(best)


def _group_state(table: sp.csr_matrix, in_first: np.ndarray) -> tuple[np.ndarray, float, float]:
    t1 = np.asarray(table[in_first].sum(axis=0)).ravel().astype(np.float64)
    col_sums = np.asarray(table.sum(axis=0)).ravel().astype(np.float64)
    q = float((t1 * t1 / col_sums).sum())
    return t1, q, float(t1.sum())


def groups_chi2(table: sp.csr_matrix, in_first: np.ndarray) -> float:
    """Chi-square of the 2 × terms table of two groups of rows (``in_first`` and the rest)."""
    col_sums = np.asarray(table.sum(axis=0)).ravel().astype(np.float64)
    _, q, a = _group_state(table, in_first)
    return _chi2(q, a, float(col_sums.sum()))


def rainette_switch(
    table: sp.csr_matrix, order: np.ndarray, n_first: int, chi2: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """rainette's reassignment: move the best single row while the chi-square rises.

    Args:
        table: Binary rows × terms table without empty columns.
        order: Row indices in first-axis order.
        n_first: Size of the first group of the cut (rows ``order[:n_first]``).
        chi2: The chi-square of that cut.

    Returns:
        ``(group1, group2, chi2)``: row indices of each group (in rainette's order) and
        the final chi-square.
    """
    col_sums = np.asarray(table.sum(axis=0)).ravel().astype(np.float64)
    total = float(col_sums.sum())
    row_len = np.asarray(table.sum(axis=1)).ravel().astype(np.float64)
    group1 = [int(i) for i in order[:n_first]]
    group2 = [int(i) for i in order[n_first:]]
    max_chi2 = chi2
    while True:
        in_first = np.zeros(table.shape[0], dtype=bool)
        in_first[group1] = True
        t1, q, a = _group_state(table, in_first)
        out_gain = table @ ((2.0 * t1 - 1.0) / col_sums)  # Q lost when a row leaves group 1
        in_gain = table @ ((2.0 * t1 + 1.0) / col_sums)  # Q gained when a row joins it
        g1, g2 = np.asarray(group1, dtype=np.int64), np.asarray(group2, dtype=np.int64)
        a1 = a - row_len[g1]
        a2 = a + row_len[g2]
        q1 = q - out_gain[g1]
        q2 = q + in_gain[g2]
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.concatenate(
                [
                    total * total / (a1 * (total - a1)) * (q1 - a1 * a1 / total),
                    total * total / (a2 * (total - a2)) * (q2 - a2 * a2 / total),
                ]
            )
        values[~np.isfinite(values)] = np.nan
        if np.all(np.isnan(values)):
            break
        current = float(np.nanmax(values))
        if not current > max_chi2:
            break
        to_switch = int(order[int(np.nanargmax(values))])  # rainette's indexing, see above
        if to_switch in group1:
            group1.remove(to_switch)
            group2.append(to_switch)
        else:
            group2.remove(to_switch)
            group1.append(to_switch)
        max_chi2 = current
    return np.asarray(group1, dtype=np.int64), np.asarray(group2, dtype=np.int64), max_chi2


def iramuteq_reassign(
    table: sp.csr_matrix, in_first: np.ndarray, *, min_members: int = 5
) -> tuple[np.ndarray, int]:
    """IRaMuTeQ's reassignment sweeps (``CHD.R``).

    Args:
        table: Binary rows × terms table without empty columns.
        in_first: Whether each row is in the first group after the cut.
        min_members: Sweeps run only while both groups had at least this many rows.

    Returns:
        ``(in_first, sweeps)``: the final groups and the number of sweeps run.
    """
    in_first = in_first.copy()
    col_sums = np.asarray(table.sum(axis=0)).ravel().astype(np.float64)
    inv = 1.0 / col_sums
    total = float(col_sums.sum())
    indptr, indices = table.indptr, table.indices
    n1, n2 = int(in_first.sum()), int((~in_first).sum())
    previous: list[int] | None = None
    sweeps = 0
    while n1 >= min_members and n2 >= min_members:
        sweeps += 1
        t1, q, a = _group_state(table, in_first)
        n1, n2 = int(in_first.sum()), int((~in_first).sum())  # as CHD.R: sizes before the sweep
        inter = _chi2(q, a, total)
        moved: list[int] = []
        for row in range(table.shape[0]):
            cols = indices[indptr[row] : indptr[row + 1]]
            if in_first[row]:
                new_q = q - float(((2.0 * t1[cols] - 1.0) * inv[cols]).sum())
                new_a = a - len(cols)
            else:
                new_q = q + float(((2.0 * t1[cols] + 1.0) * inv[cols]).sum())
                new_a = a + len(cols)
            candidate = _chi2(new_q, new_a, total)
            if candidate > inter:
                inter, q, a = candidate, new_q, new_a
                t1[cols] += -1.0 if in_first[row] else 1.0
                in_first[row] = not in_first[row]
                moved.append(row)
        if not moved or (previous is not None and _r_all_equal(moved, previous)):
            break
        previous = moved
    return in_first, sweeps


def _r_all_equal(a: list[int], b: list[int]) -> bool:
    """R's ``all(a == b)``: the shorter vector is recycled (CHD.R compares sweeps so)."""
    n = max(len(a), len(b))
    return all(a[i % len(a)] == b[i % len(b)] for i in range(n))


def rainette_select(
    table: sp.csr_matrix, group1: np.ndarray, group2: np.ndarray, *, cc_test: float, tsj: int
) -> tuple[np.ndarray, np.ndarray]:
    """rainette's ``select_features``: the terms kept in each child.

    Returns:
        Two boolean masks over the table's columns (kept in group 1, kept in group 2).
    """
    tab1 = np.asarray(table[group1].sum(axis=0)).ravel().astype(np.float64)
    tab2 = np.asarray(table[group2].sum(axis=0)).ravel().astype(np.float64)
    both = tab1 + tab2
    prop = both / both.sum()
    e1, e2 = prop * tab1.sum(), prop * tab2.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        chi = (tab1 - e1) ** 2 / e1 + (tab2 - e2) ** 2 / e2
        cc = np.sqrt(chi / (chi + both))
    low = cc <= cc_test
    high = cc > cc_test  # NaN is neither, as in R's comparisons
    keep1 = (low & (tab1 >= tsj)) | (high & (tab1 > e1) & (tab1 >= tsj))
    keep2 = (low & (tab2 >= tsj)) | (high & (tab2 > e2) & (tab2 >= tsj))
    return keep1, keep2


def iramuteq_eliminate(table: sp.csr_matrix, in_first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """IRaMuTeQ's term elimination after a split (``CHD.R``).

    Returns:
        Two boolean masks over the table's columns: terms eliminated from the first
        child, and from the second.
    """
    n1, n2 = float(in_first.sum()), float((~in_first).sum())
    one1 = np.asarray(table[in_first].sum(axis=0)).ravel().astype(np.float64)
    one2 = np.asarray(table[~in_first].sum(axis=0)).ravel().astype(np.float64)
    zero1, zero2 = n1 - one1, n2 - one2
    n = n1 + n2
    threshold = round(1.9 * (max(n1, n2) / min(n1, n2)) + 1.9, 6)
    obs = np.stack([np.stack([zero1, zero2], 1), np.stack([one1, one2], 1)], 1)  # (m, 2, 2)
    rows = obs.sum(axis=2)  # (m, 2): absences, presences
    cols = np.array([n1, n2])
    expected = rows[:, :, None] * cols[None, None, :] / n
    with np.errstate(divide="ignore", invalid="ignore"):
        yates = ((np.abs(obs - expected) - 0.5) ** 2 / expected).sum(axis=(1, 2))
        plain = ((obs - expected) ** 2 / expected).sum(axis=(1, 2))
    chi = np.where((obs < 10).any(axis=(1, 2)), yates, plain)
    presence_min = obs[:, 1, :].min(axis=1)
    absence_min = obs[:, 0, :].min(axis=1)
    chi = np.where((presence_min == 0) & (absence_min != 0), threshold + 1, chi)
    chi = np.where((absence_min == 0) & (presence_min != 0), threshold - 1, chi)
    chi = np.nan_to_num(chi, nan=0.0, posinf=0.0, neginf=0.0)
    above = chi > threshold
    under1 = obs[:, 1, 0] < expected[:, 1, 0]
    under2 = obs[:, 1, 1] < expected[:, 1, 1]
    return above & under1, above & ~under1 & under2


@dataclass
class Split:
    """The outcome of one split of a table's rows (indices into that table)."""

    first: np.ndarray
    second: np.ndarray
    chi2_cut: float
    chi2: float
