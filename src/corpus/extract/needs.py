"""Needs at document level, and aggregations by genre, region, year...

Input: the ``needs`` record table (one row per mention, with ``doc_id``,
``passage_id``, ``need`` and the component's ``score``; see :mod:`corpus.nlp.needs`).

With a trained ``needs`` scorer set in the :class:`~corpus.extract.tables.ScoringContext`
(shipped, or adapted by ``corpus learn``), :func:`document_needs` lets it decide every
(document, need) pair from the aggregated mentions and their sentences' meaning
(:mod:`corpus.scorers.labels`) and writes its probability as ``confidence``. Without one,
the rules below decide (``confidence`` is then empty):
a document addresses a need when one mention is strong (``score >= strong``: a phrase
naming the need, or a generic word in a sentence about answering needs) or its mentions
add up (``sum >= total``), *and* the need is salient: its summed score reaches
``min_share`` of the document's main need. Passing mentions (a tag line, an ambiguous
adjective, a list of partners' sectors) stay below the first test; side problems of a
document about something else ("les freins à l'emploi : santé, logement, garde
d'enfants" in a report on employment) fail the second.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from corpus.extract.tables import ScoringContext

logger = logging.getLogger(__name__)

#: A mention this strong is enough on its own.
STRONG_SCORE = 1.0
#: Mentions of one need whose scores add up to this are enough together.
TOTAL_SCORE = 2.0
#: A retained need gathers at least this share of the score of the document's main need.
MIN_SHARE = 0.15

DOC_NEEDS_COLUMNS = ("doc_id", "need", "n_passages", "n_mentions", "score", "confidence")


def empty_frame(columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series([], dtype="object") for c in columns})
    for column in columns:
        if column.startswith("n_"):
            frame[column] = frame[column].astype("int64")
        elif column in ("score", "share", "confidence"):
            frame[column] = frame[column].astype("float64")
        else:
            frame[column] = frame[column].astype("str")
    return frame


def _scores(needs: pd.DataFrame) -> pd.Series:
    if "score" in needs.columns:
        return pd.to_numeric(needs["score"], errors="coerce").fillna(1.0)
    if "weight" in needs.columns:
        return pd.to_numeric(needs["weight"], errors="coerce").fillna(1.0)
    return pd.Series(1.0, index=needs.index)


def document_needs(
    needs: pd.DataFrame,
    context: ScoringContext | None = None,
    *,
    strong: float = STRONG_SCORE,
    total: float = TOTAL_SCORE,
    min_share: float = MIN_SHARE,
) -> pd.DataFrame:
    """Needs each document addresses, with the evidence counts and the confidence.

    Args:
        needs: The needs record table (``doc_id``, ``passage_id``, ``need``,
            ``score``, ``evidence``...; without ``score`` every mention counts 1).
        context: Passages, scorers and encoder; its ``needs`` scorer set decides when
            there is one (then ``strong``, ``total`` and ``min_share`` are not used).
        strong: Rules: a mention scoring at least this retains its need.
        total: Rules: mentions whose scores sum to at least this retain their need.
        min_share: Rules: a need's summed score must reach this share of the highest
            summed score of a need in the same document (0 disables the test).

    Returns:
        ``doc_id``, ``need``, ``n_passages`` (passages mentioning it), ``n_mentions``,
        ``score`` (sum of mention scores), ``confidence`` (the scorer's probability;
        empty when the rules decided); only retained needs, sorted by document then need.
    """
    scorer_set = context.scorer("needs") if context is not None else None
    if scorer_set is not None and context is not None:
        from corpus.scorers.labels import NEEDS_FIELD, decide

        records = needs if needs is not None else empty_frame(DOC_NEEDS_COLUMNS)
        decided = decide(records, NEEDS_FIELD, scorer_set, context.passages, embed=context.embed)
        return _typed(decided.sort_values(["doc_id", "need"]), DOC_NEEDS_COLUMNS)
    if needs is None or len(needs) == 0:
        return empty_frame(DOC_NEEDS_COLUMNS)
    frame = pd.DataFrame(
        {
            "doc_id": needs["doc_id"].astype(str).to_numpy(),
            "need": needs["need"].astype(str).to_numpy(),
            "passage_id": needs["passage_id"].astype(str).to_numpy()
            if "passage_id" in needs.columns
            else needs["doc_id"].astype(str).to_numpy(),
            "score": _scores(needs).to_numpy(dtype="float64"),
        }
    )
    grouped = frame.groupby(["doc_id", "need"], sort=True)
    out = grouped.agg(
        n_passages=("passage_id", "nunique"),
        n_mentions=("score", "size"),
        score=("score", "sum"),
        best=("score", "max"),
    ).reset_index()
    top = out.groupby("doc_id")["score"].transform("max")
    keep = ((out["best"] >= strong - 1e-9) | (out["score"] >= total - 1e-9)) & (
        out["score"] >= min_share * top - 1e-9
    )
    out = out.loc[keep].assign(confidence=float("nan"))
    return _typed(out, DOC_NEEDS_COLUMNS)


def _typed(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``columns`` of a document-level table, with their types, index reset."""
    out = frame.loc[:, list(columns)].reset_index(drop=True)
    out["doc_id"] = out["doc_id"].astype(str)
    out["n_passages"] = out["n_passages"].astype("int64")
    out["n_mentions"] = out["n_mentions"].astype("int64")
    out["score"] = out["score"].astype("float64").round(4)
    out["confidence"] = out["confidence"].astype("float64")
    return out


