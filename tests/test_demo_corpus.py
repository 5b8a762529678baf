"""The bundled demo corpus: files, metadata, gold annotations and the build of binary formats.

Everything here reads the real files of ``corpora/demo``; the binary documents (PDF, DOCX, ODT)
are rebuilt from ``corpora/demo/sources`` into a temporary folder and compared with the
committed ones.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

# Label sets of shared/eval/FORMAT.md, written out so that a drift is caught both ways.
ROLES = {"porteur", "bailleur", "partenaire", "preneur"}
SECTORS = {"public", "entreprise", "ess", "recherche", "citoyens", "autre"}
NEEDS = {
    "emploi", "logement", "sante", "vieillissement", "petite_enfance", "education",
    "alimentation", "mobilite", "pauvrete_exclusion", "discriminations", "environnement",
    "lien_social", "culture", "numerique",
}  # fmt: skip
STAGES = {
    "emergence", "diagnostic", "coconstruction", "experimentation", "mise_en_oeuvre",
    "diffusion", "evaluation",
}  # fmt: skip
GENRES = {"declaration", "report", "project", "call", "news", "academic", "blog", "other"}
BINARY = {".pdf", ".docx", ".odt"}
TEXTUAL = {".txt", ".md", ".html"}
COLUMNS = ["file", "title", "genre", "year", "date", "author", "organisation", "region", "country"]
NEAR_DUPLICATES = (
    "fr-2017-communique-tiers-lieu-la-fabrique.txt",
    "fr-2017-reprise-web-tiers-lieu-la-fabrique.txt",
)
ENGLISH = "ca-2019-brief-social-innovation-english.txt"


# --------------------------------------------------------------------------- helpers


def payload(path: Path) -> dict[str, bytes]:
    """Decompressed content of a built file: zip members, or PDF page content streams."""
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        pages = PdfReader(path).pages
        return {
            f"page-{number}": page.get_contents().get_data() for number, page in enumerate(pages)
        }
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def raw_files(demo: Path) -> list[Path]:
    return sorted(p for p in (demo / "raw").iterdir() if p.is_file())


def metadata(demo: Path) -> dict[str, dict[str, str]]:
    with (demo / "metadata.csv").open(encoding="utf-8", newline="") as handle:
        return {row["file"]: row for row in csv.DictReader(handle)}


def gold(demo: Path) -> dict[str, dict]:
    return {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted((demo / "gold").glob("*.yaml"))
    }


def source_text(demo: Path, raw: Path) -> str:
    """The text an annotator copied from: the raw file, or the build source of a binary file."""
    if raw.suffix in BINARY:
        return (demo / "sources" / f"{raw.stem}.md").read_text(encoding="utf-8")
    return raw.read_text(encoding="utf-8")


def squash(text: str) -> str:
    """NFC and single spaces, so that line breaks inside a paragraph do not matter."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def docx_text(path: Path) -> str:
    import docx

    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def odt_text(path: Path) -> str:
    from odf import teletype, text
    from odf.opendocument import load

    document = load(str(path))
    blocks = document.text.getElementsByType(text.H) + document.text.getElementsByType(text.P)
    return "\n".join(teletype.extractText(b) for b in blocks)


def odt_blocks_in_order(path: Path) -> list[tuple[str, str]]:
    from odf import teletype
    from odf.opendocument import load

    out: list[tuple[str, str]] = []

    def walk(node) -> None:  # odf element
        for child in node.childNodes:
            name = getattr(child, "qname", (None, None))[1]
            if name in ("h", "p"):
                out.append((name, teletype.extractText(child)))
            elif name is not None:
                walk(child)

    walk(load(str(path)).text)
    return out


EXTRACTORS: dict[str, Callable[[Path], str]] = {
    ".pdf": pdf_text,
    ".docx": docx_text,
    ".odt": odt_text,
}


def shingles(text: str, k: int = 5) -> set[tuple[str, ...]]:
    tokens = re.findall(r"\w+", text.lower())
    return {tuple(tokens[i : i + k]) for i in range(len(tokens) - k + 1)}


# --------------------------------------------------------------------------- files and metadata


def test_corpus_yaml(demo_path: Path) -> None:
    config = yaml.safe_load((demo_path / "corpus.yaml").read_text(encoding="utf-8"))
    assert config["name"] == "demo"
    assert config["language"] == "fr"
    assert config["defaults"]["seed"] == 42
    assert config["ingest"] == {"max_file_size_mb": 50, "near_duplicate_threshold": 0.8}
    assert config["description"].strip()


