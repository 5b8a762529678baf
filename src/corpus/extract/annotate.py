"""Annotate passages with the pipeline, caching the annotated docs in DocBin files.

Cache layout (under ``store.cache_dir("docbin")``)::

    docbin/<pipeline fingerprint>/<document key>.spacy          DocBin of the docs
    docbin/<pipeline fingerprint>/<document key>.records.json   their records (JSON)

One DocBin per *document*, holding its passages' docs in order. The document key hashes
the texts of the units (passages, or chunks of an over-long passage) the document was
split into, so the cache is keyed by passage text hash and pipeline fingerprint, as the
spec asks. Why one file per document rather than per batch with an index table:

* a document is the unit of change at ingestion (its ``doc_id`` is a content hash), so
  a changed or added document is exactly one new file and nothing else is rewritten;
* there is no shared index to update, lock or corrupt: a file is there (complete, it is
  written atomically) or it is not, and a stale entry is unreachable because its name
  would have to match both the current texts and the current pipeline fingerprint;
* reading a document's annotations is one file read, and pruning removed documents is
  deleting files whose key is no longer wanted.

The ``.spacy`` DocBin holds the tokens and every annotation of the model (tags, lemmas,
morphology, dependencies, entities); the ``.records.json`` sidecar holds each doc's
records (``doc._.definitions``...) and span groups (``doc.spans``), which are put back on
the docs when they are read. A re-run reads only the sidecar; the docs are deserialised
lazily, when ``AnnotatedUnit.doc`` is asked for. Why not ``store_user_data=True`` and
the span groups inside the DocBin: srsly's msgpack encoder and decoder look up their
registry (an entry-point scan of the installed packages) on every call, and a doc's user
data and span groups take about ten calls each way. Measured on 1,200 passages: writing
the cache that way was 40% of a cold run and reading it back 55% of the cold time; with
the JSON sidecar a warm re-run is 2-5% of the cold one. Records go through the same
JSON round trip on a cold run, so cold and warm tables are identical. The files are
written by a background thread (:class:`_ShardWriter`), so their fsyncs do not hold up
the parsing; :func:`annotate` returns once every file is complete.

Passages longer than :data:`MAX_UNIT_CHARS` (a 2 MB paragraph) are cut into chunks at
sentence ends or spaces, so spaCy's length limit and memory are never hit; records keep
the chunk's offset. Text entirely in capitals is lower-cased to sentence case (same
length, same offsets) before parsing, so the tagger and NER see ordinary French.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import multiprocessing.pool
import re
import shutil
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacy.language import Language
from spacy.tokens import Doc, DocBin

from corpus.nlp.extensions import RECORD_KEYS  # registers doc._.<key>, restored below
from corpus.store import atomic_write_bytes, fingerprint, sha256_text

if TYPE_CHECKING:
    import pandas as pd

    from corpus.engine import Executor

logger = logging.getLogger(__name__)

#: Longest text sent to spaCy as one doc; longer passages are cut into chunks.
MAX_UNIT_CHARS = 50_000

_SENTENCE_END = re.compile(r"[.!?…;:»)\]]\s+|\n")
_SPACE = re.compile(r"\s")
_SENTENCE_START = re.compile(r"(^|[.!?…]\s+|\n\s*)(\w)")


@dataclass(frozen=True)
class Unit:
    """One text sent to spaCy: a passage, or a chunk of an over-long passage.

    Attributes:
        passage_id: The passage it comes from.
        doc_id: The document of that passage.
        offset: Character offset of the unit in its passage.
        text: The unit's original text (``passage.text[offset:offset + len(text)]``).
        parse_text: What is parsed: ``text``, or its sentence-cased form when ``text`` is
            all capitals (same length, so offsets are shared).
    """

    passage_id: str
    doc_id: str
    offset: int
    text: str
    parse_text: str


Records = dict[str, list[dict[str, Any]]]


class _Shard:
    """One document's cache file, whose docs are read on first use only."""

    def __init__(self, path: Path | None, nlp: Language, units: Sequence[Unit]) -> None:
        self.path = path
        self.nlp = nlp
        self.units = list(units)
        self.cached: Cached | None = None  # records and spans, to restore the docs
        self._docs: list[Doc] | None = None

    def set_docs(self, docs: list[Doc]) -> None:
        self._docs = docs

    def docs(self) -> list[Doc]:
        if self._docs is None:
            docs = None
            if self.path is not None and self.cached is not None:
                docs = _read_docbin(self.path, self.nlp, len(self.units))
                if docs is not None:
                    _restore(docs, *self.cached)
            if docs is None:  # unreadable: parse again rather than fail
                docs = list(self.nlp.pipe([u.parse_text for u in self.units]))
            self._docs = docs
        return self._docs


