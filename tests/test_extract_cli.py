"""``corpus eval`` and ``corpus extract`` through the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from corpus.cli import app
from corpus.extract.gold import read_annotation, read_annotations

runner = CliRunner()


def test_eval_gold_against_itself_is_perfect(eval_dir: Path) -> None:
    result = runner.invoke(
        app, ["eval", "--gold", str(eval_dir / "gold"), "--pred", str(eval_dir / "gold"), "--json"]
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    for field in ("definitions", "actors", "actor_types", "needs", "stages"):
        assert scores["fields"][field]["f1"] == 1.0, field
    assert scores["role_accuracy"] == 1.0 and scores["role_pairs"] > 0


def test_eval_counts_a_degraded_prediction(eval_dir: Path, tmp_path: Path) -> None:
    pred = tmp_path / "pred"
    shutil.copytree(eval_dir / "gold", pred)
    target = sorted(pred.glob("*.yaml"))[1]
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    removed_need = data["needs"].pop()
    data["stages"] = [*data["stages"], "diagnostic"] if "diagnostic" not in data["stages"] else []
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    (pred / sorted(pred.glob("*.yaml"))[0].name).unlink()  # a missing prediction
    result = runner.invoke(
        app, ["eval", "--gold", str(eval_dir / "gold"), "--pred", str(pred), "--json"]
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert removed_need and scores["fields"]["needs"]["fn"] >= 1
    assert scores["fields"]["needs"]["recall"] < 1.0
    assert scores["fields"]["stages"]["f1"] < 1.0
    assert len(scores["missing_predictions"]) == 1
    table = runner.invoke(app, ["eval", "--gold", str(eval_dir / "gold"), "--pred", str(pred)])
    assert table.exit_code == 0
    assert "role accuracy" in table.output and "definitions" in table.output
    assert "no prediction for" in table.output


def test_eval_bad_gold_is_a_clear_error(tmp_path: Path) -> None:
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "a.yaml").write_text("document: a.txt\nneeds: [housing]\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "--gold", str(gold), "--pred", str(gold)])
    assert result.exit_code != 0
    assert "housing" in str(result.exception) and "needs" in str(result.exception)


@pytest.mark.slow
def test_extract_read_only_folder_writes_format_yaml(eval_dir: Path, tmp_path: Path) -> None:
    # The development documents are read-only: the store goes to CORPUS_HOME.
    out = tmp_path / "pred"
    result = runner.invoke(app, ["extract", str(eval_dir / "docs"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    docs = sorted(p.stem for p in (eval_dir / "docs").iterdir() if p.is_file())
    assert sorted(p.stem for p in out.glob("*.yaml")) == docs
    for path in sorted(out.glob("*.yaml")):
        annotation = read_annotation(path)  # validates labels against FORMAT.md
        assert annotation.document == f"{path.stem}.txt"
        assert list(yaml.safe_load(path.read_text(encoding="utf-8"))) == [
            "document",
            "definitions",
            "actors",
            "actor_types",
            "needs",
            "stages",
        ]
    assert len(read_annotations(out)) == len(docs)
    assert not list((eval_dir / "docs").glob(".corpus*"))  # nothing written beside sources


@pytest.mark.slow
def test_extract_writes_a_file_per_document_even_duplicates_and_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    french = (
        "L’innovation sociale est une réponse nouvelle à des besoins sociaux mal "
        "satisfaits, notamment en matière de logement et d’insertion professionnelle."
    )
    (folder / "a.txt").write_text(french, encoding="utf-8")
    (folder / "b.txt").write_text(french, encoding="utf-8")  # same text: one doc_id
    (folder / "c.txt").write_text(
        "Social innovation is a new answer to social needs that are poorly met by the "
        "market and the State, such as housing and employment.",
        encoding="utf-8",
    )
    out = tmp_path / "pred"
    result = runner.invoke(
        app, ["extract", str(folder), "--out", str(out), "--store", str(tmp_path / "st")]
    )
    assert result.exit_code == 0, result.output
    a, b, c = (read_annotation(out / f"{s}.yaml") for s in "abc")
    assert (a.document, b.document, c.document) == ("a.txt", "b.txt", "c.txt")
    assert a.needs == b.needs and "logement" in a.needs
    assert [d.term for d in a.definitions] == ["innovation sociale"]
    assert (c.definitions, c.actors, c.needs, c.stages) == ([], [], [], [])
    assert "c.txt" in result.output and "not French" in result.output


def test_extract_sees_a_file_added_after_the_first_run(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "L’innovation sociale est une réponse nouvelle à des besoins sociaux mal satisfaits.",
        encoding="utf-8",
    )
    out, store = tmp_path / "pred", tmp_path / "st"
    first = runner.invoke(app, ["extract", str(folder), "--out", str(out), "--store", str(store)])
    assert first.exit_code == 0, first.output
    assert not (out / "b.txt").exists() and not (out / "b.yaml").exists()
    (folder / "b.txt").write_text(
        "Le logement abordable est un besoin social que la coopérative cherche à satisfaire.",
        encoding="utf-8",
    )
    second = runner.invoke(app, ["extract", str(folder), "--out", str(out), "--store", str(store)])
    assert second.exit_code == 0, second.output
    assert read_annotation(out / "b.yaml").document == "b.txt"
