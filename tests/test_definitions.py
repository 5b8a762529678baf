"""The corpus_definitions component on sentences written for these tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nlp():
    from corpus.nlp.pipeline import build_pipeline

    return build_pipeline(components=["definitions"])


def _defs(nlp, text: str) -> list[dict]:
    return [r for r in nlp(text)._.definitions if r["features"]["rule_kept"]]


def _one(nlp, text: str) -> dict:
    found = _defs(nlp, text)
    assert len(found) == 1, (text, found)
    return found[0]


@pytest.mark.parametrize(
    ("text", "term", "cue"),
    [
        ("La finance solidaire est un ensemble de placements qui financent des projets "
         "d'utilité sociale.", "finance solidaire", "être"),
        ("Les jardins partagés sont des espaces cultivés collectivement par les habitants "
         "d'un quartier.", "jardins partagés", "être"),
        ("Le mécénat de compétences consiste à mettre des salariés à la disposition d'une "
         "association.", "mécénat de compétences", "consister à"),
        ("L'habitat participatif se définit comme un regroupement de ménages qui conçoivent "
         "ensemble leur logement.", "habitat participatif", "se définir"),
        ("La sobriété énergétique désigne la réduction volontaire des consommations "
         "d'énergie.", "sobriété énergétique", "désigner"),
        ("La monnaie locale renvoie à une monnaie complémentaire utilisée sur un territoire "
         "restreint.", "monnaie locale", "renvoyer à"),
        ("On entend par tiers secteur l'ensemble des organisations qui ne relèvent ni de "
         "l'État ni du marché.", "tiers secteur", "on entend par"),
        ("Par aidant familial, on entend toute personne qui soutient un proche en perte "
         "d'autonomie.", "aidant familial", "on entend par"),
        ("L'autopartage, c'est la mise en commun d'un véhicule entre plusieurs foyers.",
         "autopartage", "être"),
        ("La mutualisation signifie que plusieurs structures partagent des moyens humains "
         "ou matériels.", "mutualisation", "signifier"),
        ("L'entrepreneuriat collectif peut être défini comme une activité économique "
         "portée par un groupe.", "entrepreneuriat collectif", "être défini comme"),
        ("L'agriculture urbaine se caractérise par la production de denrées en milieu "
         "bâti.", "agriculture urbaine", "se caractériser par"),
        ("La gentrification, terme qui désigne la transformation sociale d'un quartier "
         "populaire, inquiète les habitants.", "gentrification", "X, terme qui désigne"),
        ("La notion de communs renvoie aux ressources gérées collectivement par une "
         "communauté.", "communs", "renvoyer à"),
        ("Dans ce guide, l'expression « économie de la fonctionnalité » désigne un modèle qui "
         "vend l'usage plutôt que le bien.", "économie de la fonctionnalité", "désigner"),
        ("Le développement du pouvoir d'agir se définit comme la capacité des personnes à "
         "agir sur ce qui compte pour elles.", "développement du pouvoir d'agir", "se définir"),
    ],
)  # fmt: skip
def test_each_cue_gives_its_term(nlp, text: str, term: str, cue: str) -> None:
    record = _one(nlp, text)
    assert record["term"] == term
    assert record["cue"] == cue
    assert 0 < record["confidence"] <= 1


@pytest.mark.parametrize(
    ("text", "term", "structure"),
    [
        ("Définition du bénévolat de proximité : un engagement gratuit au service des "
         "voisins d'un même immeuble.", "bénévolat de proximité", "definition_of"),
        ("Nous définissons l'innovation sociale comme une réponse nouvelle à un besoin mal "
         "satisfait.", "innovation sociale", "defined_object"),
    ],
)  # fmt: skip
def test_structures_the_scorer_decides(nlp, text: str, term: str, structure: str) -> None:
    """ "Définition de X :" and "définir X comme" have no cue rule: they are structural
    candidates with their term, and the trained scorer decides them."""
    found = [r for r in nlp(text)._.definitions if r["features"]["structure"] == structure]
    assert [r["term"] for r in found] == [term]
    assert found[0]["features"]["rule"] is False


@pytest.mark.parametrize(
    ("text", "source", "year"),
    [
        ("Selon Laville (2005), l'économie solidaire est une forme d'hybridation des "
         "ressources marchandes et non marchandes.", "Laville", 2005),
        ("D'après le Haut-commissariat, l'économie sociale se définit comme un ensemble "
         "d'entreprises à gouvernance démocratique.", "le Haut-commissariat", None),
        ("Pour Moulaert et Nussbaumer, l'innovation sociale est un processus de "
         "transformation des rapports sociaux.", "Moulaert et Nussbaumer", None),
        ("« L'économie solidaire est un ensemble d'activités qui contribuent à la "
         "démocratisation de l'économie. » (Laville, 2007)", "Laville", 2007),
        ("« Une coopérative est une association autonome de personnes volontairement "
         "réunies. » Définition retenue par l'Alliance coopérative internationale",
         "l'Alliance coopérative internationale", None),
        ("Les membres du comité ont convenu que l'innovation territoriale est une démarche "
         "collective d'expérimentation.", "Les membres du comité", None),
        ("« Le commerce équitable est un partenariat commercial fondé sur le dialogue », "
         "explique Claire Martin.", "Claire Martin", None),
        ("Pour les signataires, l'habitat léger désigne toute forme de logement démontable.",
         "les signataires", None),
    ],
)  # fmt: skip
def test_attribution(nlp, text: str, source: str, year: int | None) -> None:
    record = _one(nlp, text)
    assert record["source"] == source
    assert record["year"] == year


@pytest.mark.parametrize(
    "text",
    [
        "La coopérative vise à offrir des logements abordables aux familles.",
        "Le but de l'épicerie sociale est de lutter contre le gaspillage alimentaire.",
        "La fondation a pour objectif de soutenir les initiatives des jeunes.",
        "L'association a pour mission d'accompagner les personnes exilées.",
    ],
)
def test_goals_are_not_definitions(nlp, text: str) -> None:
    doc = nlp(text)
    assert [r for r in doc._.definitions if r["features"]["rule_kept"]] == []
    assert len(doc._.goals) == 1
    assert doc.spans["goals"][0].text == doc._.goals[0]["text"]


@pytest.mark.parametrize(
    "text",
    [
        "Les résultats du programme sont encourageants.",
        "Il est clair que le financement reste insuffisant.",
        "C'est pourquoi les partenaires ont décidé de se réunir.",
        "Qu'est-ce que l'innovation sociale ?",
        "Le projet est né en 2012 dans un quartier de Montréal.",
        "La coopérative était un petit groupe de voisins.",
        "Ce projet est une initiative de la ville.",
        "L'innovation sociale n'est pas une simple amélioration technique.",
        "Les jeunes et les familles sont les premiers bénéficiaires du programme.",
        "La Fabrique est un tiers-lieu ouvert en 2017.",
        "Le logement est un enjeu majeur pour les jeunes ménages.",
        "Le budget du programme est de trois millions d'euros.",
        "C'est grâce aux bénévoles que le projet a pu voir le jour.",
        "Les partenaires cités sont la Fondation Lucie et la ville de Namur.",
        "Le défi est de convaincre les élus.",
        "Le conseil d'administration désigne un représentant auprès de la fédération.",
        "La gérante, Marie Tremblay, est une ancienne travailleuse sociale.",
        "Les subventions municipales sont une aide précieuse mais insuffisante.",
        "Cela signifie que les bénévoles devront être formés.",
        "Pour ce faire, l'association est un relais auprès des familles.",
    ],
)
def test_non_definitions(nlp, text: str) -> None:
    assert _defs(nlp, text) == []


def test_the_term_a_word_refers_to(nlp) -> None:
    text = (
        "Le modèle s'inspire des « fiducies foncières » nées en Écosse. Le terme désigne "
        "une organisation qui retire durablement des terres du marché."
    )
    record = _one(nlp, text)
    assert record["term"] == "fiducie foncière"
    assert record["text"].startswith("Le terme désigne")


def test_object_pronoun_takes_the_previous_term(nlp) -> None:
    text = (
        "L'économie de proximité est un ensemble d'échanges locaux. Dupont et Martin (2015) "
        "la définissent ainsi : « une économie où producteurs et habitants se connaissent »."
    )
    first, second = _defs(nlp, text)
    assert first["term"] == second["term"] == "économie de proximité"
    assert second["source"] == "Dupont et Martin" and second["year"] == 2015


def test_apposition_is_a_structural_candidate(nlp) -> None:
    # No "X, une N" cue rule any more: the sentence reaches the scorer by its subject.
    text = (
        "La recyclerie, une structure qui collecte et revend des objets, emploie des "
        "personnes en insertion."
    )
    records = nlp(text)._.definitions
    assert [(r["term"], r["features"]["structure"]) for r in records] == [("recyclerie", "subject")]
    assert not records[0]["features"]["rule"]


def test_quoted_definition_over_several_sentences_is_one(nlp) -> None:
    text = (
        "« Le développement social est un processus qui renforce les capacités des "
        "communautés. Il repose sur la participation des habitants. Il vise l'autonomie. »"
        " (Conseil régional, 2010)"
    )
    record = _one(nlp, text)
    assert record["term"] == "développement social"
    assert record["text"].endswith("Il vise l'autonomie.")
    assert record["source"] == "Conseil régional"
    assert record["year"] == 2010


def test_pronoun_continues_and_attaches(nlp) -> None:
    text = (
        "La régie de quartier est une association qui emploie des habitants. "
        "Elle entretient les espaces publics du quartier."
    )
    record = _one(nlp, text)
    assert record["term"] == "régie de quartier"
    assert record["text"].endswith("du quartier.")
    text = (
        "La microfinance est apparue dans les années 1970. "
        "Elle désigne les services financiers offerts aux personnes exclues des banques."
    )
    record = _one(nlp, text)
    assert record["term"] == "microfinance"
    assert record["text"].startswith("Elle désigne")


def test_records_spans_and_offsets(nlp) -> None:
    text = (
        "Introduction du rapport.\nLe tiers-lieu est un espace partagé où se croisent "
        "habitants et associations pour coopérer durablement sur leur territoire."
    )
    doc = nlp(text)
    (record,) = [r for r in doc._.definitions if r["features"]["rule_kept"]]
    assert doc.text[record["start"] : record["end"]] == record["text"]
    assert not record["text"].startswith("Introduction")
    json.dumps(record)  # plain, JSON-serialisable values (DocBin keeps them)
    (span,) = doc.spans["definitions"]
    assert span.label_ == "tiers-lieu"
    assert set(record["dimensions"]) >= {"territory", "durability", "participation"}


def test_empty_doc(nlp) -> None:
    doc = nlp("")
    assert doc._.definitions == [] and doc._.goals == []


def test_resources_override(tmp_path: Path, nlp) -> None:
    """A researcher's copy of the resources replaces the packaged one."""
    import spacy

    from corpus.nlp.pipeline import RESOURCES_DIR

    folder = tmp_path / "definitions"
    shutil.copytree(RESOURCES_DIR / "definitions", folder)
    cues = folder / "cues.jsonl"
    kept = [
        line for line in cues.read_text(encoding="utf-8").splitlines() if '"désigner"' not in line
    ]
    cues.write_text("\n".join(kept) + "\n", encoding="utf-8")
    custom = spacy.blank("fr", vocab=nlp.vocab)
    text = "La sobriété énergétique désigne la réduction des consommations d'énergie."
    parsed = nlp(text)
    from corpus.nlp.definitions import DefinitionFinder

    finder = DefinitionFinder(custom, "corpus_definitions", resources=folder)
    finder.initialize(nlp=custom)
    ruled = [r for r in finder.find(parsed)["definitions"] if r["features"]["rule"]]
    assert ruled == []  # without the cue, only a structural candidate is left
    packaged = DefinitionFinder(custom, "corpus_definitions")
    (record,) = packaged.find(parsed)["definitions"]
    assert record["term"] == "sobriété énergétique" and record["features"]["rule_kept"]


def test_line_breaks_bound_terms_and_texts(nlp) -> None:
    text = "Le tiers-lieu en bref\nUn tiers-lieu est un espace de rencontre ouvert à tous"
    record = _one(nlp, text)
    assert record["term"] == "tiers-lieu"
    assert record["text"].startswith("Un tiers-lieu")
    text = (
        "Qu'est-ce que la finance solidaire\nLa finance solidaire est un ensemble de "
        "placements utiles\nElle finance des associations"
    )
    record = _one(nlp, text)
    assert record["term"] == "finance solidaire"
    assert "\n" not in record["text"]