@dataclass
class AnnotatedUnit:
    """A unit with its records and (lazily loaded) annotated doc."""

    unit: Unit
    _records: Records
    _shard: _Shard
    _index: int

    @classmethod
    def from_doc(cls, unit: Unit, doc: Doc, nlp: Language | None = None) -> AnnotatedUnit:
        """Wrap an annotated doc (records taken from its ``doc._`` extensions)."""
        shard = _Shard(None, nlp, [unit])  # type: ignore[arg-type]
        shard.set_docs([doc])
        return cls(unit, _records_of([doc])[0], shard, 0)

    @property
    def doc(self) -> Doc:
        """The annotated doc (read from the DocBin cache on first access)."""
        return self._shard.docs()[self._index]

    def records(self) -> Records:
        """The components' records on this unit, per record key (empty lists if none)."""
        return {key: list(self._records.get(key) or []) for key in RECORD_KEYS}


@dataclass
class AnnotateStats:
    """What an annotation pass did.

    Attributes:
        n_documents: Documents annotated.
        n_units: Units (passages or chunks) annotated.
        n_parsed: Units sent to ``nlp.pipe`` (0 on an unchanged re-run).
        n_cached: Units served from the DocBin cache.
        n_words: Whitespace-separated words in all units.
        shards_written: DocBin files written.
    """

    n_documents: int = 0
    n_units: int = 0
    n_parsed: int = 0
    n_cached: int = 0
    n_words: int = 0
    shards_written: int = 0
    keys: set[str] = field(default_factory=set)


def is_all_caps(text: str, *, min_letters: int = 20, ratio: float = 0.9) -> bool:
    """Whether ``text`` is written in capitals (a shouted page, a header block)."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < min_letters:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper / len(letters) >= ratio


def sentence_case(text: str) -> str:
    """Lower-case ``text`` and capitalise sentence starts, keeping its length.

    Returns ``text`` unchanged if lower-casing would change its length (rare Unicode).
    """
    lowered = text.lower()
    if len(lowered) != len(text):
        return text
    cased = _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), lowered)
    return cased if len(cased) == len(text) else lowered


def prepare_text(text: str) -> str:
    """The text to parse for ``text``: sentence case if it is all capitals, else itself."""
    return sentence_case(text) if is_all_caps(text) else text


def split_text(text: str, max_chars: int = MAX_UNIT_CHARS) -> list[tuple[int, str]]:
    """Cut ``text`` into ``(offset, chunk)`` pieces of at most ``max_chars`` characters.

    Cuts after the last sentence end in the second half of the window, else at the last
    space, else hard; concatenating the chunks gives ``text`` back.
    """
    if len(text) <= max_chars:
        return [(0, text)]
    pieces: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        stop = min(start + max_chars, len(text))
        if stop < len(text):
            window = text[start + max_chars // 2 : stop]
            ends = [m.end() for m in _SENTENCE_END.finditer(window)]
            if not ends:
                ends = [m.end() for m in _SPACE.finditer(window)]
            if ends:
                stop = start + max_chars // 2 + ends[-1]
        pieces.append((start, text[start:stop]))
        start = stop
    return pieces


def make_units(
    passages: Sequence[tuple[str, str, str]], *, max_chars: int = MAX_UNIT_CHARS
) -> list[Unit]:
    """Units for ``(passage_id, doc_id, text)`` triples, in order."""
    units: list[Unit] = []
    for passage_id, doc_id, text in passages:
        for offset, chunk in split_text(text or "", max_chars):
            units.append(Unit(passage_id, doc_id, offset, chunk, prepare_text(chunk)))
    return units


def passage_units(passages: pd.DataFrame) -> list[Unit]:
    """Units of a passages table (``passage_id``, ``doc_id``, ``text``), in its order."""
    return make_units(
        list(
            zip(
                passages["passage_id"].astype(str),
                passages["doc_id"].astype(str),
                passages["text"].fillna("").astype(str),
                strict=True,
            )
        )
    )


def document_key(units: Sequence[Unit]) -> str:
    """Cache key of one document's units: a hash of their parsed texts, in order."""
    return fingerprint([sha256_text(u.parse_text) for u in units])


