"""The ingest stage: raw files -> documents, passages, rejected and duplicates tables.

:func:`ingest_corpus` walks the raw folder and compares every file with the state of the
last run (:mod:`corpus.ingest.state`, a Parquet table in the store's ingest cache: raw
path, size, mtime_ns, sha256 and the document paths it produced). An unchanged corpus
costs one ``stat`` per file and no reading or parsing; only added or changed files are
read, and a deleted file's rows leave the tables. A change of settings
(:mod:`corpus.ingest.settings_fingerprint`: ``corpus.yaml`` ingest options,
``metadata.csv``, the boilerplate rules, the ingest code itself, the versions of the
reader libraries) re-reads everything.

Ingestion streams: files are read one at a time and their rows flushed every
``batch_size`` documents to temporary part files (:mod:`corpus.ingest.streaming`); the
kept rows of the old tables are read row group by row group. What stays in memory is
compact: the file state as Arrow/numpy columns and a small index of the part files (the
MinHash signatures are spilled to disk too: :class:`corpus.ingest.duplicates.Signatures`);
the tables are written row group by row group, so no document text is held beyond its
batch (what remains is well under 1 KB per document: see the README's benchmark). The whole update
runs under the store's lock and every table is written atomically.

Each bad file becomes one :class:`RejectedFile` (and one row of ``rejected``) while the
rest is ingested; raw files are only ever read.

Tables: ``documents`` sorted by path (an IRaMuTeQ file gives ``file.txt#1``,
``file.txt#2``...); ``passages`` in document order. Exact duplicates share their
``doc_id`` (a content hash), so their passages are stored once, under that id.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corpus.context import CorpusContext, HasContext, as_context
from corpus.errors import EXIT_OK, EXIT_PARTIAL, IngestError
from corpus.ingest import clean, duplicates, metadata
from corpus.ingest.diagnostics import Capture
from corpus.ingest.errors import (
    EmptyFileError,
    FileTooLargeError,
    NoTextError,
    ReadError,
    SymlinkOutsideError,
)
from corpus.ingest.language import detect_language
from corpus.ingest.passages import MAX_WORDS, split_passages
from corpus.ingest.readers import RawDocument, get_reader
from corpus.ingest.settings_fingerprint import settings_fingerprint
from corpus.ingest.state import FileState, StateBuilder
from corpus.ingest.streaming import (
    DOCUMENT_SCHEMA,
    PASSAGE_SCHEMA,
    Parts,
    freeze_heap,
    iter_table,
    release_memory,
    to_arrow,
    unfreeze_heap,
    write_parquet_streaming,
)
from corpus.store import Store, sha256_bytes, sha256_file

if TYPE_CHECKING:
    from corpus.engine import Executor

logger = logging.getLogger(__name__)

#: The JSON state file of earlier versions (removed after a run; see :mod:`.state`).
LEGACY_STATE_NAME = "ingest_state"
#: Documents whose rows are held in memory before they are flushed to a part file.
BATCH_SIZE = 256
SKIPPED_NAMES = frozenset({"metadata.csv", "corpus.yaml", "Thumbs.db", "desktop.ini"})

# The table schemas (names, order, types) are defined once, in corpus.ingest.streaming.
DOCUMENT_COLUMNS = list(DOCUMENT_SCHEMA.names)
PASSAGE_COLUMNS = list(PASSAGE_SCHEMA.names)
REJECTED_COLUMNS = ["path", "code", "reason"]
_DTYPES = {
    "year": "Int64",
    "is_french": "bool",
    "n_words": "int64",
    "n_passages": "int64",
    "index": "int64",
    "start": "int64",
    "end": "int64",
}


@dataclass(frozen=True)
class RejectedFile:
    """A file that could not be ingested."""

    path: str
    code: str
    reason: str


@dataclass
class IngestReport:
    """What one ingestion did.

    Attributes:
        added: Raw paths read for the first time.
        updated: Raw paths whose content changed.
        removed: Raw paths gone since the last run.
        unchanged: Raw paths skipped because unchanged.
        rejected: Every file currently rejected (new and carried over).
        n_documents: Rows of the documents table.
        n_passages: Rows of the passages table.
        n_duplicates: Rows of the duplicates table.
        n_batches: Part files of new documents written (batches flushed).
        seconds: Wall time.
        warnings: One line per file read in this run whose reading logged warnings (what
            was repaired or assumed, counted; the detail is logged at debug level).
    """

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[RejectedFile] = field(default_factory=list)
    n_documents: int = 0
    n_passages: int = 0
    n_duplicates: int = 0
    n_batches: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Number of files per outcome, and table sizes."""
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "removed": len(self.removed),
            "unchanged": len(self.unchanged),
            "rejected": len(self.rejected),
            "documents": self.n_documents,
            "passages": self.n_passages,
            "duplicates": self.n_duplicates,
        }

    @property
    def exit_code(self) -> int:
        """``EXIT_PARTIAL`` when some file is rejected, else ``EXIT_OK``."""
        return EXIT_PARTIAL if self.rejected else EXIT_OK


