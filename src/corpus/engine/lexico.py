"""Reinert's segments on a cluster: tagging, IRaMuTeQ's cut and the active lemmas of
runs of documents, with the same tables as one process.

:func:`corpus.lexico.stage.lexico_tables` tags every passage (spaCy, cached by passage
hash), cuts the passages into segments of about 40 words and marks the active lemmas.
All three work passage by passage and number segments within a document, so a
partition of whole documents gives exactly its part of the tables:
:func:`segment_on` sends each partition's passages with the token rows the client's
cache already holds for them; the worker tags the others, cuts and marks, and returns
its segments, its tokens and the rows it tagged, which the client writes to its cache
(one writer). Pieces are concatenated in the passages' order.

The segments × lemmas matrix is built afterwards, on the client, from the whole token
table: which lemmas are kept depends on their frequency across every segment.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corpus.engine.base import Executor, describe_items

logger = logging.getLogger(__name__)

#: Passages per partition (whole documents: a partition may hold a few more).
PARTITION_PASSAGES = 400

#: What a task carries: the partition's passages and the cached token rows of their texts.
LexicoTask = tuple[pd.DataFrame, pd.DataFrame]
#: What it returns: segments, tokens (with ``segment_id`` and ``active``), rows tagged.
LexicoResult = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]


def passage_partitions(doc_ids: pd.Series, size: int = PARTITION_PASSAGES) -> list[np.ndarray]:
    """Row positions of runs of whole documents, about ``size`` passages each.

    Raises:
        ValueError: A document's passages are not consecutive rows (the cut numbers
            segments within a document, which must then stay in one partition).
    """
    values = doc_ids.astype(str).to_numpy()
    if not len(values):
        return []
    change = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.concatenate([[0], change])
    if len(set(values[starts])) != len(starts):
        raise ValueError("the passages of a document are not consecutive")
    parts: list[np.ndarray] = []
    first = 0
    for boundary in [*starts[1:].tolist(), len(values)]:
        if boundary - first >= size or boundary == len(values):
            parts.append(np.arange(first, boundary))
            first = boundary
    return parts


def segment_on(
    executor: Executor,
    passages: pd.DataFrame,
    *,
    cache_dir: Path | None,
    segment_size: int = 40,
    model: str | None = None,
    partition_passages: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Segments and active-marked tokens of the passages, computed on the workers.

    Args:
        executor: The engine.
        passages: The store's passages, in order.
        cache_dir: The store's token cache folder (read and written here only).
        segment_size: Target segment length in words.
        model: The spaCy model (default :data:`corpus.lexico.tokens.MODEL`).
        partition_passages: Passages per task (default :data:`PARTITION_PASSAGES`).

    Returns:
        ``(segments, tokens)`` as :func:`corpus.lexico.segments.segment` then
        :func:`corpus.lexico.matrix.mark_active` give them in one process.
    """
    from corpus.engine.tasks import lexico_partition
    from corpus.lexico.segments import SEGMENT_COLUMNS
    from corpus.lexico.tokens import (
        MODEL,
        TOKEN_COLUMNS,
        TokenCache,
        passage_key,
        tokens_fingerprint,
    )

    model = model or MODEL
    keys = [passage_key(t) for t in passages["text"].astype(str)]
    cache = TokenCache(Path(cache_dir) / tokens_fingerprint(model)) if cache_dir else None
    found = cache.read(set(keys)) if cache else pd.DataFrame(columns=TOKEN_COLUMNS)
    where = found.groupby("key", sort=False).indices if len(found) else {}
    parts = passage_partitions(passages["doc_id"], partition_passages or PARTITION_PASSAGES)

    def tasks() -> Iterator[LexicoTask]:
        for rows in parts:
            wanted = [where[k] for k in dict.fromkeys(keys[i] for i in rows) if k in where]
            known = found.iloc[np.sort(np.concatenate(wanted))] if wanted else found.iloc[:0]
            yield passages.iloc[rows], known

    def describe(index: int, _task: Any) -> str:
        docs = list(dict.fromkeys(passages["doc_id"].astype(str).iloc[parts[index]]))
        return "the documents " + describe_items(docs)

    results = executor.map(
        lexico_partition,
        tasks(),
        shared=(segment_size, model),
        label="lexico",
        describe=describe,
        total=len(parts),
    )
    segments: list[pd.DataFrame] = []
    tokens: list[pd.DataFrame] = []
    for part_segments, part_tokens, fresh in results:
        if cache is not None and len(fresh):
            cache.write(fresh)
        if len(part_segments):
            segments.append(part_segments)
            tokens.append(part_tokens)
    if not segments:
        return pd.DataFrame(columns=SEGMENT_COLUMNS), pd.DataFrame()
    return (
        pd.concat(segments, ignore_index=True),
        pd.concat(tokens, ignore_index=True),
    )
