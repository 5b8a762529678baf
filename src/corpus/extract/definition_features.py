"""Definition candidates of a document and their features, for the trained scorer.

The spaCy component writes one record per candidate sentence with its own features
(:mod:`corpus.nlp.definition_candidates`). :func:`candidate_frame` adds what only the
whole document shows: candidates that run across passages (a heading line or a question
"Qu'est-ce que X ?" and the paragraph after it), and document-level features (how often
the term occurs in the document, whether it is in the title, how glossary-like the
document is; not its genre, which a folder of raw files only guesses).
:func:`label_candidates` marks the candidates that match a gold definition (FORMAT.md's
rule), for training.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from corpus.extract.evaluate import definitions_match, normalise_term, strip_accents
from corpus.extract.gold import Annotation, Definition
from corpus.nlp.definition_candidates import (
    ATTRIBUTED,
    question_term,
    strip_article,
    term_shape,
)

#: At most this many sentences of the paragraph after a heading form its definition.
ANSWER_SENTENCES = 3

_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÉÈÀÂÎÔÇ«\"“])")
_HEADING_END = re.compile(r"[.!;,]$")
_PAREN = re.compile(r"\s*\([^)]*\)")
_DEFINITION_HEADING = re.compile(
    r"\bdéfinitions?\s+(?:\w+\s+){0,2}?(?:de\s+la\s+|de\s+l['’]\s*|du\s+|des\s+|de\s+|d['’]\s*)"
    r"(?P<term>[^:.;!?\n]{2,60}?)\s*:?\s*$",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")


def features_of(value: Any) -> dict[str, Any]:
    """A record's ``features`` cell (dict or JSON string) as a dict."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, str) and value:
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _folded(text: str) -> str:
    return " ".join(_WORD.findall(strip_accents(text).lower()))


def _first_sentences(text: str, n: int = ANSWER_SENTENCES) -> str:
    return " ".join(_SENTENCE.split(text.strip())[:n])


def _heading_term(text: str) -> tuple[str, str] | None:
    """The term a heading line names, and the kind of heading, or ``None``."""
    line = text.strip().lstrip("-–—•*·>#→⇒►▶✓✔ ").strip()
    if not line or "\n" in line:
        return None
    asked = question_term(line)
    if asked is not None:
        return asked, "question"
    found = _DEFINITION_HEADING.search(line)
    if found is not None:
        term = strip_article(_PAREN.sub("", ATTRIBUTED.sub("", found.group("term"))))
        return (term, "definition_heading") if term else None
    words = line.split()
    if len(words) > 8 or _HEADING_END.search(line) or line.endswith("?"):
        return None
    term = strip_article(_PAREN.sub("", line.rstrip(":")))
    if not term or not any(c.isalpha() for c in term):
        return None
    return term, "heading"


def _cross_passage(passages: pd.DataFrame) -> list[dict[str, Any]]:
    """Candidates made of a heading or question passage and the paragraph after it."""
    out: list[dict[str, Any]] = []
    order = "index" if "index" in passages.columns else "start"
    for doc_id, group in passages.sort_values(["doc_id", order], kind="stable").groupby(
        "doc_id", sort=False
    ):
        rows = group.to_dict("records")
        lines = [" ".join(str(r.get("text") or "").split()).lower() for r in rows]
        for k in range(len(rows) - 1):
            heading = _heading_term(str(rows[k].get("text") or ""))
            if heading is None:
                continue
            term, kind = heading
            body_passage = rows[k + 1]
            body_text = str(body_passage.get("text") or "")
            body = _first_sentences(body_text.strip(' \t«»"“”'))
            if len(body.split()) < 4 or body.rstrip(' »"”').endswith("?"):
                continue  # a heading over a heading or a question: not its definition
            if _heading_term(body_text) is not None and kind == "heading":
                continue
            offset = max(body_text.find(body), 0)
            start = int(body_passage["start"]) + offset
            first = body.split()[0].lower()
            features = {
                "structure": kind,
                **term_shape(term, str(rows[k]["text"]).strip()),
                "sent_index": 0,
                "sent_first": True,
                "sent_words": min(len(body.split()), 80) / 10.0,
                "answer_pronoun": first in ("c'est", "c’est", "il", "elle", "ils", "elles", "ce"),
                "answer_det": first in ("un", "une", "le", "la", "les", "des", "l'", "l’"),
                "answer_repeats_term": _folded(term) in _folded(body[: len(term) + 40]),
                "heading_repeated": min(lines.count(lines[k]) - 1, 3),
                "rule": False,
                "rule_cue": "",
                "rule_conf": 0.0,
            }
            out.append(
                {
                    "doc_id": doc_id,
                    "passage_id": body_passage["passage_id"],
                    "term": term,
                    "text": body,
                    "start": start,
                    "end": start + len(body),
                    "cue": kind,
                    "source": None,
                    "year": None,
                    "confidence": 0.0,
                    "dimensions": None,
                    "features": features,
                }
            )
    return out


