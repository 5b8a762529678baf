"""Definition cues added for unseen documents (sentences written for these tests)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nlp():
    from corpus.nlp.pipeline import build_pipeline

    return build_pipeline(components=["definitions"])


def terms(nlp, text: str) -> list[str]:
    return [d["term"] for d in nlp(text)._.definitions if d["features"]["rule_kept"]]


@pytest.mark.parametrize(
    ("text", "term"),
    [
        (
            "On parle de pauvreté rurale lorsqu'un ménage vit loin de tout service et sous le "
            "seuil de pauvreté.",
            "pauvreté rurale",
        ),
        (
            "Par « aidant proche », il faut entendre toute personne qui soutient régulièrement "
            "un proche dépendant.",
            "aidant proche",
        ),
        (
            "Par « quartier prioritaire », la Ville entend un secteur où le revenu médian est "
            "inférieur à la moyenne régionale.",
            "quartier prioritaire",
        ),
        (
            "Le Président a rappelé que l'entrepreneuriat collectif s'entend, au sens de la loi "
            "de 2019, de l'ensemble des activités menées par des groupements.",
            "entrepreneuriat collectif",
        ),
        (
            "L'économie circulaire renvoie, dans ce rapport, non seulement au recyclage mais "
            "aussi à la réduction des déchets.",
            "économie circulaire",
        ),
        (
            "Je propose d'appeler commun urbain une ressource partagée, gérée par une communauté "
            "d'habitants selon des règles qu'elle se donne.",
            "commun urbain",
        ),
        (
            "Qu'est-ce qu'une épicerie sociale ? C'est un magasin où des ménages à faibles "
            "revenus achètent des produits à petit prix.",
            "épicerie sociale",
        ),
        (
            "Une bonne politique sociale, c'est une politique qui écoute les habitants.",
            "politique sociale",
        ),
        (
            "Pour moi, l'économie solidaire, c'est quand les habitants décident eux-mêmes de "
            "ce qui les concerne.",
            "économie solidaire",
        ),
        ("L'entraide, c'est quand chacun donne un peu de son temps aux autres.", "entraide"),
        # an adverb set off by commas between the term and its cue
        (
            "L'économie solidaire, enfin, renvoie à des activités dont la finalité première "
            "est sociale.",
            "économie solidaire",
        ),
        # the parser hangs the cue and later words of the definiens on the subject
        (
            "Nous suivons Le Goff et Riou (2012), selon lesquels l'innovation sociale désigne "
            "« une réponse nouvelle, construite avec les habitants, à un besoin que ni le "
            "marché ni l'État ne satisfont ».",
            "innovation sociale",
        ),
        # a relative "que nous entendons ... comme"
        (
            "Le projet relève de l'économie circulaire, que nous entendons ici, à la suite de "
            "l'agence régionale, comme un système qui garde la valeur des ressources.",
            "économie circulaire",
        ),
        # an object pronoun whose noun stands earlier in the same sentence
        (
            "La loi marocaine de 2019 relative à l'économie sociale la définit comme un "
            "ensemble d'activités économiques à finalité sociale.",
            "économie sociale",
        ),
        # ... or is the dislocated noun of the previous sentence
        (
            "L'innovation sociale, ce n'est pas une invention technique. Moi, je la définis "
            "comme une nouvelle façon de faire qui répond à un besoin mal couvert.",
            "innovation sociale",
        ),
    ],
)
def test_cue_gives_the_term(nlp, text: str, term: str) -> None:
    assert terms(nlp, text) == [term]


@pytest.mark.parametrize(
    "text",
    [
        "« Le chômage n'est pas une fatalité, c'est un problème politique », affirme le maire.",
        "Je vous appelle demain pour en parler. On en parle de temps en temps quand on se voit.",
        "Nous avons entendu la demande des habitants et nous y répondrons.",
        "Hier, c'est quand il pleuvait que nous sommes partis.",
        "Le quartier, que nous entendons préserver, compte dix rues.",
    ],
)
def test_no_definition(nlp, text: str) -> None:
    assert terms(nlp, text) == []
