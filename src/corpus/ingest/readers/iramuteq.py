"""IRaMuTeQ corpora: texts introduced by star lines (``**** *annee_2012 *genre_rapport``).

Each text becomes one document; its star variables become metadata (``annee`` -> year,
``genre``, ``auteur``/``author``, ``region``, ``organisation``, ``titre``/``title``; the
others go to ``extra``).

What IRaMuTeQ opens, this reader opens, as IRaMuTeQ reads it: a text starts at every line
that begins with ``****``; lines before the first one are ignored; thematic lines
(``-*theme``) end a paragraph and are dropped; forms joined by underscores
(``économie_sociale``, ``_comme_ceci_``) are read as their words. Headers as people really
write them are read too, each oddity with one warning naming the line and what was
assumed (never a rejection):

* a variable without a value (``*date_``): no value;
* a hyphen where IRaMuTeQ expects an underscore (``*date-1970``): ``date`` = ``1970``;
* a space inside a modality (``*type_article scientifique``): the words are one value;
* a line of star words right after the header (``*Lecture_et_télévision``): a title
  (one word) or more variables (several);
* a word without a star on the header line, or a text with no words under its header.

Line ends may be LF, CRLF, CR or a mix; the file may start with a byte-order mark and
blank lines and end without a newline.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from corpus.ingest.errors import EmptyFileError
from corpus.ingest.readers.base import RawDocument
from corpus.ingest.readers.text import text_blocks

logger = logging.getLogger(__name__)

_HEADER = "****"
#: A header line: ``****`` alone or followed by white space (not a row of stars drawn as
#: a separator in a plain text).
_HEADER_LINE = re.compile(r"\*{4}(?:\s|$)")
_LINE_END = re.compile(r"\r\n|\r|\n")
_NAME_VALUE = re.compile(r"^([^\W_]\w*?)_(.*)$")
_NAME_HYPHEN_VALUE = re.compile(r"^([^\W\d_][^\W_]*)-(.+)$")
#: Underscores that join the words of one form (``économie_sociale``) and those that
#: wrap it (``_comme_ceci_``); a run of underscores alone (a blank to fill) stays.
_INNER_UNDERSCORES = re.compile(r"(?<=[^\W_])_+(?=[^\W_])")
_EDGE_UNDERSCORES = re.compile(r"(?<![^\W_])_+(?=[^\W_])|(?<=[^\W_])_+(?![^\W_])")
_ALIASES = {
    "annee": "year",
    "année": "year",
    "an": "year",
    "titre": "title",
    "auteur": "author",
    "organisme": "organisation",
    "organization": "organisation",
}
#: Variables whose hyphens and underscores stand for spaces (a name, a title).
_PROSE_FIELDS = frozenset({"title", "author"})


def is_iramuteq(text: str) -> bool:
    """Whether ``text`` starts (after a byte-order mark and blank lines) with ``****``."""
    return bool(_HEADER_LINE.match(text.lstrip("\ufeff \t\r\n")))


@dataclass
class _Text:
    """One text of the corpus as it is read."""

    line: int
    metadata: dict[str, object]
    lines: list[str] = field(default_factory=list)


def _warn(path: Path, line: int, message: str) -> None:
    logger.warning("%s, line %d: %s", path, line, message)


def _set(metadata: dict[str, object], name: str, value: str) -> None:
    key = _ALIASES.get(name.lower(), name.lower())
    metadata[key] = value.replace("-", " ").replace("_", " ") if key in _PROSE_FIELDS else value


def _variable(token: str, path: Path, line: int) -> tuple[str, str | None] | None:
    """``(name, value)`` of one star word (``value`` ``None``: no value), or ``None``."""
    word = token.lstrip("*")
    if not word:
        _warn(path, line, f"a lone {token!r} on the header; ignored")
        return None
    match = _NAME_VALUE.match(word)
    if match:
        name, value = match.groups()
        if not value:
            _warn(path, line, f"star variable {token!r} has no value; assumed none")
            return name, None
        return name, value
    match = _NAME_HYPHEN_VALUE.match(word)
    if match:
        name, value = match.groups()
        _warn(
            path,
            line,
            f"star variable {token!r} has a hyphen where IRaMuTeQ expects an underscore; "
            f"read as {name} = {value!r}",
        )
        return name, value
    _warn(path, line, f"star word {token!r} has no '_value'; read as {word} = ''")
    return word, ""


def _header(words: list[str], path: Path, line: int, metadata: dict[str, object]) -> None:
    """Read the star words of a header line into ``metadata``."""
    last: str | None = None
    for token in words:
        if token.startswith("*"):
            found = _variable(token, path, line)
            last = None
            if found is not None:
                name, value = found
                if value is not None:
                    _set(metadata, name, value)
                    last = name
            continue
        if last is not None:  # a space inside a modality: IRaMuTeQ splits it off
            key = _ALIASES.get(last.lower(), last.lower())
            value = f"{metadata[key]} {token}"
            _warn(
                path,
                line,
                f"a space inside the modality of *{last}; read as {last} = {value!r}",
            )
            metadata[key] = value
        else:
            _warn(path, line, f"word {token!r} of the header has no star; ignored")


def _starred_line(words: list[str], path: Path, line: int, metadata: dict[str, object]) -> None:
    """A line of star words right after the header: a title, or more variables."""
    if len(words) == 1 and "title" not in metadata:
        title = words[0].lstrip("*").replace("_", " ").strip()
        _warn(path, line, f"a starred line after the **** header; read as the title {title!r}")
        metadata["title"] = title
        return
    _warn(path, line, "a starred line after the **** header; read as more star variables")
    _header(words, path, line, metadata)


def _body(lines: list[str]) -> str:
    return _EDGE_UNDERSCORES.sub("", _INNER_UNDERSCORES.sub(" ", "\n".join(lines)))


def _all_starred(words: list[str]) -> bool:
    return bool(words) and all(w.startswith("*") and w.strip("*") for w in words)


def read_iramuteq(text: str, path: Path) -> RawDocument:
    """Split an IRaMuTeQ corpus into one :class:`RawDocument` per text.

    Args:
        text: The decoded file.
        path: The file, for messages.

    Raises:
        EmptyFileError: No text of the corpus holds a word.
    """
    texts: list[_Text] = []
    ignored: list[int] = []
    for number, raw_line in enumerate(_LINE_END.split(text.lstrip("\ufeff")), start=1):
        line = raw_line.strip()
        if _HEADER_LINE.match(line):
            texts.append(_Text(number, {"iramuteq_text": len(texts) + 1}))
            _header(line[len(_HEADER) :].split(), path, number, texts[-1].metadata)
            continue
        if not texts:
            if line:
                ignored.append(number)
            continue
        current = texts[-1]
        if line.startswith("-*"):
            current.lines.append("")  # a thematic line ends a paragraph; it is not text
        elif _all_starred(line.split()) and not any(x.strip() for x in current.lines):
            _starred_line(line.split(), path, number, current.metadata)
        else:
            current.lines.append(line)
    if ignored:
        _warn(path, ignored[0], f"{len(ignored)} line(s) before the first **** line; ignored")
    parts: list[RawDocument] = []
    for current in texts:
        blocks = text_blocks(_body(current.lines))
        if blocks:
            parts.append(RawDocument(blocks, current.metadata, "iramuteq"))
        else:
            _warn(path, current.line, "no text under this **** line; skipped")
    if not parts:
        raise EmptyFileError(
            "the IRaMuTeQ corpus holds star lines but no text",
            path=path,
            hint="Put each text under its **** line.",
        )
    return RawDocument([], {}, "iramuteq", parts)
