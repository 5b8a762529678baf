"""The scorer follows FORMAT.md: hand-made gold/prediction pairs with known counts."""

from __future__ import annotations

import pytest

from corpus.extract.evaluate import (
    Counts,
    actors_match,
    definitions_match,
    evaluate,
    normalise_name,
    normalise_term,
    set_counts,
    text_overlap,
)
from corpus.extract.gold import Actor, Annotation, Definition

GOLD_TEXT = "L’innovation sociale est une réponse nouvelle à des besoins sociaux mal satisfaits."


def test_normalise_term_removes_case_accents_and_leading_articles() -> None:
    assert normalise_term("L’Innovation Sociale") == "innovation sociale"
    assert normalise_term("les Économies sociales") == "economies sociales"
    assert normalise_term("une entreprise d'insertion") == "entreprise d'insertion"
    assert normalise_term("  La   Rétroaction ") == "retroaction"
    assert normalise_term("l'appropriation") == "appropriation"
    # Only leading articles go: "la" inside a term stays.
    assert normalise_term("mise à la échelle") == "mise a la echelle"


def test_normalise_name() -> None:
    assert normalise_name("Le Réseau québécois en innovation sociale") == normalise_name(
        "réseau Quebecois en Innovation sociale"
    )
    assert normalise_name("RQIS") == "rqis"


def test_text_overlap_uses_the_shorter_text() -> None:
    short = "innovation sociale réponse nouvelle"
    assert text_overlap(short, GOLD_TEXT) == 1.0
    assert text_overlap(GOLD_TEXT, short) == 1.0
    assert text_overlap("rien à voir ici", GOLD_TEXT) == pytest.approx(0.25)  # "a" only
    assert text_overlap("", GOLD_TEXT) == 0.0


def test_definition_match_needs_term_and_half_the_words() -> None:
    gold = Definition("innovation sociale", GOLD_TEXT)
    assert definitions_match(Definition("L'innovation sociale", GOLD_TEXT[:40]), gold)
    # Same text, other term: no match.
    assert not definitions_match(Definition("économie sociale", GOLD_TEXT), gold)
    # Same term, unrelated text (fewer than half the words shared): no match.
    other = "Les coopératives de travail regroupent des travailleurs propriétaires."
    assert not definitions_match(Definition("innovation sociale", other), gold)


def test_definitions_counts_with_optional_items() -> None:
    gold = Annotation(
        "a.txt",
        definitions=[
            Definition("innovation sociale", GOLD_TEXT),
            Definition("rétroaction", "La rétroaction, c’est la collaboration avec des preneurs."),
            Definition("territoire", "Le territoire est un acteur des innovations.", None, True),
            Definition("porteurs", "Les porteurs sont à l’origine du projet.", None, True),
        ],
    )
    pred = Annotation(
        "a.txt",
        definitions=[
            Definition("innovation sociale", GOLD_TEXT),  # TP
            Definition("innovation sociale", GOLD_TEXT),  # duplicate: gold used, FP
            Definition("territoire", "le territoire est un acteur"),  # optional: neutral
            Definition("capital", "Le capital est un rapport social."),  # FP
        ],
    )
    result = evaluate({"a": pred}, {"a": gold})
    c = result.fields["definitions"]
    assert (c.tp, c.fp, c.fn) == (1, 2, 1)  # rétroaction missed; "porteurs" optional
    assert c.precision == pytest.approx(1 / 3)
    assert c.recall == pytest.approx(1 / 2)
    assert c.f1 == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))


def test_matching_is_one_to_one_and_prefers_required_gold() -> None:
    # One prediction could match an optional or a required gold item: it must take the
    # required one (a greedy first-match would take the optional one and lose a TP).
    text = "L’innovation sociale est un processus de cocréation avec les citoyens."
    gold = Annotation(
        "b.txt",
        definitions=[
            Definition("innovation sociale", text, None, True),
            Definition("innovation sociale", text + " Elle vise le bien commun.", None, False),
        ],
    )
    pred = Annotation("b.txt", definitions=[Definition("innovation sociale", text)])
    c = evaluate({"b": pred}, {"b": gold}).fields["definitions"]
    assert (c.tp, c.fp, c.fn) == (1, 0, 0)


def test_actor_matching_by_name_or_alias() -> None:
    gold = Actor("Réseau québécois en innovation sociale", ["RQIS"], "ess", ["partenaire"])
    assert actors_match(Actor("RQIS"), gold)
    assert actors_match(Actor("le réseau Québécois en innovation sociale"), gold)
    assert not actors_match(Actor("Réseau québécois"), gold)
    # Only the predicted *name* is compared (FORMAT.md), not predicted aliases.
    assert not actors_match(Actor("Réseau", aliases=["RQIS"]), gold)


