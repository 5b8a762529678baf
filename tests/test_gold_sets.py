"""The gold sets written for this project stay consistent with their documents."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

CORPORA = Path(__file__).resolve().parents[1] / "corpora"


def _check_gold() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_gold", CORPORA / "check_gold.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["heldout", "blind", "blind2", "blind3", "train"])
def test_gold_set_is_consistent(name: str) -> None:
    assert _check_gold().check(CORPORA / name) == []


def test_check_gold_reports_a_definition_not_in_its_document(tmp_path: Path) -> None:
    folder = tmp_path / "set"
    for sub in ("raw", "gold"):
        (folder / sub).mkdir(parents=True)
    words = " ".join(["mot"] * 200)
    (folder / "raw" / "a.txt").write_text(f"L'innovation sociale est utile. {words}", "utf-8")
    (folder / "metadata.csv").write_text("file,title\na.txt,A\n", "utf-8")
    (folder / "gold" / "a.yaml").write_text(
        "document: a.txt\n"
        "definitions:\n"
        "  - term: innovation sociale\n"
        "    text: L'innovation sociale est inutile.\n"
        "actors: []\nactor_types: []\nneeds: []\nstages: []\n",
        "utf-8",
    )
    problems = _check_gold().check(folder)
    assert any("definition not verbatim" in p for p in problems), problems