def _headings(passages: pd.DataFrame) -> dict[str, tuple[str, int]]:
    """Passages that follow a heading line: ``{passage_id: (folded heading, start + 3)}``."""
    out: dict[str, tuple[str, int]] = {}
    order = "index" if "index" in passages.columns else "start"
    for _, group in passages.sort_values(["doc_id", order], kind="stable").groupby(
        "doc_id", sort=False
    ):
        rows = group.to_dict("records")
        for k in range(1, len(rows)):
            previous = str(rows[k - 1].get("text") or "").strip()
            if (
                previous
                and "\n" not in previous
                and len(previous.split()) <= 8
                and not _HEADING_END.search(previous)
            ):
                folded = _folded(strip_article(_PAREN.sub("", previous)))
                out[str(rows[k]["passage_id"])] = (folded, int(rows[k]["start"]) + 3)
    return out


def _document_features(
    rows: list[dict[str, Any]], passages: pd.DataFrame, documents: pd.DataFrame
) -> None:
    """Add the document-level features to each candidate's ``features`` (in place)."""
    order = "index" if "index" in passages.columns else "start"
    texts: dict[str, str] = {}
    first_lines: dict[str, str] = {}
    n_passages: dict[str, int] = {}
    for doc_id, group in passages.sort_values(["doc_id", order], kind="stable").groupby(
        "doc_id", sort=False
    ):
        parts = group["text"].fillna("").astype(str).tolist()
        texts[str(doc_id)] = " \n ".join(_folded(p) for p in parts)
        first_lines[str(doc_id)] = _folded(parts[0]) if parts else ""
        n_passages[str(doc_id)] = len(parts)
    titles: dict[str, str] = {}
    if len(documents):
        for doc in documents.drop_duplicates("doc_id").to_dict("records"):
            titles[str(doc["doc_id"])] = _folded(str(doc.get("title") or ""))
    headings = _headings(passages)
    structures: dict[str, dict[str, int]] = {}
    by_term: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        doc_id = str(row["doc_id"])
        structure = str(row["features"].get("structure", ""))
        counts = structures.setdefault(doc_id, {})
        counts[structure] = counts.get(structure, 0) + 1
        by_term.setdefault((doc_id, normalise_term(str(row["term"]))), []).append(int(row["start"]))
    for row in rows:
        doc_id = str(row["doc_id"])
        features = row["features"]
        term = _folded(str(row["term"]))
        text = texts.get(doc_id, "")
        count = len(re.findall(r"\b" + re.escape(term) + r"\b", text)) if term else 0
        counts = structures.get(doc_id, {})
        n = max(n_passages.get(doc_id, 1), 1)
        starts = by_term.get((doc_id, normalise_term(str(row["term"]))), [])
        heading = headings.get(str(row.get("passage_id")))
        at_start = heading is not None and int(row["start"]) <= heading[1]
        features.update(
            after_heading=at_start,
            heading_same_term=at_start
            and bool(term)
            and heading is not None
            and (term in heading[0] or heading[0] in term),
            term_frequency=math.log1p(count),
            term_in_title=bool(term)
            and term in (titles.get(doc_id, "") + " " + first_lines.get(doc_id, "")),
            term_first_candidate=bool(starts) and int(row["start"]) == min(starts),
            term_candidates=min(len(starts), 5),
            doc_glossary=counts.get("glossary", 0) / n,
            doc_headings=(counts.get("heading", 0) + counts.get("question", 0)) / n,
            doc_subjects=counts.get("subject", 0) / n,
        )


