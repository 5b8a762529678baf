"""Role cues phrased the way other authors phrase them (made-up sentences)."""

from __future__ import annotations

import pytest

import corpus.nlp.factories  # noqa: F401  (registers the factories)
from role_helpers import roles_of

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("text", "name", "roles"),
    [
        # a study carried out by the actor is expertise, not the project
        (
            "L'Université de Rivebelle mènera ensuite une évaluation complète du service.",
            "Université de Rivebelle",
            {"partenaire"},
        ),
        (
            "Elle est suivie par le Centre d'études rurales de Valmont, qui réalisera une étude "
            "après deux ans.",
            "Centre d'études rurales de Valmont",
            {"partenaire"},
        ),
        # a body that receives support carries the project; it does not use it
        (
            "La coopérative Rouli bénéficie du soutien financier de la Région Alpha.",
            "Rouli",
            {"porteur"},
        ),
    ],
)
def test_role_found(actors_nlp, text: str, name: str, roles: set[str]) -> None:
    assert roles_of(actors_nlp, text).get(name) == roles


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # an office in an administration or an assembly is not the carrying of a project
        ("Présidence : M. Paul Martin, président du Conseil communal.", "Paul Martin"),
        (
            "Mme Awa Ndiaye, directrice de l'économie sociale au ministère, a ouvert la séance.",
            "Awa Ndiaye",
        ),
        # a person listed in a jury is not a partner body
        (
            "Membres du jury : Pr Marc Dubois (président), Pr Anne Leroy (rapporteuse).",
            "Anne Leroy",
        ),
    ],
)
def test_no_role(actors_nlp, text: str, name: str) -> None:
    assert not roles_of(actors_nlp, text).get(name)


def test_title_of_a_body_still_carries(actors_nlp) -> None:
    text = "« Nous voulions un lieu ouvert », explique Marie Roy, coordinatrice de la coopérative."
    assert roles_of(actors_nlp, text).get("Marie Roy") == {"porteur"}


@pytest.mark.parametrize(
    ("text", "name", "roles"),
    [
        (
            "Le projet a vu le jour avec la participation financière de la Fondation Zeta.",
            "Fondation Zeta",
            {"bailleur"},
        ),
        ("Le jardin est soutenu financièrement par la Région Alpha.", "Région Alpha", {"bailleur"}),
        (
            "Les travaux ont été réalisés grâce au mécénat de la Banque Omega.",
            "Banque Omega",
            {"bailleur"},
        ),
        (
            "La dotation de la Fondation Zeta couvre les frais de la première année.",
            "Fondation Zeta",
            {"bailleur"},
        ),
        (
            "La Fondation Zeta a débloqué une enveloppe de 50 000 euros pour le projet.",
            "Fondation Zeta",
            {"bailleur"},
        ),
        (
            "Le réseau a été créé en 2015 sous l'égide de la Fédération Alpha.",
            "Fédération Alpha",
            {"porteur"},
        ),
        (
            "La démarche est née sous l'impulsion de l'Association Beta.",
            "Association Beta",
            {"porteur"},
        ),
        (
            "La Ville de Valmont a reproduit le modèle dans trois quartiers.",
            "Ville de Valmont",
            {"preneur"},
        ),
        (
            "Les ateliers sont animés avec l'appui technique de l'Agence Gamma.",
            "Agence Gamma",
            {"partenaire"},
        ),
    ],
)
def test_lexicon_cue(actors_nlp, text: str, name: str, roles: set[str]) -> None:
    assert roles_of(actors_nlp, text).get(name) == roles


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Mme Claire Dumas (Verts) soutient le préavis.", "Claire Dumas"),
        ("M. Paul Girard a présidé la séance d'ouverture.", "Paul Girard"),
    ],
)
def test_procedural_object_gives_no_role(actors_nlp, text: str, name: str) -> None:
    assert not roles_of(actors_nlp, text).get(name)