# -- walking -------------------------------------------------------------------------------
def iter_raw_files(raw_dir: Path, *, skip_dirs: tuple[Path, ...] = ()) -> Iterator[Path]:
    """Yield the files of ``raw_dir`` in sorted order.

    Hidden files and folders, ``metadata.csv``, ``corpus.yaml``, office lock files and
    the folders of ``skip_dirs`` (the store) are skipped. Symbolic links are yielded,
    not followed into folders.
    """
    skip = {p.resolve() for p in skip_dirs}
    for root, dirs, files in os.walk(raw_dir, followlinks=False):
        root_path = Path(root)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d != "__pycache__"
            and (root_path / d).resolve() not in skip
        )
        for name in sorted(files):
            if name.startswith((".", "~$")) or name in SKIPPED_NAMES:
                continue
            yield root_path / name


def _stat(path: Path) -> os.stat_result | None:
    """``stat`` following links (a link's target may change), ``lstat`` if it is broken."""
    try:
        return path.stat()
    except OSError:
        try:
            return path.lstat()
        except OSError:
            return None


def _relative(path: Path, raw_dir: Path) -> str:
    return path.relative_to(raw_dir).as_posix()


# -- processing one file ---------------------------------------------------------------------
class _Columns:
    """Rows kept column-wise (far smaller than a list of dicts)."""

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        self.data: dict[str, list[Any]] = {c: [] for c in columns}

    def append(self, row: dict[str, Any]) -> None:
        for column in self.columns:
            self.data[column].append(row[column])

    def __len__(self) -> int:
        return len(self.data[self.columns[0]])

    def frame(self) -> pd.DataFrame:
        """The rows as a typed DataFrame; the lists are released (one copy at a time)."""
        data, self.data = self.data, {c: [] for c in self.columns}
        return _typed(pd.DataFrame(data, columns=self.columns))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:  # an empty table keeps string columns, not float ones
        for column in frame.columns:
            if column not in _DTYPES and column != "similarity":
                frame[column] = frame[column].astype("str")
    for column, dtype in _DTYPES.items():
        if column in frame.columns:
            frame[column] = frame[column].astype(dtype)  # type: ignore[call-overload]
    return frame


@dataclass
class _Context:
    raw_dir: Path
    max_bytes: int
    language: str
    sidecar: dict[str, dict[str, str]]
    rules: tuple[clean.Rule, ...]
    max_words: int


