"""Append-only caches keyed by passage hash: lemmas (Parquet) and embeddings (safetensors).

A cache is a folder of shards; each call that computes new entries writes one new shard
atomically, so a refit on a grown corpus only computes (and writes) the new passages.
Shards are never rewritten; delete the folder to clear a cache.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from corpus.store import atomic_write_bytes, atomic_write_parquet, fingerprint, sha256_text

logger = logging.getLogger(__name__)


def passage_hash(text: str) -> str:
    """The cache key of a passage: 32 hex characters of the SHA-256 of its text."""
    return sha256_text(text)[:32]


class LemmaCache:
    """Lemma strings per passage hash, in Parquet shards under ``root``.

    Args:
        root: The cache folder (one per lemmatiser fingerprint).
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._data: dict[str, str] | None = None

    def _load(self) -> dict[str, str]:
        if self._data is None:
            data: dict[str, str] = {}
            for shard in sorted(self.root.glob("shard-*.parquet")):
                frame = pd.read_parquet(shard)
                data.update(zip(frame["key"].tolist(), frame["lemmas"].tolist(), strict=True))
            self._data = data
        return self._data

    def get_many(self, keys: Iterable[str]) -> dict[str, str]:
        """Cached values for the keys that are present."""
        data = self._load()
        return {key: data[key] for key in keys if key in data}

    def put_many(self, items: dict[str, str]) -> None:
        """Store new entries as one shard."""
        if not items:
            return
        keys = sorted(items)
        frame = pd.DataFrame({"key": keys, "lemmas": [items[k] for k in keys]})
        shard = self.root / f"shard-{fingerprint(keys)}.parquet"
        atomic_write_parquet(shard, frame)
        self._load().update(items)


class EmbeddingCache:
    """Embedding vectors per passage hash, in safetensors shards under ``root``.

    Each shard holds a ``vectors`` matrix; its row keys are in the shard's metadata.

    Args:
        root: The cache folder (one per embedding backend).
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._data: dict[str, np.ndarray] | None = None

    def _load(self) -> dict[str, np.ndarray]:
        if self._data is None:
            from safetensors import safe_open

            data: dict[str, np.ndarray] = {}
            for shard in sorted(self.root.glob("shard-*.safetensors")):
                with safe_open(str(shard), framework="numpy") as handle:
                    meta = handle.metadata() or {}
                    keys = meta.get("keys", "").split(",") if meta.get("keys") else []
                    vectors = handle.get_tensor("vectors")
                data.update(zip(keys, vectors, strict=True))
            self._data = data
        return self._data

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Cached vectors for the keys that are present."""
        data = self._load()
        return {key: data[key] for key in keys if key in data}

    def put_many(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        """Store new vectors (one row per key) as one shard."""
        if not len(keys):
            return
        from safetensors.numpy import save

        order = np.argsort(np.asarray(keys))
        sorted_keys = [keys[i] for i in order]
        matrix = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32)[order])
        payload = save({"vectors": matrix}, metadata={"keys": ",".join(sorted_keys)})
        atomic_write_bytes(self.root / f"shard-{fingerprint(sorted_keys)}.safetensors", payload)
        self._load().update(zip(sorted_keys, matrix, strict=True))
        logger.debug("cached %d embeddings in %s", len(keys), self.root)
