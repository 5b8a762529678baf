"""The extraction stage end to end: store tables, sidecar, staleness, bad input.

Each test writes real files to a folder, opens it with ``corpus.open`` (the ingest stage
reads, cleans, detects the language and splits passages) and extracts.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import corpus
from corpus.extract.run import SIDECAR, extract_corpus, extraction_table, is_stale
from corpus.extract.tables import TABLE_NAMES

pytestmark = pytest.mark.slow

FRENCH = (
    "L’innovation sociale est une réponse nouvelle à des besoins sociaux mal satisfaits, "
    "en matière d’emploi, de logement et d’insertion professionnelle des jeunes.\n\n"
    "Le Réseau québécois en innovation sociale (RQIS) accompagne les organismes "
    "communautaires. La Fondation Lucie et André Chagnon finance le projet pilote, "
    "porté par la coopérative Le Pignon Bleu avec les citoyens du quartier.\n\n"
    "Après l’expérimentation, l’évaluation de l’impact a permis la diffusion du modèle "
    "dans d’autres municipalités."
)
ENGLISH = (
    "Social innovation is a new answer to social needs that are poorly met. The "
    "foundation funds the pilot project carried by a housing cooperative."
)
SPANISH = (
    "La innovación social es una respuesta nueva a necesidades sociales mal satisfechas. "
    "La fundación financia el proyecto piloto de la cooperativa de vivienda."
)


def open_corpus(folder: Path, files: dict[str, str]) -> corpus.Corpus:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return corpus.open(folder, store=folder.parent / f"{folder.name}-store")


def test_extract_writes_every_table_and_reuses_them(tmp_path: Path) -> None:
    handle = open_corpus(tmp_path / "c", {"fr.txt": FRENCH, "en.txt": ENGLISH})
    report = extract_corpus(handle)
    assert not report.up_to_date and report.n_parsed > 0 and report.n_cached == 0
    for name in TABLE_NAMES:
        assert handle.store.has_table(name), name
    sidecar = handle.store.read_json(SIDECAR)
    assert sidecar["pipeline"] == report.pipeline_fingerprint
    skipped = handle.store.read_table("skipped")
    assert skipped is not None and skipped["path"].tolist() == ["en.txt"]
    documents = handle.documents
    french_id = documents.loc[documents["path"] == "fr.txt", "doc_id"].iloc[0]
    for name in ("mentions", "needs", "stages", "definitions"):
        frame = handle.store.read_table(name)
        assert frame is not None and set(frame["doc_id"]) <= {french_id}, name
    # Offsets are document offsets: every record's text is the document's text there.
    text = documents.loc[documents["doc_id"] == french_id, "text"].iloc[0]
    for name in ("mentions", "needs", "stages", "actor_types"):
        frame = handle.store.read_table(name)
        for row in frame.itertuples():
            assert text[row.start : row.end] == row.text, (name, row.text)
    # Needs of this text: found by the needs component.
    assert {"logement", "emploi"} <= set(handle.needs()["need"])

    again = extract_corpus(handle)
    assert again.up_to_date and again.n_parsed == 0
    assert not is_stale(handle)
    forced = extract_corpus(handle, force=True)
    assert not forced.up_to_date and forced.n_parsed == 0 and forced.n_cached > 0


def test_api_methods_return_tables(tmp_path: Path) -> None:
    handle = open_corpus(tmp_path / "api", {"fr.txt": FRENCH})
    assert isinstance(handle.definitions(), pd.DataFrame)
    assert {"doc_id", "term", "text"} <= set(handle.definitions().columns)
    for method in ("dimensions", "actors", "mentions", "actor_types", "needs", "stages"):
        assert isinstance(getattr(handle, method)(), pd.DataFrame), method
    assert not is_stale(handle)
    with pytest.raises(corpus.CorpusError, match="unknown extraction table"):
        extraction_table(handle, "nope")


def test_changed_lexicon_makes_tables_stale(tmp_path: Path) -> None:
    from corpus.nlp.pipeline import RESOURCES_DIR

    handle = open_corpus(tmp_path / "lex", {"fr.txt": FRENCH})
    extract_corpus(handle)
    needs_resources = sorted(p for p in RESOURCES_DIR.rglob("*") if "need" in p.name)
    if not needs_resources:
        pytest.fail("no packaged needs resource found under nlp/resources")
    override = tmp_path / needs_resources[0].name
    if needs_resources[0].is_dir():
        import shutil

        shutil.copytree(needs_resources[0], override)
        target = sorted(p for p in override.rglob("*") if p.is_file())[0]
    else:
        override.write_bytes(needs_resources[0].read_bytes())
        target = override
    target.write_bytes(target.read_bytes() + b"\n")  # same content, different bytes
    assert is_stale(handle, resources={"needs": str(override)})
    report = extract_corpus(handle, resources={"needs": str(override)})
    assert not report.up_to_date and report.n_parsed > 0  # nothing stale served


def test_corpus_yaml_resources_override(tmp_path: Path) -> None:
    import shutil

    from corpus.nlp.pipeline import RESOURCES_DIR, expected_fingerprint

    folder = tmp_path / "configured"
    (folder / "raw").mkdir(parents=True)
    (folder / "raw" / "fr.txt").write_text(FRENCH, encoding="utf-8")
    shutil.copytree(RESOURCES_DIR / "needs", folder / "lexicons" / "needs")
    (folder / "corpus.yaml").write_text(
        "name: configured\ndefaults:\n  resources:\n    needs: lexicons/needs\n",
        encoding="utf-8",
    )
    handle = corpus.open(folder, store=tmp_path / "configured-store")
    report = extract_corpus(handle)
    override = {"needs": str(folder / "lexicons" / "needs")}
    assert report.pipeline_fingerprint == expected_fingerprint(resources=override)
    assert report.pipeline_fingerprint != expected_fingerprint()
    assert not is_stale(handle)
    assert {"logement", "emploi"} <= set(handle.needs()["need"])


def test_same_tables_with_one_or_two_processes(tmp_path: Path) -> None:
    from corpus.extract.run import extract_tables
    from corpus.nlp.pipeline import build_pipeline, pipeline_fingerprint

    files = {f"d{i}.txt": FRENCH.replace("quartier", f"quartier {i}") for i in range(4)}
    handle = open_corpus(tmp_path / "mp", files)
    documents, passages = handle.documents, handle.passages
    nlp = build_pipeline()
    fp = pipeline_fingerprint(nlp)
    one = extract_tables(documents, passages, nlp, pipeline_fp=fp, cache_dir=tmp_path / "c1")
    two = extract_tables(
        documents, passages, nlp, pipeline_fp=fp, cache_dir=tmp_path / "c2", n_process=2
    )
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(one[name], two[name], obj=name)
    assert len(one["needs"]) > 0 and len(one["mentions"]) > 0


# -- bad input (issue 3): no crash, no nonsense, non-French skipped with a note ----------
def _extracted(handle: corpus.Corpus) -> dict[str, pd.DataFrame]:
    extract_corpus(handle)
    return {name: handle.store.read_table(name) for name in TABLE_NAMES}


def _doc_rows(tables: dict[str, pd.DataFrame], name: str, doc_id: str) -> pd.DataFrame:
    frame = tables[name]
    return frame[frame["doc_id"] == doc_id]


NUMBERS = "\n\n".join(
    [
        "12 345 678 90 2023 2024 3,14 15 % 42",
        "https://exemple.org/innovation-sociale https://www.rqis.org/a?b=1 www.avise.org",
        "06 12 34 56 78 — 2011 — 1 000 000 $",
    ]
)
EXTRACTED = ("definitions", "mentions", "needs", "stages", "actor_types", "goals")


def test_bad_inputs_do_not_crash_or_produce_nonsense(tmp_path: Path) -> None:
    files = {
        "empty.txt": "",
        "numbers.txt": NUMBERS,
        "english.txt": ENGLISH * 3,
        "spanish.txt": SPANISH * 3,
        # Numbers and URLs inside a French document do reach the components.
        "mixed.txt": FRENCH + "\n\n" + NUMBERS,
    }
    handle = open_corpus(tmp_path / "bad", files)
    tables = _extracted(handle)
    documents = handle.documents
    by_path = dict(zip(documents["path"], documents["doc_id"], strict=True))
    # The empty file is rejected at ingestion with its reason; nothing else is.
    assert handle.rejected["path"].tolist() == ["empty.txt"]
    # Non-French documents: in the skipped table with a note, nothing extracted.
    skipped = tables["skipped"].set_index("path")
    for name in ("english.txt", "spanish.txt"):
        assert "not French" in skipped.loc[name, "reason"], name
        for table in EXTRACTED:
            assert len(_doc_rows(tables, table, by_path[name])) == 0, (name, table)
    # A document of only numbers and URLs yields nothing (skipped or empty-handed).
    for table in EXTRACTED:
        assert len(_doc_rows(tables, table, by_path["numbers.txt"])) == 0, table
    # In the mixed document, nothing is extracted from the numbers and URLs passages.
    mixed = by_path["mixed.txt"]
    text = documents.set_index("doc_id").loc[mixed, "text"]
    numbers_start = text.index("12 345")
    assert handle.documents.set_index("doc_id").loc[mixed, "is_french"]
    for table in (*EXTRACTED, "free_needs"):
        rows = _doc_rows(tables, table, mixed)
        assert (rows["start"] < numbers_start).all(), table
    assert len(_doc_rows(tables, "needs", mixed)) > 0  # the French part is extracted


def test_all_capitals_gives_what_normal_case_gives(tmp_path: Path) -> None:
    handle = open_corpus(tmp_path / "caps", {"normal.txt": FRENCH, "caps.txt": FRENCH.upper()})
    tables = _extracted(handle)
    ids = dict(zip(handle.documents["path"], handle.documents["doc_id"], strict=True))
    normal, caps = ids["normal.txt"], ids["caps.txt"]
    for table, column in (("needs", "need"), ("stages", "stage")):
        got = set(_doc_rows(tables, table, caps)[column])
        expected = set(_doc_rows(tables, table, normal)[column])
        assert got == expected, table
    # No all-caps shouting taken for organisations: caps actors ⊆ normal-case actors.
    normal_names = {n.lower() for n in _doc_rows(tables, "mentions", normal)["name"]}
    caps_names = {n.lower() for n in _doc_rows(tables, "mentions", caps)["name"]}
    assert caps_names <= normal_names | {"rqis"}
    # Texts in the tables are the document's own (capital) characters.
    caps_text = handle.documents.set_index("doc_id").loc[caps, "text"]
    for row in _doc_rows(tables, "needs", caps).itertuples():
        assert caps_text[row.start : row.end] == row.text


def test_two_megabyte_single_paragraph(tmp_path: Path) -> None:
    # A scraped page with no paragraph break: real sentences, 2 MB, one line.
    source = FRENCH.replace("\n\n", " ")
    copies = 2_000_000 // len(source.encode()) + 1
    paragraph = " ".join([source] * copies)
    assert "\n" not in paragraph and len(paragraph.encode()) >= 2_000_000
    handle = open_corpus(tmp_path / "big", {"big.txt": paragraph, "one.txt": source})
    tables = _extracted(handle)
    documents = handle.documents.set_index("path")
    big, one = documents.loc["big.txt", "doc_id"], documents.loc["one.txt", "doc_id"]
    text = documents.loc["big.txt", "text"]
    assert documents.loc["big.txt", "is_french"]
    # Offsets stay inside the document and point at the recorded text.
    for name in ("needs", "free_needs", "stages", "mentions", "actor_types", "definitions"):
        rows = _doc_rows(tables, name, big)
        assert ((rows["start"] >= 0) & (rows["end"] <= len(text))).all(), name
        for row in rows.itertuples():
            assert text[row.start : row.end] == row.text, name
    # Nothing the text does not say: the needs and stages are those one copy gives, and
    # every defined term is written in the text. (Whether a definition is kept depends on
    # document-level features such as how often its term recurs, so a 2 MB repetition may
    # keep a definition that a single copy's scorer leaves out, or none at all.)
    for name, column in (("needs", "need"), ("stages", "stage")):
        found = set(_doc_rows(tables, name, big)[column])
        assert found and found <= set(_doc_rows(tables, name, one)[column]), name
    terms = set(_doc_rows(tables, "definitions", big)["term"])
    assert all(term in source.lower() for term in terms)
    names = {n.lower() for n in _doc_rows(tables, "mentions", big)["name"]}
    assert names <= {n.lower() for n in _doc_rows(tables, "mentions", one)["name"]}
