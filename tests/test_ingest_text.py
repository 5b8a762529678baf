"""Cleaning rules, passages and offsets, language, genre heuristic."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from corpus.errors import ConfigError
from corpus.ingest.clean import _compile, clean_blocks, load_rules, normalize_text
from corpus.ingest.language import detect_language
from corpus.ingest.metadata import guess_genre
from corpus.ingest.passages import split_passages
from corpus.ingest.readers.base import Block


def test_normalize_keeps_french_typography() -> None:
    text = "L\u2019e\u0301conomie\u00a0: «\u202fsolidaire\u202f» \u2014 "
    text += "co\u00adop\u00e9rative\t\t ok  "
    assert normalize_text(text) == "L’économie : « solidaire » — coopérative ok"


@pytest.mark.parametrize(
    "line",
    [
        "Aucun commentaire:",
        "Enregistrer un commentaire",
        "À lire aussi : Une ressourcerie ouvre ses portes",
        "Avez-vous vu cela : Le rôle des médias dans la société",
        "Partager sur Facebook Partager sur Twitter",
        "Ce site utilise des cookies pour mesurer l’audience.",
        "© 2021 Le Journal – Tous droits réservés",
        "Publié le 23 décembre 2011 par Alsagora",
        "Abonnez-vous à notre infolettre",
        "Laisser un commentaire",
        "Retour à la Une",
    ],
)
def test_boilerplate_lines_removed(line: str) -> None:
    content = "L’innovation sociale répond à des besoins sociaux mal satisfaits."
    kept, removed = clean_blocks([Block(content), Block(line), Block(content + " Encore.")])
    assert [b.text for b in kept] == [content, content + " Encore."]
    assert len(removed) == 1 and removed[0]["text"] == line


def test_long_paragraph_starting_like_boilerplate_kept() -> None:
    text = "À lire aussi dans ce rapport, " + "les besoins des familles sont décrits en détail " * 8
    kept, removed = clean_blocks([Block(text)])
    assert removed == [] and len(kept) == 1


def test_author_box_at_end_dropped_with_rest() -> None:
    body = [Block(f"Paragraphe de contenu numéro {i} sur l’économie sociale.") for i in range(6)]
    tail = [Block("A propos de l’auteur"), Block("Alsagora 3649 partages"), Block("Voir son blog")]
    kept, removed = clean_blocks(body + tail)
    assert kept == body
    assert [r["text"] for r in removed] == [t.text for t in tail]


def test_contact_block_dropped() -> None:
    body = [Block("Le pôle régional soutient les entreprises d’économie sociale du territoire.")]
    contact = [
        Block("Si vous avez des questions ou pour en savoir plus, communiquer avec :"),
        Block("Anny Champoux"),
        Block("Agente de projets"),
        Block("(514) 703-6588"),
    ]
    kept, removed = clean_blocks(body + contact)
    assert kept == body and len(removed) == 4


def test_eval_docs_boilerplate(eval_dir: Path) -> None:
    """The real web copies lose their comment prompts and teasers, not their content."""
    from corpus.ingest.readers import read_file

    total_removed = 0
    for path in sorted((eval_dir / "docs").glob("*.txt")):
        raw = read_file(path)
        kept, removed = clean_blocks(raw.blocks)
        total_removed += len(removed)
        kept_words = sum(len(b.text.split()) for b in kept)
        removed_words = sum(len(r["text"].split()) for r in removed)
        assert removed_words < 0.1 * kept_words, path.name
        text = "\n".join(b.text for b in kept)
        assert "Enregistrer un commentaire" not in text
        assert "Avez-vous vu cela" not in text
        assert "innovation sociale" in text
    assert total_removed >= 4


def test_bad_rule_file_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        _compile([{"name": "x", "pattern": "("}], "rules.yaml")
    assert len(load_rules()) >= 8


def _random_text(rng: random.Random) -> str:
    words = ["innovation", "sociale", "M.", "Dupont", "coopérative", "l’économie", "«", "»",
             "besoin", "p.", "12", "etc.", "Québec", "art.", "logement", "U.S.A."]  # fmt: skip
    paragraphs = []
    for _ in range(rng.randint(1, 8)):
        sentences = []
        for _ in range(rng.randint(1, 60)):
            sentence = " ".join(rng.choice(words) for _ in range(rng.randint(1, 40)))
            sentences.append(sentence[:1].upper() + sentence[1:] + rng.choice([".", "!", "?", ""]))
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


@pytest.mark.parametrize("seed", range(40))
def test_passage_offsets_property(seed: int) -> None:
    rng = random.Random(seed)
    text = _random_text(rng)
    spans = split_passages(text, max_words=50)
    previous_end = 0
    for span in spans:
        piece = text[span.start : span.end]
        assert piece == piece.strip() and piece
        assert len(piece.split()) <= 50
        assert span.start >= previous_end
        previous_end = span.end
    # every word of the text is in exactly one passage
    assert sum(len(text[s.start : s.end].split()) for s in spans) == len(text.split())


def test_huge_unpunctuated_paragraph_hard_split() -> None:
    text = ("mot " * 500_000).strip()  # ~2 MB, one paragraph, no sentence boundary
    spans = split_passages(text)
    assert len(spans) == 2500
    assert all(len(text[s.start : s.end].split()) == 200 for s in spans)


def test_sentence_split_respects_abbreviations() -> None:
    sentence = "Selon M. Tremblay et Mme Roy, voir p. 12 et art. 3 du règlement. "
    text = (sentence * 30).strip()
    spans = split_passages(text, max_words=40)
    for span in spans:
        assert text[span.start : span.end].endswith("règlement.")


def test_language_and_genre() -> None:
    assert detect_language("Les coopératives répondent aux besoins des habitants.")[0] == "fr"
    assert detect_language("Cooperatives meet the needs of residents in rural areas.")[0] == "en"
    assert guess_genre(path="x.txt", title="Appel à projets 2019", text="", fmt="txt",
                       has_date=False) == "call"  # fmt: skip
    assert guess_genre(path="rapport-2016.pdf", title="Bilan", text="", fmt="pdf",
                       has_date=False) == "report"  # fmt: skip
    assert guess_genre(path="page.html", title="Un garage", text="", fmt="html",
                       has_date=True) == "news"  # fmt: skip
    assert guess_genre(path="a.txt", title="Notes", text="", fmt="txt", has_date=False) == "other"
