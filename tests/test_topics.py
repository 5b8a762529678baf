"""Fast tests of the topics stage: metrics, term analysis, bad input, tables, caches."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from corpus.cli import app
from corpus.errors import EXIT_DATA, EXIT_USAGE, TopicError, UsageError
from corpus.topics.api import check_passages, document_topics, topics_per_class
from corpus.topics.cache import EmbeddingCache, LemmaCache
from corpus.topics.evaluate import npmi, npmi_per_topic, topic_diversity
from corpus.topics.model import TopicModel, make_label
from corpus.topics.vectorizer import (
    BOUNDARY,
    analyse,
    build_vectorizer,
    default_stop_terms,
    french_stop_words,
)


def _vectorizer(texts):
    vec = build_vectorizer(len(texts), ngram_range=(1, 1), min_df=1)
    vec.fit(texts)
    return vec


def test_npmi_is_one_for_terms_always_together_and_minus_one_for_never():
    texts = ["aa bb", "aa bb", "cc dd", "cc dd", "ee", "ff"]
    vec = _vectorizer(texts)
    together, apart = npmi_per_topic([["aa", "bb"], ["aa", "cc"]], texts, vec)
    p_ab = 2 / 6
    assert together == pytest.approx(math.log(p_ab / (p_ab * p_ab)) / -math.log(p_ab))
    assert together == pytest.approx(1.0)
    assert apart == -1.0
    assert npmi([["aa", "bb"], ["aa", "cc"]], texts, vec) == pytest.approx(0.0)


def test_npmi_of_independent_terms_is_zero():
    texts = ["aa bb", "aa", "bb", "cc"]  # P(a)=P(b)=1/2, P(ab)=1/4
    assert npmi([["aa", "bb"]], texts, _vectorizer(texts)) == pytest.approx(0.0, abs=1e-12)


def test_topic_diversity_counts_unique_terms_in_top_k():
    assert topic_diversity([["a", "b"], ["c", "d"]]) == 1.0
    assert topic_diversity([["a", "b"], ["a", "c"]]) == 0.75
    assert topic_diversity([list("abcdefghijkl")], top_k=10) == 1.0


def test_analyse_removes_defining_phrases_and_stop_words_with_boundaries():
    lemma_text = f"innovation social favoriser {BOUNDARY} logement jeune {BOUNDARY} économie social"
    (out,) = analyse(
        [lemma_text],
        stop_terms=[("innovation", "social"), ("économie", "social")],
        stop_words=frozenset({"favoriser"}),
    )
    assert out == "logement jeune"
    (kept,) = analyse(["innovation technologique"], stop_terms=[("innovation", "social")])
    assert kept == "innovation technologique"


def test_vectorizer_never_builds_ngrams_across_a_boundary():
    vec = build_vectorizer(3, min_df=1)
    vec.fit([f"logement social {BOUNDARY} politique public", "logement"])
    features = set(vec.get_feature_names_out())
    assert "logement social" in features and "politique public" in features
    assert "social politique" not in features
    assert not any(BOUNDARY in f for f in features)


def test_default_resources_hold_the_defining_phrase_and_french_stop_words():
    assert "innovation sociale" in default_stop_terms()
    words = french_stop_words()
    assert {"le", "de", "être", "avoir", "faire"} <= words


def test_make_label_skips_terms_already_covered():
    assert make_label(["logement", "logement social", "jeune", "loyer"]) == (
        "logement social, jeune, loyer"
    )
    assert make_label([]) == "(sans terme)"


@pytest.mark.parametrize("seed", ["1", 1.5, None, True])
def test_non_integer_seed_is_a_usage_error(seed):
    with pytest.raises(UsageError) as err:
        TopicModel(random_state=seed).fit(["un", "deux", "trois", "quatre"])
    assert err.value.code == "E-TOPICS-SEED"
    assert err.value.exit_code == EXIT_USAGE


def test_bad_parameters_are_usage_errors():
    with pytest.raises(UsageError):
        TopicModel(n_topics=1).fit(["a b", "c d", "e f", "g h"])
    with pytest.raises(UsageError):
        TopicModel(representation="gpt").fit(["a b", "c d", "e f", "g h"])
    with pytest.raises(UsageError):
        TopicModel().set_params(no_such=1)


def test_empty_identical_and_too_few_passages_are_data_errors():
    cases = {
        "E-TOPICS-EMPTY": [],
        "E-TOPICS-IDENTICAL": ["Le même texte."] * 30,
        "E-TOPICS-TOO-FEW": ["Un texte.", "Un autre texte."],
    }
    for code, texts in cases.items():
        with pytest.raises(TopicError) as err:
            TopicModel().fit(texts)
        assert err.value.code == code
        assert err.value.exit_code == EXIT_DATA
        assert "." in str(err.value)  # a sentence, with what to do


def test_single_document_corpus_is_refused():
    passages = pd.DataFrame(
        {"passage_id": ["d-0", "d-1"], "doc_id": ["d", "d"], "text": ["Un texte.", "Un autre."]}
    )
    with pytest.raises(TopicError) as err:
        check_passages(passages, pd.DataFrame({"doc_id": ["d"]}))
    assert err.value.code == "E-TOPICS-ONE-DOC"
    assert err.value.exit_code == EXIT_DATA


PT = pd.DataFrame(
    {
        "passage_id": ["a-0", "a-1", "a-2", "b-0", "b-1"],
        "doc_id": ["a", "a", "a", "b", "b"],
        "topic": [0, 0, 1, 1, 1],
    }
)
DOCS = pd.DataFrame(
    {
        "doc_id": ["a", "b"],
        "genre": ["report", "blog"],
        "year": pd.array([2019, None], dtype="Int64"),
        "extra": [json.dumps({"programme": "X"}), json.dumps({"programme": "Y"})],
        "text": ["", ""],
    }
)


def test_document_topics_shares_and_dominant_topic():
    table = document_topics(PT)
    assert table.groupby("doc_id")["share"].sum().round(6).tolist() == [1.0, 1.0]
    dominant = table[table["dominant"]].set_index("doc_id")["topic"].to_dict()
    assert dominant == {"a": 0, "b": 1}


def test_topics_per_class_on_a_column_and_an_extra_key():
    by_genre = topics_per_class(PT, DOCS, "genre")
    report = by_genre[by_genre["class"] == "report"].set_index("topic")["n_passages"]
    assert report.to_dict() == {0: 2, 1: 1}
    by_extra = topics_per_class(PT, DOCS, "programme")
    assert set(by_extra["class"]) == {"X", "Y"}


def test_topics_per_class_unknown_field_is_a_usage_error():
    with pytest.raises(UsageError) as err:
        topics_per_class(PT, DOCS, "colour")
    assert err.value.code == "E-TOPICS-FIELD"
    assert "genre" in str(err.value)  # lists the fields that exist


def test_embedding_cache_round_trip_and_incremental_shards(tmp_path):
    cache = EmbeddingCache(tmp_path)
    cache.put_many(["k2", "k1"], np.array([[2.0, 2.0], [1.0, 1.0]], dtype=np.float32))
    cache.put_many(["k3"], np.array([[3.0, 3.0]], dtype=np.float32))
    again = EmbeddingCache(tmp_path)
    got = again.get_many(["k1", "k3", "missing"])
    assert sorted(got) == ["k1", "k3"]
    assert got["k1"].tolist() == [1.0, 1.0] and got["k3"].tolist() == [3.0, 3.0]
    assert len(list(tmp_path.glob("shard-*.safetensors"))) == 2


def test_lemma_cache_round_trip(tmp_path):
    LemmaCache(tmp_path).put_many({"a": "logement jeune"})
    assert LemmaCache(tmp_path).get_many(["a", "b"]) == {"a": "logement jeune"}


def test_sentence_transformers_backend_missing_gives_install_hint():
    pytest.importorskip("bertopic")
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        from corpus.topics.embeddings import make_embedder

        with pytest.raises(UsageError) as err:
            make_embedder("sentence-transformers", "some/model")
        assert "corpus[transformers]" in str(err.value)
    else:  # pragma: no cover - only where the extra is installed
        pytest.skip("sentence-transformers is installed")


def test_unknown_backend_is_a_usage_error():
    from corpus.topics.embeddings import make_embedder

    with pytest.raises(UsageError):
        make_embedder("word2vec")


def test_cli_rejects_a_non_integer_seed(tmp_path):
    result = CliRunner().invoke(app, ["topics", str(tmp_path), "--seed", "abc", "--out", "x"])
    assert result.exit_code == EXIT_USAGE
