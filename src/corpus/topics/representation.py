"""Topic term selection: c-TF-IDF relevance weighted by coverage within the topic.

c-TF-IDF (with frequent words damped) ranks terms by how *distinctive* they are of a topic;
on small corpora it favours terms seen in one or two passages, which read well but do not
characterise the topic. :class:`CoverageRepresentation` re-ranks BERTopic's 30 c-TF-IDF
candidates by ``weight * coverage ** alpha * specificity ** beta``, where ``coverage`` is the
share of the topic's passages that contain the term and ``specificity`` the share of the
term's passages that are in the topic, so a topic's terms are distinctive *and* shared by
many of its passages (a precision/recall balance per term).

With ``coherence > 0`` the final top terms are then chosen greedily among the candidates:
the best-scored term heads the list, and each next term maximises
``(1 - coherence) * score + coherence * (npmi + 1) / 2`` where ``score`` is the re-ranked
relevance (scaled to 0..1) and ``npmi`` the mean normalised PMI of the term with the terms
already chosen, from passage-level co-occurrence over all passages given to the fit (the
same passages-as-documents window as :mod:`corpus.topics.evaluate`). This keeps a topic's
label distinctive while preferring terms that occur together, in the spirit of BERTopic's
representation models (MMR re-ranks by embedding diversity; this re-ranks by co-occurrence).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from bertopic.representation._base import BaseRepresentation

from corpus.topics.evaluate import npmi_matrix


class CoverageRepresentation(BaseRepresentation):
    """Re-rank c-TF-IDF candidates by relevance × within-topic coverage.

    Args:
        top_n_words: Terms kept per topic.
        alpha: Exponent of coverage (0 = plain c-TF-IDF).
        beta: Exponent of specificity, the share of the term's passages that are in the
            topic (damps words common to every topic).
        min_count: Terms in fewer of the topic's passages rank last (when enough others
            remain).
    """

    def __init__(
        self,
        top_n_words: int = 10,
        alpha: float = 1.0,
        beta: float = 1.0,
        min_count: int = 1,
        coherence: float = 0.0,
    ) -> None:
        self.top_n_words = top_n_words
        self.coherence = coherence
        self.alpha = alpha
        self.beta = beta
        self.min_count = min_count

    def extract_topics(
        self,
        topic_model: Any,
        documents: pd.DataFrame,
        c_tf_idf: Any,
        topics: Mapping[int, list[tuple[str, float]]],
    ) -> dict[int, list[tuple[str, float]]]:
        """Return the re-ranked ``(term, weight)`` lists (weights stay c-TF-IDF values)."""
        vectorizer = topic_model.vectorizer_model
        vocab = vectorizer.vocabulary_
        everything = vectorizer.transform(documents["Document"].tolist())
        presence = (everything > 0).astype(np.float64).tocsc()
        doc_freq = np.asarray(presence.sum(axis=0)).ravel()
        out: dict[int, list[tuple[str, float]]] = {}
        for topic, candidates in topics.items():
            docs = documents.loc[documents["Topic"] == topic, "Document"].tolist()
            words = [(w, float(v)) for w, v in candidates if w and w in vocab]
            if not docs or not words:
                out[topic] = list(candidates)[: self.top_n_words]
                continue
            counts = vectorizer.transform(docs)[:, [vocab[w] for w, _ in words]]
            present = np.asarray((counts > 0).sum(axis=0)).ravel()
            coverage = present / len(docs)
            if (present >= self.min_count).sum() >= min(self.top_n_words, len(words)) // 2:
                coverage = np.where(present >= self.min_count, coverage, 0.0)
            specificity = present / np.maximum(doc_freq[[vocab[w] for w, _ in words]], 1)
            top = max(v for _, v in words) or 1.0
            scores = [
                (v / top) * (c**self.alpha) * (s**self.beta)
                for (_, v), c, s in zip(words, coverage, specificity, strict=True)
            ]
            order = sorted(range(len(words)), key=lambda i: (-scores[i], i))
            if self.coherence > 0 and len(words) > 1:
                ids = [vocab[w] for w, _ in words]
                order = self._coherent_order(scores, order, presence[:, ids], doc_freq[ids])
            out[topic] = [words[i] for i in order[: self.top_n_words]]
        return out

    def _coherent_order(
        self, scores: list[float], order: list[int], sub: Any, freq: np.ndarray
    ) -> list[int]:
        """Greedy selection by relevance and NPMI with the terms already chosen."""
        npmi = npmi_matrix(sub, freq)
        top = max(scores) or 1.0
        relevance = np.asarray(scores) / top
        chosen = [order[0]]
        rest = [i for i in order[1:]]
        while rest and len(chosen) < self.top_n_words:
            coh = npmi[np.ix_(rest, chosen)].mean(axis=1)
            value = (1 - self.coherence) * relevance[rest] + self.coherence * (coh + 1) / 2
            best = int(np.argmax(value))
            chosen.append(rest.pop(best))
        return chosen + rest
