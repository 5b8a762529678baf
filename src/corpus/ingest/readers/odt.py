"""OpenDocument text reader (``.odt``) with odfpy; headings and paragraphs kept.

odfpy is given only the parts we read (``content.xml``, ``meta.xml``), each checked with
defusedxml first, in an archive checked for zip bombs
(:mod:`corpus.ingest.readers.office_parts`): an empty or odd part we do not read, such as
LibreOffice's zero-byte ``Configurations2/accelerator/current.xml``, is not an error.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from odf import teletype
from odf.namespaces import TEXTNS
from odf.opendocument import load

from corpus.ingest.errors import CorruptDocumentError
from corpus.ingest.readers.base import Block, RawDocument
from corpus.ingest.readers.office_parts import odt_package


def _walk(node: Any, blocks: list[Block]) -> None:
    for child in node.childNodes:
        qname = getattr(child, "qname", None)
        if qname == (TEXTNS, "h"):
            text = teletype.extractText(child).strip()
            if text:
                level = int(child.getAttribute("outlinelevel") or 1)
                blocks.append(Block(text, "heading", level))
        elif qname == (TEXTNS, "p"):
            text = teletype.extractText(child).strip()
            if text:
                blocks.append(Block(text))
        elif getattr(child, "childNodes", None):
            _walk(child, blocks)


def read_odt(data: bytes, path: Path) -> RawDocument:
    """Read an .odt file's headings and paragraphs (lists and tables included)."""
    package = odt_package(data, path)
    try:
        document = load(io.BytesIO(package))
    except Exception as exc:  # odfpy raises KeyError, SAX errors...
        raise CorruptDocumentError(
            f"odfpy cannot open it ({type(exc).__name__}: {exc})",
            path=path,
            hint="Open and re-save it in a word processor.",
        ) from exc
    blocks: list[Block] = []
    _walk(document.text, blocks)
    metadata: dict[str, object] = {}
    from odf import dc

    for element, key in ((dc.Title, "title"), (dc.Creator, "author")):
        found = document.meta.getElementsByType(element)
        if found:
            value = teletype.extractText(found[0]).strip()
            if value:
                metadata[key] = value
    if "title" not in metadata:
        heading = next((b.text for b in blocks if b.kind == "heading"), None)
        if heading:
            metadata["title"] = heading
    return RawDocument(blocks, metadata, "odt")
