"""Segments, active lemmas, the binary matrix, concordances and cooccurrents, on token
tables the tests write (no spaCy)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from corpus.errors import EXIT_DATA, EXIT_USAGE, CorpusError
from corpus.lexico.cooccurrents import cooccurrents
from corpus.lexico.kwic import concordance, parse_query
from corpus.lexico.matrix import mark_active, segment_matrix
from corpus.lexico.segments import cut_points, segment
from corpus.lexico.specificities import specificity_scores


def _tokens(text: str, doc_id: str = "d1", passage_id: str = "d1-0", offset: int = 0):
    """A token table from whitespace/punctuation splitting; lemma = lower form, POS by rule."""
    import re

    rows = []
    for i, match in enumerate(re.finditer(r"\w+|[^\w\s]", text)):
        form = match.group()
        word = form.isalnum()
        pos = "NOUN" if word and len(form) > 3 else ("ADP" if word else "PUNCT")
        rows.append(
            (passage_id, doc_id, i, form, form.lower(), pos, match.start() + offset,
             match.end() + offset, word)
        )  # fmt: skip
    return pd.DataFrame(
        rows,
        columns=["passage_id", "doc_id", "i", "form", "lemma", "pos", "start", "end", "is_word"],
    )


def test_cut_points_prefer_the_strongest_punctuation_near_the_target():
    weights = np.full(100, 0.01)
    weights[33] = 1.0  # a comma after word 34
    weights[37] = 6.0  # a full stop after word 38: 6/3 beats 1/7
    assert cut_points(weights, 40)[:2] == [0, 38]
    weights = np.full(100, 0.01)
    weights[39] = 1.0  # a comma exactly at 40 beats a full stop 15 words later (6/16)
    weights[54] = 6.0
    assert cut_points(weights, 40)[:2] == [0, 40]
    assert cut_points(np.full(40, 0.01), 40) == [0]  # short passages stay whole
    assert cut_points(np.full(56, 0.01), 40) == [0]  # up to size + window, one segment


def test_segments_carry_offsets_into_their_document():
    sentence = "Le projet associe des habitants du quartier, des élus et une association. "
    body = sentence * 12
    doc = "Titre\n\n" + body
    passages = pd.DataFrame(
        {
            "passage_id": ["d1-0", "d1-1"],
            "doc_id": ["d1", "d1"],
            "start": [0, 7],
            "text": ["Titre", body],
        }
    )
    tokens = pd.concat([_tokens("Titre"), _tokens(body, passage_id="d1-1", offset=7)])
    segments, tagged = segment(passages, tokens.reset_index(drop=True), segment_size=40)
    assert segments["segment_id"].tolist()[:2] == ["d1:0", "d1:1"]
    assert segments["index"].tolist() == list(range(len(segments)))
    for row in segments.itertuples(index=False):
        assert doc[row.start : row.end] == row.text
    assert len(segments) > 3 and segments["n_words"].iloc[1:].max() <= 56
    # each cut falls after a full stop (the strongest punctuation)
    assert all(text.endswith(".") for text in segments["text"].iloc[1:-1])
    assert tagged["segment_id"].notna().all() and len(tagged) == len(tokens)


def test_active_lemmas_and_the_binary_matrix():
    tokens = pd.DataFrame(
        {
            "segment_id": ["s0", "s0", "s0", "s1", "s1", "s2", "s2", "s2"],
            "lemma": ["projet", "le", "être", "projet", "2024", "projet", "quartier", "quartier"],
            "pos": ["NOUN", "DET", "VERB", "NOUN", "NUM", "NOUN", "NOUN", "NOUN"],
            "is_word": [True] * 8,
        }
    )
    marked = mark_active(tokens)
    assert marked["active"].tolist() == [True, False, False, True, False, True, True, True]
    matrix, terms = segment_matrix(marked, ["s0", "s1", "s2", "s3"], min_frequency=1)
    assert terms == ["projet", "quartier"]
    assert matrix.toarray().tolist() == [[1, 0], [1, 0], [1, 1], [0, 0]]  # binary, s3 empty
    matrix, terms = segment_matrix(marked, ["s0", "s1", "s2"], min_frequency=3)
    assert terms == ["projet"]


DOC = (
    "La coopérative répond à un besoin social. Le besoin alimentaire des familles grandit. "
    "Une épicerie solidaire répond au besoin social du quartier."
)


def _doc_tokens() -> pd.DataFrame:
    tokens = _tokens(DOC)
    tokens.loc[tokens["form"].isin(["social", "alimentaire", "solidaire"]), "pos"] = "ADJ"
    return tokens.assign(segment_id="d1:0")


def test_concordance_of_forms_lemmas_and_pos_sequences():
    tokens = _doc_tokens()
    lines = concordance(tokens, {"d1": DOC}, "besoin social", window=3)
    assert len(lines) == 2
    assert lines["pivot"].tolist() == ["besoin social", "besoin social"]
    first = lines.iloc[0]
    assert DOC[first["start"] : first["end"]] == "besoin social"
    assert first["left"] == "répond à un" and first["right"].startswith(".")
    by_pos = concordance(tokens, {"d1": DOC}, "lemma:besoin pos:ADJ", window=0)
    assert by_pos["pivot"].tolist() == ["besoin social", "besoin alimentaire", "besoin social"]
    accents = concordance(tokens, {"d1": DOC}, "cooperative", ignore_accents=True)
    assert accents["pivot"].tolist() == ["coopérative"]
    assert concordance(tokens, {"d1": DOC}, "Cooperative", ignore_case=False,
                       ignore_accents=True).empty  # fmt: skip
    assert len(concordance(tokens, {"d1": DOC}, "répond*")) == 2


@pytest.mark.parametrize("query", ["", "   ", [], "lemma:"])
def test_empty_query_is_a_usage_error(query):
    with pytest.raises(CorpusError) as err:
        parse_query(query)
    assert err.value.code == "E-LEXICO-EMPTY-QUERY" and err.value.exit_code == EXIT_USAGE


def test_cooccurrents_score_is_the_specificity_of_the_context():
    tokens = _doc_tokens()
    table = cooccurrents(tokens, "besoin", window=2, min_cofrequency=1, min_score=-np.inf)
    social = table.set_index("cooccurrent").loc["social"]
    words = tokens[tokens["is_word"]]
    total = len(words)
    # the union of 2 words each side of the 3 "besoin": the first two windows share
    # "social Le", so 4 + 2 + 4 words (pivots left out)
    context = 10
    expected = specificity_scores(np.array([2]), np.array([2]), context, total)[0]
    assert social["cofrequency"] == 2 and social["frequency"] == 2
    assert social["score"] == pytest.approx(expected)
    assert social["mean_distance"] == pytest.approx(1.0)
    with pytest.raises(CorpusError) as err:
        cooccurrents(tokens, "inexistant")
    assert err.value.code == "E-LEXICO-NOT-FOUND" and err.value.exit_code == EXIT_DATA
