"""Document-level actors: linking, reporting rules, actor types, network and figures."""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from corpus.extract.actors import (
    ACTOR_COLUMNS,
    SCORE_COLUMNS,
    build_actors,
    cooccurrence_network,
    document_actor_types,
    name_key,
)
from corpus.extract.tables import frame_from_rows
from corpus.nlp.actor_spans import abbreviated_by_any, acronym_letters, acronym_of, is_acronym
from corpus.plots.actors import SECTOR_LABELS, network_figure, sectors_figure


def role(name: str, cue: str, start: int, *, weak: bool = False) -> dict:
    return {
        "role": name,
        "cue": cue,
        "evidence": f"phrase {start}",
        "evidence_start": start,
        "evidence_end": start + 10,
        "weak": weak,
    }


def mention(
    doc: str,
    passage: str,
    start: int,
    name: str,
    *,
    acronym: str | None = None,
    sector: str = "autre",
    kind: str = "org",
    origin: str = "ner",
    roles: list[dict] | None = None,
    weak: bool = False,
    byline: bool = False,
) -> dict:
    return {
        "doc_id": doc,
        "passage_id": passage,
        "text": name,
        "start": start,
        "end": start + len(name),
        "name": name,
        "acronym": acronym,
        "sector": sector,
        "kind": kind,
        "origin": origin,
        "roles": roles or [],
        "weak": weak,
        "byline": byline,
    }


def frame(rows: list[dict]) -> pd.DataFrame:
    """The mentions table exactly as the harness builds it (roles as JSON strings)."""
    return frame_from_rows("actors", rows)


def test_acronym_helpers() -> None:
    assert is_acronym("RQIS") and is_acronym("ÉSL") and is_acronym("R&D")
    assert not is_acronym("Avec") and not is_acronym("III") and not is_acronym("AAA")
    assert acronym_of("RWES", "Réseau wallon des entreprises solidaires")
    assert acronym_of("ÉSL", "Économie sociale Laurentides")
    assert acronym_of("SNC", "Solidarités Nouvelles face au Chômage")
    assert not acronym_of("CRIS", "Fondation Berthier")
    assert not acronym_of("AB", "Alliance")  # one content word never matches


def test_many_acronyms_against_one_name_agree_with_one_at_a_time() -> None:
    acronyms = ["SCIC", "SCOP", "CAE", "ESS", "RWES", "ÉSL", "S.A.", "SA", "X", ""]
    names = [
        "Société Coopérative d’Intérêt Collectif",
        "Société coopérative et participative",
        "Coopérative d'activité et d'emploi",
        "Économie sociale Laurentides",
        "Réseau wallon des entreprises solidaires",
        "Société anonyme",
        "Alliance",
        "la Région",
    ]
    letters = [acronym_letters(a) for a in acronyms]
    for name in names:
        expected = any(acronym_of(a, name) for a in acronyms)
        assert abbreviated_by_any(letters, name) is expected, name
        for one, folded in zip(acronyms, letters, strict=True):
            assert abbreviated_by_any([folded], name) is acronym_of(one, name)
    assert abbreviated_by_any(letters, "Société Coopérative d’Intérêt Collectif")
    assert not abbreviated_by_any(letters, "Alliance")


def test_acronym_and_expansion_are_one_actor_across_passages() -> None:
    rows = [
        mention(
            "d1",
            "d1-0000",
            0,
            "Réseau wallon des entreprises solidaires",
            acronym="RWES",
            sector="ess",
            origin="pattern",
        ),
        mention(
            "d1", "d1-0003", 400, "RWES", origin="acronym", roles=[role("porteur", "lancer", 390)]
        ),
        mention("d1", "d1-0004", 500, "RWES", origin="acronym"),
    ]
    actors = build_actors(frame(rows))
    assert list(actors.columns) == [*ACTOR_COLUMNS, *SCORE_COLUMNS]
    assert len(actors) == 1
    row = actors.iloc[0]
    assert row["name"] == "Réseau wallon des entreprises solidaires"
    assert list(row["aliases"]) == ["RWES"]
    assert (row["sector"], list(row["roles"]), row["n_mentions"]) == ("ess", ["porteur"], 3)
    evidence = json.loads(row["evidence"])
    assert evidence[0]["role"] == "porteur" and evidence[0]["evidence_start"] == 390