@pytest.mark.parametrize(
    ("text", "name", "roles"),
    [
        # the organisation created carries the project
        (
            "La coopérative Toit Commun, créée à Namur en 2009 par des locataires, rénove des "
            "logements.",
            "Toit Commun",
            {"porteur"},
        ),
        (
            "L'association Vélo Vert, entreprise d'insertion fondée en 2012, répare des vélos.",
            "Vélo Vert",
            {"porteur"},
        ),
        (
            "En 2019, cinq voisins ont fondé la coopérative Panier Partagé.",
            "Panier Partagé",
            {"porteur"},
        ),
        (
            "L'Association Beta a reçu une subvention de 20 000 euros pour son atelier.",
            "Association Beta",
            {"porteur"},
        ),
        (
            "L'Association Beta, lauréate de l'appel à projets régional, ouvrira un second site.",
            "Association Beta",
            {"porteur"},
        ),
    ],
)
def test_created_or_funded_body_carries(actors_nlp, text: str, name: str, roles: set[str]) -> None:
    assert roles_of(actors_nlp, text).get(name) == roles


@pytest.mark.parametrize(
    ("text", "name", "roles"),
    [
        (
            "La Commune de Rivebelle a lancé à son tour un service semblable.",
            "Commune de Rivebelle",
            {"preneur"},
        ),
        ("La Ville de Valmont a adhéré au dispositif en 2022.", "Ville de Valmont", {"preneur"}),
        (
            "Utilisateurs : Mutuelle Alpha, Coopérative Beta.\n",
            "Mutuelle Alpha",
            {"preneur"},
        ),
    ],
)
def test_uptake(actors_nlp, text: str, name: str, roles: set[str]) -> None:
    assert roles_of(actors_nlp, text).get(name) == roles


@pytest.mark.parametrize(
    ("text", "name", "roles"),
    [
        # a fronted agent clause belongs to its own agent, not to the subject after it
        (
            "Mis en œuvre par le Ministère depuis 2020, le Programme Jeunes Pousses accompagne "
            "des groupements de jeunes.",
            "Ministère",
            {"porteur"},
        ),
        # an aid from a foundation is funding
        (
            "La coopérative a aussi reçu une aide de la Fondation Zeta pour l'achat des minibus.",
            "Fondation Zeta",
            {"bailleur"},
        ),
        # a funding noun a little further before the participle
        (
            "La troupe a pu compter sur le crédit d'impôt pour la production de spectacles géré "
            "par la Société Alpha.",
            "Société Alpha",
            {"bailleur"},
        ),
    ],
)
def test_scope(actors_nlp, text: str, name: str, roles: set[str]) -> None:
    assert roles_of(actors_nlp, text).get(name) == roles


def test_fronted_agent_not_given_to_subject(actors_nlp) -> None:
    text = (
        "Mis en œuvre par le Ministère depuis 2020, le Programme Jeunes Pousses accompagne "
        "des groupements de jeunes."
    )
    assert "porteur" not in (roles_of(actors_nlp, text).get("Programme Jeunes Pousses") or set())


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "L'Association Beta gère déjà un service semblable dans deux communes.",
            "Association Beta",
        ),
        (
            "M. Paul Girard a présidé ce lundi, au Centre Alpha, la cérémonie d'ouverture.",
            "Paul Girard",
        ),
    ],
)
def test_no_porteur(actors_nlp, text: str, name: str) -> None:
    assert "porteur" not in (roles_of(actors_nlp, text).get(name) or set())


@pytest.mark.parametrize(
    ("text", "name", "roles"),
    [
        # an organisation that opens its doors is the structure carrying the project
        (
            "La coopérative Terre Commune ouvrira ses portes le 3 mars dans l'ancienne gare.",
            "Terre Commune",
            {"porteur"},
        ),
    ],
)
def test_more_wordings(actors_nlp, text: str, name: str, roles: set[str]) -> None:
    assert roles_of(actors_nlp, text).get(name) == roles


