"""Definition candidates: the structures the generator proposes, on sentences written here."""

from __future__ import annotations

import pandas as pd
import pytest

from corpus.extract.definition_features import candidate_frame, label_candidates, resolve
from corpus.extract.gold import Annotation, Definition
from corpus.nlp.definition_candidates import question_term, strip_article


@pytest.fixture(scope="module")
def nlp():
    from corpus.nlp.pipeline import build_pipeline

    return build_pipeline(components=["definitions"])


def _candidates(nlp, text: str) -> dict[str, set[str]]:
    """``{structure: {terms}}`` of the candidates of ``text``."""
    out: dict[str, set[str]] = {}
    for record in nlp(text)._.definitions:
        out.setdefault(record["features"]["structure"], set()).add(record["term"])
    return out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "structure", "term"),
    [
        # a glossary paragraph opening on a plural subject, with no defining verb
        (
            "Les recycleries solidaires collectent des meubles usagés et les revendent à bas prix.",
            "subject",
            "recycleries solidaires",
        ),
        # a long subject whose complements the parser may hang elsewhere
        (
            "Les coopératives de travailleurs du secteur culturel sont des sociétés détenues "
            "par leurs salariés.",
            "subject",
            "coopératives de travailleurs du secteur culturel",
        ),
        # the subject after an opening adverbial
        (
            "Au sens du présent règlement, une halte-répit est un lieu d'accueil temporaire "
            "pour les aidants.",
            "subject",
            "halte-répit",
        ),
        # a word spoken of
        (
            "Le mot entraide recouvre ici les services rendus sans contrepartie.",
            "subject",
            "entraide",
        ),
        # legal inversions
        (
            "Ont la qualité de membres associés les personnes qui versent une cotisation réduite.",
            "inverted",
            "membres associés",
        ),
        (
            "Sont membres d'honneur les personnes qui ont rendu des services à l'association.",
            "inverted",
            "membres d'honneur",
        ),
        # a glossary line
        (
            "Tontine : système d'épargne où chaque membre reçoit à tour de rôle la somme cotisée.",
            "glossary",
            "tontine",
        ),
        # a dislocated subject after an opening
        (
            "Pour nous, la sobriété heureuse, c'est choisir de consommer moins pour vivre mieux.",
            "dislocation",
            "sobriété heureuse",
        ),
        # the object of a defining verb, an acronym in parentheses after it
        (
            "Le décret définit le revenu de solidarité active (RSA) comme une allocation de "
            "dernier recours.",
            "defined_object",
            "revenu de solidarité active",
        ),
        # a noun phrase, its acronym, then what it is
        (
            "Elle complète la prime d'activité solidaire (PAS), seule aide versée aux jeunes "
            "de moins de vingt ans.",
            "apposition_acronym",
            "prime d'activité solidaire",
        ),
        # a quoted term and its gloss
        (
            "Le collectif pratique la « pair-aidance », un soutien apporté par des personnes "
            "qui ont vécu la même situation.",
            "quoted_apposition",
            "pair-aidance",
        ),
        # the answer to a question in the same paragraph
        (
            "Qu'est-ce qu'une banque de temps ? Un réseau où chacun échange des heures de service.",
            "answer",
            "banque de temps",
        ),
    ],
)
def test_structures_propose_their_term(nlp, text: str, structure: str, term: str) -> None:
    found = _candidates(nlp, text)
    assert term in found.get(structure, set()), found


@pytest.mark.slow
def test_candidates_carry_features_and_rules_keep_their_own(nlp) -> None:
    doc = nlp(
        "L'économie du partage se définit comme un ensemble de pratiques d'usage commun. "
        "Le marché de Noël a réuni trois cents visiteurs."
    )
    records = doc._.definitions
    defined = next(r for r in records if r["term"] == "économie du partage")
    assert defined["features"]["rule"] and defined["features"]["rule_kept"]
    assert defined["features"]["structure"] == "subject"  # merged with the structural one
    market = next(r for r in records if r["term"] == "marché de noël")
    assert not market["features"]["rule_kept"] and market["features"]["tense"] == "past"
    # spans hold the rules' decision only
    assert [s.label_ for s in doc.spans["definitions"]] == ["économie du partage"]


