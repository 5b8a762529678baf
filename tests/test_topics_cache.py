"""The topic fit cache: an unchanged corpus is not refitted, and a hit equals a fresh fit."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pandas as pd
import pytest

import corpus
from corpus.plots.topics import topic_hierarchy as hierarchy_figure
from corpus.store import atomic_write_csv, atomic_write_parquet
from corpus.topics import cache as fit_cache_module
from corpus.topics.api import FIT_CACHE, fit_topics
from corpus.topics.model import TopicModel

pytestmark = pytest.mark.slow


@pytest.fixture
def corpus_dir(eval_dir: Path, tmp_path: Path) -> Path:
    """A plain folder with the development documents (its store is per test)."""
    folder = tmp_path / "docs"
    shutil.copytree(eval_dir / "docs", folder)
    return folder


@pytest.fixture
def fit_counter(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts calls of ``TopicModel.fit`` (the model is still fitted for real)."""
    calls: list[int] = []
    real_fit = TopicModel.fit

    def counting_fit(self, *args, **kwargs):
        calls.append(1)
        return real_fit(self, *args, **kwargs)

    monkeypatch.setattr(TopicModel, "fit", counting_fit)
    return calls


def _files(result, folder: Path) -> dict[str, bytes]:
    """The files the notebooks and ``corpus topics`` write from a result, as bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    table = result.topics[["topic", "label", "size", "terms"]].copy()
    table["terms"] = ["; ".join(t) for t in table["terms"]]
    atomic_write_csv(folder / "topics.csv", table)
    atomic_write_parquet(folder / "topics.parquet", result.topics)
    atomic_write_csv(folder / "passage_topics.csv", result.passage_topics)
    atomic_write_csv(folder / "document_topics.csv", result.document_topics)
    atomic_write_csv(folder / "over_time.csv", result.over_time())
    atomic_write_csv(folder / "per_format.csv", result.per_class("format"))
    atomic_write_parquet(folder / "hierarchy.parquet", result.hierarchy())
    if result.alignment is not None:
        atomic_write_csv(folder / "alignment.csv", result.alignment)
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    figure = hierarchy_figure(result)
    files["hierarchy_figure"] = figure.to_json().encode() if figure is not None else b""
    evaluation = result.evaluate()
    evaluation["lda"].pop("seconds")
    files["evaluation"] = json.dumps(evaluation, sort_keys=True).encode()
    return files


def test_second_fit_is_served_from_the_cache_and_equals_a_fresh_fit(
    corpus_dir: Path, fit_counter: list[int], tmp_path: Path
) -> None:
    handle = corpus.open(corpus_dir)
    first = fit_topics(handle, seed=7)
    assert len(fit_counter) == 1 and not first.from_cache
    assert first.model.n_topics_ >= 3  # so the hierarchy and its figure exist

    second = fit_topics(handle, seed=7)
    assert len(fit_counter) == 1, "an unchanged corpus was refitted"
    assert second.from_cache
    assert second.alignment is not None and second.alignment["kept"].all()
    store_tables = {
        name: handle.store.table_path(name).read_bytes()
        for name in ("topics", "passage_topics", "document_topics", "topic_alignment")
    }
    served = _files(second, tmp_path / "served")

    # A fresh fit in the same situation (same previous model): the same bytes.
    shutil.rmtree(handle.store.cache_dir(FIT_CACHE))
    fresh = fit_topics(handle, seed=7)
    assert len(fit_counter) == 2 and not fresh.from_cache
    assert _files(fresh, tmp_path / "fresh") == served
    for name, content in store_tables.items():
        assert handle.store.table_path(name).read_bytes() == content, name
    assert second.model.outlier_share_ == fresh.model.outlier_share_
    assert second.model.clustering_ == fresh.model.clustering_


def test_a_changed_parameter_passage_or_source_refits(
    corpus_dir: Path, fit_counter: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    handle = corpus.open(corpus_dir)
    fit_topics(handle, seed=7, write=False)
    fit_topics(handle, seed=7, write=False)
    assert len(fit_counter) == 1

    fit_topics(handle, seed=8, write=False)  # another seed
    assert len(fit_counter) == 2
    fit_topics(handle, seed=7, top_n_words=8, write=False)  # another model parameter
    assert len(fit_counter) == 3

    digest = fit_cache_module.topics_source_digest()
    monkeypatch.setattr(fit_cache_module, "topics_source_digest", lambda: digest + "-edited")
    fit_topics(handle, seed=7, write=False)  # the topics code changed
    assert len(fit_counter) == 4
    monkeypatch.setattr(fit_cache_module, "topics_source_digest", lambda: digest)
    fit_topics(handle, seed=7, write=False)  # back to the first key: still cached
    assert len(fit_counter) == 4

    n_passages = len(handle.passages)
    first = sorted(corpus_dir.glob("*.txt"))[0]
    added = (
        "Les habitants du quartier ont ouvert une épicerie solidaire gérée par une "
        "association, avec le soutien de la commune et de la caisse d'allocations familiales."
    )
    first.write_text(first.read_text(encoding="utf-8") + f"\n\n{added}\n", encoding="utf-8")
    handle = corpus.open(corpus_dir)
    handle.ingest()
    assert len(handle.passages) == n_passages + 1
    fit_topics(handle, seed=7, write=False)  # one passage more
    assert len(fit_counter) == 5


def test_a_corrupt_or_partial_entry_is_ignored_with_a_warning(
    corpus_dir: Path, fit_counter: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    handle = corpus.open(corpus_dir)
    first = fit_topics(handle, seed=7, write=False)
    (entry,) = [p for p in handle.store.cache_dir(FIT_CACHE).iterdir() if p.is_dir()]
    (entry / "fit.json").write_text("{ truncated", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="corpus.topics.cache"):
        again = fit_topics(handle, seed=7, write=False)
    assert len(fit_counter) == 2 and not again.from_cache
    assert "unreadable topic fit cache entry" in caplog.text
    pd.testing.assert_frame_equal(again.passage_topics, first.passage_topics)

    (entry / "complete.json").unlink()  # as if the writer died before finishing
    third = fit_topics(handle, seed=7, write=False)
    assert len(fit_counter) == 3 and not third.from_cache
    assert fit_topics(handle, seed=7, write=False).from_cache  # rewritten whole
    assert len(fit_counter) == 3


def test_a_hit_after_another_run_matches_a_fresh_fit_aligned_with_that_run(
    corpus_dir: Path, fit_counter: list[int], tmp_path: Path
) -> None:
    handle = corpus.open(corpus_dir)
    fit_topics(handle, seed=7)  # saved, then cached with the ids it got
    fit_topics(handle, seed=8, n_topics=3)  # another model is saved, aligned with it
    assert len(fit_counter) == 2
    # Seed 7 again: the cached result stands only for the ids and labels a fresh fit
    # aligned with the seed-8 model would get (else it is refitted).
    served = fit_topics(handle, seed=7, write=False)
    shutil.rmtree(handle.store.cache_dir(FIT_CACHE))
    fresh = fit_topics(handle, seed=7, write=False)
    assert not fresh.from_cache
    assert _files(served, tmp_path / "served") == _files(fresh, tmp_path / "fresh")


def test_cli_says_when_the_fit_cache_served_the_topics(corpus_dir: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from corpus.cli import app

    runner = CliRunner()
    args = ["topics", str(corpus_dir), "--seed", "7", "--out", str(tmp_path / "a")]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "from the fit cache" not in first.output
    again = runner.invoke(app, [*args[:-1], str(tmp_path / "b")])
    assert again.exit_code == 0, again.output
    assert "from the fit cache" in again.output
    for name in ("topics.csv", "passage_topics.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_the_cache_keeps_the_most_recently_used_entries(tmp_path: Path) -> None:
    import os

    cache = fit_cache_module.TopicFitCache(tmp_path, size=2)
    for age, name in enumerate(["old", "middle", "new"]):
        (tmp_path / name).mkdir()
        marker = tmp_path / name / "complete.json"
        marker.write_text(json.dumps({"key": name}), encoding="utf-8")
        os.utime(marker, (1_000_000 + age, 1_000_000 + age))
    cache._prune()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["middle", "new"]


def test_the_hierarchy_figure_is_bertopics_visualize_hierarchy(corpus_dir: Path) -> None:
    """Our dendrogram (drawn from the c-TF-IDF alone) is BERTopic's figure, byte for byte."""
    result = fit_topics(corpus.open(corpus_dir), seed=7, write=False)
    assert not result.from_cache and result.model.n_topics_ >= 3
    labels = dict(zip(result.topics["topic"], result.topics["label"], strict=True))
    custom = {internal: f"{pub} · {labels[pub]}" for internal, pub in result.model.id_map_.items()}
    bt = result.model.bertopic_
    bt.set_topic_labels(custom)
    theirs = bt.visualize_hierarchy(
        hierarchical_topics=result.hierarchy(),
        custom_labels=True,
        title="<b>Hiérarchie des thèmes</b>",
    )
    ours = hierarchy_figure(result)
    assert ours is not None and ours.to_json() == theirs.to_json()


