"""The derived-data store: Parquet tables, JSON sidecars, caches, atomic writes, a lock.

A store is a folder that holds only what can be rebuilt from the raw files. Every write
goes to a temporary file in the same folder, then ``os.replace`` puts it in place, so a
reader never sees half a table and a crash never damages what was stored. One
:class:`filelock.FileLock` per store keeps two processes from writing it at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import logging
import os
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import filelock
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from corpus.errors import StoreError, StoreLockedError

_Absent = TypeVar("_Absent", str, None)

logger = logging.getLogger(__name__)

#: Seconds a writer waits for another process's lock before giving up (env override).
DEFAULT_LOCK_TIMEOUT = float(os.environ.get("CORPUS_LOCK_TIMEOUT", "30"))

_LOCKS: dict[str, filelock.FileLock] = {}
_LOCKS_GUARD = threading.Lock()


def sha256_bytes(data: bytes) -> str:
    """Return the hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    """Return the hex SHA-256 of ``text`` encoded as UTF-8."""
    return sha256_bytes(text.encode("utf-8"))


def sha256_file(path: str | Path, *, chunk_size: int = 1 << 20) -> str:
    """Return the hex SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def installed_version(distribution: str, absent: _Absent) -> str | _Absent:
    """Installed version of ``distribution`` (a PyPI name), or ``absent`` when it is not.

    Versions go into fingerprints and manifests, so a library upgrade is visible there.
    """
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return absent


def fingerprint(*parts: Any) -> str:
    """Return a short stable hash of JSON-serialisable ``parts`` (order matters)."""
    payload = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return sha256_text(payload)[:16]


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Read once: os.umask can only be read by setting it, which is not safe across threads.
_UMASK = _current_umask()


def _mode_for(target: Path) -> int:
    """The permission bits ``target`` gets: those of the file it replaces, else 0666 - umask."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~_UMASK


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it is synced and renamed to it.

    On any error the temporary file is removed and ``path`` keeps its previous content.

    Example:
        >>> with atomic_path(target) as tmp:
        ...     tmp.write_bytes(data)
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp_name)
        with open(tmp_name, "rb") as handle:
            os.fsync(handle.fileno())
        # mkstemp creates 0600 files: give the result the mode a plain open() would (or the
        # mode of the file it replaces), so a store shared by a research group stays readable.
        os.chmod(tmp_name, _mode_for(target))
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | Path, obj: Any) -> None:
    """Write ``obj`` as indented, key-sorted UTF-8 JSON to ``path`` atomically."""
    text = json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    atomic_write_text(path, text + "\n")


#: Rows per Parquet row group of the tables written in pieces (the extraction tables,
#: :mod:`corpus.extract.stream`): a table of fewer rows is one row group, as pyarrow's
#: default writes it; the writer of a longer one holds one row group at a time.
ROW_GROUP_ROWS = 1 << 16


def atomic_write_parquet(
    path: str | Path, frame: pd.DataFrame, *, row_group_size: int | None = None
) -> None:
    """Write ``frame`` to Parquet atomically and reproducibly.

    The index is dropped and no pandas metadata that carries timestamps is written, so
    the same frame always gives the same bytes.

    Args:
        path: The file.
        frame: The table.
        row_group_size: Rows per row group (pyarrow's default when ``None``).
    """
    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    table = table.replace_schema_metadata(None)
    sink = pa.BufferOutputStream()
    pq.write_table(
        table, sink, compression="zstd", write_statistics=False, row_group_size=row_group_size
    )
    atomic_write_bytes(path, sink.getvalue().to_pybytes())


def atomic_write_csv(path: str | Path, frame: pd.DataFrame) -> None:
    """Write ``frame`` to CSV (UTF-8, no index, ``\\n`` line ends) atomically."""
    atomic_write_text(path, frame.to_csv(index=False, lineterminator="\n"))


