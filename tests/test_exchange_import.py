"""``corpus import FILE.qdpx``: projects shaped like NVivo's and ATLAS.ti's, and bad input.

Every project here is built by the test (texts written for it). A bad file is a clear
error naming the element, and leaves no output folder; a bad element is a report line.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from corpus.errors import EXIT_DATA
from corpus.exchange.errors import ExportUsageError, QdaError
from corpus.exchange.qdpx_import import import_project, read_codes, read_corrections
from corpus.extract.gold import read_annotations
from exchange_helpers import guid, project_xml, qdpx

CORPUS_BIN = Path(sys.executable).parent / "corpus"

# -- NVivo: UTF-16 code units, a byte-order mark not counted, CRLF counted, emoji ---------
NVIVO_TEXT = (
    "Atelier vélo 🚲 ouvert à tous.\r\n"
    "La Régie de Quartier Nord porte le projet depuis 2022.\r\n"
    "Les jeunes 🔧 du quartier y trouvent un premier emploi.\r\n"
)


def utf16(text: str, part: str) -> tuple[int, int]:
    """NVivo's positions of ``part``: UTF-16 code units from the start (no BOM)."""
    start = text.index(part)
    before = len(text[:start].encode("utf-16-le")) // 2
    return before, before + len(part.encode("utf-16-le")) // 2


