"""Document metadata: identity, sidecar ``metadata.csv``, front matter, genre, year.

Precedence, field by field: ``metadata.csv`` row > front matter / IRaMuTeQ star
variables > what the reader found in the file (HTML ``<title>``, PDF info, DOCX core
properties) > heuristics.

``metadata.csv`` is keyed by file name: a column ``file`` (or ``path``/``filename``)
holds the file's path relative to ``raw/`` or its bare name. Known columns are
:data:`KNOWN_FIELDS`; any other column goes to ``extra`` (a JSON object).

Genre heuristic (when no metadata gives it), first match wins on the file name, the
title and the first 600 characters of the text (accents ignored):

* ``call``: "appel a projets", "appel a candidatures", "appel d'offres";
* ``declaration``: "declaration", "manifeste", "charte", "nous, signataires";
* ``academic``: "resume" + ("mots-cles" or "references"/"bibliographie"), "abstract";
* ``report``: "rapport", "bilan", "evaluation", "etude";
* ``project``: "projet", "dossier de presentation", "description de projet";
* ``blog``: "blogue", "blog", "billet";
* ``news``: an HTML page with a date, or "article", "communique";
* ``other`` otherwise.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import logging
import re
import unicodedata
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

GENRES = ("declaration", "report", "project", "call", "news", "academic", "blog", "other")
KNOWN_FIELDS = ("title", "genre", "year", "date", "author", "organisation", "region", "language")
_KEY_COLUMNS = ("file", "path", "filename", "file_name", "fichier", "nom")
_ALIASES = {
    "organization": "organisation",
    "organisme": "organisation",
    "titre": "title",
    "auteur": "author",
    "annee": "year",
    "année": "year",
    "type": "genre",
}
_GENRE_ALIASES = {
    "déclaration": "declaration",
    "rapport": "report",
    "projet": "project",
    "appel": "call",
    "appel à projets": "call",
    "article": "news",
    "actualité": "news",
    "presse": "news",
    "académique": "academic",
    "scientifique": "academic",
    "blogue": "blog",
    "billet": "blog",
    "autre": "other",
}
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_GENRE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("call", re.compile(r"appel (a|aux) (projets|candidatures|propositions)|appel d.offres")),
    ("declaration", re.compile(r"\bdeclaration\b|\bmanifeste\b|\bcharte\b|nous,? signataires")),
    (
        "academic",
        re.compile(r"\babstract\b|\bresume\b.*(mots.cles|references|bibliographie)", re.S),
    ),
    ("report", re.compile(r"\brapport\b|\bbilan\b|\bevaluation\b|\betude\b")),
    ("project", re.compile(r"\bprojet\b|dossier de presentation|description de projet")),
    ("blog", re.compile(r"\bblogue?\b|\bbillet\b")),
    ("news", re.compile(r"\barticle\b|\bcommunique\b|\breportage\b")),
)


def doc_id_for(text: str) -> str:
    """The stable id of a document: the first 16 hex digits of its clean text's SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def load_sidecar(path: Path | None) -> dict[str, dict[str, str]]:
    """Read ``metadata.csv`` into ``{file key: {column: value}}`` (empty cells dropped).

    Rows are keyed by their file column as written and by its bare name.
    """
    if path is None or not path.is_file():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = [f.strip().lower() for f in reader.fieldnames or []]
        key_column = next((c for c in _KEY_COLUMNS if c in fields), None)
        if key_column is None:
            logger.warning("%s: no file/path column; metadata.csv ignored", path)
            return {}
        rows: dict[str, dict[str, str]] = {}
        for raw_row in reader:
            row = {
                (k or "").strip().lower(): (v or "").strip()
                for k, v in raw_row.items()
                if k is not None
            }
            key = row.pop(key_column, "")
            if not key:
                continue
            row = {k: v for k, v in row.items() if v}
            rows[key.replace("\\", "/")] = row
            rows.setdefault(Path(key).name, row)
    return rows


def _year_of(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year
    if isinstance(value, int) and 1000 <= value <= 2999:
        return value
    match = _YEAR.search(str(value))
    return int(match.group(1)) if match else None


def guess_genre(*, path: str, title: str, text: str, fmt: str, has_date: bool) -> str:
    """Guess a genre from the file name, title and opening text (see module doc)."""
    haystack = _fold(
        f"{Path(path).stem.replace('-', ' ').replace('_', ' ')}\n{title}\n{text[:600]}"
    )
    for genre, pattern in _GENRE_RULES:
        if pattern.search(haystack):
            return genre
    if fmt == "html" and has_date:
        return "news"
    return "other"


def _normalise_genre(value: Any) -> str | None:
    if not value:
        return None
    genre = str(value).strip().lower()
    genre = _GENRE_ALIASES.get(genre, genre)
    if genre in GENRES:
        return genre
    logger.warning("unknown genre %r mapped to 'other' (known: %s)", value, ", ".join(GENRES))
    return "other"


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def describe(
    *,
    path: str,
    fmt: str,
    text: str,
    found: dict[str, Any],
    sidecar: dict[str, str] | None,
) -> dict[str, Any]:
    """Build the metadata columns of one document.

    Args:
        path: The document's path relative to the raw folder (posix).
        fmt: The reader's format name.
        text: The clean text.
        found: What the reader found (front matter, star variables, HTML/PDF metadata).
        sidecar: The document's ``metadata.csv`` row, if any.

    Returns:
        ``title``, ``genre``, ``year``, ``date``, ``author``, ``organisation``,
        ``region`` and ``extra`` (JSON string of the other fields).
    """
    merged: dict[str, Any] = {}
    for source in (found, sidecar or {}):
        for key, value in source.items():
            if value is None or value == "":
                continue
            merged[_ALIASES.get(key, key)] = value
    date_value = merged.get("date")
    date = _plain(date_value) if date_value not in (None, "") else None
    if isinstance(date, str) and "T" in date:
        date = date.split("T", 1)[0]
    year = _year_of(merged.get("year")) or _year_of(date)
    if year is None:
        year = _year_of(Path(path).name)
    title = str(merged.get("title") or "").strip()
    if not title:
        first_line = text.split("\n", 1)[0]
        title = first_line if len(first_line) <= 200 else first_line[:197] + "..."
    genre = _normalise_genre(merged.get("genre")) or guess_genre(
        path=path, title=title, text=text, fmt=fmt, has_date=date is not None
    )
    skip = set(KNOWN_FIELDS) | {"encoding"}
    extra = {k: _plain(v) for k, v in sorted(merged.items()) if k not in skip}
    return {
        "title": title,
        "genre": genre,
        "year": year,
        "date": str(date) if date is not None else None,
        "author": str(merged["author"]) if merged.get("author") else None,
        "organisation": str(merged["organisation"]) if merged.get("organisation") else None,
        "region": str(merged["region"]) if merged.get("region") else None,
        "extra": json.dumps(extra, ensure_ascii=False, sort_keys=True),
    }
