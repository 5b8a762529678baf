"""Figures and small report tables about an ingested corpus (French labels).

Functions take the tables of :func:`corpus.open` (``documents``, ``passages``,
``rejected``, ``duplicates``) and return Plotly figures or DataFrames; they never read
the store themselves. Categories are sorted so the same corpus gives the same figure data.
"""

from __future__ import annotations

import json
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
    long_text = max((len(str(v)) for col in cells for v in col), default=0) > 120
    per_row = 60 if long_text else 26
    fig.update_layout(
        title=title,
        template="plotly_white",
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=min(900, 110 + per_row * max(1, len(frame))),
    )
    return fig


# -- shared by the analysis notebooks ------------------------------------------------------

#: French labels of the ids of the label sets (``shared/eval/FORMAT.md``).
LABELS: dict[str, str] = {
    # needs
    "emploi": "Emploi et insertion",
    "logement": "Logement",
    "sante": "Santé",
    "vieillissement": "Vieillissement",
    "petite_enfance": "Petite enfance et familles",
    "education": "Éducation et formation",
    "alimentation": "Alimentation",
    "mobilite": "Mobilité",
    "pauvrete_exclusion": "Pauvreté et exclusion",
    "discriminations": "Discriminations et inclusion",
    "environnement": "Environnement et transition",
    "lien_social": "Lien social",
    "culture": "Culture",
    "numerique": "Numérique",
    # stages
    "emergence": "Émergence",
    "diagnostic": "Diagnostic",
    "coconstruction": "Coconstruction",
    "experimentation": "Expérimentation",
    "mise_en_oeuvre": "Mise en œuvre",
    "diffusion": "Diffusion",
    "evaluation": "Évaluation",
    # sectors
    "public": "Public",
    "entreprise": "Entreprise",
    "ess": "ESS",
    "recherche": "Recherche",
    "citoyens": "Citoyens",
    "autre": "Autre",
    # roles
    "porteur": "Porteur",
    "bailleur": "Bailleur",
    "partenaire": "Partenaire",
    "preneur": "Preneur",
}


def label(value: object) -> str:
    """The French label of an id (genre, need, stage, sector, role), else the value."""
    text = "" if value is None else str(value)
    return LABELS.get(text) or GENRE_LABELS.get(text) or text or UNKNOWN


