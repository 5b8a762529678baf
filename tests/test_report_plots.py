"""The corpus figures and report tables of :mod:`corpus.plots.corpus` (no store, no model)."""

from __future__ import annotations

import pandas as pd
import pytest

from corpus.errors import UsageError
from corpus.plots import corpus as corpus_plots


@pytest.fixture
def documents() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": ["d3", "d1", "d2", "d4"],
            "path": ["c.txt", "a.txt", "b.md", "d.html"],
            "title": ["C", "A", "B", "D"],
            "genre": ["report", "news", "report", None],
            "region": ["Québec", "France", "Québec", "Belgique"],
            "year": pd.array([2019, 2021, None, 2019], dtype="Int64"),
            "language": ["fr", "fr", "fr", "en"],
            "is_french": [True, True, True, False],
            "n_words": [10, 20, 30, 40],
            "n_passages": [1, 2, 3, 4],
            "text": ["x", "y", "z", "w"],
        }
    )


def test_counts_by_genre_in_french_sorted(documents: pd.DataFrame) -> None:
    counts = corpus_plots.counts_by(documents, "genre")
    assert counts.to_dict("list") == {
        "genre": ["(non renseigné)", "Actualité", "Rapport"],
        "documents": [1, 1, 2],
    }


def test_counts_by_year_keeps_missing_years(documents: pd.DataFrame) -> None:
    counts = corpus_plots.counts_by(documents, "year")
    assert dict(zip(counts["year"], counts["documents"], strict=True)) == {
        "(non renseigné)": 1,
        "2019": 2,
        "2021": 1,
    }


def test_unknown_field_is_a_clear_error(documents: pd.DataFrame) -> None:
    with pytest.raises(UsageError, match=r"E-PLOT-FIELD.*no field 'couleur'.*genre"):
        corpus_plots.documents_by(documents, "couleur")


def test_documents_by_figure_data_and_labels(documents: pd.DataFrame) -> None:
    fig = corpus_plots.documents_by(documents, "region")
    assert list(fig.data[0].x) == ["Belgique", "France", "Québec"]
    assert list(fig.data[0].y) == [1, 1, 2]
    assert fig.layout.title.text == "Documents par région"
    assert fig.layout.yaxis.title.text == "Nombre de documents"


def test_heatmap_by_counts_pairs(documents: pd.DataFrame) -> None:
    fig = corpus_plots.heatmap_by(documents, "genre", "region")
    trace = fig.data[0]
    assert list(trace.y) == ["(non renseigné)", "Actualité", "Rapport"]
    assert list(trace.x) == ["Belgique", "France", "Québec"]
    assert [list(r) for r in trace.z] == [[1, 0, 0], [0, 1, 0], [0, 0, 2]]


def test_summary_counts(documents: pd.DataFrame) -> None:
    passages = pd.DataFrame({"passage_id": ["p1", "p2"]})
    rejected = pd.DataFrame({"path": ["x.bin"], "code": ["E"], "reason": ["r"]})
    duplicates = pd.DataFrame({"kind": ["exact", "near", "near"]})
    table = corpus_plots.summary(documents, passages, rejected, duplicates)
    values = dict(zip(table["indicateur"], table["valeur"], strict=True))
    assert values["Documents ingérés"] == 4
    assert values["dont en français"] == 3
    assert values["Passages"] == 2
    assert values["Mots"] == 100
    assert values["Fichiers rejetés"] == 1
    assert values["Paires de doublons exacts"] == 1
    assert values["Paires de quasi-doublons"] == 2


def test_document_list_drops_text_and_sorts_by_path(documents: pd.DataFrame) -> None:
    listed = corpus_plots.document_list(documents)
    assert "text" not in listed.columns
    assert listed["path"].tolist() == ["a.txt", "b.md", "c.txt", "d.html"]


def test_top_evidence_keeps_the_strongest_per_label(documents: pd.DataFrame) -> None:
    needs = pd.DataFrame(
        {
            "doc_id": ["d1", "d2", "d3", "d1"],
            "passage_id": ["d1-0", "d2-0", "d3-0", "d1-1"],
            "need": ["logement", "logement", "logement", "emploi"],
            "evidence": ["e1", "e2", "e3", "e4"],
            "score": [0.5, 2.0, 1.0, 1.0],
            "start": [0, 0, 0, 5],
        }
    )
    top = corpus_plots.top_evidence(needs, documents, key="need", n=2)
    assert top["need"].tolist() == ["emploi", "logement", "logement"]
    assert top["evidence"].tolist() == ["e4", "e2", "e3"]
    assert top["title"].tolist() == ["A", "B", "C"]
    with pytest.raises(UsageError):
        corpus_plots.top_evidence(needs, documents, key="need", n=-1)


def test_labels_are_french() -> None:
    assert corpus_plots.label("petite_enfance") == "Petite enfance et familles"
    assert corpus_plots.label("call") == "Appel à projets"
    assert corpus_plots.label("inconnu_x") == "inconnu_x"
    assert corpus_plots.label(None) == "(non renseigné)"