def _group_by_document(units: Sequence[Unit]) -> list[tuple[str, list[Unit]]]:
    groups: dict[str, list[Unit]] = {}
    for unit in units:
        groups.setdefault(unit.doc_id, []).append(unit)
    return list(groups.items())


def _json_default(value: Any) -> Any:
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        return item()
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def _records_of(docs: Sequence[Doc]) -> list[Records]:
    """Each doc's records, through a JSON round trip (as the cache will give them)."""
    return _cached_of(_sidecar_bytes(docs))[0]


SpanRows = dict[str, list[list[Any]]]
Cached = tuple[list[Records], list[SpanRows]]


def _spans_of(docs: Sequence[Doc]) -> list[SpanRows]:
    """Each doc's span groups as ``[start_char, end_char, label]`` rows."""
    return [
        {
            key: [[s.start_char, s.end_char, s.label_] for s in group]
            for key, group in d.spans.items()
        }
        for d in docs
    ]


def _restore(docs: Sequence[Doc], records: list[Records], spans: list[SpanRows]) -> None:
    """Put records (``doc._.<key>``) and span groups back on docs read from a DocBin."""
    for doc, doc_records, doc_spans in zip(docs, records, spans, strict=True):
        for key in RECORD_KEYS:
            if key in doc_records:
                setattr(doc._, key, doc_records[key])
        for key, rows in doc_spans.items():
            found = (doc.char_span(int(a), int(b), label=str(label)) for a, b, label in rows)
            doc.spans[key] = [span for span in found if span is not None]


def _read_records(path: Path, expected: int) -> Cached | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        records, spans = data["records"], data["spans"]
    except (OSError, ValueError, KeyError, TypeError) as exc:  # truncated, foreign: reparse
        logger.warning("ignoring unreadable cache file %s (%s)", path, exc)
        return None
    if not (isinstance(records, list) and isinstance(spans, list)) or not (
        len(records) == len(spans) == expected
    ):
        logger.warning("ignoring cache file %s: wrong number of docs", path)
        return None
    return records, spans


def _read_docbin(path: Path, nlp: Language, expected: int) -> list[Doc] | None:
    try:
        docbin = DocBin(store_user_data=False).from_bytes(path.read_bytes())
        docs = list(docbin.get_docs(nlp.vocab))
    except Exception as exc:  # a truncated or foreign file: parse again
        logger.warning("ignoring unreadable DocBin cache file %s (%s)", path, exc)
        return None
    if len(docs) != expected:
        logger.warning("ignoring DocBin cache file %s: wrong number of docs", path)
        return None
    return docs


def _docbin_bytes(docs: Sequence[Doc]) -> bytes:
    """The DocBin of ``docs``: tokens and every annotation of the model.

    The span groups are taken off each doc while it is added (and put back after):
    srsly's msgpack encoding of a doc's span groups and user data scans the installed
    packages' entry points on every call, which made writing the cache cost as much as
    a third of a cold run. The JSON sidecar holds them instead (:func:`_sidecar_bytes`).
    """
    docbin = DocBin(store_user_data=False)
    for doc in docs:
        groups = {key: list(group) for key, group in doc.spans.items()}
        doc.spans.clear()
        try:
            docbin.add(doc)
        finally:
            for key, group in groups.items():
                doc.spans[key] = group
    return bytes(docbin.to_bytes())


def _sidecar_bytes(docs: Sequence[Doc]) -> bytes:
    """The JSON sidecar of ``docs``: each doc's records and span groups."""
    raw = [{key: getattr(doc._, key) or [] for key in RECORD_KEYS} for doc in docs]
    payload = {"version": 2, "records": raw, "spans": _spans_of(docs)}
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=_json_default)
    return text.encode("utf-8")


