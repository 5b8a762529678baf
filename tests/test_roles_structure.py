"""The actor's place in its document (role features) and the joint role-set decision."""

from __future__ import annotations

import json

import pandas as pd

from corpus.extract.actors import actor_candidates
from corpus.extract.tables import ScoringContext, frame_from_rows
from corpus.scorers.roles import ANY_ROLE, role_context, role_set

TEXT = (
    "Atelier Rouage\n"
    "Nous sommes l'Atelier Rouage, une association de Caen. L'Atelier Rouage répare des vélos.\n"
    "Nos partenaires : Ville de Caen, Fondation Roue Libre et Garage Martin.\n"
    "Contact : 3 rue du Port, Caen. Atelier Rouage\n"
)


def _row(name: str, *, kind: str = "org", **features: object) -> dict[str, object]:
    start = TEXT.index(name, int(features.pop("after", 0)))  # type: ignore[call-overload]
    return {
        "name": name,
        "start": start,
        "end": start + len(name),
        "kind": kind,
        "features": json.dumps(features),
    }


def _clusters() -> list[list[dict[str, object]]]:
    line2 = TEXT.index("Nos partenaires")
    carrier = [
        _row("Atelier Rouage", heading=True),
        _row("Atelier Rouage", after=16, first_person=True, subject=True),
        _row("Atelier Rouage", after=60),
        _row("Atelier Rouage", after=line2 + 10),
    ]
    city = [_row("Ville de Caen", list_item=True, cue_partenaire=0.5)]
    fund = [_row("Fondation Roue Libre", list_item=True, cue_partenaire=0.5)]
    garage = [_row("Garage Martin", list_item=True)]
    return [carrier, city, fund, garage]


def test_role_context_reads_the_documents_structure() -> None:
    carrier, city, _, garage = role_context(_clusters(), TEXT)
    assert carrier["doc_dominant"] and carrier["doc_first_org"] and carrier["doc_first_line"]
    assert carrier["doc_top_mentioned"] and carrier["doc_we_subject"] and carrier["doc_closing"]
    assert carrier["doc_relative_mentions"] == 1.0 and not carrier["doc_only_listed"]
    assert city["doc_has_dominant_other"] and city["doc_only_listed"]
    assert not city["doc_dominant"] and not city["doc_first_line"]
    assert city["doc_relative_mentions"] == 0.25
    # List mates: the garage shares its line with two actors cued as partners.
    assert garage["doc_mates_partenaire"] == 1.0 and garage["doc_mates_bailleur"] == 0.0
    assert city["doc_mates_partenaire"] == 0.5
    assert carrier["doc_mates_partenaire"] == 0.0  # its mentions share no line with them


def test_no_dominant_organisation_when_two_are_level() -> None:
    clusters = [[_row("Ville de Caen")], [_row("Garage Martin")]]
    assert not any(f["doc_dominant"] for f in role_context(clusters, TEXT))
    assert role_context([], TEXT) == []


def test_role_set_is_joint() -> None:
    thresholds = {"porteur": 0.5, "bailleur": 0.4, "partenaire": 0.4, "preneur": 0.2}
    thresholds[ANY_ROLE] = 0.6
    probs = {"porteur": 0.3, "bailleur": 0.35, "partenaire": 0.2, "preneur": 0.05}
    # No role passes; the actor likely has one: the role nearest its threshold.
    assert role_set(probs, thresholds, 0.7) == ["bailleur"]
    # It likely has none, or the any-role scorer is missing (an older scorer file).
    assert role_set(probs, thresholds, 0.5) == []
    assert role_set(probs, thresholds, None) == []
    # Roles over their thresholds stand as they are (several at once too).
    both = {**probs, "porteur": 0.8, "partenaire": 0.5}
    assert role_set(both, thresholds, 0.1) == ["porteur", "partenaire"]


def test_candidates_carry_their_place_for_the_role_scorers() -> None:
    rows = []
    for cluster in _clusters():
        for row in cluster:
            rows.append({**row, "doc_id": "d1", "passage_id": "d1-0", "sector": "ess", "roles": []})
    passages = pd.DataFrame(
        {"doc_id": ["d1"], "passage_id": ["d1-0"], "start": [0], "text": [TEXT]}
    )
    context = ScoringContext(passages=passages, documents=pd.DataFrame(), scorers={})
    candidates = actor_candidates(frame_from_rows("actors", rows), context)
    carrier = next(c for c in candidates if c.names[0] == "Atelier Rouage")
    assert carrier.structure["doc_dominant"] is True
    assert carrier.role_features["doc_dominant"] is True
    assert "doc_dominant" not in carrier.features  # the keep scorer's features stay as they were
    assert carrier.role_features["log_mentions"] == carrier.features["log_mentions"]


def test_refit_data_of_the_any_role_scorer() -> None:
    from corpus.scorers.refit import field_data
    from corpus.scorers.roles import train_roles
    from test_actors_scorers import _corpus

    corpus = _corpus()
    roles = train_roles([corpus], random_state=0)
    assert ANY_ROLE in roles.scorers and "set" in roles.meta["cv"]
    data = field_data([corpus], roles)
    gold = [bool(a.roles) for g in corpus.gold.values() for a in g.actors]
    assert set(data) == set(roles.scorers)
    # Every matched actor has a role here, so any_role's targets are all positive and
    # each role's targets count its own actors only.
    assert data[ANY_ROLE].y.tolist() == [1] * len(data[ANY_ROLE])
    assert int(data["bailleur"].y.sum()) == sum(gold) and int(data["porteur"].y.sum()) == 0
