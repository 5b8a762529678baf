"""REFI-QDA export (``.qdpx``, ``.qdc``) and the round trip through the importer."""

from __future__ import annotations

import os
import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from corpus.exchange.export import export_corpus
from corpus.exchange.qdpx_import import import_project, read_codes, read_corrections
from corpus.extract.gold import predictions_from_tables, read_annotations
from exchange_helpers import corpus_tables

# CI clones the repo with shared/ beside it; CORPUS_SHARED points elsewhere (a worktree).
SHARED = Path(os.environ.get("CORPUS_SHARED", Path(__file__).resolve().parents[2] / "shared"))
SCHEMAS = SHARED / "schemas" / "refi-qda"
NS = {"q": "urn:QDA-XML:project:1.0"}


def _schema(name: str):
    xmlschema = pytest.importorskip("xmlschema")
    if not (SCHEMAS / name).is_file():
        pytest.skip("../shared/schemas/refi-qda is not beside this checkout")
    return xmlschema.XMLSchema(str(SCHEMAS / name))


def _export(fmt: str, out: Path, where: list[str] | None = None):
    documents, tables = corpus_tables()
    return export_corpus(
        fmt,
        out,
        name="essai",
        origin="corpus test",
        documents=documents,
        table=tables.get,
        where=where or [],
    )


@pytest.fixture()
def exported(tmp_path: Path) -> Path:
    _export("qdpx", tmp_path / "essai.qdpx")
    return tmp_path / "essai.qdpx"


def _project(path: Path) -> ET.Element:
    with zipfile.ZipFile(path) as archive:
        return ET.fromstring(archive.read("project.qde"))


def test_project_is_valid_and_sources_are_internal_utf8_lf_files(exported: Path) -> None:
    with zipfile.ZipFile(exported) as archive:
        qde = archive.read("project.qde")
        _schema("Project.xsd").validate(qde.decode("utf-8"))
        root = ET.fromstring(qde)
        sources = root.findall("q:Sources/q:TextSource", NS)
        assert len(sources) == 2
        documents, _ = corpus_tables()
        for source, text in zip(sources, documents["text"], strict=True):
            assert source.find("q:PlainTextContent", NS) is None
            guid = source.get("guid")
            assert source.get("plainTextPath") == f"internal://{guid}.txt"
            data = archive.read(f"sources/{guid}.txt")
            assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
            assert data.decode("utf-8") == text


def test_selections_are_code_points_with_their_text_as_name(exported: Path) -> None:
    root = _project(exported)
    documents, _ = corpus_tables()
    texts = dict(zip(documents["path"].str.removeprefix("raw/"), documents["text"], strict=True))
    codes = {c.get("guid"): c.get("name") for c in root.iter(f"{{{NS['q']}}}Code")}
    coded = Counter()
    for source in root.findall("q:Sources/q:TextSource", NS):
        text = texts[source.get("name")]
        for selection in source.findall("q:PlainTextSelection", NS):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert text[start:end] == selection.get("name")
            for ref in selection.findall("q:Coding/q:CodeRef", NS):
                coded[codes[ref.get("targetGUID")]] += 1
    assert coded["Définition : innovation sociale"] == 1
    assert coded["Rôle : porteur"] == 1 and coded["Rôle : bailleur"] == 1
    assert coded["Secteur : ess"] == 5  # every mention of a named actor
    assert coded["Besoin : mobilite"] == 1 and coded["Besoin : lien_social"] == 0
    assert coded["Thème 2 : transport_rural"] == 2


def test_description_carries_confidence_and_evidence(exported: Path) -> None:
    root = _project(exported)
    notes = [d.text for d in root.iter(f"{{{NS['q']}}}Description") if d.text]
    assert any("confiance : 0.90" in n and "source : Collectif Terres Vives" in n for n in notes)
    assert any("rôle porteur : La Coopérative du Vallon porte le projet" in n for n in notes)