def test_actor_counts_and_role_accuracy() -> None:
    gold = Annotation(
        "c.txt",
        actors=[
            Actor("Avise", [], "ess", ["porteur"]),
            Actor("France Active", [], "ess", ["partenaire", "bailleur"]),
            Actor("Conseil supérieur de l’ESS", ["CSESS"], "public", []),
            Actor("Paperblog", [], "autre", [], optional=True),
            Actor("ESSEC", [], "recherche", ["partenaire"]),
        ],
    )
    pred = Annotation(
        "c.txt",
        actors=[
            Actor("Avise", roles=["porteur"]),  # TP, roles exact
            Actor("France Active", roles=["bailleur"]),  # TP, roles wrong (subset)
            Actor("CSESS", roles=["porteur"]),  # TP via alias; gold has no roles
            Actor("Paperblog"),  # optional: neutral
            Actor("Innovation Sociale"),  # FP
        ],
    )
    result = evaluate({"c": pred}, {"c": gold})
    c = result.fields["actors"]
    assert (c.tp, c.fp, c.fn) == (3, 1, 1)  # ESSEC missed
    # Accuracy over matched actors with gold roles: Avise (right), France Active (wrong).
    assert result.role_pairs == 2
    assert result.role_accuracy == pytest.approx(0.5)
    # Per-role counts over all matched pairs (CSESS's porteur is a false positive).
    assert result.roles["porteur"].to_dict()["tp"] == 1
    assert result.roles["porteur"].fp == 1
    assert (result.roles["bailleur"].tp, result.roles["partenaire"].fn) == (1, 1)


def test_role_accuracy_is_none_without_gold_roles() -> None:
    gold = Annotation("d.txt", actors=[Actor("Avise", [], "ess", [])])
    result = evaluate({"d": Annotation("d.txt", actors=[Actor("Avise")])}, {"d": gold})
    assert result.role_accuracy is None and result.role_pairs == 0


def test_label_sets_are_micro_averaged_over_documents() -> None:
    golds = {
        "a": Annotation("a.txt", needs=["emploi", "logement"], stages=["emergence"]),
        "b": Annotation("b.txt", needs=["sante"], stages=[], actor_types=["public"]),
    }
    preds = {
        "a": Annotation("a.txt", needs=["emploi"], stages=["emergence", "diffusion"]),
        "b": Annotation("b.txt", needs=["sante", "culture"], actor_types=["public"]),
    }
    result = evaluate(preds, golds)
    needs = result.fields["needs"]
    assert (needs.tp, needs.fp, needs.fn) == (2, 1, 1)
    stages = result.fields["stages"]
    assert (stages.tp, stages.fp, stages.fn) == (1, 1, 0)
    assert stages.precision == 0.5 and stages.recall == 1.0
    assert result.fields["actor_types"].f1 == 1.0
    assert result.documents["a"]["needs"].fn == 1


def test_missing_prediction_counts_all_gold_as_missed() -> None:
    golds = {"a": Annotation("a.txt", needs=["emploi"], actors=[Actor("Avise")])}
    result = evaluate({"z": Annotation("z.txt", needs=["emploi"])}, golds)
    assert result.missing_predictions == ["a"]
    assert result.extra_predictions == ["z"]
    assert result.fields["needs"].fn == 1 and result.fields["needs"].tp == 0
    assert result.fields["actors"].recall == 0.0


def test_counts_edge_cases() -> None:
    empty = Counts()
    assert (empty.precision, empty.recall) == (1.0, 1.0)
    assert Counts(tp=0, fp=3, fn=0).f1 == 0.0
    assert set_counts(["a", "a", "b"], ["b"]).to_dict()["fp"] == 1


def test_optional_set_labels_are_neither_missed_nor_false_positives(tmp_path) -> None:
    """FORMAT.md: ``<field>_optional`` labels of needs, stages and actor types."""
    from corpus.extract.evaluate import evaluate_folders

    gold_dir, pred_dir = tmp_path / "gold", tmp_path / "pred"
    gold_dir.mkdir()
    pred_dir.mkdir()
    (gold_dir / "a.yaml").write_text(
        "document: a.txt\ndefinitions: []\nactors: []\n"
        "actor_types: [ess]\nactor_types_optional: [public]\n"
        "needs: [emploi]\nneeds_optional: [logement, sante]\n"
        "stages: [diffusion]\nstages_optional: [evaluation]\n",
        encoding="utf-8",
    )
    (pred_dir / "a.yaml").write_text(
        "document: a.txt\ndefinitions: []\nactors: []\n"
        "actor_types: [ess, public]\nneeds: [emploi, logement, culture]\nstages: []\n",
        encoding="utf-8",
    )
    result = evaluate_folders(gold_dir, pred_dir)
    needs = result.fields["needs"]
    assert (needs.tp, needs.fp, needs.fn) == (1, 1, 0)  # logement optional, culture wrong
    types = result.fields["actor_types"]
    assert (types.tp, types.fp, types.fn) == (1, 0, 0)
    stages = result.fields["stages"]
    assert (stages.tp, stages.fp, stages.fn) == (0, 0, 1)  # evaluation is never missed


def test_unknown_optional_label_is_a_format_error(tmp_path) -> None:
    from corpus.extract.gold import GoldFormatError, read_annotation

    path = tmp_path / "a.yaml"
    path.write_text("document: a.txt\nneeds_optional: [bonheur]\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match="needs_optional"):
        read_annotation(path)
