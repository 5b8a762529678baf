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
    """BERTopic's dendrogram of topics (``None`` with fewer than three topics)."""
    model = result.model
    if model.n_topics_ < 3:
        return None
    hierarchy = result.hierarchy()
    labels = dict(zip(result.topics["topic"], result.topics["label"], strict=True))
    inverse = {pub: internal for internal, pub in model.id_map_.items()}
    custom = {inverse[t]: f"{t} · {lab}" for t, lab in labels.items() if t in inverse}
    bt = model.bertopic_
    bt.set_topic_labels(custom)
    fig = bt.visualize_hierarchy(
        hierarchical_topics=hierarchy, custom_labels=True, title="<b>Hiérarchie des thèmes</b>"
    )
    return fig


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
