"""Model-fitting tests of the topics stage on the development documents (slow: spaCy, UMAP)."""

from __future__ import annotations

import importlib.util
import shutil

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from corpus.errors import EXIT_DATA, EXIT_USAGE, UsageError
from corpus.topics.align import align
from corpus.topics.clustering import MIN_PASSAGES_HDBSCAN, SMALL_TOPIC_SHARE, contentful
from corpus.topics.evaluate import evaluate_model
from corpus.topics.io import load_model, save_model
from corpus.topics.model import TopicModel, label_fits, make_label
from corpus.topics.vectorizer import french_stop_words

pytestmark = pytest.mark.slow


def _passages(eval_dir) -> pd.DataFrame:
    """Passages built from the development documents: one per non-empty line."""
    rows = []
    for path in sorted((eval_dir / "docs").glob("*.txt")):
        lines = [x.strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        for i, line in enumerate(lines):
            rows.append({"passage_id": f"{path.stem}-{i:04d}", "doc_id": path.stem, "text": line})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def passages(eval_dir) -> pd.DataFrame:
    return _passages(eval_dir)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("topics-cache")


@pytest.fixture(scope="module")
def fitted(passages, cache_dir) -> TopicModel:
    return TopicModel(random_state=3, cache_dir=cache_dir).fit(passages)


def test_fit_sets_fitted_state_and_tables(fitted, passages):
    assert fitted.n_topics_ >= 2
    assert len(fitted.passage_topics_) == len(passages)
    assert list(fitted.passage_topics_.columns) == ["passage_id", "doc_id", "topic"]
    info = fitted.topic_info_
    assert {"topic", "label", "size", "terms", "weights", "representative_ids"} <= set(info)
    assert info["size"].sum() == len(passages)
    for row in info.itertuples():
        assert len(row.terms) == len(row.weights) > 0
        assert set(row.representative_ids) <= set(passages["passage_id"])
    assert set(fitted.timings_) >= {"lemmas", "embedding", "reduction", "clustering"}


def test_targets_outliers_diversity_and_clean_labels(fitted):
    assert fitted.outlier_share_ < 0.20
    scores = evaluate_model(fitted, lda=False)
    assert scores["bertopic"]["diversity"] >= 0.80
    stop = french_stop_words()
    for label in fitted.topic_info_["label"]:
        words = label.replace(",", " ").split()
        assert not [w for w in words if w in stop], label
        assert "innovation social" not in label and "innovation sociale" not in label


def test_same_seed_same_result(fitted, passages, cache_dir):
    again = TopicModel(random_state=3, cache_dir=cache_dir).fit(passages)
    pd.testing.assert_frame_equal(again.passage_topics_, fitted.passage_topics_)
    pd.testing.assert_frame_equal(
        again.topic_info_[["topic", "label", "size"]],
        fitted.topic_info_[["topic", "label", "size"]],
    )


def test_embedding_cache_embeds_only_new_passages(passages, tmp_path):
    from corpus.topics.embeddings import SpacyVectorEmbedder, embed_passages

    embedder = SpacyVectorEmbedder()
    first = embed_passages(passages["text"].iloc[:50].tolist(), embedder, cache_dir=tmp_path)
    grown = passages["text"].iloc[:80].tolist()
    calls = []
    original = embedder.embed
    embedder.embed = lambda docs, verbose=False: calls.append(len(docs)) or original(docs)
    second = embed_passages(grown, embedder, cache_dir=tmp_path)
    assert calls == [len(set(grown) - set(passages["text"].iloc[:50]))]
    np.testing.assert_array_equal(second[:50], first)


def test_precomputed_embeddings_are_used_and_checked(passages):
    rng = np.random.default_rng(0)
    wrong = rng.normal(size=(len(passages) - 1, 8))
    with pytest.raises(UsageError):
        TopicModel().fit(passages, embeddings=wrong)


def test_small_corpus_falls_back_to_kmeans_with_a_warning(passages, cache_dir):
    small = passages.iloc[: MIN_PASSAGES_HDBSCAN - 20]
    model = TopicModel(random_state=0, n_topics=3, cache_dir=cache_dir).fit(small)
    assert model.clustering_ == "kmeans"
    assert model.fallback_ and "k-means" in model.fallback_
    assert model.summary_["fallback"] == model.fallback_
    assert model.n_topics_ == 3
    assert model.outlier_share_ == 0.0


def test_default_kmeans_merges_small_topics_into_their_nearest(passages, cache_dir):
    small = passages.iloc[: MIN_PASSAGES_HDBSCAN - 10]
    model = TopicModel(random_state=0, cache_dir=cache_dir).fit(small)
    k, merged = model.params_used_["k"], model.params_used_["merged_small_topics"]
    assert model.clustering_ == "kmeans"
    assert model.n_topics_ == k - merged >= 2
    sizes = model.topic_info_.set_index("topic")["size"]
    core = contentful(model.analysed_)
    assert model.params_used_["contentful_passages"] == len(core)
    for topic in sizes.index:  # every topic holds its share of the clustered passages
        held = (model.topics_[core] == topic).sum()
        assert held >= SMALL_TOPIC_SHARE * len(core) / k
    assert list(sizes.index) == list(range(model.n_topics_))
    assert sizes.is_monotonic_decreasing
    assert model.outlier_share_ == 0.0
    again = TopicModel(random_state=0, cache_dir=cache_dir).fit(small)
    pd.testing.assert_frame_equal(again.passage_topics_, model.passage_topics_)
    pd.testing.assert_frame_equal(
        again.topic_info_[["topic", "label", "size"]], model.topic_info_[["topic", "label", "size"]]
    )


def test_evaluation_compares_with_lda(fitted):
    scores = evaluate_model(fitted)
    for key in ("bertopic", "lda"):
        assert -1.0 <= scores[key]["npmi"] <= 1.0
        assert 0.0 < scores[key]["diversity"] <= 1.0
    assert scores["lda"]["n_topics"] == scores["bertopic"]["n_topics"]


def test_save_load_and_align_keep_ids(fitted, passages, cache_dir, tmp_path):
    folder = save_model(fitted, tmp_path / "model", corpus_fingerprint="abc")
    assert (folder / "bertopic" / "topic_embeddings.safetensors").exists()
    saved = load_model(folder)
    assert saved.corpus_fingerprint == "abc"
    pd.testing.assert_frame_equal(saved.passage_topics_, fitted.passage_topics_)
    assert saved.bertopic().get_topic(0)  # BERTopic reads its safetensors back

    # Refit on a grown corpus (first three documents, then all): ids and labels follow.
    docs = sorted(passages["doc_id"].unique())
    part = TopicModel(random_state=3, cache_dir=cache_dir).fit(
        passages[passages["doc_id"].isin(docs[:4])]
    )
    save_model(part, tmp_path / "previous")
    grown = TopicModel(random_state=3, cache_dir=cache_dir).fit(passages)
    table = align(grown, load_model(tmp_path / "previous"))
    assert len(table) == grown.n_topics_
    assert table["kept"].any()
    kept = table[table["kept"]]
    assert (kept["topic"] == kept["previous_topic"]).all()
    current_terms = dict(zip(grown.topic_info_["topic"], grown.topic_info_["terms"], strict=True))
    for row in kept.itertuples():
        # The old label is kept only while its terms are still the topic's top terms.
        if label_fits(row.previous_label, current_terms[row.topic]):
            assert row.label == row.previous_label
        else:
            assert row.label == make_label(current_terms[row.topic])
    assert table["topic"].is_unique
    fresh = table[~table["kept"]]
    assert (fresh["topic"] > part.topic_info_["topic"].max()).all()
    assert set(grown.passage_topics_["topic"]) == set(table["topic"])


def test_align_to_itself_is_identity(fitted, tmp_path):
    save_model(fitted, tmp_path / "same")
    before = fitted.topic_info_[["topic", "label"]].copy()
    table = align(fitted, load_model(tmp_path / "same"))
    assert table["kept"].all()
    assert table["similarity"].min() > 0.99
    pd.testing.assert_frame_equal(fitted.topic_info_[["topic", "label"]], before)


def test_load_missing_model_is_a_clear_error(tmp_path):
    from corpus.errors import StoreError

    with pytest.raises(StoreError) as err:
        load_model(tmp_path)
    assert err.value.code == "E-TOPICS-LOAD"


# -- CLI, on an ingested copy of the development documents -------------------------------

needs_ingest = pytest.mark.skipif(
    importlib.util.find_spec("corpus.ingest.pipeline") is None,
    reason="ingestion (corpus.ingest.pipeline) is not available",
)


@needs_ingest
def test_cli_writes_identical_files_for_the_same_seed(eval_dir, tmp_path):
    from corpus.cli import app

    docs = tmp_path / "docs"
    shutil.copytree(eval_dir / "docs", docs)
    runner = CliRunner()
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        args = ["topics", str(docs), "--seed", "7", "--out", str(out)]
        if name == "a":
            args.append("--evaluate")
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        outs.append(out)
    for file in ("topics.csv", "passage_topics.csv"):
        assert (outs[0] / file).read_bytes() == (outs[1] / file).read_bytes()
    topics = pd.read_csv(outs[0] / "topics.csv")
    assert list(topics.columns) == ["topic", "label", "size", "terms"]
    assert list(pd.read_csv(outs[0] / "passage_topics.csv").columns) == [
        "passage_id",
        "doc_id",
        "topic",
    ]
    assert (outs[0] / "evaluation.json").exists()
    assert "NPMI" in result.output or (outs[0] / "evaluation.json").stat().st_size > 0


@needs_ingest
def test_cli_bad_inputs_exit_codes(eval_dir, tmp_path):
    from corpus.cli import main

    empty = tmp_path / "empty"
    empty.mkdir()
    one = tmp_path / "one"
    one.mkdir()
    first = sorted((eval_dir / "docs").glob("*.txt"))[0]
    shutil.copy(first, one / first.name)
    docs = tmp_path / "docs"
    shutil.copytree(eval_dir / "docs", docs)
    cases = [
        ([str(empty)], EXIT_DATA),
        ([str(one)], EXIT_DATA),
        ([str(docs), "--by", "no_such_field"], EXIT_USAGE),
    ]
    import sys

    for extra, code in cases:
        argv = ["corpus", "topics", *extra, "--seed", "1", "--out", str(tmp_path / "o")]
        old = sys.argv
        sys.argv = argv
        try:
            with pytest.raises(SystemExit) as exit_info:
                main()
        finally:
            sys.argv = old
        assert exit_info.value.code == code, argv


@needs_ingest
def test_cli_n_topics_gives_that_many_topics(eval_dir, tmp_path):
    from corpus.cli import app

    docs = tmp_path / "docs"
    shutil.copytree(eval_dir / "docs", docs)
    out = tmp_path / "out"
    args = ["topics", str(docs), "--seed", "3", "--out", str(out), "--n-topics", "4"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    topics = pd.read_csv(out / "topics.csv")
    assert sorted(topics.loc[topics["topic"] != -1, "topic"]) == [0, 1, 2, 3]
    assigned = pd.read_csv(out / "passage_topics.csv")["topic"]
    assert set(assigned) - {-1} == {0, 1, 2, 3}


def test_refit_on_cached_passages_loads_no_spacy_pipeline(fitted, passages, cache_dir, monkeypatch):
    from corpus.topics import vectorizer

    def refuse(*args, **kwargs):
        raise AssertionError("spaCy was loaded to lemmatise passages or stop terms")

    monkeypatch.setattr(vectorizer, "_load_nlp", refuse)
    again = TopicModel(random_state=3, cache_dir=cache_dir).fit(passages)
    assert np.array_equal(again.topics_, fitted.topics_)


def test_align_keeps_an_old_label_only_while_its_terms_describe_the_topic(fitted, tmp_path):
    """A matched topic whose words changed gets a label from its new words (issue 4, a)."""
    save_model(fitted, tmp_path / "old")
    previous = load_model(tmp_path / "old")
    first = int(fitted.topic_info_.loc[fitted.topic_info_["topic"] >= 0, "topic"].iloc[0])
    own_label = str(fitted.topic_info_.set_index("topic").loc[first, "label"])
    # The previous run called this topic by words it no longer has among its top terms.
    previous.topic_info_.loc[previous.topic_info_["topic"] == first, "label"] = "zzz, yyy"
    table = align(fitted, previous)
    row = table.set_index("topic").loc[first]
    assert row["kept"]
    assert row["previous_label"] == "zzz, yyy"
    assert row["label"] == own_label
    others = table[table["topic"] != first]
    assert (others["label"] == others["previous_label"]).all()


def test_short_passages_are_not_clustered_but_listed(fitted, passages):
    core = contentful(fitted.analysed_)
    assert 0 < len(core) < len(passages)
    assert fitted.params_used_["contentful_passages"] == len(core)
    assert len(fitted.passage_topics_) == len(passages)
    short = np.setdiff1d(np.arange(len(passages)), core)
    assert (fitted.topics_[short] >= 0).mean() > 0.8  # they follow their neighbours
    sizes = fitted.topic_info_.query("topic >= 0")["size"]
    assert sizes.is_monotonic_decreasing


def test_short_passages_without_a_document_context_are_all_clustered(passages, cache_dir):
    texts = passages["text"].tolist()  # a plain list: every passage is its own document
    model = TopicModel(random_state=0, cache_dir=cache_dir).fit(texts)
    assert model.params_used_["contentful_passages"] == len(texts)
    assert model.outlier_share_ < 0.2
