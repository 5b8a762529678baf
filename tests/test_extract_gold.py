"""Gold YAML in and out: FORMAT.md's shape, validation with clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from corpus.extract.gold import (
    NEEDS,
    ROLES,
    SECTORS,
    STAGES,
    Actor,
    Annotation,
    Definition,
    GoldFormatError,
    dump_annotation,
    predictions_from_tables,
    read_annotation,
    read_annotations,
    unique_stems,
    write_annotation,
)


def test_label_sets_match_format_md(eval_dir: Path) -> None:
    text = (eval_dir / "FORMAT.md").read_text(encoding="utf-8")
    for label in (*ROLES, *SECTORS, *NEEDS, *STAGES):
        assert f"`{label}`" in text


def test_reads_every_development_gold_file(eval_dir: Path) -> None:
    golds = read_annotations(eval_dir / "gold")
    assert len(golds) == len(list((eval_dir / "docs").glob("*.txt")))
    for stem, annotation in golds.items():
        assert annotation.document.startswith(stem)
        assert all(d.term and d.text for d in annotation.definitions)
        assert all(set(a.roles) <= set(ROLES) for a in annotation.actors)


def test_round_trip_keeps_format_shape(tmp_path: Path) -> None:
    annotation = Annotation(
        "002_x.txt",
        definitions=[Definition("innovation sociale", "L’innovation sociale est « neuve ».", None)],
        actors=[Actor("Réseau québécois en innovation sociale", ["RQIS"], "ess", ["porteur"])],
        actor_types=["public", "ess"],
        needs=["emploi"],
        stages=[],
    )
    path = write_annotation(annotation, tmp_path / "out" / "002_x.yaml")
    text = path.read_text(encoding="utf-8")
    assert list(yaml.safe_load(text)) == [
        "document",
        "definitions",
        "actors",
        "actor_types",
        "needs",
        "stages",
    ]
    assert "aliases: [RQIS]" in text and "actor_types: [public, ess]" in text
    assert "source: null" in text and "Réseau québécois" in text  # unicode kept
    assert read_annotation(path) == annotation


@pytest.mark.parametrize(
    ("patch", "field", "value"),
    [
        ({"needs": ["emploi", "housing"]}, "needs", "housing"),
        ({"stages": ["pilot"]}, "stages", "pilot"),
        ({"actor_types": ["state"]}, "actor_types", "state"),
        (
            {"actors": [{"name": "X", "aliases": [], "sector": "ong", "roles": []}]},
            "actors[0].sector",
            "ong",
        ),
        (
            {"actors": [{"name": "X", "aliases": [], "sector": "ess", "roles": ["funder"]}]},
            "actors[0].roles",
            "funder",
        ),
        ({"definitions": [{"term": "x", "text": None}]}, "definitions[0].text", "None"),
        ({"definitions": [{"term": "x", "text": "y", "optional": "yes"}]}, "optional", "yes"),
        ({"extra_field": 1}, "extra_field", "unknown field"),
    ],
)
def test_bad_labels_name_file_field_and_value(
    tmp_path: Path, patch: dict, field: str, value: str
) -> None:
    data = {"document": "a.txt", "definitions": [], "actors": [], "needs": [], "stages": []}
    data.update(patch)
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(GoldFormatError) as info:
        read_annotation(path)
    message = str(info.value)
    assert str(path) in message and field in message and value in message
    assert "E-EVAL-FORMAT" in message


def test_invalid_yaml_and_missing_document(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("document: [unclosed\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match="invalid YAML"):
        read_annotation(bad)
    nodoc = tmp_path / "nodoc.yaml"
    nodoc.write_text("needs: [emploi]\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match="document"):
        read_annotation(nodoc)
    with pytest.raises(GoldFormatError, match="not a folder"):
        read_annotations(tmp_path / "nope")


def test_dump_of_empty_annotation_is_valid_format() -> None:
    text = dump_annotation(Annotation("empty.txt"))
    data = yaml.safe_load(text)
    assert data == {
        "document": "empty.txt",
        "definitions": [],
        "actors": [],
        "actor_types": [],
        "needs": [],
        "stages": [],
    }


def test_predictions_from_tables_per_document() -> None:
    documents = pd.DataFrame({"doc_id": ["d1", "d2"], "path": ["sub/a.txt", "b.html"]})
    definitions = pd.DataFrame(
        {
            "doc_id": ["d1", "d1"],
            "term": ["innovation sociale", "rétroaction"],
            "text": ["L’innovation sociale est X.", "La rétroaction, c’est Y."],
            "source": ["RQIS", None],
            "start": [50, 10],
        }
    )
    mentions = pd.DataFrame(
        {
            "doc_id": ["d1", "d1", "d2"],
            "name": ["Avise", "Avise", "Avise"],
            "roles": ['[{"role": "porteur"}]', "[]", '[{"role": "bailleur"}]'],
        }
    )

    def build_actors(frame: pd.DataFrame) -> pd.DataFrame:
        # Per-document linking: one actor per name, the union of its mentions' roles.
        rows = []
        for name, group in frame.groupby("name", sort=True):
            roles = sorted({r["role"] for v in group["roles"] for r in json.loads(v)})
            rows.append({"name": name, "aliases": [], "sector": "ess", "roles": roles})
        return pd.DataFrame(rows)

    doc_needs = pd.DataFrame({"doc_id": ["d1", "d1", "d2"], "need": ["emploi", "sante", "x"]})
    doc_needs["present"] = [True, False, True]
    doc_stages = pd.DataFrame({"doc_id": ["d2"], "stage": ["diffusion"]})
    doc_types = pd.DataFrame({"doc_id": ["d1"], "sector": ["public"]})
    preds = predictions_from_tables(
        documents,
        definitions=definitions,
        mentions=mentions,
        doc_actor_types=doc_types,
        doc_needs=doc_needs,
        doc_stages=doc_stages,
        build_actors=build_actors,
    )
    a, b = preds["d1"], preds["d2"]
    assert a.document == "a.txt" and b.document == "b.html"
    assert [d.term for d in a.definitions] == ["rétroaction", "innovation sociale"]  # by offset
    assert a.definitions[1].source == "RQIS" and a.definitions[0].source is None
    assert [(x.name, x.roles) for x in a.actors] == [("Avise", ["porteur"])]
    assert [(x.name, x.roles) for x in b.actors] == [("Avise", ["bailleur"])]
    assert a.needs == ["emploi"] and b.needs == ["x"]  # `present` filters; labels as given
    assert (a.stages, b.stages, a.actor_types, b.actor_types) == ([], ["diffusion"], ["public"], [])


def test_unique_stems() -> None:
    stems = unique_stems(["a/x.txt", "b/x.pdf", "y.html"])
    assert stems == {"a/x.txt": "x.txt", "b/x.pdf": "x.pdf", "y.html": "y"}
