"""Topic labels: a label kept from a previous run must still describe the topic."""

from __future__ import annotations

from corpus.topics.model import label_fits, make_label


def test_label_made_from_terms_fits_them():
    terms = ["habitant", "quartier", "jardin partagé", "jardin", "association"]
    assert label_fits(make_label(terms), terms)


def test_label_with_a_term_no_longer_in_the_top_terms_does_not_fit():
    assert not label_fits("habitant, quartier, vélo", ["habitant", "quartier", "jardin"])


def test_empty_label_never_fits():
    assert not label_fits("", ["habitant"])
    assert not label_fits(" , ", ["habitant"])
