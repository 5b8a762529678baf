"""Passages: paragraphs of the clean text, long ones split at sentence boundaries.

A passage is a paragraph (a block between blank lines). A paragraph longer than
``max_words`` (default 200) is cut into runs of whole sentences of at most
``max_words`` words; a sentence longer than that on its own (a text without
punctuation) is cut at word boundaries. Offsets are exact:
``text == doc_text[start:end]``.

The sentence splitter is a regular expression aware of French abbreviations (M., Mme,
p., art., etc.) and initials; spaCy is not needed here, which keeps ingestion fast.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_WORDS = 200

_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\n)[^\n]+)*")
_BOUNDARY = re.compile(r"[.!?…]+[»”\"')\]]*\s+(?=[«“\"(\[]?\s*[A-ZÀ-ÖØ-Þ0-9])")
_WORD = re.compile(r"\S+")
_ABBREVIATIONS = frozenset(
    [
        "m",
        "mm",
        "mme",
        "mmes",
        "mlle",
        "mlles",
        "dr",
        "pr",
        "me",
        "st",
        "ste",
        "p",
        "pp",
        "art",
        "al",
        "cf",
        "etc",
        "ex",
        "env",
        "vol",
        "no",
        "n°",
        "éd",
        "ed",
        "coll",
        "chap",
        "fig",
        "av",
        "apr",
        "j.-c",
        "ibid",
        "op",
        "cit",
        "dir",
        "trad",
        "sq",
        "ss",
        "tél",
        "fax",
        "réf",
        "min",
        "max",
        "nb",
        "av",
        "bd",
        "boul",
        "ch",
        "av.",
        "inc",
        "ltd",
        "co",
        "jr",
        "sr",
        "mr",
        "mrs",
        "ms",
        "vs",
    ]
)


@dataclass(frozen=True)
class Span:
    """A passage's place in the document text."""

    start: int
    end: int


def _sentences(text: str, offset: int) -> Iterator[tuple[int, int]]:
    start = 0
    for match in _BOUNDARY.finditer(text):
        before = text[start : match.start()].rsplit(None, 1)
        last = before[-1].lower() if before else ""
        if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue
        end = match.start() + len(match.group(0).rstrip())
        yield offset + start, offset + end
        start = match.end()
    if start < len(text):
        yield offset + start, offset + len(text.rstrip())


def _hard_split(doc: str, start: int, end: int, max_words: int) -> Iterator[tuple[int, int]]:
    words = list(_WORD.finditer(doc, start, end))
    for first in range(0, len(words), max_words):
        chunk = words[first : first + max_words]
        yield chunk[0].start(), chunk[-1].end()


def split_passages(text: str, *, max_words: int = MAX_WORDS) -> list[Span]:
    """Cut ``text`` into passages.

    Args:
        text: A document's clean text.
        max_words: Longest passage in words (before a sentence split).

    Returns:
        The passages' spans, in order, none empty.
    """
    spans: list[Span] = []
    for paragraph in _PARAGRAPH.finditer(text):
        p_start, p_end = paragraph.span()
        body = paragraph.group(0)
        if len(body.split()) <= max_words:
            spans.append(Span(p_start, p_end))
            continue
        run_start: int | None = None
        run_end = 0
        run_words = 0
        for s_start, s_end in _sentences(body, p_start):
            n_words = len(text[s_start:s_end].split())
            if n_words > max_words:
                if run_start is not None:
                    spans.append(Span(run_start, run_end))
                    run_start, run_words = None, 0
                spans.extend(Span(a, b) for a, b in _hard_split(text, s_start, s_end, max_words))
                continue
            if run_start is not None and run_words + n_words > max_words:
                spans.append(Span(run_start, run_end))
                run_start, run_words = None, 0
            if run_start is None:
                run_start = s_start
            run_end = s_end
            run_words += n_words
        if run_start is not None:
            spans.append(Span(run_start, run_end))
    return [span for span in spans if text[span.start : span.end].strip()]
