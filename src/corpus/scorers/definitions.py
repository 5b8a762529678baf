"""The definitions scorer: which candidate sentences define their candidate term.

Candidates come from :func:`corpus.extract.definition_features.candidate_frame` (the
component's records plus the cross-passage ones, with their features); a candidate is
positive when it matches a core gold definition by FORMAT.md's rule (same term, half the
words shared), negative when it matches none; candidates matching only optional gold
definitions are left out of training (neither right nor wrong). One logistic
:class:`~corpus.scorers.model.Scorer` (label ``keep``) over the cue and structure
features and, when the corpora carry an encoder, the candidate's sentence embedding.

The regularisation ``C``, whether to use embeddings (only for a clear gain, see
:data:`EMBEDDING_MIN_GAIN`) and the decision threshold (at least 0.5) are chosen by
cross-validation grouped by document (:func:`~corpus.scorers.training.grouped_folds`), on
the document-level F1 of FORMAT.md (the kept candidates, overlaps resolved as the
finalizer resolves them, matched against the gold definitions).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from corpus.extract.definition_features import (
    KEEP,
    candidate_frame,
    embedding_texts,
    label_candidates,
    resolve,
)
from corpus.extract.evaluate import Counts, definitions_match, match_items
from corpus.extract.gold import Definition
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
#: Folds of the grouped cross-validation, and how many times it is repeated (other seeds).
N_FOLDS = 5
N_REPEATS = 3
#: Thresholds tried for the decision (on out-of-fold probabilities). None below 0.5: a
#: kept definition is more likely than not. Lower thresholds raise the training corpora's
#: cross-validated recall but cost precision on unseen documents (shared/eval: F1 0.97 at
#: 0.5, 0.78 at 0.25).
THRESHOLDS = tuple(round(0.5 + 0.05 * k, 2) for k in range(7))
#: Embeddings are used only when they raise the cross-validated F1 by this much: they
#: cost an encoder pass over every candidate at extraction.
EMBEDDING_MIN_GAIN = 0.02
#: Whether the shipped scorer may read e5 sentence embeddings at all. Off: over three
#: retrains (7-8 Dec) e5 raised the training corpora's grouped CV F1 by 0.017-0.025 but
#: eval-real (never trained on) by 0.002-0.009, lowered shared/eval from 0.966 to 0.903
#: (sentences that merely talk about a term, "X joue un rôle central..."), and costs an
#: encoder pass over every candidate. ``examples(..., embed=True)`` still measures it.
USE_EMBEDDINGS = False


@dataclass
class Examples:
    """Candidates of the training corpora, with their labels and their documents' gold.

    ``labels`` is 1 (matches a core gold definition), 0 (matches none) or -1 (matches
    only optional ones: not trained on, but predicted in cross-validation, where it is
    neither right nor wrong).
    """

    features: list[dict[str, Any]]
    labels: np.ndarray
    weights: np.ndarray
    groups: list[str]
    embeddings: np.ndarray | None
    spans: list[tuple[str, str, int, int]] = field(default_factory=list)
    gold: dict[str, list[Definition]] = field(default_factory=dict)

    @property
    def trainable(self) -> np.ndarray:
        """Indices of the candidates with a 0/1 label."""
        return np.flatnonzero(self.labels >= 0)


def examples(corpora: Sequence[TrainingCorpus], *, embed: bool = True) -> Examples:
    """The labelled candidates of ``corpora``.

    Args:
        corpora: Training corpora.
        embed: Embed the candidates when every corpus has an encoder.
    """
    features: list[dict[str, Any]] = []
    labels: list[int] = []
    weights: list[np.ndarray] = []
    groups: list[str] = []
    spans: list[tuple[str, str, int, int]] = []
    gold: dict[str, list[Definition]] = {}
    use_embeddings = embed and all(c.embed is not None for c in corpora)
    blocks: list[np.ndarray] = []
    for corpus in corpora:
        for doc_id, annotation in corpus.gold.items():
            gold[f"{corpus.name}/{doc_id}"] = list(annotation.definitions)
        records = corpus.labelled(corpus.records["definitions"])
        frame = candidate_frame(records, corpus.passages, corpus.documents)
        if len(frame) == 0:
            continue
        y = label_candidates(frame, corpus.gold)
        keep = y.notna().to_numpy()
        frame, y = frame[keep], y[keep]
        features.extend(frame["features"].tolist())
        labels.extend(int(v) for v in y)
        weights.append(sample_weights(corpus, len(frame)))
        keys = [f"{corpus.name}/{d}" for d in frame["doc_id"].astype(str)]
        groups.extend(keys)
        spans.extend(
            zip(
                frame["term"].astype(str),
                frame["text"].astype(str),
                frame["start"].astype(int),
                frame["end"].astype(int),
                strict=True,
            )
        )
        if use_embeddings and len(frame):
            assert corpus.embed is not None
            blocks.append(np.asarray(corpus.embed(embedding_texts(frame)), dtype=np.float32))
    embeddings = np.vstack(blocks) if use_embeddings and blocks else None
    return Examples(
        features=features,
        labels=np.asarray(labels, dtype=int),
        weights=np.concatenate(weights) if weights else np.zeros(0),
        groups=groups,
        embeddings=embeddings,
        spans=spans,
        gold=gold,
    )


def document_counts(data: Examples, proba: np.ndarray, threshold: float) -> Counts:
    """FORMAT.md counts of the definitions kept at ``threshold`` (overlaps resolved as the
    finalizer does: the most probable of overlapping candidates wins)."""
    by_group: dict[str, list[int]] = {}
    for i, group in enumerate(data.groups):
        if not np.isnan(proba[i]) and proba[i] >= threshold:
            by_group.setdefault(group, []).append(i)
    total = Counts()
    for group, golds in data.gold.items():
        rows = [
            {
                "term": data.spans[i][0],
                "text": data.spans[i][1],
                "start": data.spans[i][2],
                "end": data.spans[i][3],
                "confidence": float(proba[i]),
            }
            for i in by_group.get(group, [])
        ]
        preds = [Definition(term=r["term"], text=r["text"]) for r in resolve(rows)]
        _, counts = match_items(preds, golds, definitions_match)
        total.add(counts)
    return total


def out_of_fold(data: Examples, *, C: float, use_embeddings: bool, random_state: int) -> np.ndarray:
    """Out-of-fold probabilities of every candidate (folds grouped by document)."""
    proba = np.full(len(data.labels), np.nan)
    embeddings = data.embeddings if use_embeddings else None
    trainable = data.labels >= 0
    for train, test in grouped_folds(data.groups, n_splits=N_FOLDS, random_state=random_state):
        train = train[trainable[train]]
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


def best_threshold(data: Examples, proba: np.ndarray) -> tuple[float, Counts]:
    """The threshold of :data:`THRESHOLDS` with the best document-level F1, and its counts."""
    scored = [(document_counts(data, proba, t), t) for t in THRESHOLDS]
    counts, threshold = max(scored, key=lambda pair: (pair[0].f1, -pair[1]))
    return threshold, counts


def cross_validate(data: Examples, *, random_state: int = 0) -> list[dict[str, Any]]:
    """Grouped cross-validation of every setting: C, embeddings or not.

    Returns:
        One row per setting: ``C``, ``embeddings``, ``threshold``, and at that threshold
        the out-of-fold document-level ``precision``, ``recall``, ``f1`` (FORMAT.md
        matching, counts pooled over :data:`N_REPEATS` repetitions), and the candidates'
        ``log_loss`` (of the mean out-of-fold probability).
    """
    settings = [(c, False) for c in C_GRID]
    if data.embeddings is not None:
        settings += [(c, True) for c in C_GRID]
    rows = []
    trainable = data.trainable
    for C, use_embeddings in settings:
        # Folds repeated with other seeds: one split of ~100 documents is a noisy judge.
        runs = [
            out_of_fold(data, C=C, use_embeddings=use_embeddings, random_state=random_state + r)
            for r in range(N_REPEATS)
        ]
        scored = [
            (sum(document_counts(data, p, t).f1 for p in runs) / len(runs), -t, t)
            for t in THRESHOLDS
        ]
        _, _, threshold = max(scored)
        counts = Counts()
        for proba in runs:
            counts.add(document_counts(data, proba, threshold))
        proba = np.nanmean(np.vstack(runs), axis=0)
        known = trainable[~np.isnan(proba[trainable])]
        clipped = np.clip(proba[known], 1e-6, 1 - 1e-6)
        y = data.labels[known]
        loss = float(-np.mean(y * np.log(clipped) + (1 - y) * np.log(1 - clipped)))
        rows.append(
            {
                "C": C,
                "embeddings": use_embeddings,
                "threshold": threshold,
                "precision": round(counts.precision, 4),
                "recall": round(counts.recall, 4),
                "f1": round(counts.f1, 4),
                "log_loss": round(loss, 4),
            }
        )
        logger.info(
            "definitions CV: C=%s embeddings=%s threshold=%.2f F1=%.3f",
            C,
            use_embeddings,
            threshold,
            counts.f1,
        )
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
    data = examples(corpora, embed=USE_EMBEDDINGS)
    if len(data.trainable) == 0:
        return ScorerSet(
            name="definitions",
            scorers={KEEP: Scorer(random_state=random_state).fit([{}], [0])},
            meta={"n": 0},
        )
    table = cross_validate(data, random_state=random_state)
    best = max(
        table,
        key=lambda r: (r["f1"] - (EMBEDDING_MIN_GAIN if r["embeddings"] else 0.0), -r["log_loss"]),
    )
    rows = data.trainable
    scorer = Scorer(C=float(best["C"]), random_state=random_state).fit(
        [data.features[i] for i in rows],
        data.labels[rows],
        embeddings=data.embeddings[rows]
        if best["embeddings"] and data.embeddings is not None
        else None,
        sample_weight=data.weights[rows],
    )
    return ScorerSet(
        name="definitions",
        scorers={KEEP: scorer},
        thresholds={KEEP: float(best["threshold"])},
        meta={
            "n": len(rows),
            "n_positive": int((data.labels == 1).sum()),
            "n_documents": len(set(data.groups)),
            "cv": table,
            "chosen": best,
        },
    )
