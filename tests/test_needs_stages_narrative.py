"""Needs named without the label word and stages told as narrative (sentences written here)."""

from __future__ import annotations

import pandas as pd
import pytest

from corpus.extract.needs import document_needs
from corpus.extract.stages import document_stages

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nlp():
    from corpus.nlp.pipeline import build_pipeline

    return build_pipeline(components=["needs", "stages"])


def retained(nlp, text: str) -> tuple[set[str], set[str]]:
    doc = nlp(text)
    needs = pd.DataFrame([dict(r, doc_id="d", passage_id="d-0") for r in doc._.needs])
    stages = pd.DataFrame([dict(r, doc_id="d", passage_id="d-0") for r in doc._.stages])
    return (
        set(document_needs(needs)["need"]) if len(needs) else set(),
        set(document_stages(stages)["stage"]) if len(stages) else set(),
    )


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("Dans le canton, il n'y a plus de médecin dans la moitié des villages.", "sante"),
        ("La halte-garderie accueille les enfants de moins de trois ans.", "petite_enfance"),
        ("Le programme revendique 900 emplois créés en deux ans.", "emploi"),
        ("L'atelier distribue des ordinateurs reconditionnés aux familles.", "numerique"),
        ("Les navettes électriques réduisent les émissions de CO2 du trajet.", "environnement"),
        ("Le centre culturel de quartier ouvrira en mars.", "culture"),
        ("Le projet réduit les inégalités de genre dans les campagnes.", "discriminations"),
        ("L'atelier crée des liens entre générations au village.", "lien_social"),
    ],
)
def test_need_without_its_label_word(nlp, text: str, need: str) -> None:
    assert need in retained(nlp, text)[0]


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("Depuis, trois autres quartiers s'en inspirent.", "diffusion"),
        ("La commune souhaite envisager l'extension du service aux villages voisins.", "diffusion"),
        ("On s'est rendu compte que les mères n'avaient aucune solution de garde.", "emergence"),
        ("La demande d'aide alimentaire a bondi de 40 % en un an.", "emergence"),
        (
            "L'enquête menée en 2022 par l'école auprès de 300 ménages a montré leurs difficultés.",
            "diagnostic",
        ),
        ("Les premiers outils seront mis à l'essai dès la rentrée.", "experimentation"),
        ("Les activités ont été définies avec les femmes du village.", "coconstruction"),
    ],
)
def test_stage_told_as_narrative(nlp, text: str, stage: str) -> None:
    assert stage in retained(nlp, text)[1]


def test_a_survey_that_measures_results_is_not_a_diagnostic(nlp) -> None:
    text = "Le taux de renoncement, mesuré par enquête auprès des patients, est passé à 9 %."
    assert "diagnostic" not in retained(nlp, text)[1]
