"""Role cues in wordings found when the blind set became a tuning set (made-up sentences)."""

from __future__ import annotations

import pytest

import corpus.nlp.factories  # noqa: F401  (registers the factories)
from role_helpers import roles_of

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("text", "name", "roles"),
    [
        # the verb's object decides between support and funding
        (
            "Le Centre de formation de Valmont nous prête deux salles équipées.",
            "Centre de formation de Valmont",
            {"partenaire"},
        ),
        (
            "Le Carrefour solidaire de la Côte offrira l'accompagnement juridique et financier.",
            "Carrefour solidaire de la Côte",
            {"partenaire"},
        ),
        (
            "La Fondation Orvalis accorde une aide financière à la coopérative.",
            "Fondation Orvalis",
            {"bailleur"},
        ),
        # a complement between the participle and "par": the parse links them
        (
            "Le service a été repris l'an dernier par la Communauté de communes du Val Doré.",
            "Communauté de communes du Val Doré",
            {"preneur"},
        ),
        # later agents of a list whose items carry an amount in parentheses
        (
            "Il a été financé par la Ville de Lens (620 000 €), la Région Grand Est "
            "(540 000 €) et la Fondation Orvalis (30 000 €).",
            "Fondation Orvalis",
            {"bailleur"},
        ),
        # supplying goods, feeding a fund, co-designing
        (
            "Les épiceries sont approvisionnées en partie par la Banque alimentaire du Finistère.",
            "Banque alimentaire du Finistère",
            {"partenaire"},
        ),
        (
            "Un fonds de deux millions, alimenté par la Société de développement du Nord, "
            "soutiendra les projets.",
            "Société de développement du Nord",
            {"bailleur"},
        ),
        (
            "L'Institut supérieur de technologie de Gafsa a co-construit avec nous le module.",
            "Institut supérieur de technologie de Gafsa",
            {"partenaire"},
        ),
        # an employer hiring a number of the people trained takes the output up
        ("La société Datalis a embauché onze de nos diplômées.", "Datalis", {"preneur"}),
        ("La plateforme Telmo en a recruté six autres.", "Telmo", {"preneur"}),
        # a funding noun with a qualifier the tagger takes for a noun; a guarantee
        (
            "La maison est financée par un prêt hypothécaire de la Banque Coopérative du Lac.",
            "Banque Coopérative du Lac",
            {"bailleur"},
        ),
        (
            "Les travaux bénéficient d'un cautionnement accordé par l'Office fédéral du logement.",
            "Office fédéral du logement",
            {"bailleur"},
        ),
        # a light verb with a study noun
        (
            "L'Université de Sherbrooke a fait une étude en 2021 avec nos membres.",
            "Université de Sherbrooke",
            {"partenaire"},
        ),
        # the body a centre belongs to, its acronym between them
        (
            "Évaluation réalisée par le Centre d'études sociales (CES) de l'Université de "
            "Liège, à la demande de la commune.",
            "Université de Liège",
            {"partenaire"},
        ),
        # a practice adopted is taken up
        ("La méthode a été adoptée par la Ville de Namur en 2020.", "Ville de Namur", {"preneur"}),
        # the subject's place between it and its verb
        (
            "La coopérative de soins Vitalis à Namur expérimente la consultation à domicile.",
            "Vitalis",
            {"porteur"},
        ),
        # the body that builds the project's housing
        (
            "La coopérative d'habitation Les Mouettes construira 24 logements pour aînés.",
            "Mouettes",
            {"porteur"},
        ),
        # co-carried: "porté avec X"
        ("Le projet est porté avec l'ONG Tamkira.", "Tamkira", {"porteur"}),
    ],
)
def test_unseen_wording(actors_nlp, text: str, name: str, roles: set[str]) -> None:
    assert roles_of(actors_nlp, text)[name] == roles


@pytest.mark.parametrize(
    ("text", "name", "roles"),
    [
        # recruiting without a count keeps the lexicon's role
        ("L'association Bolo recrute les bénévoles du quartier.", "Bolo", {"partenaire"}),
        # an active perfect: the partner works with the carrier
        (
            "Nous avons développé avec la Ville de Namur un service.",
            "Ville de Namur",
            {"partenaire"},
        ),
        # a text adopted by a council is a vote, not an uptake
        (
            "Plan adopté par le conseil de la Communauté de communes du Val Doré le 3 mai.",
            "Communauté de communes du Val Doré",
            set(),
        ),
        # an address line is no funding line
        ("Contact :\n- Fondation Orvalis, 12 rue des Lilas\n", "Fondation Orvalis", set()),
        # a builder named as the agent is no carrier
        ("La salle a été construite par l'entreprise Batimex.", "Batimex", set()),
        # people, not money, coming from a place
        ("Le public vient surtout de la Ville de Namur.", "Ville de Namur", set()),
        # "en <place> par X": the place is no co-agent of X
        (
            "Le programme est soutenu en Région wallonne par la Fondation Orvalis.",
            "Région wallonne",
            set(),
        ),
    ],
)
def test_unseen_wording_limits(actors_nlp, text: str, name: str, roles: set[str]) -> None:
    assert roles_of(actors_nlp, text)[name] == roles
