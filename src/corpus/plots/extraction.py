"""Heatmaps of social needs and process stages (French labels).

Functions take the extraction tables (``doc_needs``/``doc_stages`` from
:func:`corpus.extract.needs.document_needs` and
:func:`corpus.extract.stages.document_stages`, or the aggregations of
:func:`~corpus.extract.needs.needs_by` / :func:`~corpus.extract.stages.stages_by`) and
return Plotly figures; they never read the store. Columns follow the taxonomy order
(every need or stage, even absent ones, so figures of two corpora line up) and rows are
sorted, so the same tables give the same figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import pandas as pd
import plotly.graph_objects as go

from corpus.nlp.lexicon import RESOURCES_DIR, load_taxonomy

#: French labels of the document columns rows can be grouped by.
BY_LABELS: dict[str, str] = {
    "doc_id": "Document",
    "title": "Document",
    "path": "Document",
    "genre": "Genre",
    "region": "Région",
    "year": "Année",
    "organisation": "Organisation",
    "author": "Auteur",
}

#: French labels of the values a heatmap can show.
VALUE_LABELS: dict[str, str] = {
    "score": "Score",
    "n_mentions": "Mentions",
    "n_passages": "Passages",
    "n_documents": "Documents",
    "share": "Part des documents",
}


@cache
def need_labels() -> dict[str, str]:
    """``{need id: French label}`` in taxonomy order (packaged taxonomy)."""
    return {
        i: item.label
        for i, item in load_taxonomy(RESOURCES_DIR / "needs" / "taxonomy.yaml").items()
    }


@cache
def stage_labels() -> dict[str, str]:
    """``{stage id: French label}`` in process order (packaged taxonomy)."""
    return {
        i: item.label
        for i, item in load_taxonomy(RESOURCES_DIR / "stages" / "taxonomy.yaml").items()
    }


def _doc_names(documents: pd.DataFrame | None) -> dict[str, str]:
    if documents is None or "doc_id" not in documents.columns:
        return {}
    names: dict[str, str] = {}
    for _, row in documents.iterrows():
        name = None
        for column in ("title", "path"):
            value = row.get(column)
            if isinstance(value, str) and value.strip():
                name = value.strip()
                break
        names[str(row["doc_id"])] = (name or str(row["doc_id"]))[:60]
    return names


def heatmap(
    table: pd.DataFrame,
    *,
    row: str,
    column: str,
    value: str,
    column_labels: dict[str, str],
    row_labels: dict[str, str] | None = None,
    rows: Sequence[str] | None = None,
    title: str = "",
    row_title: str | None = None,
    column_title: str = "",
) -> go.Figure:
    """A heatmap of ``value`` with one row per ``row`` value and one column per label.

    Args:
        table: Long table with ``row``, ``column`` and ``value`` columns.
        row: Column giving the rows (``doc_id``, ``genre``...).
        column: Column giving the columns (``need`` or ``stage``).
        value: Column giving the cell values (missing cells are 0).
        column_labels: ``{id: French label}``, in column order; ids of ``table`` not in
            it are appended.
        row_labels: Display names of the rows (ids otherwise).
        rows: Rows to show, in order (sorted ids of ``table`` otherwise).
        title: Figure title.
        row_title: Y axis title (French label of ``row`` by default).
        column_title: X axis title.

    Returns:
        The figure (x: column labels, y: row names, z: values).
    """
    ids = list(column_labels)
    extra = sorted({str(c) for c in table[column]} - set(ids)) if len(table) else []
    ids += extra
    row_ids = (
        [str(r) for r in rows]
        if rows is not None
        else sorted({str(r) for r in table[row]})
        if len(table)
        else []
    )
    pivot: dict[tuple[str, str], float] = {}
    for r, c, v in zip(
        table[row].astype(str), table[column].astype(str), table[value], strict=True
    ):
        pivot[(r, c)] = pivot.get((r, c), 0.0) + float(v)
    z = [[pivot.get((r, c), 0.0) for c in ids] for r in row_ids]
    names = row_labels or {}
    y = [names.get(r, r) for r in row_ids]
    x = [column_labels.get(c, c) for c in ids]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            colorscale="Blues",
            colorbar={"title": VALUE_LABELS.get(value, value)},
            hovertemplate="%{y}<br>%{x}<br>"
            + VALUE_LABELS.get(value, value)
            + " : %{z}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis={"title": column_title, "tickangle": -35},
        yaxis={
            "title": row_title if row_title is not None else BY_LABELS.get(row, row),
            "autorange": "reversed",
        },
        height=max(320, 120 + 28 * len(row_ids)),
        margin={"l": 160, "b": 140},
    )
    return fig


def needs_heatmap(
    doc_needs: pd.DataFrame,
    documents: pd.DataFrame | None = None,
    *,
    value: str = "score",
    title: str = "Besoins sociaux par document",
) -> go.Figure:
    """Needs × documents.

    Args:
        doc_needs: From :func:`corpus.extract.needs.document_needs`.
        documents: The documents table, for titles and to list every document.
        value: ``score``, ``n_mentions`` or ``n_passages``.
        title: Figure title.
    """
    rows = sorted(documents["doc_id"].astype(str)) if documents is not None else None
    return heatmap(
        doc_needs,
        row="doc_id",
        column="need",
        value=value,
        column_labels=need_labels(),
        row_labels=_doc_names(documents),
        rows=rows,
        title=title,
        column_title="Besoin social",
    )


def needs_by_heatmap(
    table: pd.DataFrame,
    by: str,
    *,
    value: str = "share",
    title: str | None = None,
) -> go.Figure:
    """Needs × a document grouping (genre, region, year...).

    Args:
        table: From :func:`corpus.extract.needs.needs_by` with the same ``by``.
        by: The grouping column.
        value: ``share``, ``n_documents`` or ``n_mentions``.
        title: Figure title (French default naming the grouping).
    """
    label = BY_LABELS.get(by, by)
    return heatmap(
        table,
        row=by,
        column="need",
        value=value,
        column_labels=need_labels(),
        title=title or f"Besoins sociaux par {label.lower()}",
        column_title="Besoin social",
    )


def stages_heatmap(
    doc_stages: pd.DataFrame,
    documents: pd.DataFrame | None = None,
    *,
    value: str = "n_mentions",
    title: str = "Étapes du processus par document",
) -> go.Figure:
    """Stages × documents (columns in process order).

    Args:
        doc_stages: From :func:`corpus.extract.stages.document_stages`.
        documents: The documents table, for titles and to list every document.
        value: ``n_mentions``, ``score`` or ``n_passages``.
        title: Figure title.
    """
    rows = sorted(documents["doc_id"].astype(str)) if documents is not None else None
    return heatmap(
        doc_stages,
        row="doc_id",
        column="stage",
        value=value,
        column_labels=stage_labels(),
        row_labels=_doc_names(documents),
        rows=rows,
        title=title,
        column_title="Étape",
    )


def stages_by_heatmap(
    table: pd.DataFrame,
    by: str,
    *,
    value: str = "share",
    title: str | None = None,
) -> go.Figure:
    """Stages × a document grouping (genre, region, year...).

    Args:
        table: From :func:`corpus.extract.stages.stages_by` with the same ``by``.
        by: The grouping column.
        value: ``share``, ``n_documents`` or ``n_mentions``.
        title: Figure title (French default naming the grouping).
    """
    label = BY_LABELS.get(by, by)
    return heatmap(
        table,
        row=by,
        column="stage",
        value=value,
        column_labels=stage_labels(),
        title=title or f"Étapes du processus par {label.lower()}",
        column_title="Étape",
    )
