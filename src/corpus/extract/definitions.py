"""Document-level definitions: attribution across passages, deduplication, dimensions.

:func:`finalize_definitions` takes the raw records of ``corpus_definitions`` (one row per
record, offsets in the document) and gives the ``definitions`` table:

* a definition without a source takes the one of the passage just before it when that
  passage introduces it ("Selon X, voici la définition de Y :");
* a passage "Définition de X :" followed by a passage where no definition was found
  makes that passage a definition of X;
* a "Source : X" line credits the definitions without source written since the
  previous attributed definition;
* overlapping definitions of a document are merged into the most confident one, and
  a ``definition_id`` is added.

:func:`dimensions_table` spreads the ``dimensions`` lists into one boolean column per
dimension; :func:`compare_by_source` puts the definitions of the sources side by side.
"""

from __future__ import annotations

import bisect
import json
import logging
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from corpus.extract.definition_features import (
    KEEP,
    candidate_frame,
    embedding_texts,
    features_of,
    resolve,
)
from corpus.extract.tables import ScoringContext, rules_only_context
from corpus.nlp.dimensions import DIMENSIONS, DimensionCoder, default_coder
from corpus.scorers.model import ScorerSet

logger = logging.getLogger(__name__)

#: Columns of the definitions table, in order.
COLUMNS: tuple[str, ...] = (
    "definition_id",
    "doc_id",
    "passage_id",
    "start",
    "end",
    "term",
    "text",
    "cue",
    "source",
    "year",
    "confidence",
    "dimensions",
)

#: Without a trained scorer, the cue rules' records below this confidence are dropped.
MIN_CONFIDENCE = 0.45

#: Label of definitions without source in comparisons.
UNATTRIBUTED = "(sans source)"

_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÉÈÀÂÎÔÇ«\"“])")
_YEAR = re.compile(r"\b((?:1[89]|20)\d\d)\b")


@lru_cache(maxsize=1)
def _patterns() -> dict[str, list[re.Pattern[str]]]:
    from corpus.nlp.lexicon import read_yaml, resource_file

    path = resource_file(None, "definitions", "attribution.yaml")
    raw = read_yaml(path) if path else {}
    return {
        key: [re.compile(p) for p in (raw.get(key) or [])] for key in ("before", "line", "intro")
    }


@lru_cache(maxsize=1)
def _coder() -> DimensionCoder:
    return default_coder()


def _search(kind: str, text: str) -> re.Match[str] | None:
    for pattern in _patterns()[kind]:
        match = pattern.search(text)
        if match is not None:
            return match
    return None


def _source_of(text: str, kind: str) -> tuple[str | None, int | None]:
    match = _search(kind, text)
    if match is None:
        return None, None
    from corpus.nlp.definition_text import clean_source

    source = clean_source(match.group("source")) or None
    year = match.groupdict().get("year")
    if year is None:
        found = _YEAR.search(match.group(0))
        year = found.group(1) if found else None
    return source, int(year) if year else None


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series([], dtype="object") for c in COLUMNS})
    for column in ("start", "end", "year"):
        frame[column] = pd.Series([], dtype="Int64")
    frame["confidence"] = pd.Series([], dtype="float64")
    return frame


def _as_list(value: Any) -> list[str]:
    """A ``dimensions`` cell (list, array, JSON string or null) as a list of ids."""
    if value is None:
        return []
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return [v for v in value.split(",") if v]
        return [str(v) for v in parsed] if isinstance(parsed, list) else []
    if isinstance(value, float) and value != value:  # NaN
        return []
    try:
        return [str(v) for v in value]
    except TypeError:
        return []


def _first_sentences(text: str, n: int = 3) -> str:
    parts = _SENTENCE.split(text.strip())
    return " ".join(parts[:n])


def _passage_order(passages: pd.DataFrame) -> pd.DataFrame:
    order = "index" if "index" in passages.columns else "start"
    return passages.sort_values(["doc_id", order], kind="stable").reset_index(drop=True)