def test_a_cache_hit_and_its_hierarchy_figure_do_not_import_bertopic(corpus_dir: Path) -> None:
    """What ``05-topics`` does on an unchanged corpus, in a fresh interpreter."""
    import os
    import subprocess
    import sys

    handle = corpus.open(corpus_dir)
    fit_topics(handle, seed=7)  # fitted and cached
    script = (
        "import sys, corpus\n"
        "from corpus.plots import topics as topic_plots\n"
        f"result = corpus.open({str(corpus_dir)!r}).topics(seed=7)\n"
        "assert result.from_cache\n"
        "figure = topic_plots.topic_hierarchy(result)\n"
        "assert figure is not None and len(result.hierarchy())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('bertopic', 'umap')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=os.environ, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", done.stdout


def test_a_fresh_fit_and_a_cache_hit_are_one_result_builder(
    corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both sites of ``fit_topics`` build their result with ``topic_result``: same fields."""
    import dataclasses

    from corpus.topics import api

    built: list[bool] = []
    real = api.topic_result

    def spy(*args, **kwargs):
        result = real(*args, **kwargs)
        built.append(result.from_cache)
        return result

    monkeypatch.setattr(api, "topic_result", spy)
    handle = corpus.open(corpus_dir)
    fresh = fit_topics(handle, seed=7, write=False)
    served = fit_topics(handle, seed=7, write=False)
    assert built == [False, True]
    for item in dataclasses.fields(api.TopicResult):
        if item.name in ("model", "from_cache"):
            continue
        mine, theirs = getattr(fresh, item.name), getattr(served, item.name)
        if item.name == "hierarchy_table":  # BERTopic numbers its rows backwards
            mine, theirs = mine.reset_index(drop=True), theirs.reset_index(drop=True)
        if isinstance(mine, pd.DataFrame):
            pd.testing.assert_frame_equal(mine, theirs, obj=item.name)
        else:
            assert mine == theirs, item.name
