"""Active and supplementary lemmas, and the binary segment × lemma matrix.

IRaMuTeQ classifies on *active* forms: nouns, verbs, adjectives, adverbs and words its
dictionary does not know; the others (determiners, pronouns, prepositions,
conjunctions, auxiliaries, numbers) are *supplementary*, as are the frequent verbs and
adverbs it tags ``ver_sup``/``adv_sup`` (être, avoir, faire, pouvoir, très...). With
spaCy's universal tags: NOUN, VERB, ADJ, ADV, PROPN and X (unknown) are active unless
the lemma is one of spaCy's French stop words; proper nouns count as active because
IRaMuTeQ's dictionary does not know them. Numbers, symbols, one-letter words and
anything that is not letters are never active.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import scipy.sparse as sp

ACTIVE_POS = frozenset({"NOUN", "VERB", "ADJ", "ADV", "PROPN", "X"})


@functools.cache
def supplementary_lemmas() -> frozenset[str]:
    """Lemmas that are never active (spaCy's French stop words, lower case)."""
    from spacy.lang.fr.stop_words import STOP_WORDS

    return frozenset(w.lower() for w in STOP_WORDS)


def mark_active(tokens: pd.DataFrame) -> pd.DataFrame:
    """The token table with an ``active`` column (see the module docstring)."""
    lemma = tokens["lemma"].astype(str)
    letters = lemma.str.replace("-", "", regex=False).str.replace("'", "", regex=False)
    active = (
        tokens["is_word"].astype(bool)
        & tokens["pos"].isin(ACTIVE_POS)
        & letters.str.isalpha()
        & (letters.str.len() >= 2)
        & ~lemma.isin(supplementary_lemmas())
    )
    return tokens.assign(active=active.to_numpy())


def segment_matrix(
    tokens: pd.DataFrame,
    segment_ids: list[str] | pd.Series,
    *,
    min_frequency: int = 3,
    active_only: bool = True,
) -> tuple[sp.csr_matrix, list[str]]:
    """The binary segments × lemmas matrix.

    Args:
        tokens: Token table with ``segment_id``, ``lemma`` and (if ``active_only``)
            ``active`` (:func:`mark_active`).
        segment_ids: The rows, in order (every segment, even one without a kept lemma).
        min_frequency: Keep lemmas present in at least this many segments.
        active_only: Only active lemmas (else every word lemma).

    Returns:
        ``(matrix, terms)``: a CSR matrix of 0/1 (rows in ``segment_ids`` order, columns
        sorted lemmas) and the lemma of each column.
    """
    words = tokens[tokens["active"]] if active_only else tokens[tokens["is_word"]]
    pairs = words[["segment_id", "lemma"]].drop_duplicates()
    frequency = pairs["lemma"].value_counts()
    terms = sorted(frequency[frequency >= min_frequency].index.tolist())
    column = {t: j for j, t in enumerate(terms)}
    row = {s: i for i, s in enumerate(segment_ids)}
    pairs = pairs[pairs["lemma"].isin(column) & pairs["segment_id"].isin(row)]
    rows = pairs["segment_id"].map(row).to_numpy(dtype=np.int64)
    cols = pairs["lemma"].map(column).to_numpy(dtype=np.int64)
    matrix = sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(row), len(terms)), dtype=np.float64
    )
    return matrix, terms