def finalize_definitions(
    definitions: pd.DataFrame, context: ScoringContext | pd.DataFrame
) -> pd.DataFrame:
    """The ``definitions`` table from the component's candidate records.

    With a trained ``definitions`` scorer in the context, every candidate (the records
    and the cross-passage candidates of :func:`~corpus.extract.definition_features.candidate_frame`)
    is scored and those at or above its threshold are kept, ``confidence`` being the
    scorer's probability; without one, the cue rules decide (records whose rule
    confidence reaches :data:`MIN_CONFIDENCE`).

    Args:
        definitions: Candidate records (``doc_id``, ``passage_id``, ``start``, ``end`` in
            document offsets, ``term``, ``text``, ``cue``, ``source``, ``year``,
            ``confidence``, ``dimensions``, ``features``).
        context: The scoring context (passages, documents, scorers, encoder), or the
            passages table alone (rules decide).

    Returns:
        One row per definition with :data:`COLUMNS` (plus any extra record fields),
        sorted by document and offset; ``definition_id`` is ``<doc_id>-d<nnn>``.
    """
    if isinstance(context, pd.DataFrame):
        context = rules_only_context(context, pd.DataFrame({"doc_id": []}))
    passages = context.passages
    scorer = context.scorer("definitions")
    if scorer is not None and len(definitions) and "features" in definitions.columns:
        rows = _scored(definitions, context, scorer)
    else:
        rows = _by_rules(definitions)
    for row in rows:
        uncoded = row.get("dimensions") is None or (
            isinstance(row.get("dimensions"), float) and pd.isna(row["dimensions"])
        )
        row["dimensions"] = None if uncoded else _as_list(row.get("dimensions"))
        for key in ("source", "year", "term", "cue"):
            value = row.get(key)
            if value is not None and not isinstance(value, str) and pd.isna(value):
                row[key] = None
    if len(passages):
        rows = _across_passages(rows, _passage_order(passages), headings=scorer is None)
    if not rows:
        return _empty()
    if scorer is not None:
        rows = [r for _, group in _by_document(rows) for r in resolve(group)]
    rows = _dedupe(rows)
    for row in rows:
        if row.get("dimensions") is None:
            row["dimensions"] = _coder().code_text(str(row["text"]))
        row.pop("features", None)
    rows.sort(key=lambda r: (str(r["doc_id"]), int(r["start"]), int(r["end"])))
    counters: dict[str, int] = {}
    for row in rows:
        n = counters.get(row["doc_id"], 0) + 1
        counters[row["doc_id"]] = n
        row["definition_id"] = f"{row['doc_id']}-d{n:03d}"
    extra = sorted({k for r in rows for k in r} - set(COLUMNS))
    frame = pd.DataFrame(rows, columns=[*COLUMNS, *extra])
    frame["start"] = frame["start"].astype("int64")
    frame["end"] = frame["end"].astype("int64")
    frame["year"] = pd.array(
        [None if v is None or pd.isna(v) else int(v) for v in frame["year"]], dtype="Int64"
    )
    frame["confidence"] = frame["confidence"].astype("float64")
    frame["source"] = frame["source"].astype("object")
    return frame


def _lines(passages: pd.DataFrame) -> list[dict[str, Any]]:
    """Non-empty lines of the passages, in order, with their document offsets."""
    lines: list[dict[str, Any]] = []
    for passage in passages.to_dict("records"):
        text = str(passage.get("text") or "")
        offset = 0
        for line in text.split("\n"):
            stripped = line.strip()
            if stripped:
                lead = len(line) - len(line.lstrip())
                lines.append(
                    {
                        "doc_id": passage["doc_id"],
                        "passage_id": passage["passage_id"],
                        "start": int(passage["start"]) + offset + lead,
                        "text": stripped,
                    }
                )
            offset += len(line) + 1
    return lines