def test_metadata_become_variables_and_one_case_per_document(exported: Path) -> None:
    root = _project(exported)
    variables = {
        v.get("name"): v.get("typeOfVariable") for v in root.iter(f"{{{NS['q']}}}Variable")
    }
    assert variables["year"] == "Integer" and variables["genre"] == "Text"
    assert "country" in variables  # from the extra metadata
    cases = root.findall("q:Cases/q:Case", NS)
    assert [c.get("name") for c in cases] == ["cantine-vallon.txt", "mobilite-douce.txt"]
    assert all(len(c.findall("q:VariableValue", NS)) >= 4 for c in cases)
    assert all(len(c.findall("q:SourceRef", NS)) == 1 for c in cases)


def test_guids_unique_names_unique_no_empty_containers(exported: Path) -> None:
    root = _project(exported)
    guids = [e.get("guid") for e in root.iter() if e.get("guid")]
    assert len(guids) == len(set(guids))
    names = [c.get("name") for c in root.iter(f"{{{NS['q']}}}Code")]
    assert len(names) == len(set(names))
    for tag in ("Users", "CodeBook", "Codes", "Variables", "Cases", "Sources"):
        for element in root.iter(f"{{{NS['q']}}}{tag}"):
            assert len(element), f"empty <{tag}>"
    assert {c.get("isCodable") for c in root.iter(f"{{{NS['q']}}}Code")} == {"true", "false"}


def test_same_corpus_exports_byte_identical_files(tmp_path: Path) -> None:
    _export("qdpx", tmp_path / "one.qdpx")
    _export("qdpx", tmp_path / "two.qdpx")
    assert (tmp_path / "one.qdpx").read_bytes() == (tmp_path / "two.qdpx").read_bytes()


def test_codebook_alone_is_valid(tmp_path: Path) -> None:
    result = _export("qdc", tmp_path / "essai.qdc")
    text = (tmp_path / "essai.qdc").read_text(encoding="utf-8")
    _schema("Codebook.xsd").validate(text)
    root = ET.fromstring(text)
    names = [c.get("name") for c in root.iter("{urn:QDA-XML:codebook:1.0}Code")]
    assert result.n_codes == len(names) == len(set(names))
    assert "Thème 1 : définir_innovation" in names and "Étape : mise_en_oeuvre" in names


def test_where_exports_a_sub_corpus(tmp_path: Path) -> None:
    result = _export("qdpx", tmp_path / "sub.qdpx", where=["genre=report"])
    root = _project(tmp_path / "sub.qdpx")
    assert result.n_documents == 1
    assert [s.get("name") for s in root.iter(f"{{{NS['q']}}}TextSource")] == ["mobilite-douce.txt"]
    names = {c.get("name") for c in root.iter(f"{{{NS['q']}}}Code")}
    assert "Définition : innovation sociale" not in names  # only the sub-corpus's terms


def test_export_then_import_gives_back_texts_metadata_and_gold(
    exported: Path, tmp_path: Path
) -> None:
    out = tmp_path / "imported"
    report = import_project(exported, out)
    assert report.lines == [] and report.unmapped == [] and report.documents == 2
    documents, tables = corpus_tables()
    for path, text in zip(documents["path"], documents["text"], strict=True):
        assert (out / path).read_text(encoding="utf-8") == text
    meta = (out / "metadata.csv").read_text(encoding="utf-8").splitlines()
    assert meta[0] == "file,title,genre,year,region,country"
    assert (
        meta[1]
        == "cantine-vallon.txt,Une cantine solidaire au Vallon,project,2021,Île de France,France"
    )

    expected = predictions_from_tables(
        documents,
        definitions=tables["definitions"],
        mentions=tables["mentions"],
        doc_actor_types=tables["doc_actor_types"],
        doc_needs=tables["doc_needs"],
        doc_stages=tables["doc_stages"],
    )
    gold = read_annotations(out / "gold")
    assert len(gold) == 2
    for doc_id, want in expected.items():
        got = gold[Path(want.document).stem]
        assert got.document == want.document
        assert got.definitions == want.definitions
        assert sorted(
            (a.name, a.sector, sorted(a.roles), sorted(a.aliases)) for a in got.actors
        ) == sorted((a.name, a.sector, sorted(a.roles), sorted(a.aliases)) for a in want.actors), (
            doc_id
        )
        for field in ("needs", "stages", "actor_types"):
            assert set(getattr(got, field)) == set(getattr(want, field)), field
    assert gold[next(iter(gold))].actors, "actors were exported and read back"


