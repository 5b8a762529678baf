"""Refit a fitted scorer set on other data with its hyperparameters fixed.

A field's trainer chooses its hyperparameters (``C``, sentence embeddings or not, the
decision thresholds) by grouped cross-validation, which costs dozens of fits. Two later
steps need the same model refitted many times on other examples, without choosing again:

* calibration (:func:`corpus.scorers.calibration.fit_calibration`): out-of-corpus
  probabilities, one refit per training corpus left out;
* adaptation (``corpus learn``): the shipped data plus a researcher's corrections.

:func:`field_data` gathers each label's training examples exactly as the field's trainer
does (same example builders, same filters, same labels); :func:`refit` fits a copy of a
scorer set on them (same parameters, same thresholds, same calibration map).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from corpus.scorers.model import Scorer, ScorerSet
from corpus.scorers.training import TrainingCorpus

#: Key of the one shared scorer of a pooled label field (needs, stages).
POOLED = "*"


@dataclass
class LabelData:
    """Training examples of one scorer.

    Attributes:
        features: One feature mapping per example.
        y: 0/1 labels.
        weights: Sample weights.
        groups: ``corpus/doc_id`` of each example.
        embeddings: Sentence embeddings, one row each, when the scorer uses them.
        labels: The label of each example of a pooled field (``None`` otherwise).
    """

    features: list[dict[str, Any]]
    y: np.ndarray
    weights: np.ndarray
    groups: np.ndarray
    embeddings: np.ndarray | None = None
    labels: np.ndarray | None = None

    @property
    def corpora(self) -> np.ndarray:
        """The training corpus of each example (the part of its group before ``/``)."""
        return np.asarray([str(g).split("/", 1)[0] for g in self.groups])

    def take(self, index: np.ndarray) -> LabelData:
        """The examples at ``index``."""
        return LabelData(
            features=[self.features[i] for i in index],
            y=self.y[index],
            weights=self.weights[index],
            groups=self.groups[index],
            embeddings=None if self.embeddings is None else self.embeddings[index],
            labels=None if self.labels is None else self.labels[index],
        )

    def __len__(self) -> int:
        return len(self.y)


def _uses_embeddings(scorer_set: ScorerSet) -> bool:
    return any(s.uses_embeddings_ for s in scorer_set.scorers.values())


def pooled(scorer_set: ScorerSet) -> bool:
    """Whether the set's labels share one scorer (needs, stages trained pooled)."""
    return scorer_set.name in ("needs", "stages") and bool(scorer_set.meta.get("pooled"))


def _definitions(corpora: Sequence[TrainingCorpus], scorer_set: ScorerSet) -> dict[str, LabelData]:
    from corpus.extract.definition_features import KEEP
    from corpus.scorers.definitions import examples

    data = examples(corpora, embed=_uses_embeddings(scorer_set))
    rows = data.trainable
    return {
        KEEP: LabelData(
            features=[data.features[i] for i in rows],
            y=data.labels[rows],
            weights=data.weights[rows],
            groups=np.asarray(data.groups)[rows],
            embeddings=None if data.embeddings is None else data.embeddings[rows],
        )
    }


def _actor_fields(
    corpora: Sequence[TrainingCorpus], scorer_set: ScorerSet, cache: dict[str, Any]
) -> dict[str, LabelData]:
    from corpus.scorers import actors

    if "actors" not in cache:
        cache["actors"] = actors.examples(corpora)
    every: list[Any] = cache["actors"]
    if scorer_set.name == "actors":
        data = [e for e in every if e.gold is None or not e.gold.optional]
        targets = {"keep": [int(e.gold is not None) for e in data]}
    elif scorer_set.name == "roles":
        from corpus.scorers import roles

        if "roles" not in cache:
            cache["roles"] = roles.examples(corpora)
        data = cache["roles"]  # their features add the actor's place in its document
        targets = {
            r: [roles.role_target(r, e.gold.roles) for e in data] for r in scorer_set.scorers
        }
    else:
        data = [e for e in every if e.gold is not None and e.gold.sector in actors.SECTORS]
        targets = {s: [int(e.gold.sector == s) for e in data] for s in scorer_set.scorers}
    embeddings = actors.embeddings_of(corpora, data) if _uses_embeddings(scorer_set) else None
    features = [e.features for e in data]
    weights = np.asarray([e.weight for e in data], dtype=float)
    groups = np.asarray([e.group for e in data])
    out = {}
    for label, y in targets.items():
        uses = scorer_set.scorers[label].uses_embeddings_
        out[label] = LabelData(
            features=features,
            y=np.asarray(y, dtype=int),
            weights=weights,
            groups=groups,
            embeddings=embeddings if uses else None,
        )
    return out


