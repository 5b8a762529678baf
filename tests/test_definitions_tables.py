"""Document-level definitions (no spaCy model): finalize, dimensions table, comparison."""

from __future__ import annotations

import pandas as pd

from corpus.extract.definitions import (
    COLUMNS,
    UNATTRIBUTED,
    compare_by_source,
    dimensions_table,
    finalize_definitions,
)
from corpus.nlp.dimensions import DIMENSIONS, default_coder


def _passages(doc_id: str, texts: list[str]) -> pd.DataFrame:
    rows, start = [], 0
    for i, text in enumerate(texts):
        rows.append(
            {"passage_id": f"{doc_id}-{i:04d}", "doc_id": doc_id, "index": i, "start": start,
             "end": start + len(text), "text": text}
        )  # fmt: skip
        start += len(text) + 2
    return pd.DataFrame(rows)


def _record(passages: pd.DataFrame, i: int, text: str, term: str, **extra) -> dict:
    passage = passages.iloc[i]
    offset = passage["text"].index(text)
    row = {
        "doc_id": passage["doc_id"], "passage_id": passage["passage_id"],
        "start": int(passage["start"]) + offset, "end": int(passage["start"]) + offset + len(text),
        "term": term, "text": text, "cue": "être", "source": None, "year": None,
        "confidence": 0.7, "dimensions": ["novelty"],
    }  # fmt: skip
    row.update(extra)
    return row


def test_source_from_introducing_passage_and_ids() -> None:
    passages = _passages(
        "d1",
        [
            "Selon l'Observatoire de l'ESS, voici la définition de l'économie solidaire :",
            "« L'économie solidaire est un ensemble d'activités démocratiques. »",
            "Le réseau est une structure d'appui.",
        ],
    )
    raw = pd.DataFrame(
        [
            _record(passages, 1, "L'économie solidaire est un ensemble d'activités démocratiques.",
                    "économie solidaire"),
            _record(passages, 2, "Le réseau est une structure d'appui.", "réseau"),
        ]
    )  # fmt: skip
    table = finalize_definitions(raw, passages)
    assert list(table.columns[: len(COLUMNS)]) == list(COLUMNS)
    assert table["definition_id"].tolist() == ["d1-d001", "d1-d002"]
    assert table.loc[0, "source"] == "l'Observatoire de l'ESS"
    assert table.loc[1, "source"] is None or pd.isna(table.loc[1, "source"])
    assert table.loc[0, "confidence"] > 0.7


def test_source_line_credits_preceding_definitions() -> None:
    passages = _passages(
        "d2",
        [
            "Le circuit court est un mode de vente avec un intermédiaire au plus.",
            "Source : Ministère de l'Agriculture (2009)",
        ],
    )
    raw = pd.DataFrame([_record(passages, 0, passages.iloc[0]["text"], "circuit court")])
    table = finalize_definitions(raw, passages)
    assert table.loc[0, "source"] == "Ministère de l'Agriculture"
    assert table.loc[0, "year"] == 2009


def test_heading_introduces_next_passage() -> None:
    passages = _passages(
        "d3",
        [
            "Ce que nous entendons par économie de proximité",
            "Une économie fondée sur les échanges entre voisins et commerces du quartier. "
            "Elle privilégie les circuits courts.",
        ],
    )
    table = finalize_definitions(pd.DataFrame(), passages)
    assert table["term"].tolist() == ["économie de proximité"]
    assert table.loc[0, "text"].startswith("Une économie fondée")
    assert "territory" in table.loc[0, "dimensions"]


def test_overlaps_are_deduplicated() -> None:
    passages = _passages("d4", ["L'ESS est un ensemble d'entreprises. Elle est démocratique."])
    text = passages.iloc[0]["text"]
    raw = pd.DataFrame(
        [
            _record(passages, 0, text, "ess", confidence=0.9),
            _record(passages, 0, "L'ESS est un ensemble d'entreprises.", "ess", confidence=0.6),
        ]
    )
    table = finalize_definitions(raw, passages)
    assert len(table) == 1 and table.loc[0, "text"] == text


def test_empty_inputs() -> None:
    table = finalize_definitions(pd.DataFrame(), pd.DataFrame())
    assert list(table.columns) == list(COLUMNS) and len(table) == 0
    dims = dimensions_table(table)
    assert list(dims.columns) == ["definition_id", "doc_id", "term", "source", *DIMENSIONS]
    assert len(compare_by_source(table)) == 0


def test_dimensions_table_and_comparison() -> None:
    definitions = pd.DataFrame(
        {
            "definition_id": ["a-d001", "a-d002", "b-d001"],
            "doc_id": ["a", "a", "b"],
            "term": ["innovation sociale"] * 3,
            "text": ["t1", "t2", "t3"],
            "source": ["RQIS", None, "RQIS"],
            "year": pd.array([2011, None, None], dtype="Int64"),
            "confidence": [0.9, 0.5, 0.7],
            "dimensions": [["novelty", "territory"], ["process"], '["novelty"]'],
        }
    )
    dims = dimensions_table(definitions)
    assert dims["novelty"].tolist() == [True, False, True]
    assert dims["territory"].dtype == bool
    compared = compare_by_source(definitions, term="innovation sociale")
    assert compared["source"].tolist() == ["RQIS", UNATTRIBUTED]
    rqis = compared.iloc[0]
    assert rqis["n_definitions"] == 2 and rqis["novelty"] == 1.0 and rqis["territory"] == 0.5
    assert rqis["text"] == "t1" and rqis["years"] == "2011"


def test_code_text_without_parse() -> None:
    coder = default_coder()
    dims = coder.code_text(
        "Une réponse nouvelle à des besoins sociaux, co-construite avec les usagers, "
        "qui améliore durablement la vie du quartier et dont l'impact est mesuré."
    )
    assert {"social_need", "novelty", "participation", "durability", "territory"} <= set(dims)
    assert "measurable_impact" in dims
    assert coder.code_text("Le comité se réunit mardi.") == []
