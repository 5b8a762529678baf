"""Every reader on real files: text encodings, Markdown front matter, HTML, PDF, DOCX, ODT."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "ingest"))

import ingest_builders as b

from corpus.ingest.errors import UnsupportedFormatError
from corpus.ingest.readers import read_file, supported_suffixes

TEXT = "L’économie sociale et solidaire « répond » aux besoins : été, où, cœur, ça.\n"


def test_registry_covers_issue_formats() -> None:
    for suffix in (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".odt"):
        assert suffix in supported_suffixes()
    with pytest.raises(UnsupportedFormatError) as info:
        read_file(Path("notes.xyz"), b"data")
    assert info.value.code == "E-INGEST-UNSUPPORTED"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""), ("latin-1", b"")],
)
def test_text_encodings(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = TEXT if encoding != "latin-1" else TEXT.replace("’", "'").replace("œ", "oe")
    path = b.write(tmp_path / "doc.txt", prefix + text.encode(encoding))
    raw = read_file(path)
    assert raw.text == text.strip()
    assert "\ufeff" not in raw.text


def test_mojibake_repaired_quotes_kept(tmp_path: Path) -> None:
    garbled = TEXT.encode("utf-8").decode("cp1252", errors="replace")
    path = b.write(tmp_path / "doc.txt", garbled)
    raw = read_file(path)
    assert "économie" in raw.text and "’" in raw.text and "«" in raw.text


def test_markdown_front_matter_and_headings(tmp_path: Path) -> None:
    source = (
        "---\ntitle: Une déclaration\nyear: 2012\ngenre: declaration\nsigners: 12\n---\n"
        "# Préambule\n\nNous, **signataires**, affirmons ceci.\nSuite de la phrase.\n\n"
        "- premier point ;\n- second point.\n"
    )
    raw = read_file(b.write(tmp_path / "decl.md", source))
    assert raw.format == "md"
    assert raw.metadata["title"] == "Une déclaration"
    assert raw.metadata["year"] == 2012 and raw.metadata["signers"] == 12
    kinds = [(block.kind, block.text) for block in raw.blocks]
    assert kinds[0] == ("heading", "Préambule")
    assert ("paragraph", "Nous, signataires, affirmons ceci. Suite de la phrase.") in kinds
    assert ("paragraph", "- premier point ;") in kinds


def test_one_line_per_paragraph_web_copy(tmp_path: Path) -> None:
    raw = read_file(b.write(tmp_path / "web.txt", "\n".join(b.PARAGRAPHS)))
    assert [block.text for block in raw.blocks] == b.PARAGRAPHS


HTML = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Un garage solidaire – Le Journal</title>
<meta property="article:published_time" content="2021-05-04T08:00:00+02:00">
</head><body>
<nav><ul><li><a href="/">Accueil</a></li><li><a href="/emploi">Rubrique emploi</a></li></ul></nav>
<article><h1>Un garage solidaire</h1>
<p>{p0}</p><h2>Les partenaires</h2><p>{p1}</p><p>{p2}</p></article>
<section id="comments" class="comments"><h3>3 commentaires</h3>
<div class="comment"><p>Super initiative, bravo à toute l’équipe du garage !</p></div></section>
<footer><p>© 2021 Le Journal – Mentions légales – Plan du site</p></footer>
</body></html>"""


def test_html_main_text_title_date(tmp_path: Path) -> None:
    html = HTML.format(p0=b.PARAGRAPHS[0], p1=b.PARAGRAPHS[1], p2=b.PARAGRAPHS[2])
    raw = read_file(b.write(tmp_path / "page.html", html))
    assert raw.format == "html"
    assert raw.metadata["date"] == "2021-05-04"
    assert "garage solidaire" in str(raw.metadata["title"])
    text = raw.text
    assert all(p in text for p in b.PARAGRAPHS)
    assert "Accueil" not in text and "Super initiative" not in text
    assert "Mentions légales" not in text
    assert ("heading", "Les partenaires") in [(x.kind, x.text) for x in raw.blocks]


def test_pdf_headers_footers_hyphenation(tmp_path: Path) -> None:
    pages = [
        [
            "Rapport sur les cuisines collectives",
            "Les cuisines collectives sont une réponse inno-",
            "vation sociale aux besoins alimentaires des familles.",
            "Elles réunissent des habitants du quartier.",
        ],
        [
            "Le financement provient de la ville et d’une fondation.",
            "Les résultats sont encourageants pour les partici-",
            "pants comme pour les organismes.",
        ],
        ["Conclusion", "Le modèle peut essaimer dans d’autres régions."],
    ]
    data = b.pdf_bytes(pages, header="Observatoire régional — Rapport 2019", title="Cuisines")
    raw = read_file(b.write(tmp_path / "rapport.pdf", data))
    text = raw.text
    assert raw.format == "pdf" and raw.metadata["pages"] == 3
    assert "innovation sociale" in text and "participants" in text
    assert "Observatoire régional" not in text  # running header dropped
    assert "Page 2" not in text  # running footer dropped
    assert raw.metadata["title"] == "Cuisines"


def test_docx_headings_paragraphs(tmp_path: Path) -> None:
    data = b.docx_bytes("Projet de crèche", b.PARAGRAPHS)
    raw = read_file(b.write(tmp_path / "projet.docx", data))
    assert raw.format == "docx"
    assert raw.metadata["title"] == "Projet de crèche"
    assert raw.blocks[0].kind == "heading" and raw.blocks[0].text == "Projet de crèche"
    assert [x.text for x in raw.blocks if x.kind == "paragraph"][:3] == b.PARAGRAPHS
    assert ("heading", 2) in [(x.kind, x.level) for x in raw.blocks]


def test_odt_headings_paragraphs(tmp_path: Path) -> None:
    data = b.odt_bytes("Épicerie solidaire", b.PARAGRAPHS)
    raw = read_file(b.write(tmp_path / "projet.odt", data))
    assert raw.format == "odt"
    assert raw.blocks[0].kind == "heading" and raw.blocks[0].text == "Épicerie solidaire"
    assert [x.text for x in raw.blocks if x.kind == "paragraph"] == b.PARAGRAPHS
    assert raw.metadata["title"] == "Épicerie solidaire"


def test_iramuteq_detected_in_txt(tmp_path: Path) -> None:
    source = (
        "**** *annee_2012 *genre_rapport *region_quebec\n"
        "Premier texte sur les cuisines collectives.\n"
        "-*theme_alimentation\n"
        "Suite du premier texte.\n\n"
        "**** *annee_2015 *genre_projet *auteur_Marie-Roy\n"
        "Second texte sur le covoiturage rural.\n"
    )
    raw = read_file(b.write(tmp_path / "corpus_iramuteq.txt", source))
    assert raw.format == "iramuteq" and not raw.blocks
    assert len(raw.parts) == 2
    first, second = raw.parts
    assert first.metadata["year"] == "2012" and first.metadata["region"] == "quebec"
    assert "theme_alimentation" not in first.text and "Suite du premier texte." in first.text
    assert second.metadata["author"] == "Marie Roy" and second.metadata["genre"] == "projet"


def test_demo_corpus_files_all_read(demo_path: Path) -> None:
    raw_dir = demo_path / "raw"
    if not raw_dir.is_dir():
        pytest.skip("demo corpus not built")
    formats = set()
    for path in sorted(raw_dir.iterdir()):
        raw = read_file(path)
        assert len(raw.text.split()) > 50, path
        formats.add(raw.format)
    assert {"txt", "html", "pdf", "docx", "odt"} <= formats
