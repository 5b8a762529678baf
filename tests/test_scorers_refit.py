"""Refits with fixed hyperparameters: what calibration and ``corpus learn`` build on."""

from __future__ import annotations

import numpy as np

from corpus.scorers.model import Scorer, ScorerSet
from corpus.scorers.refit import POOLED, LabelData, concat, refit


def _data(n: int, corpus: str, sign: float, seed: int) -> LabelData:
    rng = np.random.default_rng(seed)
    cue = rng.normal(size=n)
    return LabelData(
        features=[{"cue": float(c), "kind": "a" if c > 1 else "b"} for c in cue],
        y=(sign * cue > 0).astype(int),
        weights=np.ones(n),
        groups=np.asarray([f"{corpus}/d{i % 5}" for i in range(n)]),
    )


def test_refit_keeps_parameters_thresholds_and_map() -> None:
    shipped = _data(200, "train", 1.0, 0)
    scorer = Scorer(C=0.3, random_state=3).fit(shipped.features, shipped.y)
    scorer_set = ScorerSet(
        "actors", {"keep": scorer}, {"keep": 0.42}, {"n": 200}, calibration={"keep": (0.7, -0.1)}
    )
    corrections = _data(40, "corrections", -1.0, 1)
    corrections.weights = corrections.weights * 50.0
    adapted = refit(scorer_set, {"keep": concat([shipped, corrections])})
    assert adapted.scorers["keep"].get_params() == scorer.get_params()
    assert adapted.thresholds == {"keep": 0.42} and adapted.calibration == scorer_set.calibration
    assert adapted.meta == {"n": 200} and adapted.meta is not scorer_set.meta
    # Heavily weighted corrections that say the opposite turn the cue's sign round.
    cue = adapted.scorers["keep"].top_features(1)[0]
    assert cue[0] == "cue" and cue[1] < 0 < scorer.top_features(1)[0][1]
    assert scorer_set.scorers["keep"] is scorer  # the original set is untouched


def test_pooled_field_shares_one_refitted_scorer() -> None:
    data = _data(100, "train", 1.0, 2)
    shared = Scorer().fit(data.features, data.y)
    scorer_set = ScorerSet(
        "needs",
        {"emploi": shared, "sante": shared},
        {"emploi": 0.4, "sante": 0.4},
        {"pooled": True},
    )
    adapted = refit(scorer_set, {POOLED: concat([data, _data(30, "c", 1.0, 3)])})
    assert adapted.scorers["emploi"] is adapted.scorers["sante"]
    assert adapted.scorers["emploi"].n_train_ == 130


def test_concat_and_take_keep_rows_aligned() -> None:
    a, b = _data(5, "x", 1.0, 4), _data(3, "y", 1.0, 5)
    both = concat([a, b])
    assert len(both) == 8 and list(both.corpora) == ["x"] * 5 + ["y"] * 3
    part = both.take(np.array([6, 0]))
    assert part.features == [b.features[1], a.features[0]]
    assert list(part.groups) == [b.groups[1], a.groups[0]]


def test_memory_overrides_remembered_names_and_survives_a_round_trip(tmp_path) -> None:
    data = _data(100, "train", 1.0, 6)
    scorer = Scorer().fit(data.features, data.y)
    scorer_set = ScorerSet(
        "actors",
        {"keep": scorer},
        {"keep": 0.5},
        memory={"keep": {"assemblee generale": 0.0, "mairie de brest": 1.0, "etat": 0.5}},
    )
    X = [{"cue": 3.0, "kind": "a"}, {"cue": -3.0, "kind": "b"}, {"cue": 3.0, "kind": "a"}]
    names = [["Assemblée Générale"], ["la Mairie de Brest", "MdB"], ["Ailleurs"]]
    plain = scorer_set.proba("keep", X)
    assert plain[0] > 0.9 and plain[1] < 0.1
    remembered = scorer_set.proba("keep", X, names=names)
    # Struck out and kept by the researcher: the verdicts, never quite certain.
    assert remembered[0] == 0.02 and remembered[1] == 0.98
    assert remembered[2] == plain[2]  # an unknown name keeps the scorer's guess
    loaded = ScorerSet.load(scorer_set.save(tmp_path / "actors.json"))
    assert loaded.memory == scorer_set.memory
    assert np.allclose(loaded.proba("keep", X, names=names), remembered)
