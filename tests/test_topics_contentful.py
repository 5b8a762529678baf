"""Short passages (headings) are not clustered: they follow the contentful passages."""

from __future__ import annotations

import numpy as np

from corpus.topics.clustering import (
    MIN_CONTENT_TERMS,
    contentful,
    propagate_topics,
    renumber_by_size,
    unplaced_share,
)


def test_contentful_counts_distinct_lemmas_without_boundaries():
    long = " ".join(f"mot{i}" for i in range(MIN_CONTENT_TERMS))
    repeated = " | ".join(["logement"] * (MIN_CONTENT_TERMS + 3))
    analysed = ["contexte", long, repeated, "", long + " | autre"]
    assert contentful(analysed).tolist() == [1, 4]
    assert contentful(analysed, min_terms=1).tolist() == [0, 1, 2, 4]


def test_a_heading_takes_the_topic_of_the_next_contentful_passage():
    doc_ids = np.array(["a", "a", "a", "a", "a", "b", "b", "c"])
    order = np.array([0, 1, 2, 3, 4, 0, 1, 0])
    core = np.array([1, 3, 6])
    topics = propagate_topics(doc_ids, order, core, np.array([5, 2, 7]))
    # 0 -> next (1); 2 -> next (3); 4 -> after the last: previous (3); 5 -> next (6);
    # document c has no contentful passage: outlier.
    assert topics.tolist() == [5, 5, 2, 2, 2, 7, 7, -1]


def test_propagation_follows_the_order_within_documents_not_the_row_order():
    doc_ids = np.array(["a", "b", "a", "a"])
    order = np.array([2, 0, 0, 1])
    core = np.array([0, 1])
    topics = propagate_topics(doc_ids, order, core, np.array([3, 4]))
    assert topics.tolist() == [3, 4, 3, 3]


def test_by_size_renumbers_by_decreasing_size_and_keeps_outliers():
    topics = np.array([4, 4, 1, -1, 1, 1, 9])
    assert renumber_by_size(topics).tolist() == [1, 1, 0, -1, 0, 0, 2]


def test_unplaced_share_counts_passages_of_documents_without_a_contentful_one():
    doc_ids = np.array(["a", "a", "b", "c", "c"])
    assert unplaced_share(doc_ids, np.array([0])) == 0.6
    assert unplaced_share(doc_ids, np.array([1, 2, 4])) == 0.0
