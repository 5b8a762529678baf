"""Character positions as each QDA program counts them, converted to code points.

REFI-QDA positions are 0-based, end exclusive. The standard, QualCoder, ATLAS.ti and
MAXQDA count Unicode code points. NVivo counts UTF-16 code units (a character outside
the Basic Multilingual Plane, such as an emoji, counts 2); its Windows text files start
with a byte-order mark that is not counted and end lines with CRLF, which count 2.

:class:`PositionMap` takes a source's text as the file holds it (byte-order mark
removed, line ends untouched) and turns the producer's positions into code-point
positions in the text with LF line ends, which is what the importer writes to ``raw/``.
"""

from __future__ import annotations

import bisect
import codecs
import re
import unicodedata
from dataclasses import dataclass

#: How a producer counts positions: UTF-16 code units or Unicode code points.
UTF16 = "utf16"
CODEPOINTS = "codepoints"

_PRODUCERS = (
    ("nvivo", re.compile(r"nvivo", re.I)),
    ("atlasti", re.compile(r"atlas", re.I)),
    ("maxqda", re.compile(r"maxqda", re.I)),
    ("qualcoder", re.compile(r"qualcoder", re.I)),
    ("corpus", re.compile(r"^corpus\b", re.I)),
)


def producer_of(origin: str | None) -> str:
    """The program that wrote a project, from its ``origin`` attribute.

    Returns:
        ``nvivo``, ``atlasti``, ``maxqda``, ``qualcoder``, ``corpus`` or ``unknown``.
    """
    for name, pattern in _PRODUCERS:
        if origin and pattern.search(origin):
            return name
    return "unknown"


def unit_of(producer: str) -> str:
    """How ``producer`` counts positions (:data:`UTF16` for NVivo, else code points)."""
    return UTF16 if producer == "nvivo" else CODEPOINTS


def decode_source(data: bytes) -> str:
    """Decode a text source's bytes; a byte-order mark is removed, line ends are kept.

    UTF-8 (with or without a byte-order mark) and UTF-16 with a byte-order mark are
    read as such; other bytes are read as UTF-8 and, failing that, as Windows-1252.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def normalise_newlines(text: str) -> str:
    """``text`` with CRLF and lone CR turned into LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class PositionMap:
    """Producer positions in a source's text -> code points in its LF-normalised text.

    Args:
        text: The source text as stored (no byte-order mark; CRLF kept if present).
        unit: :data:`UTF16` or :data:`CODEPOINTS`.

    Attributes:
        text: The LF-normalised text the converted positions point into.
        length: The source's length in the producer's unit.
    """

    def __init__(self, text: str, *, unit: str) -> None:
        self.unit = unit
        # Code-point indices of characters that take two UTF-16 units.
        self._astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF] if unit == UTF16 else []
        # Code-point indices of the CR of each CRLF (dropped by normalisation).
        self._dropped = [m.start() for m in re.finditer("\r\n", text)]
        self.text = normalise_newlines(text)
        self._raw_length = len(text)
        self.length = len(text) + len(self._astral)

    def _codepoint(self, position: int) -> int | None:
        if not self._astral:
            return position
        # The k-th astral character starts at unit index astral[k] + k.
        lo, hi = 0, len(self._astral)
        while lo < hi:  # count the astral characters that start before ``position``
            mid = (lo + hi) // 2
            if self._astral[mid] + mid < position:
                lo = mid + 1
            else:
                hi = mid
        if lo and self._astral[lo - 1] + (lo - 1) + 1 == position:
            return None  # between the two halves of a surrogate pair
        return position - lo

    def convert(self, position: int) -> int | None:
        """The code-point position in :attr:`text`, or ``None`` if it is not a boundary.

        A position outside ``0..length`` or inside a surrogate pair has no code-point
        equivalent.
        """
        if position < 0 or position > self.length:
            return None
        point = self._codepoint(position)
        if point is None or point > self._raw_length:
            return None
        return point - bisect.bisect_right(self._dropped, point - 1)


def comparable(text: str) -> str:
    """``text`` for comparing a selection with its ``name``: NFC, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def lands_on(selected: str, name: str) -> bool:
    """Whether ``selected`` (the text at a selection's positions) is its ``name``.

    Programs shorten long names; a name ending in an ellipsis, or a shorter name that
    the selected text starts with, still matches.
    """
    got, want = comparable(selected), comparable(name)
    if not want:
        return True
    if got == want:
        return True
    stem = want.rstrip(".…").rstrip()
    return len(stem) >= 10 and got.startswith(stem)


@dataclass(frozen=True)
class Placement:
    """Where a selection lands once converted.

    Attributes:
        start: Code-point start in the LF-normalised text, or ``None`` if it has none.
        end: Code-point end (exclusive), or ``None``.
        unit: The unit the positions were read in.
        problem: Why the selection could not be placed, or ``""``.
    """

    start: int | None
    end: int | None
    unit: str
    problem: str = ""


def place(
    positions: PositionMap, start: int, end: int, name: str | None, *, other: PositionMap | None
) -> Placement:
    """Convert one selection and check it against its ``name``.

    Args:
        positions: The map in the producer's unit.
        start: The selection's ``startPosition``.
        end: Its ``endPosition``.
        name: Its ``name`` attribute (the selected text, for most programs), if any.
        other: The map in the other unit, tried when the first does not land on
            ``name`` (a program that counts differently from what its origin says).

    Returns:
        The placement; ``problem`` says why it failed.
    """
    if start > end:
        return Placement(None, None, positions.unit, f"start {start} is after end {end}")
    if start < 0 or end > positions.length:
        return Placement(
            None,
            None,
            positions.unit,
            f"positions {start}-{end} are outside the text (length {positions.length})",
        )
    first = _convert(positions, start, end)
    if first is None:
        return Placement(None, None, positions.unit, f"positions {start}-{end} split a character")
    if name is None or lands_on(positions.text[first[0] : first[1]], name):
        return Placement(first[0], first[1], positions.unit)
    if other is not None and end <= other.length:
        second = _convert(other, start, end)
        if second is not None and lands_on(other.text[second[0] : second[1]], name):
            return Placement(second[0], second[1], other.unit)
    found = positions.text[first[0] : first[1]]
    return Placement(
        None,
        None,
        positions.unit,
        f"positions {start}-{end} give {_short(found)!r}, not its name {_short(name)!r}",
    )


def _convert(positions: PositionMap, start: int, end: int) -> tuple[int, int] | None:
    a, b = positions.convert(start), positions.convert(end)
    return None if a is None or b is None else (a, b)


def _short(text: str, limit: int = 60) -> str:
    text = comparable(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