def _by_document(rows: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(str(row["doc_id"]), []).append(row)
    return sorted(groups.items())


def _records(definitions: pd.DataFrame) -> list[dict[str, Any]]:
    return (
        [{str(k): v for k, v in r.items()} for r in definitions.to_dict("records")]
        if len(definitions)
        else []
    )


def _by_rules(definitions: pd.DataFrame) -> list[dict[str, Any]]:
    """The cue rules' decision (``rule_kept``; :data:`MIN_CONFIDENCE` for old records)."""
    rows = []
    for row in _records(definitions):
        features = features_of(row.get("features"))
        if features:
            if features.get("rule_kept", False):
                rows.append(row)  # the component's rules kept it (structural: never)
        elif float(row.get("confidence") or 0.0) >= MIN_CONFIDENCE:
            rows.append(row)  # records written before candidates carried features
    return rows


def _scored(
    definitions: pd.DataFrame, context: ScoringContext, scorer: ScorerSet
) -> list[dict[str, Any]]:
    """The candidates the trained scorer keeps, ``confidence`` its probability."""
    frame = candidate_frame(definitions, context.passages, context.documents)
    if len(frame) == 0:
        return []
    features = frame["features"].tolist()
    embeddings = None
    if scorer.uses_embeddings:
        embeddings = np.asarray(context.embed(embedding_texts(frame)))
    proba = scorer.proba(KEEP, features, embeddings=embeddings)
    frame["confidence"] = np.round(proba, 4)
    kept = frame[frame["confidence"] >= scorer.threshold(KEEP)]
    return _records(kept)


def _across_passages(
    rows: list[dict[str, Any]], passages: pd.DataFrame, *, headings: bool = True
) -> list[dict[str, Any]]:
    """Attribution from an introducing line, "Définition de X :" headings, "Source :" lines.

    Works line by line, so it is the same whether passages are lines or paragraphs.
    ``headings``: also make definitions of the paragraphs that an introducing line
    announces (the rules' way; a scorer has its own heading candidates).
    """
    out = list(rows)
    for doc_id, group in passages.groupby("doc_id", sort=False):
        lines = _lines(group)
        if not lines:
            continue
        starts = [line["start"] for line in lines]
        by_line: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            if row.get("doc_id") != doc_id:
                continue
            index = max(bisect.bisect_right(starts, int(row["start"])) - 1, 0)
            by_line.setdefault(index, []).append(row)
        pending: list[dict[str, Any]] = []  # definitions since the last attributed one
        for k, line in enumerate(lines):
            text = line["text"]
            line_source, line_year = _source_of(text, "line")
            if line_source is not None and len(text.split()) <= 30:
                for row in pending:
                    if not row.get("source"):
                        row["source"], row["year"] = line_source, row.get("year") or line_year
                pending = []
                continue
            here = sorted(by_line.get(k, []), key=lambda r: int(r["start"]))
            if k > 0:
                previous = lines[k - 1]["text"]
                intro = _search("intro", previous)
                if (previous.endswith(":") or intro is not None) and len(previous.split()) <= 40:
                    source, year = _source_of(previous, "before")
                    if here:
                        first = here[0]
                        if source and not first.get("source"):
                            first["source"], first["year"] = source, first.get("year") or year
                            first["confidence"] = min(1.0, float(first["confidence"]) + 0.1)
                    elif intro is not None and headings:
                        made = _heading_definition(line, intro, source, year)
                        if made is not None:
                            out.append(made)
                            here = [made]
            for row in here:
                if row.get("source"):
                    pending = []
                else:
                    pending.append(row)
    return out


def _heading_definition(
    passage: dict[str, Any], intro: re.Match[str], source: str | None, year: int | None
) -> dict[str, Any] | None:
    """A definition of the term an introducing passage announces: the next passage."""
    from corpus.nlp.definition_text import _clean_term

    term = _clean_term(intro.group("term"))
    term = re.sub(r"^(?:l['’]\s*|les?\s+|la\s+|une?\s+|des\s+|du\s+)", "", term)
    text = str(passage.get("text") or "")
    body = _first_sentences(text.strip(' \t«»"“”'), 3)
    if not term or len(body.split()) < 4:
        return None
    offset = text.find(body)
    start = int(passage["start"]) + max(offset, 0)
    return {
        "doc_id": passage["doc_id"],
        "passage_id": passage["passage_id"],
        "start": start,
        "end": start + len(body),
        "term": term,
        "text": body,
        "cue": "définition de",
        "source": source,
        "year": year,
        "confidence": 0.7,
        "dimensions": _coder().code_text(body),
    }


def _dedupe(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep, among overlapping definitions of a document, the most confident (then longest)."""
    ranked = sorted(
        rows,
        key=lambda r: (-float(r.get("confidence") or 0), -(int(r["end"]) - int(r["start"]))),
    )
    kept: list[dict[str, Any]] = []
    seen_texts: set[tuple[str, str, str]] = set()
    for row in ranked:
        key = (str(row["doc_id"]), str(row.get("term")), " ".join(str(row["text"]).split()))
        if key in seen_texts:
            continue
        overlaps = any(
            k["doc_id"] == row["doc_id"]
            and int(k["start"]) < int(row["end"])
            and int(row["start"]) < int(k["end"])
            for k in kept
        )
        if overlaps:
            continue
        kept.append(row)
        seen_texts.add(key)
    return kept


def dimensions_table(
    definitions: pd.DataFrame, *, dimensions: Iterable[str] = DIMENSIONS
) -> pd.DataFrame:
    """Definitions × dimensions: one boolean column per dimension.

    Args:
        definitions: The definitions table (``definition_id``, ``doc_id``, ``term``,
            ``source``, ``dimensions``).
        dimensions: Dimension ids, in column order.

    Returns:
        ``definition_id``, ``doc_id``, ``term``, ``source`` and a bool column per
        dimension.
    """
    ids = list(dimensions)
    base = ["definition_id", "doc_id", "term", "source"]
    if len(definitions) == 0:
        frame = pd.DataFrame({c: pd.Series([], dtype="object") for c in base})
        for dim in ids:
            frame[dim] = pd.Series([], dtype="bool")
        return frame
    frame = definitions[[c for c in base if c in definitions.columns]].copy()
    for column in base:
        if column not in frame.columns:
            frame[column] = None
    coded = [set(_as_list(v)) for v in definitions.get("dimensions", [None] * len(definitions))]
    for dim in ids:
        frame[dim] = pd.Series([dim in c for c in coded], index=frame.index, dtype="bool")
    return frame[[*base, *ids]].reset_index(drop=True)


def compare_by_source(
    definitions: pd.DataFrame,
    *,
    term: str | None = None,
    dimensions: Iterable[str] = DIMENSIONS,
) -> pd.DataFrame:
    """Definitions side by side by source: how each source's definitions are coded.

    Args:
        definitions: The definitions table.
        term: Keep only definitions of this term (lower case, e.g. "innovation sociale").
        dimensions: Dimension ids, in column order.

    Returns:
        One row per source (:data:`UNATTRIBUTED` for definitions without one), with
        ``n_definitions``, ``terms``, ``years``, ``text`` (its most confident
        definition) and, per dimension, the share of its definitions coded with it
        (0 to 1); sorted by number of definitions.
    """
    ids = list(dimensions)
    columns = ["source", "n_definitions", "terms", "years", "text", *ids]
    if len(definitions) == 0:
        return pd.DataFrame({c: pd.Series([], dtype="object") for c in columns})
    table = definitions
    if term is not None:
        table = table[table["term"].astype(str).str.lower() == term.lower()]
        if len(table) == 0:
            return pd.DataFrame({c: pd.Series([], dtype="object") for c in columns})
    coded = dimensions_table(table, dimensions=ids)
    coded["source"] = coded["source"].where(coded["source"].notna(), UNATTRIBUTED)
    coded["_text"] = table["text"].to_numpy()
    coded["_confidence"] = table["confidence"].astype(float).to_numpy()
    coded["_year"] = table["year"].to_numpy() if "year" in table.columns else None
    rows = []
    for source, group in coded.groupby("source", sort=False):
        best = group.sort_values("_confidence", ascending=False, kind="stable").iloc[0]
        years = sorted({int(y) for y in group["_year"] if y is not None and not pd.isna(y)})
        row: dict[str, Any] = {
            "source": source,
            "n_definitions": len(group),
            "terms": ", ".join(sorted(set(group["term"].astype(str)))),
            "years": ", ".join(str(y) for y in years),
            "text": best["_text"],
        }
        for dim in ids:
            row[dim] = float(group[dim].mean())
        rows.append(row)
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(
        ["n_definitions", "source"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)
