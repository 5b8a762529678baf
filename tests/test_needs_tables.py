"""Document-level needs and stages, aggregations, and their heatmaps (no spaCy)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from corpus.extract.needs import DOC_NEEDS_COLUMNS, document_needs, needs_by
from corpus.extract.stages import DOC_STAGES_COLUMNS, document_stages, stages_by
from corpus.plots.extraction import (
    need_labels,
    needs_by_heatmap,
    needs_heatmap,
    stage_labels,
    stages_by_heatmap,
    stages_heatmap,
)


def needs_records() -> pd.DataFrame:
    rows = [
        # d1: one strong mention of logement; three weak mentions of santé (1.5 < 2).
        ("d1", "d1-0000", "logement", 1.0),
        ("d1", "d1-0001", "sante", 0.5),
        ("d1", "d1-0002", "sante", 0.5),
        ("d1", "d1-0002", "sante", 0.5),
        # d2: weak mentions adding up to 2 in two passages; one heading mention.
        ("d2", "d2-0000", "emploi", 0.5),
        ("d2", "d2-0000", "emploi", 0.5),
        ("d2", "d2-0001", "emploi", 1.0),
        ("d2", "d2-0001", "culture", 0.3),
        # d3: a cue-doubled generic word.
        ("d3", "d3-0000", "logement", 2.0),
    ]
    return pd.DataFrame(rows, columns=["doc_id", "passage_id", "need", "score"])


def documents() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": ["d1", "d2", "d3", "d4"],
            "title": ["Un", "Deux", "Trois", "Quatre"],
            "genre": ["news", "report", "news", None],
            "year": pd.array([2020, 2021, 2020, None], dtype="Int64"),
        }
    )


def test_document_needs_rule_and_counts() -> None:
    out = document_needs(needs_records())
    assert tuple(out.columns) == DOC_NEEDS_COLUMNS
    got = {(r.doc_id, r.need): (r.n_passages, r.n_mentions, r.score) for r in out.itertuples()}
    assert got == {
        ("d1", "logement"): (1, 1, 1.0),
        ("d2", "emploi"): (2, 3, 2.0),
        ("d3", "logement"): (1, 1, 2.0),
    }
    # A side need of a document about something else is dropped (1 < 0.15 * 7.5)...
    side = pd.concat(
        [
            needs_records(),
            pd.DataFrame(
                [("d3", f"d3-{i:04d}", "logement", 1.5) for i in range(1, 5)],
                columns=["doc_id", "passage_id", "need", "score"],
            ),
            pd.DataFrame(
                [("d3", "d3-0009", "mobilite", 1.0)],
                columns=["doc_id", "passage_id", "need", "score"],
            ),
        ]
    )
    kept = set(zip(*[document_needs(side)[c] for c in ("doc_id", "need")], strict=True))
    assert ("d3", "mobilite") not in kept and ("d3", "logement") in kept
    # ...unless the salience test is disabled.
    kept = set(
        zip(*[document_needs(side, min_share=0)[c] for c in ("doc_id", "need")], strict=True)
    )
    assert ("d3", "mobilite") in kept
    # Thresholds are parameters.
    loose = document_needs(needs_records(), strong=0.5)
    assert ("d1", "sante") in set(zip(loose.doc_id, loose.need, strict=True))


def test_document_needs_empty() -> None:
    empty = pd.DataFrame(columns=["doc_id", "passage_id", "need", "score"])
    out = document_needs(empty)
    assert len(out) == 0 and tuple(out.columns) == DOC_NEEDS_COLUMNS


def test_needs_by_genre_and_year() -> None:
    by_genre = needs_by(needs_records(), documents(), by="genre")
    rows = {(r.genre, r.need): (r.n_documents, r.share) for r in by_genre.itertuples()}
    assert rows == {("news", "logement"): (2, 1.0), ("report", "emploi"): (1, 1.0)}
    by_year = needs_by(document_needs(needs_records()), documents(), by="year")
    assert set(by_year["year"]) == {"2020", "2021"}
    with pytest.raises(KeyError):
        needs_by(needs_records(), documents(), by="nope")


def stages_records() -> pd.DataFrame:
    rows = [
        ("d1", "d1-0000", "emergence", 1.0),
        ("d1", "d1-0001", "diffusion", 0.5),
        ("d1", "d1-0001", "coconstruction", 0.5),
        ("d1", "d1-0002", "coconstruction", 0.5),
        ("d2", "d2-0000", "evaluation", 1.0),
    ]
    return pd.DataFrame(rows, columns=["doc_id", "passage_id", "stage", "weight"])


def test_document_stages_and_by() -> None:
    out = document_stages(stages_records())
    assert tuple(out.columns) == DOC_STAGES_COLUMNS
    assert set(zip(out.doc_id, out.stage, strict=True)) == {
        ("d1", "emergence"),
        ("d1", "coconstruction"),
        ("d2", "evaluation"),
    }
    row = out[(out.doc_id == "d1") & (out.stage == "coconstruction")].iloc[0]
    assert (row.n_passages, row.n_mentions) == (2, 2)
    by = stages_by(stages_records(), documents(), by="genre")
    assert set(zip(by.genre, by.stage, strict=True)) == {
        ("news", "emergence"),
        ("news", "coconstruction"),
        ("report", "evaluation"),
    }
    assert by.loc[by.stage == "emergence", "share"].item() == 0.5  # 1 of 2 news documents


def test_needs_heatmap_axes() -> None:
    fig = needs_heatmap(document_needs(needs_records()), documents())
    assert isinstance(fig, go.Figure)
    trace = fig.data[0]
    assert list(trace.x) == list(need_labels().values())  # every need, taxonomy order
    assert list(trace.y) == ["Un", "Deux", "Trois", "Quatre"]  # every document
    z = pd.DataFrame(trace.z, index=trace.y, columns=trace.x)
    assert z.loc["Deux", need_labels()["emploi"]] == 2.0
    assert z.loc["Quatre"].sum() == 0
    assert fig.layout.xaxis.title.text == "Besoin social"


def test_by_heatmaps_axes() -> None:
    fig = needs_by_heatmap(needs_by(needs_records(), documents(), by="genre"), by="genre")
    assert list(fig.data[0].y) == ["news", "report"]
    assert fig.layout.yaxis.title.text == "Genre"
    assert "genre" in fig.layout.title.text
    fig = stages_by_heatmap(stages_by(stages_records(), documents(), by="genre"), by="genre")
    assert list(fig.data[0].x) == list(stage_labels().values())
    fig = stages_heatmap(document_stages(stages_records()))
    assert list(fig.data[0].y) == ["d1", "d2"]
    assert tuple(fig.data[0].x[:1]) == ("Émergence",)


def test_heatmaps_of_empty_tables() -> None:
    fig = needs_heatmap(document_needs(pd.DataFrame(columns=["doc_id", "need", "score"])))
    assert list(fig.data[0].x) == list(need_labels().values()) and list(fig.data[0].y) == []