def test_acronym_linked_by_initials_without_introduction() -> None:
    rows = [
        mention("d1", "p1", 0, "Économie sociale Laurentides", weak=True),
        mention("d1", "p2", 100, "ÉSL", origin="acronym", sector="ess"),
    ]
    actors = build_actors(frame(rows))
    assert actors["name"].tolist() == ["Économie sociale Laurentides"]
    assert actors.iloc[0]["aliases"] == ["ÉSL"]
    assert actors.iloc[0]["sector"] == "ess"


def test_surname_and_first_word_link_to_full_names() -> None:
    rows = [
        mention("d1", "p1", 0, "Hélène Marcoux", kind="person", sector="recherche"),
        mention("d1", "p2", 80, "Marcoux"),
        mention("d1", "p1", 20, "Département de la Gironde", sector="public", origin="pattern"),
        mention("d1", "p3", 120, "Département", roles=[role("bailleur", "financer", 110)]),
    ]
    actors = build_actors(frame(rows)).set_index("name")
    assert actors.loc["Hélène Marcoux", "n_mentions"] == 2
    assert actors.loc["Hélène Marcoux", "kind"] == "person"
    assert actors.loc["Département de la Gironde", "roles"] == ["bailleur"]
    assert len(actors) == 2


def test_name_cut_before_a_de_complement_links_to_the_longer_name() -> None:
    rows = [
        mention(
            "d1",
            "p1",
            0,
            "ministère de la Culture du Valmont",
            sector="public",
            roles=[role("bailleur", "pour subvention", 10)],
        ),
        mention("d1", "p9", 900, "ministère de la Culture", sector="public"),
        # two longer names: the short one stays apart
        mention("d1", "p2", 100, "Maison des jeunes de Brill", sector="ess"),
        mention("d1", "p3", 200, "Maison des jeunes de Lorme", sector="ess"),
        mention("d1", "p4", 300, "Maison des jeunes", sector="ess"),
    ]
    actors = build_actors(frame(rows)).set_index("name")
    assert actors.loc["ministère de la Culture du Valmont", "n_mentions"] == 2
    assert actors.loc["ministère de la Culture du Valmont", "roles"] == ["bailleur"]
    assert "Maison des jeunes" in actors.index
    assert len(actors) == 4


def test_person_surname_and_first_name_alone_link_to_the_full_name() -> None:
    # speaker labels of a transcript: "Mme Tremblay (Annick) :", "JOSÉE-ANNE :"
    rows = [
        mention("d1", "p1", 0, "Annick Tremblay-Roy", kind="person"),
        mention("d1", "p2", 80, "Tremblay-Roy", kind="person"),
        mention("d1", "p1", 30, "Josée-Anne Lapointe", kind="person"),
        mention("d1", "p3", 120, "JOSÉE", kind="person"),
        mention("d1", "p3", 140, "Josée-Anne", kind="person"),
    ]
    actors = build_actors(frame(rows)).set_index("name")
    assert sorted(actors.index) == ["Annick Tremblay-Roy", "Josée-Anne Lapointe"]
    assert actors.loc["Josée-Anne Lapointe", "n_mentions"] == 3


def test_same_name_in_two_documents_stays_two_actors() -> None:
    rows = [
        mention("d1", "d1-p", 0, "Fondation Berthier", sector="ess"),
        mention("d2", "d2-p", 0, "la Fondation Berthier", sector="ess"),
    ]
    actors = build_actors(frame(rows))
    assert actors["doc_id"].tolist() == ["d1", "d2"]
    assert actors["actor_id"].is_unique


def test_weak_roles_only_without_strong_ones() -> None:
    rows = [
        mention("d1", "p1", 0, "Fondation Berthier", roles=[role("porteur", "animer", 0)]),
        mention(
            "d1",
            "p2",
            50,
            "Fondation Berthier",
            roles=[role("partenaire", "partenaires", 40, weak=True)],
        ),
        mention(
            "d1",
            "p2",
            70,
            "Institut Lemoine",
            roles=[role("partenaire", "partenaires", 40, weak=True)],
        ),
    ]
    actors = build_actors(frame(rows)).set_index("name")
    assert actors.loc["Fondation Berthier", "roles"] == ["porteur"]
    assert actors.loc["Institut Lemoine", "roles"] == ["partenaire"]


