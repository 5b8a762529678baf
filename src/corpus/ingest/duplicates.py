"""Exact and near duplicates, reported as pairs; nothing is dropped.

* Exact: two files whose clean texts are equal share a ``doc_id``; every pair of their
  paths is reported with ``kind="exact"`` and similarity 1.0.
* Near: MinHash signatures (datasketch, 128 permutations, CRC-32 shingle hashes) of
  each document's set of word 5-shingles (lower-cased words), candidate pairs from
  banded LSH at the threshold (the bands and rows datasketch's ``MinHashLSH`` chooses:
  a pair is a candidate when one band of its signatures is equal), then kept if the
  estimated Jaccard similarity is at least the threshold (``corpus.yaml``
  ``ingest.near_duplicate_threshold``, default 0.8: four fifths of the shingles shared,
  e.g. the same article with another header or a few edits).

Signatures are held as one ``uint32`` matrix (:class:`Signatures`, 512 bytes per
document) and the bands are grouped with numpy, so the memory per document stays near
its signature whatever the corpus size.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from datasketch import MinHash, MinHashLSH

from corpus.store import atomic_path

NUM_PERM = 128
SHINGLE = 5
SCHEME = "affine32"
COLUMNS = ["doc_id_a", "doc_id_b", "path_a", "path_b", "kind", "similarity"]
#: Signatures gathered one by one before they are stacked into a block of the matrix.
_BLOCK_ROWS = 1024

_WORD = re.compile(r"\w+")


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> Any:
    """The permutations of the MinHash family (computed once, shared by all signatures)."""
    return MinHash(num_perm=num_perm, seed=1, scheme=SCHEME).permutations


def signature(text: str, *, num_perm: int = NUM_PERM, shingle: int = SHINGLE) -> np.ndarray:
    """MinHash signature (uint32 array) of ``text``'s word shingles."""
    words = _WORD.findall(text.lower())
    if len(words) < shingle:
        grams = {" ".join(words).encode("utf-8")}
    else:
        grams = {
            " ".join(words[i : i + shingle]).encode("utf-8")
            for i in range(len(words) - shingle + 1)
        }
    minhash = MinHash(
        num_perm=num_perm,
        seed=1,
        scheme=SCHEME,
        hashfunc=zlib.crc32,
        permutations=_permutations(num_perm),
    )
    minhash.update_batch(list(grams))
    return minhash.hashvalues.astype(np.uint32)