def _check_file(path: Path, rel: str, ctx: _Context) -> os.stat_result:
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            raise SymlinkOutsideError(
                "the symbolic link is broken", path=rel, hint="Remove the link or fix its target."
            ) from exc
        if not target.is_relative_to(ctx.raw_dir.resolve()):
            raise SymlinkOutsideError(
                f"the symbolic link points outside the corpus ({target})",
                path=rel,
                hint="Copy the file into the corpus folder instead of linking to it.",
            )
    try:
        info = path.stat()
    except OSError as exc:
        raise ReadError(f"cannot read the file ({exc})", path=rel, hint="Check it.") from exc
    if info.st_size > ctx.max_bytes:
        raise FileTooLargeError(
            f"the file is {info.st_size / 2**20:.1f} MB, over the limit of "
            f"{ctx.max_bytes / 2**20:g} MB",
            path=rel,
            hint="Split it, or raise ingest.max_file_size_mb in corpus.yaml.",
        )
    if info.st_size == 0:
        raise EmptyFileError("the file is empty", path=rel, hint="Add text to it or remove it.")
    return info


FileDocuments = list[tuple[dict[str, Any], list[dict[str, Any]], np.ndarray]]


@dataclass(frozen=True)
class Rejection:
    """Why one file was rejected (``code`` and the error's full message)."""

    code: str
    reason: str

    @classmethod
    def of(cls, exc: Exception, rel: str) -> Rejection:
        """The rejection of ``exc`` raised while ingesting ``rel``."""
        error = exc if isinstance(exc, IngestError) else _unexpected(exc, rel)
        return cls(error.code, str(error))


def read_checked(path: Path, rel: str, ctx: _Context) -> bytes:
    """The bytes of one raw file, after the checks that need its path (link, size, format)."""
    _check_file(path, rel, ctx)
    get_reader(Path(rel))
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ReadError(f"cannot read the file ({exc})", path=rel, hint="Check it.") from exc


def _process_file(path: Path, rel: str, ctx: _Context) -> tuple[str, FileDocuments]:
    """Read, clean, describe and segment one file; return its sha256 and documents."""
    return process_bytes(read_checked(path, rel, ctx), rel, ctx)


def process_bytes(data: bytes, rel: str, ctx: _Context) -> tuple[str, FileDocuments]:
    """Clean, describe and segment the bytes of raw file ``rel``: its sha256 and documents.

    Needs no file system (the distributed engine runs it on workers).
    """
    reader = get_reader(Path(rel))
    source_sha = sha256_bytes(data)
    try:
        raw = reader(data, Path(rel))
    except IngestError:
        raise
    except RecursionError as exc:
        raise IngestError(
            "the file is nested too deeply to be parsed",
            path=rel,
            hint="Remove it.",
            code="E-INGEST-FAILED",
        ) from exc
    del data
    parts: list[RawDocument] = raw.parts or [raw]
    sidecar = ctx.sidecar.get(rel) or ctx.sidecar.get(Path(rel).name)
    results = []
    for number, part in enumerate(parts, start=1):
        doc_path = f"{rel}#{number}" if raw.parts else rel
        blocks, removed = clean.clean_blocks(part.blocks, rules=ctx.rules)
        text = "\n\n".join(block.text for block in blocks)
        if not text.strip():
            if raw.parts:
                continue
            raise NoTextError(
                "no text is left after cleaning",
                path=rel,
                hint="Check the file holds running text, not only navigation or boilerplate.",
            )
        doc_id = metadata.doc_id_for(text)
        described = metadata.describe(
            path=rel, fmt=part.format, text=text, found=part.metadata, sidecar=sidecar
        )
        lang_hint = (sidecar or {}).get("language") or part.metadata.get("language")
        language = str(lang_hint) if lang_hint else detect_language(text)[0]
        spans = split_passages(text, max_words=ctx.max_words)
        passages = []
        for index, span in enumerate(spans):
            passage_text = text[span.start : span.end]
            passages.append(
                {
                    "passage_id": f"{doc_id}-{index:04d}",
                    "doc_id": doc_id,
                    "index": index,
                    "start": span.start,
                    "end": span.end,
                    "text": passage_text,
                    "n_words": len(passage_text.split()),
                }
            )
        document = {
            "doc_id": doc_id,
            "path": doc_path,
            "format": part.format,
            "language": language,
            "is_french": language == "fr",
            "text": text,
            "n_words": len(text.split()),
            "n_passages": len(passages),
            "source_sha256": source_sha,
            "boilerplate_removed": _json(removed),
            **described,
        }
        results.append((document, passages, duplicates.signature(text)))
    if not results:
        raise NoTextError("no text is left after cleaning", path=rel, hint="Check the file.")
    return source_sha, results


