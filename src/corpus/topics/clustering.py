"""Clustering choices of the topic model: which passages, which algorithm, what sizes.

Only *contentful* passages (at least :data:`MIN_CONTENT_TERMS` = 10 distinct content lemmas
after stop words and stop terms, about one full sentence) are embedded into clusters:
headings ("Contexte", "Calendrier"), bylines and list labels have too few words to place,
and clustered on their own they formed a topic of their own. Each short passage then takes
the topic of the next contentful passage of its document (a heading introduces what
follows), else of the previous one, else stays ``-1`` (:func:`propagate_topics`). When
fewer than ``MIN_PASSAGES`` distinct passages are contentful, or more than
:data:`MAX_UNPLACED_SHARE` of the passages are in documents without a contentful one
(:func:`unplaced_share`), all passages are clustered.

Size adaptation (``N`` = number of clustered passages):

* ``N < MIN_PASSAGES`` (4) distinct passages: :class:`~corpus.errors.TopicError` (exit
  code 5).
* ``N < MIN_PASSAGES_HDBSCAN`` (60): too few for density clustering. A warning is logged,
  ``fallback_`` is set and recorded in ``summary_``; UMAP is replaced by PCA and HDBSCAN by
  k-means with ``k = n_topics`` or :func:`default_k` (``clamp(round(sqrt(N / 2)), 2, 6)``).
* Otherwise UMAP (:func:`default_n_neighbors`: ``clamp(N // 10, 5, 15)``, 5 components,
  cosine) and HDBSCAN (:func:`default_min_cluster_size`:
  ``clamp(round(sqrt(N) / 1.5), 5, 60)`` unless ``min_topic_size`` is given). If HDBSCAN
  finds fewer than three clusters, or one cluster holds more than half of the passages
  (:func:`hdbscan_rejection`), the k-means fallback is used as well.
* When k-means ran with a k chosen by default, a topic with fewer than a third of an even
  share (``S / (3k)``) of the ``S`` substantive passages (at least
  :data:`MIN_PASSAGE_TERMS` vocabulary terms) is merged, whole, into the topic with the
  nearest embedding centroid (:func:`merge_small_topics`). A k asked for with ``n_topics``
  is kept as it is.
* ``n_topics`` given: k-means with ``k = n_topics`` on PCA-reduced embeddings, whatever
  ``N`` (HDBSCAN decides its own number of clusters).

The functions here choose and size; :class:`corpus.topics.model.TopicModel` runs them
inside BERTopic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from corpus.topics.vectorizer import BOUNDARY

#: Below this many passages, k-means replaces UMAP + HDBSCAN.
MIN_PASSAGES_HDBSCAN = 60
#: HDBSCAN's result is replaced by k-means when one topic holds more than this share.
MAX_TOPIC_SHARE = 0.5
#: A k-means topic (k chosen by default) smaller than this share of an even split of the
#: passages (``N / k``) is merged into its nearest topic: see :func:`merge_small_topics`.
SMALL_TOPIC_SHARE = 1 / 3
#: Passages with fewer distinct vocabulary terms (headings such as "Contexte") do not count
#: towards a topic's size when small k-means topics are merged.
MIN_PASSAGE_TERMS = 3
#: Passages with fewer distinct content lemmas (after stop words and stop terms) are not
#: clustered: headings ("Contexte", "Calendrier"), bylines and one-line labels carry too few
#: words to place them. Each takes the topic of the next contentful passage of its document
#: (a heading introduces what follows), else of the previous one, else stays ``-1``.
MIN_CONTENT_TERMS = 10
#: All passages are clustered when more than this share of them is in documents without a
#: contentful passage (short answers, one passage per document): they would stay ``-1``.
MAX_UNPLACED_SHARE = 0.1


def _clamp(value: float, low: int, high: int) -> int:
    return int(max(low, min(high, value)))


def default_min_cluster_size(n: int) -> int:
    """HDBSCAN ``min_cluster_size`` for ``n`` passages."""
    return _clamp(round(math.sqrt(n) / 1.5), 5, 60)


def default_n_neighbors(n: int) -> int:
    """UMAP ``n_neighbors`` for ``n`` passages."""
    return _clamp(n // 10, 5, 15)


def default_k(n: int) -> int:
    """Number of k-means clusters for a small corpus of ``n`` passages."""
    return _clamp(round(math.sqrt(n / 2)), 2, 6)


def contentful(analysed: Sequence[str], min_terms: int | None = None) -> np.ndarray:
    """Indices of the passages with at least ``min_terms`` distinct content lemmas.

    Args:
        analysed: Analysed (lemma) text of each passage.
        min_terms: Threshold; ``None``: :data:`MIN_CONTENT_TERMS`.

    Returns:
        The sorted indices (``int64``).
    """
    low = MIN_CONTENT_TERMS if min_terms is None else min_terms
    sizes = [len(set(text.split()) - {BOUNDARY}) for text in analysed]
    return np.asarray([i for i, size in enumerate(sizes) if size >= low], dtype=np.int64)


def propagate_topics(
    doc_ids: np.ndarray, order: np.ndarray, core: np.ndarray, core_topics: np.ndarray
) -> np.ndarray:
    """Topics of all passages from the topics of the clustered (contentful) ones.

    A passage outside ``core`` takes the topic of the next core passage of the same
    document (in ``order``), else of the previous one; a document without any core
    passage leaves its passages at ``-1``.

    Args:
        doc_ids: Document of each passage.
        order: Position of each passage within its document.
        core: Indices of the clustered passages.
        core_topics: Their topics, aligned with ``core``.

    Returns:
        One topic per passage (``int64``).
    """
    n = len(doc_ids)
    topics = np.full(n, -1, dtype=np.int64)
    topics[core] = core_topics
    is_core = np.zeros(n, dtype=bool)
    is_core[core] = True
    frame = pd.DataFrame({"doc": doc_ids, "order": order, "row": np.arange(n)})
    ranked = frame.sort_values(["doc", "order", "row"], kind="stable")
    for _, group in ranked.groupby("doc", sort=False):
        rows = group["row"].to_numpy()
        following: int | None = None
        for r in rows[::-1]:  # backwards: the next core passage's topic
            if is_core[r]:
                following = int(topics[r])
            elif following is not None:
                topics[r] = following
        preceding: int | None = None
        for r in rows:  # forwards: passages after the last core one
            if is_core[r]:
                preceding = int(topics[r])
            elif topics[r] == -1 and preceding is not None:
                topics[r] = preceding
    return topics


def unplaced_share(doc_ids: np.ndarray, core: np.ndarray) -> float:
    """Share of passages whose document has no passage in ``core``."""
    if len(doc_ids) == 0:
        return 0.0
    placed = set(doc_ids[core].tolist())
    return float(np.mean([d not in placed for d in doc_ids.tolist()]))


def renumber_by_size(topics: np.ndarray) -> np.ndarray:
    """Renumber topics ``0..k-1`` by decreasing size (ties: old id); ``-1`` stays."""
    ids = sorted(set(topics.tolist()) - {-1}, key=lambda t: (-int((topics == t).sum()), t))
    renumber = {old: new for new, old in enumerate(ids)} | {-1: -1}
    return np.asarray([renumber[int(t)] for t in topics], dtype=np.int64)


def hdbscan_rejection(found: np.ndarray, n: int) -> str | None:
    """Why an HDBSCAN result is replaced by k-means, or ``None`` when it is kept.

    Args:
        found: HDBSCAN's topic per passage (``-1`` = outlier).
        n: Number of clustered passages.

    Returns:
        The reason (fewer than three clusters, or one holding more than
        :data:`MAX_TOPIC_SHARE` of the passages), or ``None``.
    """
    n_found = len(set(found.tolist()) - {-1})
    largest = max(np.bincount(found[found >= 0]).max() / n, 0.0) if n_found else 1.0
    if n_found < 3 or largest > MAX_TOPIC_SHARE:
        return (
            f"HDBSCAN found {n_found} cluster(s) among {n} passages, the largest with "
            f"{largest:.0%} of them: k-means was used instead"
        )
    return None


def build_clustering(
    clustering: str,
    *,
    n: int,
    n_distinct: int,
    n_dims: int,
    seed: int,
    n_topics: int | None,
    min_topic_size: int | None,
    calculate_probabilities: bool,
) -> tuple[Any, Any, dict[str, Any]]:
    """The dimension reducer and the clusterer for ``n`` passages, and the sizes chosen.

    Args:
        clustering: ``"hdbscan"`` (UMAP + HDBSCAN) or ``"kmeans"`` (PCA + k-means).
        n: Number of passages clustered.
        n_distinct: Number of distinct analysed passages (k-means' k stays below it).
        n_dims: Dimension of the embeddings.
        seed: The random seed (UMAP, PCA, k-means).
        n_topics: k-means' k asked for; ``None``: :func:`default_k`.
        min_topic_size: HDBSCAN ``min_cluster_size``; ``None``:
            :func:`default_min_cluster_size`.
        calculate_probabilities: Ask HDBSCAN to keep its prediction data.

    Returns:
        The reducer, the clusterer and the parameters used (JSON-ready).
    """
    if clustering == "hdbscan":
        from hdbscan import HDBSCAN
        from umap import UMAP

        n_neighbors = default_n_neighbors(n)
        reducer: Any = UMAP(
            n_neighbors=n_neighbors,
            n_components=5,
            min_dist=0.0,
            metric="cosine",
            random_state=seed,
            n_jobs=1,
            low_memory=True,
        )
        mcs = min_topic_size or default_min_cluster_size(n)
        cluster: Any = HDBSCAN(
            min_cluster_size=mcs,
            min_samples=max(1, mcs // 2),
            metric="euclidean",
            cluster_selection_method="eom",
            prediction_data=calculate_probabilities,
        )
        params = {
            "clustering": "hdbscan",
            "umap_n_neighbors": n_neighbors,
            "min_cluster_size": mcs,
            "min_samples": max(1, mcs // 2),
        }
        return reducer, cluster, params
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA

    k = min(n_topics or default_k(n), n_distinct - 1)
    reducer = PCA(n_components=min(5, n - 1, n_dims), random_state=seed)
    cluster = KMeans(n_clusters=max(2, k), n_init=10, random_state=seed)
    return reducer, cluster, {"clustering": "kmeans", "k": max(2, k)}


def merge_small_topics(
    topics: np.ndarray, analysed: list[str], embeddings: np.ndarray, vectorizer: Any
) -> tuple[np.ndarray, int]:
    """Merge k-means topics under :data:`SMALL_TOPIC_SHARE` of an even share.

    k-means has no minimum cluster size, so on small corpora it splits off topics of a
    dozen passages whose top terms are words seen in two or three passages, or topics of
    headings whose words never occur together. A topic's size here counts only its
    substantive passages (at least :data:`MIN_PASSAGE_TERMS` vocabulary terms). Each
    topic under ``SMALL_TOPIC_SHARE * S / k`` (``S`` substantive passages), smallest
    first, joins, whole, the topic whose embedding centroid is closest to its own
    (cosine), until none is left or two topics remain. Topics are then renumbered by
    decreasing size.

    Args:
        topics: Topic per passage (not modified).
        analysed: The analysed text of every passage.
        embeddings: The passage embeddings.
        vectorizer: The fitted vectorizer.

    Returns:
        The new topic per passage (``topics`` itself when nothing was merged) and the
        number of topics merged away.
    """
    topics = np.asarray(topics, dtype=np.int64)
    merged_topics = topics.copy()
    ids = sorted(set(topics.tolist()) - {-1})
    terms_per_passage = np.asarray((vectorizer.transform(analysed) > 0).sum(axis=1)).ravel()
    substantive = terms_per_passage >= MIN_PASSAGE_TERMS
    min_size = SMALL_TOPIC_SHARE * substantive.sum() / max(len(ids), 1)
    unit = embeddings / np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12)
    merged = 0
    while len(ids) > 2:
        sizes = {t: int((substantive & (merged_topics == t)).sum()) for t in ids}
        smallest = min(ids, key=lambda t: (sizes[t], t))
        if sizes[smallest] >= min_size:
            break
        rest = [t for t in ids if t != smallest]
        centroids = np.stack([unit[merged_topics == t].mean(axis=0) for t in rest])
        centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
        target = rest[int(np.argmax(centroids @ unit[merged_topics == smallest].mean(axis=0)))]
        merged_topics[merged_topics == smallest] = target
        ids = rest
        merged += 1
    if not merged:
        return topics, 0
    return renumber_by_size(merged_topics), merged