@pytest.mark.parametrize(
    ("text", "name", "roles"),
    [
        (
            "La Fondation Zeta apporte 20 % du budget de fonctionnement.",
            "Fondation Zeta",
            {"bailleur"},
        ),
        (
            "Le projet est lauréat de l'appel à projets de la Fondation Zeta.",
            "Fondation Zeta",
            {"bailleur"},
        ),
        ("Ce projet bénéficie d'un prêt de la Banque Alpha.", "Banque Alpha", {"bailleur"}),
        (
            "Le Ministère a débloqué 2 millions de francs pour le programme.",
            "Ministère",
            {"bailleur"},
        ),
        ("Le projet de l'Association Beta vise les familles.", "Association Beta", {"porteur"}),
        (
            "L'Association Beta coordonne le projet avec quatre structures.",
            "Association Beta",
            {"porteur"},
        ),
        (
            "La Commune de Rivebelle a déployé le dispositif chez elle à son tour.",
            "Commune de Rivebelle",
            {"preneur"},
        ),
    ],
)
def test_generic_wordings(actors_nlp, text: str, name: str, roles: set[str]) -> None:
    assert roles_of(actors_nlp, text).get(name) == roles


def test_a_project_line_gives_no_role(actors_nlp) -> None:
    text = "- Projet Alpha : ce projet, cité par le réseau, teste un outil de financement.\n"
    assert not roles_of(actors_nlp, text).get("Projet Alpha")


@pytest.mark.parametrize(
    ("text", "name", "roles"),
    [
        (
            "Les jeunes sont orientés par la Mission locale Alpha.",
            "Mission locale Alpha",
            {"partenaire"},
        ),
        (
            "La Ville de Valmont et la Mutuelle Alpha ont signé une convention de partenariat.",
            "Mutuelle Alpha",
            {"partenaire"},
        ),
    ],
)
def test_partner_wordings(actors_nlp, text: str, name: str, roles: set[str]) -> None:
    assert roles_of(actors_nlp, text).get(name) == roles


@pytest.mark.parametrize(
    ("text", "name", "roles"),
    [
        # credits lines
        ("Avec le soutien de : Fondation Zeta, Région Alpha.", "Fondation Zeta", {"bailleur"}),
        ("Projet financé par : Fondation Zeta, Région Alpha.", "Région Alpha", {"bailleur"}),
        # funding as the object of generic verbs, amounts
        ("Les coûts sont couverts par la Fondation Zeta.", "Fondation Zeta", {"bailleur"}),
        ("Le financement est assuré par la Région Alpha.", "Région Alpha", {"bailleur"}),
        ("Le programme a reçu 200 000 euros de la Fondation Zeta.", "Fondation Zeta", {"bailleur"}),
        # hosting and relaying are support
        ("L'association est hébergée par la Maison Alpha.", "Maison Alpha", {"partenaire"}),
        ("L'Agence Gamma relaie l'appel auprès de ses membres.", "Agence Gamma", {"partenaire"}),
    ],
)
def test_credits_and_funding(actors_nlp, text: str, name: str, roles: set[str]) -> None:
    assert roles_of(actors_nlp, text).get(name) == roles


@pytest.mark.parametrize(
    ("text", "name", "roles"),
    [
        (
            "La Commune de Rivebelle fait partie des bénéficiaires du programme.",
            "Commune de Rivebelle",
            {"preneur"},
        ),
        ("L'Association Beta a monté le projet en 2017.", "Association Beta", {"porteur"}),
        (
            "Sous la responsabilité de l'Association Beta, le chantier a démarré.",
            "Association Beta",
            {"porteur"},
        ),
        (
            "Le projet, conduit par l'Association Beta, a démarré en 2017.",
            "Association Beta",
            {"porteur"},
        ),
        ("Le projet est mené par l'Association Beta.", "Association Beta", {"porteur"}),
    ],
)
def test_carrying_and_benefiting(actors_nlp, text: str, name: str, roles: set[str]) -> None:
    assert roles_of(actors_nlp, text).get(name) == roles


def test_talking_with_is_no_partnership(actors_nlp) -> None:
    text = "La Ville proposera d'en discuter l'extension avec la Commune de Rivebelle."
    assert not roles_of(actors_nlp, text).get("Commune de Rivebelle")


def test_working_with_is_partnership(actors_nlp) -> None:
    text = "La Ville a conçu l'atelier avec la Commune de Rivebelle."
    assert roles_of(actors_nlp, text).get("Commune de Rivebelle") == {"partenaire"}


def test_apposed_origin_is_porteur(actors_nlp) -> None:
    text = "L'Association Beta, à l'origine du projet, compte 40 bénévoles."
    assert roles_of(actors_nlp, text).get("Association Beta") == {"porteur"}
