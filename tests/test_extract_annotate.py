"""Annotation: chunking, all-caps handling, and the DocBin cache (hits, misses, staleness).

The cache tests use a blank French pipeline plus a small real component that writes
records, so they run fast; the model-backed pipeline is covered in test_extract_run.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from corpus.extract.annotate import (
    AnnotateStats,
    annotate,
    is_all_caps,
    make_units,
    prepare_text,
    prune_cache,
    sentence_case,
    split_text,
)
from corpus.nlp import register_extensions

register_extensions()


@Language.component("test_besoin_marker")
def besoin_marker(doc: Doc) -> Doc:
    """Marks every token 'besoin(s)' as a free need (a real, tiny component)."""
    records, spans = [], []
    for token in doc:
        if token.lower_.startswith("besoin"):
            end = token.idx + len(token.text)
            records.append({"text": token.text, "start": token.idx, "end": end, "object": None})
            spans.append(Span(doc, token.i, token.i + 1, label="besoin"))
    doc._.free_needs = records
    doc.spans["free_needs"] = spans
    return doc


@pytest.fixture()
def nlp() -> Language:
    blank = spacy.blank("fr")
    blank.add_pipe("test_besoin_marker")
    return blank


def _count_pipe(nlp: Language, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    sent: list[str] = []
    original = nlp.pipe

    def counting(texts, *args, **kwargs):  # type: ignore[no-untyped-def]
        def tee():  # type: ignore[no-untyped-def]
            for item in texts:
                text = item[0] if isinstance(item, tuple) else item
                if isinstance(text, str):  # spaCy re-enters pipe() with Docs: skip those
                    sent.append(text)
                yield item

        return original(tee(), *args, **kwargs)

    monkeypatch.setattr(nlp, "pipe", counting)
    return sent


PASSAGES = [
    ("d1-0000", "d1", "Les besoins en logement augmentent."),
    ("d1-0001", "d1", "Un besoin de lien social."),
    ("d2-0000", "d2", "Rien ici."),
]


def test_split_text_cuts_at_sentence_ends_and_keeps_everything() -> None:
    text = " ".join(f"Phrase numéro {i} sur l’innovation sociale." for i in range(500))
    pieces = split_text(text, 1000)
    assert "".join(chunk for _, chunk in pieces) == text
    assert all(len(chunk) <= 1000 for _, chunk in pieces)
    assert all(text[offset : offset + len(chunk)] == chunk for offset, chunk in pieces)
    assert all(chunk.rstrip().endswith(".") for _, chunk in pieces[:-1])
    # No sentence end, no space: hard cuts.
    solid = "x" * 2500
    assert [len(c) for _, c in split_text(solid, 1000)] == [1000, 1000, 500]
    assert split_text("court", 1000) == [(0, "court")]


def test_all_caps_is_sentence_cased_with_same_length() -> None:
    shout = "L’INNOVATION SOCIALE RÉPOND AUX BESOINS. ELLE EST PORTÉE PAR LES CITOYENS."
    assert is_all_caps(shout)
    cased = prepare_text(shout)
    assert len(cased) == len(shout)
    assert cased.startswith("L’innovation sociale répond") and "Elle est portée" in cased
    normal = "L’innovation sociale répond aux besoins du RQIS et de l’OCDE."
    assert not is_all_caps(normal) and prepare_text(normal) == normal
    assert not is_all_caps("ONU 2024")  # too few letters to judge
    assert sentence_case("ÉTÉ. HIVER") == "Été. Hiver"


def test_units_split_long_passages() -> None:
    long_text = "Une phrase sur les besoins sociaux. " * 3000
    units = make_units([("p1", "d1", long_text), ("p2", "d1", "")], max_chars=10_000)
    assert len(units) > 10 and units[-1].text == "" and units[-1].passage_id == "p2"
    assert "".join(u.text for u in units if u.passage_id == "p1") == long_text


def test_second_run_parses_nothing(
    nlp: Language, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = _count_pipe(nlp, monkeypatch)
    units = make_units(PASSAGES)
    first_stats = AnnotateStats()
    first = list(annotate(units, nlp, cache_dir=tmp_path, pipeline_fp="fp1", stats=first_stats))
    assert len(sent) == 3 and first_stats.n_parsed == 3 and first_stats.shards_written == 2
    assert len(list((tmp_path / "fp1").glob("*.spacy"))) == 2  # one DocBin per document

    sent.clear()
    second_stats = AnnotateStats()
    second = list(annotate(units, nlp, cache_dir=tmp_path, pipeline_fp="fp1", stats=second_stats))
    assert sent == [] and second_stats.n_parsed == 0 and second_stats.n_cached == 3
    # Records (user_data) and spans survive the DocBin round trip, in order.
    assert [a.records()["free_needs"] for a in second] == [a.records()["free_needs"] for a in first]
    assert second[0].records()["free_needs"][0]["text"] == "besoins"
    assert [s.label_ for s in second[1].doc.spans["free_needs"]] == ["besoin"]
    assert [a.unit.passage_id for a in second] == ["d1-0000", "d1-0001", "d2-0000"]


def test_changed_document_or_fingerprint_reparses_only_what_changed(
    nlp: Language, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = _count_pipe(nlp, monkeypatch)
    list(annotate(make_units(PASSAGES), nlp, cache_dir=tmp_path, pipeline_fp="fp1"))
    sent.clear()
    changed = [*PASSAGES[:2], ("d2-0000", "d2", "Un autre besoin ici.")]
    out = list(annotate(make_units(changed), nlp, cache_dir=tmp_path, pipeline_fp="fp1"))
    assert sent == ["Un autre besoin ici."]  # only the changed document
    assert out[2].records()["free_needs"][0]["text"] == "besoin"
    sent.clear()
    # A new pipeline fingerprint (an edited lexicon) never reuses old annotations.
    list(annotate(make_units(changed), nlp, cache_dir=tmp_path, pipeline_fp="fp2"))
    assert len(sent) == 3


def test_corrupt_cache_file_is_reparsed(
    nlp: Language, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = _count_pipe(nlp, monkeypatch)
    stats = AnnotateStats()
    list(annotate(make_units(PASSAGES), nlp, cache_dir=tmp_path, pipeline_fp="fp", stats=stats))
    for file in (tmp_path / "fp").glob("*.records.json"):
        file.write_text("[{", encoding="utf-8")  # truncated
    sent.clear()
    out = list(annotate(make_units(PASSAGES), nlp, cache_dir=tmp_path, pipeline_fp="fp"))
    assert len(sent) == 3 and out[0].records()["free_needs"]
    # A damaged DocBin: records still come from the cache; the doc, when asked for, is
    # parsed again instead of failing.
    for file in (tmp_path / "fp").glob("*.spacy"):
        file.write_bytes(b"not a docbin")
    sent.clear()
    out = list(annotate(make_units(PASSAGES), nlp, cache_dir=tmp_path, pipeline_fp="fp"))
    assert sent == [] and out[0].records()["free_needs"]
    assert out[0].doc.text == PASSAGES[0][2] and len(sent) == 2  # d1's two passages


def test_prune_cache_keeps_current_keys(nlp: Language, tmp_path: Path) -> None:
    stats_old = AnnotateStats()
    list(
        annotate(make_units(PASSAGES), nlp, cache_dir=tmp_path, pipeline_fp="old", stats=stats_old)
    )
    stats = AnnotateStats()
    list(
        annotate(make_units(PASSAGES[:2]), nlp, cache_dir=tmp_path, pipeline_fp="new", stats=stats)
    )
    (tmp_path / "new" / "gone.spacy").write_bytes(b"x")
    removed = prune_cache(tmp_path, keep_fingerprint="new", keep_keys=stats.keys)
    assert removed == 2
    assert not (tmp_path / "old").exists()
    assert {p.stem for p in (tmp_path / "new").glob("*.spacy")} == stats.keys


def test_no_cache_dir_still_annotates(nlp: Language) -> None:
    out = list(annotate(make_units(PASSAGES), nlp, cache_dir=None, pipeline_fp="x"))
    assert [len(a.records()["free_needs"]) for a in out] == [1, 1, 0]


@pytest.mark.slow
def test_multiprocess_keeps_records_and_order(nlp: Language, tmp_path: Path) -> None:
    passages = [
        (f"d{i}-0000", f"d{i}", f"Texte {i} : un besoin, puis un autre besoin.") for i in range(12)
    ]
    out = list(
        annotate(
            make_units(passages),
            nlp,
            cache_dir=tmp_path,
            pipeline_fp="mp",
            n_process=2,
            batch_size=4,
        )
    )
    assert [a.unit.passage_id for a in out] == [p[0] for p in passages]
    assert all(len(a.records()["free_needs"]) == 2 for a in out)
    assert out[5].doc.text == passages[5][2]  # read from the DocBin a worker wrote
    assert [s.label_ for s in out[5].doc.spans["free_needs"]] == ["besoin", "besoin"]
    stats = AnnotateStats()
    again = list(
        annotate(make_units(passages), nlp, cache_dir=tmp_path, pipeline_fp="mp", stats=stats)
    )
    assert stats.n_parsed == 0 and stats.n_cached == 12
    assert [a.records() for a in again] == [a.records() for a in out]
