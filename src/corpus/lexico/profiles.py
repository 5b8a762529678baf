"""What characterises each class of a classification: lemmas, segments, metadata.

As IRaMuTeQ's class profiles: for each class and each lemma, the 2 × 2 table of
segments (in the class or not × containing the lemma or not) gives a chi-square without
continuity correction, signed negative where the lemma is under-represented in the
class. A typical segment of a class is one whose active lemmas are characteristic of
it: its score is the sum of the positive chi-squares of its lemmas for that class. A
metadata modality (a genre, a region...) gets the same signed chi-square on segments.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.stats import chi2 as chi2_law


def signed_chi2(n_both: Any, n_class: Any, n_term: Any, n_total: int) -> np.ndarray:
    """Signed chi-square (no continuity correction) of 2 × 2 tables.

    Args:
        n_both: Segments in the class and with the feature.
        n_class: Segments in the class.
        n_term: Segments with the feature.
        n_total: All segments.

    Returns:
        The chi-square, negative where ``n_both`` is below its expectation (0 where a
        margin is empty).
    """
    n_both, n_class, n_term = np.broadcast_arrays(
        np.asarray(n_both, float), np.asarray(n_class, float), np.asarray(n_term, float)
    )
    total = float(n_total)
    expected = n_class * n_term / total
    denominator = n_class * (total - n_class) * n_term * (total - n_term)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = total * (n_both * total - n_class * n_term) ** 2 / denominator
    stat = np.where(denominator > 0, stat, 0.0)
    return np.where(n_both < expected, -stat, stat)


def class_profiles(
    matrix: sp.csr_matrix, terms: list[str], labels: np.ndarray, active: set[str]
) -> pd.DataFrame:
    """Characteristic lemmas of each class.

    Args:
        matrix: Binary segments × lemmas matrix (all lemmas to profile).
        terms: The lemma of each column.
        labels: Class of each segment (0: unclassified, left out as IRaMuTeQ does).
        active: The active lemmas (the others are marked supplementary).

    Returns:
        ``class``, ``lemma``, ``active``, ``n_class`` (segments of the class with the
        lemma), ``n_total`` (classified segments with it), ``percent``, ``chi2`` (signed),
        ``p``; sorted by class then decreasing chi-square.
    """
    classified = labels > 0
    x = matrix[classified].tocsc()
    lab = labels[classified]
    n_total = int(classified.sum())
    n_term = np.asarray(x.sum(axis=0)).ravel()
    frames = []
    for number in sorted(set(lab.tolist())):
        in_class = lab == number
        n_both = np.asarray(x[in_class].sum(axis=0)).ravel()
        stat = signed_chi2(n_both, in_class.sum(), n_term, n_total)
        frame = pd.DataFrame(
            {
                "class": number,
                "lemma": terms,
                "active": [t in active for t in terms],
                "n_class": n_both.astype(np.int64),
                "n_total": n_term.astype(np.int64),
                "percent": np.where(n_term > 0, 100.0 * n_both / np.maximum(n_term, 1), 0.0),
                "chi2": stat,
                "p": chi2_law.sf(np.abs(stat), 1),
            }
        )
        frames.append(frame[frame["n_total"] > 0])
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if out.empty:
        return out
    out = out.sort_values(["class", "chi2", "lemma"], ascending=[True, False, True], kind="stable")
    return out.reset_index(drop=True)


def typical_segments(
    matrix: sp.csr_matrix,
    terms: list[str],
    labels: np.ndarray,
    profiles: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    n: int = 10,
) -> pd.DataFrame:
    """The ``n`` most typical segments of each class (see the module docstring).

    Args:
        matrix: Binary segments × active lemmas matrix (rows aligned with ``segments``).
        terms: Lemma of each column.
        labels: Class of each segment.
        profiles: From :func:`class_profiles`.
        segments: The segments table (``segment_id``, ``doc_id``, ``start``, ``end``,
            ``text``).
        n: Segments per class.

    Returns:
        ``class``, ``rank``, ``score``, ``segment_id``, ``doc_id``, ``start``, ``end``,
        ``text``.
    """
    column = {t: j for j, t in enumerate(terms)}
    frames = []
    for number in sorted(set(labels[labels > 0].tolist())):
        prof = profiles[(profiles["class"] == number) & (profiles["chi2"] > 0)]
        weights = np.zeros(len(terms))
        for lemma, value in zip(prof["lemma"], prof["chi2"], strict=True):
            if lemma in column:
                weights[column[lemma]] = value
        rows = np.flatnonzero(labels == number)
        scores = matrix[rows] @ weights
        order = np.lexsort((rows, -scores))[:n]
        chosen = segments.iloc[rows[order]][["segment_id", "doc_id", "start", "end", "text"]]
        frames.append(
            chosen.assign(class_=number, rank=np.arange(1, len(order) + 1), score=scores[order])
        )
    if not frames:
        return pd.DataFrame(
            columns=["class", "rank", "score", "segment_id", "doc_id", "start", "end", "text"]
        )
    out = pd.concat(frames, ignore_index=True).rename(columns={"class_": "class"})
    return out[["class", "rank", "score", "segment_id", "doc_id", "start", "end", "text"]]


def modality_chi2(labels: np.ndarray, metadata: pd.DataFrame) -> pd.DataFrame:
    """Signed chi-square of each metadata modality in each class.

    Args:
        labels: Class of each segment (0 left out).
        metadata: One row per segment, one column per variable (missing values left out).

    Returns:
        ``variable``, ``modality``, ``class``, ``n_class`` (segments of the class with
        the modality), ``n_modality``, ``chi2`` (signed), ``p``.
    """
    classified = labels > 0
    lab = labels[classified]
    n_total = int(classified.sum())
    rows = []
    for variable in metadata.columns:
        values = metadata[variable].to_numpy()[classified]
        present = pd.notna(values)
        for modality in sorted({str(v) for v in values[present]}):
            has = present & (values.astype(str) == modality)
            for number in sorted(set(lab.tolist())):
                in_class = lab == number
                both = int((has & in_class).sum())
                stat = float(signed_chi2(both, in_class.sum(), has.sum(), n_total))
                rows.append(
                    (variable, modality, number, both, int(has.sum()), stat,
                     float(chi2_law.sf(abs(stat), 1)))
                )  # fmt: skip
    return pd.DataFrame(
        rows, columns=["variable", "modality", "class", "n_class", "n_modality", "chi2", "p"]
    )
