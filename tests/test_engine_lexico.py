"""Reinert's segments (tagging, IRaMuTeQ's cut, active lemmas) in partitions of whole
documents: the same tables and matrix as one process, the client's token cache filled."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from engine_helpers import Pickled

FILES = (
    "be-2011-article-economie-sociale-wallonie.txt",
    "fr-2019-appel-projets-bien-vieillir.md",
    "qc-2021-article-frigos-communautaires.html",
    "qc-2012-projet-covoiturage-rural.txt",
)


@pytest.mark.slow
def test_segments_in_partitions_are_those_of_one_process(
    tmp_path: Path, demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import corpus
    from corpus.engine import lexico

    raw = tmp_path / "raw"
    raw.mkdir()
    for name in FILES:
        shutil.copy(demo_path / "raw" / name, raw / name)
    here = corpus.open(raw, store=tmp_path / "here")
    mine = here.lexico()
    there = corpus.open(raw, store=tmp_path / "there")
    there.ingest()
    # a passage tagged earlier is served from the cache, the others tagged in the partitions
    first = there.passages.iloc[:3]
    from corpus.lexico.tokens import tokenise

    tokenise(first, cache_dir=there.store.cache_dir("lexico-tokens"))
    monkeypatch.setattr(lexico, "PARTITION_PASSAGES", 5)
    executor = Pickled()
    theirs = there.lexico(executor=executor)
    n_docs = there.passages["doc_id"].nunique()
    assert executor.partitions >= n_docs >= 3  # whole documents, at least one per task
    for name in ("segments", "tokens"):
        ours, others = getattr(mine, name), getattr(theirs, name)
        assert list(ours.dtypes) == list(others.dtypes), name
        assert ours.equals(others), name
    assert there.store.table_path("segments").read_bytes() == (
        here.store.table_path("segments").read_bytes()
    )
    m1, t1 = mine.matrix()
    m2, t2 = theirs.matrix()
    assert t1 == t2 and (m1 != m2).nnz == 0
    # the client wrote what the partitions tagged: a fresh stage run tags nothing
    shutil.rmtree(there.store.cache_dir("lexico"))
    monkeypatch.setattr("corpus.lexico.tokens.load_tagger", _no_tagger)
    again = there.lexico(executor=Pickled())
    assert again.segments.equals(mine.segments)


def _no_tagger(model: str = "") -> Any:
    raise AssertionError("every passage should come from the token cache")


def test_a_document_split_across_rows_is_refused() -> None:
    import pandas as pd

    from corpus.engine.lexico import passage_partitions

    parts = passage_partitions(pd.Series(["a", "a", "b", "c", "c", "c"]), size=2)
    assert [p.tolist() for p in parts] == [[0, 1], [2, 3, 4, 5]]
    with pytest.raises(ValueError, match="not consecutive"):
        passage_partitions(pd.Series(["a", "b", "a"]))