@pytest.mark.slow
def test_questions_are_not_candidates_themselves(nlp) -> None:
    found = _candidates(nlp, "La monnaie locale, c'est quoi ?")
    assert "dislocation" not in found and "subject" not in found


def test_question_terms() -> None:
    assert question_term("→ Le microcrédit, c'est quoi ?") == "microcrédit"
    assert question_term("2. Qu'est-ce qu'une tontine ?") == "tontine"
    assert question_term("La pair-aidance, qu'est-ce que c'est ?") == "pair-aidance"
    assert question_term("Le référent de parcours, c'est qui ?") == "référent de parcours"
    assert question_term("Pourquoi adhérer ?") is None
    assert strip_article("L’Habitat léger (HL)") == "habitat léger"


def _passages(lines: list[str]) -> pd.DataFrame:
    rows, start = [], 0
    for index, line in enumerate(lines):
        rows.append(
            {
                "passage_id": f"d-{index}",
                "doc_id": "d",
                "index": index,
                "start": start,
                "text": line,
            }
        )
        start += len(line) + 2
    return pd.DataFrame(rows)


def test_cross_passage_candidates_and_labels() -> None:
    passages = _passages(
        [
            "Lexique",
            "Épicerie solidaire",
            "Les épiceries solidaires vendent des produits à prix réduit à des familles orientées "
            "par les services sociaux.",
            "C'est quoi un tiers-lieu ?",
            "Un espace ouvert où se croisent habitants, associations et entreprises.",
        ]
    )
    frame = candidate_frame(pd.DataFrame(), passages, pd.DataFrame({"doc_id": ["d"]}))
    by_term = {row.term: row for row in frame.itertuples()}
    heading = by_term["épicerie solidaire"]
    assert heading.features["structure"] == "heading"
    assert heading.text.startswith("Les épiceries solidaires")
    assert passages.loc[2, "text"][: len(heading.text)] == heading.text
    assert heading.features["answer_repeats_term"] is False  # plural differs, words kept
    question = by_term["tiers-lieu"]
    assert question.features["structure"] == "question"
    gold = {
        "d": Annotation(
            document="d.txt",
            definitions=[
                Definition(term="tiers-lieu", text="Un espace ouvert où se croisent habitants."),
                Definition(term="lexique", text="Lexique des mots", optional=True),
            ],
        )
    }
    labels = dict(zip(frame["term"], label_candidates(frame, gold), strict=True))
    assert labels["tiers-lieu"] == 1.0 and labels["épicerie solidaire"] == 0.0


def test_resolve_keeps_one_definition_per_unattributed_term() -> None:
    rows = [
        {"term": "ESS", "start": 0, "end": 50, "confidence": 0.6, "source": None},
        {"term": "l'ess", "start": 100, "end": 150, "confidence": 0.9, "source": None},
        {"term": "ess", "start": 200, "end": 250, "confidence": 0.7, "source": "la loi"},
        {"term": "scic", "start": 120, "end": 180, "confidence": 0.8, "source": None},
    ]
    kept = resolve(rows)
    assert [(r["start"], r["confidence"]) for r in kept] == [(100, 0.9), (200, 0.7)]


def test_governing_noun_climbs_right_hand_modifiers_only_within_bounds() -> None:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    from corpus.nlp.definition_text import governing_noun

    words = ["Les", "entreprises", "sociales", "de", "insertion", "recrutent"]
    heads = [1, 5, 1, 4, 1, 5]
    deps = ["det", "nsubj", "amod", "case", "nmod", "ROOT"]
    doc = Doc(Vocab(), words=words, heads=heads, deps=deps)
    assert governing_noun(doc[4], 0).text == "entreprises"  # nmod -> its noun
    assert governing_noun(doc[2], 0).text == "entreprises"  # amod -> its noun
    assert governing_noun(doc[2], 2).text == "sociales"  # the head is before the bound
    assert governing_noun(doc[4], 0, ("amod",)).text == "insertion"  # nmod not climbed
    assert governing_noun(doc[1], 0).text == "entreprises"  # a subject: no climbing
