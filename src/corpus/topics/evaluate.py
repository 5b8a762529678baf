"""Topic quality: NPMI coherence, topic diversity, and the LDA baseline.

**NPMI** (normalised pointwise mutual information) is computed on the corpus's own
passages, with passage-level co-occurrence of terms as the vectorizer analyses them
(lemmas and bigrams, stop words removed). For a topic with top terms ``w_1..w_k``
(``k`` = 10)::

    P(w)        = (passages containing w) / N
    P(wi, wj)   = (passages containing both) / N
    NPMI(wi,wj) = log(P(wi,wj) / (P(wi) P(wj))) / -log(P(wi,wj))      if P(wi,wj) > 0
                = -1                                                   if P(wi,wj) = 0
                = 1                                                    if P(wi,wj) = 1

The topic's NPMI is the mean over its ``k(k-1)/2`` pairs; the model's NPMI is the mean
over its topics (the outlier topic ``-1`` excluded). It lies in ``[-1, 1]``; higher means
the top terms occur together more than chance.

**Diversity** is the share of unique terms among the top 10 terms of all topics
(1.0: no term shared by two topics).

The **LDA baseline** is scikit-learn's :class:`LatentDirichletAllocation` fitted on the same
analysed text with the same vectorizer settings, the same number of topics and the same seed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse

TOP_K = 10


def topic_diversity(topics_terms: Sequence[Sequence[str]], *, top_k: int = TOP_K) -> float:
    """Share of unique terms in the top ``top_k`` of all topics (0..1)."""
    words = [w for terms in topics_terms for w in list(terms)[:top_k]]
    return len(set(words)) / len(words) if words else 0.0


def _presence(analysed: Sequence[str], vectorizer: Any) -> tuple[sparse.csc_matrix, dict[str, int]]:
    counts = vectorizer.transform(analysed)
    binary = (counts > 0).astype(np.float64).tocsc()
    vocab = {str(t): int(i) for t, i in vectorizer.vocabulary_.items()}
    return binary, vocab


def npmi_matrix(presence: Any, doc_freq: np.ndarray) -> np.ndarray:
    """NPMI of every pair of terms from their passage co-occurrence.

    Args:
        presence: Passages × terms 0/1 sparse matrix (the terms to compare).
        doc_freq: Number of passages holding each of those terms.

    Returns:
        A terms × terms matrix: ``log(p_ab / (p_a p_b)) / -log(p_ab)``, ``-1`` for a pair
        never seen together and ``1`` for a pair in every passage.
    """
    n = presence.shape[0]
    p_ab = np.asarray((presence.T @ presence).toarray(), dtype=np.float64) / n
    p = np.asarray(doc_freq, dtype=np.float64) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(p_ab / np.outer(p, p))
        return np.where(p_ab <= 0, -1.0, np.where(p_ab >= 1, 1.0, pmi / -np.log(p_ab)))


def npmi_per_topic(
    topics_terms: Sequence[Sequence[str]],
    analysed: Sequence[str],
    vectorizer: Any,
    *,
    top_k: int = TOP_K,
) -> list[float]:
    """NPMI of each topic's top ``top_k`` terms over the passages (see module doc).

    Args:
        topics_terms: Top terms of each topic, best first.
        analysed: The analysed text of every passage (the reference corpus).
        vectorizer: A fitted vectorizer whose vocabulary holds the terms.

    Returns:
        One NPMI per topic (``nan`` for a topic with fewer than two known terms).
    """
    binary, vocab = _presence(analysed, vectorizer)
    doc_freq = np.asarray(binary.sum(axis=0)).ravel()
    scores = []
    for terms in topics_terms:
        ids = [vocab[t] for t in list(terms)[:top_k] if t in vocab]
        if len(ids) < 2:
            scores.append(float("nan"))
            continue
        pairs = npmi_matrix(binary[:, ids], doc_freq[ids])
        scores.append(float(np.mean(pairs[np.triu_indices(len(ids), k=1)])))
    return scores


def npmi(
    topics_terms: Sequence[Sequence[str]],
    analysed: Sequence[str],
    vectorizer: Any,
    *,
    top_k: int = TOP_K,
) -> float:
    """Mean NPMI over topics (see :func:`npmi_per_topic`)."""
    scores = [
        s
        for s in npmi_per_topic(topics_terms, analysed, vectorizer, top_k=top_k)
        if not math.isnan(s)
    ]
    return float(np.mean(scores)) if scores else float("nan")


def fit_lda(
    analysed: Sequence[str],
    vectorizer: Any,
    n_topics: int,
    *,
    random_state: int = 0,
    top_k: int = TOP_K,
    max_iter: int = 20,
) -> dict[str, Any]:
    """Fit the LDA baseline with the same vectorizer settings.

    Args:
        analysed: Analysed passages (as given to the topic model).
        vectorizer: The topic model's fitted vectorizer (cloned and refitted).
        n_topics: Number of topics (the topic model's, outliers excluded).
        random_state: The seed.
        top_k: Terms kept per topic.
        max_iter: LDA iterations (batch variational Bayes).

    Returns:
        ``terms`` (top terms per topic), ``topics`` (argmax topic per passage),
        ``seconds`` and the fitted ``model`` and ``vectorizer``.
    """
    from sklearn.base import clone
    from sklearn.decomposition import LatentDirichletAllocation

    start = time.perf_counter()
    vec = clone(vectorizer)
    counts = vec.fit_transform(analysed)
    lda = LatentDirichletAllocation(
        n_components=max(2, n_topics),
        random_state=random_state,
        learning_method="batch",
        max_iter=max_iter,
    )
    doc_topic = lda.fit_transform(counts)
    vocab = vec.get_feature_names_out()
    terms = [
        [str(vocab[i]) for i in np.argsort(-row, kind="stable")[:top_k]] for row in lda.components_
    ]
    return {
        "terms": terms,
        "topics": doc_topic.argmax(axis=1),
        "seconds": time.perf_counter() - start,
        "model": lda,
        "vectorizer": vec,
    }


def evaluate_model(model: Any, *, top_k: int = TOP_K, lda: bool = True) -> dict[str, Any]:
    """NPMI and diversity of a fitted :class:`~corpus.topics.model.TopicModel`, and of LDA.

    Args:
        model: A fitted topic model.
        top_k: Terms per topic.
        lda: Also fit and score the LDA baseline (same vectorizer, topics and seed).

    Returns:
        A JSON-ready dict: ``bertopic`` and ``lda`` blocks with ``npmi``, ``diversity``,
        ``n_topics`` and per-topic NPMI; plus the formula and reference corpus size.
    """
    info = model.topic_info_
    info = info[info["topic"] != -1]
    terms = [list(t)[:top_k] for t in info["terms"]]
    per_topic = npmi_per_topic(terms, model.analysed_, model.vectorizer_, top_k=top_k)
    clean = [s for s in per_topic if not math.isnan(s)]
    out: dict[str, Any] = {
        "n_passages": len(model.analysed_),
        "top_k": top_k,
        "formula": "NPMI = log(P(wi,wj)/(P(wi)P(wj))) / -log(P(wi,wj)); -1 if never "
        "together; passage-level co-occurrence over the corpus's own passages; mean over "
        "pairs of the top-k terms, then over topics",
        "bertopic": {
            "npmi": round(float(np.mean(clean)), 6) if clean else None,
            "diversity": round(topic_diversity(terms, top_k=top_k), 6),
            "n_topics": len(terms),
            "outlier_share": round(float(model.outlier_share_), 6),
            "npmi_per_topic": {
                int(t): (None if math.isnan(s) else round(s, 6))
                for t, s in zip(info["topic"], per_topic, strict=True)
            },
        },
    }
    if lda:
        result = fit_lda(
            model.analysed_,
            model.vectorizer_,
            len(terms),
            random_state=model.random_state,
            top_k=top_k,
        )
        lda_scores = npmi_per_topic(
            result["terms"], model.analysed_, model.vectorizer_, top_k=top_k
        )
        lda_clean = [s for s in lda_scores if not math.isnan(s)]
        out["lda"] = {
            "npmi": round(float(np.mean(lda_clean)), 6) if lda_clean else None,
            "diversity": round(topic_diversity(result["terms"], top_k=top_k), 6),
            "n_topics": len(result["terms"]),
            "terms": result["terms"],
            "seconds": round(result["seconds"], 3),
        }
    return out
