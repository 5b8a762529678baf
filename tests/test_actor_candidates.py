"""Recall-first actor candidates and the features that separate actors from statute
bodies, legal forms and bare form words."""

from __future__ import annotations


def _records(nlp, text: str) -> dict[str, dict]:
    return {r["name"]: r for r in nlp(text)._.actors}


def test_first_name_and_surname_in_capitals_make_one_person(actors_nlp) -> None:
    text = (
        "Élection du conseil\n- Maëlle KERVRAN\n- Jean-Loup TANGUY\n- Ousmane SALL\n"
        "Contact : Nadège BOURHIS, coordinatrice – contact@exemple.org"
    )
    records = _records(actors_nlp, text)
    for name in ("Maëlle KERVRAN", "Jean-Loup TANGUY", "Ousmane SALL", "Nadège BOURHIS"):
        assert records[name]["kind"] == "person", name
    # The surname alone is no longer a candidate of its own.
    assert not {"KERVRAN", "TANGUY", "SALL", "BOURHIS"} & set(records)


def test_article_before_capitals_is_not_a_first_name(actors_nlp) -> None:
    records = _records(actors_nlp, "La MRC finance le projet avec Une SCIC du quartier.")
    assert not any(r["kind"] == "person" for r in records.values())


def test_bare_capitalised_form_word_is_a_flagged_candidate(actors_nlp) -> None:
    doc = actors_nlp("L'atelier est financé par la Région et par l'État depuis 2021.")
    records = {r["name"]: r for r in doc._.actors}
    assert records["Région"]["filtered"] == "bare_form"
    # Two bodies, not "Région et de l'État"; l'État stays a public category.
    assert not any(" et " in name for name in records)
    assert "public" in {t["sector"] for t in doc._.actor_types}


def test_coordinated_bodies_are_not_one_name(actors_nlp) -> None:
    records = _records(actors_nlp, "Avec le soutien financier de la Région et de l’État.")
    assert "Région" in records and not any(" et " in name for name in records)


def test_statute_bodies_legal_forms_and_determiners_are_features(actors_nlp) -> None:
    text = (
        "Le Conseil d’Administration se réunit chaque mois avec notre Bureau. "
        "Le passage en Société Coopérative d’Intérêt Collectif est étudié. "
        "La Fondation Berthier soutient une Maison Verte."
    )
    records = _records(actors_nlp, text)
    board = records["Conseil d’Administration"]["features"]
    assert board["statute_body"] is True and board["det"] == "definite"
    assert records["Bureau"]["features"]["statute_body"] is True
    assert records["Bureau"]["features"]["det"] == "possessive"
    assert records["Société Coopérative d’Intérêt Collectif"]["features"]["category_expansion"]
    berthier = records["Fondation Berthier"]["features"]
    assert berthier["statute_body"] is False and berthier["category_expansion"] is False