def test_size_and_formats(demo_path: Path) -> None:
    files = raw_files(demo_path)
    assert 20 <= len(files) <= 30
    suffixes = [p.suffix for p in files]
    assert suffixes.count(".html") >= 3
    assert suffixes.count(".pdf") >= 2
    assert suffixes.count(".docx") >= 2
    assert suffixes.count(".odt") >= 2
    assert ".md" in suffixes and ".txt" in suffixes
    assert set(suffixes) <= BINARY | TEXTUAL


def test_every_raw_file_has_one_metadata_row(demo_path: Path) -> None:
    with (demo_path / "metadata.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames is not None
        assert reader.fieldnames[: len(COLUMNS)] == COLUMNS
        keys = [row["file"] for row in reader]
    assert len(keys) == len(set(keys)), "duplicate rows in metadata.csv"
    assert set(keys) == {p.name for p in raw_files(demo_path)}


def test_metadata_values(demo_path: Path) -> None:
    for name, row in metadata(demo_path).items():
        assert row["genre"] in GENRES, name
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date"]), name
        assert row["year"] == row["date"][:4], name
        assert 2008 <= int(row["year"]) <= 2025, name
        for column in ("title", "author", "organisation", "region", "country"):
            assert row[column].strip(), (name, column)


def test_corpus_spans_places_genres_years_and_needs(demo_path: Path) -> None:
    rows = metadata(demo_path).values()
    assert len({r["country"] for r in rows}) >= 3
    assert len({r["region"] for r in rows}) >= 3
    assert len({r["genre"] for r in rows}) >= 6
    assert len({r["year"] for r in rows}) >= 10
    needs = {need for annotation in gold(demo_path).values() for need in annotation["needs"]}
    assert len(needs) >= 8


def test_french_documents_have_250_to_700_words(demo_path: Path) -> None:
    for raw in raw_files(demo_path):
        if raw.name == ENGLISH:
            continue
        text = source_text(demo_path, raw)
        if raw.suffix == ".html":
            text = re.sub(r"<[^>]+>", " ", text)
        n_words = len(text.split())
        assert 250 <= n_words <= 800, (raw.name, n_words)  # markup and front matter included


def test_language_of_every_document(demo_path: Path) -> None:
    import py3langid

    for raw in raw_files(demo_path):
        language, _ = py3langid.classify(source_text(demo_path, raw))
        assert language == ("en" if raw.name == ENGLISH else "fr"), raw.name


def test_near_duplicate_pair_is_near_not_exact(demo_path: Path) -> None:
    def main_lines(path: Path) -> str:
        lines = path.read_text(encoding="utf-8").splitlines()
        return " ".join(line for line in lines if len(line.split()) >= 8)

    a, b = (main_lines(demo_path / "raw" / name) for name in NEAR_DUPLICATES)
    assert a != b
    sa, sb = shingles(a), shingles(b)
    similarity = len(sa & sb) / len(sa | sb)
    assert 0.8 <= similarity < 1.0, similarity


def test_html_documents_are_full_pages_with_boilerplate(demo_path: Path) -> None:
    for raw in raw_files(demo_path):
        if raw.suffix != ".html":
            continue
        html = raw.read_text(encoding="utf-8")
        for marker in ("<nav", "<footer", "Partager sur Facebook", "Laisser un commentaire"):
            assert marker in html, (raw.name, marker)


# --------------------------------------------------------------------------- gold


def test_every_raw_file_has_a_gold_file(demo_path: Path) -> None:
    annotations = gold(demo_path)
    raws = raw_files(demo_path)
    assert set(annotations) == {p.stem for p in raws}
    for raw in raws:
        assert annotations[raw.stem]["document"] == raw.name


def test_gold_files_use_format_labels(demo_path: Path) -> None:
    for stem, data in gold(demo_path).items():
        assert list(data) == ["document", "definitions", "actors", "actor_types", "needs", "stages"]
        for item in data["definitions"]:
            assert set(item) == {"term", "text", "source", "optional"}, stem
            assert item["term"] == item["term"].lower(), (stem, item["term"])
            assert isinstance(item["optional"], bool)
            assert item["source"] is None or item["source"].strip()
        for actor in data["actors"]:
            assert set(actor) == {"name", "aliases", "sector", "roles", "optional"}, stem
            assert actor["sector"] in SECTORS, (stem, actor["name"])
            assert set(actor["roles"]) <= ROLES, (stem, actor["name"])
            assert isinstance(actor["aliases"], list) and isinstance(actor["optional"], bool)
        assert set(data["actor_types"]) <= SECTORS, stem
        assert set(data["needs"]) <= NEEDS, stem
        assert set(data["stages"]) <= STAGES, stem
        for field in ("actor_types", "needs", "stages"):
            assert len(data[field]) == len(set(data[field])), (stem, field)


def test_gold_files_parse_with_the_project_reader(demo_path: Path) -> None:
    from corpus.extract import gold as gold_module

    assert set(gold_module.NEEDS) == NEEDS and set(gold_module.STAGES) == STAGES
    assert set(gold_module.ROLES) == ROLES and set(gold_module.SECTORS) == SECTORS
    annotations = gold_module.read_annotations(demo_path / "gold")
    assert len(annotations) == len(raw_files(demo_path))


def test_definitions_are_verbatim_spans_of_the_source(demo_path: Path) -> None:
    annotations = gold(demo_path)
    for raw in raw_files(demo_path):
        text = source_text(demo_path, raw)
        for item in annotations[raw.stem]["definitions"]:
            assert item["text"] in text, (raw.name, item["text"][:60])
            assert "\n" not in item["text"], (raw.name, "definition spans two paragraphs")


def test_named_actors_occur_in_the_source(demo_path: Path) -> None:
    annotations = gold(demo_path)
    for raw in raw_files(demo_path):
        text = source_text(demo_path, raw)
        for actor in annotations[raw.stem]["actors"]:
            assert actor["name"] in text, (raw.name, actor["name"])
            for alias in actor["aliases"]:
                assert alias in text, (raw.name, alias)


def test_gold_is_substantial_and_english_gold_is_empty(demo_path: Path) -> None:
    annotations = gold(demo_path)
    english = annotations[Path(ENGLISH).stem]
    assert all(english[key] == [] for key in ("definitions", "actors", "actor_types", "needs"))
    assert english["stages"] == []
    french = [a for stem, a in annotations.items() if stem != Path(ENGLISH).stem]
    assert sum(1 for a in french if any(not d["optional"] for d in a["definitions"])) >= 20
    assert all(a["actors"] and a["needs"] and a["stages"] for a in french)
    terms = {d["term"] for a in french for d in a["definitions"]}
    assert len(terms) >= 15


# --------------------------------------------------------------------------- binary formats


@pytest.fixture(scope="module")
def rebuilt(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo-build")
    # A fresh interpreter, as a user runs it: odfpy keeps module-level state (namespace
    # prefixes seen) that other tests' imports would change in this process.
    subprocess.run(
        [sys.executable, str(demo_path / "build.py"), "--out", str(out)], check=True, timeout=300
    )
    return out


def test_every_binary_file_has_a_source_and_back(demo_path: Path) -> None:
    binaries = {p.stem for p in raw_files(demo_path) if p.suffix in BINARY}
    sources = {p.stem for p in (demo_path / "sources").glob("*.md")}
    assert binaries == sources


def test_build_regenerates_the_committed_files(demo_path: Path, rebuilt: Path) -> None:
    built = sorted(rebuilt.iterdir())
    assert {p.name for p in built} == {p.name for p in raw_files(demo_path) if p.suffix in BINARY}
    for path in built:
        committed = demo_path / "raw" / path.name
        extract = EXTRACTORS[path.suffix]
        assert extract(path) == extract(committed), f"{path.name}: run corpora/demo/build.py"
        # Same library versions give the same content; compressed bytes may still differ
        # with the machine's zlib build, so the decompressed payload is compared.
        assert payload(path) == payload(committed), path.name


def test_binary_text_layers_hold_the_gold_definitions(demo_path: Path) -> None:
    annotations = gold(demo_path)
    for raw in raw_files(demo_path):
        if raw.suffix not in BINARY:
            continue
        extracted = EXTRACTORS[raw.suffix](raw)
        assert extracted.strip(), raw.name
        flat = squash(extracted)
        for item in annotations[raw.stem]["definitions"]:
            assert squash(item["text"]) in flat, (raw.name, item["text"][:60])


def test_pdfs_are_multipage_with_running_header_and_footer(demo_path: Path) -> None:
    from pypdf import PdfReader

    for raw in raw_files(demo_path):
        if raw.suffix != ".pdf":
            continue
        pages = [page.extract_text() for page in PdfReader(raw).pages]
        assert len(pages) >= 2, raw.name
        first_lines = [set(page.splitlines()) for page in pages]
        assert set.intersection(*first_lines), f"{raw.name}: no line repeated on every page"
        for number, page in enumerate(pages, start=1):
            assert f"Page {number}" in page
        assert not any(line.rstrip().endswith("-") for p in pages for line in p.splitlines())


def test_docx_and_odt_keep_headings(demo_path: Path) -> None:
    import docx

    for raw in raw_files(demo_path):
        if raw.suffix == ".docx":
            styles = [p.style.name for p in docx.Document(str(raw)).paragraphs]
            assert styles[0] == "Heading 1" and "Heading 2" in styles, raw.name
        elif raw.suffix == ".odt":
            kinds = [kind for kind, _ in odt_blocks_in_order(raw)]
            assert kinds[0] == "h" and kinds.count("h") >= 3 and "p" in kinds, raw.name
