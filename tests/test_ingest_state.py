"""The compact ingest state: one Parquet table, matched to the walked files in one look-up."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "ingest"))

import ingest_builders as b

import corpus
from corpus.ingest import pipeline
from corpus.ingest.state import FileState, StateBuilder

TEXTS = [
    *b.PARAGRAPHS,
    "Une ressourcerie de quartier forme des jeunes à la réparation des appareils ménagers.",
    "Le conseil municipal soutient une halte-garderie ouverte aux horaires décalés.",
    "Des aînés partagent leur logement avec des étudiants contre quelques services.",
]


def _iramuteq(*paragraphs: str) -> str:
    return "".join(f"**** *annee_201{i} *genre_rapport\n{p}\n\n" for i, p in enumerate(paragraphs))


def test_state_round_trip_and_look_ups(tmp_path: Path) -> None:
    builder = StateBuilder(FileState())
    builder.add("b.txt", 10, 111, sha256="f" * 64, documents=["b.txt"])
    builder.add("a.txt", 20, 222, sha256=None, documents=[], rejected="E-INGEST-EMPTY")
    builder.add("c.txt", 30, 333, sha256="e" * 64, documents=["c.txt#1", "c.txt#2"])
    path = tmp_path / "state.parquet"
    builder.write(path, "settings-1")

    state = FileState.read(path)
    assert state.settings == "settings-1" and len(state) == 3
    assert state.table.column("path").to_pylist() == ["a.txt", "b.txt", "c.txt"]  # sorted
    rows = state.match(["c.txt", "new.txt", "a.txt"])
    assert rows.tolist() == [2, -1, 0]
    assert state.sizes[rows[0]] == 30 and state.mtimes[rows[2]] == 222
    assert state.sha256(0) is None and state.sha256(1) == "f" * 64
    assert sorted(state.document_paths(np.array([1, 2]))) == [
        "b.txt", "c.txt", "c.txt#1", "c.txt#2"
    ]  # fmt: skip
    assert state.paths_missing_from(["b.txt"]) == ["a.txt", "c.txt"]

    # a run that keeps one row (touched: new mtime) and adds one file
    again = StateBuilder(state)
    again.keep(1, 999)
    again.add("d.txt", 5, 444, sha256="d" * 64, documents=["d.txt"])
    again.write(path, "settings-1")
    final = FileState.read(path)
    assert final.table.column("path").to_pylist() == ["b.txt", "d.txt"]
    assert final.mtimes.tolist() == [999, 444] and final.sha256(0) == "f" * 64


def test_unreadable_state_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "state.parquet"
    path.write_bytes(b"not parquet")
    state = FileState.read(path)
    assert len(state) == 0 and state.settings is None
    assert state.match(["a.txt"]).tolist() == [-1]


def test_a_changed_iramuteq_file_replaces_all_its_documents(tmp_path: Path) -> None:
    root = b.make_corpus(tmp_path / "c")
    raw = root / "raw"
    b.write(raw / "entretiens.txt", _iramuteq(*TEXTS[:3]))
    b.write(raw / "autre.txt", TEXTS[3])
    handle = corpus.open(root)
    handle.ingest()
    assert list(handle.documents["path"]) == [
        "autre.txt", "entretiens.txt#1", "entretiens.txt#2", "entretiens.txt#3"
    ]  # fmt: skip
    b.write(raw / "entretiens.txt", _iramuteq(*TEXTS[4:6]))
    report = handle.ingest()
    assert report.updated == ["entretiens.txt"] and report.unchanged == ["autre.txt"]
    docs = handle.documents
    assert list(docs["path"]) == ["autre.txt", "entretiens.txt#1", "entretiens.txt#2"]
    assert TEXTS[4] in docs.iloc[1]["text"]
    (raw / "entretiens.txt").unlink()
    assert handle.ingest().removed == ["entretiens.txt"]
    assert list(handle.documents["path"]) == ["autre.txt"]


def test_lost_signatures_or_state_re_read_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = b.make_corpus(tmp_path / "c")
    b.write(root / "raw" / "a.txt", b.PARAGRAPHS[0])
    b.write(root / "raw" / "b.txt", b.PARAGRAPHS[1])
    handle = corpus.open(root)
    handle.ingest()
    ingest_cache = handle.store.cache_dir("ingest")
    assert handle.ingest().unchanged == ["a.txt", "b.txt"]

    # without the signatures an incremental run would lose the old near duplicates
    (ingest_cache / "minhash.npy").unlink()
    assert handle.ingest().updated == ["a.txt", "b.txt"]
    (ingest_cache / "state.parquet").unlink()
    assert handle.ingest().added == ["a.txt", "b.txt"]
    assert handle.ingest().unchanged == ["a.txt", "b.txt"]


def test_the_legacy_json_state_is_removed(tmp_path: Path) -> None:
    root = b.make_corpus(tmp_path / "c")
    b.write(root / "raw" / "a.txt", b.PARAGRAPHS[0])
    handle = corpus.open(root)
    handle.store.write_json(pipeline.LEGACY_STATE_NAME, {"files": {"a.txt": {}}})
    assert handle.ingest().added == ["a.txt"]
    assert not handle.store.json_path(pipeline.LEGACY_STATE_NAME).exists()
