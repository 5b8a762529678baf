"""Lexicometry figures (Plotly, French labels): specificities, Reinert's tree, CA map."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from corpus.lexico.reinert import class_tree


def specificities_heatmap(
    scores: pd.DataFrame, *, top_n: int = 8, clip: float = 10.0, title: str | None = None
) -> go.Figure:
    """Heatmap of the ``top_n`` most specific lemmas of each modality.

    Args:
        scores: Lemmas × modalities specificities (``Corpus.specificities``).
        top_n: Lemmas kept per modality (highest scores).
        clip: Colour scale bounds (``±inf`` shown at the bound).
        title: Figure title.
    """
    chosen: list[str] = []
    for column in scores.columns:
        for lemma in scores[column].sort_values(ascending=False, kind="stable").index[:top_n]:
            if lemma not in chosen:
                chosen.append(lemma)
    table = scores.loc[chosen]
    values = np.clip(table.to_numpy(dtype=float), -clip, clip)
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=[str(c) for c in table.columns],
            y=chosen,
            colorscale="RdBu",
            reversescale=True,
            zmid=0,
            zmin=-clip,
            zmax=clip,
            text=np.round(table.to_numpy(dtype=float), 1),
            hovertemplate="%{y} · %{x} : %{text}<extra></extra>",
            colorbar={"title": "Spécificité"},
        )
    )
    fig.update_layout(
        title=title or "Spécificités (Lafon) des lemmes par modalité",
        yaxis={"autorange": "reversed"},
        height=max(400, 18 * len(chosen) + 150),
    )
    return fig


def _layout(tree: dict[int, Any]) -> tuple[dict[int, float], dict[int, float]]:
    """x (leaf order) and y (depth) of each node of the class tree."""
    x: dict[int, float] = {}
    y: dict[int, float] = {}
    counter = [0]

    def walk(node: int, depth: int) -> float:
        children = tree[node]["children"]
        y[node] = -depth
        if not children:
            x[node] = counter[0]
            counter[0] += 1
        else:
            x[node] = float(np.mean([walk(child, depth + 1) for child in children]))
        return x[node]

    walk(1, 0)
    return x, y


def reinert_dendrogram(result: Any, *, n_terms: int = 5) -> go.Figure:
    """The tree of Reinert's splits, final classes labelled with their top lemmas.

    Args:
        result: A :class:`corpus.lexico.classes.ReinertResult` (simple classification).
        n_terms: Lemmas shown per class.
    """
    model = result.model
    classes = getattr(model, "classes_", None)
    if classes is None:  # a double classification: the tree of its first fit
        classes = model.first_.classes_
    tree = class_tree(result.splits, classes)
    x, y = _layout(tree)
    tops = result.top_lemmas(n_terms)
    sizes = dict(zip(result.classes["class"], result.classes["size"], strict=True))
    fig = go.Figure()
    for node, info in tree.items():
        for child in info["children"]:
            fig.add_trace(
                go.Scatter(
                    x=[x[node], x[child], x[child]],
                    y=[y[node], y[node], y[child]],
                    mode="lines",
                    line={"color": "#777"},
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
    leaves = [n for n, info in tree.items() if not info["children"]]
    labels, colours = [], []
    for node in leaves:
        number = tree[node]["class"]
        if number:
            words = ", ".join(tops.get(number, []))
            labels.append(f"Classe {number} ({sizes.get(number, 0)})<br>{words}")
        else:
            labels.append(f"nœud {node} : non retenu")
        colours.append(number)
    fig.add_trace(
        go.Scatter(
            x=[x[n] for n in leaves],
            y=[y[n] for n in leaves],
            mode="markers+text",
            marker={"size": 14, "color": colours, "colorscale": "Turbo"},
            text=labels,
            textposition="bottom center",
            hovertext=labels,
            hoverinfo="text",
            showlegend=False,
        )
    )
    fig.update_layout(
        title="Classification descendante hiérarchique (Reinert)",
        xaxis={"visible": False},
        yaxis={"visible": False},
        height=520,
        margin={"b": 140},
    )
    return fig


def ca_map(result: Any, *, n_lemmas: int = 40, title: str | None = None) -> go.Figure:
    """First factorial plane: modalities and the most frequent lemmas.

    Args:
        result: A :class:`corpus.lexico.correspondence.CorrespondenceResult`.
        n_lemmas: Lemmas shown (the most frequent).
        title: Figure title.
    """
    rows = result.rows.sort_values("frequency", ascending=False, kind="stable").head(n_lemmas)
    has_two = "dim2" in rows.columns
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=rows["dim1"],
            y=rows["dim2"] if has_two else np.zeros(len(rows)),
            mode="text",
            text=rows.index,
            textfont={"color": "#1f77b4"},
            name="Lemmes",
        )
    )
    cols = result.columns
    fig.add_trace(
        go.Scatter(
            x=cols["dim1"],
            y=cols["dim2"] if has_two else np.zeros(len(cols)),
            mode="markers+text",
            text=[str(c) for c in cols.index],
            textposition="top center",
            marker={"size": 12, "color": "#d62728", "symbol": "diamond"},
            name="Modalités",
        )
    )
    eig = result.eigenvalues
    axis = [f"Axe {i + 1} ({p:.1f} %)" for i, p in enumerate(eig["percent"])]
    fig.update_layout(
        title=title or "Analyse des correspondances : lemmes et modalités",
        xaxis_title=axis[0],
        yaxis_title=axis[1] if len(axis) > 1 else "",
        height=600,
    )
    return fig


def contingency_heatmap(table: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Segments in each Reinert class × BERTopic topic."""
    fig = go.Figure(
        go.Heatmap(
            z=table.to_numpy(),
            x=[f"thème {c}" for c in table.columns],
            y=[f"classe {r}" for r in table.index],
            colorscale="Blues",
            text=table.to_numpy(),
            texttemplate="%{text}",
            colorbar={"title": "Segments"},
        )
    )
    fig.update_layout(
        title=title or "Classes de Reinert × thèmes BERTopic (segments)",
        yaxis={"autorange": "reversed"},
        height=max(350, 40 * len(table) + 150),
    )
    return fig