def _cached_of(sidecar: bytes) -> Cached:
    """Records and spans from sidecar bytes: what a re-run reads, so a cold run's
    tables are those of a warm one."""
    data = json.loads(sidecar)
    return data["records"], data["spans"]


def _write_files(spacy_path: Path, records_path: Path, docbin: bytes, sidecar: bytes) -> None:
    atomic_write_bytes(spacy_path, docbin)
    atomic_write_bytes(records_path, sidecar)  # last: marks the pair complete


class _ShardWriter:
    """Writes cache files on a background thread, so their fsyncs overlap the parsing.

    Each atomic write syncs its file (about 5 ms each on this machine, two files per
    document): done inline, that was 0.3 s of wall time per 30 documents, idle for the
    CPU. The docs are serialised by the caller (the thread never touches a Doc);
    :meth:`close` waits for every write and re-raises the first error.
    """

    #: Writes queued before :meth:`submit` waits for the oldest (bounds memory).
    MAX_PENDING = 64

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="docbin-writer")
        self._pending: deque[Future[None]] = deque()

    def submit(self, spacy_path: Path, records_path: Path, docbin: bytes, sidecar: bytes) -> None:
        """Queue the writing of one document's two cache files."""
        if len(self._pending) >= self.MAX_PENDING:
            self._pending.popleft().result()
        self._pending.append(
            self._pool.submit(_write_files, spacy_path, records_path, docbin, sidecar)
        )

    def close(self) -> None:
        """Wait for the queued writes; raise the first error of any of them."""
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)


def annotate(
    units: Sequence[Unit],
    nlp: Language,
    *,
    cache_dir: Path | None,
    pipeline_fp: str,
    batch_size: int = 32,
    n_process: int = 1,
    stats: AnnotateStats | None = None,
    progress: bool = False,
    executor: Executor | None = None,
    names: Mapping[str, str] | None = None,
) -> Iterator[AnnotatedUnit]:
    """Annotate units, reading and filling the DocBin cache; yields in input order.

    Args:
        units: From :func:`make_units`, grouped by document (as ingestion orders them).
        nlp: The pipeline (see :func:`corpus.nlp.pipeline.build_pipeline`).
        cache_dir: The ``docbin`` cache folder, or ``None`` for no cache.
        pipeline_fp: :func:`corpus.nlp.pipeline.pipeline_fingerprint` of ``nlp``.
        batch_size: Docs per ``nlp.pipe`` batch.
        n_process: Worker processes: forked workers that each parse whole documents
            with ``nlp.pipe`` (spaCy's ``n_process`` where fork is unavailable).
        stats: Filled in with counts (parsed, cached...).
        progress: Show a progress bar over documents.
        executor: Parse on a cluster (:mod:`corpus.engine`) instead of here; the cache
            files are still written here, with the same bytes.
        names: A name per ``doc_id`` (its path) for error messages.

    Yields:
        One :class:`AnnotatedUnit` per unit.
    """
    stats = stats if stats is not None else AnnotateStats()
    groups = _group_by_document(units)
    folder = cache_dir / pipeline_fp if cache_dir is not None else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)

    plan: list[tuple[list[Unit], str, bool]] = []
    missing: list[list[Unit]] = []
    for _doc_id, group in groups:
        key = document_key(group)
        stats.keys.add(key)
        hit = folder is not None and all(p.exists() for p in _shard_paths(folder, key))
        plan.append((group, key, hit))
        if not hit:
            missing.append(group)

    workers = (n_process > 1 and len(missing) > 1 and _can_fork()) or (
        executor is not None and bool(missing)
    )
    pool: multiprocessing.pool.Pool | None = None
    if executor is not None and missing:
        # The cluster's workers parse runs of whole documents, as the forked ones would.
        worker_results = _cluster_results(executor, missing, nlp, batch_size, folder, names)
        stream: Iterator[tuple[Doc, int]] = iter(())
    elif workers:
        # Worker processes parse whole documents and send back their serialised
        # annotations (see _start_workers).
        pool, worker_results = _start_workers(
            missing, nlp, batch_size, n_process, docbin=folder is not None
        )
        stream = iter(())
    else:
        # One lazy stream over every unit to parse, in document order: documents are
        # yielded as soon as they are complete, so memory holds one document.
        stream = iter(
            nlp.pipe(
                ((u.parse_text, i) for i, group in enumerate(missing) for u in group),
                as_tuples=True,
                batch_size=batch_size,
                # Without fork (macOS, Windows): spaCy's own worker processes.
                n_process=n_process if len(missing) > 1 else 1,
            )
            if missing
            else ()
        )
    writer = _ShardWriter() if folder is not None else None  # threads start on submit
    bar = _progress(progress, len(groups))
    next_missing = 0
    try:
        for group, key, hit in plan:
            spacy_path, records_path = _shard_paths(folder, key) if folder else (None, None)
            shard = _Shard(spacy_path, nlp, group)
            cached = _read_records(records_path, len(group)) if hit and records_path else None
            if cached is None:
                if workers and not hit:
                    sidecar, docbin = next(worker_results)
                else:
                    docs = _parse_now(group, hit, stream, next_missing, nlp, batch_size)
                    next_missing += int(not hit)
                    shard.set_docs(docs)
                    sidecar = _sidecar_bytes(docs)
                    docbin = _docbin_bytes(docs) if writer is not None else None
                cached = _cached_of(sidecar)
                stats.n_parsed += len(group)
                if writer is not None and spacy_path and records_path and docbin is not None:
                    writer.submit(spacy_path, records_path, docbin, sidecar)
                    stats.shards_written += 1
            else:
                stats.n_cached += len(group)
            shard.cached = cached
            stats.n_documents += 1
            if bar is not None:
                bar.update(1)
            for index, (unit, unit_records) in enumerate(zip(group, cached[0], strict=True)):
                stats.n_units += 1
                stats.n_words += len(unit.text.split())
                yield AnnotatedUnit(unit, unit_records, shard, index)
    finally:
        if pool is not None:
            pool.terminate()
        if writer is not None:
            writer.close()
        if bar is not None:
            bar.close()


