"""The extraction tables' document step (the trained scorers, e5 embeddings of candidate
sentences) in partitions of documents: the same bytes as one process, the client's e5
cache filled with the vectors computed in the partitions."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from engine_helpers import Pickled

FILES = (
    "be-2011-article-economie-sociale-wallonie.txt",
    "fr-2019-appel-projets-bien-vieillir.md",
    "qc-2021-article-frigos-communautaires.html",
    "ca-2019-brief-social-innovation-english.txt",
)


@pytest.fixture(scope="module")
def annotated(tmp_path_factory: pytest.TempPathFactory, demo_path: Path) -> dict[str, Any]:
    """Records of a small corpus (three French documents, one English), annotated once."""
    import corpus
    from corpus.extract.run import annotate_records
    from corpus.nlp.pipeline import build_pipeline, pipeline_fingerprint

    raw = tmp_path_factory.mktemp("documents-corpus")
    for name in FILES:
        shutil.copy(demo_path / "raw" / name, raw / name)
    opened = corpus.open(raw, store=tmp_path_factory.mktemp("documents-store"))
    opened.ingest()
    documents, passages = opened.documents, opened.passages
    nlp = build_pipeline()
    records, selected = annotate_records(
        documents, passages, nlp, pipeline_fp=pipeline_fingerprint(nlp), cache_dir=None
    )
    return {"records": records, "selected": selected, "documents": documents}


def _roles_reading_e5() -> Any:
    """Role scorers that read the e5 vector of each kept actor's sentences (and nothing else
    of the candidates' features), fitted on seeded random vectors."""
    from corpus.scorers.actors import ROLES
    from corpus.scorers.model import Scorer, ScorerSet

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(40, 384)).astype(np.float32)
    labels = (vectors[:, 0] > 0).astype(int)
    features = [{"unused": 0.0} for _ in labels]
    scorers = {
        role: Scorer(random_state=0).fit(features, labels, embeddings=vectors) for role in ROLES
    }
    return ScorerSet("roles", scorers)


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


@pytest.mark.slow
def test_document_partitions_decide_the_same_tables(
    annotated: dict[str, Any], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from corpus.engine.documents import build_tables_on
    from corpus.extract.run import scoring_context
    from corpus.extract.tables import TABLE_NAMES, build_tables
    from corpus.scorers.embeddings import MODEL_KEY
    from corpus.scorers.registry import load_all
    from corpus.topics.cache import EmbeddingCache

    records, selected, documents = (annotated[k] for k in ("records", "selected", "documents"))
    # No shipped set reads e5 today; role scorers that do exercise the partitions' vectors.
    scorers = {**load_all(), "roles": _roles_reading_e5()}
    assert scorers["roles"].uses_embeddings
    here_cache = tmp_path / "e5-here"
    context = scoring_context(selected, documents, scorers=scorers, cache_dir=here_cache)
    here = build_tables(records, selected, documents, context=context)
    executor = Pickled()
    there_cache = tmp_path / "e5-there"
    there = build_tables_on(
        executor,
        records,
        selected,
        documents,
        scorers=scorers,
        embeddings_cache=there_cache,
        partition_documents=2,
    )
    assert executor.partitions == 2  # three French documents, two per partition
    assert "deciding here" not in caplog.text  # the pieces were put together, no fallback
    assert list(there) == list(TABLE_NAMES)
    assert len(here["actors"]) and len(here["definitions"]) and len(here["doc_needs"])
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(there[name], here[name], check_exact=True, obj=name)
        assert _parquet(there[name]) == _parquet(here[name]), name
    # the vectors computed in the partitions went to the client's cache, as in one process
    mine = EmbeddingCache(here_cache / MODEL_KEY)
    theirs = EmbeddingCache(there_cache / MODEL_KEY)
    keys = sorted(mine._load())
    assert keys and sorted(theirs._load()) == keys
    assert all(np.array_equal(mine.get_many([k])[k], theirs.get_many([k])[k]) for k in keys)
    # a second run finds every vector in that cache: nothing is computed again
    before = sorted(p.name for p in (there_cache / MODEL_KEY).iterdir())
    again = build_tables_on(
        Pickled(), records, selected, documents, scorers=scorers, embeddings_cache=there_cache
    )
    assert sorted(p.name for p in (there_cache / MODEL_KEY).iterdir()) == before
    assert _parquet(again["actors"]) == _parquet(here["actors"])


@pytest.mark.slow
def test_a_partition_of_one_document_per_task_keeps_the_record_order(
    annotated: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """``doc_actor_types`` follows the records' document order, not ``doc_id`` order."""
    from corpus.engine.documents import build_tables_on
    from corpus.extract.tables import build_tables

    records, selected, documents = (annotated[k] for k in ("records", "selected", "documents"))
    here = build_tables(records, selected, documents)  # rules only
    there = build_tables_on(Pickled(), records, selected, documents, partition_documents=1)
    assert "deciding here" not in caplog.text
    for name in ("doc_actor_types", "actors", "definitions", "doc_needs", "doc_stages"):
        assert _parquet(there[name]) == _parquet(here[name]), name


@pytest.mark.slow
def test_one_new_document_is_the_only_one_read_and_parsed(tmp_path: Path, demo_path: Path) -> None:
    """Adding a document to an extracted corpus reads and parses that document only."""
    import corpus

    raw = tmp_path / "raw"
    raw.mkdir()
    for name in FILES[:2]:
        shutil.copy(demo_path / "raw" / name, raw / name)
    opened = corpus.open(raw, store=tmp_path / "store")
    opened.ingest()
    cold = opened.extract(executor=Pickled())
    new = "qc-2012-projet-covoiturage-rural.txt"
    shutil.copy(demo_path / "raw" / new, raw / new)
    ingest = opened.ingest(executor=Pickled())
    assert ingest.added == [new] and len(ingest.unchanged) == 2
    again = opened.extract(executor=Pickled())
    n_units = len(opened.passages[opened.passages["doc_id"] == _doc_id(opened, new)])
    assert again.n_cached == cold.n_parsed  # the two earlier documents: from the cache
    assert 0 < again.n_parsed <= n_units and again.n_documents == cold.n_documents + 1


def _doc_id(opened: Any, path: str) -> str:
    documents = opened.documents
    return str(documents.loc[documents["path"] == path, "doc_id"].iloc[0])


def test_pieces_that_disagree_on_columns_are_not_put_together() -> None:
    from corpus.engine.documents import _merge

    a = pd.DataFrame({"doc_id": ["b"], "n": [1]})
    b = pd.DataFrame({"doc_id": ["a"], "n": [2]})
    merged = _merge([a, b.iloc[:0], b], rank=None)
    assert merged is not None and merged["doc_id"].tolist() == ["a", "b"]
    assert merged["n"].tolist() == [2, 1]  # doc_id order, each document's rows kept
    assert _merge([a, b.assign(extra=None)], rank=None) is None
    assert _merge([a, b.assign(n=[2.0])], rank=None) is None
    ranked = _merge([a, b], rank={"b": 0, "a": 1})
    assert ranked is not None and ranked["doc_id"].tolist() == ["b", "a"]
