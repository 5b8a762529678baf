"""The stages on a local Dask cluster (two single-threaded worker processes, loopback):
byte-identical tables, a worker killed mid-run, a worker that dies on every retry."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from distributed import WorkerPlugin

import corpus
from corpus.errors import EngineError
from corpus.extract.tables import TABLE_NAMES

pytestmark = pytest.mark.slow

FILES = (
    "be-2011-article-economie-sociale-wallonie.txt",
    "fr-2019-appel-projets-bien-vieillir.md",
    "qc-2021-article-frigos-communautaires.html",
    "fr-2016-rapport-insertion-activite.pdf",
    "be-2021-projet-creche-solidaire.docx",
    "fr-2010-projet-epicerie-solidaire.odt",
    "ca-2019-brief-social-innovation-english.txt",
)
INGEST_TABLES = ("documents", "passages", "rejected", "duplicates")


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory, demo_path: Path) -> Path:
    """A small corpus of every format, one English document and one empty file."""
    folder = tmp_path_factory.mktemp("engine-corpus")
    for name in FILES:
        shutil.copy(demo_path / "raw" / name, folder / name)
    (folder / "vide.txt").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def engine() -> Iterator[Any]:
    """``--workers 2`` as the CLI starts it; one death per partition is retried."""
    import dask

    from corpus.engine.cluster import EngineOptions, connect

    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        started = connect(EngineOptions(workers=2, timeout=60))
    try:
        yield started
    finally:
        started.close()


@pytest.fixture(scope="module")
def baseline(raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The corpus ingested and extracted in this process."""
    opened = corpus.open(raw, store=tmp_path_factory.mktemp("store-local"))
    opened.ingest()
    opened.extract()
    return opened


def _table_bytes(opened: Any, names: tuple[str, ...]) -> dict[str, bytes]:
    return {name: opened.store.table_path(name).read_bytes() for name in names}


def test_ingest_on_the_cluster_writes_the_same_bytes(
    raw: Path, engine: Any, baseline: Any, tmp_path: Path
) -> None:
    opened = corpus.open(raw, store=tmp_path / "store")
    report = opened.ingest(executor=engine)
    assert [r.code for r in report.rejected] == ["E-INGEST-EMPTY"]
    assert _table_bytes(opened, INGEST_TABLES) == _table_bytes(baseline, INGEST_TABLES)
    again = opened.ingest(executor=engine)
    assert len(again.unchanged) == len(FILES) + 1 and not again.added


def test_extraction_on_the_cluster_writes_the_same_tables_and_yaml(
    raw: Path, engine: Any, baseline: Any, tmp_path: Path
) -> None:
    from corpus.cli.extract import write_predictions
    from corpus.extract.run import extract_corpus

    opened = corpus.open(raw, store=tmp_path / "store")
    opened.ingest(executor=engine)
    report = opened.extract(executor=engine)
    assert report.n_parsed > 0 and report.n_cached == 0
    assert _table_bytes(opened, TABLE_NAMES) == _table_bytes(baseline, TABLE_NAMES)
    mine = write_predictions(opened, tmp_path / "yaml-cluster")
    theirs = write_predictions(baseline, tmp_path / "yaml-local")
    assert [p.read_bytes() for p in mine] == [p.read_bytes() for p in theirs]
    # the client wrote the same annotation cache: a local re-run parses nothing
    rerun = extract_corpus(opened, force=True)
    assert rerun.n_parsed == 0 and rerun.n_cached == report.n_parsed


def test_lemmas_and_embeddings_on_the_cluster_are_the_same(baseline: Any, engine: Any) -> None:
    from corpus.topics.embeddings import embed_passages, make_embedder
    from corpus.topics.vectorizer import lemmatise

    texts = baseline.passages["text"].tolist()[:150]
    assert lemmatise(texts, executor=engine) == lemmatise(texts)
    embedder = make_embedder("spacy")
    here = embed_passages(texts, embedder)
    there = embed_passages(texts, make_embedder("spacy"), executor=engine)
    assert here.dtype == there.dtype == np.float32
    assert np.array_equal(here, there)


