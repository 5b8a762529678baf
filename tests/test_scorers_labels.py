"""Needs and stages scorers: (document, label) features, gold targets, training, decisions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from corpus.extract.gold import Annotation
from corpus.extract.needs import DOC_NEEDS_COLUMNS, document_needs
from corpus.extract.stages import DOC_STAGES_COLUMNS, document_stages
from corpus.extract.tables import ScoringContext
from corpus.scorers.labels import (
    LABEL_FIELDS,
    NEEDS_FIELD,
    STAGES_FIELD,
    calibration,
    decide,
    fit_label_scorers,
    gold_targets,
    label_features,
    label_probabilities,
    label_thresholds,
)
from corpus.scorers.model import ScorerSet
from corpus.scorers.training import TrainingCorpus


def _passages(doc_ids: list[str], per_doc: int = 4) -> pd.DataFrame:
    rows = []
    for doc_id in doc_ids:
        for i in range(per_doc):
            rows.append((doc_id, f"{doc_id}-{i:04d}", i * 100, i * 100 + 90, 15))
    return pd.DataFrame(rows, columns=["doc_id", "passage_id", "start", "end", "n_words"])


def _mention(doc_id: str, passage: int, need: str, score: float, sentence: str) -> dict:
    return {
        "doc_id": doc_id,
        "passage_id": f"{doc_id}-{passage:04d}",
        "need": need,
        "start": passage * 100 + 5,
        "score": score,
        "cue": f"{need}.{score}",
        "context": "cue" if score >= 1 else "plain",
        "evidence": sentence,
    }


def _corpus(n_docs: int = 24, *, weight: float = 1.0, seed: int = 0) -> TrainingCorpus:
    """Documents whose main need is mentioned strongly and often (gold), with one side
    mention of another need (not gold) and, in every third document, an optional one."""
    rng = np.random.default_rng(seed)
    needs = ["emploi", "logement", "sante", "culture"]
    doc_ids = [f"d{i:02d}" for i in range(n_docs)]
    rows, gold = [], {}
    for i, doc_id in enumerate(doc_ids):
        main, side = needs[i % 4], needs[(i + 1) % 4]
        for p in range(int(rng.integers(2, 4))):
            rows.append(_mention(doc_id, p, main, 1.0, f"Le projet agit pour {main} {p}."))
        rows.append(_mention(doc_id, 3, side, 0.25, f"Un mot sur {side}."))
        optional = [needs[(i + 2) % 4]] if i % 3 == 0 else []
        if optional:
            rows.append(_mention(doc_id, 2, optional[0], 0.5, "Une mention en passant."))
        gold[doc_id] = Annotation(document=f"{doc_id}.txt", needs=[main], needs_optional=optional)
    passages = _passages(doc_ids)
    documents = pd.DataFrame({"doc_id": doc_ids, "path": [f"{d}.txt" for d in doc_ids]})
    return TrainingCorpus(
        name=f"synthetic{seed}",
        documents=documents,
        passages=passages,
        records={"needs": pd.DataFrame(rows), "stages": pd.DataFrame()},
        gold=gold,
        weight=weight,
    )


def test_one_example_per_document_and_label() -> None:
    corpus = _corpus(4)
    keys, features = label_features(corpus.records["needs"], NEEDS_FIELD, corpus.passages)
    assert len(keys) == 4 * len(NEEDS_FIELD.labels) == len(features)
    row = keys[(keys["doc_id"] == "d00") & (keys["label"] == "emploi")].index[0]
    assert keys.loc[row, "n_mentions"] >= 2 and keys.loc[row, "score"] >= 2.0
    assert features[row]["mentioned"] and features[row]["is_top"]
    assert features[row]["share_of_top"] == 1.0 and features[row]["rule_keep"]
    side = keys[(keys["doc_id"] == "d00") & (keys["label"] == "logement")].index[0]
    assert features[side]["rule_keep"] is False and 0 < features[side]["share_of_top"] < 0.2
    absent = keys[(keys["doc_id"] == "d00") & (keys["label"] == "mobilite")].index[0]
    assert features[absent]["mentioned"] is False and features[absent]["log_mentions"] == 0.0


def test_similarity_features_compare_sentences_with_descriptions() -> None:
    corpus = _corpus(2)

    def embed(texts):  # a label's description is close to sentences naming it
        words = ["emploi", "logement", "sante", "culture"]
        out = np.array([[1.0 + (w in t.lower()) * 3 for w in words] for t in texts])
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    keys, features = label_features(
        corpus.records["needs"], NEEDS_FIELD, corpus.passages, embed=embed
    )
    pairs = zip(zip(keys.doc_id, keys.label, strict=True), features, strict=True)
    by_label = {label: f for (doc, label), f in pairs if doc == "d00"}
    assert {"sim_rel", "sim_z", "sim_own_rel", "sim_rank"} <= set(by_label["emploi"])
    assert by_label["emploi"]["sim_own_rel"] > by_label["culture"]["sim_own_rel"] == 0.0


def test_gold_targets_leave_optional_labels_out() -> None:
    corpus = _corpus(3)
    keys, _ = label_features(corpus.records["needs"], NEEDS_FIELD, corpus.passages)
    y = gold_targets(keys, corpus.gold, NEEDS_FIELD)
    target = dict(zip(zip(keys.doc_id, keys.label, strict=True), y, strict=True))
    assert target[("d00", "emploi")] == 1
    assert target[("d00", "logement")] == 0
    assert target[("d00", "sante")] == -1  # optional in d00's gold
    assert target[("d01", "culture")] == 0
    unlabelled = gold_targets(keys, {}, NEEDS_FIELD)
    assert (unlabelled == -1).all()


def test_training_is_reproducible_and_learns() -> None:
    corpora = [_corpus(24, seed=0), _corpus(12, seed=1, weight=2.0)]
    first = fit_label_scorers(corpora, NEEDS_FIELD, similarity=None)
    second = fit_label_scorers(corpora, NEEDS_FIELD, similarity=None)
    assert first.dumps() == second.dumps()
    assert set(first.scorers) == set(NEEDS_FIELD.labels)
    assert first.meta["cv"]["f1"] > 0.9
    assert first.meta["C"] in (0.3, 1.0, 3.0)
    assert set(first.thresholds.values()) == {first.meta["cv"]["threshold"]}
    keys, features = label_features(corpora[0].records["needs"], NEEDS_FIELD, corpora[0].passages)
    proba = dict(
        zip(
            zip(keys.doc_id, keys.label, strict=True),
            [first.proba(lab, [f])[0] for lab, f in zip(keys.label, features, strict=True)],
            strict=True,
        )
    )
    assert proba[("d00", "emploi")] > 0.8 > 0.2 > proba[("d00", "logement")]
    assert ScorerSet.from_dict(first.to_dict()).dumps() == first.dumps()


def test_finalizers_use_the_scorer_and_write_confidence() -> None:
    corpus = _corpus(24)
    scorer_set = fit_label_scorers([corpus], NEEDS_FIELD, similarity=None)
    context = ScoringContext(
        passages=corpus.passages, documents=corpus.documents, scorers={"needs": scorer_set}
    )
    out = document_needs(corpus.records["needs"], context)
    assert tuple(out.columns) == DOC_NEEDS_COLUMNS
    assert out["confidence"].between(scorer_set.threshold("emploi"), 1.0).all()
    got = set(zip(out.doc_id, out.need, strict=True))
    assert ("d00", "emploi") in got and ("d00", "logement") not in got
    # No scorer: the rules decide and the confidence is empty.
    rules = document_needs(
        corpus.records["needs"], ScoringContext(corpus.passages, corpus.documents)
    )
    assert tuple(rules.columns) == DOC_NEEDS_COLUMNS and rules["confidence"].isna().all()
    assert ("d00", "emploi") in set(zip(rules.doc_id, rules.need, strict=True))


def test_stage_finalizer_without_candidates() -> None:
    passages = _passages(["d1"])
    empty = pd.DataFrame(columns=["doc_id", "passage_id", "stage", "weight"])
    rules = document_stages(empty, ScoringContext(passages, pd.DataFrame({"doc_id": ["d1"]})))
    assert tuple(rules.columns) == DOC_STAGES_COLUMNS and len(rules) == 0
    keys, features = label_features(empty, STAGES_FIELD, passages)
    assert list(keys["label"]) == list(STAGES_FIELD.labels)
    assert not any(f["mentioned"] for f in features)


def test_calibration_table() -> None:
    y = np.array([0, 0, 1, 1, 1, 0])
    proba = np.array([0.05, 0.15, 0.9, 0.95, 0.55, 0.45])
    table = calibration(y, proba)
    assert [(row["low"], row["n"]) for row in table["bins"]] == [(0.0, 2), (0.4, 2), (0.8, 2)]
    assert table["bins"][0]["mean_confidence"] == 0.1 and table["bins"][0]["observed"] == 0.0
    assert table["bins"][-1]["observed"] == 1.0
    assert table["ece"] == pytest.approx((2 * 0.1 + 2 * 0.0 + 2 * 0.075) / 6, abs=1e-4)


@pytest.mark.slow
def test_shipped_scorer_files_load() -> None:
    from corpus.scorers.registry import SHIPPED_DIR

    for name in ("needs", "stages"):
        path = SHIPPED_DIR / f"{name}.json"
        if not path.is_file():
            pytest.skip(f"no shipped {name} scorer")
        loaded = ScorerSet.load(path)
        assert loaded.meta["similarity"] in ("static", "e5", None)
        assert set(loaded.scorers) == set((NEEDS_FIELD if name == "needs" else STAGES_FIELD).labels)


def test_label_thresholds_move_a_label_only_for_a_real_gain() -> None:
    # Label "b" is scored low across the board: its positives sit at 0.35, its
    # negatives at 0.15, so the shared 0.5 misses them all and 0.3 finds them all.
    y = np.array([1, 0, 1, 0, 1, 0, 1, 0])
    proba = np.array([0.9, 0.1, 0.8, 0.2, 0.35, 0.15, 0.35, 0.15])
    labels = np.array(["a", "a", "a", "a", "b", "b", "b", "b"])
    chosen = label_thresholds(y, proba, labels, ["a", "b", "c"], 0.5)
    assert chosen["a"] == 0.5 and chosen["c"] == 0.5
    assert 0.15 < chosen["b"] <= 0.35
    # The same gain below the bar keeps the shared threshold.
    assert label_thresholds(y, proba, labels, ["a", "b"], 0.5, min_gain=0.5)["b"] == 0.5


def test_one_trainer_per_label_field_and_one_builder_for_decisions() -> None:
    from corpus.scorers.training import trainers

    registered = trainers()
    for spec in LABEL_FIELDS:
        assert registered[spec.name].__module__ == "corpus.scorers.labels"
    corpus = _corpus(24)
    scorer_set = fit_label_scorers([corpus], NEEDS_FIELD, similarity=None)
    records = corpus.records["needs"]
    every = label_probabilities(records, NEEDS_FIELD, scorer_set, corpus.passages, embed=None)
    assert len(every) == 24 * len(NEEDS_FIELD.labels)
    kept = decide(records, NEEDS_FIELD, scorer_set, corpus.passages, embed=None)
    above = every[every["confidence"] >= every["label"].map(scorer_set.threshold) - 1e-12]
    assert list(zip(kept.doc_id, kept.need, kept.confidence, strict=True)) == list(
        zip(above.doc_id, above.label, above.confidence, strict=True)
    )
