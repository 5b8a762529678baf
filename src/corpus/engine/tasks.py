"""The partition functions the workers run: ``func(shared, partition) -> compact result``.

Each takes what it needs with it (file bytes, texts, a pipeline spec: no shared
filesystem), uses the models of this worker's :class:`~corpus.engine.plugin.ModelPlugin`
and returns plain, compact values (rows, serialised annotations, lemma strings, float32
matrices) that the client turns into the same tables as one process would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from corpus.engine.plugin import PipelineSpec
    from corpus.extract.annotate import Serialised


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
