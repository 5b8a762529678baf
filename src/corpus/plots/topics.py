"""Topic figures (Plotly, French labels): functions that take a fitted result.

Each function takes a :class:`corpus.topics.api.TopicResult` (or its tables) and returns a
``plotly.graph_objects.Figure``; :func:`save_figures` writes them as HTML and, when
kaleido can start a browser, as PNG.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

logger = logging.getLogger(__name__)


def topic_sizes(topics: pd.DataFrame) -> go.Figure:
    """Horizontal bars: passages per topic, labelled."""
    table = topics.sort_values("size", ascending=True, kind="stable")
    names = [f"{t} · {label}" for t, label in zip(table["topic"], table["label"], strict=True)]
    fig = go.Figure(go.Bar(x=table["size"], y=names, orientation="h"))
    fig.update_layout(
        title="Thèmes : nombre de passages",
        xaxis_title="Passages",
        height=max(300, 28 * len(table) + 120),
    )
    return fig


def topic_terms(topics: pd.DataFrame, *, n_terms: int = 8, max_topics: int = 12) -> go.Figure:
    """One small bar chart of term weights per topic."""
    from plotly.subplots import make_subplots

    table = topics[topics["topic"] != -1].head(max_topics)
    cols = 3
    rows = max(1, -(-len(table) // cols))
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[
            f"{t} · {lab}" for t, lab in zip(table["topic"], table["label"], strict=True)
        ],
    )
    for i, row in enumerate(table.itertuples()):
        terms = list(row.terms)[:n_terms][::-1]  # type: ignore[arg-type]
        weights = list(row.weights)[:n_terms][::-1]  # type: ignore[arg-type]
        fig.add_trace(
            go.Bar(x=weights, y=terms, orientation="h", showlegend=False),
            row=i // cols + 1,
            col=i % cols + 1,
        )
    fig.update_layout(title="Termes des thèmes (c-TF-IDF)", height=260 * rows + 80)
    return fig


def topics_by_class(table: pd.DataFrame, *, field_label: str = "Classe") -> go.Figure:
    """Stacked bars: share of each topic within each class (from ``per_class``)."""
    fig = go.Figure()
    for topic, group in table.groupby("topic", sort=True):
        label = group["label"].iloc[0] if "label" in group else str(topic)
        fig.add_trace(go.Bar(x=group["class"], y=group["share"], name=f"{topic} · {label}"))
    fig.update_layout(
        barmode="stack",
        title=f"Thèmes par {field_label.lower()}",
        xaxis_title=field_label,
        yaxis_title="Part des passages",
    )
    return fig


def topics_over_time(table: pd.DataFrame) -> go.Figure:
    """Lines: share of each topic per year (from ``over_time``)."""
    fig = go.Figure()
    for topic, group in table.groupby("topic", sort=True):
        label = group["label"].iloc[0] if "label" in group else str(topic)
        fig.add_trace(
            go.Scatter(
                x=group["year"], y=group["share"], mode="lines+markers", name=f"{topic} · {label}"
            )
        )
    fig.update_layout(
        title="Thèmes dans le temps", xaxis_title="Année", yaxis_title="Part des passages"
    )
    return fig


def topic_hierarchy(result: Any) -> go.Figure | None:
    """Dendrogram of the topics (``None`` with fewer than three topics).

    The figure of BERTopic's ``visualize_hierarchy`` (Ward linkage of the cosine distances
    between the topics' c-TF-IDF rows; hover text naming the merged topics after
    ``result.hierarchy()``), with our labels (``id · label``), drawn from the c-TF-IDF
    matrix alone: a result served from the fit cache draws it without importing BERTopic.
    """
    from corpus.topics.io import topic_ctfidf

    model = result.model
    if model.n_topics_ < 3:
        return None
    hierarchy = result.hierarchy()
    labels = dict(zip(result.topics["topic"], result.topics["label"], strict=True))
    inverse = {pub: internal for internal, pub in model.id_map_.items()}
    custom = {inverse[t]: f"{t} · {lab}" for t, lab in labels.items() if t in inverse}
    ctfidf = topic_ctfidf(model)
    names = {t: custom.get(t) or ctfidf.labels.get(t, str(t)) for t in ctfidf.topics}
    return _dendrogram(ctfidf, names, hierarchy, title="<b>Hiérarchie des thèmes</b>")


def _dendrogram(
    ctfidf: Any, names: dict[int, str], hierarchy: pd.DataFrame, *, title: str
) -> go.Figure:
    """BERTopic's ``visualize_hierarchy`` (0.17, ``orientation="left"``, every topic,
    custom labels, ``hierarchical_topics`` given, default distance and linkage), on the
    c-TF-IDF rows of :func:`corpus.topics.io.topic_ctfidf`.
    """
    import numpy as np
    from plotly import figure_factory as ff
    from scipy.cluster import hierarchy as sch
    from sklearn.metrics.pairwise import cosine_similarity

    topics = sorted(t for t in ctfidf.sizes if t != -1)
    indices = np.array([ctfidf.topics.index(t) for t in topics])
    embeddings = ctfidf.matrix[indices]
    n = embeddings.shape[0]

    def distance(x: Any) -> Any:
        return _condensed(1 - cosine_similarity(x), n)

    def linkage(x: Any) -> Any:
        return sch.linkage(x, "ward", optimal_ordering=True)

    fig = ff.create_dendrogram(
        embeddings,
        orientation="left",
        distfun=distance,
        linkagefun=linkage,
        hovertext=_merge_names(hierarchy, distance(embeddings), linkage, names),
        color_threshold=1,
    )
    fig.update_layout(
        plot_bgcolor="#ECEFF1",
        template="plotly_white",
        title={
            "text": f"{title}",
            "x": 0.5,
            "xanchor": "center",
            "yanchor": "top",
            "font": {"size": 22, "color": "Black"},
        },
        hoverlabel={"bgcolor": "white", "font_size": 16, "font_family": "Rockwell"},
    )
    tick_labels = [names[topics[int(x)]] for x in fig.layout["yaxis"]["ticktext"]]
    fig.update_layout(
        height=200 + (15 * len(topics)),
        width=1000,
        yaxis={"tickmode": "array", "ticktext": tick_labels},
    )
    y_max = max([trace["y"].max() + 5 for trace in fig["data"]])
    y_min = min([trace["y"].min() - 5 for trace in fig["data"]])
    fig.update_layout(yaxis={"range": [y_min, y_max]})
    for index in [0, 3]:  # markers on the merges, with their hover text
        merges = [data for data in fig.data if (data["text"] and data["x"][index] > 0)]
        fig.add_trace(
            go.Scatter(
                x=[data["x"][index] for data in merges],
                y=[data["y"][index] for data in merges],
                marker_color="black",
                hovertext=[data["text"][index] for data in merges],
                hoverinfo="text",
                mode="markers",
                showlegend=False,
            )
        )
    return fig


def _condensed(matrix: Any, n: int) -> Any:
    """A square distance matrix as a condensed one (BERTopic's ``validate_distance_matrix``).

    Raises:
        ValueError: Wrong shape, or a negative distance.
    """
    import numpy as np
    from scipy.spatial.distance import squareform

    if matrix.shape != (n, n):
        raise ValueError(
            "The distance matrix must be of shape (n, n) where n is the number of samples."
        )
    np.fill_diagonal(matrix, 0)
    condensed = squareform(matrix)
    if np.any(condensed < 0):
        raise ValueError("Distance matrix cannot contain negative values.")
    return condensed


def _merge_names(
    hierarchy: pd.DataFrame, distances: Any, linkage: Any, names: dict[int, str]
) -> list[list[str]]:
    """Hover text of each merge of the dendrogram: the names of its two branches.

    A branch of one topic is named by its label; a branch of merged topics by the
    ``Parent_Name`` of the hierarchy row with the same topics (BERTopic's
    ``_get_annotations``, whose quirks it keeps: a branch matching no row keeps the name
    given before).
    """
    import numpy as np
    from scipy.cluster import hierarchy as sch

    frame = hierarchy.loc[hierarchy.Parent_Name != "Top", :]
    tree = sch.dendrogram(linkage(distances), orientation="left", no_plot=True)
    x_ticks = np.arange(5, len(tree["leaves"]) * 10 + 5, 10)
    topic_vals: dict[Any, list[int]] = {
        val: [key] for key, val in zip(tree["leaves"], x_ticks, strict=True)
    }
    parent_topic = dict(zip(frame.Parent_ID, frame.Topics, strict=True))

    def name(branch: list[int], previous: str | None) -> str | None:
        if len(branch) == 1:
            return names[branch[0]]
        found = previous
        for key, value in parent_topic.items():
            if set(value) == set(branch):
                found = frame.loc[frame.Parent_ID == key, "Parent_Name"].values[0]
        return found

    text: list[list[str]] = []
    first: str | None = None
    second: str | None = None
    for trace in tree["icoord"]:
        left, right = topic_vals[trace[0]], topic_vals[trace[2]]
        first, second = name(left, first), name(right, second)
        text.append([first, "", "", second])  # type: ignore[list-item]
        topic_vals[(trace[0] + trace[2]) / 2] = left + right
    return text


def save_figure(fig: go.Figure, path: Path, *, png: bool = True) -> list[Path]:
    """Write ``fig`` as HTML (always) and PNG (when kaleido and a browser work).

    Returns:
        The files written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    html = path.with_suffix(".html")
    fig.write_html(str(html), include_plotlyjs="cdn", full_html=True)
    written = [html]
    if png:
        try:
            fig.write_image(str(path.with_suffix(".png")))
            written.append(path.with_suffix(".png"))
        except Exception as exc:  # kaleido 1.x needs Chrome; degrade, never crash
            logger.warning(
                "PNG not written for %s (%s): install Chrome/Chromium for kaleido, "
                "or use the HTML file",
                path.name,
                type(exc).__name__,
            )
    return written


def save_figures(
    result: Any, out: Path, *, fields: list[str] | None = None, png: bool = True
) -> list[str]:
    """Write the topic figures of ``result`` into ``out``; return one line per file."""
    figures: dict[str, go.Figure | None] = {
        "topic_sizes": topic_sizes(result.topics),
        "topic_terms": topic_terms(result.topics),
        "topic_hierarchy": topic_hierarchy(result),
    }
    over_time = result.over_time()
    if len(over_time):
        figures["topics_over_time"] = topics_over_time(over_time)
    for name in fields or []:
        figures[f"topics_by_{name}"] = topics_by_class(result.per_class(name), field_label=name)
    lines = []
    for name, fig in figures.items():
        if fig is None:
            continue
        for file in save_figure(fig, Path(out) / name, png=png):
            lines.append(f"wrote {file}")
    return lines
