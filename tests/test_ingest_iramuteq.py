"""IRaMuTeQ corpora as people really save them: each case is a file the test writes.

What IRaMuTeQ opens, we open: every text loads, each odd header gives one warning naming
its line and what was assumed, and no file is rejected for it.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "ingest"))

import ingest_builders as b

import corpus
from corpus.ingest.readers import read_file

LOGGER = "corpus.ingest.readers.iramuteq"

#: A student's corpus: byte-order mark, blank first line, mixed CRLF and LF, ``*date_``,
#: ``*date-1970``, a space in a modality and a starred title line under a header.
STUDENT = (
    "\ufeff\r\n"
    "**** *journal_Sud *date_\r\n"
    "La télévision occupe les soirées des familles du quartier.\n"
    "\r\n"
    "**** *journal_Nord *date-1970\n"
    "Les jeunes lisent moins depuis que la télévision est arrivée.\r\n"
    "**** *journal_Est *type_article scientifique\r\n"
    "La lecture recule dans les foyers équipés d'un poste.\n"
    "**** *journal_Ouest *date_1971\n"
    "*Lecture_et_télévision\n"
    "Une enquête auprès de deux cents familles compare les heures de lecture.\n"
)


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER]


def test_a_students_corpus_loads_every_text_with_one_warning_per_odd_header(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = b.write(tmp_path / "etudiant.txt", STUDENT.encode("utf-8"))
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        raw = read_file(path)
    assert raw.format == "iramuteq"
    assert len(raw.parts) == 4
    first, second, third, fourth = (part.metadata for part in raw.parts)
    assert first["journal"] == "Sud" and "date" not in first
    assert second["date"] == "1970"
    assert third["type"] == "article scientifique"
    assert fourth["title"] == "Lecture et télévision" and fourth["date"] == "1971"
    assert raw.parts[3].text.startswith("Une enquête")  # the title line is not text
    warnings = warnings_of(caplog)
    assert len(warnings) == 4, warnings
    for line, expected in ((2, "*date_"), (5, "*date-1970"), (7, "*type"), (10, "title")):
        assert any(f"line {line}:" in w and expected in w for w in warnings), (line, warnings)


def test_the_students_corpus_is_ingested_not_rejected(tmp_path: Path) -> None:
    root = b.make_corpus(tmp_path / "c")
    b.write(root / "raw" / "etudiant.txt", STUDENT.encode("utf-8"))
    report = corpus.open(root).ingest()
    assert report.rejected == []
    documents = corpus.open(root).documents
    assert documents["path"].tolist() == [f"etudiant.txt#{n}" for n in range(1, 5)]
    assert documents.iloc[3]["title"] == "Lecture et télévision"


def test_thematic_lines_end_a_paragraph_and_are_dropped(tmp_path: Path) -> None:
    source = (
        "**** *annee_2014\n"
        "-*theme_emploi\n"
        "Le chantier d'insertion embauche six personnes.\n"
        "-*theme_logement\n"
        "La coopérative rénove trois logements.\n"
    )
    raw = read_file(b.write(tmp_path / "themes.txt", source))
    (part,) = raw.parts
    assert [block.text for block in part.blocks] == [
        "Le chantier d'insertion embauche six personnes.",
        "La coopérative rénove trois logements.",
    ]
    assert "theme" not in part.text


def test_forms_joined_by_underscores_read_as_words(tmp_path: Path) -> None:
    source = (
        "**** *annee_2019\n"
        "L'_économie_sociale_et_solidaire_ soutient l'innovation_sociale; remplir ____.\n"
    )
    (part,) = read_file(b.write(tmp_path / "formes.txt", source)).parts
    assert part.text == (
        "L'économie sociale et solidaire soutient l'innovation sociale; remplir ____."
    )


@pytest.mark.parametrize("line_end", ["\r", "\r\n", "\n"])
def test_any_line_end_and_no_final_newline(tmp_path: Path, line_end: str) -> None:
    lines = [
        "**** *annee_2010 *genre_rapport",
        "Premier texte sur les jardins partagés.",
        "**** *annee_2011 *genre_projet",
        "Second texte sur une ressourcerie.",
    ]
    path = b.write(tmp_path / "fins.txt", line_end.join(lines).encode("utf-8"))
    raw = read_file(path)
    assert [part.text for part in raw.parts] == [lines[1], lines[3]]
    assert [part.metadata["year"] for part in raw.parts] == ["2010", "2011"]


def test_text_before_the_first_header_and_an_empty_text_give_warnings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = (
        "\n**** *annee_2012\n"
        "Texte un sur la garde d'enfants.\n"
        "**** *annee_2013\n"
        "\n"
        "**** *annee_2014 rapport\n"
        "Texte trois sur le transport solidaire.\n"
    )
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        raw = read_file(b.write(tmp_path / "vide.txt", source))
    assert [part.metadata["iramuteq_text"] for part in raw.parts] == [1, 3]
    assert raw.parts[1].metadata["year"] == "2014 rapport"
    warnings = warnings_of(caplog)
    assert any("line 4:" in w and "no text" in w for w in warnings), warnings
    assert any("line 6:" in w and "space inside the modality" in w for w in warnings)


def test_only_headers_is_still_an_empty_corpus(tmp_path: Path) -> None:
    from corpus.ingest.errors import EmptyFileError

    with pytest.raises(EmptyFileError) as info:
        read_file(b.write(tmp_path / "entetes.txt", "**** *a_1\n**** *a_2\n"))
    assert info.value.code == "E-INGEST-EMPTY"


def test_a_row_of_stars_in_a_plain_text_is_not_a_header(tmp_path: Path) -> None:
    source = "**********\nCompte rendu de la réunion du bureau.\n**********\nFin.\n"
    raw = read_file(b.write(tmp_path / "notes.txt", source))
    assert raw.format == "txt" and "Compte rendu" in raw.text
