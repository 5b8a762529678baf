"""Sub-corpora for export: ``--where FIELD=VALUE`` on the documents' metadata.

Conditions on different fields must all hold; several values of one field are
alternatives (``--where genre=report --where genre=project --where region=Wallonie``).
A field is a column of the documents table or a key of its ``extra`` metadata; values
compare as text (``year=2019``), case and accents included, surrounding spaces ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from corpus.exchange.errors import ExportDataError, ExportUsageError

_HIDDEN = ("text",)


def parse_where(conditions: Iterable[str]) -> dict[str, list[str]]:
    """``["genre=report", "genre=project"]`` -> ``{"genre": ["report", "project"]}``.

    Raises:
        ExportUsageError: ``E-EXPORT-WHERE``: a condition is not ``FIELD=VALUE``.
    """
    out: dict[str, list[str]] = {}
    for condition in conditions:
        field_name, sep, value = condition.partition("=")
        if not sep or not field_name.strip():
            raise ExportUsageError(
                f"--where {condition!r} is not FIELD=VALUE",
                hint="Write e.g. --where genre=report (repeat --where for more conditions).",
                code="E-EXPORT-WHERE",
            )
        out.setdefault(field_name.strip(), []).append(value.strip())
    return out


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _extra(documents: pd.DataFrame) -> list[dict[str, Any]]:
    if "extra" not in documents.columns:
        return [{} for _ in range(len(documents))]
    out: list[dict[str, Any]] = []
    for value in documents["extra"]:
        try:
            parsed = json.loads(value) if isinstance(value, str) and value else {}
        except json.JSONDecodeError:
            parsed = {}
        out.append(parsed if isinstance(parsed, dict) else {})
    return out


def select_documents(documents: pd.DataFrame, where: Iterable[str]) -> pd.DataFrame:
    """The documents that meet every ``FIELD=VALUE`` condition.

    Raises:
        ExportUsageError: ``E-EXPORT-WHERE``: an unknown field or a malformed condition.
        ExportDataError: ``E-EXPORT-EMPTY``: no document meets the conditions.
    """
    conditions = parse_where(where)
    if not conditions:
        return documents
    extra = _extra(documents)
    fields = [c for c in documents.columns if c not in _HIDDEN]
    known = set(fields) | {k for e in extra for k in e}
    keep = pd.Series(True, index=documents.index)
    for field_name, values in conditions.items():
        if field_name not in known:
            raise ExportUsageError(
                f"--where: no document field {field_name!r}",
                hint=f"Fields: {', '.join(sorted(known))}.",
                code="E-EXPORT-WHERE",
            )
        if field_name in documents.columns:
            column = [_as_text(v) for v in documents[field_name]]
        else:
            column = [_as_text(e.get(field_name)) for e in extra]
        keep &= pd.Series([v in values for v in column], index=documents.index)
    selected = documents[keep]
    if len(selected) == 0:
        shown = " and ".join(f"{f} in {v}" for f, v in conditions.items())
        raise ExportDataError(
            f"no document has {shown}",
            hint="Check the values with `corpus info PATH` or the documents table.",
        )
    return selected


def subset_tables(
    tables: Mapping[str, pd.DataFrame | None], documents: pd.DataFrame
) -> dict[str, pd.DataFrame | None]:
    """Each table restricted to the rows of ``documents`` (by ``doc_id`` or passage).

    Tables without a document column (``topics``) are kept whole; ``duplicates`` keeps
    pairs whose two documents are both selected; ``rejected`` (files, not documents) is
    kept whole.
    """
    doc_ids = set(documents["doc_id"].astype(str))
    out: dict[str, pd.DataFrame | None] = {}
    passage_ids: set[str] | None = None
    passages = tables.get("passages")
    if passages is not None and "doc_id" in passages.columns:
        passage_ids = set(passages.loc[passages["doc_id"].astype(str).isin(doc_ids), "passage_id"])
    for name, frame in tables.items():
        if frame is None:
            out[name] = None
        elif "doc_id" in frame.columns:
            out[name] = frame[frame["doc_id"].astype(str).isin(doc_ids)].reset_index(drop=True)
        elif {"doc_id_a", "doc_id_b"} <= set(frame.columns):
            mask = frame["doc_id_a"].astype(str).isin(doc_ids) & frame["doc_id_b"].astype(str).isin(
                doc_ids
            )
            out[name] = frame[mask].reset_index(drop=True)
        elif "passage_id" in frame.columns and passage_ids is not None:
            out[name] = frame[frame["passage_id"].isin(passage_ids)].reset_index(drop=True)
        else:
            out[name] = frame
    return out
