"""Reliability of confidences: outcomes against gold, binned, expected calibration error."""

from __future__ import annotations

import pandas as pd
import pytest

from corpus.extract.gold import Actor, Annotation, Definition
from corpus.scorers.calibration import outcomes, reliability


def test_outcomes_follow_format_md_matching() -> None:
    gold = {
        "d1": Annotation(
            document="a.txt",
            definitions=[
                Definition(term="tiers-lieu", text="Un tiers-lieu est un espace partagé."),
                Definition(term="scic", text="La SCIC associe ses parties.", optional=True),
            ],
            actors=[Actor(name="Mairie de Brest"), Actor(name="Jean", optional=True)],
            needs=["emploi"],
            needs_optional=["logement"],
        )
    }
    tables = {
        "definitions": pd.DataFrame(
            {
                "doc_id": ["d1", "d1", "d1"],
                "term": ["tiers-lieu", "scic", "ess"],
                "text": [
                    "Un tiers-lieu est un espace partagé.",
                    "La SCIC associe ses parties.",
                    "L'ESS est une économie.",
                ],
                "confidence": [0.9, 0.6, 0.2],
            }
        ),
        "doc_needs": pd.DataFrame(
            {
                "doc_id": ["d1"] * 3,
                "need": ["emploi", "logement", "culture"],
                "confidence": [0.8, 0.5, 0.3],
            }
        ),
    }
    actors = {
        "d1": pd.DataFrame(
            {"name": ["Mairie de Brest", "Jean", "ARTICLE 5"], "confidence": [0.9, 0.7, 0.4]}
        )
    }
    frame = outcomes(tables, actors, gold)
    got = {(r.field, r.item): r.correct for r in frame.itertuples()}
    assert got == {
        ("definitions", "tiers-lieu"): True,
        ("definitions", "ess"): False,
        ("actors", "Mairie de Brest"): True,
        ("actors", "ARTICLE 5"): False,
        ("needs", "emploi"): True,
        ("needs", "culture"): False,
    }  # the optional matches (scic, Jean, logement) are left out


def test_reliability_bins_and_ece() -> None:
    frame = pd.DataFrame(
        {
            "field": ["x"] * 4,
            "doc_id": ["d"] * 4,
            "item": list("abcd"),
            "confidence": [0.1, 0.15, 0.9, 0.95],
            "correct": [False, False, True, False],
        }
    )
    table, ece = reliability(frame, bins=2)
    assert table["n"].tolist() == [2, 2]
    assert table["observed"].tolist() == [0.0, 0.5]
    assert ece == pytest.approx((2 * 0.125 + 2 * abs(0.925 - 0.5)) / 4)
    empty, none = reliability(frame.assign(confidence=float("nan")))
    assert len(empty) == 0 and none is None
