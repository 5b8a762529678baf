"""``corpus ingest`` / ``corpus extract --scheduler`` on a scheduler and two workers started
by hand (real ``dask scheduler`` and ``dask worker`` processes, loopback only), and the
refusal of workers whose package versions differ from the client's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus.errors import EXIT_PARTIAL, EXIT_USAGE
from corpus.extract.tables import TABLE_NAMES

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
# loopback only; one single-threaded worker process per `dask worker`
SCHEDULER_ARGS = ("--host", "127.0.0.1", "--port", "0", "--no-dashboard")
WORKER_ARGS = ("--host", "127.0.0.1", "--nthreads", "1", "--nworkers", "1", "--no-dashboard")
FILES = (
    "be-2011-article-economie-sociale-wallonie.txt",
    "qc-2021-article-frigos-communautaires.html",
    "be-2021-projet-creche-solidaire.docx",
    "fr-2012-declaration-rencontres-lyon.md",
)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CORPUS_SCHEDULER", "DASK_"))}
    env.update(extra)
    return env


class HandCluster:
    """A ``dask scheduler`` and ``dask worker`` processes, stopped when done."""

    def __init__(self, folder: Path, n_workers: int, worker_env: dict[str, str]) -> None:
        self.folder = folder
        self.file = folder / "scheduler.json"
        self.processes: list[subprocess.Popen[bytes]] = []
        self._start(
            [str(BIN / "dask"), "scheduler", *SCHEDULER_ARGS, "--scheduler-file", str(self.file)],
            _env(),
            "scheduler",
        )
        deadline = time.monotonic() + 60
        while not self.file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.address = str(json.loads(self.file.read_text())["address"])
        for number in range(n_workers):
            self._start(
                [str(BIN / "dask"), "worker", *WORKER_ARGS, "--scheduler-file", str(self.file)],
                worker_env,
                f"worker-{number}",
            )

    def _start(self, command: list[str], env: dict[str, str], name: str) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        self.processes.append(subprocess.Popen(command, stdout=log, stderr=log, env=env))

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory, demo_path: Path) -> Path:
    folder = tmp_path_factory.mktemp("hand-corpus")
    for name in FILES:
        shutil.copy(demo_path / "raw" / name, folder / name)
    (folder / "vide.txt").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HandCluster]:
    started = HandCluster(tmp_path_factory.mktemp("hand-cluster"), 2, _env())
    try:
        yield started
    finally:
        started.stop()


def _corpus(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "corpus"), *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=_env(CORPUS_SCHEDULER_TIMEOUT="60", **env),
    )


def test_hand_started_cluster_gives_the_same_tables_and_yaml(
    raw: Path, cluster: HandCluster, tmp_path: Path
) -> None:
    local, remote = tmp_path / "local", tmp_path / "remote"
    for store, extra in ((local, []), (remote, ["--scheduler", cluster.address])):
        done = _corpus("ingest", str(raw), "-q", "--store", str(store), *extra)
        assert done.returncode == EXIT_PARTIAL, done.stderr  # the empty file is rejected
        done = _corpus("extract", str(raw), "--store", str(store), "--out", f"{store}-out", *extra)
        assert done.returncode == EXIT_PARTIAL, done.stderr
    assert f"Dask scheduler {cluster.address}, 2 worker(s)" in done.stderr
    for name in ("documents", "passages", "rejected", "duplicates", *TABLE_NAMES):
        path = Path("tables") / f"{name}.parquet"
        assert (local / path).read_bytes() == (remote / path).read_bytes(), name
    yaml_local = sorted(Path(f"{local}-out").glob("*.yaml"))
    yaml_remote = sorted(Path(f"{remote}-out").glob("*.yaml"))
    assert [p.name for p in yaml_local] == [p.name for p in yaml_remote]
    assert [p.read_bytes() for p in yaml_local] == [p.read_bytes() for p in yaml_remote]
    record = json.loads((remote / "engine.json").read_text())
    assert record["command"] == "extract" and record["scheduler"] == cluster.address
    assert record["workers"] == 2 and record["retries"] == 0 and record["partitions"] > 0
    assert record["versions"]["spacy"] and record["versions"]["corpus-source"]


def test_workers_with_other_versions_are_refused(
    raw: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    import spacy

    fake = tmp_path_factory.mktemp("fake-site")
    info = fake / "spacy-0.0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: spacy\nVersion: 0.0.1\n")
    odd = HandCluster(tmp_path_factory.mktemp("odd-cluster"), 1, _env(PYTHONPATH=str(fake)))
    try:
        done = _corpus("ingest", str(raw), "-q", "--store", str(tmp_path / "s"), "--scheduler",
                       odd.address)  # fmt: skip
    finally:
        odd.stop()
    assert done.returncode == EXIT_USAGE, done.stderr
    assert "[E-ENGINE-VERSIONS]" in done.stderr
    assert f"spacy: client {spacy.__version__} | worker tcp://127.0.0.1:" in done.stderr
    assert " 0.0.1" in done.stderr
    assert not list((tmp_path / "s").rglob("*.parquet"))  # refused before any work
