"""Caches of the topics stage, in the store's ``cache`` folder.

* Append-only caches keyed by passage hash: lemmas (Parquet) and embeddings
  (safetensors). A cache is a folder of shards; each call that computes new entries
  writes one new shard atomically, so a refit on a grown corpus only computes (and
  writes) the new passages. Shards are never rewritten; delete the folder to clear a cache.
* :class:`TopicFitCache`: whole fitted results keyed by :func:`fit_key` (passages,
  parameters, package versions and the source of :mod:`corpus.topics`), so an unchanged
  corpus is not refitted. An entry is a saved model folder (:func:`~corpus.topics.io.save_model`)
  plus what the analyses of a result need without the live model (analysed text,
  vectorizer vocabulary, topic hierarchy), read back as :class:`CachedFit`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corpus.store import (
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_parquet,
    fingerprint,
    sha256_bytes,
    sha256_file,
    sha256_text,
)
from corpus.topics.io import SavedTopics, package_versions, save_model

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


#: Bumped when the layout of a fit cache entry changes.
FIT_CACHE_VERSION = 1
#: Entries kept in the fit cache (the least recently used are removed beyond this).
FIT_CACHE_SIZE = 8
_COMPLETE = "complete.json"


def topics_source_digest() -> str:
    """Hash of every source and resource file of :mod:`corpus.topics`.

    A change to the topics code or its word lists, by anyone, invalidates fitted results.
    """
    package = Path(__file__).resolve().parent
    files = sorted(
        p
        for p in package.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )
    return fingerprint([(str(p.relative_to(package)), sha256_file(p)) for p in files])


def fit_key(
    passages: pd.DataFrame, params: dict[str, Any], embeddings: np.ndarray | None = None
) -> str:
    """The fit cache key of a topic model fit.

    Args:
        passages: ``passage_id``, ``doc_id``, ``text``, in the order given to the model.
        params: Every :class:`~corpus.topics.model.TopicModel` parameter (JSON-ready; the
            cache folder excluded), seed and embedding backend included.
        embeddings: Precomputed embeddings given to the fit, if any.

    Returns:
        32 hex characters.
    """
    rows = passages[["passage_id", "doc_id", "text"]].astype(str)
    content = sha256_text(
        json.dumps(rows.to_numpy().tolist(), ensure_ascii=False, separators=(",", ":"))
    )
    matrix = None
    if embeddings is not None:
        array = np.ascontiguousarray(np.asarray(embeddings, dtype=np.float32))
        matrix = [list(array.shape), sha256_bytes(array.tobytes())]
    parts = [FIT_CACHE_VERSION, content, params, matrix, package_versions(), topics_source_digest()]
    return sha256_text(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str))[:32]


class CachedFit(SavedTopics):
    """A fitted result read back from :class:`TopicFitCache`.

    It has the attributes of a fitted :class:`~corpus.topics.model.TopicModel` that the
    result tables, figures, hierarchy and evaluation use; the BERTopic model (topics and
    c-TF-IDF, no UMAP/HDBSCAN) and the vectorizer are rebuilt when first asked for.

    Attributes:
        hierarchy_: The topic hierarchy computed at fit time (empty below three topics).
    """

    def __init__(self, path: Path, meta: dict[str, Any]) -> None:
        super().__init__(path, meta)
        fit = json.loads((path / "fit.json").read_text(encoding="utf-8"))
        self.params_ = self.summary_["params"]
        self.random_state = self.params_["random_state"]
        self.id_map_ = {int(k): int(v) for k, v in meta["id_map"].items()}
        self.n_topics_ = int(self.summary_["n_topics"])
        self.outlier_share_ = float(fit["outlier_share"])
        self.clustering_ = self.summary_["clustering"]
        self.fallback_ = self.summary_["fallback"]
        self.warnings_ = list(self.summary_["warnings"])
        self.topics_ = np.asarray(fit["internal_topics"], dtype=np.int64)
        self._vectorizer = fit["vectorizer"]
        self.analysed_ = pd.read_parquet(path / "analysed.parquet")["text"].tolist()
        hierarchy = fit["hierarchy"]
        frame = pd.DataFrame(hierarchy["records"], columns=hierarchy["columns"])
        self.hierarchy_ = frame.astype(hierarchy["dtypes"]) if len(frame) else pd.DataFrame()
        if len(self.analysed_) != len(self.passage_topics_) or len(self.topics_) != len(
            self.analysed_
        ):
            raise ValueError("the entry's tables disagree on the number of passages")

    @cached_property
    def bertopic_(self) -> Any:
        """The BERTopic model, loaded from the entry's safetensors."""
        return self.bertopic()

    @cached_property
    def vectorizer_(self) -> Any:
        """The fitted vectorizer (same parameters and vocabulary as at fit time)."""
        from corpus.topics.vectorizer import build_vectorizer

        settings = self._vectorizer
        vectorizer = build_vectorizer(
            len(self.analysed_),
            ngram_range=tuple(settings["ngram_range"]),
            min_df=settings["min_df"],
        )
        vectorizer.vocabulary_ = {str(k): int(v) for k, v in settings["vocabulary"].items()}
        return vectorizer


