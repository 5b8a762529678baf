"""Streaming ingestion: the batch size bounds the rows held, the tables do not change."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import corpus
from corpus.ingest import pipeline, streaming

TABLES = ("documents", "passages", "rejected", "duplicates")


def _ingest(src: Path, dest: Path, **kwargs: int) -> tuple[pipeline.IngestReport, dict[str, bytes]]:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".*"))
    opened = corpus.open(dest)
    report = pipeline.ingest_corpus(opened, **kwargs)
    return report, {t: opened.store.table_path(t).read_bytes() for t in TABLES}


def test_small_batches_give_identical_tables_in_row_groups(
    demo_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streaming, "ROW_GROUP_ROWS", 4)
    big, big_bytes = _ingest(demo_path, tmp_path / "big", batch_size=10_000)
    small, small_bytes = _ingest(demo_path, tmp_path / "small", batch_size=3)
    assert big.n_batches == 1
    assert small.n_batches >= small.n_documents // 3 > 1
    assert small_bytes == big_bytes  # byte-identical whatever the batch size
    store = corpus.open(tmp_path / "small").store
    documents = pq.ParquetFile(store.table_path("documents"))
    assert documents.num_row_groups == -(-small.n_documents // 4) > 1
    assert (
        max(documents.metadata.row_group(i).num_rows for i in range(documents.num_row_groups)) == 4
    )
    # no part file is left behind
    assert not list((store.root / "cache" / "ingest").glob("parts-*"))


def test_incremental_merge_streams_old_tables(demo_path: Path, tmp_path: Path) -> None:
    root = tmp_path / "inc"
    shutil.copytree(demo_path, root, ignore=shutil.ignore_patterns(".*"))
    raw = root / "raw"
    victim = sorted(p for p in raw.iterdir() if p.suffix == ".txt")[0]
    text = victim.read_text(encoding="utf-8")
    victim.unlink()
    opened = corpus.open(root)
    pipeline.ingest_corpus(opened, batch_size=2)
    victim.write_text(text, encoding="utf-8")
    report = pipeline.ingest_corpus(opened, batch_size=2)
    assert report.added == [victim.relative_to(raw).as_posix()]
    incremental = {t: opened.store.table_path(t).read_bytes() for t in TABLES}
    _, full = _ingest(demo_path, tmp_path / "full", batch_size=2)
    assert incremental == full


def test_runs_sliced_by_row_group_expand_to_the_rows_of_the_whole() -> None:
    rng = np.random.default_rng(3)
    runs = np.stack(
        [rng.integers(0, 5, 40), rng.integers(0, 300, 40), rng.integers(1, 30, 40)], axis=1
    )
    parts, rows = streaming.runs_to_rows(runs)
    total = len(parts)
    for size in (1, 7, 64, 1000):
        pieces = [
            streaming.runs_to_rows(streaming.slice_runs(runs, start, start + size))
            for start in range(0, total, size)
        ]
        assert all(len(p) == min(size, total - i * size) for i, (p, _) in enumerate(pieces))
        assert np.array_equal(np.concatenate([p for p, _ in pieces]), parts)
        assert np.array_equal(np.concatenate([r for _, r in pieces]), rows)
