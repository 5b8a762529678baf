"""The ingest state: what every raw file was at the last run, as one compact table.

One row per raw file (``path``, ``size``, ``mtime_ns``, ``sha256``: ``None`` for a
rejected file, ``documents``: the document paths it gave when they are not just its own
path, an IRaMuTeQ file's ``file.txt#1``..., ``rejected``: the error code), stored as a
Parquet file with the settings fingerprint in its metadata, written atomically. It is
held as Arrow and numpy columns, and the walked files are matched to it in one
vectorised look-up, so an unchanged file costs no Python object of its own beyond its
path (a dict entry per file was ~1 KB, and a store of many small objects fragments the
heap).
"""

from __future__ import annotations

from array import array
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from corpus.store import atomic_path

SCHEMA = pa.schema(
    [
        ("path", pa.string()),
        ("size", pa.int64()),
        ("mtime_ns", pa.int64()),
        ("sha256", pa.binary(32)),  # raw digest: half the bytes of hex
        ("documents", pa.list_(pa.string())),
        ("rejected", pa.string()),
    ]
)
_SETTINGS_KEY = b"corpus.ingest.settings"
#: Files read before their rows move from Python values to an Arrow record batch.
_BATCH_ROWS = 1024


class FileState:
    """The state table of the last run, or an empty one.

    Attributes:
        settings: Settings fingerprint of the run that wrote it (``None`` if none).
        table: The rows (:data:`SCHEMA`).
    """

    def __init__(self, table: pa.Table | None = None, settings: str | None = None) -> None:
        self.table = table if table is not None else SCHEMA.empty_table()
        self.settings = settings
        self.sizes = self.table.column("size").to_numpy()
        self.mtimes = self.table.column("mtime_ns").to_numpy()

    def __len__(self) -> int:
        return self.table.num_rows

    @classmethod
    def read(cls, path: Path) -> FileState:
        """The state stored at ``path``; an empty one if absent or unreadable."""
        if not path.exists():
            return cls()
        try:
            table = pq.read_table(path)
            settings = (table.schema.metadata or {}).get(_SETTINGS_KEY)
            table = table.replace_schema_metadata(None).cast(SCHEMA)
        except (pa.ArrowException, OSError, ValueError):
            return cls()  # rebuilt by a full run
        return cls(table, settings.decode("utf-8") if settings else None)

    def match(self, paths: list[str]) -> np.ndarray:
        """Row of each of ``paths`` in the table, ``-1`` where it has none."""
        found = pc.index_in(pa.array(paths, pa.string()), value_set=self.table.column("path"))
        return np.asarray(found.fill_null(-1).to_numpy(), dtype=np.int64)

    def sha256(self, row: int) -> str | None:
        """Content hash recorded for ``row`` (``None`` for a rejected file)."""
        value = self.table.column("sha256")[row].as_py()
        return bytes(value).hex() if value is not None else None

    def document_paths(self, rows: np.ndarray) -> list[str]:
        """The document paths recorded for ``rows`` (their own paths included)."""
        taken = self.table.select(["path", "documents"]).take(pa.array(rows, pa.int64()))
        found = taken.column("path").to_pylist()
        found += [p for paths in taken.column("documents").to_pylist() if paths for p in paths]
        return found

    def paths_missing_from(self, paths: list[str]) -> list[str]:
        """The sorted recorded paths that are not among ``paths`` (removed files)."""
        column = self.table.column("path")
        gone = pc.invert(pc.is_in(column, value_set=pa.array(paths, pa.string())))
        return sorted(column.filter(gone).to_pylist())


class StateBuilder:
    """The state of this run: rows kept from the last one, and the files just read.

    The files just read are gathered in a small batch of Python values, then moved to
    an Arrow record batch (one Python string per file for the whole run would be most of
    the memory a large ingestion keeps).
    """

    def __init__(self, previous: FileState) -> None:
        self.previous = previous
        self._kept_rows = array("q")
        self._kept_mtimes = array("q")
        self._batches: list[pa.RecordBatch] = []
        self._start_batch()

    def _start_batch(self) -> None:
        self._paths: list[str] = []
        self._sizes = array("q")
        self._mtimes = array("q")
        self._digests = bytearray()  # 32 raw bytes a file
        self._hashed = array("b")
        self._documents: list[list[str] | None] = []
        self._rejected: list[str | None] = []

    def keep(self, row: int, mtime_ns: int) -> None:
        """Carry row ``row`` of the last state over, with its file's current mtime."""
        self._kept_rows.append(row)
        self._kept_mtimes.append(mtime_ns)

    def add(
        self,
        path: str,
        size: int,
        mtime_ns: int,
        *,
        sha256: str | None,
        documents: list[str],
        rejected: str | None = None,
    ) -> None:
        """Record a file just read (``sha256`` ``None`` when it was rejected)."""
        self._paths.append(path)
        self._sizes.append(size)
        self._mtimes.append(mtime_ns)
        self._hashed.append(sha256 is not None)
        self._digests += bytes.fromhex(sha256) if sha256 is not None else bytes(32)
        self._documents.append(None if documents in ([], [path]) else documents)
        self._rejected.append(rejected)
        if len(self._paths) >= _BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self._paths:
            return
        sha256 = pa.FixedSizeBinaryArray.from_buffers(
            pa.binary(32),
            len(self._hashed),
            [_validity(self._hashed), pa.py_buffer(bytes(self._digests))],
        )
        columns = [
            pa.array(self._paths, pa.string()),
            pa.array(self._sizes, pa.int64()),
            pa.array(self._mtimes, pa.int64()),
            sha256,
            pa.array(self._documents, SCHEMA.field("documents").type),
            pa.array(self._rejected, pa.string()),
        ]
        self._batches.append(pa.RecordBatch.from_arrays(columns, schema=SCHEMA))
        self._start_batch()

    def table(self) -> pa.Table:
        """Every row, sorted by path."""
        self._flush()
        kept = self.previous.table.take(pa.array(self._kept_rows, pa.int64()))
        kept = kept.set_column(
            kept.schema.get_field_index("mtime_ns"),
            "mtime_ns",
            pa.array(self._kept_mtimes, pa.int64()),
        )
        new = pa.Table.from_batches(self._batches, schema=SCHEMA)
        combined = pa.concat_tables([kept.cast(SCHEMA), new])
        return combined.take(pc.sort_indices(combined, [("path", "ascending")]))

    def write(self, path: Path, settings: str) -> None:
        """Write the state with its settings fingerprint to ``path``, atomically."""
        table = self.table().replace_schema_metadata({_SETTINGS_KEY: settings.encode("utf-8")})
        with atomic_path(path) as tmp:
            # paths and digests are unique: a dictionary would only cost memory
            pq.write_table(table, tmp, compression="zstd", use_dictionary=["rejected"])


def _validity(flags: array) -> pa.Buffer:
    """An Arrow validity bitmap from an array of 0/1 flags."""
    return pa.array(np.frombuffer(flags, dtype=np.int8).astype(bool)).buffers()[1]
