"""Office documents as word processors save them: parts we do not read may be empty or odd.

Each test builds a real .odt (odfpy) or .docx (python-docx), then adds or spoils the parts
LibreOffice and Word leave behind (a zero-byte ``Configurations2/accelerator/current.xml``,
an empty ``settings.xml``...). The protection against entity and zip bombs still holds
for every part we read.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "ingest"))

import ingest_builders as b

import corpus
from corpus.ingest import errors
from corpus.ingest.readers import read_file


def edited(archive_bytes: bytes, changes: dict[str, bytes | None]) -> bytes:
    """A copy of a zip archive with members replaced, added (bytes) or removed (None)."""
    source = zipfile.ZipFile(io.BytesIO(archive_bytes))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename not in changes:
                target.writestr(info.filename, source.read(info))
        for name, data in changes.items():
            if data is not None:
                target.writestr(name, data)
    return buffer.getvalue()


def libreoffice_odt() -> bytes:
    """An .odt with the leftovers of a LibreOffice save: empty and odd unread parts."""
    return edited(
        b.odt_bytes("Assemblée générale", b.PARAGRAPHS),
        {
            "Configurations2/accelerator/current.xml": b"",
            "Configurations2/toolbar/": b"",
            "settings.xml": b"",
            "styles.xml": b"<office:document-styles",  # truncated: not read
            "Thumbnails/thumbnail.png": b"\x89PNG not really",
        },
    )


def test_a_libreoffice_odt_with_empty_parts_is_read(tmp_path: Path) -> None:
    raw = read_file(b.write(tmp_path / "ag.odt", libreoffice_odt()))
    assert [x.text for x in raw.blocks if x.kind == "paragraph"] == b.PARAGRAPHS
    assert raw.blocks[0].kind == "heading" and raw.metadata["title"] == "Assemblée générale"


def test_an_odt_without_meta_keeps_its_heading_as_title(tmp_path: Path) -> None:
    data = edited(b.odt_bytes("Compte rendu", b.PARAGRAPHS), {"meta.xml": b""})
    raw = read_file(b.write(tmp_path / "cr.odt", data))
    assert raw.metadata["title"] == "Compte rendu"


def word_docx() -> bytes:
    """A .docx whose unread parts are empty or broken (settings, fonts, custom XML)."""
    return edited(
        b.docx_bytes("Entretien", b.PARAGRAPHS),
        {
            "word/settings.xml": b"",
            "word/fontTable.xml": b"<w:fonts",
            "customXml/item1.xml": b"",
            "docProps/app.xml": b"",
        },
    )


def test_a_docx_with_empty_parts_is_read(tmp_path: Path) -> None:
    raw = read_file(b.write(tmp_path / "entretien.docx", word_docx()))
    paragraphs = [x.text for x in raw.blocks if x.kind == "paragraph"]
    assert paragraphs[:3] == b.PARAGRAPHS
    assert ("heading", 1) in [(x.kind, x.level) for x in raw.blocks]  # styles still read
    assert ("heading", 2) in [(x.kind, x.level) for x in raw.blocks]
    assert raw.metadata["title"] == "Entretien"  # core properties still read


def test_both_are_ingested_not_rejected(tmp_path: Path) -> None:
    root = b.make_corpus(tmp_path / "c")
    b.write(root / "raw" / "ag.odt", libreoffice_odt())
    b.write(root / "raw" / "entretien.docx", word_docx())
    report = corpus.open(root).ingest()
    assert report.rejected == [] and report.n_documents == 2


@pytest.mark.parametrize(
    ("name", "build", "error", "code"),
    [
        (
            "bomb-meta.odt",
            lambda: edited(b.odt_bytes("T", b.PARAGRAPHS), {"meta.xml": b.BILLION_LAUGHS}),
            errors.XmlBombError,
            "E-INGEST-XML-BOMB",
        ),
        (
            "bomb-styles.docx",
            lambda: edited(b.docx_bytes("T", b.PARAGRAPHS), {"word/styles.xml": b.BILLION_LAUGHS}),
            errors.XmlBombError,
            "E-INGEST-XML-BOMB",
        ),
        (
            "no-content.odt",
            lambda: edited(b.odt_bytes("T", b.PARAGRAPHS), {"content.xml": None}),
            errors.CorruptDocumentError,
            "E-INGEST-CORRUPT",
        ),
        (
            "empty-document.docx",
            lambda: edited(b.docx_bytes("T", b.PARAGRAPHS), {"word/document.xml": b""}),
            errors.CorruptDocumentError,
            "E-INGEST-CORRUPT",
        ),
        (
            "bomb.odt",
            lambda: edited(b.odt_bytes("T", b.PARAGRAPHS), {"content.xml": b.BILLION_LAUGHS}),
            errors.XmlBombError,
            "E-INGEST-XML-BOMB",
        ),
    ],
)
def test_parts_we_read_are_still_checked(
    tmp_path: Path, name: str, build: object, error: type[Exception], code: str
) -> None:
    assert callable(build)
    with pytest.raises(error) as info:
        read_file(b.write(tmp_path / name, build()))
    assert getattr(info.value, "code", None) == code and name in str(info.value)