def test_imported_codes_table(exported: Path, tmp_path: Path) -> None:
    import corpus

    out = tmp_path / "imported"
    import_project(exported, out)
    codes = corpus.open(out).codes
    assert list(codes.columns) == ["document", "start", "end", "code", "text", "coder", "created"]
    assert codes.equals(read_codes(out / "codes.csv"))
    row = codes[codes["code"] == "Définitions / Définition : innovation sociale"].iloc[0]
    text = (out / "raw" / row["document"]).read_text(encoding="utf-8")
    assert text[row["start"] : row["end"]] == row["text"]
    assert set(codes["coder"]) == {"corpus"}
    assert "Thèmes / Thème 0 : cantine_repas" in set(codes["code"])


def test_read_corrections_keys_by_source_file_name(exported: Path) -> None:
    corrections = read_corrections(exported)
    assert set(corrections) == {"cantine-vallon.txt", "mobilite-douce.txt"}
    assert corrections["mobilite-douce.txt"].needs == ["vieillissement", "mobilite"]


def test_control_characters_and_scores(tmp_path: Path) -> None:
    documents, tables = corpus_tables()
    documents.loc[1, "text"] = documents.loc[1, "text"].replace("communes", "com\x0cmunes")
    tables = {**tables, "actor_types": tables["actor_types"].assign(end=lambda f: f["end"] + 1)}
    out = tmp_path / "ctl.qdpx"
    export_corpus(
        "qdpx", out, name="essai", origin="corpus test", documents=documents, table=tables.get
    )
    root = _project(out)  # parses: no control character reached the XML
    names = [s.get("name") for s in root.iter(f"{{{NS['q']}}}PlainTextSelection")]
    assert "com munes" in names
    notes = [d.text or "" for d in root.iter(f"{{{NS['q']}}}Description")]
    assert any(n.startswith("score : 1.00") for n in notes)  # a score is not a confidence
    report = import_project(out, tmp_path / "back")
    assert report.lines == []
    codes = read_codes(tmp_path / "back" / "codes.csv")
    assert "com\x0cmunes" in set(codes["text"])


def test_nothing_to_export(tmp_path: Path) -> None:
    from corpus.exchange.errors import ExportDataError

    documents, tables = corpus_tables()
    with pytest.raises(ExportDataError, match="no documents"):
        export_corpus(
            "qdpx",
            tmp_path / "x.qdpx",
            name="e",
            origin="t",
            documents=documents.iloc[:0],
            table=tables.get,
        )
    assert not (tmp_path / "x.qdpx").exists()


def test_a_coders_correction_reaches_corpus_learn(exported: Path, tmp_path: Path) -> None:
    """Uncode a need in the exported project, as a coder would; the learner reads it."""
    from corpus.learning.corrections import read_corrections as learning_corrections

    with zipfile.ZipFile(exported) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    root = ET.fromstring(members["project.qde"])
    codes = {c.get("name"): c.get("guid") for c in root.iter(f"{{{NS['q']}}}Code")}
    for selection in root.iter(f"{{{NS['q']}}}PlainTextSelection"):
        for coding in selection.findall("q:Coding", NS):
            if coding.find("q:CodeRef", NS).get("targetGUID") == codes["Besoin : mobilite"]:
                selection.remove(coding)
    ET.register_namespace("", NS["q"])
    members["project.qde"] = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    edited = tmp_path / "corrige.qdpx"
    with zipfile.ZipFile(edited, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    documents, _ = corpus_tables()
    texts = {Path(p).name: t for p, t in zip(documents["path"], documents["text"], strict=True)}
    found = learning_corrections(edited, documents=texts)
    assert found["mobilite-douce.txt"].needs == ["vieillissement"]
    assert found["cantine-vallon.txt"].definitions[0].term == "innovation sociale"
