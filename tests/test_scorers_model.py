"""The scorer estimator and its files: fit, predict, persistence, reproducible bytes."""

from __future__ import annotations

import numpy as np
import pytest

from corpus.scorers import registry
from corpus.scorers.model import Scorer, ScorerError, ScorerSet


def _data(n: int = 200, seed: int = 3) -> tuple[list[dict], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X, y = [], []
    for _ in range(n):
        cue = bool(rng.random() < 0.5)
        verb = str(rng.choice(["être", "désigner", "financer"]))
        label = int((cue and verb != "financer") or rng.random() < 0.05)
        X.append({"cue": cue, "verb": verb, "n_words": float(rng.integers(3, 40)), "none": None})
        y.append(label)
    emb = rng.normal(size=(n, 8)).astype(np.float32)
    return X, np.array(y), emb


def test_scorer_learns_the_signal_and_reports_it() -> None:
    X, y, _ = _data()
    scorer = Scorer(C=10.0).fit(X, y)
    proba = scorer.predict_proba(X)
    assert proba.shape == (len(X),)
    accuracy = float(((proba >= 0.5).astype(int) == y).mean())
    assert accuracy > 0.9
    names = [name for name, _ in scorer.top_features(3)]
    assert "cue" in names or "verb=financer" in names
    # A feature value never seen in training is ignored, not an error.
    assert scorer.predict_proba([{"verb": "inconnu", "cue": True}]).shape == (1,)


def test_fit_returns_self_and_keeps_params_only_in_init() -> None:
    scorer = Scorer(C=0.5, random_state=7)
    assert scorer.get_params()["C"] == 0.5
    assert not hasattr(scorer, "coef_")
    X, y, _ = _data(60)
    assert scorer.fit(X, y) is scorer
    assert hasattr(scorer, "coef_")


def test_round_trip_gives_same_probabilities_and_same_bytes(tmp_path) -> None:
    X, y, emb = _data()
    scorers = {"keep": Scorer().fit(X, y, embeddings=emb)}
    first = ScorerSet("actors", scorers, thresholds={"keep": 0.4}, meta={"n": len(X)})
    path = first.save(tmp_path / "actors.json")
    again = ScorerSet.load(path)
    np.testing.assert_allclose(
        again.proba("keep", X, embeddings=emb), first.proba("keep", X, embeddings=emb), atol=1e-7
    )
    assert again.threshold("keep") == pytest.approx(0.4)
    assert again.uses_embeddings
    # Refitting on the same data with the same seed writes the same bytes.
    refit = ScorerSet(
        "actors",
        {"keep": Scorer().fit(X, y, embeddings=emb)},
        thresholds={"keep": 0.4},
        meta={"n": len(X)},
    )
    assert refit.dumps() == path.read_text(encoding="utf-8")


def test_embedding_scorer_refuses_candidates_without_embeddings() -> None:
    X, y, emb = _data(80)
    scorer = Scorer().fit(X, y, embeddings=emb)
    with pytest.raises(ScorerError, match="E-SCORER"):
        scorer.predict_proba(X)


def test_one_class_training_gives_a_smoothed_prior() -> None:
    X, _, _ = _data(30)
    scorer = Scorer().fit(X, np.zeros(len(X), dtype=int))
    proba = scorer.predict_proba(X)
    assert np.allclose(proba, 1 / 32)


def test_sample_weight_moves_the_decision() -> None:
    X = [{"cue": True}] * 10 + [{"cue": False}] * 10
    y = np.array([1] * 5 + [0] * 5 + [0] * 10)
    base = Scorer(C=100.0).fit(X, y).predict_proba([{"cue": True}])[0]
    weights = np.array([5.0] * 5 + [1.0] * 15)
    heavy = Scorer(C=100.0).fit(X, y, sample_weight=weights).predict_proba([{"cue": True}])[0]
    assert heavy > base + 0.2


def test_unknown_label_and_bad_file_are_clear_errors(tmp_path) -> None:
    X, y, _ = _data(50)
    scorer_set = ScorerSet("roles", {"porteur": Scorer().fit(X, y)})
    with pytest.raises(ScorerError, match="no label 'bailleur'"):
        scorer_set.proba("bailleur", X)
    bad = tmp_path / "roles.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ScorerError, match=r"E-SCORER.*roles.json"):
        ScorerSet.load(bad)


def test_adapted_scorers_win_over_shipped(tmp_path, monkeypatch) -> None:
    shipped = tmp_path / "shipped"
    store = tmp_path / "store"
    monkeypatch.setattr(registry, "SHIPPED_DIR", shipped)
    X, y, _ = _data(50)
    assert registry.load_scorer_set("roles", store_root=store) is None
    ScorerSet("roles", {"porteur": Scorer().fit(X, y)}, meta={"v": "shipped"}).save(
        shipped / "roles.json"
    )
    before = registry.scorers_fingerprint(store_root=store)
    assert registry.load_scorer_set("roles", store_root=store).meta["v"] == "shipped"
    ScorerSet("roles", {"porteur": Scorer().fit(X, 1 - y)}, meta={"v": "adapted"}).save(
        registry.adapted_dir(store) / "roles.json"
    )
    assert registry.load_scorer_set("roles", store_root=store).meta["v"] == "adapted"
    assert registry.scorers_fingerprint(store_root=store) != before
    assert registry.provenance(store_root=store)["roles"]["origin"] == "adapted"
    assert registry.provenance(store_root=store)["actors"]["origin"] == "rules"
