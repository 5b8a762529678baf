"""What the synthesis notebook (``06-report``) reuses from the analyses before it.

:func:`report_topics` serves the topics ``05-topics`` stored for this corpus when they
were fitted on the same passages with the same seed and settings, so the synthesis shows
the very same themes without fitting the model a second time; otherwise it fits them
(without writing to the store).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from corpus.store import fingerprint

if TYPE_CHECKING:
    from corpus.api import Corpus

logger = logging.getLogger(__name__)


@dataclass
class ReportTopics:
    """Topic tables for a report.

    Attributes:
        topics: ``topic``, ``label``, ``size``, ``terms``...
        passage_topics: ``passage_id``, ``doc_id``, ``topic``.
        documents: The documents table (for per-class tables).
        refitted: ``False`` when read from the store.
    """

    topics: pd.DataFrame
    passage_topics: pd.DataFrame
    documents: pd.DataFrame
    refitted: bool

    def per_class(self, field_name: str) -> pd.DataFrame:
        """Topics per value of a metadata field (see ``corpus.topics.api.topics_per_class``)."""
        from corpus.topics.api import topics_per_class

        return topics_per_class(
            self.passage_topics, self.documents, field_name, topic_info=self.topics
        )


def report_topics(
    corpus: Corpus,
    *,
    seed: int,
    n_topics: int | None = None,
    min_topic_size: int | None = None,
) -> ReportTopics:
    """The stored topics of ``corpus`` if they match, else a fresh fit (not written).

    They match when the store's ``topics`` sidecar names the same passages (the same
    fingerprint ``fit_topics`` records), the same seed, number of topics and minimum topic
    size, and the offline (spaCy) embeddings.
    """
    store = corpus.store
    passages = corpus.passages
    documents = corpus.documents
    summary = store.read_json("topics") or {}
    params = summary.get("params") or {}
    matches = (
        summary.get("corpus_fingerprint") == fingerprint(sorted(passages["passage_id"].tolist()))
        and params.get("random_state") == seed
        and params.get("n_topics") == n_topics
        and params.get("min_topic_size") == min_topic_size
        and params.get("embedding_backend", "spacy") == "spacy"
        and store.has_table("topics")
        and store.has_table("passage_topics")
    )
    if matches:
        topics, passage_topics = store.read_table("topics"), store.read_table("passage_topics")
        if topics is not None and passage_topics is not None:
            logger.info("topics read from the store (fitted with seed %d)", seed)
            return ReportTopics(topics, passage_topics, documents, refitted=False)
    logger.info("no stored topics for seed %d on these passages: fitting them", seed)
    result = corpus.topics(seed=seed, n_topics=n_topics, min_topic_size=min_topic_size, write=False)
    return ReportTopics(result.topics, result.passage_topics, documents, refitted=True)
