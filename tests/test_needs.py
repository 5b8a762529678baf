"""The corpus_needs component on sentences written for each need, and on negatives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from corpus.extract.needs import document_needs
from corpus.nlp.lexicon import RESOURCES_DIR

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nlp():
    from corpus.nlp.pipeline import build_pipeline

    return build_pipeline(components=["needs"])


def retained(nlp, *passages: str) -> set[str]:
    """Needs kept at document level for a document made of these passages."""
    rows = []
    for i, doc in enumerate(nlp.pipe(passages)):
        rows += [dict(r, doc_id="d", passage_id=f"d-{i}") for r in doc._.needs]
    table = pd.DataFrame(rows)
    return set(document_needs(table)["need"]) if len(table) else set()


POSITIVES = {
    "emploi": "Le projet favorise l'insertion professionnelle des jeunes éloignés du marché.",
    "logement": "L'association répond aux besoins en logement des étudiants.",
    "sante": "La coopérative améliore l'accès aux soins dans les villages.",
    "vieillissement": "Ce service accompagne les personnes âgées isolées chez elles.",
    "petite_enfance": "La crèche parentale offre des modes de garde aux familles monoparentales.",
    "education": "Le programme lutte contre le décrochage scolaire au collège.",
    "alimentation": "L'épicerie solidaire renforce la sécurité alimentaire du quartier.",
    "mobilite": "Un service de covoiturage permet aux habitants de se rendre au travail.",
    "pauvrete_exclusion": "L'initiative vise à lutter contre la pauvreté et la précarité.",
    "discriminations": "Le réseau agit contre les discriminations à l'embauche.",
    "environnement": "La ressourcerie participe à la transition écologique du territoire.",
    "lien_social": "Le café associatif est un lieu de rencontre qui rompt l'isolement.",
    "culture": "Le projet facilite l'accès à la culture pour tous.",
    "numerique": "Des ateliers réduisent la fracture numérique chez les aînés.",
}


@pytest.mark.parametrize("need", sorted(POSITIVES))
def test_each_need_is_found(nlp, need: str) -> None:
    doc = nlp(POSITIVES[need])
    assert need in {r["need"] for r in doc._.needs}
    assert need in {s.label_ for s in doc.spans["needs"]}
    assert need in retained(nlp, POSITIVES[need])
    record = next(r for r in doc._.needs if r["need"] == need)
    assert doc.text[record["start"] : record["end"]] == record["text"]
    assert record["text"] in record["evidence"]
    assert record["cue"]


def test_generic_word_counts_only_when_needs_are_addressed(nlp) -> None:
    # "santé" in a list of partners' sectors is a passing mention...
    assert "sante" not in retained(
        nlp, "Les partenaires publics (santé, services sociaux) siègent au comité."
    )
    # ...but it is a need when the text says innovation answers it.
    assert "sante" in retained(
        nlp, "Ces innovations répondent à des besoins sociaux concernant la santé."
    )


def test_low_income_names_poverty(nlp) -> None:
    # "à faibles revenus" names the need itself, not only the public concerned
    assert "pauvrete_exclusion" in retained(
        nlp, "L'atelier vend des meubles remis en état à des ménages à faibles revenus."
    )


def test_cultural_venue_is_culture(nlp) -> None:
    assert "culture" in retained(
        nlp, "La commune ouvre un tiers-lieu culturel avec une salle de spectacle de 90 places."
    )


def test_negatives(nlp) -> None:
    # Tag line, link line, adjective, and a name containing a need word.
    assert (
        retained(
            nlp,
            "Économie circulaire, Innovation sociale, Nos partenaires",
            "À lire aussi : Solidarité et santé, le rôle des mutuelles",
            "Il faut réunir les innovateurs sociaux et numériques.",
            "Le diagnostic a été fait avec la Direction de santé publique de Montréal.",
        )
        == set()
    )
    doc = nlp("À lire aussi : la pauvreté en France")
    assert doc._.needs == []


def test_scores_and_contexts(nlp) -> None:
    doc = nlp("Ces réponses concernent l'emploi.")
    (record,) = [r for r in doc._.needs if r["need"] == "emploi"]
    assert record["context"] == "cue" and record["score"] == 2 * record["weight"]
    doc = nlp("Emploi et formation")
    (record,) = [r for r in doc._.needs if r["need"] == "emploi"]
    assert record["context"] == "heading" and record["score"] < record["weight"]
    # A list item is not a heading, even without a verb.
    doc = nlp("- maintien du logement des personnes fragiles ;")
    (record,) = [r for r in doc._.needs if r["need"] == "logement"]
    assert record["context"] == "plain" and record["score"] == record["weight"]


def test_free_needs(nlp) -> None:
    doc = nlp(
        "Les familles ont besoin de temps, mais le quartier a des besoins en logement abordable."
    )
    free = doc._.free_needs
    assert [r["object"] for r in free] == ["logement abordable"]
    assert free[0]["need"] == "logement"
    assert doc.text[free[0]["start"] : free[0]["end"]] == free[0]["text"]
    assert [s.label_ for s in doc.spans["free_needs"]] == ["besoin"]
    # "besoins des individus" names whose needs, not what is needed.
    assert nlp("Répondre aux besoins des individus.")._.free_needs == []
    assert nlp("Elle répond aux besoins de leurs membres.")._.free_needs == []
    assert nlp("Il faut comprendre les besoins d'une population.")._.free_needs == []
    (record,) = nlp("Ils ont exprimé un besoin d'accompagnement numérique.")._.free_needs
    assert record["object"] == "accompagnement numérique"


def test_empty_and_odd_inputs(nlp) -> None:
    for text in ("", "   ", "12 34 56", "https://example.org/a", "THE HOUSING NEEDS OF SENIORS"):
        doc = nlp(text)
        assert isinstance(doc._.needs, list) and isinstance(doc._.free_needs, list)
    assert nlp("")._.needs == []


def test_resources_override(tmp_path: Path) -> None:
    import spacy

    import corpus.nlp.factories  # noqa: F401

    folder = tmp_path / "needs"
    shutil.copytree(RESOURCES_DIR / "needs", folder)
    with (folder / "patterns.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"id": "culture.fanfare", "label": "culture", "phrase": "fanfare"}\n')
    nlp = spacy.blank("fr")
    nlp.add_pipe("corpus_needs", config={"resources": str(folder)})
    nlp.initialize()
    doc = nlp("Une fanfare de quartier.")
    assert [r["need"] for r in doc._.needs] == ["culture"]