def test_unconfirmed_weak_mentions_and_bylines_are_not_reported() -> None:
    rows = [
        mention("d1", "p1", 0, "Projet Lumière", weak=True),  # MISC, nothing confirms it
        mention("d1", "p1", 30, "Jean Martin", kind="person", byline=True),
        mention("d1", "p2", 60, "Comité Aval", weak=True, roles=[role("porteur", "créer", 60)]),
    ]
    actors = build_actors(frame(rows))
    assert actors["name"].tolist() == ["Comité Aval"]


def test_organisation_of_the_title_line_is_its_porteur() -> None:
    rows = [
        {
            **mention(
                "d1", "p0", 0, "Coopérative Les Jardins Unis", origin="pattern", sector="ess"
            ),
            "heading": True,
        },
        {
            **mention("d1", "p0", 40, "Chaire Horizon", origin="pattern", sector="recherche"),
            "heading": True,
        },
        {**mention("d1", "p9", 900, "Fondation Berthier", sector="ess"), "heading": True},
    ]
    actors = build_actors(frame(rows)).set_index("name")
    assert actors.loc["Coopérative Les Jardins Unis", "roles"] == ["porteur"]
    assert json.loads(actors.loc["Coopérative Les Jardins Unis", "evidence"])[0]["cue"]
    assert actors.loc["Chaire Horizon", "roles"] == []  # research bodies write about others
    assert actors.loc["Fondation Berthier", "roles"] == []  # a heading far from the top


def test_generic_support_from_a_funder_is_funding() -> None:
    rows = [
        mention(
            "d1",
            "p1",
            0,
            "Ville de Valmont",
            sector="public",
            roles=[role("partenaire", "soutenu par", 0)],
        ),
        mention(
            "d1",
            "p1",
            50,
            "Institut Lemoine",
            sector="recherche",
            roles=[role("partenaire", "soutenu par", 0)],
        ),
        mention(
            "d1",
            "p2",
            90,
            "Ville de Valmont",
            sector="public",
            roles=[role("partenaire", "met à disposition", 90)],
        ),
        mention(
            "d2",
            "p3",
            0,
            "Fonds Horizon",
            sector="ess",
            roles=[role("partenaire", "aider", 0), role("bailleur", "accorder", 0)],
        ),
    ]
    actors = build_actors(frame(rows)).set_index("name")
    assert actors.loc["Institut Lemoine", "roles"] == ["partenaire"]
    # The Ville gives premises too: its support is not only money.
    assert actors.loc["Ville de Valmont", "roles"] == ["partenaire"]
    assert actors.loc["Fonds Horizon", "roles"] == ["bailleur"]


def test_empty_mentions_give_an_empty_table_with_columns() -> None:
    empty = build_actors(frame([]))
    assert list(empty.columns) == [*ACTOR_COLUMNS, *SCORE_COLUMNS] and len(empty) == 0
    assert cooccurrence_network(frame([]), empty).number_of_nodes() == 0
    types = document_actor_types(frame_from_rows("actor_types", []))
    assert list(types.columns) == ["doc_id", "sector", "n_mentions"] and len(types) == 0


def test_document_actor_types_counts_and_orders_sectors() -> None:
    rows = [
        {
            "doc_id": d,
            "passage_id": f"{d}-p",
            "text": t,
            "start": 0,
            "end": 1,
            "category": t,
            "sector": s,
        }
        for d, t, s in [
            ("d2", "citoyens", "citoyens"),
            ("d1", "chercheurs", "recherche"),
            ("d1", "gouvernements", "public"),
            ("d1", "État", "public"),
        ]
    ]
    types = document_actor_types(frame_from_rows("actor_types", rows))
    assert types.values.tolist() == [
        ["d2", "citoyens", 1],
        ["d1", "public", 2],
        ["d1", "recherche", 1],
    ]
    strict = document_actor_types(frame_from_rows("actor_types", rows), min_mentions=2)
    assert strict.values.tolist() == [["d1", "public", 2]]


def _network_rows() -> list[dict]:
    return [
        mention(
            "d1",
            "d1-p1",
            0,
            "Fondation Berthier",
            sector="ess",
            roles=[role("bailleur", "financer", 0)],
        ),
        mention("d1", "d1-p1", 40, "Ville de Valmont", sector="public"),
        mention("d1", "d1-p2", 90, "Fondation Berthier", sector="ess"),
        mention("d1", "d1-p2", 120, "Ville de Valmont", sector="public"),
        mention("d1", "d1-p2", 150, "Institut Lemoine", sector="recherche"),
        mention("d2", "d2-p1", 0, "Fondation Berthier", sector="ess"),
        mention("d2", "d2-p1", 30, "Institut Lemoine", sector="recherche"),
    ]


