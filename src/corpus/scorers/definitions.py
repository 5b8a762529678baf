"""The definitions scorer: which candidate sentences define their candidate term.

Candidates come from :func:`corpus.extract.definition_features.candidate_frame` (the
component's records plus the cross-passage ones, with their features); a candidate is
positive when it matches a core gold definition by FORMAT.md's rule (same term, half the
words shared), negative when it matches none; candidates matching only optional gold
definitions are left out of training (neither right nor wrong). One logistic
:class:`~corpus.scorers.model.Scorer` (label ``keep``) over the cue and structure
features and, when the corpora carry an encoder, the candidate's sentence embedding.

The regularisation ``C`` and whether to use embeddings are chosen by cross-validation
grouped by document (:func:`~corpus.scorers.training.grouped_folds`); the decision
threshold is the one maximising the out-of-fold F1 of the candidates.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from corpus.extract.definition_features import (
    KEEP,
    candidate_frame,
    embedding_texts,
    label_candidates,
)
from corpus.scorers.model import Scorer, ScorerSet
from corpus.scorers.training import (
    TrainingCorpus,
    grouped_folds,
    register_trainer,
    sample_weights,
)

logger = logging.getLogger(__name__)

#: Values of ``C`` tried by cross-validation.
C_GRID = (0.1, 0.3, 1.0, 3.0)
#: Folds of the grouped cross-validation.
N_FOLDS = 5
#: Thresholds tried for the decision (on out-of-fold probabilities).
THRESHOLDS = tuple(round(0.2 + 0.05 * k, 2) for k in range(13))


@dataclass
class Examples:
    """Labelled candidates of the training corpora."""

    features: list[dict[str, Any]]
    labels: np.ndarray
    weights: np.ndarray
    groups: list[str]
    embeddings: np.ndarray | None


def examples(corpora: Sequence[TrainingCorpus], *, embed: bool = True) -> Examples:
    """The labelled candidates of ``corpora`` (optional-only matches left out).

    Args:
        corpora: Training corpora.
        embed: Embed the candidates when every corpus has an encoder.
    """
    features: list[dict[str, Any]] = []
    labels: list[int] = []
    weights: list[np.ndarray] = []
    groups: list[str] = []
    texts: list[str] = []
    use_embeddings = embed and all(c.embed is not None for c in corpora)
    blocks: list[np.ndarray] = []
    for corpus in corpora:
        records = corpus.labelled(corpus.records["definitions"])
        frame = candidate_frame(records, corpus.passages, corpus.documents)
        if len(frame) == 0:
            continue
        y = label_candidates(frame, corpus.gold)
        keep = y.isin([0.0, 1.0]).to_numpy()
        frame = frame[keep]
        features.extend(frame["features"].tolist())
        labels.extend(int(v) for v in y[keep])
        weights.append(sample_weights(corpus, len(frame)))
        groups.extend(f"{corpus.name}/{d}" for d in frame["doc_id"].astype(str))
        if use_embeddings and len(frame):
            assert corpus.embed is not None
            blocks.append(np.asarray(corpus.embed(embedding_texts(frame)), dtype=np.float32))
        texts.extend(frame["text"].astype(str))
    embeddings = np.vstack(blocks) if use_embeddings and blocks else None
    return Examples(
        features=features,
        labels=np.asarray(labels, dtype=int),
        weights=np.concatenate(weights) if weights else np.zeros(0),
        groups=groups,
        embeddings=embeddings,
    )


def _f1(labels: np.ndarray, predicted: np.ndarray) -> float:
    tp = float(np.sum((predicted == 1) & (labels == 1)))
    fp = float(np.sum((predicted == 1) & (labels == 0)))
    fn = float(np.sum((predicted == 0) & (labels == 1)))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def out_of_fold(
    data: Examples, *, C: float, use_embeddings: bool, random_state: int
) -> np.ndarray:
    """Out-of-fold probabilities of every candidate (grouped by document)."""
    proba = np.full(len(data.labels), np.nan)
    embeddings = data.embeddings if use_embeddings else None
    for train, test in grouped_folds(data.groups, n_splits=N_FOLDS, random_state=random_state):
        scorer = Scorer(C=C, random_state=random_state).fit(
            [data.features[i] for i in train],
            data.labels[train],
            embeddings=None if embeddings is None else embeddings[train],
            sample_weight=data.weights[train],
        )
        proba[test] = scorer.predict_proba(
            [data.features[i] for i in test],
            embeddings=None if embeddings is None else embeddings[test],
        )
    return proba


def best_threshold(labels: np.ndarray, proba: np.ndarray) -> tuple[float, float]:
    """The threshold of :data:`THRESHOLDS` with the best F1, and that F1."""
    scored = [(_f1(labels, (proba >= t).astype(int)), -t, t) for t in THRESHOLDS]
    f1, _, threshold = max(scored)
    return threshold, f1


def cross_validate(data: Examples, *, random_state: int = 0) -> list[dict[str, Any]]:
    """Grouped cross-validation of every setting: C, embeddings or not.

    Returns:
        One row per setting: ``C``, ``embeddings``, ``threshold``, ``f1`` (out-of-fold
        candidate F1 at that threshold), ``log_loss``.
    """
    settings = [(c, False) for c in C_GRID]
    if data.embeddings is not None:
        settings += [(c, True) for c in C_GRID]
    rows = []
    for C, use_embeddings in settings:
        proba = out_of_fold(data, C=C, use_embeddings=use_embeddings, random_state=random_state)
        known = ~np.isnan(proba)
        threshold, f1 = best_threshold(data.labels[known], proba[known])
        clipped = np.clip(proba[known], 1e-6, 1 - 1e-6)
        y = data.labels[known]
        loss = float(-np.mean(y * np.log(clipped) + (1 - y) * np.log(1 - clipped)))
        rows.append(
            {
                "C": C,
                "embeddings": use_embeddings,
                "threshold": threshold,
                "f1": round(f1, 4),
                "log_loss": round(loss, 4),
            }
        )
        logger.info("definitions CV: C=%s embeddings=%s f1=%.3f", C, use_embeddings, f1)
    return rows


@register_trainer("definitions")
def train_definitions(corpora: list[TrainingCorpus], *, random_state: int = 0) -> ScorerSet:
    """Fit the definitions scorer on the labelled candidates of ``corpora``.

    Args:
        corpora: Training corpora (their ``weight`` weighs their candidates).
        random_state: Seed of the folds and the estimator.

    Returns:
        The ``definitions`` scorer set: label ``keep``, its threshold, the CV table.
    """
    data = examples(corpora)
    if len(data.labels) == 0:
        return ScorerSet(
            name="definitions",
            scorers={KEEP: Scorer(random_state=random_state).fit([{}], [0])},
            meta={"n": 0},
        )
    table = cross_validate(data, random_state=random_state)
    best = max(table, key=lambda r: (r["f1"], -r["log_loss"]))
    scorer = Scorer(C=float(best["C"]), random_state=random_state).fit(
        data.features,
        data.labels,
        embeddings=data.embeddings if best["embeddings"] else None,
        sample_weight=data.weights,
    )
    return ScorerSet(
        name="definitions",
        scorers={KEEP: scorer},
        thresholds={KEEP: float(best["threshold"])},
        meta={
            "n": int(len(data.labels)),
            "n_positive": int(data.labels.sum()),
            "n_documents": len(set(data.groups)),
            "cv": table,
            "chosen": best,
        },
    )
