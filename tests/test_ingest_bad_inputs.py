"""Every bad input of the issue: one rejected row with a specific code, the rest ingested,
no input file touched."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "ingest"))

import ingest_builders as b

import corpus
from corpus.errors import EXIT_PARTIAL, IngestError
from corpus.ingest import errors
from corpus.ingest.readers import read_file

GOOD = "\n\n".join(b.PARAGRAPHS)


def _bad_files(raw: Path, outside: Path) -> dict[str, str]:
    """Write every bad input into ``raw``; return {relative path: expected code}."""
    good_pdf = b.pdf_bytes([b.PARAGRAPHS, b.PARAGRAPHS[:1]])
    b.write(raw / "empty.txt", b"")
    b.write(raw / "blank.md", b"  \n\n \t\n")
    b.write(raw / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2048))
    b.write(raw / "garbage.txt", b"Texte \x81\x8d\x8f\x90\x9d illisible \x81\x9d " * 20)
    b.write(raw / "truncated.pdf", good_pdf[: len(good_pdf) // 3])
    b.write(raw / "corrupt.pdf", b"%PDF-1.7\n%garbage that is not a PDF at all\n" * 5)
    b.write(raw / "locked.pdf", b.encrypted_pdf_bytes())
    b.write(raw / "scan.pdf", b.scanned_pdf_bytes())
    b.write(raw / "notzip.docx", "Ceci est du texte enregistré avec une extension .docx.")
    b.write(raw / "bomb.docx", b.zip_bomb_docx())
    b.write(raw / "laughs.docx", b.billion_laughs_docx())
    b.write(raw / "laughs.odt", b.billion_laughs_odt())
    b.write(raw / "huge.txt", ("mot " * 400_000).encode())  # 1.6 MB > limit of 1 MB
    b.write(raw / "tableur.xlsx", b"PK\x03\x04 not supported")
    b.write(outside / "secret.txt", "Un fichier hors du corpus.")
    os.symlink(outside / "secret.txt", raw / "lien.txt")
    os.symlink(outside / "missing.txt", raw / "casse.txt")
    return {
        "empty.txt": "E-INGEST-EMPTY",
        "blank.md": "E-INGEST-EMPTY",
        "image.txt": "E-INGEST-BINARY",
        "garbage.txt": "E-INGEST-ENCODING",
        "truncated.pdf": "E-INGEST-PDF-CORRUPT",
        "corrupt.pdf": "E-INGEST-PDF-CORRUPT",
        "locked.pdf": "E-INGEST-PDF-ENCRYPTED",
        "scan.pdf": "E-INGEST-PDF-NO-TEXT",
        "notzip.docx": "E-INGEST-NOT-ZIP",
        "bomb.docx": "E-INGEST-ZIP-BOMB",
        "laughs.docx": "E-INGEST-XML-BOMB",
        "laughs.odt": "E-INGEST-XML-BOMB",
        "huge.txt": "E-INGEST-TOO-LARGE",
        "tableur.xlsx": "E-INGEST-UNSUPPORTED",
        "lien.txt": "E-INGEST-SYMLINK-OUTSIDE",
        "casse.txt": "E-INGEST-SYMLINK-OUTSIDE",
    }


def _snapshot(raw: Path) -> dict[str, tuple[str, int]]:
    out = {}
    for path in sorted(raw.rglob("*")):
        if path.is_symlink():
            out[path.name] = (os.readlink(path), path.lstat().st_mtime_ns)
        elif path.is_file():
            data = path.read_bytes()
            out[path.name] = (hashlib.sha256(data).hexdigest(), path.stat().st_mtime_ns)
    return out


@pytest.fixture()
def bad_corpus(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = b.make_corpus(tmp_path / "c", yaml="name: bad\ningest:\n  max_file_size_mb: 1\n")
    raw = root / "raw"
    b.write(raw / "bon.txt", GOOD)
    b.write(raw / "bon.docx", b.docx_bytes("Projet", b.PARAGRAPHS))
    expected = _bad_files(raw, tmp_path / "outside")
    return root, expected


def test_every_bad_input_rejected_rest_ingested(bad_corpus: tuple[Path, dict[str, str]]) -> None:
    root, expected = bad_corpus
    before = _snapshot(root / "raw")
    handle = corpus.open(root)
    report = handle.ingest()
    assert report.exit_code == EXIT_PARTIAL
    got = {row.path: row.code for row in report.rejected}
    assert got == expected
    rejected = handle.rejected
    assert list(rejected.columns) == ["path", "code", "reason"]
    for row in rejected.itertuples(index=False):
        assert row.reason.startswith(f"[{row.code}] {row.path}: ")
        assert len(row.reason) > len(row.code) + len(row.path) + 30  # says what to do
    assert sorted(handle.documents["path"]) == ["bon.docx", "bon.txt"]
    assert _snapshot(root / "raw") == before  # no input file touched
    assert not (root / "raw" / ".corpus").exists()
    again = handle.ingest()  # bad files are remembered, not re-read, and still reported
    assert len(again.unchanged) == len(expected) + 2 and not again.added
    assert again.rejected == report.rejected


@pytest.mark.parametrize(
    ("name", "build", "error"),
    [
        ("e.txt", lambda: b"", errors.EmptyFileError),
        ("b.txt", lambda: b"\x00\x01\x02binary\x00" * 50, errors.BinaryFileError),
        ("u.txt", lambda: b"\x81\x8d\x8f\x90\x9d" * 30, errors.UndecodableError),
        ("t.pdf", lambda: b.pdf_bytes([b.PARAGRAPHS])[:400], errors.PdfCorruptError),
        ("x.pdf", b.encrypted_pdf_bytes, errors.PdfEncryptedError),
        ("s.pdf", b.scanned_pdf_bytes, errors.PdfNoTextError),
        ("n.docx", lambda: b"plain text", errors.NotZipError),
        ("n.odt", lambda: b"plain text", errors.NotZipError),
        ("z.docx", b.zip_bomb_docx, errors.ZipBombError),
        ("l.docx", b.billion_laughs_docx, errors.XmlBombError),
        ("l.odt", b.billion_laughs_odt, errors.XmlBombError),
        ("v.html", lambda: b"<html><body><script>x=1</script></body></html>", errors.NoTextError),
    ],
)
def test_reader_raises_specific_error(tmp_path: Path, name: str, build, error) -> None:  # type: ignore[no-untyped-def]
    path = b.write(tmp_path / name, build())
    with pytest.raises(error) as info:
        read_file(path)
    assert isinstance(info.value, IngestError)
    assert info.value.code.startswith("E-INGEST-")
    assert name in str(info.value)


def test_pdf_with_empty_user_password_is_read(tmp_path: Path) -> None:
    data = b.encrypted_pdf_bytes(password="")
    raw = read_file(b.write(tmp_path / "perm.pdf", data))
    assert "innovation sociale" in raw.text


def test_symlink_inside_corpus_is_followed(tmp_path: Path) -> None:
    root = b.make_corpus(tmp_path / "c")
    b.write(root / "raw" / "sub" / "vrai.txt", GOOD)
    os.symlink(root / "raw" / "sub" / "vrai.txt", root / "raw" / "alias.txt")
    report = corpus.open(root).ingest()
    assert not report.rejected
    docs = corpus.open(root).documents
    assert sorted(docs["path"]) == ["alias.txt", "sub/vrai.txt"]
    b.write(root / "raw" / "sub" / "vrai.txt", "Un texte modifié, plus long que le premier. " * 9)
    report = corpus.open(root).ingest()
    assert sorted(report.updated) == ["alias.txt", "sub/vrai.txt"]  # the link's target changed
