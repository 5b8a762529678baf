"""Cross-tables of a coder's codes (``codes.csv`` of an imported project) by document
metadata and by topic.

Codes that are not ours stay usable: :func:`codes_by` counts coded selections (or the
documents coded) per code and metadata value; :func:`codes_by_topic` finds each coded
selection in the document's clean text, takes the passage that holds it, and counts its
topics. A code's ``level`` cuts its path (``Besoins / Besoin : emploi`` at level 1 is
``Besoins``) to compare branches.
"""

from __future__ import annotations

import bisect
import logging
import re
from pathlib import Path

import pandas as pd

logger = logging.getLogger(__name__)


def code_at(path: str, level: int | None) -> str:
    """``path`` cut to its first ``level`` parts (all of it for ``None`` or 0)."""
    parts = [p.strip() for p in str(path).split(" / ")]
    return " / ".join(parts[:level]) if level else " / ".join(parts)


def with_documents(codes: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """``codes`` joined to the documents table on the file name (``doc_id`` and metadata).

    Coded selections of a file that was not ingested are dropped (logged).
    """
    names = documents.assign(document=[Path(str(p)).name for p in documents["path"]])
    names = names.drop(columns=[c for c in ("text", "start", "end") if c in names.columns])
    joined = codes.merge(names, on="document", how="inner", suffixes=("", "_document"))
    if len(joined) < len(codes):
        logger.info("%d coded selection(s) of files not ingested", len(codes) - len(joined))
    return joined


def codes_by(
    codes: pd.DataFrame,
    documents: pd.DataFrame,
    field: str,
    *,
    level: int | None = None,
    count: str = "selections",
) -> pd.DataFrame:
    """Codes × values of a document field.

    Args:
        codes: The ``codes.csv`` table (``corpus.open(DIR).codes``).
        documents: The documents table.
        field: A documents column (``genre``, ``year``, ``region``...).
        level: Cut code paths to this many levels (``None``: whole paths).
        count: ``selections`` (coded selections) or ``documents`` (documents coded).

    Returns:
        One row per code, one column per value, counts; empty if there are no codes.

    Raises:
        KeyError: ``field`` is not a documents column.
    """
    if field not in documents.columns:
        raise KeyError(f"no document field {field!r}; fields: {', '.join(documents.columns)}")
    joined = with_documents(codes, documents)
    if len(joined) == 0:
        return pd.DataFrame()
    joined = joined.assign(code=[code_at(c, level) for c in joined["code"]])
    joined[field] = joined[field].astype("string").fillna("(vide)")
    if count == "documents":
        joined = joined.drop_duplicates(["code", "doc_id"])
    return pd.crosstab(joined["code"], joined[field]).rename_axis(index="code", columns=field)


def _locate(clean: str, start: int, end: int, text: str) -> int | None:
    """Where the selected ``text`` is in ``clean``: at ``start``, else nearest to it."""
    if clean[start:end] == text:
        return start
    words = text.split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    found = [m.start() for m in pattern.finditer(clean)]
    return min(found, key=lambda s: abs(s - start)) if found else None


def codes_by_topic(
    codes: pd.DataFrame,
    documents: pd.DataFrame,
    passages: pd.DataFrame,
    passage_topics: pd.DataFrame,
    topics: pd.DataFrame | None = None,
    *,
    level: int | None = None,
) -> pd.DataFrame:
    """Codes × topics: the topic of the passage that holds each coded selection.

    Args:
        codes: The ``codes.csv`` table.
        documents: The documents table (``doc_id``, ``path``, ``text``).
        passages: The passages table (``passage_id``, ``doc_id``, ``start``, ``end``).
        passage_topics: ``passage_id`` and ``topic``.
        topics: ``topic`` and ``label``, to name the columns (``3 · label``).
        level: Cut code paths to this many levels.

    Returns:
        One row per code, one column per topic, counts of coded selections; selections
        not found in the clean text are left out (logged).
    """
    joined = with_documents(codes, documents[["doc_id", "path"]])
    if len(joined) == 0:
        return pd.DataFrame()
    texts = dict(zip(documents["doc_id"], documents["text"].astype(str), strict=True))
    topic_of = dict(zip(passage_topics["passage_id"], passage_topics["topic"], strict=True))
    spans: dict[str, tuple[list[int], list[str]]] = {}
    for doc_id, group in passages.sort_values("start").groupby("doc_id"):
        spans[str(doc_id)] = (group["start"].tolist(), group["passage_id"].tolist())
    rows, lost = [], 0
    for code, doc_id, start, end, text in zip(
        joined["code"].astype(str),
        joined["doc_id"].astype(str),
        joined["start"].astype(int),
        joined["end"].astype(int),
        joined["text"].astype(str),
        strict=True,
    ):
        where = _locate(texts.get(doc_id, ""), start, end, text)
        if where is None or doc_id not in spans:
            lost += 1
            continue
        starts, ids = spans[doc_id]
        index = bisect.bisect_right(starts, where + len(text) // 2) - 1
        topic = topic_of.get(ids[max(index, 0)])
        if topic is None:
            lost += 1
            continue
        rows.append({"code": code_at(code, level), "topic": int(topic)})
    if lost:
        logger.info("%d coded selection(s) not found in the clean texts", lost)
    if not rows:
        return pd.DataFrame()
    frame = pd.DataFrame(rows)
    table = pd.crosstab(frame["code"], frame["topic"])
    if topics is not None:
        labels = dict(zip(topics["topic"].astype(int), topics["label"].astype(str), strict=True))
        table.columns = [f"{t} · {labels.get(int(t), '')}".rstrip(" ·") for t in table.columns]
    return table.rename_axis(index="code", columns="topic")
