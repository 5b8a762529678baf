"""Readers, one small module per format, registered by file suffix.

:func:`read_file` dispatches on the suffix. To add a format, write a function
``read_x(data: bytes, path: Path) -> RawDocument`` and :func:`register` it.
"""

from __future__ import annotations

import importlib
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


def _lazy(module: str, name: str) -> Reader:
    """A reader that imports ``module`` on its first call (trafilatura, pypdf, python-docx
    and odfpy take seconds to import: an unchanged corpus reads no file and needs none)."""

    def read(data: bytes, path: Path) -> RawDocument:
        reader: Reader = getattr(importlib.import_module(module), name)
        return reader(data, path)

    read.__name__ = read.__qualname__ = name
    read.__doc__ = f"``{module}.{name}``, imported on first use."
    return read


def _register_builtin() -> None:
    read_text = _lazy("corpus.ingest.readers.text", "read_text")
    for suffix in (".txt", ".md", ".markdown"):
        register(suffix, read_text)
    read_html = _lazy("corpus.ingest.readers.html", "read_html")
    for suffix in (".html", ".htm"):
        register(suffix, read_html)
    register(".pdf", _lazy("corpus.ingest.readers.pdf", "read_pdf"))
    register(".docx", _lazy("corpus.ingest.readers.docx", "read_docx"))
    register(".odt", _lazy("corpus.ingest.readers.odt", "read_odt"))


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
