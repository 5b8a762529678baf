"""The corpus_stages component on sentences written for each stage, and on negatives."""

from __future__ import annotations

import pandas as pd
import pytest

from corpus.extract.stages import document_stages

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nlp():
    from corpus.nlp.pipeline import build_pipeline

    return build_pipeline(components=["stages"])


def retained(nlp, *passages: str) -> set[str]:
    rows = []
    for i, doc in enumerate(nlp.pipe(passages)):
        rows += [dict(r, doc_id="d", passage_id=f"d-{i}") for r in doc._.stages]
    table = pd.DataFrame(rows)
    return set(document_stages(table)["stage"]) if len(table) else set()


POSITIVES = {
    "emergence": "Tout commence par l'identification d'un besoin non satisfait dans le quartier.",
    "diagnostic": "Un état des lieux a permis d'analyser les causes du problème.",
    "coconstruction": "La solution a été co-construite avec les usagers lors d'ateliers.",
    "experimentation": "Un projet pilote a été mené pendant un an dans deux écoles.",
    "mise_en_oeuvre": "La municipalité a mis en place le service à l'automne.",
    "diffusion": "Le modèle a ensuite essaimé dans une dizaine de villes.",
    "evaluation": "Une évaluation a mesuré l'impact social du programme.",
}


@pytest.mark.parametrize("stage", sorted(POSITIVES))
def test_each_stage_is_found(nlp, stage: str) -> None:
    doc = nlp(POSITIVES[stage])
    assert stage in {r["stage"] for r in doc._.stages}
    assert stage in {s.label_ for s in doc.spans["stages"]}
    assert stage in retained(nlp, POSITIVES[stage])
    record = next(r for r in doc._.stages if r["stage"] == stage)
    assert doc.text[record["start"] : record["end"]] == record["text"]
    assert record["text"] in record["evidence"] and record["cue"]


def test_negatives(nlp) -> None:
    assert (
        retained(
            nlp,
            "Utilisez des outils de gestion appropriés.",
            "Le rapport annuel présente les comptes de l'association.",
            "Avez-vous vu cela : la diffusion des stéréotypes dans les médias",
        )
        == set()
    )


def test_weak_cues_need_support(nlp) -> None:
    # One suggestive word is not enough; two are.
    assert "coconstruction" not in retained(nlp, "Un partenariat lie les deux villes.")
    assert "coconstruction" in retained(
        nlp, "Un partenariat lie les deux villes.", "Les deux équipes collaborent chaque mois."
    )


def test_running_project_is_implementation(nlp) -> None:
    assert "mise_en_oeuvre" in retained(nlp, "Le service, lancé par la commune en 2018, roule.")
    # a month may come before the year
    assert "mise_en_oeuvre" in retained(nlp, "Ouvert en mars 2020, le café associatif accueille.")
    # Launching a call for projects is not implementing one.
    assert "mise_en_oeuvre" not in retained(nlp, "Le Fonds lance son troisième appel de projets.")


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        (
            "Une étude d'impact indépendante dira si les stagiaires ont trouvé un emploi.",
            "evaluation",
        ),
        (
            "En parlant avec les parents, on a compris que le vrai frein était la garde.",
            "diagnostic",
        ),
        # stakeholders gathered to design together
        (
            "On a réuni des bénévoles et des élus pour imaginer ensemble un service.",
            "coconstruction",
        ),
    ],
)
def test_plain_wordings_of_a_stage(nlp, text: str, stage: str) -> None:
    assert stage in retained(nlp, text)


def test_weak_wordings_need_support(nlp) -> None:
    # revising the programme and others seizing it only suggest their stage
    assert "experimentation" not in retained(nlp, "Nous avons revu le parcours en juin.")
    assert "diffusion" not in retained(nlp, "Nous espérons que d'autres s'en emparent.")
    assert "diffusion" in retained(
        nlp, "Nous espérons que d'autres s'en emparent.", "Nous allons transférer nos outils."
    )
    assert "coconstruction" not in retained(
        nlp, "Un comité réunissant les municipalités suivra le plan."
    )


def test_longest_match_wins_across_stages(nlp) -> None:
    doc = nlp("Une évaluation des besoins a été menée.")
    assert [r["stage"] for r in doc._.stages] == ["diagnostic"]


def test_empty_and_odd_inputs(nlp) -> None:
    for text in ("", "\n", "0 1 2 3", "www.example.org"):
        assert nlp(text)._.stages == []


def test_multiword_alternatives_are_separate_patterns(nlp) -> None:
    # "faire de même" and "faire la même chose" were once alternatives of one phrase
    # ("pareil|de même|la même chose"), which splits on spaces and so never matched.
    for text in (
        "Les parents de l'autre école veulent faire de même.",
        "Deux associations du canton veulent faire la même chose.",
        "Les groupements d'à côté veulent faire pareil.",
    ):
        assert "diffusion" in {r["stage"] for r in nlp(text)._.stages}, text