class Signatures:
    """MinHash signatures keyed by ``doc_id``, held compactly as a ``uint32`` matrix.

    Rows are added one by one (:meth:`add`) or by blocks (:meth:`read`); :meth:`select`
    returns the distinct ids, sorted, and their rows. An id added twice (an exact
    duplicate: same text, same signature) keeps one row.
    """

    def __init__(self, num_perm: int = NUM_PERM) -> None:
        self.num_perm = num_perm
        self._id_blocks: list[np.ndarray] = []
        self._row_blocks: list[np.ndarray] = []
        self._pending_ids: list[str] = []
        self._pending_rows: list[np.ndarray] = []

    def __len__(self) -> int:
        return sum(len(ids) for ids in self._id_blocks) + len(self._pending_ids)

    def add(self, doc_id: str, values: np.ndarray) -> None:
        """Add the signature ``values`` of ``doc_id``."""
        self._pending_ids.append(doc_id)
        self._pending_rows.append(np.asarray(values, dtype=np.uint32))
        if len(self._pending_ids) >= _BLOCK_ROWS:
            self._stack()

    def add_block(self, ids: np.ndarray, matrix: np.ndarray) -> None:
        """Add the rows of ``matrix`` (one per id of ``ids``)."""
        self._stack()
        self._id_blocks.append(np.asarray(ids, dtype=str))
        self._row_blocks.append(np.asarray(matrix, dtype=np.uint32).reshape(-1, self.num_perm))

    def _stack(self) -> None:
        if self._pending_ids:
            self._id_blocks.append(np.asarray(self._pending_ids, dtype=str))
            self._row_blocks.append(np.stack(self._pending_rows))
            self._pending_ids, self._pending_rows = [], []

    def select(self, wanted: Iterable[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The distinct ids among ``wanted`` (all if ``None``) and their rows.

        The blocks are merged into one matrix (which replaces them). When every id is
        distinct and wanted (a full run) the matrix itself is returned, in the order the
        ids were added; otherwise the ids are sorted and their rows copied.
        """
        self._stack()
        if not self._id_blocks:
            return np.zeros(0, dtype=str), np.zeros((0, self.num_perm), dtype=np.uint32)
        if len(self._id_blocks) > 1:
            self._id_blocks = [np.concatenate(self._id_blocks)]
            self._row_blocks = [np.concatenate(self._row_blocks)]
        ids, matrix = self._id_blocks[0], self._row_blocks[0]
        unique, first = np.unique(ids, return_index=True)
        if wanted is not None:
            keep = np.isin(unique, np.asarray(list(wanted), dtype=str))
            unique, first = unique[keep], first[keep]
        if len(unique) == len(ids):
            return ids, matrix
        return unique, matrix[first]

    def read(self, path: Path) -> None:
        """Add the signatures stored at ``path`` by :meth:`write` (nothing if absent)."""
        if not path.exists():
            return
        table = pq.read_table(path)
        values = table.column("signature").combine_chunks()
        if not isinstance(values, pa.FixedSizeListArray) or values.type.list_size != self.num_perm:
            return  # another layout (an older store): the signatures are recomputed
        matrix = values.flatten().to_numpy().astype(np.uint32).reshape(-1, self.num_perm)
        self.add_block(np.asarray(table.column("doc_id").to_pylist(), dtype=str), matrix)

    def write(self, path: Path, wanted: Iterable[str] | None = None) -> None:
        """Write the distinct signatures of ``wanted`` (all if ``None``) to ``path``, atomically."""
        ids, matrix = self.select(wanted)
        flat = pa.array(matrix.reshape(-1), type=pa.uint32())
        table = pa.table(
            {
                "doc_id": pa.array(ids.tolist(), type=pa.string()),
                "signature": pa.FixedSizeListArray.from_arrays(flat, self.num_perm),
            }
        )
        with atomic_path(path) as tmp:
            pq.write_table(table, tmp, compression="zstd")


def lsh_bands(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """Bands and rows per band of the LSH at ``threshold`` (as datasketch chooses them)."""
    index = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return index.b, index.r


def candidate_pairs(matrix: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """Row pairs ``(i, j)``, ``i < j``, whose signatures are equal on at least one band.

    Args:
        matrix: One signature per row (``uint32``).
        threshold: Near-duplicate Jaccard threshold (sets the bands).

    Returns:
        The distinct pairs, sorted.
    """
    n_bands, n_rows = lsh_bands(threshold, matrix.shape[1])
    found: set[tuple[int, int]] = set()
    for band in range(n_bands):
        block = np.ascontiguousarray(matrix[:, band * n_rows : (band + 1) * n_rows])
        _, groups, sizes = np.unique(block, axis=0, return_inverse=True, return_counts=True)
        groups = groups.reshape(-1)
        shared = np.flatnonzero(sizes[groups] > 1)  # rows whose band another row has too
        if not len(shared):
            continue
        order = shared[np.argsort(groups[shared], kind="stable")]  # rows ascending per group
        bounds = np.flatnonzero(np.diff(groups[order])) + 1
        for members in np.split(order, bounds):
            found.update(itertools.combinations(members.tolist(), 2))
    return sorted(found)


def find_duplicates(
    docs: pd.DataFrame,
    signatures: Signatures,
    *,
    threshold: float = 0.8,
) -> pd.DataFrame:
    """Pairs of exact and near duplicates.

    Args:
        docs: ``doc_id`` and ``path`` of every document (columns).
        signatures: MinHash signatures (those of other ids are ignored).
        threshold: Near-duplicate Jaccard threshold.

    Returns:
        The duplicates table (:data:`COLUMNS`), sorted.
    """
    rows: list[dict[str, object]] = []
    copies = docs[docs["doc_id"].duplicated(keep=False)]
    for doc_id, group in copies.groupby("doc_id", sort=False)["path"]:
        for a, b in itertools.combinations(sorted(group), 2):
            rows.append(
                {
                    "doc_id_a": doc_id,
                    "doc_id_b": doc_id,
                    "path_a": a,
                    "path_b": b,
                    "kind": "exact",
                    "similarity": 1.0,
                }
            )
    ids, matrix = signatures.select(docs["doc_id"].unique())
    near: list[tuple[str, str, float]] = []
    if len(ids) > 1:
        for i, j in candidate_pairs(matrix, threshold):
            similarity = float(np.count_nonzero(matrix[i] == matrix[j])) / matrix.shape[1]
            if similarity >= threshold:
                low, high = sorted((str(ids[i]), str(ids[j])))
                near.append((low, high, similarity))
    if near:  # the paths of the few documents involved
        involved = {doc_id for low, high, _ in near for doc_id in (low, high)}
        selected = docs[docs["doc_id"].isin(involved)]
        paths = {k: sorted(g) for k, g in selected.groupby("doc_id", sort=False)["path"]}
        for pair_a, pair_b, similarity in near:
            for a, b in itertools.product(paths[pair_a], paths[pair_b]):
                first, second = ((pair_a, pair_b), (a, b)) if a <= b else ((pair_b, pair_a), (b, a))
                rows.append(
                    {
                        "doc_id_a": first[0],
                        "doc_id_b": first[1],
                        "path_a": second[0],
                        "path_b": second[1],
                        "kind": "near",
                        "similarity": round(similarity, 4),
                    }
                )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    if len(frame):
        frame = frame.sort_values(["kind", "path_a", "path_b"], ignore_index=True)
    else:
        frame = frame.astype({column: "str" for column in COLUMNS[:5]})
    return frame.astype({"similarity": "float64"})