def needs_by(
    needs: pd.DataFrame,
    documents: pd.DataFrame,
    by: str = "genre",
    *,
    strong: float = STRONG_SCORE,
    total: float = TOTAL_SCORE,
    min_share: float = MIN_SHARE,
) -> pd.DataFrame:
    """Documents addressing each need, per value of a document column.

    Args:
        needs: The needs record table, or an already document-level table (with
            ``n_passages``; then it is used as is).
        documents: The documents table (``doc_id`` and the ``by`` column).
        by: Document column to group by (``genre``, ``region``, ``year``, ``doc_id``...).
        strong: See :func:`document_needs`.
        total: See :func:`document_needs`.
        min_share: See :func:`document_needs`.

    Returns:
        ``<by>``, ``need``, ``n_documents`` (documents of that group addressing the
        need), ``n_mentions``, ``share`` (``n_documents`` over the group's documents).
        Missing group values are labelled ``"inconnu"``.

    Raises:
        KeyError: ``by`` is not a column of ``documents``.
    """
    if by not in documents.columns:
        raise KeyError(f"documents has no column {by!r} (columns: {', '.join(documents.columns)})")
    doc_level = (
        needs
        if "n_passages" in needs.columns
        else document_needs(needs, strong=strong, total=total, min_share=min_share)
    )
    return aggregate_by(doc_level, documents, by, "need")


def aggregate_by(
    doc_level: pd.DataFrame, documents: pd.DataFrame, by: str, key: str
) -> pd.DataFrame:
    columns = (by, key, "n_documents", "n_mentions", "share")
    if len(doc_level) == 0:
        return empty_frame(columns)
    groups = documents[["doc_id", by]].copy()
    groups["doc_id"] = groups["doc_id"].astype(str)
    groups[by] = groups[by].astype("object").where(groups[by].notna(), "inconnu").astype(str)
    sizes = groups.groupby(by).size()
    merged = doc_level.assign(doc_id=doc_level["doc_id"].astype(str)).merge(
        groups, on="doc_id", how="left"
    )
    merged[by] = merged[by].fillna("inconnu")
    out = (
        merged.groupby([by, key], sort=True)
        .agg(n_documents=("doc_id", "nunique"), n_mentions=("n_mentions", "sum"))
        .reset_index()
    )
    out["share"] = [
        n / sizes.get(g, n) if sizes.get(g, 0) else 1.0
        for g, n in zip(out[by], out["n_documents"], strict=True)
    ]
    out["n_documents"] = out["n_documents"].astype("int64")
    out["n_mentions"] = out["n_mentions"].astype("int64")
    out["share"] = out["share"].astype("float64")
    return out[list(columns)].reset_index(drop=True)