def heatmap(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    z: str,
    title: str,
    x_title: str,
    y_title: str,
    z_title: str = "",
    percent: bool = False,
) -> go.Figure:
    """Heatmap of a long table (one row per ``x``, ``y`` pair), labels in French.

    Args:
        frame: Long table with columns ``x``, ``y`` and ``z``.
        x: Column along the horizontal axis.
        y: Column along the vertical axis.
        z: Value column (missing pairs are 0).
        title: Figure title.
        x_title: Horizontal axis title.
        y_title: Vertical axis title.
        z_title: Colour bar title.
        percent: Show ``z`` (a share in [0, 1]) as percentages.
    """
    if len(frame):
        table = frame.pivot_table(index=y, columns=x, values=z, aggfunc="sum", fill_value=0)
        table = table.sort_index(axis=0).sort_index(axis=1)
    else:
        table = pd.DataFrame()
    values = table.to_numpy(dtype=float) * (100 if percent else 1)
    fig = go.Figure(
        go.Heatmap(
            z=values.round(1).tolist(),
            x=[label(c) for c in table.columns],
            y=[label(i) for i in table.index],
            colorscale="YlGnBu",
            texttemplate="%{z}" + ("%" if percent else ""),
            hovertemplate=f"{y_title} : %{{y}}<br>{x_title} : %{{x}}<br>{z_title} : %{{z}}"
            + ("%" if percent else "")
            + "<extra></extra>",
            colorbar={"title": z_title},
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        template="plotly_white",
        height=max(350, 40 * len(table.index) + 150),
    )
    fig.update_xaxes(type="category")
    fig.update_yaxes(type="category")
    return fig


def bar(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    title: str,
    x_title: str,
    y_title: str,
    horizontal: bool = False,
) -> go.Figure:
    """Bar chart of ``y`` per ``x`` (ids shown with their French labels)."""
    names = [label(v) for v in frame[x].tolist()]
    values = frame[y].tolist()
    trace = (
        go.Bar(y=names, x=values, orientation="h", text=values, textposition="auto")
        if horizontal
        else go.Bar(x=names, y=values, text=values, textposition="auto")
    )
    fig = go.Figure(trace)
    fig.update_layout(
        title=title,
        xaxis_title=y_title if horizontal else x_title,
        yaxis_title=x_title if horizontal else y_title,
        template="plotly_white",
    )
    if horizontal:
        fig.update_yaxes(autorange="reversed", type="category")
        fig.update_layout(height=max(350, 28 * len(names) + 150))
    else:
        fig.update_xaxes(type="category")
    return fig


def top_evidence(
    records: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    key: str,
    n: int = 3,
    score: str = "score",
) -> pd.DataFrame:
    """The ``n`` strongest pieces of evidence per value of ``key`` (need, stage...).

    Args:
        records: A record table (``doc_id``, ``passage_id``, ``key``, ``evidence`` or
            ``text``, optionally ``score``).
        documents: The documents table (for titles).
        key: The label column.
        n: Rows kept per label.
        score: Ranking column (ties and missing scores: document then offset order).

    Returns:
        ``key``, ``title``, ``passage_id``, ``evidence``, ``score``; sorted by label.
    """
    if n < 0:
        raise UsageError(f"n must be 0 or more, not {n}", code="E-PLOT-N")
    columns = [key, "title", "passage_id", "evidence", score]
    if len(records) == 0:
        return pd.DataFrame({c: pd.Series([], dtype="object") for c in columns})
    frame = records.copy()
    evidence = "evidence" if "evidence" in frame.columns else "text"
    frame["evidence"] = frame[evidence].fillna(frame.get("text", "")).astype(str)
    frame[score] = pd.to_numeric(frame[score], errors="coerce") if score in frame else 1.0
    titles = documents.set_index("doc_id")["title"] if "title" in documents.columns else None
    frame["title"] = frame["doc_id"].map(titles) if titles is not None else frame["doc_id"]
    order = [key, score, "doc_id", "passage_id"] + (["start"] if "start" in frame else [])
    ascending = [True, False, True, True] + ([True] if "start" in frame else [])
    frame = frame.sort_values(order, ascending=ascending, kind="stable", na_position="last")
    frame = frame.drop_duplicates([key, "passage_id"])
    return frame.groupby(key, sort=True).head(n)[columns].reset_index(drop=True)


def method_table(
    *, corpus_name: str, fingerprint: str, versions: dict[str, str | None], seed: int
) -> pd.DataFrame:
    """What a synthesis was computed with: corpus, fingerprint, seed, versions (French).

    Returns:
        Columns ``element`` and ``valeur``.
    """
    rows = [
        ("Corpus", corpus_name),
        ("Empreinte du corpus", fingerprint),
        ("Graine aléatoire (thèmes)", str(seed)),
        ("Modèle linguistique", f"fr_core_news_md {versions.get('fr_core_news_md') or '?'}"),
    ]
    rows += [(f"Version de {name}", str(version)) for name, version in sorted(versions.items())]
    return pd.DataFrame(rows, columns=["element", "valeur"])


# -- definitions ---------------------------------------------------------------------------


def select_definitions(
    definitions: pd.DataFrame, *, term: str = "", min_confidence: float = 0.0
) -> pd.DataFrame:
    """Definitions of one term (all if ``term`` is empty) at or above a confidence.

    The term is compared lower-cased and stripped; order is kept.
    """
    keep = pd.Series(True, index=definitions.index)
    if term.strip():
        keep &= definitions["term"].astype(str).str.strip().str.lower() == term.strip().lower()
    if "confidence" in definitions.columns:
        keep &= (
            pd.to_numeric(definitions["confidence"], errors="coerce").fillna(0) >= min_confidence
        )
    return definitions.loc[keep].reset_index(drop=True)


def definition_list(definitions: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Definitions with their document's title, for reading and CSV (stable order)."""
    titles = documents[["doc_id", "title"]] if "title" in documents.columns else None
    frame = (
        definitions.merge(titles, on="doc_id", how="left") if titles is not None else definitions
    )
    keep = [
        c
        for c in ("definition_id", "title", "term", "source", "year", "confidence", "cue", "text")
        if c in frame.columns
    ]
    order = [c for c in ("doc_id", "start", "definition_id") if c in frame.columns]
    return frame.sort_values(order, kind="stable")[keep].reset_index(drop=True)


def value_counts(frame: pd.DataFrame, column: str, *, missing: str = UNKNOWN) -> pd.DataFrame:
    """Rows per value of ``column``, most frequent first (ties by value).

    Returns:
        Columns ``column`` and ``n``.
    """
    values = frame[column].astype("string").fillna(missing).replace("", missing)
    counts = values.value_counts(sort=False).rename_axis(column).reset_index(name="n")
    return counts.sort_values(["n", column], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )


def dimensions_heatmap(
    table: pd.DataFrame,
    *,
    dimensions: dict[str, str],
    row_label: str,
    title: str,
    percent: bool = False,
) -> go.Figure:
    """Heatmap of a wide table whose columns include one per dimension.

    Args:
        table: Rows to show (e.g. :func:`corpus.extract.definitions.dimensions_table` or
            :func:`~corpus.extract.definitions.compare_by_source`), with a ``_row`` column
            naming each row, or ``source``.
        dimensions: ``{dimension id: French label}`` in column order.
        row_label: Title of the vertical axis.
        title: Figure title.
        percent: Values are shares in [0, 1], shown as percentages.
    """
    names = table["_row"] if "_row" in table.columns else table["source"]
    ids = [d for d in dimensions if d in table.columns]
    values = table[ids].astype(float).to_numpy() * (100 if percent else 1)
    fig = go.Figure(
        go.Heatmap(
            z=values.round(1).tolist(),
            x=[dimensions[d] for d in ids],
            y=[str(n) for n in names],
            colorscale="Greens",
            zmin=0,
            zmax=100 if percent else 1,
            showscale=percent,
            texttemplate="%{z}%" if percent else "",
            hovertemplate=f"{row_label} : %{{y}}<br>Dimension : %{{x}}<br>"
            + ("Part : %{z}%" if percent else "Codée : %{z}")
            + "<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis={"title": "Dimension", "tickangle": -35},
        yaxis={"title": row_label, "autorange": "reversed", "type": "category"},
        template="plotly_white",
        height=max(350, 30 * len(names) + 200),
        margin={"l": 220, "b": 160},
    )
    return fig


def definition_rows(definitions: pd.DataFrame, documents: pd.DataFrame) -> pd.Series:
    """A short readable name per definition: « source — term (document) »."""
    titles = dict(
        zip(documents["doc_id"], documents.get("title", documents["doc_id"]), strict=True)
    )
    names = []
    for row in definitions.itertuples(index=False):
        source = getattr(row, "source", None)
        source = source if isinstance(source, str) and source else "(sans source)"
        title = str(titles.get(row.doc_id) or row.doc_id)[:40]
        names.append(f"{source[:40]} — {row.term} ({title}, {row.definition_id})")
    return pd.Series(names, index=definitions.index, dtype="object")


# -- actors ----------------------------------------------------------------------------------


def _as_list(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return [value]
        return [str(v) for v in parsed] if isinstance(parsed, list) else [str(parsed)]
    return [str(v) for v in value]  # type: ignore[attr-defined]


def actor_list(actors: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Actors of each document with readable aliases and roles, for reading and CSV."""
    columns = ["actor_id", "title", "name", "aliases", "sector", "roles", "n_mentions", "kind"]
    if len(actors) == 0:
        return pd.DataFrame({c: pd.Series([], dtype="object") for c in columns})
    frame = actors.merge(documents[["doc_id", "title"]], on="doc_id", how="left")
    frame["aliases"] = ["; ".join(_as_list(v)) for v in frame["aliases"]]
    frame["roles"] = ["; ".join(_as_list(v)) for v in frame["roles"]]
    keep = [c for c in columns if c in frame.columns]
    return frame.sort_values(["actor_id"], kind="stable")[keep].reset_index(drop=True)


def network_tables(graph: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes and edges of a co-occurrence graph as tables (most mentioned first).

    Args:
        graph: A networkx graph from :func:`corpus.extract.actors.cooccurrence_network`.

    Returns:
        ``nodes`` (``node``, ``name``, ``sector``, ``roles``, ``n_mentions``,
        ``n_documents``, ``degree``) and ``edges`` (``source``, ``target``, ``weight``).
    """
    import networkx as nx

    assert isinstance(graph, nx.Graph)
    nodes = pd.DataFrame(
        [
            {
                "node": str(node),
                "name": str(data.get("name", node)),
                "sector": str(data.get("sector", "")),
                "roles": "; ".join(data.get("roles") or []),
                "n_mentions": int(data.get("n_mentions") or 0),
                "n_documents": int(data.get("n_documents") or 0),
                "degree": int(graph.degree(node)),
            }
            for node, data in graph.nodes(data=True)
        ],
        columns=["node", "name", "sector", "roles", "n_mentions", "n_documents", "degree"],
    )
    nodes = nodes.sort_values(["n_mentions", "node"], ascending=[False, True], kind="stable")
    edges = pd.DataFrame(
        sorted(
            (min(str(a), str(b)), max(str(a), str(b)), int(d.get("weight", 1)))
            for a, b, d in graph.edges(data=True)
        ),
        columns=["source", "target", "weight"],
    )
    return nodes.reset_index(drop=True), edges


def role_evidence(actors: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """One row per role of an actor with the cue and sentence that ground it.

    Returns:
        ``name``, ``role``, ``cue``, ``evidence``, ``title``; sorted by role then actor.
    """
    columns = ["name", "role", "cue", "evidence", "title"]
    titles = dict(zip(documents["doc_id"], documents["title"], strict=True))
    rows = []
    for actor in actors.to_dict("records"):
        for hit in _evidence_records(actor.get("evidence")):
            rows.append(
                {
                    "name": actor["name"],
                    "role": str(hit.get("role", "")),
                    "cue": str(hit.get("cue") or ""),
                    "evidence": str(hit.get("evidence") or ""),
                    "title": titles.get(actor["doc_id"], actor["doc_id"]),
                }
            )
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["role", "name", "title"], kind="stable").reset_index(drop=True)


def _evidence_records(value: object) -> list[dict[str, object]]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, dict)]


def with_lists(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """A copy whose list columns hold Python lists (Parquet gives back numpy arrays).

    Functions that test ``value or []`` on a list cell fail on an array read from the
    store; this makes store tables look like freshly built ones.
    """
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            out[column] = [_as_list(v) for v in out[column]]
    return out