#: A file's outcome: its sha256 and documents, or why it was rejected.
Outcome = tuple[str, FileDocuments] | Rejection
#: Files per distributed partition, and bytes at most (a larger file is a partition alone).
PARTITION_FILES = 32
PARTITION_BYTES = 16 * 2**20


def _outcomes(
    todo: list[str],
    ctx: _Context,
    executor: Executor | None,
    listener: Capture,
    warned: list[str],
) -> Iterator[tuple[str, int, int, Outcome]]:
    """``(rel, size, mtime_ns, outcome)`` of each file of ``todo``, in order.

    In this process, one file at a time; what the reader libraries log or warn is
    captured per file by ``listener`` and summarised (one line a file, appended to
    ``warned``). With an executor, the client reads (and checks) the files of a
    partition and the workers clean and segment them (and summarise their warnings in
    their own log): the client's reads stay bounded by the executor's window of
    partitions in flight.
    """
    if executor is None:
        for rel in todo:
            size, mtime_ns = _size_mtime(ctx.raw_dir / rel)
            outcome: Outcome
            with listener.file(rel) as diagnostics:
                try:
                    outcome = _process_file(ctx.raw_dir / rel, rel, ctx)
                except Exception as exc:  # a reader bug must not stop the corpus either
                    outcome = Rejection.of(exc, rel)
            diagnostics.emit()
            if diagnostics.count:
                warned.append(str(diagnostics.summary()))
            yield rel, size, mtime_ns, outcome
        return
    from corpus.engine import describe_items
    from corpus.engine.tasks import ingest_partition

    def describe(_index: int, partition: list[tuple[str, int, int, bytes | Rejection]]) -> str:
        return "the files " + describe_items([rel for rel, *_ in partition])

    results = executor.map(
        ingest_partition,
        _partitions(todo, ctx),
        shared=ctx,
        label="ingest",
        describe=describe,
        total=None,
        progress=False,  # the stage's own bar counts files
    )
    for partition in results:
        yield from partition


def _partitions(
    todo: list[str], ctx: _Context
) -> Iterator[list[tuple[str, int, int, bytes | Rejection]]]:
    """Partitions of files read on the client: ``(rel, size, mtime_ns, bytes or rejection)``."""
    partition: list[tuple[str, int, int, bytes | Rejection]] = []
    held = 0
    for rel in todo:
        path = ctx.raw_dir / rel
        size, mtime_ns = _size_mtime(path)
        data: bytes | Rejection
        try:
            data = read_checked(path, rel, ctx)
        except Exception as exc:
            data = Rejection.of(exc, rel)
        length = len(data) if isinstance(data, bytes) else 0
        if partition and (len(partition) >= PARTITION_FILES or held + length > PARTITION_BYTES):
            yield partition
            partition, held = [], 0
        partition.append((rel, size, mtime_ns, data))
        held += length
    if partition:
        yield partition


def process_partition(
    ctx: _Context, partition: list[tuple[str, int, int, bytes | Rejection]]
) -> list[tuple[str, int, int, Outcome]]:
    """Worker side: the outcome of each file of a partition read by the client."""
    done: list[tuple[str, int, int, Outcome]] = []
    listener = Capture()  # reader warnings: one line a file in the worker's log
    listener.start()
    try:
        for rel, size, mtime_ns, data in partition:
            outcome: Outcome
            if isinstance(data, Rejection):
                outcome = data
            else:
                with listener.file(rel) as diagnostics:
                    try:
                        outcome = process_bytes(data, rel, ctx)
                    except Exception as exc:
                        outcome = Rejection.of(exc, rel)
                diagnostics.emit()
            done.append((rel, size, mtime_ns, outcome))
    finally:
        listener.stop()
    return done


