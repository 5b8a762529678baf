"""Plain text and Markdown reader (``.txt``, ``.md``).

* Encoding detection and mojibake repair: :mod:`corpus.ingest.readers.decoding`.
* YAML front matter (``---`` ... ``---`` at the top) becomes metadata.
* Paragraphs are separated by blank lines and their hard-wrapped lines are joined with a
  space (list items stay separate). A file without blank lines, or whose lines are not
  hard-wrapped (more than a tenth of them longer than 100 characters: a web copy with
  one paragraph per line), has one paragraph per line.
* Markdown headings (``# Title``) become heading blocks; the first one is the title.
* A ``.txt`` file whose first line is an IRaMuTeQ star line (``**** *var_value``) is read
  by :mod:`corpus.ingest.readers.iramuteq`.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import yaml

from corpus.ingest.readers.base import Block, RawDocument
from corpus.ingest.readers.decoding import decode_bytes

logger = logging.getLogger(__name__)

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•–·]|\d{1,3}[.)])\s+")
_BLANK_SPLIT = re.compile(r"\n[ \t]*\n+")
_WRAP_WIDTH = 100  # a file whose lines are almost all this short is hard-wrapped
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def split_front_matter(text: str, path: str | Path) -> tuple[dict[str, Any], str]:
    """Split YAML front matter from the body; invalid front matter stays in the text."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        logger.warning("%s: front matter is not valid YAML (%s); kept as text", path, exc)
        return {}, text
    if not isinstance(data, dict):
        return {}, text
    return {str(k).lower(): v for k, v in data.items()}, text[match.end() :]


def text_blocks(body: str, *, markdown: bool = False) -> list[Block]:
    """Cut a body of text into heading and paragraph blocks."""
    chunks = _BLANK_SPLIT.split(body.strip("\n"))
    lines = [line for line in body.split("\n") if line.strip()]
    hard_wrapped = sum(len(line) <= _WRAP_WIDTH for line in lines) >= 0.9 * len(lines)
    if (len(chunks) == 1 and body.count("\n") >= 2) or not hard_wrapped:
        chunks = body.strip("\n").split("\n")
    blocks: list[Block] = []
    for chunk in chunks:
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        paragraph: list[str] = []
        for line in lines:
            heading = _HEADING.match(line) if markdown else None
            if heading or _LIST_ITEM.match(line):
                if paragraph:
                    blocks.append(Block(" ".join(paragraph)))
                    paragraph = []
                if heading:
                    blocks.append(Block(heading.group(2), "heading", len(heading.group(1))))
                else:
                    blocks.append(Block(line))
            else:
                paragraph.append(line)
        if paragraph:
            blocks.append(Block(" ".join(paragraph)))
    if markdown:
        for block in blocks:
            block.text = _MD_LINK.sub(r"\1", _MD_EMPHASIS.sub(r"\2", block.text))
    return blocks


def read_text(data: bytes, path: Path) -> RawDocument:
    """Read a ``.txt`` or ``.md`` file (or an IRaMuTeQ corpus saved as ``.txt``)."""
    text, encoding = decode_bytes(data, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # CRLF, CR-only or a mix
    suffix = path.suffix.lower()
    if suffix == ".txt":
        from corpus.ingest.readers.iramuteq import is_iramuteq, read_iramuteq

        if is_iramuteq(text):
            return read_iramuteq(text, path)
    metadata, body = split_front_matter(text, path)
    markdown = suffix in (".md", ".markdown")
    blocks = text_blocks(body, markdown=markdown)
    metadata.setdefault("encoding", encoding)
    if "title" not in metadata:
        heading = next((b.text for b in blocks if b.kind == "heading"), None)
        if heading:
            metadata["title"] = heading
    return RawDocument(blocks, metadata, "md" if markdown else "txt")
