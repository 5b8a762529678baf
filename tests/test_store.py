"""The store's primitives: atomic writes, reproducible tables, clear errors on damage."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from corpus import store as store_module
from corpus.errors import StoreError
from corpus.store import Store, atomic_write_bytes, atomic_write_parquet, fingerprint


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": ["b", "a"],
            "year": pd.array([2011, None], dtype="Int64"),
            "text": ["L’économie sociale « solidaire »", "Un besoin"],
        }
    )


def test_same_frame_gives_same_parquet_bytes(tmp_path: Path) -> None:
    atomic_write_parquet(tmp_path / "one.parquet", frame())
    atomic_write_parquet(tmp_path / "two.parquet", frame().set_index("doc_id").reset_index())
    assert (tmp_path / "one.parquet").read_bytes() == (tmp_path / "two.parquet").read_bytes()


def test_table_round_trip_keeps_types_and_text(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    assert store.read_table("documents") is None
    assert not store.has_table("documents")
    store.write_table("documents", frame())
    back = store.read_table("documents")
    assert back is not None
    pd.testing.assert_frame_equal(back, frame(), check_dtype=False)
    assert back["text"][0] == "L’économie sociale « solidaire »"
    assert store.read_table("documents", columns=["doc_id"]).columns.tolist() == ["doc_id"]
    store.delete_table("documents")
    store.delete_table("documents")  # deleting twice is fine
    assert not store.has_table("documents")


def test_failed_write_keeps_the_previous_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "state.json"
    atomic_write_bytes(target, b"old")

    def refuse(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store_module.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["state.json"]


def test_damaged_table_is_a_clear_store_error(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    store.write_table("passages", frame())
    store.table_path("passages").write_bytes(b"not parquet at all")
    with pytest.raises(StoreError, match=r"E-STORE-READ.*passages.*Delete the store folder"):
        store.read_table("passages")


def test_json_sidecar_round_trip_and_damage(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    assert store.read_json("ingest_state") is None
    store.write_json("ingest_state", {"files": {"a.txt": "abc"}, "é": 1})
    assert store.read_json("ingest_state") == {"files": {"a.txt": "abc"}, "é": 1}
    store.json_path("ingest_state").write_text("{truncated", encoding="utf-8")
    with pytest.raises(StoreError, match="corrupt JSON sidecar"):
        store.read_json("ingest_state")


def test_fingerprint_is_stable_and_order_sensitive() -> None:
    assert fingerprint({"b": 1, "a": 2}, "x") == fingerprint({"a": 2, "b": 1}, "x")
    assert fingerprint("x", "y") != fingerprint("y", "x")
    assert len(fingerprint("x")) == 16


def test_atomic_writes_get_the_umask_mode_or_keep_the_replaced_files(tmp_path: Path) -> None:
    # A store shared by a research group: files must not come out 0600 (mkstemp's mode).
    previous = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.json"
        atomic_write_bytes(fresh, b"{}")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~store_module._UMASK
        shared = tmp_path / "shared.parquet"
        shared.write_bytes(b"old")
        shared.chmod(0o664)
        atomic_write_bytes(shared, b"new")
        assert shared.read_bytes() == b"new"
        assert stat.S_IMODE(shared.stat().st_mode) == 0o664
    finally:
        os.umask(previous)
