"""Topics of a corpus: fit, align with the previous run, write store tables, aggregate.

:func:`fit_topics` is what ``Corpus.topics()``, the ``corpus topics`` command and the
notebooks call. It reads the passages and documents tables, fits a
:class:`~corpus.topics.model.TopicModel` (embeddings and lemmas cached in the store),
aligns topic ids with the model saved by the previous run, saves the new model
(``<store>/models/topics``) and writes the store tables ``topics``, ``passage_topics``,
``document_topics`` and ``topic_alignment``.

Fitted results are cached in the store (``cache/topic-fits``, see
:class:`~corpus.topics.cache.TopicFitCache`): the same passages, parameters, package
versions and topics source code give the stored result instead of a refit (same tables,
hierarchy, figures and evaluation), as long as the alignment with the previous run would
keep its ids and labels.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corpus.context import CorpusContext, HasContext, as_context
from corpus.errors import TopicError, UsageError
from corpus.ingest.tables import ingest_table
from corpus.store import fingerprint as make_fingerprint

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from corpus.engine import Executor
    from corpus.topics.cache import CachedFit
    from corpus.topics.io import SavedTopics
    from corpus.topics.model import TopicModel

logger = logging.getLogger(__name__)

MODEL_DIR = "models/topics"
#: The store cache folder of fitted results.
FIT_CACHE = "topic-fits"


def topics_table(model: Any) -> pd.DataFrame:
    """The topic table: ``topic``, ``label``, ``size``, ``terms``, ``weights``,
    ``representative_ids``, ``representative_texts``."""
    return model.topic_info_.copy()


def document_topics(passage_topics: pd.DataFrame) -> pd.DataFrame:
    """Share of each document's passages in each topic (long format).

    Returns:
        ``doc_id``, ``topic``, ``n_passages``, ``share``, ``dominant`` (the document's
        most frequent topic, ties to the smaller id).
    """
    counts = passage_topics.groupby(["doc_id", "topic"]).size().rename("n_passages").reset_index()
    totals = counts.groupby("doc_id")["n_passages"].transform("sum")
    counts["share"] = (counts["n_passages"] / totals).round(6)
    ordered = counts.sort_values(["doc_id", "n_passages", "topic"], ascending=[True, False, True])
    dominant = ordered.drop_duplicates("doc_id").set_index("doc_id")["topic"]
    counts["dominant"] = counts["doc_id"].map(dominant) == counts["topic"]
    return counts.sort_values(["doc_id", "topic"]).reset_index(drop=True)


def topics_per_class(
    passage_topics: pd.DataFrame,
    documents: pd.DataFrame,
    field_name: str,
    *,
    topic_info: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Passages per (class, topic), with the topic's share of the class.

    Args:
        passage_topics: ``passage_id``, ``doc_id``, ``topic``.
        documents: The documents table (metadata columns, and ``extra`` JSON).
        field_name: A documents column (``genre``, ``region``, ``year``...) or a key of
            the ``extra`` JSON metadata.
        topic_info: Adds the topic labels when given.

    Returns:
        ``class``, ``topic``, ``label``, ``n_passages``, ``share``.

    Raises:
        UsageError: ``field_name`` is neither a column nor an ``extra`` key.
    """
    values = _field_values(documents, field_name)
    frame = passage_topics.merge(values, on="doc_id", how="left")
    frame["class"] = frame["class"].fillna("(inconnu)").astype(str)
    counts = frame.groupby(["class", "topic"]).size().rename("n_passages").reset_index()
    totals = counts.groupby("class")["n_passages"].transform("sum")
    counts["share"] = (counts["n_passages"] / totals).round(6)
    if topic_info is not None:
        labels = dict(zip(topic_info["topic"], topic_info["label"], strict=True))
        counts.insert(2, "label", counts["topic"].map(labels))
    return counts.sort_values(["class", "topic"]).reset_index(drop=True)


def _field_values(documents: pd.DataFrame, field_name: str) -> pd.DataFrame:
    if field_name in documents.columns and field_name not in ("text", "extra"):
        return documents[["doc_id", field_name]].rename(columns={field_name: "class"})
    if "extra" in documents.columns:
        import json

        extras = [json.loads(x) if isinstance(x, str) and x else {} for x in documents["extra"]]
        if any(field_name in e for e in extras):
            return pd.DataFrame(
                {"doc_id": documents["doc_id"], "class": [e.get(field_name) for e in extras]}
            )
    known = [c for c in documents.columns if c not in ("text", "extra", "doc_id")]
    raise UsageError(
        f"unknown metadata field {field_name!r}",
        hint=f"Use a documents column ({', '.join(known)}) or a key of metadata.csv.",
        code="E-TOPICS-FIELD",
    )


