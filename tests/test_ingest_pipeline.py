"""Ingestion end to end: tables, metadata, IRaMuTeQ, duplicates, incremental runs."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "ingest"))

import ingest_builders as b

import corpus
from corpus.errors import EXIT_OK
from corpus.ingest import pipeline, settings_fingerprint
from corpus.ingest.pipeline import DOCUMENT_COLUMNS, PASSAGE_COLUMNS

ARTICLE = (
    "Publié le 3 mai 2021 par la rédaction\n\n"
    "Un garage solidaire ouvre ses portes à Figeac\n\n"
    + "\n\n".join(b.PARAGRAPHS)
    + "\n\nPartager sur Facebook Partager sur Twitter\n\n"
    "À lire aussi : Une ressourcerie s’installe en ville\n\n"
    "Aucun commentaire:\n\nEnregistrer un commentaire\n"
)
ENGLISH = (
    "Social innovation labs bring together the people affected by a complex problem, "
    "the organisations that serve them and the funders who pay for the work. "
    "They prototype small solutions and test them with residents before scaling up."
)


def _corpus(tmp_path: Path) -> Path:
    root = b.make_corpus(tmp_path / "c")
    raw = root / "raw"
    b.write(raw / "article.txt", ARTICLE)
    b.write(raw / "copie.txt", ARTICLE)  # exact duplicate
    near = ARTICLE.replace("trois ans", "quatre ans")
    b.write(raw / "reprise.txt", near)  # near duplicate
    b.write(raw / "brief.txt", ENGLISH)
    b.write(
        raw / "decl.md",
        "---\ntitle: Notre déclaration\ndate: 2012-11-23\n---\n# Préambule\n\n"
        "Nous, signataires, affirmons l’importance de l’économie sociale et solidaire.\n",
    )
    b.write(raw / "projet.docx", b.docx_bytes("Projet de crèche", b.PARAGRAPHS[::-1]))
    b.write(
        root / "metadata.csv",
        "file,title,genre,year,author,organisation,region,funder\n"
        "article.txt,Garage solidaire,news,2021,Claire Vidal,Le Fil,Occitanie,Fondation X\n"
        "projet.docx,,project,2019,,ASBL Les Petits Ponts,Bruxelles,\n",
    )
    return root


def test_tables_columns_and_metadata(tmp_path: Path) -> None:
    handle = corpus.open(_corpus(tmp_path))
    report = handle.ingest()
    assert report.exit_code == EXIT_OK and len(report.added) == 6
    docs = handle.documents.set_index("path")
    assert list(handle.documents.columns) == DOCUMENT_COLUMNS
    assert list(handle.passages.columns) == PASSAGE_COLUMNS
    assert str(handle.documents["year"].dtype) == "Int64"
    article = docs.loc["article.txt"]
    assert article["title"] == "Garage solidaire" and article["genre"] == "news"
    assert article["year"] == 2021 and article["author"] == "Claire Vidal"
    assert article["organisation"] == "Le Fil" and article["region"] == "Occitanie"
    assert json.loads(article["extra"]) == {"funder": "Fondation X"}
    assert len(article["doc_id"]) == 16 and article["is_french"]
    assert article["format"] == "txt" and article["language"] == "fr"
    # boilerplate removed and recorded
    removed = json.loads(article["boilerplate_removed"])
    assert {r["rule"] for r in removed} >= {"byline", "share", "read-also", "comment-prompt"}
    assert "Aucun commentaire" not in article["text"] and "Partager" not in article["text"]
    assert article["text"].startswith("Un garage solidaire ouvre ses portes")
    # front matter
    decl = docs.loc["decl.md"]
    assert decl["title"] == "Notre déclaration" and decl["date"] == "2012-11-23"
    assert decl["year"] == 2012
    # docx: metadata.csv overrides, title from the file
    projet = docs.loc["projet.docx"]
    assert projet["title"] == "Projet de crèche" and projet["year"] == 2019
    assert projet["genre"] == "project" and projet["organisation"] == "ASBL Les Petits Ponts"
    # language flagged, not dropped
    brief = docs.loc["brief.txt"]
    assert brief["language"] == "en" and not brief["is_french"]
    assert handle.documents.set_index("path")["year"].isna()["brief.txt"]


def test_passages_offsets_and_ids(tmp_path: Path) -> None:
    root = b.make_corpus(tmp_path / "c")
    sentence = "La phrase numéro {} parle de M. Tremblay et de logement."
    long_paragraph = " ".join(sentence.format(i) for i in range(80))
    b.write(root / "raw" / "long.txt", "Titre court\n\n" + long_paragraph + "\n\n" + "mot " * 700)
    handle = corpus.open(root)
    handle.ingest()
    doc = handle.documents.iloc[0]
    passages = handle.passages
    assert len(passages) == doc["n_passages"] > 5
    for row in passages.itertuples(index=False):
        assert doc["text"][row.start : row.end] == row.text
        assert row.passage_id == f"{doc['doc_id']}-{row.index:04d}"
        assert row.n_words <= 200
    assert list(passages["index"]) == list(range(len(passages)))


def test_duplicates_exact_and_near(tmp_path: Path) -> None:
    handle = corpus.open(_corpus(tmp_path))
    handle.ingest()
    dupes = handle.duplicates
    assert list(dupes.columns) == ["doc_id_a", "doc_id_b", "path_a", "path_b", "kind", "similarity"]
    exact = dupes[dupes["kind"] == "exact"]
    assert [(r.path_a, r.path_b) for r in exact.itertuples()] == [("article.txt", "copie.txt")]
    assert exact.iloc[0]["doc_id_a"] == exact.iloc[0]["doc_id_b"]
    near = dupes[dupes["kind"] == "near"]
    pairs = {(r.path_a, r.path_b) for r in near.itertuples()}
    assert ("article.txt", "reprise.txt") in pairs and ("copie.txt", "reprise.txt") in pairs
    assert all(0.8 <= s < 1.0 for s in near["similarity"])
    assert ("brief.txt", "decl.md") not in pairs
    # nothing dropped; passages of equal texts are stored once
    assert len(handle.documents) == 6
    assert handle.passages["passage_id"].is_unique


def test_iramuteq_corpus_becomes_documents(tmp_path: Path) -> None:
    root = b.make_corpus(tmp_path / "c")
    b.write(
        root / "raw" / "entretiens.txt",
        "**** *annee_2012 *genre_rapport *region_Estrie *locuteur_A\n"
        + b.PARAGRAPHS[0]
        + "\n\n**** *annee_2016 *genre_projet *region_Outaouais *locuteur_B\n"
        + b.PARAGRAPHS[1]
        + "\n",
    )
    handle = corpus.open(root)
    handle.ingest()
    docs = handle.documents
    assert list(docs["path"]) == ["entretiens.txt#1", "entretiens.txt#2"]
    assert list(docs["year"]) == [2012, 2016]
    assert list(docs["genre"]) == ["report", "project"]
    assert list(docs["region"]) == ["Estrie", "Outaouais"]
    assert json.loads(docs.iloc[1]["extra"])["locuteur"] == "B"
    assert set(docs["format"]) == {"iramuteq"}


class _Counter:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        original = pipeline._process_file

        def counted(path, rel, ctx):  # type: ignore[no-untyped-def]
            self.calls.append(rel)
            return original(path, rel, ctx)

        monkeypatch.setattr(pipeline, "_process_file", counted)


def test_incremental_unchanged_added_changed_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _corpus(tmp_path)
    raw = root / "raw"
    handle = corpus.open(root)
    handle.ingest()
    tables = {n: handle.store.table_path(n).stat().st_mtime_ns for n in ("documents", "passages")}
    counter = _Counter(monkeypatch)

    again = handle.ingest()  # unchanged: no reading, no writing
    assert counter.calls == [] and len(again.unchanged) == 6
    assert not again.added and not again.updated and not again.removed
    assert {n: handle.store.table_path(n).stat().st_mtime_ns for n in tables} == tables

    os.utime(raw / "brief.txt", ns=(time.time_ns(), time.time_ns() + 10**9))  # touched only
    touched = handle.ingest()
    assert counter.calls == [] and "brief.txt" in touched.unchanged

    b.write(raw / "nouveau.txt", "Un nouveau texte sur la mobilité solidaire en milieu rural.")
    b.write(raw / "reprise.txt", "Le texte repris a été entièrement réécrit depuis.")
    (raw / "copie.txt").unlink()
    report = handle.ingest()
    assert sorted(counter.calls) == ["nouveau.txt", "reprise.txt"]
    assert report.added == ["nouveau.txt"] and report.updated == ["reprise.txt"]
    assert report.removed == ["copie.txt"]
    docs = handle.documents
    assert "copie.txt" not in set(docs["path"]) and "nouveau.txt" in set(docs["path"])
    reprise = docs.set_index("path").loc["reprise.txt"]
    assert reprise["text"] == "Le texte repris a été entièrement réécrit depuis."
    assert handle.duplicates.empty
    assert set(handle.passages["doc_id"]) == set(docs["doc_id"])

    # same result as a fresh ingestion of the same files
    fresh = corpus.open(root, store=tmp_path / "fresh")
    fresh.ingest()
    cols = ["doc_id", "path", "title", "n_passages"]
    assert fresh.documents[cols].equals(handle.documents[cols])
    assert fresh.passages.equals(handle.passages)


def test_metadata_csv_change_reingests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _corpus(tmp_path)
    handle = corpus.open(root)
    handle.ingest()
    counter = _Counter(monkeypatch)
    csv = (root / "metadata.csv").read_text(encoding="utf-8").replace("Claire Vidal", "C. Vidal")
    (root / "metadata.csv").write_text(csv, encoding="utf-8")
    handle.ingest()
    assert len(counter.calls) == 6
    assert handle.documents.set_index("path").loc["article.txt", "author"] == "C. Vidal"


def test_rejected_file_fixed_later(tmp_path: Path) -> None:
    root = b.make_corpus(tmp_path / "c")
    b.write(root / "raw" / "vide.txt", b"")
    handle = corpus.open(root)
    first = handle.ingest()
    assert [r.code for r in first.rejected] == ["E-INGEST-EMPTY"]
    assert handle.ingest().rejected == first.rejected  # still reported, not re-read
    b.write(root / "raw" / "vide.txt", b.PARAGRAPHS[0])
    fixed = handle.ingest()
    assert fixed.rejected == [] and fixed.updated == ["vide.txt"]
    assert handle.rejected.empty and len(handle.documents) == 1


def test_walk_skips_hidden_sidecars_and_store(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    b.write(root / "a.txt", b.PARAGRAPHS[0])
    b.write(root / ".cache" / "x.txt", "caché")
    b.write(root / ".notes.txt", "caché")
    b.write(root / "metadata.csv", "file,title\na.txt,Titre A\n")
    handle = corpus.open(root, store=root / "store")
    report = handle.ingest()
    assert report.added == ["a.txt"] and not report.rejected
    assert handle.documents.iloc[0]["title"] == "Titre A"
    assert handle.ingest().unchanged == ["a.txt"]  # the store's own files are not ingested


def test_demo_corpus_ingests(demo_path: Path, tmp_path: Path) -> None:
    if not (demo_path / "raw").is_dir():
        pytest.skip("demo corpus not built")
    handle = corpus.open(demo_path, store=tmp_path / "store")
    report = handle.ingest()
    assert not report.rejected
    docs = handle.documents
    assert 20 <= len(docs) <= 40
    assert {"txt", "md", "html", "pdf", "docx", "odt"} <= set(docs["format"])
    assert docs["year"].notna().all()
    assert set(docs["genre"]) <= {
        "declaration", "report", "project", "call", "news", "academic", "blog", "other"
    }  # fmt: skip


def test_a_change_of_the_ingest_code_re_reads_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _corpus(tmp_path)
    handle = corpus.open(root)
    handle.ingest()
    counter = _Counter(monkeypatch)
    assert handle.ingest().unchanged and counter.calls == []

    # Another version of the readers or the cleaning code: tables it made are stale.
    monkeypatch.setattr(settings_fingerprint, "code_fingerprint", lambda: "another-version")
    report = handle.ingest()
    assert sorted(counter.calls) == sorted(report.updated) and len(report.updated) == 6
    assert not report.unchanged


def test_iramuteq_texts_sort_by_number_not_by_string(tmp_path: Path) -> None:
    root = b.make_corpus(tmp_path / "c")
    texts = [
        f"**** *locuteur_{n}\n{b.PARAGRAPHS[n % len(b.PARAGRAPHS)]} Entretien numéro {n}.\n"
        for n in range(1, 12)
    ]
    b.write(root / "raw" / "entretiens.txt", "\n".join(texts))
    b.write(root / "raw" / "entretiens.txt-notes.txt", b.PARAGRAPHS[0] + " Notes.")
    handle = corpus.open(root)
    handle.ingest()
    paths = list(handle.documents["path"])
    assert paths[:3] == ["entretiens.txt#1", "entretiens.txt#2", "entretiens.txt#3"]
    assert paths[-3:] == ["entretiens.txt#10", "entretiens.txt#11", "entretiens.txt-notes.txt"]