def candidate_frame(
    records: pd.DataFrame, passages: pd.DataFrame, documents: pd.DataFrame
) -> pd.DataFrame:
    """Every definition candidate of the documents, with a ``features`` dict each.

    Args:
        records: The component's definition records (``features`` as dict or JSON).
        passages: The passages table.
        documents: The documents table (title).

    Returns:
        The records plus the cross-passage candidates, ``features`` completed with the
        document-level features; sorted by document and offset.
    """
    rows: list[dict[str, Any]] = (
        [{str(k): v for k, v in r.items()} for r in records.to_dict("records")]
        if len(records)
        else []
    )
    for row in rows:
        row["features"] = features_of(row.get("features"))
        for key in ("source", "year", "term", "cue"):
            value = row.get(key)
            if value is not None and not isinstance(value, str) and pd.isna(value):
                row[key] = None
        row["term"] = str(row.get("term") or "")
    if len(passages):
        rows.extend(_cross_passage(passages))
    rows = [r for r in rows if r["term"]]
    _document_features(rows, passages, documents)
    rows.sort(key=lambda r: (str(r["doc_id"]), int(r["start"]), -int(r["end"])))
    if not rows:
        return pd.DataFrame(columns=[*records.columns, "features"])
    return pd.DataFrame(rows)


def resolve(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The kept definitions of one document: the most confident first, none overlapping
    a more confident one, and one definition per term among those without a source.

    Args:
        rows: Candidate rows (``term``, ``start``, ``end``, ``confidence``, ``source``).
    """
    ranked = sorted(
        rows, key=lambda r: (-float(r.get("confidence") or 0.0), int(r["start"]), int(r["end"]))
    )
    kept: list[dict[str, Any]] = []
    terms: set[str] = set()
    for row in ranked:
        start, end = int(row["start"]), int(row["end"])
        if any(start < int(k["end"]) and int(k["start"]) < end for k in kept):
            continue
        term = normalise_term(str(row.get("term") or ""))
        if not row.get("source") and term in terms:
            continue
        kept.append(row)
        if not row.get("source"):
            terms.add(term)
    return kept


def label_candidates(frame: pd.DataFrame, gold: Mapping[str, Annotation]) -> pd.Series:
    """1 where a candidate matches a core gold definition, 0 where it matches none,
    ``-1`` where it matches only optional ones (neither right nor wrong), NaN without gold."""
    labels: list[float] = []
    for row in frame[["doc_id", "term", "text"]].itertuples(index=False):
        annotation = gold.get(str(row.doc_id))
        if annotation is None:
            labels.append(float("nan"))
            continue
        pred = Definition(term=str(row.term), text=str(row.text))
        matched = [g for g in annotation.definitions if definitions_match(pred, g)]
        if any(not g.optional for g in matched):
            labels.append(1.0)
        elif matched:
            labels.append(-1.0)
        else:
            labels.append(0.0)
    return pd.Series(labels, index=frame.index, dtype="float64")


#: The label of the definitions scorer (one decision: keep the candidate).
KEEP = "keep"
#: Characters of a candidate's text given to the sentence encoder.
EMBED_CHARS = 600


def embedding_texts(frame: pd.DataFrame) -> list[str]:
    """The text each candidate is embedded from: its term, then its text (cut)."""
    return [
        f"{term} : {' '.join(str(text).split())[:EMBED_CHARS]}"
        for term, text in zip(frame["term"], frame["text"], strict=True)
    ]
