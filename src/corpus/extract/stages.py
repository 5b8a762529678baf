"""Stages at document level, and aggregations by genre, region, year...

Input: the ``stages`` record table (one row per mention, with ``doc_id``,
``passage_id``, ``stage`` and the pattern ``weight``; see :mod:`corpus.nlp.stages`).
With a trained ``stages`` scorer set in the :class:`~corpus.extract.tables.ScoringContext`,
:func:`document_stages` lets it decide every (document, stage) pair
(:mod:`corpus.scorers.labels`) and writes its probability as ``confidence``. Without one,
the rule decides (``confidence`` empty): a document describes a stage when the weights of
its mentions add up to at least :data:`MIN_WEIGHT` (one mention naming the stage, or two
suggesting it).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pandas as pd

from corpus.extract.needs import _typed, aggregate_by, empty_frame

if TYPE_CHECKING:
    from corpus.extract.tables import ScoringContext

logger = logging.getLogger(__name__)

#: Sum of mention weights a stage needs in a document.
MIN_WEIGHT = 1.0

DOC_STAGES_COLUMNS = ("doc_id", "stage", "n_passages", "n_mentions", "score", "confidence")


def document_stages(
    stages: pd.DataFrame,
    context: ScoringContext | None = None,
    *,
    min_weight: float = MIN_WEIGHT,
) -> pd.DataFrame:
    """Stages each document describes, with the evidence counts and the confidence.

    Args:
        stages: The stages record table (``doc_id``, ``passage_id``, ``stage``,
            ``weight``, ``evidence``...; without ``weight`` every mention counts 1).
        context: Passages, scorers and encoder; its ``stages`` scorer set decides when
            there is one (then ``min_weight`` is not used).
        min_weight: Rules: sum of mention weights a stage needs to be retained.

    Returns:
        ``doc_id``, ``stage``, ``n_passages``, ``n_mentions``, ``score`` (sum of
        weights), ``confidence`` (the scorer's probability; empty when the rule
        decided); only retained stages, sorted by document then stage.
    """
    scorer_set = context.scorer("stages") if context is not None else None
    if scorer_set is not None and context is not None:
        from corpus.scorers.labels import STAGES_FIELD, decide

        records = stages if stages is not None else empty_frame(DOC_STAGES_COLUMNS)
        decided = decide(records, STAGES_FIELD, scorer_set, context.passages, embed=context.embed)
        return _typed(decided.sort_values(["doc_id", "stage"]), DOC_STAGES_COLUMNS)
    if stages is None or len(stages) == 0:
        return empty_frame(DOC_STAGES_COLUMNS)
    if "weight" in stages.columns:
        weights = pd.to_numeric(stages["weight"], errors="coerce").fillna(1.0)
    else:
        weights = pd.Series(1.0, index=stages.index)
    frame = pd.DataFrame(
        {
            "doc_id": stages["doc_id"].astype(str).to_numpy(),
            "stage": stages["stage"].astype(str).to_numpy(),
            "passage_id": stages["passage_id"].astype(str).to_numpy()
            if "passage_id" in stages.columns
            else stages["doc_id"].astype(str).to_numpy(),
            "score": weights.to_numpy(dtype="float64"),
        }
    )
    out = (
        frame.groupby(["doc_id", "stage"], sort=True)
        .agg(
            n_passages=("passage_id", "nunique"),
            n_mentions=("score", "size"),
            score=("score", "sum"),
        )
        .reset_index()
    )
    out = out.loc[out["score"] >= min_weight - 1e-9].assign(confidence=float("nan"))
    return _typed(out, DOC_STAGES_COLUMNS)


def stages_by(
    stages: pd.DataFrame,
    documents: pd.DataFrame,
    by: str = "genre",
    *,
    min_weight: float = MIN_WEIGHT,
) -> pd.DataFrame:
    """Documents describing each stage, per value of a document column.

    Args:
        stages: The stages record table, or an already document-level table (with
            ``n_passages``; then it is used as is).
        documents: The documents table (``doc_id`` and the ``by`` column).
        by: Document column to group by (``genre``, ``region``, ``year``...).
        min_weight: See :func:`document_stages`.

    Returns:
        ``<by>``, ``stage``, ``n_documents``, ``n_mentions``, ``share`` (over the
        group's documents). Missing group values are labelled ``"inconnu"``.

    Raises:
        KeyError: ``by`` is not a column of ``documents``.
    """
    if by not in documents.columns:
        raise KeyError(f"documents has no column {by!r} (columns: {', '.join(documents.columns)})")
    doc_level = (
        stages if "n_passages" in stages.columns else document_stages(stages, min_weight=min_weight)
    )
    return aggregate_by(doc_level, documents, by, "stage")
