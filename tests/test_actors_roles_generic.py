"""Generic role cues and name forms added for unseen documents (sentences written here)."""

from __future__ import annotations

import pytest

import corpus.nlp.factories  # noqa: F401  (registers the factories)

pytestmark = pytest.mark.slow


def found(actors_nlp, text: str) -> dict[str, set[str]]:
    """Actor name -> its strong roles."""
    return {
        r["name"]: {x["role"] for x in r["roles"] if not x["weak"]}
        for r in actors_nlp(text)._.actors
    }


@pytest.mark.parametrize(
    ("text", "name", "roles"),
    [
        # subjects listed before the verb, object pronoun between
        (
            "Le Réseau Alpha, la Ville de Valmont et l'Association Beta l'ont adopté à leur tour.",
            "Ville de Valmont",
            {"preneur"},
        ),
        (
            "Le Réseau Alpha, la Ville de Valmont et l'Association Beta l'ont adopté à leur tour.",
            "Association Beta",
            {"preneur"},
        ),
        # funding nouns with an amount or an adjective before "de X"
        (
            "Le réseau a reçu un financement ponctuel de la Fondation Zeta.",
            "Fondation Zeta",
            {"bailleur"},
        ),
        (
            "Le fonds a été créé en 2019, avec une contribution du ministère de l'Emploi.",
            "ministère de l'Emploi",
            {"bailleur"},
        ),
        (
            "Le projet vient d'obtenir une subvention de 420 000 $ du Fonds Epsilon pour la "
            "recherche.",
            "Fonds Epsilon",
            {"bailleur"},
        ),
        # the agent of a multi-word cue
        (
            "Mis en œuvre par le Ministère de la Solidarité depuis 2022, le programme accompagne "
            "des jeunes.",
            "Ministère de la Solidarité",
            {"porteur"},
        ),
        # a person chairing, or with a leading position in an apposition
        (
            "Jeanne Martin préside depuis 2015 la Coopérative des Jardins de Valmont.",
            "Jeanne Martin",
            {"porteur"},
        ),
        (
            "« Nous voulons avancer », insiste Paul Girard, doctorant et coordonnateur du projet.",
            "Paul Girard",
            {"porteur"},
        ),
        ("Le service est coordonné par la Corporation de transport de Valmont.", None, {"porteur"}),
        # paying is funding; lending premises is support
        (
            "La Communauté de communes de Valmont, qui nous prête le garage et paie le carburant, "
            "nous aide.",
            "Communauté de communes de Valmont",
            {"partenaire", "bailleur"},
        ),
    ],
)
def test_generic_role_cues(actors_nlp, text: str, name: str | None, roles: set[str]) -> None:
    actors = found(actors_nlp, text)
    got = actors[name] if name else next(iter(actors.values()))
    assert roles <= got, (text, actors)


def test_a_body_chairing_a_committee_does_not_carry_the_project(actors_nlp) -> None:
    actors = found(
        actors_nlp,
        "La conférence des financeurs, présidée par le Département de la Gironde, se réunit.",
    )
    assert "porteur" not in actors["Département de la Gironde"]


def test_control_verb_gives_no_role_of_its_own(actors_nlp) -> None:
    # "proposer de" + a verb that is no cue: no support role from "proposer"
    actors = found(actors_nlp, "La Mutuelle Delta propose d'accueillir un salon en 2025.")
    assert "partenaire" not in actors["Mutuelle Delta"]


def test_civility_and_title_are_not_part_of_a_name(actors_nlp) -> None:
    names = set(found(actors_nlp, "Mme Léa Pittet présente le préavis. Le Pr Karim Benali répond."))
    assert "Léa Pittet" in names
    assert "Karim Benali" in names
    assert not any(n.startswith(("Mme", "Pr ")) for n in names)


def test_job_title_is_not_an_organisation(actors_nlp) -> None:
    names = set(
        found(actors_nlp, "La Directrice de l'Économie sociale a ouvert la séance à Dakar.")
    )
    assert not any(n.startswith("Directrice") for n in names)


def test_currency_codes_are_not_actors(actors_nlp) -> None:
    names = set(
        found(actors_nlp, "La Fondation Eta participera à hauteur de CHF 25'000 sur deux ans.")
    )
    assert "CHF" not in names


def test_setting_up_a_fund_is_funding(actors_nlp) -> None:
    text = "La Banque Omega a mis en place une ligne de garantie pour les coopératives."
    assert found(actors_nlp, text)["Banque Omega"] == {"bailleur"}
    service = found(actors_nlp, "La Ville de Valmont a mis en place un service de navettes.")
    assert service["Ville de Valmont"] == {"porteur"}


def test_citizen_and_market_categories(actors_nlp) -> None:
    doc = actors_nlp(
        "Les jeunes femmes et les mères du village vendent aux intermédiaires et aux éleveurs."
    )
    found_types = {(r["category"], r["sector"]) for r in doc._.actor_types}
    assert ("jeune femme", "citoyens") in found_types
    assert ("mère", "citoyens") in found_types
    assert ("intermédiaire", "entreprise") in found_types


def test_name_keeps_its_place_complement(actors_nlp) -> None:
    actors = found(
        actors_nlp,
        "Le fonds a été créé par la Table régionale de développement social du "
        "Saguenay–Lac-Saint-Jean en 2019.",
    )
    assert actors == {
        "Table régionale de développement social du Saguenay–Lac-Saint-Jean": {"porteur"}
    }


def test_dot_separated_partner_list_and_title_dash(actors_nlp) -> None:
    names = set(
        found(actors_nlp, "Nos partenaires : Région Réunion · Ville de Saint-Joseph · Kaz'Innov")
    )
    assert {"Ville de Saint-Joseph", "Kaz'Innov"} <= names
    assert not any("·" in n for n in names)
    assert "Roul'Ensemble" in found(actors_nlp, "Roul'Ensemble – Coopérative de mobilité des Hauts")