def _label_field(corpora: Sequence[TrainingCorpus], scorer_set: ScorerSet) -> dict[str, LabelData]:
    from corpus.scorers.labels import NEEDS_FIELD, STAGES_FIELD, examples

    spec = NEEDS_FIELD if scorer_set.name == "needs" else STAGES_FIELD
    similarity = scorer_set.meta.get("similarity")
    if similarity == "e5" and any(c.embed is None for c in corpora):
        similarity = None
    data = examples(corpora, spec, similarity=similarity)
    labels = data.keys["label"].astype(str).to_numpy() if len(data.keys) else np.zeros(0, dtype=str)
    whole = LabelData(
        features=list(data.features),
        y=np.asarray(data.y, dtype=int),
        weights=np.asarray(data.weight, dtype=float),
        groups=np.asarray(data.group),
        labels=labels,
    )
    if pooled(scorer_set):
        return {POOLED: whole}
    return {label: whole.take(np.flatnonzero(labels == label)) for label in scorer_set.scorers}


def field_data(
    corpora: Sequence[TrainingCorpus],
    scorer_set: ScorerSet,
    *,
    cache: dict[str, Any] | None = None,
) -> dict[str, LabelData]:
    """Each label's training examples from ``corpora``, as the set's trainer builds them.

    Args:
        corpora: Training corpora (their ``weight`` weighs their examples).
        scorer_set: A fitted set (its name says which field; its scorers say whether
            they use sentence embeddings).
        cache: Shared between calls on the same corpora (the actor fields share their
            examples).

    Returns:
        ``{label: examples}``; a pooled field has one entry, :data:`POOLED`.

    Raises:
        ValueError: No example builder is known for the set's field.
    """
    cache = {} if cache is None else cache
    if scorer_set.name == "definitions":
        return _definitions(corpora, scorer_set)
    if scorer_set.name in ("actors", "roles", "sectors"):
        return _actor_fields(corpora, scorer_set, cache)
    if scorer_set.name in ("needs", "stages"):
        return _label_field(corpora, scorer_set)
    raise ValueError(f"no example builder for scorer set {scorer_set.name!r}")


def fit_like(scorer: Scorer, data: LabelData) -> Scorer:
    """A new scorer with ``scorer``'s parameters fitted on ``data``."""
    fresh = Scorer(**scorer.get_params())
    return fresh.fit(
        data.features,
        data.y,
        embeddings=data.embeddings if scorer.uses_embeddings_ else None,
        sample_weight=data.weights,
    )


def refit(scorer_set: ScorerSet, data: Mapping[str, LabelData]) -> ScorerSet:
    """A copy of ``scorer_set`` refitted on ``data`` (from :func:`field_data`).

    Parameters, thresholds and the calibration map stay as they are; ``meta`` is copied.
    """
    if POOLED in data:
        first = scorer_set.scorers[scorer_set.labels[0]]
        shared = fit_like(first, data[POOLED])
        scorers = dict.fromkeys(scorer_set.scorers, shared)
    else:
        scorers = {
            label: fit_like(scorer, data[label]) if label in data else scorer
            for label, scorer in scorer_set.scorers.items()
        }
    return replace(
        scorer_set,
        scorers=scorers,
        thresholds=dict(scorer_set.thresholds),
        calibration=dict(scorer_set.calibration),
        meta=dict(scorer_set.meta),
    )


def raw_scores(scorer_set: ScorerSet, label: str, data: LabelData) -> np.ndarray:
    """Uncalibrated log-odds of ``data`` under the set's scorer for ``label``."""
    scorer = scorer_set.scorers[scorer_set.labels[0] if label == POOLED else label]
    return scorer.decision_function(
        data.features, embeddings=data.embeddings if scorer.uses_embeddings_ else None
    )


def concat(parts: Sequence[LabelData]) -> LabelData:
    """The examples of ``parts`` one after the other (embeddings only if all have them)."""
    embedded = all(p.embeddings is not None for p in parts)
    labelled = all(p.labels is not None for p in parts)
    return LabelData(
        features=[f for p in parts for f in p.features],
        y=np.concatenate([p.y for p in parts]).astype(int),
        weights=np.concatenate([p.weights for p in parts]).astype(float),
        groups=np.concatenate([p.groups.astype(str) for p in parts]),
        embeddings=np.vstack([p.embeddings for p in parts if p.embeddings is not None])
        if embedded
        else None,
        labels=np.concatenate([p.labels for p in parts if p.labels is not None])
        if labelled
        else None,
    )