def _parse_now(
    group: Sequence[Unit],
    hit: bool,
    stream: Iterator[tuple[Doc, int]],
    group_index: int,
    nlp: Language,
    batch_size: int,
) -> list[Doc]:
    """The docs of one document: from the shared stream, or parsed now after a cache hit
    whose file turned out unreadable."""
    if hit:
        return list(nlp.pipe([u.parse_text for u in group], batch_size=batch_size))
    docs = []
    for _unit in group:
        doc, index = next(stream)
        if index != group_index:  # spaCy keeps order; never mix documents up
            raise RuntimeError("nlp.pipe returned docs out of order")
        docs.append(doc)
    return docs


# -- worker processes ----------------------------------------------------------------------
# Why not ``nlp.pipe(..., n_process=n)``: spaCy sends every doc back to the parent with
# Doc.to_bytes/from_bytes, and decoding a doc's user data and span groups makes about ten
# srsly msgpack calls that each scan the installed packages' entry points: on 1,200
# passages that took longer than the parse itself (full pass 4x slower than the bare
# model with 2 processes). Here each worker parses a run of whole documents with one
# ``nlp.pipe`` (batches as large as in-process ones) and sends back, per document, the
# sidecar JSON and the DocBin bytes; the parent writes the cache files (on its writer
# thread) and reads docs lazily from the cache, like on a re-run.
_WORKER_NLP: Language | None = None

#: What a worker sends back per document: sidecar JSON bytes, DocBin bytes (or None).
Serialised = tuple[bytes, bytes | None]


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _parse_documents(task: tuple[list[list[str]], int, bool]) -> list[Serialised]:
    """Worker side: parse a run of documents (texts per document) in one stream."""
    if _WORKER_NLP is None:  # pragma: no cover - set before the fork
        raise RuntimeError("worker started without a pipeline")
    return parse_documents(_WORKER_NLP, task)


