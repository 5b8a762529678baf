"""`corpus ingest` and `corpus info`: output and exit codes (0, 2, 3)."""

from __future__ import annotations

import sys
from pathlib import Path

from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "ingest"))

import ingest_builders as b

from corpus.cli import app
from corpus.errors import EXIT_FAILURE, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE

runner = CliRunner()


def _corpus(tmp_path: Path, *, bad: bool = False) -> Path:
    root = b.make_corpus(tmp_path / "c")
    b.write(root / "raw" / "a.txt", "\n\n".join(b.PARAGRAPHS))
    b.write(root / "raw" / "b.docx", b.docx_bytes("Projet", b.PARAGRAPHS[:2]))
    if bad:
        b.write(root / "raw" / "vide.txt", b"")
        b.write(root / "raw" / "scan.pdf", b.scanned_pdf_bytes())
    return root


def test_ingest_success_then_unchanged(tmp_path: Path) -> None:
    root = _corpus(tmp_path)
    result = runner.invoke(app, ["ingest", str(root)])
    assert result.exit_code == EXIT_OK, result.output
    assert "added" in result.output and "documents" in result.output
    again = runner.invoke(app, ["ingest", str(root), "--quiet"])
    assert again.exit_code == EXIT_OK and again.output == ""


def test_ingest_partial_one_line_per_rejected(tmp_path: Path) -> None:
    root = _corpus(tmp_path, bad=True)
    result = runner.invoke(app, ["ingest", str(root), "--quiet"])
    assert result.exit_code == EXIT_PARTIAL
    lines = [line for line in result.output.splitlines() if line.startswith("rejected")]
    assert len(lines) == 2
    assert any("[E-INGEST-EMPTY] vide.txt" in line for line in lines)
    assert any("[E-INGEST-PDF-NO-TEXT] scan.pdf" in line for line in lines)


def test_ingest_usage_errors(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["ingest", str(tmp_path / "nowhere")])
    assert missing.exit_code == EXIT_USAGE
    assert "E-CORPUS-NOT-FOUND" in missing.output
    unknown = runner.invoke(app, ["ingest", str(tmp_path), "--bogus"])
    assert unknown.exit_code == EXIT_USAGE
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "corpus.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    bad_config = runner.invoke(app, ["ingest", str(broken)])
    assert bad_config.exit_code == EXIT_USAGE and "E-CONFIG" in bad_config.output


def test_store_option_and_info(tmp_path: Path) -> None:
    root = _corpus(tmp_path, bad=True)
    store = tmp_path / "elsewhere"
    runner.invoke(app, ["ingest", str(root), "--store", str(store), "--quiet"])
    assert (store / "tables" / "documents.parquet").is_file()
    assert not (root / ".corpus").exists()
    result = runner.invoke(app, ["info", str(root), "--store", str(store)], terminal_width=200)
    assert result.exit_code == EXIT_OK, result.output
    for expected in ("documents", "passages", "docx 1", "txt 1", "rejected", "fr 2"):
        assert expected in result.output
    assert "rejected scan.pdf: E-INGEST-PDF-NO-TEXT" in result.output


def test_one_console_line_per_rejected_file(tmp_path: Path) -> None:
    root = _corpus(tmp_path, bad=True)
    result = runner.invoke(app, ["ingest", str(root), "--quiet"])
    assert result.output.count("E-INGEST-EMPTY") == 1
    assert result.output.count("E-INGEST-PDF-NO-TEXT") == 1


def test_failure_exit_code(tmp_path: Path) -> None:
    root = _corpus(tmp_path)
    not_a_folder = tmp_path / "store-is-a-file"
    not_a_folder.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(root), "--store", str(not_a_folder)])
    assert result.exit_code == EXIT_FAILURE
    assert not (root / ".corpus").exists()
