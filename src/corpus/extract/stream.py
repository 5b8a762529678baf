"""Extraction in partitions of documents, streamed to the store's tables.

:func:`corpus.extract.run.extract_tables` holds every candidate record of the corpus (each
with its features) before the document step, then every table; memory grew with the
corpus (0.15 MB a document). :func:`stream_tables` annotates, decides and writes one
partition of documents at a time, so the client holds one partition's records:

* Partitions are runs of documents in the documents table's order, cut where a
  document's ``doc_id`` hash falls on a boundary (content-defined, about
  :data:`PARTITION_TARGET` documents, at most :data:`PARTITION_MAX`): adding or
  removing one document changes the partition it falls in and no other.
* Each partition's tables are written to a part folder of the store's
  ``extraction-parts`` cache, keyed by the hash of its documents, passages, pipeline,
  table code and scorers. An unchanged partition is read back from there, not annotated
  or decided again; one new document re-decides its partition only.
* The client then writes each table from the parts with a ``pyarrow`` ``ParquetWriter``,
  row group by row group: the record tables and ``doc_actor_types`` in partition order,
  the document-level tables merged in ``doc_id`` order (the order one process gives), the
  columns' types unified as a whole-corpus frame would type them (a field present in some
  partitions only, ``int`` in one and ``float`` in another, all-null in one). The bytes
  are those of :func:`corpus.store.atomic_write_parquet` on the whole-corpus frame. When
  the parts cannot be unified that way (types that do not promote, document-level tables
  whose columns differ), :func:`stream_tables` says so and the caller builds the whole
  corpus at once from the caches.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

from corpus.extract.annotate import AnnotateStats
from corpus.extract.tables import RECORD_FIELDS, TABLE_NAMES
from corpus.store import ROW_GROUP_ROWS, atomic_path, fingerprint, sha256_text

if TYPE_CHECKING:
    from corpus.engine import Executor
    from corpus.scorers.model import ScorerSet

logger = logging.getLogger(__name__)

#: Average documents per partition (a partition's records are what the client holds).
PARTITION_TARGET = 256
#: Most documents in a partition (a long run without a boundary is cut there).
PARTITION_MAX = 1024
#: Tables the partitions give (``skipped`` comes from the documents table alone).
PART_TABLES = tuple(name for name in TABLE_NAMES if name != "skipped")
#: Tables in ``doc_id`` order in a whole-corpus build (the others follow the records).
DOC_ID_ORDER_TABLES = frozenset({"definitions", "dimensions", "actors", "doc_needs", "doc_stages"})
#: The record key whose contract fixes the leading columns of each record table.
RECORD_TABLE_KEYS = {
    "mentions": "actors",
    "actor_types": "actor_types",
    "needs": "needs",
    "free_needs": "free_needs",
    "stages": "stages",
    "goals": "goals",
}
#: The record tables the document step reads (their typing is part of a partition's key).
DECIDED_INPUTS = frozenset({"definitions", "actors", "actor_types", "needs", "stages"})
#: Rows per row group of the part files merged in ``doc_id`` order (bounds the merge's
#: memory: one row group per part is decoded at a time).
MERGE_BATCH_ROWS = 256
PART_INFO = "part.json"
PART_SUFFIX = ".arrow"
SCAN_SUFFIX = ".scan.json"


@dataclass(frozen=True)
class Partition:
    """A run of documents and the rows of their passages.

    Attributes:
        doc_ids: The documents, in the documents table's order.
        rows: Positions of their passages in the French passages table.
    """

    doc_ids: tuple[str, ...]
    rows: tuple[int, ...]


def boundary(doc_id: str, target: int) -> bool:
    """Whether a partition ends after ``doc_id`` (about one document in ``target``)."""
    return int(sha256_text(doc_id)[:8], 16) % max(1, target) == 0


def partitions(
    selected: pd.DataFrame, *, target: int = PARTITION_TARGET, most: int = PARTITION_MAX
) -> list[Partition]:
    """The French passages cut into content-defined partitions of whole documents."""
    if not len(selected):
        return []
    groups = selected.groupby(selected["doc_id"].astype(str), sort=False).indices
    where: dict[str, Any] = {str(doc): rows for doc, rows in groups.items()}
    cut: list[Partition] = []
    docs: list[str] = []
    for doc_id in where:  # first-appearance order: the documents table's
        docs.append(doc_id)
        if boundary(doc_id, target) or len(docs) >= most:
            cut.append(_partition(docs, where))
            docs = []
    if docs:
        cut.append(_partition(docs, where))
    return cut


def _partition(docs: list[str], where: Mapping[str, Any]) -> Partition:
    rows = sorted(int(i) for d in docs for i in where[d])
    return Partition(tuple(docs), tuple(rows))


def part_key(salt: str, part_passages: pd.DataFrame, part_documents: pd.DataFrame) -> str:
    """Cache key of a partition: its documents' rows, passages and texts, and ``salt``
    (the pipeline, table-code and scorer fingerprints)."""
    spans = list(
        zip(
            part_passages["passage_id"].astype(str),
            part_passages["start"].astype(int),
            part_passages["end"].astype(int),
            (sha256_text(t) for t in part_passages["text"].fillna("").astype(str)),
            strict=True,
        )
    )
    docs = part_documents.astype(str).to_numpy().tolist()
    return fingerprint(salt, list(part_documents.columns), docs, spans)


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    """``frame`` as :func:`corpus.store.atomic_write_parquet` converts it."""
    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    return table.replace_schema_metadata(None)


class PartCache:
    """The part folders of one store: ``<folder>/<key>/<table>.parquet`` + ``part.json``.

    Args:
        folder: The store's ``extraction-parts`` cache folder.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def read_info(self, key: str) -> dict[str, Any] | None:
        """The counts of a complete part (``None``: absent or unreadable)."""
        path = self.folder / key / PART_INFO
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not all(self.path(key, name).exists() for name in PART_TABLES):
            return None
        return info if isinstance(info, dict) else None

    def write(self, key: str, tables: Mapping[str, pd.DataFrame], info: Mapping[str, Any]) -> None:
        """Write a part's tables and counts; the folder appears complete or not at all."""
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=self.folder))
        try:
            for name in PART_TABLES:
                frame = tables[name]
                if name in DOC_ID_ORDER_TABLES and len(frame):
                    frame = frame.iloc[frame["doc_id"].astype(str).argsort(kind="stable")]
                size = MERGE_BATCH_ROWS if name in DOC_ID_ORDER_TABLES else None
                feather.write_feather(
                    to_arrow(frame),
                    tmp / f"{name}{PART_SUFFIX}",
                    compression="zstd",
                    chunksize=size,
                )
            (tmp / PART_INFO).write_text(json.dumps(dict(info), sort_keys=True), encoding="utf-8")
            target = self.folder / key
            if target.exists():
                shutil.rmtree(target)
            os.replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def path(self, key: str, name: str) -> Path:
        """The part file of table ``name``."""
        return self.folder / key / f"{name}{PART_SUFFIX}"

    def read_scan(self, key: str) -> dict[str, Any] | None:
        """A partition's annotation counts and column samples (``None``: not scanned)."""
        try:
            scan = json.loads((self.folder / f"{key}{SCAN_SUFFIX}").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return scan if isinstance(scan, dict) else None

    def write_scan(self, key: str, scan: Mapping[str, Any]) -> None:
        """Write a partition's annotation counts and column samples."""
        self.folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps(dict(scan), sort_keys=True, ensure_ascii=False)
        with atomic_path(self.folder / f"{key}{SCAN_SUFFIX}") as tmp:
            tmp.write_text(text, encoding="utf-8")

    def prune(self, keep: set[str]) -> int:
        """Delete the parts and scans whose key is not in ``keep`` (and leftovers of
        interrupted writes)."""
        removed = 0
        if not self.folder.is_dir():
            return removed
        for entry in self.folder.iterdir():
            if entry.name.removesuffix(SCAN_SUFFIX) not in keep:
                if entry.is_dir():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
                removed += 1
        return removed


def unified_schema(name: str, schemas: Sequence[pa.Schema]) -> pa.Schema | None:
    """The schema of table ``name`` built whole from parts with ``schemas`` (non-empty
    parts only), or ``None`` when no such schema can be told from them."""
    names: list[str] = []
    for schema in schemas:
        names.extend(n for n in schema.names if n not in names)
    if any(schema.names != names for schema in schemas):
        key = RECORD_TABLE_KEYS.get(name)
        if key is None:
            return None  # a document-level function's columns: order unknown
        base = ["doc_id", "passage_id", *RECORD_FIELDS.get(key, ("text", "start", "end"))]
        names = [n for n in base if n in names] + sorted(set(names) - set(base))
    try:
        merged = pa.unify_schemas(list(schemas), promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    return pa.schema([merged.field(n) for n in names])


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with the columns and types of ``schema`` (absent columns all null)."""
    columns = []
    for target in schema:
        if target.name in table.column_names:
            column = table.column(target.name)
            columns.append(column if column.type == target.type else column.cast(target.type))
        else:
            columns.append(pa.nulls(len(table), target.type))
    return pa.Table.from_arrays(columns, schema=schema)


class _RowGroups:
    """Appends tables to a ``ParquetWriter`` in row groups of exactly ``ROW_GROUP_ROWS``
    (the last one shorter), each one contiguous: the bytes of one ``write_table``."""

    def __init__(self, writer: pq.ParquetWriter) -> None:
        self.writer = writer
        self.pending: list[pa.Table] = []
        self.rows = 0

    def add(self, table: pa.Table) -> None:
        if not len(table):
            return
        self.pending.append(table)
        self.rows += len(table)
        while self.rows >= ROW_GROUP_ROWS:
            whole = pa.concat_tables(self.pending)
            self._write(whole.slice(0, ROW_GROUP_ROWS))
            rest = whole.slice(ROW_GROUP_ROWS)
            self.pending, self.rows = ([rest] if len(rest) else []), len(rest)

    def close(self) -> None:
        if self.rows:
            self._write(pa.concat_tables(self.pending))
        self.pending, self.rows = [], 0

    def _write(self, table: pa.Table) -> None:
        self.writer.write_table(table.combine_chunks(), row_group_size=ROW_GROUP_ROWS)


def _reader(path: Path) -> pa.ipc.RecordBatchFileReader:
    return pa.ipc.open_file(pa.memory_map(str(path)))


def _doc_runs(path: Path, index: int) -> Iterator[tuple[str, int, pa.Table]]:
    """``(doc_id, part index, rows)`` for each run of one document's rows in a part."""
    reader = _reader(path)
    for i in range(reader.num_record_batches):
        table = pa.Table.from_batches([reader.get_batch(i)])
        ids = table.column("doc_id").to_pylist()
        start = 0
        for stop in range(1, len(ids) + 1):
            if stop == len(ids) or ids[stop] != ids[start]:
                yield ids[start], index, table.slice(start, stop - start)
                start = stop


def merge_parts(name: str, paths: Sequence[Path], target: Path) -> bool:
    """Write table ``name`` from its part files to ``target`` (a temporary path).

    Returns:
        ``False`` when the parts cannot be put together as a whole-corpus build would
        write them (nothing written then).
    """
    full = [path for path in paths if _reader(path).count_rows()]
    if not full:
        # every part empty: the first stands for the whole (the functions' empty frame)
        table = _reader(paths[0]).read_all()
        pq.write_table(table, target, compression="zstd", write_statistics=False)
        return True
    schema = unified_schema(name, [_reader(p).schema for p in full])
    if schema is None:
        return False
    with pq.ParquetWriter(target, schema, compression="zstd", write_statistics=False) as writer:
        groups = _RowGroups(writer)
        if name in DOC_ID_ORDER_TABLES:
            runs = [_doc_runs(path, i) for i, path in enumerate(full)]
            for _doc, _index, rows in heapq.merge(*runs, key=lambda run: run[0]):
                groups.add(_conform(rows, schema))
        else:
            for path in full:
                groups.add(_conform(_reader(path).read_all(), schema))
        groups.close()
    return True


class _Unmergeable(Exception):
    """Raised inside :func:`write_merged` to discard every temporary file."""


def write_merged(
    parts: PartCache, keys: Sequence[str], targets: Mapping[str, Path]
) -> dict[str, int] | None:
    """Write every part table to its target path, all or nothing.

    Args:
        parts: The part cache.
        keys: The partitions' keys, in partition order.
        targets: The store path of each table of :data:`PART_TABLES`.

    Returns:
        Rows per table, or ``None`` when some table's parts cannot be put together
        (the targets are untouched then).
    """
    rows: dict[str, int] = {}
    try:
        with contextlib.ExitStack() as stack:  # every file renamed at the end, or none
            for name in PART_TABLES:
                tmp = stack.enter_context(atomic_path(targets[name]))
                if not merge_parts(name, [parts.path(k, name) for k in keys], tmp):
                    logger.warning("table %s: the partitions do not fit together", name)
                    raise _Unmergeable
                rows[name] = pq.read_metadata(tmp).num_rows
    except _Unmergeable:
        return None
    return rows


@dataclass
class StreamReport:
    """What :func:`stream_tables` did.

    Attributes:
        rows: Rows written per table of :data:`PART_TABLES`; ``None`` when the parts
            could not be put together (nothing written: build the whole corpus at once).
        partitions: Partitions of the corpus.
        decided: Partitions decided in this run (the others came from the part cache).
        keys: The cache entries in use (partitions' scans and tables).
    """

    rows: dict[str, int] | None
    partitions: int = 0
    decided: int = 0
    keys: list[str] = field(default_factory=list)


def stream_tables(
    documents: pd.DataFrame,
    passages: pd.DataFrame,
    nlp: Any,
    *,
    pipeline_fp: str,
    salt: str,
    cache_dir: Path | None,
    parts: PartCache,
    targets: Mapping[str, Path],
    stats: AnnotateStats,
    scorers: Mapping[str, ScorerSet | None] | None = None,
    embed: Callable[[Sequence[str]], Any] | None = None,
    executor: Executor | None = None,
    embeddings_cache: Path | None = None,
    n_process: int = 1,
    progress: bool = False,
    target: int | None = None,
) -> StreamReport:
    """Annotate, decide and write the extraction tables one partition at a time.

    Two passes over the partitions, each holding one partition's records: the first
    annotates (filling the DocBin cache) and notes the kinds of values in each record
    column; the second types each partition's records as the whole corpus's frames are
    typed (a document's decisions must not depend on its partition), decides them and
    writes the part. Both passes skip what the part cache already holds.

    Args:
        documents: Documents table.
        passages: Passages table.
        nlp: The pipeline.
        pipeline_fp: Its fingerprint (keys the DocBin cache).
        salt: Hash of what else decides a partition's tables (pipeline, table code,
            scorers); part of every partition's key.
        cache_dir: DocBin cache folder, or ``None``.
        parts: The partitions' cache.
        targets: The store path of each table of :data:`PART_TABLES`.
        stats: Filled in with annotation counts (a scanned partition's units count as
            cached).
        scorers: The scorer set per field.
        embed: Sentence encoder for the scorers that use embeddings.
        executor: Parse and decide each partition on a cluster.
        embeddings_cache: The e5 cache the workers' vectors go to (with ``executor``).
        n_process: spaCy worker processes.
        progress: Show a progress bar over documents.
        target: Average documents per partition (default :data:`PARTITION_TARGET`).

    Returns:
        What was done; ``rows is None`` asks the caller to build the whole corpus at once.
    """
    from corpus.extract.run import french_passages, scoring_context
    from corpus.extract.tables import merge_samples

    selected = french_passages(documents, passages)
    cut = partitions(selected, target=target or PARTITION_TARGET)
    doc_rows = documents.groupby(documents["doc_id"].astype(str), sort=False).indices
    names = (
        dict(zip(documents["doc_id"].astype(str), documents["path"].astype(str), strict=True))
        if "path" in documents.columns
        else {}
    )
    report = StreamReport(rows=None, partitions=len(cut))
    if not cut:
        return report

    def slices(part: Partition) -> tuple[pd.DataFrame, pd.DataFrame]:
        rows = sorted(int(i) for d in part.doc_ids for i in doc_rows[d])
        return selected.iloc[list(part.rows)], documents.iloc[rows]

    def run(part: Partition, part_stats: AnnotateStats) -> Iterator[Any]:
        part_passages, _ = slices(part)
        return _annotate(
            part_passages,
            nlp,
            pipeline_fp=pipeline_fp,
            cache_dir=cache_dir,
            stats=part_stats,
            executor=executor,
            n_process=n_process,
            names={d: names.get(d, d) for d in part.doc_ids},
        )

    # pass 1: annotate, count, sample each record column's kinds of values
    scans: list[dict[str, Any]] = []
    content_keys: list[str] = []
    bar = _bar(progress, sum(len(p.doc_ids) for p in cut), "annotate")
    for part in cut:
        key = part_key(salt, *slices(part))
        scan = parts.read_scan(key)
        if scan is None:
            from corpus.extract.tables import column_samples, record_rows

            part_stats = AnnotateStats()
            rows = record_rows(run(part, part_stats), slices(part)[0])
            scan = {
                "documents": part_stats.n_documents,
                "units": part_stats.n_units,
                "words": part_stats.n_words,
                "keys": sorted(part_stats.keys),
                "samples": column_samples(rows),
            }
            del rows
            parts.write_scan(key, scan)
            stats.n_parsed += part_stats.n_parsed
            stats.n_cached += part_stats.n_cached
            stats.shards_written += part_stats.shards_written
        else:
            stats.n_cached += int(scan["units"])
        stats.n_documents += int(scan["documents"])
        stats.n_units += int(scan["units"])
        stats.n_words += int(scan["words"])
        stats.keys.update(scan["keys"])
        scans.append(scan["samples"])
        content_keys.append(key)
        if bar is not None:
            bar.update(len(part.doc_ids))
    if bar is not None:
        bar.close()
    samples = merge_samples(scans)
    del scans
    typing = fingerprint(_kinds(samples))

    # pass 2: type, decide, write each partition not in the cache
    table_keys: list[str] = []
    bar = _bar(progress, sum(len(p.doc_ids) for p in cut), "decide")
    for part, content_key in zip(cut, content_keys, strict=True):
        key = fingerprint(content_key, typing)
        if parts.read_info(key) is None:
            from corpus.extract.tables import build_tables, records_to_frames

            part_passages, part_documents = slices(part)
            records = records_to_frames(run(part, AnnotateStats()), part_passages, samples)
            if executor is not None:
                from corpus.engine.documents import build_tables_on

                tables = build_tables_on(
                    executor,
                    records,
                    part_passages,
                    part_documents,
                    scorers=scorers,
                    embeddings_cache=embeddings_cache,
                )
            else:
                context = scoring_context(
                    part_passages, part_documents, scorers=scorers, embed=embed
                )
                tables = build_tables(records, part_passages, part_documents, context=context)
            parts.write(key, tables, {"documents": len(part.doc_ids)})
            del records, tables
            report.decided += 1
        table_keys.append(key)
        if bar is not None:
            bar.update(len(part.doc_ids))
    if bar is not None:
        bar.close()
    report.keys = [*content_keys, *table_keys]
    report.rows = write_merged(parts, table_keys, targets)
    return report


def _kinds(samples: Mapping[str, Mapping[str, list[Any]]]) -> list[Any]:
    """What the decisions see of the record frames' typing: the columns, types and JSON
    encoding of the record tables the document step reads (adding a document whose values
    are typed alike changes none; the tables passed through are unified when merged)."""
    from corpus.extract.tables import _needs_json, frame_from_rows

    return [
        (
            key,
            [
                (str(column), str(dtype), _needs_json(list(columns.get(str(column), []))))
                for column, dtype in frame_from_rows(key, [], columns).dtypes.items()
            ],
        )
        for key, columns in sorted(samples.items())
        if key in DECIDED_INPUTS
    ]


def _annotate(
    part_passages: pd.DataFrame,
    nlp: Any,
    *,
    pipeline_fp: str,
    cache_dir: Path | None,
    stats: AnnotateStats,
    executor: Executor | None,
    n_process: int,
    names: Mapping[str, str],
) -> Iterator[Any]:
    """One partition's annotated units (through the DocBin cache)."""
    from corpus.extract.annotate import annotate, passage_units

    units = passage_units(part_passages)
    return annotate(
        units,
        nlp,
        cache_dir=cache_dir,
        pipeline_fp=pipeline_fp,
        n_process=n_process,
        stats=stats,
        executor=executor,
        names=names if executor is not None else None,
    )


def _bar(enabled: bool, total: int, desc: str) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", desc=desc)