def test_cooccurrence_network_across_documents() -> None:
    mentions = frame(_network_rows())
    graph = cooccurrence_network(mentions, build_actors(mentions))
    berthier, valmont, lemoine = (
        name_key(n) for n in ("Fondation Berthier", "Ville de Valmont", "Institut Lemoine")
    )
    assert set(graph.nodes) == {berthier, valmont, lemoine}
    assert graph[berthier][valmont]["weight"] == 2  # two passages of d1
    assert graph[berthier][lemoine]["weight"] == 2  # one passage in each document
    assert graph[valmont][lemoine]["weight"] == 1
    node = graph.nodes[berthier]
    assert (node["sector"], node["roles"], node["n_mentions"], node["n_documents"]) == (
        "ess",
        ["bailleur"],
        3,
        2,
    )


def test_network_and_figures_after_a_parquet_round_trip(tmp_path) -> None:
    mentions = frame(_network_rows())
    actors = build_actors(mentions)
    actors.to_parquet(tmp_path / "actors.parquet")
    mentions.to_parquet(tmp_path / "mentions.parquet")
    stored = pd.read_parquet(tmp_path / "actors.parquet")
    graph = cooccurrence_network(pd.read_parquet(tmp_path / "mentions.parquet"), stored)
    assert graph.nodes[name_key("Fondation Berthier")]["roles"] == ["bailleur"]
    assert network_figure(graph).data
    assert sum(sum(t.y) for t in sectors_figure(stored).data) == len(stored)


def test_cooccurrence_network_per_document() -> None:
    mentions = frame(_network_rows())
    actors = build_actors(mentions)
    graph = cooccurrence_network(mentions, actors, across_documents=False)
    assert set(graph.nodes) == set(actors["actor_id"])
    assert nx.number_connected_components(graph) == 2


def test_network_figure_has_french_labels_and_is_deterministic() -> None:
    mentions = frame(_network_rows())
    graph = cooccurrence_network(mentions, build_actors(mentions))
    first, second = network_figure(graph), network_figure(graph)
    assert isinstance(first, go.Figure)
    assert first.to_json() == second.to_json()
    legends = {t.name for t in first.data if t.showlegend is not False}
    assert legends == {SECTOR_LABELS["ess"], SECTOR_LABELS["public"], SECTOR_LABELS["recherche"]}
    hover = " ".join(h for t in first.data if t.hovertext for h in t.hovertext)
    assert "Secteur" in hover and "bailleur de fonds" in hover
    empty = network_figure(nx.Graph())
    assert empty.layout.annotations[0].text == "Aucun acteur nommé"


def test_sectors_figure_counts_actors_by_role() -> None:
    actors = build_actors(frame(_network_rows()))
    fig = sectors_figure(actors)
    bars = {t.name: dict(zip(t.x, t.y, strict=True)) for t in fig.data}
    assert bars["bailleur de fonds"][SECTOR_LABELS["ess"]] == 1
    assert bars["sans rôle"][SECTOR_LABELS["ess"]] == 1  # Berthier in d2 has no role
    assert bars["sans rôle"][SECTOR_LABELS["recherche"]] == 2


@pytest.mark.slow
def test_network_from_the_demo_store_round_trip(demo_path, tmp_path) -> None:
    import shutil

    import corpus

    copy = tmp_path / "demo"
    shutil.copytree(demo_path, copy, ignore=shutil.ignore_patterns(".corpus", "*.ipynb"))
    corpus.open(copy).extract()
    reopened = corpus.open(copy)
    actors, mentions = reopened.actors(), reopened.mentions()
    assert len(actors) > 0
    assert any(isinstance(v, np.ndarray) for v in actors["roles"])
    graph = cooccurrence_network(mentions, actors)
    assert graph.number_of_nodes() > 0
    assert all(isinstance(d["roles"], list) for _, d in graph.nodes(data=True))
    assert network_figure(graph).data
    # one bar segment per (actor, role); actors without a role count once
    expected = sum(max(1, len(r)) for r in actors["roles"])
    assert sum(sum(t.y) for t in sectors_figure(actors).data) == expected
