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

Signatures are records on disk (:class:`Signatures`: spilled as they are computed,
stored as one ``.npy`` file between runs) and the bands are grouped with numpy one band
at a time, so memory holds the ids and one band, not the signatures of the corpus.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corpus.store import atomic_path

NUM_PERM = 128
SHINGLE = 5
SCHEME = "affine32"
COLUMNS = ["doc_id_a", "doc_id_b", "path_a", "path_b", "kind", "similarity"]
#: Signatures gathered before they go to the spill file, and records read at a time.
_BLOCK_ROWS = 1024
#: Longest ``doc_id`` a signature record holds (ids are 16 hex digits).
ID_BYTES = 32

_WORD = re.compile(r"\w+")


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> Any:
    """The permutations of the MinHash family (computed once, shared by all signatures)."""
    from datasketch import MinHash  # with scipy: loaded when a file is read, not on start-up

    return MinHash(num_perm=num_perm, seed=1, scheme=SCHEME).permutations


def signature(text: str, *, num_perm: int = NUM_PERM, shingle: int = SHINGLE) -> np.ndarray:
    """MinHash signature (uint32 array) of ``text``'s word shingles."""
    from datasketch import MinHash

    words = _WORD.findall(text.lower())
    if len(words) < shingle:
        grams = {" ".join(words).encode("utf-8")}
    else:
        # zip of shifted views: the same shingles as slicing words[i : i + shingle]
        shifted = (words[k:] for k in range(shingle))  # unequal lengths: zip stops early
        grams = {" ".join(gram).encode("utf-8") for gram in zip(*shifted, strict=False)}
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
    """MinHash signatures keyed by ``doc_id``, kept on disk as fixed-size records.

    Each record is a ``doc_id`` (ASCII, up to :data:`ID_BYTES` bytes) and its ``uint32``
    signature (:data:`RECORD`, 544 bytes). Signatures are gathered in a small block and
    then appended to a spill file in ``spill_dir`` (in memory when ``spill_dir`` is
    ``None``: small uses and tests); a stored set (:meth:`write`, a ``.npy`` file) is read
    in place (:meth:`read`). Only the ids are ever held for the whole corpus: the banded
    LSH reads one band at a time, so memory per document is a few dozen bytes whatever
    the corpus size. An id added twice (an exact duplicate: same text, same signature)
    counts once.
    """

    def __init__(self, spill_dir: Path | None = None, num_perm: int = NUM_PERM) -> None:
        self.num_perm = num_perm
        self.record = _record(num_perm)
        self._spill = spill_dir / "signatures.records" if spill_dir is not None else None
        self._sources: list[_Source] = []
        self._pending: list[tuple[str, np.ndarray]] = []

    def __len__(self) -> int:
        return sum(source.count for source in self._sources) + len(self._pending)

    def add(self, doc_id: str, values: np.ndarray) -> None:
        """Add the signature ``values`` of ``doc_id``."""
        self._pending.append((doc_id, np.asarray(values, dtype=np.uint32)))
        if len(self._pending) >= _BLOCK_ROWS:
            self._stack()

    def _stack(self) -> None:
        if not self._pending:
            return
        block = np.zeros(len(self._pending), dtype=self.record)
        block["doc_id"] = [doc_id.encode("ascii") for doc_id, _ in self._pending]
        block["signature"] = np.stack([values for _, values in self._pending])
        self._pending = []
        if self._spill is None:
            self._sources.append(_Source(len(block), block=block))
            return
        offset = self._spill.stat().st_size if self._spill.exists() else 0
        with self._spill.open("ab") as handle:
            handle.write(block.tobytes())
        self._sources.append(_Source(len(block), path=self._spill, offset=offset))

    def _chunks(self) -> Iterator[np.ndarray]:
        """Every record, in the order added, a block at a time."""
        self._stack()
        for source in self._sources:
            yield from source.chunks(self.record)

    def select(self, wanted: Iterable[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The distinct ids among ``wanted`` (all if ``None``), sorted, and their records.

        Returns:
            The ids (``bytes`` array) and the position of each one's first record among
            all records (the order they were added), for :meth:`band` and :meth:`rows`.
        """
        ids = np.concatenate(
            [chunk["doc_id"] for chunk in self._chunks()] or [np.zeros(0, f"S{ID_BYTES}")]
        )
        unique, first = np.unique(ids, return_index=True)
        if wanted is not None:
            keep = np.isin(unique, np.asarray([w.encode("ascii") for w in wanted], f"S{ID_BYTES}"))
            unique, first = unique[keep], first[keep]
        return unique, first

    def band(self, positions: np.ndarray, columns: slice) -> np.ndarray:
        """The ``columns`` of the signatures at ``positions`` (one row each, that order).

        One pass over the records, whatever the order of ``positions``.
        """
        width = len(range(*columns.indices(self.num_perm)))
        out = np.zeros((len(positions), width), dtype=np.uint32)
        order = np.argsort(positions, kind="stable")
        wanted = positions[order]
        start = 0
        for chunk in self._chunks():
            stop = start + len(chunk)
            lo, hi = np.searchsorted(wanted, [start, stop])
            if hi > lo:
                out[order[lo:hi]] = chunk["signature"][wanted[lo:hi] - start, columns]
            start = stop
        return out

    def rows(self, positions: np.ndarray) -> np.ndarray:
        """The whole signatures at ``positions`` (one row each, that order)."""
        return self.band(positions, slice(0, self.num_perm))

    def read(self, path: Path) -> None:
        """Add the signatures stored at ``path`` by :meth:`write` (nothing if absent).

        A file of another layout (an older store) adds nothing: its signatures are
        recomputed by a full run.
        """
        if not path.exists():
            return
        try:
            with path.open("rb") as handle:
                version = np.lib.format.read_magic(handle)
                if version == (1, 0):
                    shape, _, dtype = np.lib.format.read_array_header_1_0(handle)
                else:
                    shape, _, dtype = np.lib.format.read_array_header_2_0(handle)
                offset = handle.tell()
        except (OSError, ValueError):
            return
        if dtype != self.record or len(shape) != 1:
            return
        self._stack()
        self._sources.append(_Source(int(shape[0]), path=path, offset=offset))

    def write(self, path: Path, wanted: Iterable[str] | None = None) -> None:
        """Write the distinct signatures of ``wanted`` (all if ``None``) to ``path``, atomically.

        The file is a ``.npy`` array of :data:`RECORD`, written in one pass over the
        records, a block at a time.
        """
        _, positions = self.select(wanted)
        positions = np.sort(positions)
        header = {
            "descr": np.lib.format.dtype_to_descr(self.record),
            "fortran_order": False,
            "shape": (len(positions),),
        }
        with atomic_path(path) as tmp, tmp.open("wb") as handle:
            np.lib.format.write_array_header_2_0(handle, header)
            start = 0
            for chunk in self._chunks():
                stop = start + len(chunk)
                lo, hi = np.searchsorted(positions, [start, stop])
                handle.write(chunk[positions[lo:hi] - start].tobytes())
                start = stop


class _Source:
    """``count`` records held in memory (``block``) or in a file from ``offset``."""

    def __init__(
        self,
        count: int,
        *,
        block: np.ndarray | None = None,
        path: Path | None = None,
        offset: int = 0,
    ) -> None:
        self.count, self.block, self.path, self.offset = count, block, path, offset

    def chunks(self, record: np.dtype) -> Iterator[np.ndarray]:
        """The records, :data:`_BLOCK_ROWS` at a time (plain reads: no mapping kept)."""
        if self.block is not None:
            yield self.block
            return
        assert self.path is not None
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            for start in range(0, self.count, _BLOCK_ROWS):
                count = min(_BLOCK_ROWS, self.count - start)
                yield np.fromfile(handle, dtype=record, count=count)


@lru_cache(maxsize=4)
def _record(num_perm: int) -> np.dtype:
    return np.dtype([("doc_id", f"S{ID_BYTES}"), ("signature", "<u4", (num_perm,))])


#: A stored signature: ``doc_id`` and the ``uint32`` MinHash values.
RECORD = _record(NUM_PERM)


def lsh_bands(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """Bands and rows per band of the LSH at ``threshold`` (as datasketch chooses them)."""
    from datasketch import MinHashLSH

    index = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return index.b, index.r


def candidate_pairs(
    signatures: Signatures, positions: np.ndarray, threshold: float
) -> list[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, of ``positions`` whose signatures share a band.

    Args:
        signatures: The signatures.
        positions: The records to compare (:meth:`Signatures.select`).
        threshold: Near-duplicate Jaccard threshold (sets the bands).

    Returns:
        The distinct pairs of indices into ``positions``, sorted.
    """
    n_bands, n_rows = lsh_bands(threshold, signatures.num_perm)
    found: set[tuple[int, int]] = set()
    for band in range(n_bands):
        block = signatures.band(positions, slice(band * n_rows, (band + 1) * n_rows))
        _, groups, sizes = np.unique(block, axis=0, return_inverse=True, return_counts=True)
        del block
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
    ids, positions = signatures.select(docs["doc_id"].unique())
    near: list[tuple[str, str, float]] = []
    pairs = candidate_pairs(signatures, positions, threshold) if len(ids) > 1 else []
    if pairs:  # the whole signatures of the few documents involved
        paired = np.unique(np.asarray(pairs, dtype=np.int64))
        whole = dict(zip(paired.tolist(), signatures.rows(positions[paired]), strict=True))
        for i, j in pairs:
            similarity = float(np.count_nonzero(whole[i] == whole[j])) / signatures.num_perm
            if similarity >= threshold:
                low, high = sorted((ids[i].decode("ascii"), ids[j].decode("ascii")))
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