class TopicFitCache:
    """Fitted topic results keyed by :func:`fit_key`, one folder per entry under ``root``.

    An entry is written in a temporary folder, completed by a marker file, then renamed
    into place; a partial or unreadable entry is ignored (with a warning) and removed.

    Args:
        root: The cache folder.
        size: Entries kept (least recently used removed first).
    """

    def __init__(self, root: Path, *, size: int = FIT_CACHE_SIZE) -> None:
        self.root = Path(root)
        self.size = size

    def get(self, key: str) -> CachedFit | None:
        """The entry for ``key``, or ``None`` (missing, partial or unreadable)."""
        from corpus.topics.io import load_model

        entry = self.root / key
        if not entry.is_dir():
            return None
        try:
            marker = json.loads((entry / _COMPLETE).read_text(encoding="utf-8"))
            if marker.get("key") != key:
                raise ValueError("the completion marker names another key")
            saved = load_model(entry)
            cached = CachedFit(entry, saved.meta)
        except Exception as exc:  # a broken entry costs a refit, never a failure
            logger.warning("ignoring the unreadable topic fit cache entry %s: %s", entry, exc)
            shutil.rmtree(entry, ignore_errors=True)
            return None
        (entry / _COMPLETE).touch()  # recency, for pruning
        logger.info("topic model read from the fit cache (%s)", key)
        return cached

    def put(
        self, key: str, model: Any, *, corpus_fingerprint: str, hierarchy: pd.DataFrame
    ) -> Path | None:
        """Store a fitted :class:`~corpus.topics.model.TopicModel` under ``key``.

        Args:
            key: From :func:`fit_key`.
            model: The fitted model (after alignment).
            corpus_fingerprint: Recorded with the saved model.
            hierarchy: The model's topic hierarchy (:func:`corpus.topics.api.topic_hierarchy`).

        Returns:
            The entry folder, or ``None`` if it could not be written (logged).
        """
        entry = self.root / key
        tmp = self.root / f".{key}.{os.getpid()}.tmp"  # two processes may store one key
        try:
            shutil.rmtree(tmp, ignore_errors=True)
            save_model(model, tmp, corpus_fingerprint=corpus_fingerprint)
            atomic_write_parquet(tmp / "analysed.parquet", pd.DataFrame({"text": model.analysed_}))
            vectorizer = model.vectorizer_
            records = hierarchy.to_dict("records")
            atomic_write_json(
                tmp / "fit.json",
                {
                    "outlier_share": float(model.outlier_share_),
                    "internal_topics": [int(t) for t in model.topics_],
                    "vectorizer": {
                        "ngram_range": list(vectorizer.ngram_range),
                        "min_df": vectorizer.min_df,
                        "vocabulary": {str(k): int(v) for k, v in vectorizer.vocabulary_.items()},
                    },
                    "hierarchy": {
                        "columns": list(hierarchy.columns),
                        "dtypes": {c: str(t) for c, t in hierarchy.dtypes.items()},
                        "records": [{k: _plain(v) for k, v in r.items()} for r in records],
                    },
                },
            )
            atomic_write_json(tmp / _COMPLETE, {"key": key})
            if entry.exists():  # an older or broken copy: replaced
                shutil.rmtree(entry)
            tmp.rename(entry)
        except Exception as exc:  # a full disk or a concurrent writer must not fail the fit
            logger.warning("could not store the topic fit in the cache: %s", exc)
            shutil.rmtree(tmp, ignore_errors=True)
            return None
        self._prune()
        return entry

    def _prune(self) -> None:
        entries = [p for p in self.root.iterdir() if (p / _COMPLETE).exists()]
        entries.sort(key=lambda p: (p / _COMPLETE).stat().st_mtime, reverse=True)
        for old in entries[self.size :]:
            shutil.rmtree(old, ignore_errors=True)


def _plain(value: Any) -> Any:
    """A JSON value for a hierarchy cell (numpy scalars and arrays made plain)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value
