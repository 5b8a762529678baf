"""Actor candidates' features and the trained keep / sector / role scorers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from corpus.extract.actors import SCORE_COLUMNS, actor_candidates, build_actors, context_text
from corpus.extract.gold import Actor, Annotation
from corpus.extract.tables import ScoringContext, frame_from_rows
from corpus.scorers.actors import (
    ROLES,
    actor_features,
    document_stats,
    gold_actor,
    train_actors,
    train_sectors,
)
from corpus.scorers.roles import train_roles
from corpus.scorers.training import TrainingCorpus


def _records(nlp, text: str) -> list[dict]:
    return nlp(text)._.actors


def test_mention_records_carry_shape_parse_and_cue_features(actors_nlp) -> None:
    text = (
        "Nous avons fondé la coopérative Terre Vive en 2019. "
        "Le projet est financé par la Fondation Lumière depuis deux ans."
    )
    records = {r["name"]: r for r in _records(actors_nlp, text)}
    funder = records["Fondation Lumière"]["features"]
    assert funder["origin"] in ("pattern", "gazetteer", "ner")
    assert funder["form_word"] is True
    assert funder["prep"] == "par" and funder["agent"] is True
    assert funder["cue_bailleur"] == 1.0
    assert funder["first_person"] is False
    assert funder["filtered"] == "none"
    json.dumps(funder)  # JSON scalars only (the tables store it as text)
    assert all(isinstance(v, str | int | float | bool) for v in funder.values())


def test_capitalised_heading_is_proposed_flagged_and_rules_drop_it(actors_nlp) -> None:
    text = "STATUTS DE LA MAISON COMMUNE\nL'association Maison Commune réunit ses membres."
    records = _records(actors_nlp, text)
    flagged = [r for r in records if r["filtered"]]
    assert flagged and flagged[0]["features"]["all_caps"] is True
    assert flagged[0]["features"]["caps_line"] is True
    rows = [{**r, "doc_id": "d", "passage_id": "d-0"} for r in records]
    names = set(build_actors(frame_from_rows("actors", rows))["name"])
    assert not any(name.isupper() for name in names)  # the rules never report it


def _row(start: int, name: str, **features: object) -> dict:
    return {
        "doc_id": "d",
        "passage_id": "d-0",
        "text": name,
        "start": start,
        "end": start + len(name),
        "name": name,
        "kind": "org",
        "origin": "ner",
        "roles": [],
        "features": dict(features),
    }


def test_actor_features_read_the_document() -> None:
    text = "Terre Vive\nNous, Terre Vive, gérons une épicerie. L'assemblée générale a voté.\n"
    text += " " * 600 + "Puis Assemblée Générale."
    rows = [
        _row(0, "Terre Vive", heading=True),
        _row(15, "Terre Vive", first_person=True, subject=True),
        _row(len(text) - 19, "Assemblée Générale", one_word=False),
    ]
    stats = document_stats(rows, 2, text)
    assert stats.first_person_rate > 0
    own = actor_features(
        rows[:2], stats, rank=0, sector="ess", rule_roles=["porteur"], rule_kept=True
    )
    assert own["share"] == pytest.approx(2 / 3)
    assert own["title_zone"] and own["any_heading_top"] and own["first_person_subject"]
    assert own["rule_porteur"] and not own["rule_no_role"]
    assert own["lower_elsewhere"] is False
    organ = actor_features(rows[2:], stats, rank=1, sector="autre", rule_roles=[], rule_kept=True)
    assert organ["lower_elsewhere"] is True  # "assemblée générale" also in lower case
    assert organ["title_zone"] is False and organ["rank"] == pytest.approx(0.5)


def test_context_text_is_the_sentence_around_the_mentions() -> None:
    text = "Premier point. La Fondation Lumière finance le projet. Fin."
    start = text.index("Fondation")
    row = {"start": start, "end": start + len("Fondation Lumière"), "text": "Fondation Lumière"}
    assert context_text(text, [row]) == "La Fondation Lumière finance le projet."


def test_gold_alignment_prefers_core_actors() -> None:
    gold = Annotation(
        document="d.txt",
        actors=[
            Actor(name="Fondation Lumière", aliases=["FL"], sector="ess", roles=["bailleur"]),
            Actor(name="Lumière", optional=True),
        ],
    )
    assert gold_actor(["FL"], gold).name == "Fondation Lumière"
    assert gold_actor(["Lumière"], gold).optional
    assert gold_actor(["Autre"], gold) is None


# -- a small synthetic training corpus -------------------------------------------------
def _corpus(n_docs: int = 12, weight: float = 1.0) -> TrainingCorpus:
    rows: list[dict] = []
    gold: dict[str, Annotation] = {}
    passages: list[dict] = []
    for d in range(n_docs):
        doc = f"doc{d:02d}"
        funder, heading = f"Fondation Nova{d}", f"TITRE {d}"
        text = f"{heading}\nLe projet est financé par la {funder}. Merci."
        passages.append({"doc_id": doc, "passage_id": f"{doc}-0", "start": 0, "text": text})
        for name, start, feats, roles in (
            (
                funder,
                text.index(funder),
                {"form_word": True, "agent": True, "cue_bailleur": 1.0, "title_case": True},
                [{"role": "bailleur", "cue": "financé par", "weak": False}],
            ),
            (heading, 0, {"all_caps": True, "caps_line": True, "filtered": "caps"}, []),
        ):
            row = _row(start, name, **feats)
            row.update(doc_id=doc, passage_id=f"{doc}-0", roles=roles, sector="ess")
            row["filtered"] = "caps" if name == heading else ""
            rows.append(row)
        gold[doc] = Annotation(
            document=f"{doc}.txt",
            actors=[Actor(name=funder, sector="ess", roles=["bailleur"])],
        )
    documents = pd.DataFrame(
        {"doc_id": list(gold), "path": [f"{d}.txt" for d in gold], "is_french": True}
    )
    return TrainingCorpus(
        name="synthetic",
        documents=documents,
        passages=pd.DataFrame(passages),
        records={"actors": frame_from_rows("actors", rows)},
        gold=gold,
        weight=weight,
    )


def test_trainers_learn_keep_and_roles_and_score_build_actors() -> None:
    corpus = _corpus()
    keep = train_actors([corpus], random_state=0)
    roles = train_roles([corpus], random_state=0)
    sectors = train_sectors([corpus], random_state=0)
    assert keep.meta["cv"]["keep"]["n"] == 24 and keep.meta["cv"]["keep"]["positives"] == 12
    context = ScoringContext(
        passages=corpus.passages,
        documents=corpus.documents,
        scorers={"actors": keep, "roles": roles, "sectors": sectors},
    )
    actors = build_actors(corpus.records["actors"], context)
    assert set(SCORE_COLUMNS) <= set(actors.columns)
    assert all(name.startswith("Fondation Nova") for name in actors["name"])
    assert len(actors) == 12
    assert all(list(r) == ["bailleur"] for r in actors["roles"])
    assert (actors["confidence"] > 0.5).all() and (actors["confidence"] <= 1).all()
    assert (actors["confidence_bailleur"] > actors["confidence_preneur"]).all()
    assert set(actors["sector"]) == {"ess"}
    # Without scorers the rules decide and the confidence is left empty.
    rules = build_actors(corpus.records["actors"])
    assert rules["confidence"].isna().all()


def test_same_data_and_seed_give_the_same_bytes() -> None:
    first = [t([_corpus()], random_state=0).dumps() for t in (train_actors, train_roles)]
    again = [t([_corpus()], random_state=0).dumps() for t in (train_actors, train_roles)]
    assert first == again


def test_corpus_weight_is_used_as_sample_weight() -> None:
    light = train_actors([_corpus(weight=1.0)], random_state=0)
    heavy = train_actors([_corpus(weight=4.0)], random_state=0)
    a = light.scorers["keep"].coef_
    b = heavy.scorers["keep"].coef_
    assert not np.allclose(a, b)  # weighted examples move the fit (weaker regularisation)


def test_candidates_carry_rule_decision_and_features() -> None:
    corpus = _corpus(2)
    cands = actor_candidates(corpus.records["actors"], corpus.context())
    assert {c.kept for c in cands} == {True, False}
    funder = next(c for c in cands if c.kept)
    assert funder.roles == ["bailleur"] and funder.features["cue_bailleur"] == 1.0
    assert "financé par" in funder.context
    assert set(ROLES) == {"porteur", "bailleur", "partenaire", "preneur"}
