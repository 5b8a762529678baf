"""Stable topic identities across runs.

When a model is refitted (a grown corpus, a scheduled run), BERTopic numbers its topics by
size, so ids and labels would shuffle. :func:`align` matches each new topic to a topic of
the previous run by the cosine similarity of their c-TF-IDF term weights (top 100 terms,
over the union of both vocabularies), solved as an assignment problem (Hungarian
algorithm) so no two new topics take the same old id. A match at or above ``threshold``
keeps the old id and label; other new topics get fresh ids after the largest id ever used.
The matching table is returned (and written by the API as the ``topic_alignment`` table).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from corpus.topics.io import SavedTopics, topic_term_weights

logger = logging.getLogger(__name__)

#: Cosine similarity of c-TF-IDF term weights above which a new topic keeps an old id.
DEFAULT_THRESHOLD = 0.3


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    common = set(a) & set(b)
    num = sum(a[t] * b[t] for t in common)
    den = float(np.sqrt(sum(v * v for v in a.values())) * np.sqrt(sum(v * v for v in b.values())))
    return num / den if den > 0 else 0.0


def align(
    model: Any, previous: SavedTopics, *, threshold: float = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """Renumber ``model``'s topics to match ``previous`` and return the matching.

    Args:
        model: A fitted :class:`~corpus.topics.model.TopicModel` (renamed in place through
            :meth:`~corpus.topics.model.TopicModel.set_topic_ids`).
        previous: The previous run's saved model.
        threshold: Minimum similarity for a new topic to keep an old id and label.

    Returns:
        One row per new topic: ``internal`` (BERTopic's id), ``topic`` (the id kept or
        given), ``previous_topic`` (or ``<NA>``), ``similarity``, ``kept`` (bool),
        ``label``, ``previous_label``.
    """
    new_terms = topic_term_weights(model)  # keyed by current public ids == internal ids
    inverse = {pub: internal for internal, pub in model.id_map_.items()}
    new_ids = sorted(new_terms)
    old_ids = sorted(previous.topic_terms_)
    sim = np.zeros((len(new_ids), len(old_ids)))
    for i, n in enumerate(new_ids):
        for j, o in enumerate(old_ids):
            sim[i, j] = _cosine(new_terms[n], previous.topic_terms_[o])
    matched: dict[int, tuple[int, float]] = {}
    if sim.size:
        rows, cols = linear_sum_assignment(-sim)
        for r, c in zip(rows, cols, strict=True):
            matched[new_ids[r]] = (old_ids[c], float(sim[r, c]))
    old_labels = previous.labels
    used_before = [int(t) for t in previous.topic_info_["topic"] if int(t) >= 0]
    next_id = max([*used_before, *old_ids, -1]) + 1
    id_map: dict[int, int] = {}
    labels: dict[int, str] = {}
    rows_out = []
    for n in new_ids:
        internal = inverse[n]
        old, score = matched.get(n, (None, 0.0))
        kept = old is not None and score >= threshold
        if kept:
            assert old is not None
            public = old
            labels[public] = old_labels.get(old, "")
        else:
            public = next_id
            next_id += 1
        id_map[internal] = public
        rows_out.append(
            {
                "internal": internal,
                "topic": public,
                "previous_topic": old if old is not None else pd.NA,
                "similarity": round(score, 6),
                "kept": kept,
                "previous_label": old_labels.get(old, "") if old is not None else "",
            }
        )
    if -1 in model.id_map_:
        id_map[-1] = -1
    model.set_topic_ids(id_map, labels)
    table = pd.DataFrame(rows_out)
    if len(table):
        current = dict(zip(model.topic_info_["topic"], model.topic_info_["label"], strict=True))
        table["label"] = [current[t] for t in table["topic"]]
        table["previous_topic"] = table["previous_topic"].astype("Int64")
        table = table.sort_values("topic", kind="stable").reset_index(drop=True)
    logger.info(
        "aligned %d topics: %d kept their id",
        len(table),
        int(table["kept"].sum()) if len(table) else 0,
    )
    return table
