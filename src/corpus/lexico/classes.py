"""Reinert's classification of a corpus's segments, with what characterises each class.

:func:`reinert_corpus` builds the binary segments × active-lemma matrix, fits
:class:`~corpus.lexico.reinert.Reinert` (or :class:`~corpus.lexico.double.ReinertDouble`)
on the segments that hold an active lemma, and returns a :class:`ReinertResult`: the
class of every segment (0: unclassified, including segments without an active lemma),
each class's characteristic lemmas (signed chi-square, active and supplementary), its
typical segments, and the chi-square of each metadata modality in each class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from corpus.lexico.double import ReinertDouble, merge_segments
from corpus.lexico.errors import LexicoDataError
from corpus.lexico.profiles import class_profiles, modality_chi2, typical_segments
from corpus.lexico.reinert import Reinert
from corpus.lexico.stage import LexicoTables, segment_metadata


@dataclass
class ReinertResult:
    """A classification of a corpus's segments.

    Attributes:
        segments: The segments table with a ``class`` column (0: unclassified).
        classes: ``class``, ``size``, ``percent`` (of classified segments), ``lemmas``
            (the ten most characteristic active lemmas).
        profiles: Characteristic lemmas of each class (:func:`class_profiles`).
        typical: Typical segments of each class (:func:`typical_segments`).
        modalities: Chi-square of each metadata modality by class (:func:`modality_chi2`).
        splits: The splits of the (first) classification (``Reinert.splits_``).
        model: The fitted estimator.
        terms: The active lemmas of the matrix's columns.
    """

    segments: pd.DataFrame
    classes: pd.DataFrame
    profiles: pd.DataFrame
    typical: pd.DataFrame
    modalities: pd.DataFrame
    splits: pd.DataFrame
    model: Any
    terms: list[str]

    def top_lemmas(self, n: int = 10) -> dict[int, list[str]]:
        """The ``n`` most characteristic active lemmas of each class."""
        active = self.profiles[self.profiles["active"] & (self.profiles["chi2"] > 0)]
        return {
            int(str(c)): group["lemma"].head(n).tolist() for c, group in active.groupby("class")
        }


def reinert_corpus(
    tables: LexicoTables,
    documents: pd.DataFrame,
    *,
    k: int = 10,
    method: str = "iramuteq",
    double: bool = False,
    min_frequency: int = 3,
    min_segment_size: int = 10,
    min_split_members: int = 5,
    n_typical: int = 10,
    random_state: int = 0,
    **params: Any,
) -> ReinertResult:
    """Classify the segments of a corpus.

    Args:
        tables: The corpus's segments and tokens.
        documents: The documents table (metadata).
        k: Classes wanted.
        method: ``"iramuteq"`` or ``"rainette"``.
        double: Double classification on two segment sizes (:class:`ReinertDouble`).
        min_frequency: Active lemmas present in fewer segments are left out.
        min_segment_size: Consecutive segments of a document are grouped until they
            hold this many active lemmas (rainette's ``min_segment_size``, IRaMuTeQ's
            context units); the segments of a group share its class. 0 or 1: no grouping.
            Ignored by ``double``, which uses its own two sizes.
        min_split_members: See :class:`Reinert` (for ``double``: ``min_members``).
        n_typical: Typical segments kept per class.
        random_state: The seed.
        **params: Other parameters of the estimator.

    Returns:
        The classes and their profiles.

    Raises:
        LexicoDataError: Too few segments for ``k`` (``E-LEXICO-TOO-FEW``).
    """
    matrix, terms = tables.matrix(min_frequency=min_frequency)
    has_terms = np.diff(matrix.indptr) > 0
    rows = np.flatnonzero(has_terms)
    if len(terms) < 2 or len(rows) < max(k, 3):
        raise LexicoDataError(
            f"{len(rows)} segment(s) hold an active lemma present in {min_frequency} "
            f"segments or more; too few for {k} classes",
            code="E-LEXICO-TOO-FEW",
            hint="Add documents, lower k or min_frequency.",
        )
    if double:
        model: Any = ReinertDouble(
            k, method=method, min_members=min_split_members, random_state=random_state, **params
        )
        model.fit(matrix, groups=tables.segments["doc_id"].to_numpy())
        labels = model.labels_
        splits = model.first_.splits_
    else:
        model = Reinert(
            k,
            method=method,
            min_split_members=min_split_members,
            random_state=random_state,
            **params,
        )
        sizes = np.asarray(matrix.sum(axis=1)).ravel()
        doc_ids = tables.segments["doc_id"].to_numpy()
        units = merge_segments(sizes[rows], doc_ids[rows], min_segment_size)
        unique, inverse = np.unique(units, return_inverse=True)
        grouping = sp.csr_matrix(
            (np.ones(len(rows)), (inverse, np.arange(len(rows)))), shape=(len(unique), len(rows))
        )
        grouped = (grouping @ matrix[rows]).tocsr()
        grouped.data[:] = 1.0
        if grouped.shape[0] < max(k, 3):
            raise LexicoDataError(
                f"{grouped.shape[0]} context unit(s) of {min_segment_size} active lemmas; "
                f"too few for {k} classes",
                code="E-LEXICO-TOO-FEW",
                hint="Add documents, lower k or min_segment_size.",
            )
        model.fit(grouped)
        labels = np.zeros(matrix.shape[0], dtype=np.int64)
        labels[rows] = model.labels_[inverse]
        splits = model.splits_
    segments = tables.segments.assign(**{"class": labels})
    everything, all_terms = tables.matrix(min_frequency=min_frequency, active_only=False)
    profiles = class_profiles(everything, all_terms, labels, set(terms))
    typical = typical_segments(matrix, terms, labels, profiles, tables.segments, n=n_typical)
    meta = segment_metadata(tables, documents).drop(columns=["title"], errors="ignore")
    modalities = modality_chi2(labels, meta)
    classified = labels[labels > 0]
    numbers, sizes = np.unique(classified, return_counts=True)
    result = ReinertResult(segments, pd.DataFrame(), profiles, typical, modalities, splits,
                           model, terms)  # fmt: skip
    tops = result.top_lemmas(10)
    result.classes = pd.DataFrame(
        {
            "class": numbers.astype(np.int64),
            "size": sizes.astype(np.int64),
            "percent": 100.0 * sizes / max(len(labels), 1),
            "lemmas": ["; ".join(tops.get(int(c), [])) for c in numbers],
        }
    )
    return result
