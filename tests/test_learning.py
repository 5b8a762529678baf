"""The correction loop: review sheets, corrections from each source, adapted scorers."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import corpus as corpus_pkg
from corpus.cli import app
from corpus.errors import UsageError
from corpus.extract.gold import Annotation, GoldFormatError
from corpus.learning.adapt import CORRECTION_WEIGHT, TooFewCorrectionsError
from corpus.learning.corrections import CorrectionsError, read_corrections
from corpus.learning.review import (
    REVIEW_COLUMNS,
    evidence_sentence,
    select_for_review,
    write_review,
)
from corpus.scorers import registry, training
from corpus.scorers.model import Scorer, ScorerSet

DEMO = Path(__file__).resolve().parents[1] / "corpora" / "demo"
LABELS = {"role": ("porteur", "bailleur", "partenaire", "preneur"), "need": ("emploi", "logement")}


def _rows(n: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(n)],
            "document": ["a.txt"] * n,
            "field": ["role" if i % 2 else "need" for i in range(n)],
            "passage_id": ["p"] * n,
            "start": [0] * n,
            "end": [5] * n,
            "evidence": ["[[Texte]] court."] * n,
            "prediction": ["porteur" if i % 2 else "emploi" for i in range(n)],
            "detail": ["Org"] * n,
            "confidence": rng.random(n),
            "verdict": [""] * n,
            "correction": [""] * n,
        }
    )


def test_evidence_sentence_marks_the_candidate_in_its_sentence() -> None:
    text = "Première phrase. La Fondation Arbre finance le projet. Dernière."
    start = text.index("Fondation Arbre")
    marked = evidence_sentence(text, start, start + len("Fondation Arbre"))
    assert marked == "La [[Fondation Arbre]] finance le projet."


def test_selection_is_half_least_certain_half_random_and_seeded() -> None:
    rows = _rows(40)
    chosen = select_for_review(rows, n=10, seed=3)
    assert len(chosen) == 10
    distance = (rows["confidence"] - 0.5).abs()
    nearest = set(rows.loc[distance.nsmallest(5).index, "id"])
    assert nearest <= set(chosen["id"])
    assert chosen.equals(select_for_review(rows, n=10, seed=3))
    assert not chosen.equals(select_for_review(rows, n=10, seed=4))


def test_xlsx_sheet_has_the_columns_and_drop_down_lists(tmp_path) -> None:
    path = write_review(_rows(6), tmp_path / "review.xlsx", labels=LABELS)
    book = load_workbook(path)
    sheet = book["review"]
    assert [c.value for c in sheet[1]] == list(REVIEW_COLUMNS)
    formulas = [dv.formula1 for dv in sheet.data_validations.dataValidation]
    assert '"correct,wrong"' in formulas
    assert any("labels!" in f for f in formulas)
    assert book["labels"].sheet_state == "hidden"


def _corpus(tmp_path: Path, n: int = 4) -> Path:
    folder = tmp_path / "mine"
    (folder / "raw").mkdir(parents=True)
    for path in sorted((DEMO / "raw").glob("*.txt"))[:n]:
        shutil.copy(path, folder / "raw" / path.name)
    return folder


def _documents(folder: Path) -> dict[str, str]:
    opened = corpus_pkg.open(folder)
    docs = opened.documents
    return {Path(p).name: t for p, t in zip(docs["path"], docs["text"], strict=True)}


def _sheet(tmp_path: Path, documents: dict[str, str], **changes) -> Path:
    name = sorted(documents)[0]
    text = documents[name]
    row = {c: "" for c in REVIEW_COLUMNS}
    row.update(
        id="x",
        document=name,
        field="need",
        prediction="emploi",
        start=0,
        end=10,
        verdict="wrong",
        correction="logement",
    )
    row.update(changes)
    frame = pd.DataFrame([row])
    path = tmp_path / "filled.csv"
    frame.to_csv(path, index=False)
    assert len(text) > 10
    return path


def test_review_sheet_verdicts_apply_to_the_predictions(tmp_path) -> None:
    documents = _documents(_corpus(tmp_path, 1))
    name = sorted(documents)[0]
    predictions = {name: Annotation(document=name, needs=["emploi", "culture"])}
    found = read_corrections(
        _sheet(tmp_path, documents), documents=documents, predictions=predictions
    )
    assert found[name].needs == ["logement", "culture"]
    assert predictions[name].needs == ["emploi", "culture"]  # the input is not modified


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"document": "absent.txt"}, r"row 2: document 'absent.txt' is not in the corpus"),
        ({"correction": "bonheur"}, r"row 2: unknown label 'bonheur' for a need"),
        ({"start": 0, "end": 10**7}, r"row 2: offsets 0-10000000 are outside the document"),
        ({"verdict": "peut-être"}, r"row 2: verdict 'peut-être' is not one of correct, wrong"),
    ],
)
def test_bad_sheet_rows_are_named(tmp_path, change, message) -> None:
    documents = _documents(_corpus(tmp_path, 1))
    with pytest.raises(CorrectionsError, match=message):
        read_corrections(_sheet(tmp_path, documents, **change), documents=documents)


def test_a_sheet_whose_columns_were_renamed_is_refused(tmp_path) -> None:
    documents = _documents(_corpus(tmp_path, 1))
    path = _sheet(tmp_path, documents)
    frame = pd.read_csv(path).rename(columns={"verdict": "avis"}).drop(columns=["correction"])
    frame.to_csv(path, index=False)
    with pytest.raises(CorrectionsError, match=r"lost column.*verdict, correction"):
        read_corrections(path, documents=documents)


def test_yaml_corrections_name_bad_files(tmp_path) -> None:
    documents = _documents(_corpus(tmp_path, 1))
    name = sorted(documents)[0]
    folder = tmp_path / "corr"
    folder.mkdir()
    (folder / "x.yaml").write_text("document: autre.txt\n", encoding="utf-8")
    with pytest.raises(CorrectionsError, match=r"x.yaml.*'autre.txt', which is not in the corpus"):
        read_corrections(folder, documents=documents)
    (folder / "x.yaml").write_text(
        f"document: {name}\ndefinitions:\n  - term: x\n    text: Une phrase absente.\n",
        encoding="utf-8",
    )
    with pytest.raises(CorrectionsError, match="outside the document"):
        read_corrections(folder, documents=documents)
    (folder / "x.yaml").write_text(f"document: {name}\nneeds: [bonheur]\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match="bonheur"):
        read_corrections(folder, documents=documents)


def _trainer(corpora, *, random_state):
    """A small real trainer: keep an actor mention whose name is a gold actor."""
    X, y, w = [], [], []
    for corpus in corpora:
        frame = corpus.labelled(corpus.records["actors"])
        for row in frame.to_dict("records"):
            gold = corpus.gold[str(row["doc_id"])]
            names = {a.name.lower() for a in gold.actors}
            X.append({"kind": str(row.get("kind")), "sector": str(row.get("sector"))})
            y.append(int(str(row.get("name", "")).lower() in names))
            w.append(corpus.weight)
    scorer = Scorer(random_state=random_state).fit(X, np.array(y), sample_weight=np.array(w))
    return ScorerSet("actors", {"keep": scorer})


@pytest.fixture
def small_training_root(tmp_path, monkeypatch):
    root = tmp_path / "training"
    (root / "demo" / "raw").mkdir(parents=True)
    (root / "demo" / "gold").mkdir()
    for path in sorted((DEMO / "raw").glob("*.txt"))[-3:]:
        shutil.copy(path, root / "demo" / "raw" / path.name)
        shutil.copy(DEMO / "gold" / f"{path.stem}.yaml", root / "demo" / "gold")
    monkeypatch.setenv("CORPUS_TRAINING_DATA", str(root))
    # Import the field modules first: importing one registers its trainer, and the
    # calibration step imports them (their example builders).
    training.trainers()
    monkeypatch.setattr(training, "_TRAINERS", {"actors": _trainer})
    monkeypatch.setattr(training, "TRAINER_MODULES", ())
    return root


@pytest.mark.slow
def test_learn_stores_adapted_scorers_then_reset(tmp_path, small_training_root) -> None:
    folder = _corpus(tmp_path, 4)
    corrections = tmp_path / "corrections"
    corrections.mkdir()
    for path in sorted((folder / "raw").glob("*.txt"))[:3]:
        shutil.copy(DEMO / "gold" / f"{path.stem}.yaml", corrections / f"{path.stem}.yaml")
    runner = CliRunner()
    result = runner.invoke(app, ["learn", str(folder), "--corrections", str(corrections)])
    assert result.exit_code == 0, result.output
    assert "actors_f1" in result.output and "before" in result.output
    opened = corpus_pkg.open(folder)
    stored = registry.adapted_dir(opened.store.root) / "actors.json"
    adapted = ScorerSet.load(stored)
    assert adapted.meta["origin"] == "adapted"
    assert adapted.meta["corrections"]["documents"] == sorted(
        p.name for p in sorted((folder / "raw").glob("*.txt"))[:3]
    )
    assert adapted.meta["corpora"]["corrections"]["weight"] == CORRECTION_WEIGHT
    assert registry.provenance(store_root=opened.store.root)["actors"]["origin"] == "adapted"

    # Too few corrections: a clear error, and the adapted scorers stay as they were.
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(next(corrections.glob("*.yaml")), one)
    before = stored.read_bytes()
    result = runner.invoke(app, ["learn", str(folder), "--corrections", str(one)])
    # (`corpus` turns the error into its exit code, 5: data that cannot support the work.)
    assert isinstance(result.exception, TooFewCorrectionsError)
    assert result.exception.exit_code == 5
    assert "E-LEARN-TOO-FEW" in str(result.exception)
    assert stored.read_bytes() == before

    # A review sheet can be written for the corpus, then --reset goes back to shipped.
    sheet = tmp_path / "review.xlsx"
    result = runner.invoke(app, ["review", str(folder), "--out", str(sheet), "--n", "12"])
    assert result.exit_code == 0, result.output
    rows = pd.read_excel(sheet, sheet_name="review")
    assert 0 < len(rows) <= 12 and list(rows.columns) == list(REVIEW_COLUMNS)
    assert rows["evidence"].str.contains(r"\[\[").any()
    result = runner.invoke(app, ["learn", str(folder), "--reset"])
    assert result.exit_code == 0 and not stored.exists()


def test_learn_needs_corrections_or_reset(tmp_path) -> None:
    folder = _corpus(tmp_path, 1)
    result = CliRunner().invoke(app, ["learn", str(folder)])
    assert isinstance(result.exception, UsageError)
    assert result.exception.exit_code == 2
    assert "--corrections" in str(result.exception)
