"""Reliability of confidences: outcomes against gold, binned, expected calibration error."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from corpus.extract.gold import Actor, Annotation, Definition
from corpus.scorers import calibration
from corpus.scorers.calibration import calibrate, outcomes, platt, reliability
from corpus.scorers.model import Scorer, ScorerSet
from corpus.scorers.refit import LabelData, concat


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


# -- calibration maps ----------------------------------------------------------------------
def _synthetic(n: int, corpus: str, rng: np.random.Generator, *, noise: float) -> LabelData:
    """Examples whose label follows one cue, more noisily in some corpora than others."""
    cue = rng.normal(size=n)
    y = (cue + rng.normal(scale=noise, size=n) > 0).astype(int)
    return LabelData(
        features=[{"cue": float(c)} for c in cue],
        y=y,
        weights=np.ones(n),
        groups=np.asarray([f"{corpus}/d{i % 10}" for i in range(n)]),
    )


def _calibrated(monkeypatch, reference=None):
    rng = np.random.default_rng(0)
    parts = [
        _synthetic(300, "clean", rng, noise=0.1),
        _synthetic(300, "tidy", rng, noise=0.1),
        _synthetic(300, "real", rng, noise=1.5),
    ]
    data = {"keep": concat(parts)}
    scorer = Scorer(C=100.0).fit(data["keep"].features, data["keep"].y)
    scorer_set = ScorerSet("actors", {"keep": scorer}, {"keep": 0.6})
    monkeypatch.setattr(calibration, "field_data", lambda corpora, s, cache=None: data)
    corpora = [SimpleNamespace(name=n) for n in ("clean", "tidy", "real")]
    raw = scorer_set.proba("keep", data["keep"].features)
    calibrated = calibrate(scorer_set, corpora, reference=reference)  # type: ignore[arg-type]
    return raw, calibrated, data["keep"]


def test_calibration_keeps_decisions_and_tempers_overconfidence(monkeypatch) -> None:
    raw, scorer_set, data = _calibrated(monkeypatch, reference=["real"])
    slope = scorer_set.calibration["keep"][0]
    assert 0 < slope < 1  # a noisy held-out corpus: the log-odds are shrunk
    proba = scorer_set.proba("keep", data.features)
    # Same decisions at the moved threshold, same order, less extreme confidences.
    assert ((proba >= scorer_set.threshold("keep")) == (raw >= 0.6)).all()
    assert (np.argsort(proba, kind="stable") == np.argsort(raw, kind="stable")).all()
    real = data.corpora == "real"
    confident = proba[real] >= 0.8
    frame = pd.DataFrame({"confidence": proba[real], "correct": data.y[real] == 1})
    raw_frame = pd.DataFrame({"confidence": raw[real], "correct": data.y[real] == 1})
    assert reliability(frame)[1] < reliability(raw_frame)[1]
    assert confident.sum() < (raw[real] >= 0.8).sum()
    report = scorer_set.meta["calibration"]["maps"]["keep"]
    assert report["after"]["ece"] < report["before"]["ece"]
    assert scorer_set.meta["calibration"]["folds"] == "leave-one-corpus-out"


def test_calibration_map_is_stored_and_reproducible(monkeypatch, tmp_path) -> None:
    _, first, data = _calibrated(monkeypatch)
    _, second, _ = _calibrated(monkeypatch)
    assert first.dumps() == second.dumps()
    path = first.save(tmp_path / "actors.json")
    loaded = ScorerSet.load(path)
    assert loaded.calibration == first.calibration
    assert np.allclose(loaded.proba("keep", data.features), first.proba("keep", data.features))
    assert loaded.threshold("keep") == first.threshold("keep")


def test_platt_refuses_too_few_examples() -> None:
    assert platt(np.array([0.1, 2.0, -1.0]), np.array([0, 1, 0])) is None
    z = np.linspace(-4, 4, 200)
    y = (np.random.default_rng(1).random(200) < 1 / (1 + np.exp(-0.5 * z))).astype(int)
    a, b = platt(z, y) or (0.0, 0.0)
    assert 0.2 < a < 0.9 and abs(b) < 0.6
