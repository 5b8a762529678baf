"""Extraction streamed partition by partition (:mod:`corpus.extract.stream`): the bytes of
a whole-corpus build, with one process and on an engine, and one new document re-decides
its partition only."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest

from engine_helpers import Pickled

FILES = (
    "be-2011-article-economie-sociale-wallonie.txt",
    "fr-2019-appel-projets-bien-vieillir.md",
    "qc-2021-article-frigos-communautaires.html",
    "ca-2019-brief-social-innovation-english.txt",
    "fr-2022-article-entreprise-adaptee.txt",
)
NEW = "be-2025-suite-economie-sociale-wallonie.txt"


def _whole_bytes(opened: Any, folder: Path) -> dict[str, bytes]:
    """Every table built whole (the records of the corpus at once), as the store writes it."""
    from corpus.extract.run import extract_tables, scoring_context
    from corpus.extract.tables import TABLE_NAMES
    from corpus.nlp.pipeline import build_pipeline, pipeline_fingerprint
    from corpus.scorers.registry import load_all
    from corpus.store import ROW_GROUP_ROWS, atomic_write_parquet

    store = opened.store.root
    documents, passages = opened.documents, opened.passages
    nlp = build_pipeline()
    tables = extract_tables(
        documents,
        passages,
        nlp,
        pipeline_fp=pipeline_fingerprint(nlp),
        cache_dir=None,
        scorers=load_all(store_root=store),
        embed=scoring_context(passages, documents, cache_dir=folder / "e5").embed,
    )
    out = {}
    for name in TABLE_NAMES:
        path = folder / f"{name}.parquet"
        atomic_write_parquet(path, tables[name], row_group_size=ROW_GROUP_ROWS)
        out[name] = path.read_bytes()
    return out


def _stored(opened: Any) -> dict[str, bytes]:
    from corpus.extract.tables import TABLE_NAMES

    return {name: opened.store.table_path(name).read_bytes() for name in TABLE_NAMES}


@pytest.mark.slow
def test_streamed_tables_are_the_whole_corpus_bytes_and_one_new_document_one_partition(
    tmp_path: Path, demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import corpus
    from corpus.extract import stream
    from corpus.extract.run import extract_corpus

    monkeypatch.setattr(stream, "PARTITION_TARGET", 2)  # several partitions of 4 documents
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in FILES:
        shutil.copy(demo_path / "raw" / name, raw / name)
    opened = corpus.open(raw, store=tmp_path / "store")
    opened.ingest()
    cold = opened.extract()
    assert cold.partitions >= 2 and cold.partitions_decided == cold.partitions
    whole = _whole_bytes(opened, tmp_path / "whole")
    assert _stored(opened) == whole
    assert len(pd.read_parquet(opened.store.table_path("actors")))
    # on an engine (partitions pickled as they travel to workers): the same bytes
    again = extract_corpus(opened, force=True, executor=Pickled())
    assert again.partitions_decided == 0  # every partition from its cache
    shutil.rmtree(opened.store.cache_dir("extraction-parts"))
    extract_corpus(opened, force=True, executor=Pickled())
    assert _stored(opened) == whole
    # one new document (whose values are of kinds the corpus has, so the columns' types
    # stay): its partition only is annotated and decided
    text = (demo_path / "raw" / FILES[0]).read_text(encoding="utf-8")
    (raw / NEW).write_text(text + "\nLe projet a ouvert un second atelier en 2025.\n", "utf-8")
    opened.ingest()
    one = opened.extract()
    assert one.partitions_decided == 1 and one.n_parsed > 0
    assert one.n_documents == cold.n_documents + 1
    assert _stored(opened) == _whole_bytes(opened, tmp_path / "whole-new")
    parts = opened.store.cache_dir("extraction-parts")
    assert len(list(parts.iterdir())) == 2 * one.partitions  # scan + tables; old ones pruned


def test_parts_are_put_together_as_the_whole_frame_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Columns typed differently per part (int / float / missing / all null), the
    document-level order merged by ``doc_id``, row groups cut as one write cuts them."""
    from corpus.extract import stream
    from corpus.store import atomic_write_parquet

    monkeypatch.setattr(stream, "ROW_GROUP_ROWS", 3)
    parts = [
        pd.DataFrame({"doc_id": ["d", "d", "f"], "passage_id": ["p1", "p2", "p3"], "n": [1, 2, 3]}),
        pd.DataFrame({"doc_id": ["a"], "passage_id": ["p4"], "n": [None], "x": ["y"]}),
        pd.DataFrame({"doc_id": ["e", "e"], "passage_id": ["p5", "p6"], "n": [0.5, 1.0]}),
    ]
    for table, order in (("goals", None), ("doc_needs", "doc_id")):
        frames = [p.drop(columns="x") if order and "x" in p else p for p in parts]
        paths = []
        for i, frame in enumerate(frames):
            paths.append(tmp_path / f"{table}-{i}.arrow")
            feather.write_feather(stream.to_arrow(frame), paths[-1], chunksize=2)
        whole = pd.concat(frames, ignore_index=True)
        whole["n"] = whole["n"].astype("float64")  # ints and floats: a whole frame's type
        if order:
            whole = whole.sort_values(order, kind="stable").reset_index(drop=True)
        expected = tmp_path / f"{table}-whole.parquet"
        atomic_write_parquet(expected, whole, row_group_size=3)
        target = tmp_path / f"{table}.parquet"
        assert stream.merge_parts(table, paths, target)
        assert pq.read_metadata(target).num_row_groups == 2
        assert target.read_bytes() == expected.read_bytes(), table
    # a document-level table whose parts disagree on columns is not put together
    mixed = [tmp_path / "goals-0.arrow", tmp_path / "goals-1.arrow"]
    assert not stream.merge_parts("actors", mixed, tmp_path / "no.parquet")


def test_partitions_are_cut_by_content() -> None:
    """Adding a document changes the partition it falls in and no other."""
    from corpus.extract.stream import partitions

    def cut(ids: list[str]) -> list[tuple[str, ...]]:
        frame = pd.DataFrame({"doc_id": ids, "passage_id": [f"p{d}" for d in ids]})
        return [p.doc_ids for p in partitions(frame, target=4, most=50)]

    ids = [f"doc{i:03d}" for i in range(200)]
    before = cut(ids)
    after = cut([*ids[:100], "new", *ids[100:]])
    assert 20 < len(before) < 100 and sum(map(len, before)) == 200
    changed = [p for p in after if p not in before]
    assert len(changed) == 1 and "new" in changed[0]
    assert len(after) == len(before)
