"""The engine's options, checks and bad input that need no running cluster."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corpus.engine.cluster import (
    SCHEDULER_ENV,
    TIMEOUT_ENV,
    EngineOptions,
    environment_versions,
    version_table,
)
from corpus.engine.plugin import PipelineSpec, materialise
from corpus.errors import EXIT_USAGE, UsageError

CORPUS = Path(sys.executable).with_name("corpus")


def test_no_option_and_no_environment_runs_here() -> None:
    assert EngineOptions.resolve(environ={}) is None


def test_workers_start_a_local_cluster() -> None:
    options = EngineOptions.resolve(workers=2, environ={})
    assert options == EngineOptions(workers=2, scheduler=None)


def test_scheduler_comes_from_the_environment_unless_workers_are_given() -> None:
    env = {SCHEDULER_ENV: "tcp://127.0.0.1:8786", TIMEOUT_ENV: "3"}
    options = EngineOptions.resolve(environ=env)
    assert options is not None
    assert (options.scheduler, options.timeout) == ("tcp://127.0.0.1:8786", 3.0)
    local = EngineOptions.resolve(workers=2, environ=env)
    assert local is not None and local.scheduler is None and local.workers == 2


def test_workers_and_scheduler_together_are_refused() -> None:
    with pytest.raises(UsageError) as caught:
        EngineOptions.resolve(workers=2, scheduler="tcp://127.0.0.1:8786", environ={})
    assert caught.value.code == "E-ENGINE-OPTIONS"
    assert caught.value.exit_code == EXIT_USAGE


def test_version_table_puts_the_differences_side_by_side() -> None:
    mine = environment_versions()
    assert mine["corpus"] != "absent" and len(mine["corpus-source"]) == 16
    theirs = dict(mine, spacy="0.0.1")
    table = version_table(mine, {"tcp://127.0.0.1:1": theirs, "tcp://127.0.0.1:2": mine})
    assert table == f"  spacy: client {mine['spacy']} | worker tcp://127.0.0.1:1 0.0.1"
    assert version_table(mine, {"tcp://127.0.0.1:2": mine}) == ""


def test_resource_overrides_travel_as_bytes(tmp_path: Path) -> None:
    spec = PipelineSpec(
        ("corpus_needs",),
        (("corpus_needs", False, (("needs.yaml", b"a: 1\n"), ("sub/more.jsonl", b"{}\n"))),),
    )
    paths = materialise(spec, tmp_path)
    folder = Path(paths["corpus_needs"])
    assert (folder / "needs.yaml").read_bytes() == b"a: 1\n"
    assert (folder / "sub" / "more.jsonl").read_bytes() == b"{}\n"
    assert folder.parent.name == spec.digest
    other = PipelineSpec(spec.components, (("corpus_needs", False, (("needs.yaml", b"a: 2\n"),)),))
    assert other.digest != spec.digest


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_scheduler_that_does_not_answer_fails_within_the_timeout(tmp_path: Path) -> None:
    raw = tmp_path / "corpus"
    raw.mkdir()
    (raw / "note.txt").write_text("L'innovation sociale répond à un besoin.\n", encoding="utf-8")
    address = f"tcp://127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    done = subprocess.run(
        [str(CORPUS), "ingest", str(raw), "-q", "--scheduler", address],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", TIMEOUT_ENV: "2", "CORPUS_HOME": str(tmp_path / "home")},
    )
    elapsed = time.monotonic() - started
    assert done.returncode == EXIT_USAGE, done.stderr
    assert "[E-ENGINE-CONNECT]" in done.stderr and address in done.stderr
    assert "did not answer within 2 s" in done.stderr
    assert elapsed < 60  # the timeout, plus the imports of a cold start on a busy machine
    assert not (tmp_path / "home").exists() or not list((tmp_path / "home").rglob("*.parquet"))


class PickledInProcess:
    """An executor that runs each partition here, its inputs and result pickled as they
    would travel to and from a worker (the data path without a cluster)."""

    def __init__(self) -> None:
        self.partitions = 0

    def map(self, func, items, *, shared=None, label, describe=None, total=None, progress=True):  # type: ignore[no-untyped-def]
        import pickle

        for item in items:
            self.partitions += 1
            result = func(pickle.loads(pickle.dumps(shared)), pickle.loads(pickle.dumps(item)))
            yield pickle.loads(pickle.dumps(result))


def test_ingest_partitions_give_the_same_bytes(
    tmp_path: Path, demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import corpus
    from corpus.ingest import pipeline

    raw = tmp_path / "raw"
    raw.mkdir()
    for path in sorted((demo_path / "raw").glob("*.txt"))[:5]:
        shutil.copy(path, raw / path.name)
    shutil.copy(demo_path / "raw" / "qc-2021-article-frigos-communautaires.html", raw)
    (raw / "vide.txt").write_bytes(b"")
    (raw / "dehors.txt").symlink_to(demo_path / "README.md")
    here = corpus.open(raw, store=tmp_path / "here")
    here.ingest()
    monkeypatch.setattr(pipeline, "PARTITION_FILES", 3)
    executor = PickledInProcess()
    there = corpus.open(raw, store=tmp_path / "there")
    report = there.ingest(executor=executor)
    assert executor.partitions == 3
    assert sorted(r.code for r in report.rejected) == ["E-INGEST-EMPTY", "E-INGEST-SYMLINK-OUTSIDE"]
    for name in ("documents", "passages", "rejected", "duplicates"):
        assert there.store.table_path(name).read_bytes() == here.store.table_path(name).read_bytes()
