"""What makes the annotate-and-extract pass fast must not change what it finds.

* the cache files are written on a background thread: every file is complete when
  :func:`annotate` returns, and a failed write is raised, not lost;
* worker processes get runs of whole documents, in order, of at least a batch;
* the anchor pre-filter of :class:`corpus.nlp.lexicon.PatternSet` (by string hash) finds
  exactly what running every pattern on the whole doc finds.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from corpus.extract.annotate import (
    AnnotateStats,
    _ShardWriter,
    _worker_tasks,
    annotate,
    make_units,
)
from corpus.nlp import register_extensions
from corpus.nlp.lexicon import PatternSet, load_patterns, resource_file

register_extensions()


def _mark_besoin(doc: Doc) -> Doc:
    doc._.free_needs = [
        {"text": t.text, "start": t.idx, "end": t.idx + len(t.text), "object": None}
        for t in doc
        if t.lower_.startswith("besoin")
    ]
    return doc


@pytest.fixture()
def nlp() -> Language:
    if "test_speed_besoin" not in Language.factories:
        Language.component("test_speed_besoin", func=_mark_besoin)
    blank = spacy.blank("fr")
    blank.add_pipe("test_speed_besoin")
    return blank


def test_every_cache_file_is_written_when_annotate_returns(nlp: Language, tmp_path: Path) -> None:
    passages = [(f"d{i}-0", f"d{i}", f"Document {i} : un besoin de lien.") for i in range(40)]
    stats = AnnotateStats()
    out = list(
        annotate(make_units(passages), nlp, cache_dir=tmp_path, pipeline_fp="fp", stats=stats)
    )
    folder = tmp_path / "fp"
    assert stats.shards_written == 40
    assert len(list(folder.glob("*.spacy"))) == len(list(folder.glob("*.records.json"))) == 40
    assert not list(folder.glob(".*.tmp"))  # no write left half-done
    again = AnnotateStats()
    cached = list(
        annotate(make_units(passages), nlp, cache_dir=tmp_path, pipeline_fp="fp", stats=again)
    )
    assert again.n_parsed == 0 and again.n_cached == 40
    assert [a.records() for a in cached] == [a.records() for a in out]
    assert cached[7].doc.text == passages[7][2]


def test_a_failed_cache_write_is_raised(tmp_path: Path) -> None:
    writer = _ShardWriter()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    writer.submit(tmp_path / "ok.spacy", tmp_path / "ok.records.json", b"a", b"{}")
    writer.submit(blocker / "k.spacy", blocker / "k.records.json", b"a", b"{}")
    with pytest.raises(OSError):
        writer.close()
    assert (tmp_path / "ok.records.json").read_bytes() == b"{}"


def test_worker_tasks_are_runs_of_whole_documents_in_order() -> None:
    passages = [(f"d{d}-{p}", f"d{d}", f"texte {d}.{p}") for d in range(7) for p in range(d + 1)]
    units = make_units(passages)
    groups: dict[str, list] = {}
    for unit in units:
        groups.setdefault(unit.doc_id, []).append(unit)
    tasks = _worker_tasks(list(groups.values()), batch_size=5, docbin=True)
    documents = [texts for task in tasks for texts in task[0]]
    assert documents == [[u.parse_text for u in g] for g in groups.values()]
    assert all(sum(len(t) for t in task[0]) >= 5 for task in tasks[:-1])
    assert all(task[1] == 5 and task[2] is True for task in tasks)


@pytest.mark.parametrize("component", ["needs", "stages"])
def test_anchor_prefilter_finds_what_every_pattern_finds(fr_nlp: Language, component: str) -> None:
    path = resource_file(None, component, "patterns.jsonl")
    assert path is not None
    entries = load_patterns(path)
    patterns = PatternSet(fr_nlp.vocab, entries)
    doc = fr_nlp(
        "Les personnes âgées isolées ont besoin de logements abordables. L'insertion "
        "professionnelle des jeunes et l'accès aux soins de santé restent des besoins "
        "criants. Le projet pilote a été expérimenté puis essaimé dans trois régions, "
        "après une phase d'évaluation de son impact social."
    )
    expected = set()
    for entry in entries:
        matcher = Matcher(fr_nlp.vocab)
        matcher.add(entry.id, [entry.pattern])
        for sent in doc.sents:  # patterns never cross a sentence boundary
            expected.update((entry.id, sent.start + s, sent.start + e) for _, s, e in matcher(sent))
    found = {(m.entry.id, m.start, m.end) for m in patterns(doc)}
    assert found == expected and len(found) > 3


def test_abandoned_multiprocess_annotation_leaves_no_worker(nlp: Language, tmp_path: Path) -> None:
    passages = [(f"d{i}-0", f"d{i}", f"Texte {i} : un besoin.") for i in range(12)]
    stream = annotate(
        make_units(passages), nlp, cache_dir=tmp_path, pipeline_fp="mp", n_process=2, batch_size=2
    )
    first = next(stream)
    assert first.records()["free_needs"][0]["text"] == "besoin"
    assert multiprocessing.active_children()  # the workers are running
    stream.close()  # the caller stops early
    assert not multiprocessing.active_children()
    assert (tmp_path / "mp").is_dir()  # what was queued is written, nothing half-done
    assert not list((tmp_path / "mp").glob(".*.tmp"))
