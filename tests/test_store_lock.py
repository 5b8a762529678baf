"""Two processes and one store: the second waits, or stops with StoreLockedError / exit 4."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "ingest"))

import ingest_builders as b

import corpus
import corpus.store as store_module
from corpus.errors import EXIT_LOCKED, StoreLockedError

HOLDER = """
import sys, time
from pathlib import Path
from corpus.store import Store
with Store(Path(sys.argv[1])).lock():
    Path(sys.argv[2]).write_text("locked")
    time.sleep(float(sys.argv[3]))
"""


def _hold_lock(store_dir: Path, seconds: float, tmp_path: Path) -> subprocess.Popen[bytes]:
    ready = tmp_path / "ready"
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store_dir), str(ready), str(seconds)]
    )
    deadline = time.monotonic() + 30
    while not ready.exists():
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            pytest.fail("the lock holder did not start")
        time.sleep(0.05)
    return process


@pytest.fixture()
def small_corpus(tmp_path: Path) -> Path:
    root = b.make_corpus(tmp_path / "c")
    b.write(root / "raw" / "a.txt", b.PARAGRAPHS[0])
    return root


def test_second_process_stops_with_clear_error(
    small_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handle = corpus.open(small_corpus)
    holder = _hold_lock(handle.store.root, 20, tmp_path)
    try:
        monkeypatch.setattr(store_module, "DEFAULT_LOCK_TIMEOUT", 0.3)
        with pytest.raises(StoreLockedError) as info:
            handle.ingest()
        assert info.value.exit_code == EXIT_LOCKED
        assert "E-STORE-LOCKED" in str(info.value) and "CORPUS_LOCK_TIMEOUT" in str(info.value)
        assert not handle.store.has_table("documents")  # nothing half-written
    finally:
        holder.kill()
        holder.wait()


def test_second_process_waits_then_ingests(
    small_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handle = corpus.open(small_corpus)
    holder = _hold_lock(handle.store.root, 1.0, tmp_path)
    try:
        monkeypatch.setattr(store_module, "DEFAULT_LOCK_TIMEOUT", 30.0)
        started = time.monotonic()
        report = handle.ingest()
        assert time.monotonic() - started >= 0.3  # it waited for the holder
        assert report.added == ["a.txt"]
    finally:
        holder.wait()


@pytest.mark.slow
def test_cli_exit_code_locked(small_corpus: Path, tmp_path: Path) -> None:
    handle = corpus.open(small_corpus)
    holder = _hold_lock(handle.store.root, 20, tmp_path)
    try:
        env = {**os.environ, "CORPUS_LOCK_TIMEOUT": "0.3"}
        command = [sys.executable, "-c", "from corpus.cli import main; main()"]
        result = subprocess.run(
            [*command, "ingest", str(small_corpus), "--quiet"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == EXIT_LOCKED, result.stderr
        assert "E-STORE-LOCKED" in result.stderr
    finally:
        holder.kill()
        holder.wait()