def codepoints(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


OUR_CODES = (
    f'<Code guid="{guid(1)}" name="Acteurs" isCodable="true">'
    f'<Code guid="{guid(2)}" name="Secteurs" isCodable="false">'
    f'<Code guid="{guid(3)}" name="Secteur : ess" isCodable="true"/></Code>'
    f'<Code guid="{guid(4)}" name="Rôles" isCodable="false">'
    f'<Code guid="{guid(5)}" name="Rôle : porteur" isCodable="true"/></Code></Code>'
    f'<Code guid="{guid(6)}" name="Besoins" isCodable="false">'
    f'<Code guid="{guid(7)}" name="Besoin : emploi" isCodable="true"/></Code>'
    f'<Code guid="{guid(8)}" name="Ambiance conviviale" isCodable="true"/>'
)


def selection(n: int, start: int, end: int, name: str | None, *codes: int) -> str:
    named = f' name="{name}"' if name is not None else ""
    codings = "".join(
        f'<Coding guid="{guid(900 + n * 10 + i)}" creatingUser="{guid(170)}" '
        f'creationDateTime="2026-11-02T10:00:00Z"><CodeRef targetGUID="{guid(c)}"/></Coding>'
        for i, c in enumerate(codes)
    )
    return (
        f'<PlainTextSelection guid="{guid(500 + n)}"{named} startPosition="{start}" '
        f'endPosition="{end}">{codings}</PlainTextSelection>'
    )


def nvivo_project(tmp_path: Path, *, positions=utf16, origin: str = "NVivo 14 (Windows)") -> Path:
    actor = "Régie de Quartier Nord"
    job = "Les jeunes 🔧 du quartier y trouvent un premier emploi."
    mood = "Atelier vélo 🚲 ouvert à tous."
    selections = (
        selection(1, *positions(NVIVO_TEXT, actor), actor, 3, 5)
        + selection(2, *positions(NVIVO_TEXT, job), job, 7)
        + selection(3, *positions(NVIVO_TEXT, mood), None, 8)
    )
    variables = (
        f'<Variables><Variable guid="{guid(20)}" name="genre" typeOfVariable="Text"/>'
        f'<Variable guid="{guid(21)}" name="year" typeOfVariable="Integer"/></Variables>'
        f'<Cases><Case guid="{guid(30)}" name="atelier-velo">'
        f'<VariableValue><VariableRef targetGUID="{guid(20)}"/><TextValue>project</TextValue>'
        f'</VariableValue><VariableValue><VariableRef targetGUID="{guid(21)}"/>'
        f"<IntegerValue>2022</IntegerValue></VariableValue>"
        f'<SourceRef targetGUID="{guid(40)}"/></Case></Cases>'
    )
    sources = (
        f'<TextSource guid="{guid(40)}" name="atelier-velo" '
        f'plainTextPath="internal://{guid(40)}.txt">{selections}</TextSource>'
    )
    project = project_xml(origin=origin, codes=OUR_CODES, sources=sources, extra=variables)
    data = b"\xef\xbb\xbf" + NVIVO_TEXT.encode("utf-8")
    return qdpx(tmp_path / "nvivo.qdpx", project, {f"sources/{guid(40)}.txt": data})


def test_nvivo_positions_bom_crlf_and_emoji(tmp_path: Path) -> None:
    out = tmp_path / "imported"
    report = import_project(nvivo_project(tmp_path), out)
    assert report.lines == []
    assert report.unmapped == ["Ambiance conviviale"]
    assert "Ambiance conviviale (1 coded selection(s), kept in codes.csv)" in report.text()
    raw = (out / "raw" / "atelier-velo.txt").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
    text = raw.decode("utf-8")
    codes = read_codes(out / "codes.csv")
    assert list(codes["text"]) == [
        "Atelier vélo 🚲 ouvert à tous.",
        "Régie de Quartier Nord",
        "Régie de Quartier Nord",
        "Les jeunes 🔧 du quartier y trouvent un premier emploi.",
    ]
    for row in codes.itertuples():
        assert text[row.start : row.end] == row.text
    assert set(codes["coder"]) == {"Camille"}
    assert "Ambiance conviviale" in set(codes["code"])
    gold = read_annotations(out / "gold")["atelier-velo"]
    assert gold.document == "atelier-velo.txt"
    assert [(a.name, a.sector, a.roles) for a in gold.actors] == [
        ("Régie de Quartier Nord", "ess", ["porteur"])
    ]
    assert gold.needs == ["emploi"]
    meta = (out / "metadata.csv").read_text(encoding="utf-8").splitlines()
    assert meta == ["file,genre,year", "atelier-velo.txt,project,2022"]


def test_positions_counted_otherwise_than_origin_says_are_reported(tmp_path: Path) -> None:
    # An "NVivo" project whose positions are code points: each selection after an emoji
    # lands only when read as code points; the importer says so instead of guessing.
    path = nvivo_project(tmp_path, positions=codepoints)
    report = import_project(path, tmp_path / "imported")
    assert any("only land on their text counted in code points" in line for line in report.lines)
    codes = read_codes(tmp_path / "imported" / "codes.csv")
    assert "Les jeunes 🔧 du quartier y trouvent un premier emploi." in set(codes["text"])


# -- ATLAS.ti: code points, codes of the coder's own shape, bare file names ---------------
ATLAS_TEXT = "Entretien 3 🙂\nLe bailleur social loue les logements vacants à des familles.\n"
NOTE_TEXT = "Des familles 🏠 sans logement stable attendent."


def atlas_project(tmp_path: Path, *, extra_sources: str = "", files=None) -> Path:
    codes = (
        f'<Code guid="{guid(60)}" name="Besoins" isCodable="false">'
        f'<Code guid="{guid(61)}" name="logement" isCodable="true"/>'
        f'<Code guid="{guid(62)}" name="Pauvreté exclusion" isCodable="true"/></Code>'
        f'<Code guid="{guid(63)}" name="Étapes" isCodable="false">'
        f'<Code guid="{guid(64)}" name="Mise en œuvre" isCodable="true"/></Code>'
    )
    housing = "loue les logements vacants à des familles"
    start, end = codepoints(ATLAS_TEXT, housing)
    sources = (
        f'<TextSource guid="{guid(70)}" name="entretien-03.txt" plainTextPath="entretien-03.txt">'
        + selection(4, start, end, housing[:22] + "…", 61, 64)
        + "</TextSource>"
        + f'<TextSource guid="{guid(71)}" name="note de terrain">'
        f"<PlainTextContent>{NOTE_TEXT}</PlainTextContent>"
        + selection(5, *codepoints(NOTE_TEXT, "logement stable"), "logement stable", 61, 62)
        + "</TextSource>"
        + extra_sources
    )
    project = project_xml(origin="ATLAS.ti Windows 23.2.1", codes=codes, sources=sources)
    members = {"entretien-03.txt": ATLAS_TEXT.encode("utf-8"), **(files or {})}
    return qdpx(tmp_path / "atlas.qdpx", project, members)


def test_atlas_code_points_bare_paths_inline_content_and_own_code_names(tmp_path: Path) -> None:
    out = tmp_path / "imported"
    report = import_project(atlas_project(tmp_path), out)
    assert report.lines == [] and report.unmapped == []
    assert sorted(p.name for p in (out / "raw").iterdir()) == [
        "entretien-03.txt",
        "note de terrain.txt",
    ]
    codes = read_codes(out / "codes.csv")
    assert set(codes["text"]) == {"loue les logements vacants à des familles", "logement stable"}
    assert "Besoins / logement" in set(codes["code"])
    gold = read_annotations(out / "gold")
    assert gold["entretien-03"].needs == ["logement"]
    assert gold["entretien-03"].stages == ["mise_en_oeuvre"]
    assert gold["note de terrain"].needs == ["logement", "pauvrete_exclusion"]
    assert gold["note de terrain"].actors == []


def test_pdf_audio_missing_file_bad_coderef_and_positions_are_report_lines(tmp_path: Path) -> None:
    extra = (
        f'<PDFSource guid="{guid(80)}" name="rapport.pdf" path="internal://{guid(80)}.pdf"/>'
        f'<AudioSource guid="{guid(81)}" name="entretien.m4a" path="internal://{guid(81)}.m4a"/>'
        f'<TextSource guid="{guid(82)}" name="absent.txt" plainTextPath="internal://{guid(82)}.txt"/>'
        f'<TextSource guid="{guid(83)}" name="court.txt" plainTextPath="court.txt">'
        + selection(6, 0, 6, "Bonjour", 61)
        + selection(7, 2, 400, None, 61)
        + selection(8, 0, 7, "Bonjour", 999)
        + "</TextSource>"
    )
    files = {f"{guid(80)}.pdf": b"%PDF-1.4", "court.txt": b"Bonjour tout le monde."}
    out = tmp_path / "imported"
    report = import_project(atlas_project(tmp_path, extra_sources=extra, files=files), out)
    lines = "\n".join(report.lines)
    assert f"PDFSource 'rapport.pdf' ({guid(80)}): not a text source; skipped" in lines
    assert f"AudioSource 'entretien.m4a' ({guid(81)}): not a text source; skipped" in lines
    assert f"TextSource 'absent.txt' ({guid(82)}): its text file" in lines
    assert f"PlainTextSelection {guid(506)}: positions 0-6 give 'Bonjou', not its name" in lines
    assert f"PlainTextSelection {guid(507)}: positions 2-400 are outside the text" in lines
    assert f"CodeRef to {guid(999)}, which is no code of the codebook" in lines
    assert (out / "import-report.txt").read_text(encoding="utf-8").count("skipped") >= 5
    assert (out / "raw" / "court.txt").is_file() and not (out / "raw" / "absent.txt").exists()
    codes = read_codes(out / "codes.csv")
    assert "court.txt" not in set(codes["document"])


def _fails(tmp_path: Path, path: Path, code: str) -> QdaError:
    out = tmp_path / "out"
    with pytest.raises(QdaError) as caught:
        import_project(path, out)
    assert caught.value.code == code
    assert not out.exists(), "nothing may be written"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []
    return caught.value


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "projet.qdpx"
    path.write_text("ceci n'est pas une archive", encoding="utf-8")
    assert "must be a zip archive" in str(_fails(tmp_path, path, "E-QDA-NOT-ZIP"))


def test_zip_bomb(tmp_path: Path) -> None:
    project = project_xml(origin="QualCoder 3.6", codes=OUR_CODES, sources="")
    path = qdpx(tmp_path / "bomb.qdpx", project, {"sources/big.txt": b"\0" * (8 << 20)})
    assert "sources/big.txt" in str(_fails(tmp_path, path, "E-QDA-ZIP-BOMB"))


def test_entity_expansion_bomb(tmp_path: Path) -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="&c;"/>'
    )
    path = qdpx(tmp_path / "lol.qdpx", bomb)
    assert "entity expansion is refused" in str(_fails(tmp_path, path, "E-QDA-XML-BOMB"))