def topics_over_time(
    passage_topics: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    topic_info: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Passages per (year, topic) for documents with a year (or a parsable date).

    Returns:
        ``year``, ``topic``, ``label``, ``n_passages``, ``share``; empty when no document
        is dated.
    """
    years = pd.Series(pd.NA, index=documents.index, dtype="Int64")
    if "year" in documents.columns:
        years = pd.to_numeric(documents["year"], errors="coerce").astype("Int64")
    if "date" in documents.columns:
        from_date = pd.to_datetime(documents["date"], errors="coerce", format="mixed").dt.year
        years = years.fillna(from_date.astype("Int64"))
    dated = pd.DataFrame({"doc_id": documents["doc_id"], "year": years}).dropna()
    if dated.empty:
        return pd.DataFrame(columns=["year", "topic", "label", "n_passages", "share"])
    table = topics_per_class(
        passage_topics, dated.rename(columns={"year": "y"}), "y", topic_info=topic_info
    )
    table = table[table["class"] != "(inconnu)"].rename(columns={"class": "year"})
    table["year"] = table["year"].astype(int)
    return table.sort_values(["year", "topic"]).reset_index(drop=True)


def topic_hierarchy(model: Any) -> pd.DataFrame:
    """BERTopic's hierarchical clustering of the topics (merge tree as a table)."""
    bt = model.bertopic_
    if len(set(model.topics_.tolist()) - {-1}) < 3:
        return pd.DataFrame()
    return bt.hierarchical_topics(model.analysed_)


@dataclass
class TopicResult:
    """What :func:`fit_topics` returns.

    Attributes:
        model: The fitted estimator (or, when served from the fit cache, the cached
            result with the same fitted attributes).
        topics: The topic table.
        passage_topics: One row per passage.
        document_topics: Share of each document in each topic.
        alignment: Matching with the previous run (``None`` on the first run).
        documents: The documents table (for per-class and over-time tables).
        fingerprint: The corpus fingerprint the model was fitted on.
        warnings: Warnings of the fit (small-corpus fallback...).
        hierarchy_table: The topic hierarchy when already computed (``None``: computed
            on demand).
        from_cache: Whether the result was served from the fit cache.
    """

    model: TopicModel | CachedFit
    topics: pd.DataFrame
    passage_topics: pd.DataFrame
    document_topics: pd.DataFrame
    alignment: pd.DataFrame | None
    documents: pd.DataFrame
    fingerprint: str
    warnings: list[str] = field(default_factory=list)
    hierarchy_table: pd.DataFrame | None = None
    from_cache: bool = False

    def per_class(self, field_name: str) -> pd.DataFrame:
        """Topics per value of a metadata field (see :func:`topics_per_class`)."""
        return topics_per_class(
            self.passage_topics, self.documents, field_name, topic_info=self.topics
        )

    def over_time(self) -> pd.DataFrame:
        """Topics per year (see :func:`topics_over_time`)."""
        return topics_over_time(self.passage_topics, self.documents, topic_info=self.topics)

    def hierarchy(self) -> pd.DataFrame:
        """The topic hierarchy (see :func:`topic_hierarchy`)."""
        if self.hierarchy_table is None:
            self.hierarchy_table = topic_hierarchy(self.model)
        return self.hierarchy_table.copy()

    def evaluate(self, *, lda: bool = True) -> dict[str, Any]:
        """NPMI and diversity of this model and of the LDA baseline."""
        from corpus.topics.evaluate import evaluate_model

        return evaluate_model(self.model, lda=lda)


def check_passages(passages: pd.DataFrame, documents: pd.DataFrame, *, where: Any = None) -> None:
    """Refuse inputs no topic model can be fitted on (clear message, exit code 5).

    Raises:
        TopicError: No passages, one document only, or all passages identical.
    """
    if len(passages) == 0:
        raise TopicError(
            "the corpus has no passages",
            path=where,
            hint="Add French text files to the corpus (see the rejected table for files "
            "that could not be read).",
            code="E-TOPICS-EMPTY",
        )
    n_docs = passages["doc_id"].nunique() if "doc_id" in passages.columns else len(documents)
    if n_docs < 2:
        raise TopicError(
            "the corpus has a single document; topics compare several documents",
            path=where,
            hint="Add at least one more document to the corpus.",
            code="E-TOPICS-ONE-DOC",
        )
    if passages["text"].astype(str).str.strip().nunique() == 1:
        raise TopicError(
            f"all {len(passages)} passages are identical, so there is nothing to tell apart",
            path=where,
            hint="Check the corpus: the same text was ingested several times.",
            code="E-TOPICS-IDENTICAL",
        )


def fit_topics(
    corpus: CorpusContext | HasContext,
    *,
    seed: int = 0,
    n_topics: int | None = None,
    min_topic_size: int | None = None,
    embeddings: np.ndarray | None = None,
    align_previous: bool = True,
    write: bool = True,
    executor: Executor | None = None,
    **params: Any,
) -> TopicResult:
    """Fit topics on a corpus's passages and write the results to its store.

    Args:
        corpus: The corpus (a context, or the handle of :func:`corpus.open`).
        seed: The random state.
        n_topics: Number of topics wanted (``None``: decided by the data).
        min_topic_size: Smallest topic (HDBSCAN ``min_cluster_size``).
        embeddings: Precomputed passage embeddings, one row per passage in table order.
        align_previous: Keep topic ids and labels of the previous run where they match.
        write: Write store tables and save the model.
        executor: Compute lemmas and embeddings on a cluster (:mod:`corpus.engine`).
        **params: Other :class:`~corpus.topics.model.TopicModel` parameters. Domain stop
            terms default to ``corpus.yaml``'s ``defaults: {topics: {stop_terms: [...]}}``
            when set there, else to the packaged list.

    Returns:
        The fitted model and its tables.

    Raises:
        TopicError: Empty corpus, single document, identical passages, too few passages.
        UsageError: Bad parameter.
    """
    from corpus.topics.align import align, realign
    from corpus.topics.cache import TopicFitCache, fit_key
    from corpus.topics.io import copy_model, save_model
    from corpus.topics.model import TopicModel  # BERTopic (seconds) is imported by fit() only

    corpus = as_context(corpus)
    passages = ingest_table(corpus, "passages")
    documents = ingest_table(corpus, "documents")
    check_passages(passages, documents, where=corpus.path)
    configured = (corpus.config.defaults or {}).get("topics", {}) or {}
    if "stop_terms" not in params and configured.get("stop_terms") is not None:
        params["stop_terms"] = list(configured["stop_terms"])
    passages = passages.sort_values("passage_id", kind="stable").reset_index(drop=True)
    model = TopicModel(
        n_topics=n_topics,
        min_topic_size=min_topic_size,
        random_state=seed,
        cache_dir=corpus.store.root / "cache",
        **params,
    )
    fp = make_fingerprint(sorted(passages["passage_id"].tolist()))
    model_dir = corpus.store.root / MODEL_DIR
    previous = _previous_model(model_dir) if align_previous else None
    fit_cache = TopicFitCache(corpus.store.cache_dir(FIT_CACHE))
    settings = {k: v for k, v in model.get_params().items() if k != "cache_dir"}
    key = fit_key(passages, settings, embeddings)
    cached = fit_cache.get(key)
    if cached is not None:
        try:
            same_ids, cached_alignment = realign(cached, previous)
        except Exception as exc:  # as align() failing below: the fit runs without it
            logger.warning("could not align with the previous topic model: %s", exc)
            same_ids, cached_alignment = False, None
        if same_ids:
            result = topic_result(cached, cached_alignment, documents, fp)
            if write:
                _write(corpus, result, lambda target: copy_model(cached.path, target))
            return result
        logger.info("the previous run's topic ids changed since this fit was cached: refitting")
    model.fit(passages, embeddings=embeddings, executor=executor)
    alignment = None
    if previous is not None:
        try:
            alignment = align(model, previous)
        except Exception as exc:  # an old model that cannot be matched must not block a fit
            logger.warning("could not align with the previous topic model: %s", exc)
    result = topic_result(model, alignment, documents, fp)
    fit_cache.put(key, model, corpus_fingerprint=fp, hierarchy=result.hierarchy())
    if write:
        _write(corpus, result, lambda target: save_model(model, target, corpus_fingerprint=fp))
    return result


def _previous_model(model_dir: Path) -> SavedTopics | None:
    """The model saved by the previous run, if there is a readable one."""
    from corpus.topics.io import load_model

    if not (model_dir / "model.json").exists():
        return None
    try:
        return load_model(model_dir)
    except Exception as exc:  # an unreadable old model must not block a new fit
        logger.warning("could not align with the previous topic model: %s", exc)
        return None


def topic_result(
    model: TopicModel | CachedFit,
    alignment: pd.DataFrame | None,
    documents: pd.DataFrame,
    fp: str,
) -> TopicResult:
    """The result of a fit: a fresh fit, or a fitted result served from the fit cache.

    Both have the fitted attributes the tables come from; a cached one also brings its
    topic hierarchy (computed at fit time) and is marked ``from_cache``.

    Args:
        model: The fitted model, or the fit cache's entry.
        alignment: Matching with the previous run (``None``: none).
        documents: The documents table.
        fp: The corpus fingerprint.
    """
    from corpus.topics.cache import CachedFit

    cached = model if isinstance(model, CachedFit) else None
    return TopicResult(
        model=model,
        topics=topics_table(model),
        passage_topics=model.passage_topics_.copy(),
        document_topics=document_topics(model.passage_topics_),
        alignment=alignment,
        documents=documents,
        fingerprint=fp,
        warnings=list(model.warnings_),
        hierarchy_table=cached.hierarchy_ if cached is not None else None,
        from_cache=cached is not None,
    )


def _write(corpus: CorpusContext, result: TopicResult, save: Callable[[Path], Any]) -> None:
    """Write a result's store tables and its saved model (``save(folder)``)."""
    store = corpus.store
    with store.lock():
        store.write_table("topics", result.topics)
        store.write_table("passage_topics", result.passage_topics)
        store.write_table("document_topics", result.document_topics)
        if result.alignment is not None:
            store.write_table("topic_alignment", result.alignment)
        save(store.root / MODEL_DIR)
        summary = result.model.summary_ | {"corpus_fingerprint": result.fingerprint}
        store.write_json("topics", summary)
