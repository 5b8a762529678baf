"""Noisy PDFs and a quiet console: library warnings are captured per file and summarised.

The files are built by the tests: a report PDF whose running header and footer are drawn
before its body, the same PDF with broken cross-reference entries (pypdf logs "Ignoring
wrong pointing object" once each), IRaMuTeQ corpora with odd headers, office documents
and saved news pages.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "ingest"))

import ingest_builders as b

import corpus
from corpus.ingest.readers import read_file

N_PAGES = 24
N_BROKEN = 60


def test_running_header_and_footer_drawn_before_the_body_are_dropped(tmp_path: Path) -> None:
    raw = read_file(b.write(tmp_path / "rapport.pdf", b.report_pdf(N_PAGES)))
    text = raw.text
    assert raw.metadata["pages"] == N_PAGES
    assert text.count("page n°") == 0
    assert "Conseil départemental" not in text and "Document public" not in text
    assert text.count("Section ") == N_PAGES * len(b.PARAGRAPHS)  # the body is all there
    assert all(paragraph in " ".join(text.split()) for paragraph in b.PARAGRAPHS)


def test_pypdf_warnings_become_one_summary_line_and_debug_detail(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = b.make_corpus(tmp_path / "c")
    b.write(root / "raw" / "abime.pdf", b.broken_xref_pdf(b.report_pdf(4), N_BROKEN))
    with caplog.at_level(logging.DEBUG):
        report = corpus.open(root).ingest()
    assert report.rejected == [] and report.n_documents == 1
    assert report.warnings == [
        f"abime.pdf: repaired {N_BROKEN} broken object reference(s) (pypdf); details with corpus -v"
    ]
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]  # not on the console
    summaries = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in summaries] == report.warnings
    detail = [r.getMessage() for r in caplog.records if r.name == "corpus.ingest.diagnostics"]
    assert sum("Ignoring wrong pointing object" in m for m in detail) == N_BROKEN


def test_the_capture_restores_the_loggers(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root = b.make_corpus(tmp_path / "c")
    b.write(root / "raw" / "abime.pdf", b.broken_xref_pdf(b.report_pdf(2), 3))
    corpus.open(root).ingest()
    assert logging.getLogger("pypdf").propagate
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        logging.getLogger("pypdf._reader").warning("after the ingest")
    assert [r.getMessage() for r in caplog.records] == ["after the ingest"]


NEWS = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>{title} – La Gazette</title>
<meta property="article:published_time" content="2022-03-0{day}T08:00:00+01:00">
</head><body><nav><a href="/">Accueil</a> <a href="/societe">Société</a></nav>
<article><h1>{title}</h1><p>{p0}</p><p>{p1}</p><p>{p2}</p></article>
<footer><p>© 2022 La Gazette – Mentions légales – Plan du site</p></footer>
</body></html>"""


def nine_files(raw: Path) -> None:
    """Three IRaMuTeQ corpora, two PDFs, a .docx, an .odt and two saved news pages."""
    odd = (
        "\ufeff\r\n**** *journal_Sud *date_\r\nLa télévision occupe les soirées.\n"
        "**** *journal_Nord *date-1970\nLes jeunes lisent moins.\r\n"
        "**** *journal_Est *type_article scientifique\nLa lecture recule.\n"
    )
    b.write(raw / "etudiant.txt", odd.encode("utf-8"))
    for number in (1, 2):
        texts = "".join(
            f"**** *entretien_{number}{k} *annee_201{k}\n{paragraph}\n"
            for k, paragraph in enumerate(b.PARAGRAPHS)
        )
        b.write(raw / f"entretiens_{number}.txt", texts)
    b.write(raw / "rapport_public.pdf", b.broken_xref_pdf(b.report_pdf(N_PAGES), N_BROKEN))
    b.write(raw / "note.pdf", b.pdf_bytes([b.PARAGRAPHS[:2], b.PARAGRAPHS[2:]]))
    b.write(raw / "entretien.docx", b.docx_bytes("Entretien avec la directrice", b.PARAGRAPHS))
    odt = b.replace_member(
        b.odt_bytes("Assemblée générale", b.PARAGRAPHS), "settings.xml", b""
    )  # an empty part LibreOffice-style
    b.write(raw / "assemblee.odt", odt)
    for day, title in ((1, "Une ressourcerie ouvre"), (2, "Le garage solidaire recrute")):
        page = NEWS.format(title=title, day=day, p0=b.PARAGRAPHS[0], p1=b.PARAGRAPHS[1], p2="")
        b.write(raw / f"article_{day}.html", page.replace("<p></p>", f"<p>{b.PARAGRAPHS[2]}</p>"))


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from corpus.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_ingest_of_nine_mixed_files_prints_under_thirty_lines(tmp_path: Path) -> None:
    root = b.make_corpus(tmp_path / "c")
    nine_files(root / "raw")
    assert len(list((root / "raw").iterdir())) == 9
    done = run_cli("ingest", str(root))
    output = done.stdout + done.stderr
    lines = output.splitlines()
    assert done.returncode == 0, output
    assert len(lines) < 30, output
    assert "Ignoring wrong pointing object" not in output
    summary = [line for line in lines if "rapport_public.pdf" in line]
    assert len(summary) == 1 and f"repaired {N_BROKEN} broken object reference(s)" in summary[0]
    assert sum("etudiant.txt" in line for line in lines) == 1
    documents = corpus.open(root).documents
    assert len(documents) == 3 + 2 * len(b.PARAGRAPHS) + 6
    report = documents.loc[documents["path"] == "rapport_public.pdf", "text"].iloc[0]
    assert "page n°" not in report

    # a changed file is read again: its detail is there at -v
    (root / "raw" / "rapport_public.pdf").write_bytes(b.broken_xref_pdf(b.report_pdf(2), N_BROKEN))
    verbose = run_cli("-v", "ingest", str(root))
    assert (verbose.stdout + verbose.stderr).count("Ignoring wrong pointing object") == N_BROKEN


def test_capture_counts_log_records_and_python_warnings() -> None:
    import warnings

    from corpus.ingest.diagnostics import capture

    with capture("note.pdf") as diagnostics:
        for number in range(3):
            logging.getLogger("pypdf._reader").warning(
                "Ignoring wrong pointing object %d 0 (offset 0)", number
            )
        warnings.warn("a deprecated call inside a reader", DeprecationWarning, stacklevel=1)
        logging.getLogger("pypdf._reader").debug("not a warning")
    assert diagnostics.count == 4
    assert diagnostics.summary() == (
        "note.pdf: repaired 3 broken object reference(s) (pypdf); 1 DeprecationWarning "
        "warning(s) (first: a deprecated call inside a reader); details with corpus -v"
    )
    assert logging.getLogger("pypdf").propagate


def test_captures_in_threads_keep_their_own_records() -> None:
    import threading

    from corpus.ingest.diagnostics import Capture

    counts: dict[str, int] = {}
    barrier = threading.Barrier(2)

    def read(name: str, n: int) -> None:
        run = Capture()
        run.start()
        try:
            with run.file(name) as diagnostics:
                barrier.wait()  # both threads capture at the same time
                for number in range(n):
                    logging.getLogger("pypdf._reader").warning("Ignoring wrong pointing %d", number)
                barrier.wait()
            counts[name] = diagnostics.count
        finally:
            run.stop()

    threads = [threading.Thread(target=read, args=(f"{n}.pdf", n)) for n in (3, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counts == {"3.pdf": 3, "5.pdf": 5}
    assert logging.getLogger("pypdf").propagate and not logging.getLogger("pypdf").handlers
