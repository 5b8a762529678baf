"""build_pipeline and pipeline_fingerprint: loud failures, caching, what the hash covers."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from corpus.errors import ConfigError, ExtractionError
from corpus.nlp import pipeline as pipeline_module
from corpus.nlp.pipeline import (
    ALL,
    build_pipeline,
    expected_fingerprint,
    fingerprint_parts,
    normalise_resources,
    pipeline_fingerprint,
)


def test_unknown_component_and_missing_override_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown component"):
        build_pipeline(components=["corpus_sentiment"])
    with pytest.raises(ConfigError, match="does not exist"):
        normalise_resources({"actors": tmp_path / "nope.yaml"})


def test_resource_keys_accept_short_and_full_names(tmp_path: Path) -> None:
    lexicon = tmp_path / "needs.yaml"
    lexicon.write_text("emploi: [insertion]\n", encoding="utf-8")
    assert normalise_resources({"needs": lexicon}) == {"corpus_needs": str(lexicon.resolve())}
    assert normalise_resources({"corpus_needs": str(lexicon)}) == {
        "corpus_needs": str(lexicon.resolve())
    }


def test_fingerprint_changes_with_override_bytes(tmp_path: Path) -> None:
    lexicon = tmp_path / "actors"
    lexicon.mkdir()
    (lexicon / "gazetteer.jsonl").write_text('{"name": "Avise"}\n', encoding="utf-8")
    base = expected_fingerprint()
    first = expected_fingerprint(resources={"actors": lexicon})
    assert first != base
    assert expected_fingerprint(resources={"actors": lexicon}) == first  # stable
    (lexicon / "gazetteer.jsonl").write_text('{"name": "Avise"}\n{"name": "RQIS"}\n', "utf-8")
    assert expected_fingerprint(resources={"actors": lexicon}) != first


def test_fingerprint_changes_with_packaged_resources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "resources"
    if pipeline_module.RESOURCES_DIR.is_dir():
        shutil.copytree(pipeline_module.RESOURCES_DIR, copy)
    else:
        copy.mkdir()
    monkeypatch.setattr(pipeline_module, "RESOURCES_DIR", copy)
    before = expected_fingerprint()
    (copy / "extra_lexicon.jsonl").write_text('{"pattern": "tiers-lieu"}\n', encoding="utf-8")
    after = expected_fingerprint()
    assert before != after
    assert fingerprint_parts()["packaged_resources"] != fingerprint_parts(components=())["code"]


def test_fingerprint_depends_on_components() -> None:
    assert expected_fingerprint(components=()) != expected_fingerprint()
    assert expected_fingerprint(components=["needs"]) == expected_fingerprint(
        components=["corpus_needs"]
    )


@pytest.mark.slow
def test_missing_component_module_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    # A component whose module cannot be imported (not written yet, or broken) must
    # make the build fail, never silently give a pipeline without it. The per-process
    # pipeline cache is emptied for this test only: an earlier test may have built this
    # very pipeline (test_stages does), and a cache hit imports nothing.
    monkeypatch.setattr(pipeline_module, "_CACHE", {})
    monkeypatch.setitem(sys.modules, "corpus.nlp.stages", None)
    with pytest.raises(ExtractionError, match="corpus_stages") as info:
        build_pipeline(components=["stages"])
    assert info.value.code == "E-EXTRACT-COMPONENT"


@pytest.mark.slow
def test_bare_pipeline_is_cached_and_fingerprinted() -> None:
    nlp = build_pipeline(components=())
    assert nlp is build_pipeline(components=())
    assert nlp.pipe_names[:1] == ["tok2vec"] and not set(ALL) & set(nlp.pipe_names)
    assert pipeline_fingerprint(nlp) == expected_fingerprint(components=())


@pytest.mark.slow
def test_full_pipeline_has_our_components_after_the_model() -> None:
    nlp = build_pipeline()
    assert nlp.pipe_names[-len(ALL) :] == list(ALL)
    assert "ner" in nlp.pipe_names and "parser" in nlp.pipe_names
    assert pipeline_fingerprint(nlp) == expected_fingerprint()
    doc = nlp("L’innovation sociale est une réponse nouvelle à des besoins sociaux.")
    for key in ("definitions", "actors", "needs", "stages"):
        assert isinstance(getattr(doc._, key), list), key


def test_static_vectors_reuse_the_built_pipeline_with_the_same_vectors() -> None:
    from corpus.scorers import vectors

    texts = ["Le logement social et l'emploi des jeunes.", "Une ressourcerie à Liège, 12 %."]
    own = vectors.StaticVectors().embed(texts)  # tokenizer-only model, or a built pipeline
    pipeline = build_pipeline()
    # Once a pipeline is built the scorers read its tokenizer and vectors: no second load.
    assert vectors.tokenizer_nlp() is pipeline_module.loaded_model()
    assert pipeline_module.loaded_model() is not None
    shared = vectors.StaticVectors().embed(texts)
    bare = vectors.StaticVectors()
    bare_nlp = vectors._tokenizer_only(vectors.SPACY_MODEL)
    assert bare_nlp is not vectors.tokenizer_nlp()
    tokens = [[t.text for t in bare_nlp.tokenizer(t)] for t in texts]
    assert tokens == [[t.text for t in pipeline.tokenizer(t)] for t in texts]
    np.testing.assert_array_equal(own, shared)
    assert bare.word_vector(bare_nlp, "logement") is not None
