"""Bounded-memory table building for the ingest stage.

New rows are flushed in batches to uncompressed Arrow IPC part files in a temporary
folder; only a small index (path, doc_id, part, row) stays in memory. The final tables
are then written row group by row group with a :class:`pyarrow.parquet.ParquetWriter`
to a temporary file renamed over the old table, gathering each row group's rows from
the memory-mapped parts. Memory therefore depends on the batch and row-group sizes, not
on the number of documents. Row groups have a fixed size, so the same input always gives
the same bytes, whatever the batch size.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from corpus.store import atomic_path

#: Rows per row group of the output tables (fixed: it shapes the output bytes).
ROW_GROUP_ROWS = 1000

_S = pa.large_string()
DOCUMENT_SCHEMA = pa.schema(
    [
        ("doc_id", _S), ("path", _S), ("format", _S), ("title", _S), ("language", _S),
        ("is_french", pa.bool_()), ("genre", _S), ("year", pa.int64()), ("date", _S),
        ("author", _S), ("organisation", _S), ("region", _S), ("extra", _S), ("text", _S),
        ("n_words", pa.int64()), ("n_passages", pa.int64()), ("source_sha256", _S),
        ("boilerplate_removed", _S),
    ]
)  # fmt: skip
PASSAGE_SCHEMA = pa.schema(
    [
        ("passage_id", _S), ("doc_id", _S), ("index", pa.int64()), ("start", pa.int64()),
        ("end", pa.int64()), ("text", _S), ("n_words", pa.int64()),
    ]
)  # fmt: skip


def to_arrow(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """Convert a typed frame to ``schema`` (no pandas metadata)."""
    table = pa.Table.from_pandas(frame[schema.names], preserve_index=False)
    return table.replace_schema_metadata(None).cast(schema)


class Parts:
    """Arrow IPC part files of one table in a temporary folder."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder = folder
        self.name = name
        self.paths: list[Path] = []

    def add(self, table: pa.Table) -> int:
        """Write ``table`` as a new part; return its number."""
        number = len(self.paths)
        path = self.folder / f"{self.name}-{number:06d}.arrow"
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        self.paths.append(path)
        return number

    def gather(self, parts: np.ndarray, rows: np.ndarray) -> pa.Table:
        """The rows ``rows[i]`` of parts ``parts[i]``, in that order."""
        pieces = []
        positions = []
        for part in np.unique(parts):
            where = np.flatnonzero(parts == part)
            with pa.memory_map(str(self.paths[int(part)])) as source:
                table = pa.ipc.open_file(source).read_all()
                pieces.append(table.take(pa.array(rows[where], pa.int64())))
                del table
            positions.append(where)
        combined = pa.concat_tables(pieces)
        order = np.argsort(np.concatenate(positions), kind="stable")
        return combined.take(pa.array(order, pa.int64()))


def runs_to_rows(runs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expand ``(part, first row, count)`` runs to arrays of parts and rows."""
    if len(runs) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    table = np.asarray(runs, dtype=np.int64).reshape(-1, 3)
    counts = table[:, 2]
    offsets = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rows = np.repeat(table[:, 1] - offsets, counts) + np.arange(int(counts.sum()))
    return np.repeat(table[:, 0], counts), rows


def slice_runs(runs: np.ndarray, start: int, stop: int) -> np.ndarray:
    """The runs covering rows ``start`` to ``stop`` of the concatenated runs, clipped."""
    table = np.asarray(runs, dtype=np.int64).reshape(-1, 3)
    ends = np.cumsum(table[:, 2])
    first, last = np.searchsorted(ends, [start, stop], side="right")
    chosen = table[first : last + 1].copy()
    begins = ends[first : last + 1] - chosen[:, 2]
    cut_front = np.maximum(start - begins, 0)
    cut_back = np.maximum(ends[first : last + 1] - stop, 0)
    chosen[:, 1] += cut_front
    chosen[:, 2] -= cut_front + cut_back
    return chosen[chosen[:, 2] > 0]


def write_parquet_streaming(path: Path, schema: pa.Schema, parts: Parts, runs: np.ndarray) -> int:
    """Write the rows of ``runs`` (part, first row, count) to ``path`` in row groups, atomically.

    The runs are expanded to rows one row group at a time (a document's passages are one
    run: no array of every row is built).

    Returns:
        The number of rows written.
    """
    runs = np.asarray(runs, dtype=np.int64).reshape(-1, 3)
    total = int(runs[:, 2].sum())
    with (
        atomic_path(path) as tmp,
        pq.ParquetWriter(tmp, schema, compression="zstd", write_statistics=False) as writer,
    ):
        if not total:
            writer.write_table(schema.empty_table())
        for start in range(0, total, ROW_GROUP_ROWS):
            part_of, row_of = runs_to_rows(slice_runs(runs, start, start + ROW_GROUP_ROWS))
            chunk = parts.gather(part_of, row_of)
            writer.write_table(chunk.cast(schema), row_group_size=ROW_GROUP_ROWS)
            del chunk
            # Arrow's pool (mimalloc) keeps freed pages for reuse: without this each row
            # group leaves some behind and the peak grows with the number of documents
            pa.default_memory_pool().release_unused()
    return total


def iter_table(path: Path, columns: list[str] | None = None) -> Any:
    """Yield the record batches of a Parquet table, one row group at a time."""
    if not path.exists():
        return
    handle = pq.ParquetFile(path)
    for group in range(handle.num_row_groups):
        yield handle.read_row_group(group, columns=columns)


def release_memory() -> None:
    """Give the memory freed since the last call back to the system.

    Called between batches: without it the peak grows with the number of documents
    although what is alive does not. Cyclic garbage (parsed HTML and PDF objects) waits
    for a full collection, which Python runs ever more rarely as the heap grows; Arrow's
    pool keeps freed pages for reuse; and glibc's ``malloc`` keeps freed heap pages
    (``malloc_trim`` returns them; it does nothing on other C libraries, where it is
    absent).
    """
    gc.collect()
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def freeze_heap() -> bool:
    """Move the objects alive now out of reach of the collector (:func:`gc.freeze`).

    The full collection of :func:`release_memory` then only walks what the ingest made
    since (start-up objects, modules and libraries are many and long-lived: walking them
    took a quarter of a second per batch). Nothing is frozen if someone already froze the
    heap (a pre-fork server, say): their freeze is theirs to undo.

    Returns:
        Whether this call froze the heap (give it to :func:`unfreeze_heap`).
    """
    if gc.get_freeze_count():
        return False
    gc.freeze()
    return True


def unfreeze_heap(frozen: bool) -> None:
    """Undo :func:`freeze_heap` (if it froze): the objects are collectable again."""
    if frozen:
        gc.unfreeze()


@lru_cache(maxsize=1)
def _malloc_trim() -> Any:
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None
