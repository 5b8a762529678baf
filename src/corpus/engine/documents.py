"""The extraction tables' document step (the trained scorers' decisions) on a cluster.

After annotation, :func:`corpus.extract.tables.build_tables` runs each field's
document-level function (definition scoring and attribution, actor linking with the
keep/sector/role scorers and their e5 embeddings of candidate sentences, need and stage
scorers). Each of them decides a document from that document's records and passages
alone, so the documents can be cut into partitions, decided on the workers, and the
pieces put back together: :func:`build_tables_on` does that, with the same bytes as one
process.

* A partition is a run of documents in ``doc_id`` order (:data:`PARTITION_DOCUMENTS`
  documents); a task carries the partition's slices of the record tables, passages and
  documents (no shared filesystem); the scorer sets travel once, as the map's shared value.
* Pieces are concatenated in partition order and put in the order the one-process
  functions give (every document-level table is in ``doc_id`` order except
  ``doc_actor_types``, in the records' document order), with a stable sort on the
  document's rank, so rows within a document keep their order.
* The e5 vectors a worker computes come back with its result and the client writes them
  to the store's cache (keyed by text hash, as in one process). A worker reads that cache
  first when its folder is visible from the worker (same machine, or a shared disk);
  otherwise it computes the vectors, which are the same bytes either way.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corpus.engine.base import Executor, describe_items
from corpus.extract.tables import TABLE_NAMES

if TYPE_CHECKING:
    from corpus.scorers.model import ScorerSet

logger = logging.getLogger(__name__)

#: Documents per partition of the document step (a task of a few seconds).
PARTITION_DOCUMENTS = 16
#: The tables decided per document, and the record tables they read.
DOCUMENT_TABLES = (
    "definitions",
    "dimensions",
    "actors",
    "doc_actor_types",
    "doc_needs",
    "doc_stages",
)
DOCUMENT_INPUTS = ("definitions", "actors", "actor_types", "needs", "stages")
#: Tables whose rows follow the records' document order rather than ``doc_id`` order.
RECORD_ORDER_TABLES = frozenset({"doc_actor_types"})

#: What a task carries: record slices, passages, documents, the e5 cache folder.
DocumentTask = tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame, str | None]
#: What it returns: the document tables, and the e5 vectors it computed (hash -> row).
DocumentResult = tuple[dict[str, pd.DataFrame], dict[str, np.ndarray]]


def document_partitions(doc_ids: Sequence[str], size: int = PARTITION_DOCUMENTS) -> list[list[str]]:
    """The documents cut into runs of ``size`` in ``doc_id`` order."""
    ordered = sorted(set(doc_ids))
    return [ordered[i : i + size] for i in range(0, len(ordered), max(1, size))]


def _slices(frame: pd.DataFrame, partitions: list[list[str]]) -> Iterator[pd.DataFrame]:
    """The rows of each partition's documents, in the frame's order."""
    if len(frame) == 0 or "doc_id" not in frame.columns:
        for _ in partitions:
            yield frame.iloc[:0]
        return
    where = frame.groupby(frame["doc_id"].astype(str), sort=False).indices
    empty = np.zeros(0, dtype=np.int64)
    for docs in partitions:
        rows = [where[d] for d in docs if d in where]
        yield frame.iloc[np.sort(np.concatenate(rows)) if rows else empty]


def _tasks(
    records: Mapping[str, pd.DataFrame],
    passages: pd.DataFrame,
    documents: pd.DataFrame,
    partitions: list[list[str]],
    cache: str | None,
) -> Iterator[DocumentTask]:
    streams = {key: _slices(records[key], partitions) for key in DOCUMENT_INPUTS}
    for part_passages, part_documents in zip(
        _slices(passages, partitions), _slices(documents, partitions), strict=True
    ):
        part = {key: next(stream) for key, stream in streams.items()}
        yield part, part_passages, part_documents, cache


def build_tables_on(
    executor: Executor,
    records: Mapping[str, pd.DataFrame],
    passages: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    scorers: Mapping[str, ScorerSet | None] | None = None,
    embeddings_cache: Path | None = None,
    partition_documents: int | None = None,
) -> dict[str, pd.DataFrame]:
    """The extraction tables, those of :data:`DOCUMENT_TABLES` decided on the workers.

    Args:
        executor: The engine.
        records: The candidate records (:func:`corpus.extract.tables.records_to_frames`).
        passages: The annotated (French) passages.
        documents: The documents table.
        scorers: The scorer set in force per field.
        embeddings_cache: The store's e5 cache folder (filled with the vectors the
            workers compute), or ``None``.
        partition_documents: Documents per task (default :data:`PARTITION_DOCUMENTS`).

    Returns:
        ``{table: frame}`` for every table of :data:`corpus.extract.tables.TABLE_NAMES`
        (the record tables passed through as :func:`~corpus.extract.tables.build_tables`
        does), byte for byte the frames one process builds.

    Raises:
        ValueError: No annotated document (the caller decides those in one process).
        EngineError: A partition's worker died on every attempt (its documents named).
    """
    from corpus.engine.tasks import document_partition

    ids = passages["doc_id"].astype(str).tolist() if len(passages) else []
    for key in DOCUMENT_INPUTS:
        if len(records[key]):
            ids.extend(records[key]["doc_id"].astype(str))
    partitions = document_partitions(ids, partition_documents or PARTITION_DOCUMENTS)
    names = (
        dict(zip(documents["doc_id"].astype(str), documents["path"].astype(str), strict=True))
        if "path" in documents.columns
        else {}
    )

    def describe(index: int, _task: Any) -> str:
        return "the documents " + describe_items([names.get(d, d) for d in partitions[index]])

    cache = str(embeddings_cache) if embeddings_cache is not None else None
    results = executor.map(
        document_partition,
        _tasks(records, passages, documents, partitions, cache),
        shared=dict(scorers or {}),
        label="documents",
        describe=describe,
        total=len(partitions),
    )
    pieces: dict[str, list[pd.DataFrame]] = {name: [] for name in DOCUMENT_TABLES}
    for tables, fresh in results:
        for name in DOCUMENT_TABLES:
            pieces[name].append(tables[name])
        if fresh and embeddings_cache is not None:
            _cache_vectors(embeddings_cache, fresh)
    if not partitions:
        raise ValueError("build_tables_on needs at least one annotated document")
    record_rank = _record_rank(records)
    tables = passed_through(records, documents)
    for name in DOCUMENT_TABLES:
        rank = record_rank if name in RECORD_ORDER_TABLES else None
        merged = _merge(pieces[name], rank=rank)
        if merged is None:
            # Partitions gave different columns (a field present in some documents'
            # rows only): the column order and types are those of the whole, so the
            # whole is decided here, from the caches the workers filled.
            logger.warning("table %s: partitions disagree on columns; deciding here", name)
            return _here(records, passages, documents, scorers, embeddings_cache)
        tables[name] = merged
    return {name: tables[name] for name in TABLE_NAMES}


def _here(
    records: Mapping[str, pd.DataFrame],
    passages: pd.DataFrame,
    documents: pd.DataFrame,
    scorers: Mapping[str, ScorerSet | None] | None,
    embeddings_cache: Path | None,
) -> dict[str, pd.DataFrame]:
    """Every table in this process, as :func:`corpus.extract.run.extract_tables` does."""
    from corpus.extract.run import scoring_context
    from corpus.extract.tables import build_tables

    context = scoring_context(passages, documents, scorers=scorers, cache_dir=embeddings_cache)
    return build_tables(dict(records), passages, documents, context=context)


def passed_through(
    records: Mapping[str, pd.DataFrame], documents: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """The tables :func:`~corpus.extract.tables.build_tables` keeps as the records are."""
    from corpus.extract.tables import skipped_table

    tables = {
        "mentions": records["actors"],
        "actor_types": records["actor_types"],
        "needs": records["needs"],
        "free_needs": records["free_needs"],
        "stages": records["stages"],
        "goals": records["goals"],
        "skipped": skipped_table(documents),
    }
    return {name: frame.reset_index(drop=True) for name, frame in tables.items()}


def _record_rank(records: Mapping[str, pd.DataFrame]) -> dict[str, int]:
    """Each document's rank in the records' order (``actor_types``: what
    ``doc_actor_types`` follows)."""
    frame = records["actor_types"]
    if not len(frame):
        return {}
    return {doc: i for i, doc in enumerate(dict.fromkeys(frame["doc_id"].astype(str)))}


def _merge(pieces: list[pd.DataFrame], *, rank: Mapping[str, int] | None) -> pd.DataFrame | None:
    """The pieces as one table, in the one-process order (``None``: they disagree on
    columns or types, and cannot be put together as one process would build them).

    Empty pieces are left out (their dtypes are those of an empty input, which a
    concatenation would impose on the others); when every piece is empty the first
    stands for the whole.
    """
    full = [piece for piece in pieces if len(piece)]
    if not full:
        return pieces[0].reset_index(drop=True)
    dtypes = list(full[0].dtypes.items())
    if any(list(piece.dtypes.items()) != dtypes for piece in full):
        return None
    merged = pd.concat(full, ignore_index=True) if len(full) > 1 else full[0]
    doc = merged["doc_id"].astype(str)
    key = doc.map(rank).to_numpy() if rank is not None else doc.to_numpy()
    order = np.argsort(key, kind="stable")
    if not np.array_equal(order, np.arange(len(order))):
        merged = merged.iloc[order]
    return merged.reset_index(drop=True)


def _cache_vectors(folder: Path, fresh: Mapping[str, np.ndarray]) -> None:
    """Write the vectors a worker computed to the client's e5 cache."""
    from corpus.scorers.embeddings import MODEL_KEY
    from corpus.topics.cache import EmbeddingCache

    cache = EmbeddingCache(Path(folder) / MODEL_KEY)
    known = cache.get_many(list(fresh))
    keys = [key for key in fresh if key not in known]
    if keys:
        cache.put_many(keys, np.vstack([fresh[key] for key in keys]))


