"""Readers, one small module per format, registered by file suffix.

:func:`read_file` dispatches on the suffix. To add a format, write a function
``read_x(data: bytes, path: Path) -> RawDocument`` and :func:`register` it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from corpus.ingest.errors import UnsupportedFormatError
from corpus.ingest.readers.base import Block, RawDocument

Reader = Callable[[bytes, Path], RawDocument]

_REGISTRY: dict[str, Reader] = {}


def register(suffix: str, reader: Reader) -> None:
    """Register ``reader`` for files ending in ``suffix`` (``".txt"``)."""
    _REGISTRY[suffix.lower()] = reader


def supported_suffixes() -> list[str]:
    """The registered suffixes, sorted."""
    return sorted(_REGISTRY)


def get_reader(path: str | Path) -> Reader:
    """The reader for ``path``'s suffix.

    Raises:
        UnsupportedFormatError: No reader is registered for the suffix.
    """
    suffix = Path(path).suffix.lower()
    reader = _REGISTRY.get(suffix)
    if reader is None:
        raise UnsupportedFormatError(
            f"unsupported extension {suffix or '(none)'!r}",
            path=path,
            hint=f"Convert it to one of {', '.join(supported_suffixes())} or remove it.",
        )
    return reader


def read_file(path: str | Path, data: bytes | None = None) -> RawDocument:
    """Read one file with the reader of its suffix.

    Args:
        path: The file.
        data: Its bytes, if already read (the pipeline reads each file once).

    Raises:
        IngestError: A subclass naming what is wrong with the file.
    """
    file = Path(path)
    reader = get_reader(file)
    if data is None:
        data = file.read_bytes()
    return reader(data, file)


def _register_builtin() -> None:
    from corpus.ingest.readers.docx import read_docx
    from corpus.ingest.readers.html import read_html
    from corpus.ingest.readers.odt import read_odt
    from corpus.ingest.readers.pdf import read_pdf
    from corpus.ingest.readers.text import read_text

    for suffix in (".txt", ".md", ".markdown"):
        register(suffix, read_text)
    for suffix in (".html", ".htm"):
        register(suffix, read_html)
    register(".pdf", read_pdf)
    register(".docx", read_docx)
    register(".odt", read_odt)


_register_builtin()

__all__ = [
    "Block",
    "RawDocument",
    "Reader",
    "get_reader",
    "read_file",
    "register",
    "supported_suffixes",
]
