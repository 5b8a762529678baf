"""Word reader (``.docx``) with python-docx; headings and paragraphs kept as structure.

python-docx is given only the parts we read (the main document, its styles and the core
properties), each checked with defusedxml first, in an archive checked for zip bombs
(:mod:`corpus.ingest.readers.office_parts`): an empty or odd part we do not read is not
an error.
"""

from __future__ import annotations

import io
from pathlib import Path

import docx

from corpus.ingest.errors import CorruptDocumentError
from corpus.ingest.readers.base import Block, RawDocument
from corpus.ingest.readers.office_parts import docx_package


def _heading_level(style_name: str) -> int:
    name = style_name.lower()
    if name == "title":
        return 1
    if name.startswith("heading") or name.startswith("titre"):
        digits = "".join(ch for ch in name if ch.isdigit())
        return int(digits) if digits else 1
    return 0


def read_docx(data: bytes, path: Path) -> RawDocument:
    """Read a .docx file's paragraphs, headings and table cells."""
    package = docx_package(data, path)
    try:
        document = docx.Document(io.BytesIO(package))
    except Exception as exc:  # python-docx raises KeyError, ValueError, PackageNotFound...
        raise CorruptDocumentError(
            f"python-docx cannot open it ({type(exc).__name__}: {exc})",
            path=path,
            hint="Open and re-save it in a word processor.",
        ) from exc
    # paragraph.style resolves defaults through the whole style sheet on every call
    # (slow); map style ids to names once instead.
    names = {style.style_id: style.name or "" for style in document.styles}
    blocks: list[Block] = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style_id = paragraph._p.style
        level = _heading_level(names.get(style_id, style_id or "") if style_id else "")
        blocks.append(Block(text, "heading" if level else "paragraph", level))
    for table in document.tables:
        for row in table.rows:
            cells = [cell.text.strip() for cell in row.cells if cell.text.strip()]
            if cells:
                blocks.append(Block(" | ".join(dict.fromkeys(cells))))
    core = document.core_properties
    metadata: dict[str, object] = {}
    if core.title:
        metadata["title"] = core.title
    if core.author:
        metadata["author"] = core.author
    if "title" not in metadata:
        heading = next((b.text for b in blocks if b.kind == "heading"), None)
        if heading:
            metadata["title"] = heading
    return RawDocument(blocks, metadata, "docx")
