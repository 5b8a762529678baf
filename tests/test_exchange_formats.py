"""IRaMuTeQ and table exports, ``--where``, positions, and the cross-tables of codes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import corpus
from corpus.exchange.crosstab import codes_by, codes_by_topic
from corpus.exchange.errors import ExportDataError, ExportUsageError
from corpus.exchange.export import export_corpus
from corpus.exchange.iramuteq_export import star_line, variable_value
from corpus.exchange.positions import CODEPOINTS, UTF16, PositionMap, place, producer_of
from corpus.exchange.qdpx_import import import_project
from corpus.exchange.subset import select_documents
from exchange_helpers import corpus_tables


def _export(fmt: str, out: Path, where: list[str] | None = None):
    documents, tables = corpus_tables()
    return export_corpus(
        fmt,
        out,
        name="essai",
        origin="corpus test",
        documents=documents,
        table=tables.get,
        table_names=list(tables),
        where=where or [],
        dimensions={"territory": "Territoire"},
    )


# -- positions ------------------------------------------------------------------------------
def test_utf16_units_crlf_and_surrogate_halves() -> None:
    raw = "a🚲b\r\ncd"
    units = PositionMap(raw, unit=UTF16)
    assert units.text == "a🚲b\ncd" and units.length == 8
    # UTF-16: a=0, 🚲=1-2, b=3, \r=4, \n=5, c=6, d=7
    assert [units.convert(p) for p in (0, 1, 3, 4, 6, 8)] == [0, 1, 2, 3, 4, 6]
    assert units.convert(2) is None  # between the halves of the emoji
    points = PositionMap(raw, unit=CODEPOINTS)
    assert [points.convert(p) for p in (0, 2, 3, 5, 7)] == [0, 2, 3, 4, 6]
    assert points.convert(8) is None


def test_place_checks_the_name_and_tries_the_other_unit() -> None:
    raw = "x🙂 Fondation Aube"
    units, points = PositionMap(raw, unit=UTF16), PositionMap(raw, unit=CODEPOINTS)
    ok = place(units, 4, 18, "Fondation Aube", other=points)
    assert (ok.start, ok.end, ok.unit) == (3, 17, UTF16)
    moved = place(units, 3, 17, "Fondation Aube", other=points)
    assert (moved.start, moved.unit) == (3, CODEPOINTS)
    wrong = place(points, 0, 5, "Fondation Aube", other=None)
    assert wrong.start is None and "not its name" in wrong.problem
    assert "outside the text" in place(points, 0, 99, None, other=None).problem


@pytest.mark.parametrize(
    ("origin", "producer"),
    [
        ("NVivo 14 (Windows)", "nvivo"),
        ("ATLAS.ti Mac 23.1", "atlasti"),
        ("MAXQDA 2022", "maxqda"),
        ("QualCoder 3.6", "qualcoder"),
        ("", "unknown"),
    ],
)
def test_producer_from_origin(origin: str, producer: str) -> None:
    assert producer_of(origin) == producer


# -- --where ----------------------------------------------------------------------------
def test_where_fields_values_and_errors() -> None:
    documents, _ = corpus_tables()
    assert list(select_documents(documents, ["year=2019"])["genre"]) == ["report"]
    both = select_documents(documents, ["genre=report", "genre=project", "country=France"])
    assert len(both) == 2
    with pytest.raises(ExportUsageError, match=r"E-EXPORT-WHERE.*no document field 'couleur'"):
        select_documents(documents, ["couleur=bleu"])
    with pytest.raises(ExportUsageError, match="is not FIELD=VALUE"):
        select_documents(documents, ["genre"])
    with pytest.raises(ExportDataError, match="E-EXPORT-EMPTY"):
        select_documents(documents, ["genre=report", "region=Occitanie", "year=2021"])


# -- IRaMuTeQ ----------------------------------------------------------------------------
def test_star_values_are_made_valid() -> None:
    assert variable_value("Île de France") == "Île-de-France"
    assert variable_value("a*b  c") == "ab-c"
    assert star_line({"source_type": "note", "title": "", "year": 2019.0}) == (
        "**** *sourcetype_note *year_2019"
    )


def test_iramuteq_round_trip_through_the_importer(tmp_path: Path) -> None:
    folder = tmp_path / "ira"
    (folder / "raw").mkdir(parents=True)
    _export("iramuteq", folder / "raw" / "corpus.txt")
    first = (folder / "raw" / "corpus.txt").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("**** *title_Une-cantine-solidaire-au-Vallon *genre_project")
    assert "*region_Île-de-France" in first and "*country_France" in first
    documents, _ = corpus_tables()
    read = corpus.open(folder).documents.sort_values("path")
    assert list(read["text"]) == list(documents["text"])
    assert list(read["genre"]) == ["project", "report"]
    assert list(read["year"]) == [2021, 2019]
    assert list(read["region"]) == ["Île-de-France", "Occitanie"]


def test_iramuteq_protects_lines_that_look_like_star_lines(tmp_path: Path) -> None:
    documents = pd.DataFrame(
        {
            "doc_id": ["d1"],
            "path": ["a.txt"],
            "genre": ["news"],
            "text": ["Début.\n**** pas une variable\n-*theme non plus"],
        }
    )
    export_corpus(
        "iramuteq",
        tmp_path / "c.txt",
        name="c",
        origin="t",
        documents=documents,
        table=lambda name: None,
    )
    lines = (tmp_path / "c.txt").read_text(encoding="utf-8").splitlines()
    assert lines == ["**** *genre_news", "Début.", "＊*** pas une variable", "-＊theme non plus"]


# -- tables and data dictionary ----------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_every_table_with_a_data_dictionary(tmp_path: Path, fmt: str) -> None:
    result = _export(fmt, tmp_path / fmt)
    documents, tables = corpus_tables()
    assert set(result.tables) == {"documents", *tables}
    if fmt == "xlsx":
        sheets = pd.read_excel(tmp_path / fmt / "corpus.xlsx", sheet_name=None)
        dictionary = sheets.pop("data_dictionary")
        read = sheets
    else:
        suffix = f".{fmt}"
        reader = pd.read_csv if fmt == "csv" else pd.read_parquet
        dictionary = reader(tmp_path / fmt / f"data_dictionary{suffix}")
        read = {p.stem: reader(p) for p in (tmp_path / fmt).glob(f"*{suffix}")}
        read.pop("data_dictionary")
    assert set(read) == set(result.tables)
    assert list(dictionary.columns) == ["table", "column", "type", "meaning"]
    for name, frame in read.items():
        described = dictionary[dictionary["table"] == name]
        assert list(described["column"]) == list(frame.columns), name
        assert described["meaning"].str.len().min() > 10, name
    row = dictionary[(dictionary["table"] == "needs") & (dictionary["column"] == "start")]
    assert row["type"].item() == "integer" and "code points" in row["meaning"].item()
    assert list(read["documents"]["text"]) == list(documents["text"])


def test_table_exports_are_reproducible(tmp_path: Path) -> None:
    _export("xlsx", tmp_path / "one")
    _export("xlsx", tmp_path / "two")
    assert (tmp_path / "one" / "corpus.xlsx").read_bytes() == (
        tmp_path / "two" / "corpus.xlsx"
    ).read_bytes()


def test_where_applies_to_every_table(tmp_path: Path) -> None:
    result = _export("csv", tmp_path / "sub", where=["genre=report"])
    assert result.tables["documents"] == 1 and result.tables["definitions"] == 0
    assert result.tables["passages"] == 2 and result.tables["passage_topics"] == 2
    mentions = pd.read_csv(tmp_path / "sub" / "mentions.csv")
    assert set(mentions["doc_id"]) == {"b000000000000002"}
    roles = json.loads(mentions["roles"].iloc[0])
    assert roles[0]["role"] == "partenaire"


# -- codes of an imported project ----------------------------------------------------------
def test_codes_by_metadata_and_by_topic(tmp_path: Path) -> None:
    _export("qdpx", tmp_path / "essai.qdpx")
    folder = tmp_path / "imported"
    import_project(tmp_path / "essai.qdpx", folder)
    opened = corpus.open(folder)
    codes, documents, passages = opened.codes, opened.documents, opened.passages
    table = codes_by(codes, documents, "genre", level=2)
    assert table.loc["Besoins / Besoin : mobilite", "report"] == 1
    assert table.loc["Acteurs / Secteurs", "project"] == 4
    per_doc = codes_by(codes, documents, "genre", level=1, count="documents")
    assert per_doc.loc["Acteurs"].sum() == 2
    # One topic per document: every code lands in its document's topic.
    topic_of_doc = {d: i for i, d in enumerate(sorted(documents["doc_id"]))}
    passage_topics = passages.assign(topic=[topic_of_doc[d] for d in passages["doc_id"]])
    labels = pd.DataFrame({"topic": [0, 1], "label": ["cantine", "transport"]})
    by_topic = codes_by_topic(codes, documents, passages, passage_topics, labels, level=1)
    names = documents.sort_values("doc_id")["path"].map(lambda p: Path(p).name).tolist()
    expected = codes.assign(level=[c.split(" / ")[0] for c in codes["code"]])
    for index, label in enumerate(["0 · cantine", "1 · transport"]):
        counts = expected[expected["document"] == names[index]].groupby("level").size()
        assert by_topic[label].loc[counts.index].tolist() == counts.tolist()
