"""The settings fingerprint: an upgrade of a reader library re-reads every file."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "ingest"))

import ingest_builders as b

import corpus
from corpus.ingest import settings_fingerprint


def _small_corpus(tmp_path: Path) -> Path:
    root = b.make_corpus(tmp_path / "c")
    b.write(root / "raw" / "a.txt", "\n\n".join(b.PARAGRAPHS))
    b.write(root / "raw" / "b.docx", b.docx_bytes("Projet de crèche", b.PARAGRAPHS[::-1]))
    return root


def test_reader_library_versions_are_the_installed_ones() -> None:
    versions = settings_fingerprint.reader_library_versions()
    assert set(versions) == set(settings_fingerprint.READER_DISTRIBUTIONS)
    for name in ("trafilatura", "pypdf", "python-docx", "odfpy", "ftfy", "charset-normalizer"):
        assert versions[name] == importlib.metadata.version(name)


@pytest.mark.parametrize("library", ["trafilatura", "pypdf", "python-docx", "charset-normalizer"])
def test_a_reader_library_upgrade_re_reads_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, library: str
) -> None:
    handle = corpus.open(_small_corpus(tmp_path))
    handle.ingest()
    assert handle.ingest().unchanged == ["a.txt", "b.docx"]  # same versions: no work

    upgraded = {**settings_fingerprint.reader_library_versions(), library: "999.0"}
    monkeypatch.setattr(settings_fingerprint, "reader_library_versions", lambda: upgraded)
    report = handle.ingest()
    assert report.updated == ["a.txt", "b.docx"] and not report.unchanged
    assert handle.ingest().unchanged == ["a.txt", "b.docx"]  # recorded: no work again