def test_duplicate_guids(tmp_path: Path) -> None:
    sources = (
        f'<TextSource guid="{guid(3)}" name="a.txt"><PlainTextContent>Un texte.</PlainTextContent>'
        "</TextSource>"
    )
    path = qdpx(
        tmp_path / "dup.qdpx", project_xml(origin="MAXQDA 2022", codes=OUR_CODES, sources=sources)
    )
    message = str(_fails(tmp_path, path, "E-QDA-DUPLICATE-GUID"))
    assert "<Code name='Secteur : ess'>" in message and "<TextSource name='a.txt'>" in message


def test_no_project_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("sources/a.txt", "texte")
    _fails(tmp_path, path, "E-QDA-NO-PROJECT")


def test_output_folder_in_use_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    out.mkdir()
    (out / "notes.txt").write_text("à garder", encoding="utf-8")
    with pytest.raises(ExportUsageError) as caught:
        import_project(atlas_project(tmp_path), out)
    assert caught.value.code == "E-QDA-OUT-EXISTS"
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_corrections_need_our_codebook(tmp_path: Path) -> None:
    codes = f'<Code guid="{guid(90)}" name="Ambiance" isCodable="true"/>'
    sources = (
        f'<TextSource guid="{guid(91)}" name="a.txt"><PlainTextContent>Un texte.</PlainTextContent>'
        + selection(9, 0, 2, "Un", 90)
        + "</TextSource>"
    )
    path = qdpx(
        tmp_path / "theirs.qdpx", project_xml(origin="QualCoder", codes=codes, sources=sources)
    )
    with pytest.raises(QdaError) as caught:
        read_corrections(path)
    assert caught.value.code == "E-QDA-NO-CODEBOOK"
    corrections = read_corrections(atlas_project(tmp_path))
    assert corrections["entretien-03.txt"].needs == ["logement"]


def test_cli_import_reports_and_exit_codes(tmp_path: Path) -> None:
    if not CORPUS_BIN.exists():
        pytest.skip("the corpus script is not installed in this environment")
    ok = subprocess.run(
        [str(CORPUS_BIN), "import", str(nvivo_project(tmp_path)), "--out", str(tmp_path / "c")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "1 document(s), 4 coded selection(s), 1 gold file(s)" in ok.stderr
    assert "Ambiance conviviale" in ok.stderr
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"\x00\x01")
    failed = subprocess.run(
        [str(CORPUS_BIN), "import", str(bad), "--out", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert failed.returncode == EXIT_DATA and "[E-QDA-NOT-ZIP]" in failed.stderr
