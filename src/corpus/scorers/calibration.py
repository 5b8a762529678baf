"""Is a confidence of 0.8 right four times out of five? Reliability of the scorers.

:func:`outcomes` lists every extraction of a labelled corpus with its confidence and
whether the gold confirms it (FORMAT.md's matching: a definition or actor matched to a
core gold item is right, matched to an optional one is left out, unmatched is wrong; a
need or stage label is right when the document's gold has it, left out when it is only
optional). :func:`reliability` bins them: mean confidence against observed precision,
the points of a reliability curve, and the expected calibration error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from corpus.extract.evaluate import actors_match, definitions_match, match_items
from corpus.extract.gold import Actor, Annotation, Definition

OUTCOME_COLUMNS = ("field", "doc_id", "item", "confidence", "correct")


def _number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return number


def outcomes(
    tables: Mapping[str, pd.DataFrame],
    actors_by_doc: Mapping[str, pd.DataFrame],
    gold: Mapping[str, Annotation],
) -> pd.DataFrame:
    """Every scored extraction with its confidence and its verdict against ``gold``.

    Args:
        tables: Extraction tables (``definitions``, ``doc_needs``, ``doc_stages``).
        actors_by_doc: Per-document actors (``name``, ``confidence``) by ``doc_id``.
        gold: Gold annotations by ``doc_id``.

    Returns:
        One row per extraction (:data:`OUTCOME_COLUMNS`); rows matched only to optional
        gold items are left out, as the scorer leaves them out.
    """
    rows: list[dict[str, Any]] = []
    definitions = tables.get("definitions", pd.DataFrame())
    for doc_id, annotation in gold.items():
        preds = (
            definitions[definitions["doc_id"].astype(str) == doc_id].to_dict("records")
            if len(definitions)
            else []
        )
        items = [Definition(term=str(p.get("term")), text=str(p.get("text"))) for p in preds]
        pairs, _ = match_items(items, annotation.definitions, definitions_match)
        _collect(rows, "definitions", doc_id, preds, pairs, annotation.definitions, "term")
        actors = actors_by_doc.get(doc_id, pd.DataFrame())
        records = actors.to_dict("records") if len(actors) else []
        named = [Actor(name=str(r.get("name"))) for r in records]
        pairs, _ = match_items(named, annotation.actors, actors_match)
        _collect(rows, "actors", doc_id, records, pairs, annotation.actors, "name")
        for field, table, column in (
            ("needs", tables.get("doc_needs"), "need"),
            ("stages", tables.get("doc_stages"), "stage"),
        ):
            if table is None or len(table) == 0:
                continue
            required = set(getattr(annotation, field))
            optional = set(annotation.optional_labels(field))
            for row in table[table["doc_id"].astype(str) == doc_id].to_dict("records"):
                label = str(row[column])
                if label in optional and label not in required:
                    continue
                rows.append(
                    {
                        "field": field,
                        "doc_id": doc_id,
                        "item": label,
                        "confidence": _number(row.get("confidence")),
                        "correct": label in required,
                    }
                )
    return pd.DataFrame(rows, columns=list(OUTCOME_COLUMNS))


def _collect(
    rows: list[dict[str, Any]],
    field: str,
    doc_id: str,
    preds: list[dict[Any, Any]],
    pairs: list[tuple[int, int]],
    golds: list[Any],
    key: str,
) -> None:
    matched = dict(pairs)
    for i, pred in enumerate(preds):
        if i in matched and golds[matched[i]].optional:
            continue
        rows.append(
            {
                "field": field,
                "doc_id": doc_id,
                "item": str(pred.get(key)),
                "confidence": _number(pred.get("confidence")),
                "correct": i in matched,
            }
        )


def reliability(frame: pd.DataFrame, *, bins: int = 5) -> tuple[pd.DataFrame, float | None]:
    """Reliability table (equal-width confidence bins) and expected calibration error.

    Args:
        frame: From :func:`outcomes` (rows without a confidence are ignored).
        bins: Number of bins over [0, 1].

    Returns:
        ``(table, ece)``: per bin ``low``, ``high``, ``n``, ``mean_confidence``,
        ``observed`` (share correct); ``ece`` is the count-weighted mean gap, ``None``
        when no row has a confidence.
    """
    scored = frame[frame["confidence"].notna()]
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(scored["confidence"].to_numpy(float), edges[1:-1]), 0, bins - 1)
    table_rows = []
    gap = 0.0
    for b in range(bins):
        part = scored[which == b]
        if len(part) == 0:
            continue
        mean_conf = float(part["confidence"].mean())
        observed = float(part["correct"].astype(float).mean())
        gap += len(part) * abs(mean_conf - observed)
        table_rows.append(
            {
                "low": float(edges[b]),
                "high": float(edges[b + 1]),
                "n": len(part),
                "mean_confidence": round(mean_conf, 3),
                "observed": round(observed, 3),
            }
        )
    table = pd.DataFrame(table_rows, columns=["low", "high", "n", "mean_confidence", "observed"])
    return table, (gap / len(scored) if len(scored) else None)
