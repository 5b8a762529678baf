"""Role cues in families of wordings found when blind2 became a tuning set (made-up sentences)."""

from __future__ import annotations

import pytest

import corpus.nlp.factories  # noqa: F401  (registers the factories)
from role_helpers import roles_of

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("text", "name", "roles"),
    [
        # a cue noun before a common noun that introduces the name
        (
            "Les outils sont payés grâce à un don de l'association Terre Partagée.",
            "Terre Partagée",
            {"bailleur"},
        ),
    ],
)
def test_tuning2_wording(actors_nlp, text: str, name: str, roles: set[str]) -> None:
    assert roles_of(actors_nlp, text)[name] == roles


@pytest.mark.parametrize(
    ("text", "name", "roles"),
    [
        # a passive relative clause says nothing of what the actor did
        (
            "Nous saluons la Ferme Valmont, qui est financée par la commune.",
            "Ferme Valmont",
            set(),
        ),
        # "pour" + a project noun says nothing of who carries it
        ("Nous remercions la Caisse Valmont pour le projet de jardin.", "Caisse Valmont", set()),
        # a relative clause does not add to a role stated closer to the actor
        (
            "Nos diplômés travaillent chez des garagistes, dont la société Motalis, "
            "qui a recruté sept mécaniciens.",
            "Motalis",
            {"preneur"},
        ),
    ],
)
def test_tuning2_wording_limits(actors_nlp, text: str, name: str, roles: set[str]) -> None:
    assert roles_of(actors_nlp, text)[name] == roles


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a lower-case local authority form keeps its proper noun, after "de" or not
        ("La commune de Valmont a prêté une salle.", ["commune de Valmont"]),
        ("La mairie de Bouzy a lancé le projet.", ["mairie de Bouzy"]),
        (
            "La communauté de communes Causses Vertes a repris le service.",
            ["communauté de communes Causses Vertes"],
        ),
    ],
)
def test_tuning2_local_authority_names(actors_nlp, text: str, names: list[str]) -> None:
    assert [r["name"] for r in actors_nlp(text)._.actors] == names


@pytest.mark.parametrize(
    ("text", "name", "roles"),
    [
        # land or a building given up to the project is lent premises
        ("La mairie de Bouzy nous a cédé le terrain.", "mairie de Bouzy", {"partenaire"}),
        # after "a <participe>", "par" introduces no agent
        (
            "Des habitants ont acheté des parts, la commune de Valmont a cédé le bâtiment "
            "par bail et la Région Occitanie a financé les travaux.",
            "Région Occitanie",
            {"bailleur"},
        ),
        ("Le projet a été financé par la Fondation Orvalis.", "Fondation Orvalis", {"bailleur"}),
        # support aimed at a funding noun is funding, otherwise support
        (
            "La Caisse Valmont a apporté une aide à l'investissement pour la salle.",
            "Caisse Valmont",
            {"bailleur"},
        ),
        (
            "La Caisse Valmont a apporté une aide à la rédaction du dossier.",
            "Caisse Valmont",
            {"partenaire"},
        ),
        # a multi-word cue around an object with a "de" complement
        (
            "Le Théâtre du Pont a mis une salle de réunion à disposition tout l'hiver.",
            "Théâtre du Pont",
            {"partenaire"},
        ),
    ],
)
def test_tuning2_verbs(actors_nlp, text: str, name: str, roles: set[str]) -> None:
    assert roles_of(actors_nlp, text)[name] == roles
