"""The partition functions the workers run: ``func(shared, partition) -> compact result``.

Each takes what it needs with it (file bytes, texts, a pipeline spec: no shared
filesystem), uses the models of this worker's :class:`~corpus.engine.plugin.ModelPlugin`
and returns plain, compact values (rows, serialised annotations, lemma strings, float32
matrices) that the client turns into the same tables as one process would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from corpus.engine.documents import DocumentResult, DocumentTask
    from corpus.engine.lexico import LexicoResult, LexicoTask
    from corpus.engine.plugin import PipelineSpec
    from corpus.extract.annotate import Serialised

#: Stands for the record tables a document task does not carry (they are passed through).
_EMPTY = pd.DataFrame({"doc_id": pd.Series([], dtype="object")})


def ingest_partition(ctx: Any, partition: list[Any]) -> list[Any]:
    """Clean, describe and segment the files of a partition (bytes read by the client).

    Args:
        ctx: The ingest settings (:class:`corpus.ingest.pipeline._Context`), sent once.
        partition: ``(rel, size, mtime_ns, bytes or rejection)`` per file.

    Returns:
        ``(rel, size, mtime_ns, outcome)`` per file, in order.
    """
    from corpus.ingest.pipeline import process_partition

    return process_partition(ctx, partition)


def annotate_partition(
    spec: PipelineSpec, task: tuple[list[list[str]], int, bool]
) -> list[Serialised]:
    """Parse a run of documents with the extraction pipeline of ``spec``.

    Returns:
        Per document, the sidecar JSON bytes and DocBin bytes the cache stores.
    """
    from corpus.engine.plugin import models
    from corpus.extract.annotate import parse_documents

    return parse_documents(models().pipeline(spec), task)


def lemmatise_partition(settings: tuple[str, int], texts: list[str]) -> list[str]:
    """The content-word lemma string of each text (``settings``: model, batch size)."""
    from corpus.engine.plugin import models
    from corpus.topics.vectorizer import lemma_strings

    model, batch_size = settings
    return lemma_strings(models().lemmatiser(model), texts, batch_size=batch_size)


def embed_partition(settings: tuple[str, str | None], texts: list[str]) -> np.ndarray:
    """The embedding of each text (``settings``: backend, model) as a float32 matrix."""
    from corpus.engine.plugin import models

    backend, model = settings
    vectors = models().embedder(backend, model).embed(texts)
    return np.asarray(vectors, dtype=np.float32)


def document_partition(scorers: Any, task: DocumentTask) -> DocumentResult:
    """Decide the document-level tables of a run of documents (the trained scorers' step).

    Args:
        scorers: The scorer set in force per field, sent once.
        task: The partition's record slices, passages, documents and the client's e5
            cache folder (read when this worker sees it).

    Returns:
        The tables of :data:`corpus.engine.documents.DOCUMENT_TABLES` for these documents,
        and the e5 vectors computed here (text hash -> row) for the client's cache.
    """
    from corpus.engine.documents import DOCUMENT_TABLES, WorkerEncoder
    from corpus.extract.tables import ScoringContext, build_tables
    from corpus.nlp import RECORD_KEYS

    records, passages, documents, cache = task
    encoder = WorkerEncoder(cache)
    context = ScoringContext(
        passages=passages, documents=documents, scorers=dict(scorers or {}), embed=encoder
    )
    # build_tables also passes the record tables through: those stay on the client
    empty = {key: records.get(key, _EMPTY) for key in RECORD_KEYS}
    tables = build_tables(empty, passages, documents, context=context)
    return {name: tables[name] for name in DOCUMENT_TABLES}, encoder.fresh


def lexico_partition(settings: tuple[int, str], task: LexicoTask) -> LexicoResult:
    """Tag, cut and mark the passages of a run of whole documents (Reinert's segments).

    Args:
        settings: Segment size and spaCy model, sent once.
        task: The passages and the token rows the client's cache holds for them.

    Returns:
        Segments, tokens (with ``segment_id`` and ``active``) and the rows tagged here.
    """
    from corpus.lexico.matrix import mark_active
    from corpus.lexico.segments import segment
    from corpus.lexico.tokens import passage_key, tag, token_table

    segment_size, model = settings
    passages, known = task
    texts = passages["text"].astype(str).tolist()
    keys = [passage_key(t) for t in texts]
    cached = set(known["key"])
    todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in cached}
    fresh = tag(todo, model=model) if todo else known.iloc[:0]
    found = pd.concat([known, fresh], ignore_index=True) if len(known) else fresh
    table = token_table(passages, keys, found)
    segments, tokens = segment(passages, table, segment_size=segment_size)
    return segments, mark_active(tokens), fresh
