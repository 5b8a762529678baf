"""PDF reader: the text layer of each page with pypdf (no OCR).

* Running headers and footers: lines that recur, with digits masked (``page n°3/78`` ==
  ``page n°7/78``), on at least half of the pages (and on at least two), mostly among
  the first or last :data:`_EDGE` lines of a page, are dropped wherever they sit (a
  footer drawn before the body comes out at the top of the page's text, or in its
  middle), as are lines holding only a page number.
* End-of-line hyphenation (``inno-`` / ``vation``) is undone when a lower-case letter
  follows; lines of one paragraph are joined with a space. A line ending a sentence
  followed by a capitalised line, or a short line without final punctuation (a
  heading), ends a paragraph.
* Encrypted (password), truncated/corrupt and text-less (scanned) PDFs raise specific
  errors. A PDF encrypted with an empty user password (permissions only) is read.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from pathlib import Path

import pypdf
from pypdf.errors import PdfReadError

from corpus.ingest.errors import PdfCorruptError, PdfEncryptedError, PdfNoTextError
from corpus.ingest.readers.base import Block, RawDocument

logger = logging.getLogger(__name__)

_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"^\W*(?:page|p\.)?\s*\d+\s*(?:(?:/|sur|of)\s*\d+)?\W*$", re.I)
_HYPHEN = re.compile(r"(\w)-\n(?=[a-zàâäçéèêëîïôöùûüÿœæ])")
_SENTENCE_END = re.compile(r"[.!?:;»\"”…)]$")
#: Lines at the top and at the bottom of a page's text where running lines are looked for.
_EDGE = 8


def _corrupt(path: Path, exc: Exception) -> PdfCorruptError:
    return PdfCorruptError(
        f"the PDF is truncated or corrupt ({type(exc).__name__}: {exc})",
        path=path,
        hint="Download or export it again.",
    )


def _page_lines(reader: pypdf.PdfReader, path: Path) -> list[list[str]]:
    pages: list[list[str]] = []
    for page in reader.pages:
        try:
            text = page.extract_text() or ""
        except Exception as exc:  # pypdf raises many types on broken content streams
            raise _corrupt(path, exc) from exc
        text = _HYPHEN.sub(r"\1", text)
        pages.append([line.strip() for line in text.split("\n")])
    return pages


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Running headers and footers, digits masked: see the module docstring."""
    if len(pages) < 2:
        return set()
    on_pages: Counter[str] = Counter()
    at_edge: Counter[str] = Counter()
    for lines in pages:
        masked = [_DIGITS.sub("#", line) for line in lines if line]
        on_pages.update(set(masked))
        at_edge.update(set(masked[:_EDGE] + masked[-_EDGE:]))
    needed = max(2, (len(pages) + 1) // 2)
    return {
        line for line, count in on_pages.items() if count >= needed and 2 * at_edge[line] >= count
    }


_FUNCTION_WORD_END = re.compile(
    r"\b(?:le|la|les|de|des|du|d’|et|à|au|aux|en|pour|sur|dans|of|the|and)$"
)


def _starts_upper(line: str) -> bool:
    return bool(line) and (line[0].isupper() or line[0].isdigit() or line[0] in '«“"')


def _blocks(lines: list[str]) -> list[Block]:
    lengths = sorted(len(line) for line in lines if line)
    typical = lengths[len(lengths) // 2] if lengths else 80
    blocks: list[Block] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            blocks.append(Block(" ".join(current)))
            current.clear()

    for number, line in enumerate(lines):
        if not line:
            flush()
            continue
        following = next((x for x in lines[number + 1 :] if x), "")
        short = len(line) < 0.6 * typical
        if (
            short
            and not _SENTENCE_END.search(line)
            and _starts_upper(line)
            and (_starts_upper(following) or not following)
        ):
            flush()
            previous = blocks[-1] if blocks else None
            if (
                previous is not None
                and previous.kind == "heading"
                and _FUNCTION_WORD_END.search(previous.text)
            ):
                previous.text = f"{previous.text} {line}"
            else:
                blocks.append(Block(line, "heading", 1))
            continue
        current.append(line)
        if (_SENTENCE_END.search(line) and (_starts_upper(following) or not following)) or (
            short and _starts_upper(following)
        ):
            flush()
    flush()
    return blocks


def read_pdf(data: bytes, path: Path) -> RawDocument:
    """Read a PDF's text layer."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError) as exc:
        raise _corrupt(path, exc) from exc
    if encrypted:
        try:
            opened = bool(reader.decrypt(""))
        except Exception:  # unsupported algorithm, missing crypto library
            opened = False
        if not opened:
            raise PdfEncryptedError(
                "the PDF is protected by a password",
                path=path,
                hint="Save an unprotected copy (print to PDF) and ingest that.",
            )
    try:
        pages = _page_lines(reader, path)
        info = reader.metadata
    except PdfCorruptError:
        raise
    except Exception as exc:
        raise _corrupt(path, exc) from exc
    if not any(line for lines in pages for line in lines):
        raise PdfNoTextError(
            f"the PDF has {len(pages)} page(s) but no text layer (a scan?); no OCR is done",
            path=path,
            hint="Run OCR on it (e.g. ocrmypdf) and ingest the result.",
        )
    running = _running_lines(pages)
    kept: list[str] = []
    for lines in pages:
        page_lines = [
            line
            for line in lines
            if not (line and _DIGITS.sub("#", line) in running)
            and not (line and _PAGE_NUMBER.match(line))
        ]
        while page_lines and not page_lines[-1]:
            page_lines.pop()
        while page_lines and not page_lines[0]:
            page_lines.pop(0)
        kept.extend(page_lines)
    text = "\n".join(kept)
    text = _HYPHEN.sub(r"\1", text)  # hyphenation across a page break
    metadata: dict[str, object] = {"pages": len(pages)}
    if info is not None:
        if info.title:
            metadata["title"] = str(info.title)
        if info.author:
            metadata["author"] = str(info.author)
    blocks = _blocks(text.split("\n"))
    if "title" not in metadata:
        heading = next((b.text for b in blocks if b.kind == "heading"), None)
        if heading:
            metadata["title"] = heading
    return RawDocument(blocks, metadata, "pdf")
