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


def match_topics(
    new_terms: dict[int, dict[str, float]],
    previous: SavedTopics,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> tuple[dict[int, int], dict[int, str], list[dict[str, Any]]]:
    """Match topics (by their c-TF-IDF term weights) to the topics of a previous run.

    Args:
        new_terms: Top term weights per topic, keyed by the topic's current id.
        previous: The previous run's saved model.
        threshold: Minimum similarity for a topic to keep an old id and label.

    Returns:
        ``id_map`` (current id -> id kept or given), ``labels`` (id -> label kept from the
        previous run) and one matching row per topic (``current``, ``topic``,
        ``previous_topic``, ``similarity``, ``kept``, ``previous_label``).
    """
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
        old, score = matched.get(n, (None, 0.0))
        kept = old is not None and score >= threshold
        if kept:
            assert old is not None
            public = old
            labels[public] = old_labels.get(old, "")
        else:
            public = next_id
            next_id += 1
        id_map[n] = public
        rows_out.append(
            {
                "current": n,
                "topic": public,
                "previous_topic": old if old is not None else pd.NA,
                "similarity": round(score, 6),
                "kept": kept,
                "previous_label": old_labels.get(old, "") if old is not None else "",
            }
        )
    return id_map, labels, rows_out


def alignment_table(
    rows: list[dict[str, Any]], internal: dict[int, int], topic_labels: dict[int, str]
) -> pd.DataFrame:
    """The ``topic_alignment`` table from the rows of :func:`match_topics`.

    Args:
        rows: The matching rows.
        internal: BERTopic's internal id of each row's ``current`` id.
        topic_labels: The label each public topic ends up with.
    """
    table = pd.DataFrame(
        [{"internal": internal[row["current"]]} | row for row in rows],
        columns=[
            "internal",
            "current",
            "topic",
            "previous_topic",
            "similarity",
            "kept",
            "previous_label",
        ],
    ).drop(columns="current")
    if len(table):
        table["label"] = [topic_labels[t] for t in table["topic"]]
        table["previous_topic"] = table["previous_topic"].astype("Int64")
        table = table.sort_values("topic", kind="stable").reset_index(drop=True)
    logger.info(
        "aligned %d topics: %d kept their id",
        len(table),
        int(table["kept"].sum()) if len(table) else 0,
    )
    return table


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
    by_current, labels, rows = match_topics(new_terms, previous, threshold=threshold)
    id_map = {inverse[current]: public for current, public in by_current.items()}
    if -1 in model.id_map_:
        id_map[-1] = -1
    model.set_topic_ids(id_map, labels)
    current_labels = dict(zip(model.topic_info_["topic"], model.topic_info_["label"], strict=True))
    return alignment_table(rows, inverse, current_labels)


def realign(
    saved: Any, previous: SavedTopics | None, *, threshold: float = DEFAULT_THRESHOLD
) -> tuple[bool, pd.DataFrame | None]:
    """The alignment a fresh fit would get, for a result served from the fit cache.

    A cached result holds the ids and labels its fit was given by :func:`align` at the
    time. Refitting would give the same topics (same key) but align them with the model
    saved *now*; the cached result stands for that refit only if this alignment keeps
    every id and label it holds.

    Args:
        saved: The cached result (``topic_terms_``, ``topic_info_`` and ``id_map_``).
        previous: The saved model a fresh fit would align with (``None``: no alignment).
        threshold: As for :func:`align`.

    Returns:
        Whether the cached ids and labels are those a fresh fit would get, and the
        alignment table it would return (``None`` without a previous model).
    """
    from corpus.topics.model import OUTLIER_LABEL, make_label

    info = saved.topic_info_
    labels = dict(zip(info["topic"].astype(int), info["label"], strict=True))
    natural = {
        int(t): OUTLIER_LABEL if int(t) == -1 else make_label(list(terms))
        for t, terms in zip(info["topic"], info["terms"], strict=True)
    }
    if previous is None:
        same = all(k == v for k, v in saved.id_map_.items()) and labels == natural
        return same, None
    by_current, kept_labels, rows = match_topics(saved.topic_terms_, previous, threshold=threshold)
    expected = natural | kept_labels
    inverse = {pub: internal for internal, pub in saved.id_map_.items()}
    fresh = sorted(row["current"] for row in rows if not row["kept"])
    # A fresh fit numbers its new topics in BERTopic's (internal) order.
    same = (
        all(k == v for k, v in by_current.items())
        and all(labels[t] == expected[t] for t in labels)
        and fresh == sorted(fresh, key=lambda t: inverse[t])
    )
    return same, alignment_table(rows, inverse, labels) if same else None