class WorkerEncoder:
    """The e5 encoder of a document task: the store's cache when this worker sees it,
    else the model; remembers the vectors it computed so the client can cache them.

    Args:
        cache: The client's e5 cache folder (read only here), or ``None``.
    """

    def __init__(self, cache: str | None) -> None:
        self.cache = Path(cache) if cache else None
        self.fresh: dict[str, np.ndarray] = {}

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` (the contract of :func:`corpus.scorers.embeddings.encode`)."""
        from corpus.scorers.embeddings import DIM, MODEL_KEY, encode
        from corpus.topics.cache import EmbeddingCache, passage_hash

        if not len(texts):
            return np.zeros((0, DIM), dtype=np.float32)
        keys = [passage_hash(text) for text in texts]
        found: dict[str, np.ndarray] = {}
        folder = self.cache / MODEL_KEY if self.cache is not None else None
        if folder is not None and folder.is_dir():
            try:
                found = EmbeddingCache(folder).get_many(keys)
            except Exception:  # a cache being written or unreadable: compute instead
                logger.debug("could not read the e5 cache %s", folder, exc_info=True)
                found = {}
        found.update({k: self.fresh[k] for k in keys if k in self.fresh and k not in found})
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        if todo:
            vectors = encode(list(todo.values()))
            for key, row in zip(todo, vectors, strict=True):
                self.fresh[key] = row
                found[key] = row
        return np.ascontiguousarray(np.vstack([found[k] for k in keys]), dtype=np.float32)
