"""IRaMuTeQ corpora: texts introduced by star lines (``**** *annee_2012 *genre_rapport``).

Each text becomes one document; its star variables become metadata (``annee`` -> year,
``genre``, ``auteur``/``author``, ``region``, ``organisation``, ``titre``/``title``; the
others go to ``extra``). Thematic lines (``-*theme``) are dropped.
"""

from __future__ import annotations

import re
from pathlib import Path

from corpus.ingest.errors import EmptyFileError
from corpus.ingest.readers.base import RawDocument
from corpus.ingest.readers.text import text_blocks

_STAR_LINE = re.compile(r"^\*{4}(?:[ \t]+\*\S+)*[ \t]*$", re.M)
_VARIABLE = re.compile(r"\*([^\s_*]+)(?:_(\S*))?")
_THEME_LINE = re.compile(r"^-\*\S+[ \t]*$", re.M)
_ALIASES = {
    "annee": "year",
    "année": "year",
    "an": "year",
    "titre": "title",
    "auteur": "author",
    "organisme": "organisation",
    "organization": "organisation",
}


def is_iramuteq(text: str) -> bool:
    """Whether ``text`` starts (after blank lines) with an IRaMuTeQ star line."""
    first = text.lstrip("\ufeff \t\r\n").split("\n", 1)[0].rstrip()
    return bool(_STAR_LINE.match(first))


def read_iramuteq(text: str, path: Path) -> RawDocument:
    """Split an IRaMuTeQ corpus into one :class:`RawDocument` per text."""
    starts = list(_STAR_LINE.finditer(text))
    parts: list[RawDocument] = []
    for number, match in enumerate(starts):
        end = starts[number + 1].start() if number + 1 < len(starts) else len(text)
        body = _THEME_LINE.sub("", text[match.end() : end])
        metadata: dict[str, object] = {"iramuteq_text": number + 1}
        for var in _VARIABLE.finditer(match.group(0)):
            name = var.group(1).lower()
            value = var.group(2) or ""
            metadata[_ALIASES.get(name, name)] = (
                value.replace("-", " ")
                if name
                in (
                    "titre",
                    "title",
                    "auteur",
                    "author",
                )
                else value
            )
        blocks = text_blocks(body)
        if blocks:
            parts.append(RawDocument(blocks, metadata, "iramuteq"))
    if not parts:
        raise EmptyFileError(
            "the IRaMuTeQ corpus holds star lines but no text",
            path=path,
            hint="Put each text under its **** line.",
        )
    return RawDocument([], {}, "iramuteq", parts)
