"""Write a corpus as an IRaMuTeQ corpus: one star line per text, metadata as variables.

Each document becomes::

    **** *genre_report *year_2009 *region_Centre-du-Québec
    <its clean text>

Variable names are the metadata fields without ``_``, spaces or ``*`` (IRaMuTeQ splits a
variable at its first ``_``). Values are made valid: white space becomes ``-``, ``*`` is
dropped, accents are kept. A text line that IRaMuTeQ would read as a star line
(``****``) or a theme line (``-*...``) gets its first ``*`` written as ``＊`` (U+FF0A).
The file is UTF-8 with LF line ends; :mod:`corpus.ingest.readers.iramuteq` reads it back.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pandas as pd

from corpus.exchange.positions import normalise_newlines
from corpus.exchange.qdpx_export import document_variables
from corpus.store import atomic_write_text

logger = logging.getLogger(__name__)

_STAR_LIKE = re.compile(r"^(\s*)(\*{4}|-\*)", re.M)


def variable_name(name: str) -> str:
    """An IRaMuTeQ variable name: no ``_``, white space or ``*``; lower case."""
    return re.sub(r"[\s_*]+", "", name).lower()


def variable_value(value: Any) -> str:
    """An IRaMuTeQ variable value: white space runs become ``-``, ``*`` is dropped."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("*", "")
    return re.sub(r"\s+", "-", text.strip())


def _protect(text: str) -> str:
    def swap(match: re.Match[str]) -> str:
        return match.group(1) + match.group(2).replace("*", "\uff0a", 1)

    protected = _STAR_LIKE.sub(swap, text)
    if protected != text:
        logger.info("a text line looked like an IRaMuTeQ star or theme line; its * became ＊")
    return protected


def star_line(values: dict[str, Any]) -> str:
    """The ``****`` line of one text from its metadata (empty values left out)."""
    parts = ["****"]
    for name, value in values.items():
        key, cleaned = variable_name(name), variable_value(value)
        if key and cleaned:
            parts.append(f"*{key}_{cleaned}")
    return " ".join(parts)


def iramuteq_text(documents: pd.DataFrame) -> str:
    """The IRaMuTeQ corpus of ``documents`` (``text`` and metadata columns)."""
    _, values = document_variables(documents)
    blocks: list[str] = []
    for own, text in zip(values, documents["text"].astype(str), strict=True):
        body = _protect(normalise_newlines(text).strip("\n"))
        blocks.append(f"{star_line(own)}\n{body}\n")
    return "\n".join(blocks)


def write_iramuteq(out: str | Path, documents: pd.DataFrame) -> Path:
    """Write the IRaMuTeQ corpus of ``documents`` to ``out`` atomically."""
    path = Path(out)
    atomic_write_text(path, iramuteq_text(documents))
    return path
