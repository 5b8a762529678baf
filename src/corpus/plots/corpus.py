"""Figures and small report tables about an ingested corpus (French labels).

Functions take the tables of :func:`corpus.open` (``documents``, ``passages``,
``rejected``, ``duplicates``) and return Plotly figures or DataFrames; they never read
the store themselves. Categories are sorted so the same corpus gives the same figure data.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from corpus.errors import UsageError

#: French labels of the metadata fields a notebook may group documents by.
FIELD_LABELS: dict[str, str] = {
    "genre": "Genre",
    "region": "Région",
    "year": "Année",
    "language": "Langue",
    "format": "Format",
    "organisation": "Organisation",
    "author": "Auteur",
}

#: French labels of the genres.
GENRE_LABELS: dict[str, str] = {
    "declaration": "Déclaration",
    "report": "Rapport",
    "project": "Projet",
    "call": "Appel à projets",
    "news": "Actualité",
    "academic": "Article scientifique",
    "blog": "Blogue",
    "other": "Autre",
}

UNKNOWN = "(non renseigné)"
#: Columns of the documents table a report lists (never the text).
DOCUMENT_COLUMNS = (
    "doc_id",
    "path",
    "title",
    "format",
    "genre",
    "region",
    "year",
    "language",
    "is_french",
    "n_words",
    "n_passages",
)


def field_label(field: str) -> str:
    """The French label of a metadata field (the field name itself if unknown)."""
    return FIELD_LABELS.get(field, field)


def _check_field(documents: pd.DataFrame, field: str) -> None:
    if field not in documents.columns:
        fields = [f for f in FIELD_LABELS if f in documents.columns]
        raise UsageError(
            f"the documents table has no field {field!r}",
            hint=f"Group by one of: {', '.join(fields)}.",
            code="E-PLOT-FIELD",
        )


def _values(documents: pd.DataFrame, field: str) -> pd.Series:
    column = documents[field]
    if field == "genre":
        column = column.map(lambda g: GENRE_LABELS.get(g, g) if isinstance(g, str) else g)
    if field == "year":
        column = column.astype("Int64").astype("string")
    return column.astype("string").fillna(UNKNOWN).replace("", UNKNOWN)


def counts_by(documents: pd.DataFrame, field: str) -> pd.DataFrame:
    """Number of documents per value of ``field`` (sorted by value).

    Args:
        documents: The documents table.
        field: A column such as ``genre``, ``region``, ``year``, ``language``.

    Returns:
        Columns ``field`` (French label of the value) and ``documents``.

    Raises:
        UsageError: The table has no such column.
    """
    _check_field(documents, field)
    values = _values(documents, field)
    counts = values.value_counts(sort=False).rename_axis(field).reset_index(name="documents")
    return counts.sort_values(field, kind="stable").reset_index(drop=True)


def documents_by(documents: pd.DataFrame, field: str, *, title: str | None = None) -> go.Figure:
    """Bar chart of the number of documents per value of ``field``.

    Raises:
        UsageError: The table has no such column.
    """
    counts = counts_by(documents, field)
    label = field_label(field)
    fig = go.Figure(
        go.Bar(
            x=counts[field].tolist(),
            y=counts["documents"].tolist(),
            text=counts["documents"].tolist(),
            textposition="auto",
            hovertemplate=f"{label} : %{{x}}<br>Documents : %{{y}}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title or f"Documents par {label.lower()}",
        xaxis_title=label,
        yaxis_title="Nombre de documents",
        template="plotly_white",
    )
    if field == "year":
        fig.update_xaxes(type="category")
    return fig


def crosstab(documents: pd.DataFrame, rows: str, columns: str) -> pd.DataFrame:
    """Documents counted by two fields (rows × columns), values sorted.

    Raises:
        UsageError: The table lacks one of the fields.
    """
    _check_field(documents, rows)
    _check_field(documents, columns)
    table = pd.crosstab(_values(documents, rows), _values(documents, columns))
    table = table.sort_index(axis=0).sort_index(axis=1)
    table.index.name, table.columns.name = rows, columns
    return table


def heatmap_by(documents: pd.DataFrame, rows: str, columns: str) -> go.Figure:
    """Heatmap of documents counted by two fields (e.g. genre × region)."""
    table = crosstab(documents, rows, columns)
    fig = go.Figure(
        go.Heatmap(
            z=table.to_numpy().tolist(),
            x=[str(c) for c in table.columns],
            y=[str(i) for i in table.index],
            colorscale="Blues",
            text=table.to_numpy().tolist(),
            texttemplate="%{text}",
            hovertemplate=f"{field_label(rows)} : %{{y}}<br>{field_label(columns)} : %{{x}}"
            "<br>Documents : %{z}<extra></extra>",
            colorbar={"title": "Documents"},
        )
    )
    fig.update_layout(
        title=f"Documents par {field_label(rows).lower()} et {field_label(columns).lower()}",
        xaxis_title=field_label(columns),
        yaxis_title=field_label(rows),
        template="plotly_white",
    )
    fig.update_xaxes(type="category")
    return fig


def summary(
    documents: pd.DataFrame,
    passages: pd.DataFrame,
    rejected: pd.DataFrame,
    duplicates: pd.DataFrame,
) -> pd.DataFrame:
    """One-row-per-figure summary of an ingestion (French labels).

    Returns:
        Columns ``indicateur`` and ``valeur``.
    """
    n_french = (
        int(documents["is_french"].fillna(False).astype(bool).sum())
        if "is_french" in documents.columns
        else len(documents)
    )
    kinds = duplicates["kind"] if "kind" in duplicates.columns else pd.Series([], dtype=str)
    words = int(documents["n_words"].sum()) if "n_words" in documents.columns else None
    rows = [
        ("Documents ingérés", len(documents)),
        ("dont en français", n_french),
        ("Passages", len(passages)),
        ("Mots", words),
        ("Fichiers rejetés", len(rejected)),
        ("Paires de doublons exacts", int((kinds == "exact").sum())),
        ("Paires de quasi-doublons", int((kinds == "near").sum())),
    ]
    return pd.DataFrame(rows, columns=["indicateur", "valeur"])


def document_list(
    documents: pd.DataFrame, columns: Sequence[str] = DOCUMENT_COLUMNS
) -> pd.DataFrame:
    """The documents table without the text, sorted by path (for reports and CSV)."""
    keep = [c for c in columns if c in documents.columns]
    return documents[keep].sort_values("path", kind="stable").reset_index(drop=True)


def table_figure(
    frame: pd.DataFrame, *, title: str, labels: dict[str, str] | None = None
) -> go.Figure:
    """A Plotly table of ``frame`` (for rejected files, duplicates...), headers in French."""
    labels = labels or {}
    headers = [labels.get(str(c), str(c)) for c in frame.columns]
    cells = [frame[c].astype("string").fillna("").tolist() for c in frame.columns]
    fig = go.Figure(
        go.Table(
            header={"values": headers, "align": "left", "fill_color": "#dbe7f3"},
            cells={"values": cells, "align": "left"},
        )
    )
    fig.update_layout(title=title, template="plotly_white", margin={"l": 10, "r": 10})
    return fig
