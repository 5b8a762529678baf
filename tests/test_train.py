"""``corpus train``: labelled corpora -> candidate records + gold -> trainers -> scorer files."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from corpus.cli import app
from corpus.errors import UsageError
from corpus.scorers import training
from corpus.scorers.model import Scorer, ScorerSet
from corpus.train import (
    default_training_folders,
    fit_scorers,
    load_training_corpus,
    subset,
    train,
    training_fingerprint,
)

DEMO = Path(__file__).resolve().parents[1] / "corpora" / "demo"


def _small_corpus(tmp_path: Path, n: int = 3) -> Path:
    """A corpus folder with the demo's first ``n`` text documents and their gold."""
    folder = tmp_path / "small"
    (folder / "raw").mkdir(parents=True)
    (folder / "gold").mkdir()
    texts = sorted(p for p in (DEMO / "raw").glob("*.txt"))[:n]
    for path in texts:
        shutil.copy(path, folder / "raw" / path.name)
        shutil.copy(DEMO / "gold" / f"{path.stem}.yaml", folder / "gold" / f"{path.stem}.yaml")
    return folder


def _definition_trainer(corpora, *, random_state):
    """A real (small) trainer: is a definition candidate's passage one with gold definitions?"""
    X, y, w = [], [], []
    for corpus in corpora:
        frame = corpus.labelled(corpus.records["definitions"])
        for row in frame.to_dict("records"):
            gold = corpus.gold[str(row["doc_id"])]
            X.append({"cue": str(row.get("cue")), "n_chars": len(str(row.get("text", "")))})
            y.append(int(any(d.text[:40] in str(row.get("text", "")) for d in gold.definitions)))
            w.append(corpus.weight)
    scorer = Scorer(random_state=random_state).fit(X, np.array(y), sample_weight=np.array(w))
    return ScorerSet("definitions", {"keep": scorer}, meta={"n": len(X)})


@pytest.fixture
def only_test_trainer(monkeypatch):
    # Import the field modules first: importing one registers its trainer, and the
    # calibration step imports them (their example builders).
    training.trainers()
    monkeypatch.setattr(training, "_TRAINERS", {"definitions": _definition_trainer})
    monkeypatch.setattr(training, "TRAINER_MODULES", ())


def test_repository_training_corpora_exist_and_exclude_eval_real() -> None:
    folders = default_training_folders()
    names = [f.name for f in folders]
    assert {"demo", "heldout", "blind", "blind2", "blind3"} <= set(names)
    assert all("eval-real" not in str(f) and "shared" not in f.parts for f in folders)


@pytest.mark.slow
def test_train_writes_the_same_bytes_twice(tmp_path, only_test_trainer) -> None:
    folder = _small_corpus(tmp_path)
    first = train([folder], out_dir=tmp_path / "a", random_state=0)
    second = train([folder], out_dir=tmp_path / "b", random_state=0)
    assert first["definitions"].read_bytes() == second["definitions"].read_bytes()
    loaded = ScorerSet.load(first["definitions"])
    assert loaded.meta["training_fingerprint"] == training_fingerprint([folder])
    assert loaded.meta["corpora"] == {"small": {"documents": 3, "weight": 1.0}}
    assert loaded.scorers["keep"].n_train_ > 0
    # Changing a gold file changes the fingerprint the scorer records.
    gold = next((folder / "gold").glob("*.yaml"))
    gold.write_text(gold.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert training_fingerprint([folder]) != loaded.meta["training_fingerprint"]


@pytest.mark.slow
def test_training_corpus_links_gold_to_documents_and_subsets(tmp_path) -> None:
    folder = _small_corpus(tmp_path)
    corpus = load_training_corpus(folder)
    assert len(corpus.gold) == 3
    assert set(corpus.records) >= {"definitions", "actors", "needs", "stages"}
    one = sorted(corpus.gold)[0]
    part = subset(corpus, [one], name="one")
    assert set(part.gold) == {one}
    assert set(part.records["actors"]["doc_id"]) <= {one}
    assert set(part.passages["doc_id"]) == {one}


def test_unknown_trainer_is_a_usage_error(only_test_trainer) -> None:
    with pytest.raises(UsageError, match="no trainer for nothing"):
        fit_scorers([], only=["nothing"])


def test_train_command_rejects_a_corpus_without_gold(tmp_path, only_test_trainer) -> None:
    folder = tmp_path / "nogold"
    (folder / "raw").mkdir(parents=True)
    (folder / "gold").mkdir()
    (folder / "raw" / "a.txt").write_text("L'innovation sociale est une idée.", encoding="utf-8")
    result = CliRunner().invoke(app, ["train", "--corpus", str(folder), "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert "no gold annotation matches" in str(result.exception) + result.output


@pytest.mark.slow
def test_a_document_added_since_the_last_load_is_trained_on(tmp_path) -> None:
    folder = _small_corpus(tmp_path, n=2)
    assert len(load_training_corpus(folder).gold) == 2
    extra = sorted((DEMO / "raw").glob("*.txt"))[2]
    shutil.copy(extra, folder / "raw" / extra.name)
    shutil.copy(DEMO / "gold" / f"{extra.stem}.yaml", folder / "gold")
    assert len(load_training_corpus(folder).gold) == 3
