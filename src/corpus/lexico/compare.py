"""Reinert's classes beside BERTopic's topics, on the same segments.

Both models classify the same text segments: Reinert on the binary segments × active
lemma matrix, BERTopic (:class:`corpus.topics.model.TopicModel`, the project's French
settings) on the segments' texts. They are compared on one footing:

* **NPMI** of each class's / topic's ten top lemmas (Reinert: the active lemmas of
  highest positive chi-square; BERTopic: its label terms, n-grams split into their
  lemmas, in order, duplicates dropped), with segment co-occurrence over every word
  lemma of the segments as the reference (:func:`corpus.topics.evaluate.npmi_matrix`);
  terms unknown to the reference are skipped;
* **diversity**: share of unique lemmas among those top ten of all classes / topics;
* the **contingency table** of classes × topics and their **adjusted Rand index**, on the
  segments that both models classify (Reinert class > 0, topic ≠ -1).

:func:`comparison_summary` is what the synthesis report reads back from the store.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from corpus.lexico.stage import LexicoTables

logger = logging.getLogger(__name__)

#: Store JSON sidecar where :func:`compare` keeps its summary for the report.
SUMMARY_NAME = "lexico_comparison"
TOP_K = 10


def fit_topics_on_segments(
    tables: LexicoTables, store: Any, *, seed: int = 0, **params: Any
) -> Any:
    """A BERTopic model (the project's :class:`TopicModel`) fitted on the segments.

    Args:
        tables: The corpus's segments.
        store: The corpus store (its lemma and embedding caches are reused).
        seed: The random state.
        **params: Other :class:`~corpus.topics.model.TopicModel` parameters.

    Returns:
        The fitted model (``topics_`` aligned with ``tables.segments``).
    """
    from corpus.topics.model import TopicModel

    frame = pd.DataFrame(
        {
            "passage_id": tables.segments["segment_id"].to_numpy(),
            "doc_id": tables.segments["doc_id"].to_numpy(),
            "text": tables.segments["text"].to_numpy(),
        }
    )
    model = TopicModel(random_state=seed, cache_dir=store.root / "cache", **params)
    return model.fit(frame)


def _lemma_terms(terms: list[str], k: int = TOP_K) -> list[str]:
    out: list[str] = []
    for term in terms:
        for word in str(term).replace("_", " ").split():
            if word not in out:
                out.append(word)
    return out[:k]


def _npmi(top: dict[int, list[str]], presence: Any, vocab: dict[str, int]) -> dict[int, float]:
    from corpus.topics.evaluate import npmi_matrix

    doc_freq = np.asarray(presence.sum(axis=0)).ravel()
    scores: dict[int, float] = {}
    for key, terms in top.items():
        ids = [vocab[t] for t in terms if t in vocab]
        if len(ids) < 2:
            scores[key] = float("nan")
            continue
        pairs = npmi_matrix(presence[:, ids], doc_freq[ids])
        scores[key] = float(np.mean(pairs[np.triu_indices(len(ids), k=1)]))
    return scores


def compare(
    tables: LexicoTables, reinert: Any, topic_model: Any
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Compare a Reinert result with a topic model fitted on the same segments.

    Args:
        tables: The segments (rows in the order both models saw them).
        reinert: A :class:`corpus.lexico.classes.ReinertResult`.
        topic_model: From :func:`fit_topics_on_segments`.

    Returns:
        ``(summary, contingency)``: a JSON-ready dict (per-model ``npmi``, ``diversity``,
        ``n_classes``, ``top_terms``; ``ari``, ``n_segments`` compared) and the
        classes × topics table of segment counts.
    """
    from corpus.topics.evaluate import topic_diversity

    presence, terms = tables.matrix(min_frequency=1, active_only=False)
    presence = presence.tocsc()
    vocab = {t: i for i, t in enumerate(terms)}
    reinert_top = reinert.top_lemmas(TOP_K)
    info = topic_model.topic_info_
    info = info[info["topic"] != -1]
    topic_top = {
        int(t): _lemma_terms(list(terms_))
        for t, terms_ in zip(info["topic"], info["terms"], strict=True)
    }
    labels = reinert.segments["class"].to_numpy()
    topics = np.asarray(topic_model.topics_)
    both = (labels > 0) & (topics != -1)
    contingency = pd.crosstab(
        pd.Series(labels[both], name="class"), pd.Series(topics[both], name="topic")
    )
    summary: dict[str, Any] = {"n_segments": int(both.sum())}
    for name, top in (("reinert", reinert_top), ("bertopic", topic_top)):
        per = _npmi(top, presence, vocab)
        valid = [v for v in per.values() if not np.isnan(v)]
        summary[name] = {
            "n_classes": len(top),
            "npmi": float(np.mean(valid)) if valid else float("nan"),
            "npmi_per_class": {str(k): v for k, v in per.items()},
            "diversity": topic_diversity(list(top.values())),
            "top_terms": {str(k): v for k, v in top.items()},
        }
    summary["ari"] = (
        float(adjusted_rand_score(labels[both], topics[both])) if both.any() else float("nan")
    )
    return summary, contingency


def comparison_summary(store: Any) -> dict[str, Any] | None:
    """The last comparison written by the ``08-lexicometry`` notebook, if any."""
    try:
        return store.read_json(SUMMARY_NAME)
    except Exception:  # an unreadable summary only hides a report section
        logger.warning("cannot read the stored lexicometry comparison", exc_info=True)
        return None
