"""Figures of the actors: the co-occurrence network and the sectors of actor types.

Functions take the results of :mod:`corpus.extract.actors` (a networkx graph from
:func:`~corpus.extract.actors.cooccurrence_network`, the ``actors`` or
``doc_actor_types`` tables) and return Plotly figures with French labels. Layouts use a
fixed seed, so the same graph gives the same figure.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import pandas as pd
import plotly.graph_objects as go

from corpus.extract.actors import as_list

#: French labels of the sectors (FORMAT.md ids), in display order.
SECTOR_LABELS: dict[str, str] = {
    "public": "Public",
    "entreprise": "Entreprises",
    "ess": "Économie sociale et solidaire",
    "recherche": "Recherche",
    "citoyens": "Citoyens",
    "autre": "Autres",
}

#: French labels of the roles.
ROLE_LABELS: dict[str, str] = {
    "porteur": "porteur",
    "bailleur": "bailleur de fonds",
    "partenaire": "partenaire de soutien",
    "preneur": "preneur",
}

#: One colour per sector (colour-blind safe palette).
SECTOR_COLOURS: dict[str, str] = {
    "public": "#0072B2",
    "entreprise": "#E69F00",
    "ess": "#009E73",
    "recherche": "#CC79A7",
    "citoyens": "#D55E00",
    "autre": "#999999",
}


def _hover(name: str, data: dict[str, Any]) -> str:
    roles = ", ".join(ROLE_LABELS.get(r, r) for r in data.get("roles") or []) or "aucun"
    sector = SECTOR_LABELS.get(str(data.get("sector")), str(data.get("sector")))
    return (
        f"<b>{name}</b><br>Secteur : {sector}<br>Rôles : {roles}"
        f"<br>Mentions : {int(data.get('n_mentions') or 0)}"
    )


def network_figure(
    graph: nx.Graph,
    *,
    title: str = "Réseau des acteurs (co-présence dans un même passage)",
    seed: int = 42,
    min_weight: int = 1,
    max_labels: int = 30,
) -> go.Figure:
    """The actor co-occurrence network: nodes coloured by sector, sized by mentions.

    Args:
        graph: From :func:`corpus.extract.actors.cooccurrence_network`.
        title: Figure title.
        seed: Seed of the spring layout (same seed, same picture).
        min_weight: Edges with a smaller weight are not drawn.
        max_labels: Names written on the figure: the most mentioned actors only (the
            others show their name on hover), so a large network stays readable.

    Returns:
        A Plotly figure (one legend entry per sector present; hover gives the name,
        sector, roles and mentions). An empty graph gives an empty figure with a note.
    """
    fig = go.Figure()
    fig.update_layout(
        title=title,
        showlegend=True,
        legend_title_text="Secteur",
        xaxis={"visible": False},
        yaxis={"visible": False},
        plot_bgcolor="white",
        hovermode="closest",
    )
    if graph.number_of_nodes() == 0:
        fig.add_annotation(text="Aucun acteur nommé", showarrow=False, x=0.5, y=0.5)
        return fig
    positions = nx.spring_layout(graph, seed=seed, weight="weight")
    ranked = sorted(
        graph.nodes, key=lambda n: (-int(graph.nodes[n].get("n_mentions") or 0), str(n))
    )
    labelled = set(ranked[:max_labels])
    max_weight = max((d.get("weight", 1) for _, _, d in graph.edges(data=True)), default=1)
    for a, b, data in sorted(graph.edges(data=True), key=lambda e: (str(e[0]), str(e[1]))):
        weight = data.get("weight", 1)
        if weight < min_weight:
            continue
        (xa, ya), (xb, yb) = positions[a], positions[b]
        fig.add_trace(
            go.Scatter(
                x=[xa, xb],
                y=[ya, yb],
                mode="lines",
                line={"width": 0.5 + 3.5 * weight / max_weight, "color": "#BBBBBB"},
                hoverinfo="text",
                text=f"{graph.nodes[a].get('name', a)} – {graph.nodes[b].get('name', b)} : "
                f"{weight} passage(s)",
                showlegend=False,
            )
        )
    for sector, label in SECTOR_LABELS.items():
        nodes = sorted(
            (n for n, d in graph.nodes(data=True) if d.get("sector", "autre") == sector), key=str
        )
        if not nodes:
            continue
        fig.add_trace(
            go.Scatter(
                x=[positions[n][0] for n in nodes],
                y=[positions[n][1] for n in nodes],
                mode="markers+text",
                name=label,
                text=[str(graph.nodes[n].get("name", n)) if n in labelled else "" for n in nodes],
                textposition="top center",
                hovertext=[
                    _hover(str(graph.nodes[n].get("name", n)), graph.nodes[n]) for n in nodes
                ],
                hoverinfo="text",
                marker={
                    "size": [
                        10 + 6 * math.sqrt(graph.nodes[n].get("n_mentions", 1) or 1) for n in nodes
                    ],
                    "color": SECTOR_COLOURS[sector],
                    "line": {"width": 1, "color": "white"},
                },
            )
        )
    return fig


def _has_role(roles: list[str], role: str | None) -> bool:
    return role in roles if role else not roles


def sectors_figure(actors: pd.DataFrame, *, title: str = "Acteurs nommés par secteur") -> go.Figure:
    """Bar chart of named actors per sector, split by role.

    Args:
        actors: The ``actors`` table (``sector``, ``roles``).
        title: Figure title.

    Returns:
        A stacked bar chart (sectors in FORMAT.md order; "sans rôle" for actors the text
        gives no role).
    """
    fig = go.Figure()
    fig.update_layout(
        title=title,
        barmode="stack",
        xaxis_title="Secteur",
        yaxis_title="Acteurs",
        legend_title_text="Rôle",
    )
    sectors = list(SECTOR_LABELS)
    labels = [SECTOR_LABELS[s] for s in sectors]
    rows = actors.to_dict("records") if actors is not None and len(actors) else []
    for role in [*ROLE_LABELS, None]:
        counts = [
            sum(
                1 for r in rows if r.get("sector") == s and _has_role(as_list(r.get("roles")), role)
            )
            for s in sectors
        ]
        fig.add_trace(go.Bar(x=labels, y=counts, name=ROLE_LABELS[role] if role else "sans rôle"))
    return fig
