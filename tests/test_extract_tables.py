"""Records -> tables: document offsets, JSON for nested fields, types, Parquet round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import spacy

from corpus.extract.annotate import AnnotatedUnit, Unit, prepare_text
from corpus.extract.tables import (
    RECORD_FIELDS,
    SKIPPED_COLUMNS,
    frame_from_rows,
    records_to_frames,
    skipped_table,
)
from corpus.nlp import RECORD_KEYS, register_extensions
from corpus.store import Store

register_extensions()
BLANK = spacy.blank("fr")

DOC_TEXT = "Titre.\n\nLa Fondation Chagnon finance le projet. Les besoins en logement."
P0 = ("d1-0000", "d1", 0, 6)  # "Titre."
P1 = ("d1-0001", "d1", 8, len(DOC_TEXT))


def _passages() -> pd.DataFrame:
    rows = [P0, P1]
    return pd.DataFrame(
        {
            "passage_id": [r[0] for r in rows],
            "doc_id": [r[1] for r in rows],
            "index": [0, 1],
            "start": [r[2] for r in rows],
            "end": [r[3] for r in rows],
            "text": [DOC_TEXT[r[2] : r[3]] for r in rows],
        }
    )


def _annotated(text: str, passage_id: str, offset: int = 0, **records: list) -> AnnotatedUnit:
    unit = Unit(passage_id, "d1", offset, text, prepare_text(text))
    doc = BLANK(unit.parse_text)
    for key in RECORD_KEYS:
        setattr(doc._, key, records.get(key))
    return AnnotatedUnit.from_doc(unit, doc)


def test_records_are_shifted_to_document_offsets() -> None:
    passage = DOC_TEXT[8:]
    org_start = passage.index("Fondation")
    need_start = passage.index("logement")
    actor = {
        "text": "Fondation Chagnon",
        "start": org_start,
        "end": org_start + 17,
        "name": "Fondation Chagnon",
        "acronym": None,
        "sector": "ess",
        "kind": "org",
        "origin": "pattern",
        "roles": [
            {
                "role": "bailleur",
                "cue": "financer",
                "evidence": "La Fondation Chagnon finance le projet.",
                "evidence_start": 0,
                "evidence_end": 39,
            }
        ],
    }
    need = {
        "need": "logement",
        "text": "logement",
        "start": need_start,
        "end": need_start + 8,
        "evidence": "Les besoins en logement.",
        "cue": "besoins en logement",
    }
    definition = {
        "term": "projet",
        "text": "x",
        "start": 0,
        "end": 1,
        "cue": "est",
        "source": None,
        "year": None,
        "confidence": 0.5,
        "dimensions": ["social_need", "territory"],
    }
    frames = records_to_frames(
        [
            _annotated("Titre.", "d1-0000"),
            _annotated(passage, "d1-0001", actors=[actor], needs=[need], definitions=[definition]),
        ],
        _passages(),
    )
    assert set(frames) == set(RECORD_KEYS)
    mentions = frames["actors"]
    row = mentions.iloc[0]
    assert DOC_TEXT[row["start"] : row["end"]] == "Fondation Chagnon"
    assert (row["doc_id"], row["passage_id"]) == ("d1", "d1-0001")
    roles = json.loads(row["roles"])  # list of dicts -> JSON string
    assert roles[0]["role"] == "bailleur"
    assert (
        DOC_TEXT[roles[0]["evidence_start"] : roles[0]["evidence_end"]]
        == actor["roles"][0]["evidence"]
    )
    needs = frames["needs"]
    assert DOC_TEXT[needs["start"].iloc[0] : needs["end"].iloc[0]] == "logement"
    assert list(needs.columns[:2]) == ["doc_id", "passage_id"]
    definitions = frames["definitions"]
    assert list(definitions["dimensions"].iloc[0]) == ["social_need", "territory"]  # list stays
    assert definitions["confidence"].dtype == "float64"
    assert len(frames["stages"]) == 0 and "stage" in frames["stages"].columns


def test_chunk_offset_and_sentence_cased_text() -> None:
    shout = "LES BESOINS EN LOGEMENT SONT GRANDS."
    item = _annotated(
        shout,
        "d1-0001",
        offset=10,
        needs=[{"need": "logement", "text": "logement", "start": 15, "end": 23}],
    )
    assert item.unit.parse_text != shout
    passages = _passages()
    frame = records_to_frames([item], passages)["needs"]
    # passage start 8 + chunk offset 10 + record offset 15
    assert frame["start"].iloc[0] == 33
    assert frame["text"].iloc[0] == "LOGEMENT"  # original characters, not the recased ones


def test_empty_tables_have_contract_columns_and_survive_parquet(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    for key in RECORD_KEYS:
        frame = frame_from_rows(key, [])
        assert list(frame.columns) == ["doc_id", "passage_id", *RECORD_FIELDS[key]]
        store.write_table(key, frame)
        back = store.read_table(key)
        assert back is not None and list(back.columns) == list(frame.columns) and len(back) == 0


def test_extra_fields_and_optional_ints_round_trip(tmp_path: Path) -> None:
    rows = [
        {
            "doc_id": "d",
            "passage_id": "p",
            "term": "a",
            "text": "t",
            "start": 1,
            "end": 2,
            "year": 2011,
            "zz_extra": {"k": 1},
        },
        {
            "doc_id": "d",
            "passage_id": "p",
            "term": "b",
            "text": "u",
            "start": 3,
            "end": 4,
            "year": None,
            "zz_extra": None,
        },
    ]
    frame = frame_from_rows("definitions", rows)
    assert frame.columns[-1] == "zz_extra" and frame["zz_extra"].iloc[0] == '{"k": 1}'
    assert str(frame["year"].dtype) == "Int64" and pd.isna(frame["year"].iloc[1])
    store = Store(tmp_path)
    store.write_table("definitions", frame)
    back = store.read_table("definitions")
    assert back is not None and back["year"].iloc[0] == 2011 and back["start"].tolist() == [1, 3]


def test_skipped_table_lists_non_french_documents() -> None:
    documents = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "path": ["fr.txt", "en.txt", "es.txt"],
            "language": ["fr", "en", "es"],
            "is_french": [True, False, False],
        }
    )
    skipped = skipped_table(documents)
    assert list(skipped.columns) == list(SKIPPED_COLUMNS)
    assert skipped["path"].tolist() == ["en.txt", "es.txt"]
    assert "en" in skipped["reason"].iloc[0] and "skipped" in skipped["reason"].iloc[0]
    assert len(skipped_table(documents.iloc[:0])) == 0