def parse_documents(nlp: Language, task: tuple[list[list[str]], int, bool]) -> list[Serialised]:
    """Parse a run of documents (texts per document) in one ``nlp.pipe`` stream.

    Returns:
        Per document, its sidecar JSON bytes and its DocBin bytes (``None`` when the
        task asks for no DocBin).
    """
    documents, batch_size, docbin = task
    stream = nlp.pipe(
        ((text, i) for i, texts in enumerate(documents) for text in texts),
        as_tuples=True,
        batch_size=batch_size,
    )
    parsed: list[list[Doc]] = [[] for _ in documents]
    for doc, index in stream:
        parsed[index].append(doc)
    return [(_sidecar_bytes(docs), _docbin_bytes(docs) if docbin else None) for docs in parsed]


def _worker_tasks(
    groups: Sequence[Sequence[Unit]], batch_size: int, docbin: bool
) -> list[tuple[list[list[str]], int, bool]]:
    """Runs of consecutive documents of at least ``batch_size`` units each (one task)."""
    tasks: list[tuple[list[list[str]], int, bool]] = []
    current: list[list[str]] = []
    size = 0
    for group in groups:
        current.append([u.parse_text for u in group])
        size += len(group)
        if size >= batch_size:
            tasks.append((current, batch_size, docbin))
            current, size = [], 0
    if current:
        tasks.append((current, batch_size, docbin))
    return tasks


def _start_workers(
    groups: Sequence[Sequence[Unit]],
    nlp: Language,
    batch_size: int,
    n_process: int,
    *,
    docbin: bool,
) -> tuple[multiprocessing.pool.Pool, Iterator[Serialised]]:
    """Fork ``n_process`` workers; the serialised annotations of each group, in order.

    The workers are forked here, at once, not on the first ``next``: by then the
    parent's cache-writer thread may be running, and forking a process with a live
    thread can leave a lock it held locked forever in the child. The caller terminates
    the pool when done (or abandoned).
    """
    global _WORKER_NLP
    tasks = _worker_tasks(groups, batch_size, docbin)
    _WORKER_NLP = nlp  # inherited by the forked workers
    try:
        pool = multiprocessing.get_context("fork").Pool(min(n_process, len(tasks)))
    finally:
        _WORKER_NLP = None
    results = pool.imap(_parse_documents, tasks, chunksize=1)
    return pool, (item for task_results in results for item in task_results)


def _cluster_results(
    executor: Executor,
    groups: Sequence[Sequence[Unit]],
    nlp: Language,
    batch_size: int,
    folder: Path | None,
    names: Mapping[str, str] | None,
) -> Iterator[Serialised]:
    """The serialised annotations of each group, parsed on the executor's workers."""
    from corpus.engine import describe_items
    from corpus.engine.plugin import pipeline_spec
    from corpus.engine.tasks import annotate_partition

    tasks = _worker_tasks(groups, batch_size, folder is not None)
    doc_ids: list[list[str]] = []
    position = 0
    for task in tasks:
        count = len(task[0])
        doc_ids.append([groups[position + i][0].doc_id for i in range(count)])
        position += count

    def describe(index: int, _task: Any) -> str:
        found = [(names or {}).get(d, d) for d in doc_ids[index]]
        return "the documents " + describe_items(found)

    results = executor.map(
        annotate_partition,
        tasks,
        shared=pipeline_spec(nlp),
        label="annotate",
        describe=describe,
        total=len(tasks),
        progress=False,  # the stage's own bar counts documents
    )
    return (item for task_results in results for item in task_results)


def _shard_paths(folder: Path, key: str) -> tuple[Path, Path]:
    return folder / f"{key}.spacy", folder / f"{key}.records.json"


def prune_cache(cache_dir: Path, *, keep_fingerprint: str, keep_keys: set[str]) -> int:
    """Delete cache files of other pipeline fingerprints and of documents gone.

    Returns:
        The number of files and folders removed.
    """
    removed = 0
    if not cache_dir.is_dir():
        return 0
    for child in cache_dir.iterdir():
        if child.is_dir() and child.name != keep_fingerprint:
            shutil.rmtree(child, ignore_errors=True)
            removed += 1
    current = cache_dir / keep_fingerprint
    if current.is_dir():
        for file in current.iterdir():
            if file.is_file() and file.name.split(".", 1)[0] not in keep_keys:
                file.unlink(missing_ok=True)
                removed += 1
    return removed


def _progress(enabled: bool, total: int) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", desc="annotate")