class Store:
    """A folder of derived tables.

    Args:
        root: The store folder; created on first write.

    Example:
        >>> store = Store(Path("/tmp/example-store"))
        >>> with store.lock():
        ...     store.write_table("documents", frame)
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    # -- paths ---------------------------------------------------------------------------
    def table_path(self, name: str) -> Path:
        """Path of the Parquet file of table ``name``."""
        return self.root / "tables" / f"{name}.parquet"

    def json_path(self, name: str) -> Path:
        """Path of the JSON sidecar ``name``."""
        return self.root / f"{name}.json"

    def cache_dir(self, kind: str) -> Path:
        """A sub-folder for one cache (``docbin``, ``embeddings``...), created on demand."""
        path = self.root / "cache" / kind
        path.mkdir(parents=True, exist_ok=True)
        return path

    # -- tables --------------------------------------------------------------------------
    def has_table(self, name: str) -> bool:
        """Whether table ``name`` has been written."""
        return self.table_path(name).exists()

    def read_table(self, name: str, *, columns: list[str] | None = None) -> pd.DataFrame | None:
        """Read table ``name``, or return ``None`` if it was never written.

        Raises:
            StoreError: The file exists but cannot be read.
        """
        path = self.table_path(name)
        if not path.exists():
            return None
        try:
            return pd.read_parquet(path, columns=columns)
        except Exception as exc:  # pyarrow raises several unrelated types
            raise StoreError(
                f"cannot read table {name!r} ({exc})",
                path=path,
                hint="Delete the store folder and ingest again; the raw files are untouched.",
                code="E-STORE-READ",
            ) from exc

    def write_table(
        self, name: str, frame: pd.DataFrame, *, row_group_size: int | None = None
    ) -> Path:
        """Write table ``name`` atomically and return its path (``row_group_size``: rows
        per Parquet row group, pyarrow's default when ``None``)."""
        path = self.table_path(name)
        atomic_write_parquet(path, frame, row_group_size=row_group_size)
        logger.debug("wrote %s (%d rows)", path, len(frame))
        return path

    def delete_table(self, name: str) -> None:
        """Remove table ``name`` if it exists."""
        with contextlib.suppress(FileNotFoundError):
            self.table_path(name).unlink()

    # -- JSON sidecars -------------------------------------------------------------------
    def read_json(self, name: str) -> Any:
        """Read JSON sidecar ``name``; ``None`` if absent."""
        path = self.json_path(name)
        if not path.exists():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise StoreError(
                f"corrupt JSON sidecar {name!r} ({exc})",
                path=path,
                hint="Delete it; it is rebuilt on the next run.",
                code="E-STORE-READ",
            ) from exc

    def write_json(self, name: str, obj: Any) -> Path:
        """Write JSON sidecar ``name`` atomically and return its path."""
        path = self.json_path(name)
        atomic_write_json(path, obj)
        return path

    # -- lock ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, *, timeout: float | None = None) -> Iterator[None]:
        """Hold the store's exclusive lock for the duration of the block.

        Re-entrant within one process. Another process waits up to ``timeout`` seconds
        (default :data:`DEFAULT_LOCK_TIMEOUT`, env ``CORPUS_LOCK_TIMEOUT``).

        Raises:
            StoreLockedError: The lock was not obtained in time.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        lock_path = str(self.root / ".lock")
        with _LOCKS_GUARD:
            file_lock = _LOCKS.setdefault(lock_path, filelock.FileLock(lock_path))
        wait = DEFAULT_LOCK_TIMEOUT if timeout is None else timeout
        try:
            file_lock.acquire(timeout=wait)
        except filelock.Timeout as exc:
            raise StoreLockedError(
                f"another process is writing this store (waited {wait:g} s)",
                path=self.root,
                hint="Wait for it to finish, or raise CORPUS_LOCK_TIMEOUT to wait longer.",
            ) from exc
        try:
            yield
        finally:
            file_lock.release()