def _annotate_processing(engine: Any) -> str | None:
    for worker, keys in engine.client.processing().items():
        if any(str(k).startswith("corpus-annotate-") for k in keys):
            return str(worker)
    return None


def test_a_worker_killed_mid_run_costs_a_retry_not_the_run(
    raw: Path, engine: Any, baseline: Any, tmp_path: Path
) -> None:
    opened = corpus.open(raw, store=tmp_path / "store")
    opened.ingest()
    pids = engine.client.run(os.getpid)
    retries_before = engine.retries
    outcome: dict[str, Any] = {}

    def extract() -> None:
        try:
            outcome["report"] = opened.extract(executor=engine)
        except BaseException as exc:  # reported by the assertion below
            outcome["error"] = exc

    thread = threading.Thread(target=extract)
    thread.start()
    victim = None
    deadline = time.monotonic() + 120
    while victim is None and thread.is_alive() and time.monotonic() < deadline:
        victim = _annotate_processing(engine)
        time.sleep(0.02)
    assert victim is not None, "no annotation task was seen running"
    os.kill(pids[victim], signal.SIGKILL)
    thread.join(timeout=300)
    assert "error" not in outcome, outcome.get("error")
    assert engine.retries > retries_before
    assert _table_bytes(opened, TABLE_NAMES) == _table_bytes(baseline, TABLE_NAMES)
    assert engine.info()["retries"] == engine.retries
    engine.client.wait_for_workers(2, timeout=60)  # the nanny restarted it


class DieOnPartition(WorkerPlugin):
    """A worker plugin that kills its worker whenever it starts one given task."""

    name = "test-die-on-partition"

    def __init__(self, suffix: str) -> None:
        self.suffix = suffix

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        text = str(key)
        if (
            finish == "executing"
            and text.startswith("corpus-annotate-")
            and text.endswith(self.suffix)
        ):
            os._exit(17)


def test_a_worker_dying_on_every_retry_fails_the_run_naming_the_documents(
    raw: Path, engine: Any, tmp_path: Path
) -> None:
    import cloudpickle

    module = sys.modules[__name__]
    cloudpickle.register_pickle_by_value(module)  # the workers need not import the tests
    opened = corpus.open(raw, store=tmp_path / "store")
    opened.ingest()
    engine.client.register_plugin(DieOnPartition("-000001"), name=DieOnPartition.name)
    try:
        with pytest.raises(EngineError) as caught:
            opened.extract(executor=engine)
    finally:
        engine.client.unregister_worker_plugin(DieOnPartition.name)
        cloudpickle.unregister_pickle_by_value(module)
    error = caught.value
    assert error.code == "E-ENGINE-WORKER-DIED" and error.exit_code == 1
    assert "the documents " in str(error)
    assert any(name in str(error) for name in FILES)
    # nothing half-written: no extraction table
    assert not any(opened.store.has_table(name) for name in TABLE_NAMES)
    # The first partition's annotations are kept when it was yielded before the failure.
    # Whether it was depends on timing: a dying worker also costs a retry to every task
    # queued on it, so on a loaded machine the first partition can fail with the second.
    failed_key = str(error.__cause__.args[0])  # KilledWorker(task, last_worker, ...)
    first_was_yielded = failed_key.endswith("-000001")
    assert failed_key.endswith(("-000000", "-000001")), failed_key
    cached = list(opened.store.cache_dir("docbin").rglob("*.records.json"))
    assert bool(cached) == first_was_yielded
    engine.client.wait_for_workers(2, timeout=60)
    resumed = opened.extract(executor=engine)
    assert resumed.n_cached >= len(cached)


def test_segments_on_the_cluster_are_the_same(
    raw: Path, engine: Any, baseline: Any, tmp_path: Path
) -> None:
    opened = corpus.open(raw, store=tmp_path / "store")
    theirs = opened.lexico(executor=engine)
    mine = baseline.lexico()
    assert theirs.segments.equals(mine.segments) and theirs.tokens.equals(mine.tokens)
    assert opened.store.table_path("segments").read_bytes() == (
        baseline.store.table_path("segments").read_bytes()
    )