def _size_mtime(path: Path) -> tuple[int, int]:
    info = _stat(path)
    return (info.st_size, info.st_mtime_ns) if info else (-1, -1)


def _json(obj: Any) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False)


# -- the stage -------------------------------------------------------------------------------
def _state_path(store: Store) -> Path:
    return store.cache_dir("ingest") / "state.parquet"


def _walk(raw_dir: Path, skip_dirs: tuple[Path, ...]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Relative paths, sizes and mtimes (ns) of the raw files, in walk order."""
    walked: list[str] = []
    sizes = array("q")
    mtimes = array("q")
    for path in iter_raw_files(raw_dir, skip_dirs=skip_dirs):
        info = _stat(path)
        if info is None:  # vanished while we walked
            continue
        walked.append(_relative(path, raw_dir))
        sizes.append(info.st_size)
        mtimes.append(info.st_mtime_ns)
    return walked, np.asarray(sizes, dtype=np.int64), np.asarray(mtimes, dtype=np.int64)


def _unexpected(exc: Exception, rel: str) -> IngestError:
    """An unexpected reader error as an :class:`IngestError` (logged with its traceback)."""
    logger.debug("unexpected error on %s", rel, exc_info=True)
    return IngestError(
        f"unexpected {type(exc).__name__} while reading ({exc})",
        path=rel,
        hint="Report this with the file if you can; the rest was ingested.",
        code="E-INGEST-FAILED",
    )


def _signature_path(store: Store) -> Path:
    return store.cache_dir("ingest") / "minhash.npy"


def _progress_bar(enabled: bool, total: int) -> Any:
    if not enabled or total < 2:
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def ingest_corpus(
    corpus: CorpusContext | HasContext,
    *,
    progress: bool = False,
    max_words: int = MAX_WORDS,
    batch_size: int = BATCH_SIZE,
    executor: Executor | None = None,
) -> IngestReport:
    """Bring the store's ingest tables up to date with the raw files.

    Args:
        corpus: The corpus (a context, or the handle of :func:`corpus.open`).
        progress: Show a progress bar on the console (stderr).
        max_words: Longest passage in words.
        batch_size: Documents held in memory before their rows go to a part file (the
            output does not depend on it).
        executor: Reads and cleans the files on a cluster (:mod:`corpus.engine`); the
            client still writes every table, and they are byte-identical.

    Returns:
        What was added, updated, removed, unchanged and rejected.

    Raises:
        StoreLockedError: Another process holds the store's lock too long.
    """
    started = time.perf_counter()
    corpus = as_context(corpus)
    store = corpus.store
    location = corpus.location
    raw_dir = location.raw_dir
    report = IngestReport()
    with store.lock():
        settings = settings_fingerprint(corpus, max_words)
        previous = FileState.read(_state_path(store))
        tables = ("documents", "passages", "rejected", "duplicates")
        full = (
            previous.settings != settings
            or not all(store.has_table(t) for t in tables)
            or not _signature_path(store).exists()
        )
        skip_dirs: tuple[Path, ...] = (store.root,)
        if location.config_path is not None and raw_dir == location.path:
            skip_dirs += (location.path / "gold",)

        walked, sizes, mtimes = _walk(raw_dir, skip_dirs)
        rows = previous.match(walked)  # row of the last state per walked file, or -1
        same_size = np.zeros(len(walked), dtype=bool)
        if not full and len(previous):
            known = rows >= 0
            same_size[known] = previous.sizes[rows[known]] == sizes[known]
        same_mtime = same_size.copy()
        same_mtime[same_size] = previous.mtimes[rows[same_size]] == mtimes[same_size]
        builder = StateBuilder(previous)
        todo: list[str] = []
        state_dirty = full
        for i, rel in enumerate(walked):
            row = int(rows[i])
            if same_mtime[i]:
                builder.keep(row, int(mtimes[i]))
                report.unchanged.append(rel)
                continue
            if same_size[i]:
                # a rejected file (sha256 None) or a link is not hashed: it may point outside
                recorded = previous.sha256(row)
                path = raw_dir / rel
                if recorded and not path.is_symlink() and sha256_file(path) == recorded:
                    builder.keep(row, int(mtimes[i]))
                    report.unchanged.append(rel)
                    state_dirty = True
                    continue
            (report.updated if row >= 0 else report.added).append(rel)
            todo.append(rel)
        report.removed = previous.paths_missing_from(walked)
        del walked, rows, same_size, same_mtime

        if not todo and not report.removed and not full:
            if state_dirty:
                builder.write(_state_path(store), settings)
            rejected = store.read_table("rejected")
            report.rejected = [
                RejectedFile(*row)
                for row in (rejected.itertuples(index=False) if rejected is not None else [])
            ]
            _fill_counts(report, store)
            report.seconds = time.perf_counter() - started
            return report

        ctx = _Context(
            raw_dir=raw_dir,
            max_bytes=int(corpus.config.max_file_size_mb * 1024 * 1024),
            language=corpus.config.language,
            sidecar=metadata.load_sidecar(location.metadata_csv),
            rules=clean.load_rules(),
            max_words=max_words,
        )
        changed = report.updated + report.removed
        stale_rows = previous.match(changed)
        stale_paths = set(changed) | set(previous.document_paths(stale_rows[stale_rows >= 0]))

        tmp = tempfile.TemporaryDirectory(prefix="parts-", dir=store.cache_dir("ingest"))
        built = _Built(Path(tmp.name))
        new_docs = _Columns(DOCUMENT_COLUMNS)
        new_passages = _Columns(PASSAGE_COLUMNS)
        new_rejected = _Columns(REJECTED_COLUMNS)
        signatures = duplicates.Signatures(spill_dir=Path(tmp.name))
        if not full:
            signatures.read(_signature_path(store))
        bar = _progress_bar(progress, len(todo))
        task = bar.add_task("Ingesting", total=len(todo)) if bar is not None else None
        if bar is not None:
            bar.start()
        frozen = freeze_heap()
        listener = Capture()  # reader library warnings, per file
        listener.start()
        try:
            outcomes = _outcomes(todo, ctx, executor, listener, report.warnings)
            for rel, size, mtime_ns, outcome in outcomes:
                if isinstance(outcome, Rejection):
                    new_rejected.append(
                        {"path": rel, "code": outcome.code, "reason": outcome.reason}
                    )
                    logger.info("rejected: %s", outcome.reason)  # the CLI prints one line a file
                    builder.add(
                        rel, size, mtime_ns, sha256=None, documents=[], rejected=outcome.code
                    )
                else:
                    sha, docs = outcome
                    for document, passages, sig in docs:
                        new_docs.append(document)
                        for passage in passages:
                            new_passages.append(passage)
                        signatures.add(document["doc_id"], sig)
                    paths = [d["path"] for d, _, _ in docs]
                    builder.add(rel, size, mtime_ns, sha256=sha, documents=paths)
                if len(new_docs) >= max(1, batch_size):
                    built.flush(new_docs, new_passages)
                if bar is not None:
                    bar.advance(task)
            built.flush(new_docs, new_passages)
            report.n_batches = len(built.docs.paths)
            _write_tables(
                store,
                full,
                stale_paths,
                built,
                new_rejected,
                signatures,
                corpus.config.near_duplicate_threshold,
                report,
            )
        finally:
            listener.stop()
            unfreeze_heap(frozen)
            if bar is not None:
                bar.stop()
            tmp.cleanup()

        builder.write(_state_path(store), settings)
        store.json_path(LEGACY_STATE_NAME).unlink(missing_ok=True)  # the JSON state it replaces
    report.seconds = time.perf_counter() - started
    return report


class _Built:
    """Part files of the documents and passages tables and their small index.

    The index is kept as Arrow tables, one per part (no Python object per document: many
    small long-lived objects made between the parsing ones would fragment the heap).
    """

    def __init__(self, folder: Path) -> None:
        self.docs = Parts(folder, "documents")
        self.passages = Parts(folder, "passages")
        self._doc_rows: list[Any] = []  # per part: path, doc_id, part, row
        self._runs: list[Any] = []  # per part: doc_id, part, start, count, old

    def add_docs(self, table: Any) -> None:
        import pyarrow as pa

        part = self.docs.add(table)
        rows = np.arange(table.num_rows, dtype=np.int64)
        self._doc_rows.append(
            pa.table(
                {
                    "path": table.column("path"),
                    "doc_id": table.column("doc_id"),
                    "part": pa.array(np.full(len(rows), part, dtype=np.int64)),
                    "row": pa.array(rows),
                }
            )
        )

    def add_passages(self, table: Any, *, old: bool) -> None:
        """Write a part of passages and record its runs of rows, one document each.

        A document's passages follow each other; two exact duplicates read in one batch
        share a ``doc_id`` but give two runs (``index`` starts again at 0).
        """
        import pyarrow as pa

        if not table.num_rows:
            return
        part = self.passages.add(table)
        ids = table.column("doc_id").to_numpy(zero_copy_only=False)
        starts = np.ones(len(ids), dtype=bool)
        starts[1:] = ids[1:] != ids[:-1]
        if not old:
            starts |= table.column("index").to_numpy() == 0
        first = np.flatnonzero(starts)
        self._runs.append(
            pa.table(
                {
                    "doc_id": table.column("doc_id").take(pa.array(first)),
                    "part": pa.array(np.full(len(first), part, dtype=np.int64)),
                    "start": pa.array(first.astype(np.int64)),
                    "count": pa.array(np.diff(np.append(first, len(ids))).astype(np.int64)),
                    "old": pa.array(np.full(len(first), old)),
                }
            )
        )

    def index(self) -> Any:
        """``path``, ``doc_id``, ``part``, ``row`` of every document, sorted by path.

        An Arrow table: a column of Python strings per document would fragment the heap
        at the moment the tables are written.
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        if not self._doc_rows:
            return pa.table(
                {
                    "path": pa.array([], pa.large_string()),
                    "doc_id": pa.array([], pa.large_string()),
                    "part": pa.array([], pa.int64()),
                    "row": pa.array([], pa.int64()),
                }
            )
        index = pa.concat_tables(self._doc_rows).combine_chunks()
        return index.take(pc.sort_indices(_natural_key(index.column("path"))))

    def passage_runs(self, doc_ids: Any) -> np.ndarray:
        """``(part, start, count)`` runs of the passages of ``doc_ids``, in that order.

        A document kept from the old tables keeps its old passages; a new one takes its
        first run (an exact duplicate's passages are stored once).
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        if not self._runs or not len(doc_ids):
            return np.zeros((0, 3), dtype=np.int64)
        runs = pa.concat_tables(self._runs)
        order = pc.index_in(runs.column("doc_id"), value_set=doc_ids).fill_null(-1)
        order = np.asarray(order.to_numpy(), dtype=np.int64)
        old = runs.column("old").to_numpy()
        wanted = order >= 0
        kept_old = np.flatnonzero(old & wanted)
        new = np.flatnonzero(~old & wanted & ~np.isin(order, order[kept_old]))
        _, first = np.unique(order[new], return_index=True)  # a document's first run
        chosen = np.concatenate([kept_old, new[first]])
        chosen = chosen[np.lexsort((chosen, order[chosen]))]  # by document, then as read
        columns = [runs.column(c).to_numpy() for c in ("part", "start", "count")]
        return np.stack([column[chosen] for column in columns], axis=1).astype(np.int64)

    def flush(self, docs: _Columns, passages: _Columns) -> None:
        """Move the rows held in memory to part files."""
        if len(docs):
            self.add_docs(to_arrow(docs.frame(), DOCUMENT_SCHEMA))
        if len(passages):
            self.add_passages(to_arrow(passages.frame(), PASSAGE_SCHEMA), old=False)
        release_memory()


def _write_tables(
    store: Store,
    full: bool,
    stale_paths: set[str],
    built: _Built,
    new_rejected: _Columns,
    signatures: duplicates.Signatures,
    threshold: float,
    report: IngestReport,
) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    if not full:  # the kept rows of the old tables, one row group at a time
        stale = pa.array(sorted(stale_paths), pa.large_string())
        for table in iter_table(store.table_path("documents")):
            table = table.cast(DOCUMENT_SCHEMA)
            table = table.filter(pc.invert(pc.is_in(table.column("path"), value_set=stale)))
            if table.num_rows:
                built.add_docs(table)
    index = built.index()
    doc_ids = pc.unique(index.column("doc_id"))  # in path order
    if not full:
        for table in iter_table(store.table_path("passages")):
            table = table.cast(PASSAGE_SCHEMA)
            table = table.filter(pc.is_in(table.column("doc_id"), value_set=doc_ids))
            built.add_passages(table, old=True)

    passage_runs = built.passage_runs(doc_ids)
    release_memory()  # the peak comes next: start it from a heap without free pages
    parts, rows = index.column("part").to_numpy(), index.column("row").to_numpy()
    doc_runs = np.stack([parts, rows, np.ones_like(rows)], axis=1)
    write_parquet_streaming(store.table_path("documents"), DOCUMENT_SCHEMA, built.docs, doc_runs)
    del doc_runs
    n_passages = write_parquet_streaming(
        store.table_path("passages"), PASSAGE_SCHEMA, built.passages, passage_runs
    )

    old_rejected = None if full else store.read_table("rejected")
    if old_rejected is None:
        old_rejected = _typed(pd.DataFrame({c: [] for c in REJECTED_COLUMNS}))
    else:
        old_rejected = old_rejected[~old_rejected["path"].isin(stale_paths)]
    rejected = _concat(old_rejected, new_rejected.frame())
    rejected = rejected.sort_values("path", ignore_index=True)

    documents = index.select(["doc_id", "path"]).to_pandas()
    dupes = duplicates.find_duplicates(documents, signatures, threshold=threshold)
    store.write_table("rejected", rejected[REJECTED_COLUMNS])
    store.write_table("duplicates", dupes)
    signatures.write(_signature_path(store), doc_ids.to_pylist())
    report.rejected = [RejectedFile(*row) for row in rejected.itertuples(index=False)]
    report.n_documents, report.n_passages, report.n_duplicates = (
        index.num_rows,
        n_passages,
        len(dupes),
    )


def _natural_key(paths: Any) -> Any:
    """Sort key of document paths: IRaMuTeQ texts ``file.txt#2`` before ``file.txt#10``.

    The text number is left-padded with zeros to 8 digits (Arrow compute: no Python
    string per document).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    paths = pc.cast(paths, pa.large_string())
    if not pc.any(pc.match_substring(paths, "#")).as_py():
        return paths  # no IRaMuTeQ text: the paths themselves
    number = pc.struct_field(pc.extract_regex(paths, r"#(?P<n>\d+)$"), "n")
    padded = pc.binary_join_element_wise(
        pc.replace_substring_regex(paths, r"#\d+$", ""),
        pc.utf8_lpad(number, 8, "0"),
        pa.scalar("#", pa.large_string()),
    )
    return pc.if_else(pc.is_null(number), paths, padded)


def _concat(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    frames = [f for f in (old, new) if len(f)]
    if not frames:
        return _typed(new.copy())
    return _typed(pd.concat(frames, ignore_index=True)) if len(frames) > 1 else frames[0].copy()


def _fill_counts(report: IngestReport, store: Store) -> None:
    import pyarrow.parquet as pq

    for name, attr in (
        ("documents", "n_documents"),
        ("passages", "n_passages"),
        ("duplicates", "n_duplicates"),
    ):
        path = store.table_path(name)
        if path.exists():
            setattr(report, attr, pq.ParquetFile(path).metadata.num_rows)
