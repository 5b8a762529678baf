"""Reinert's classes beside a topic model, class profiles and the lexicometry figures, on
segments the test writes (no spaCy, no BERTopic)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from corpus.lexico.classes import reinert_corpus
from corpus.lexico.compare import compare
from corpus.lexico.correspondence import correspondence_analysis
from corpus.lexico.stage import LexicoTables
from corpus.plots import lexico as lexico_plots

VOCABULARY = {
    "logement": ["loyer", "immeuble", "locataire", "bail", "habitat", "quartier"],
    "santé": ["patient", "soin", "médecin", "clinique", "infirmier", "prévention"],
    "emploi": ["salarié", "insertion", "chantier", "formation", "embauche", "contrat"],
}


def _tables(seed: int = 2) -> tuple[LexicoTables, pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    segments, tokens, truth = [], [], []
    for theme_number, (theme, words) in enumerate(VOCABULARY.items()):
        for d in range(4):
            doc_id = f"{theme}-{d}"
            for i in range(5):
                segment_id = f"{doc_id}:{i}"
                chosen = [*rng.choice(words, size=4, replace=False).tolist(), "projet"]
                segments.append((segment_id, doc_id, f"{doc_id}-0", i, 0, 1, 5, " ".join(chosen)))
                truth.append(theme_number + 1)
                for lemma in chosen:
                    tokens.append((f"{doc_id}-0", doc_id, segment_id, lemma, lemma, "NOUN"))
    segments_frame = pd.DataFrame(
        segments,
        columns=["segment_id", "doc_id", "passage_id", "index", "start", "end", "n_words", "text"],
    )
    tokens_frame = pd.DataFrame(
        tokens, columns=["passage_id", "doc_id", "segment_id", "form", "lemma", "pos"]
    ).assign(is_word=True, active=True)
    documents = pd.DataFrame(
        {
            "doc_id": [f"{t}-{d}" for t in VOCABULARY for d in range(4)],
            "title": "t",
            "genre": ["report", "news"] * 6,
        }
    )
    return LexicoTables(segments_frame, tokens_frame), documents, np.array(truth)


@pytest.fixture(scope="module")
def result():
    tables, documents, truth = _tables()
    return tables, reinert_corpus(tables, documents, k=3, min_segment_size=0,
                                  min_split_members=3), truth  # fmt: skip


def test_profiles_typical_segments_and_modalities(result):
    _, res, truth = result
    from sklearn.metrics import adjusted_rand_score

    assert adjusted_rand_score(truth, res.segments["class"]) == 1.0
    top = res.top_lemmas(6)
    for words in top.values():
        theme = next(t for t, vocab in VOCABULARY.items() if words[0] in vocab)
        assert set(words) <= set(VOCABULARY[theme])
    shared = res.profiles[res.profiles["lemma"] == "projet"]
    assert (shared["chi2"].abs() < 1e-9).all()  # in every segment: no class owns it
    assert (res.typical.groupby("class")["score"].apply(lambda s: s.is_monotonic_decreasing)).all()
    genre = res.modalities[res.modalities["variable"] == "genre"]
    assert set(genre["modality"]) == {"news", "report"} and len(genre) == 6


def test_comparison_with_a_topic_model(result):
    tables, res, _ = result
    labels = res.segments["class"].to_numpy()
    info = pd.DataFrame(
        {
            "topic": [0, 1, 2, -1],
            "terms": [VOCABULARY["logement"][:4], VOCABULARY["santé"][:4],
                      ["salarié insertion", "chantier"], []],
        }
    )  # fmt: skip
    same = SimpleNamespace(topic_info_=info, topics_=labels - 1)
    summary, contingency = compare(tables, res, same)
    assert summary["ari"] == 1.0 and summary["n_segments"] == len(labels)
    assert (np.count_nonzero(contingency.to_numpy(), axis=1) == 1).all()
    assert summary["bertopic"]["top_terms"]["2"] == ["salarié", "insertion", "chantier"]
    assert summary["bertopic"]["diversity"] == 1.0
    assert -1 <= summary["reinert"]["npmi"] <= 1 and -1 <= summary["bertopic"]["npmi"] <= 1
    shuffled = SimpleNamespace(topic_info_=info, topics_=np.arange(len(labels)) % 3)
    assert compare(tables, res, shuffled)[0]["ari"] < 0.2


def test_figures(result):
    _, res, _ = result
    dendrogram = lexico_plots.reinert_dendrogram(res)
    assert len(dendrogram.data) == 2 * len(res.splits) + 1  # two edges a split, the leaves
    assert "Classe" in dendrogram.data[-1].text[0]
    scores = pd.DataFrame({"a": [3.0, -1.0, np.inf], "b": [-2.0, 4.0, -np.inf]},
                          index=["x", "y", "z"])  # fmt: skip
    heat = lexico_plots.specificities_heatmap(scores, top_n=1)
    assert list(heat.data[0].y) == ["z", "y"] and heat.data[0].z.max() == 10
    table = pd.DataFrame({"a": [10, 1, 5], "b": [1, 10, 5], "c": [2, 2, 9]}, index=["u", "v", "w"])
    ca = correspondence_analysis(table)
    assert len(lexico_plots.ca_map(ca).data) == 2
    assert ca.eigenvalues["percent"].sum() <= 100.0 + 1e-9
    heat = lexico_plots.contingency_heatmap(pd.crosstab([1, 1, 2], [0, 1, 1]))
    assert heat.data[0].z.shape == (2, 2)
