"""The binary matrices on which Reinert's classification is compared with IRaMuTeQ and rainette.

The planted matrices are drawn here, deterministically, from a seed; the demo corpus's
matrix (real lemmatised segments of ``corpora/demo``) is stored in
``tests/data/reinert_reference/demo.mtx`` because building it takes spaCy. Every
matrix is written as Matrix Market for R (``Matrix::readMM``) by
``tests/reference/reinert_reference.py``, which runs the references on it and stores
their classes in ``tests/data/reinert_reference/<matrix>.<method>.csv``; the file's
header records the matrix's fingerprint (:func:`matrix_sha`), so a test knows when the
matrix it draws is no longer the one the reference classified.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.io
import scipy.sparse as sp

DATA = Path(__file__).resolve().parent / "data" / "reinert_reference"
METHODS = ("iramuteq", "rainette")


@dataclass(frozen=True)
class Planted:
    """A matrix with planted classes: segments drawing most terms from their class's share.

    Attributes:
        n_rows: Segments drawn (rows left empty by the term filter are dropped).
        n_terms: Vocabulary size (Zipf frequencies; terms in fewer than 3 rows dropped).
        proportions: Share of the segments in each planted class.
        own: Share of a segment's draws taken from its class's vocabulary (the rest from
            the whole vocabulary: the noise).
        per_row: Draws per segment (duplicates collapse, so rows hold at most this many).
        k: Classes asked of both references and of ours.
        seed: Seed of numpy's default generator.
    """

    n_rows: int
    n_terms: int
    proportions: tuple[float, ...]
    own: float
    per_row: int
    k: int
    seed: int


#: The planted matrices: small and clean, mid-size with unequal classes, larger and noisy.
PLANTED: dict[str, Planted] = {
    "planted-300x100": Planted(300, 100, (0.25, 0.25, 0.25, 0.25), 0.75, 8, k=4, seed=11),
    "planted-800x250": Planted(
        800, 250, (0.30, 0.22, 0.16, 0.12, 0.10, 0.10), 0.6, 10, k=6, seed=12
    ),
    "planted-1500x400": Planted(
        1500, 400, (0.22, 0.18, 0.15, 0.12, 0.10, 0.09, 0.08, 0.06), 0.5, 12, k=10, seed=13
    ),
}
#: The real matrix and its k.
DEMO = "demo"
DEMO_K = 6
MATRICES = (*PLANTED, DEMO)


def planted_matrix(spec: Planted) -> tuple[sp.csr_matrix, np.ndarray]:
    """Draw a planted matrix.

    Returns:
        ``(matrix, truth)``: a binary CSR matrix without empty rows or columns and the
        planted class of each of its rows.
    """
    rng = np.random.default_rng(spec.seed)
    weights = 1.0 / np.arange(1, spec.n_terms + 1)
    weights /= weights.sum()
    n_classes = len(spec.proportions)
    shares = np.array_split(rng.permutation(spec.n_terms), n_classes)
    counts = np.floor(np.asarray(spec.proportions) * spec.n_rows).astype(int)
    counts[0] += spec.n_rows - counts.sum()
    truth = np.repeat(np.arange(n_classes), counts)
    truth = truth[rng.permutation(len(truth))]  # classes interleaved, as segments are
    n_own = round(spec.per_row * spec.own)
    rows: list[int] = []
    cols: list[int] = []
    for i, c in enumerate(truth):
        own = shares[c]
        picks = set(rng.choice(own, size=n_own, p=weights[own] / weights[own].sum()).tolist())
        picks |= set(rng.choice(spec.n_terms, size=spec.per_row - n_own, p=weights).tolist())
        rows.extend([i] * len(picks))
        cols.extend(sorted(picks))
    matrix = sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(spec.n_rows, spec.n_terms)
    ).tocsr()
    matrix = matrix[:, np.asarray(matrix.sum(axis=0)).ravel() >= 3].tocsr()
    keep = np.diff(matrix.indptr) > 0
    return matrix[keep].tocsr(), truth[keep]


def demo_matrix() -> sp.csr_matrix:
    """The stored segments × active lemmas matrix of the demo corpus."""
    return sp.csr_matrix(scipy.io.mmread(DATA / "demo.mtx"))


def load_matrix(name: str) -> tuple[sp.csr_matrix, int]:
    """A comparison matrix and its k."""
    if name == DEMO:
        return demo_matrix(), DEMO_K
    spec = PLANTED[name]
    return planted_matrix(spec)[0], spec.k


def matrix_sha(matrix: sp.csr_matrix) -> str:
    """Fingerprint of a binary matrix: its shape and the positions of its ones."""
    coo = sp.coo_matrix(matrix)
    order = np.lexsort((coo.col, coo.row))
    digest = hashlib.sha256()
    digest.update(np.asarray(coo.shape, dtype=np.int64).tobytes())
    digest.update(coo.row[order].astype(np.int64).tobytes())
    digest.update(coo.col[order].astype(np.int64).tobytes())
    return digest.hexdigest()[:16]


def read_reference(name: str, method: str) -> tuple[dict[str, str], pd.DataFrame]:
    """The header fields and the classes a reference gave a matrix.

    Returns:
        ``(header, classes)``: the ``# key: value`` lines of the file, and a table with
        ``row`` (1-based, the matrix's order), ``class`` (0: unclassified) and, for
        IRaMuTeQ, ``level_1``.. (the node of each row after each split).
    """
    path = DATA / f"{name}.{method}.csv"
    header: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            key, _, value = line[1:].partition(":")
            header[key.strip()] = value.strip()
    return header, pd.read_csv(path, comment="#")
