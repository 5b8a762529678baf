"""Document labels (needs, stages) decided by trained scorers over the rules' candidates.

The ``corpus_needs`` and ``corpus_stages`` components find lexicon mentions per passage
(with their strength, context and evidence sentence). Here every (document, label) pair
becomes one example whose features aggregate the mentions of that label in the document
(count, strongest, sum, share of the document's main label, passages, position, context
kinds) and compare the evidence sentences with a short French description
of the label (``resources/label_descriptions.yaml``) in sentence-vector space. Every label
of every document is an example, mentioned or not. One pooled logistic regression serves
every label, the label's identity being a one-hot feature, so a rare label borrows
strength from the others (see :func:`fit_label_scorers`).

Gold is document-level; a label in the gold file's ``<field>_optional`` list is neither a
positive nor a negative and is left out of training. The trainers ``needs`` and ``stages``
that ``corpus train`` runs are registered at the end of this module, one per
:data:`LABEL_FIELDS` entry.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corpus.extract.gold import NEEDS, STAGES, Annotation
from corpus.scorers.model import Scorer, ScorerSet
from corpus.scorers.training import TrainingCorpus, grouped_folds, register_trainer

logger = logging.getLogger(__name__)

DESCRIPTIONS = Path(__file__).resolve().parent / "resources" / "label_descriptions.yaml"
#: Regularisation strengths tried; the trainer keeps the best in grouped CV.
C_GRID = (0.3, 1.0, 3.0)
#: Decision thresholds tried, likewise.
THRESHOLDS = (0.3, 0.4, 0.5, 0.6)
#: Per-label thresholds tried after the shared one is chosen.
LABEL_THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75)
#: Out-of-fold micro F1 a label's own threshold must gain over the shared one.
MIN_LABEL_GAIN = 0.005
#: Bumped when the features change (scorer files record it).
FEATURES_VERSION = 1
#: Sentence vectors of the similarity features: ``"static"`` (``fr_core_news_md``) or
#: ``"e5"``. Both scored the same in grouped CV and on eval-real; static costs far less.
SIMILARITY = "static"

Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class LabelField:
    """A document-level label field and where its candidates are.

    Attributes:
        name: Field and scorer-set name (``needs``, ``stages``).
        column: The label column of the candidate records (``need``, ``stage``).
        labels: The label ids, in FORMAT.md order.
        strength: Column of a mention's strength (``score`` for needs, ``weight``).
        contexts: Values of the records' ``context`` column counted as features.
    """

    name: str
    column: str
    labels: tuple[str, ...]
    strength: str
    contexts: tuple[str, ...] = ()

    def rule(self, total: float, strongest: float, top: float) -> bool:
        """The rules' verdict (:mod:`corpus.extract.needs` / ``stages``), as one feature.

        Args:
            total: The label's summed mention strength in the document.
            strongest: Its strongest mention.
            top: The summed strength of the document's main label.
        """
        if self.name == "needs":
            from corpus.extract.needs import MIN_SHARE, STRONG_SCORE, TOTAL_SCORE

            enough = strongest >= STRONG_SCORE - 1e-9 or total >= TOTAL_SCORE - 1e-9
            return enough and total >= MIN_SHARE * top - 1e-9
        from corpus.extract.stages import MIN_WEIGHT

        return total >= MIN_WEIGHT - 1e-9


NEEDS_FIELD = LabelField(
    "needs", "need", NEEDS, "score", contexts=("cue", "plain", "heading", "name")
)
STAGES_FIELD = LabelField("stages", "stage", STAGES, "weight")
#: The document-label fields, each with its trainer (``corpus train``) below.
LABEL_FIELDS = (NEEDS_FIELD, STAGES_FIELD)


@functools.cache
def label_descriptions(field_name: str) -> dict[str, str]:
    """The French description of each label of ``field_name`` (from the resource file)."""
    from corpus.nlp.lexicon import read_yaml

    data = read_yaml(DESCRIPTIONS)
    return {str(k): " ".join(str(v).split()) for k, v in data[field_name].items()}


def encoder(kind: str | None, e5: Embed | None) -> Embed | None:
    """The sentence encoder of the similarity features (``None``: no such features).

    Args:
        kind: ``"static"``, ``"e5"`` or ``None``.
        e5: The e5 encoder bound to a cache (used when ``kind`` is ``"e5"``).
    """
    if kind == "static":
        from corpus.scorers.vectors import encode_static

        return encode_static
    if kind == "e5":
        return e5
    return None


def _description_vectors(spec: LabelField, embed: Embed) -> np.ndarray:
    descriptions = label_descriptions(spec.name)
    return np.asarray(embed([descriptions[label] for label in spec.labels]), dtype=np.float64)


def _strengths(records: pd.DataFrame, spec: LabelField) -> np.ndarray:
    for column in (spec.strength, "score", "weight"):
        if column in records.columns:
            return pd.to_numeric(records[column], errors="coerce").fillna(1.0).to_numpy(float)
    return np.ones(len(records))


def _doc_ids(passages: pd.DataFrame, records: pd.DataFrame) -> list[str]:
    ids = set(passages["doc_id"].astype(str)) if len(passages) else set()
    if len(records):
        ids |= set(records["doc_id"].astype(str))
    return sorted(ids)


def label_features(
    records: pd.DataFrame,
    spec: LabelField,
    passages: pd.DataFrame,
    *,
    embed: Embed | None = None,
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """One example per (document, label): its key and its feature mapping.

    Args:
        records: The field's candidate records (``doc_id``, ``passage_id``, label column,
            strength, ``start``, ``evidence``, ``context``...).
        spec: The field.
        passages: The annotated passages (``doc_id``, ``passage_id``, ``start``, ``end``,
            ``n_words``): every document with a passage gets one example per label.
        embed: Sentence encoder; ``None`` leaves the embedding features out.

    Returns:
        ``(keys, features)``: ``keys`` has ``doc_id``, ``label``, ``n_passages``,
        ``n_mentions``, ``score`` (sum of strengths), in (document, label-order) order;
        ``features`` has one mapping per row of ``keys``.
    """
    doc_ids = _doc_ids(passages, records)
    frame = records.copy() if len(records) else pd.DataFrame(columns=["doc_id", spec.column])
    frame["doc_id"] = frame["doc_id"].astype(str)
    frame["_strength"] = _strengths(frame, spec) if len(frame) else []
    by_doc = {d: g for d, g in frame.groupby("doc_id", sort=False)} if len(frame) else {}
    doc_passages = passages.assign(doc_id=passages["doc_id"].astype(str)).groupby("doc_id")
    passage_counts = doc_passages.size().to_dict()
    doc_length = doc_passages["end"].max().to_dict() if "end" in passages.columns else {}
    words = (
        doc_passages["n_words"].sum().to_dict()
        if "n_words" in passages.columns
        else dict.fromkeys(passage_counts, 0)
    )
    similarity = _similarities(frame, spec, doc_ids, embed) if embed is not None else None

    keys: list[dict[str, Any]] = []
    features: list[dict[str, Any]] = []
    for d_index, doc_id in enumerate(doc_ids):
        group = by_doc.get(doc_id)
        sums = group.groupby(spec.column)["_strength"].sum().to_dict() if group is not None else {}
        # One split per document, not a boolean filter per label (pandas overhead).
        by_label = dict(tuple(group.groupby(spec.column, sort=False))) if group is not None else {}
        top = max(sums.values(), default=0.0)
        n_doc_passages = max(int(passage_counts.get(doc_id, 1)), 1)
        length = max(float(doc_length.get(doc_id, 1) or 1), 1.0)
        n_words = float(words.get(doc_id, 0) or 0)
        for l_index, label in enumerate(spec.labels):
            rows = by_label.get(label, frame.iloc[:0])
            n = len(rows)
            total = float(sums.get(label, 0.0))
            n_pass = int(rows["passage_id"].nunique()) if n else 0
            feats: dict[str, Any] = {
                "label": label,
                "mentioned": n > 0,
                "log_mentions": math.log1p(n),
                "log_passages": math.log1p(n_pass),
                "passage_share": n_pass / n_doc_passages,
                "strength_sum": min(total, 6.0),
                "strength_max": float(rows["_strength"].max()) if n else 0.0,
                "share_of_top": total / top if top > 0 else 0.0,
                "is_top": n > 0 and total >= top - 1e-9,
                "per_1000_words": min(1000.0 * n / n_words, 20.0) if n_words else 0.0,
                "first_position": float(rows["start"].min()) / length if n else 1.0,
                "log_words": math.log1p(n_words),
            }
            feats["rule_keep"] = spec.rule(total, feats["strength_max"], top)
            if n and "cue" in rows.columns:
                feats["distinct_cues"] = math.log1p(rows["cue"].nunique())
            for context in spec.contexts:
                if n and "context" in rows.columns:
                    count = int((rows["context"] == context).sum())
                    feats[f"context_{context}"] = math.log1p(count)
            if similarity is not None:
                feats.update(similarity(d_index, l_index))
            keys.append(
                {
                    "doc_id": doc_id,
                    "label": label,
                    "n_passages": n_pass,
                    "n_mentions": n,
                    "score": round(total, 4),
                }
            )
            features.append(feats)
    return pd.DataFrame(keys, columns=["doc_id", "label", "n_passages", "n_mentions", "score"]), (
        features
    )


def _similarities(
    frame: pd.DataFrame, spec: LabelField, doc_ids: list[str], embed: Embed
) -> Callable[[int, int], dict[str, float]]:
    """Embedding features of (document i, label j): evidence sentences vs descriptions."""
    n_labels = len(spec.labels)
    described = _description_vectors(spec, embed)
    own = np.zeros((len(doc_ids), n_labels))
    best = np.zeros((len(doc_ids), n_labels))
    has_text = np.zeros(len(doc_ids), dtype=bool)
    if len(frame) and "evidence" in frame.columns:
        sentences = sorted(set(frame["evidence"].dropna().astype(str)))
        vectors = np.asarray(embed(sentences), dtype=np.float64) if sentences else None
        row_of = {s: i for i, s in enumerate(sentences)}
        index_of = {d: i for i, d in enumerate(doc_ids)}
        label_index = {label: j for j, label in enumerate(spec.labels)}
        for doc_id, group in frame.groupby("doc_id", sort=False):
            i = index_of[str(doc_id)]
            texts = group["evidence"].dropna().astype(str)
            if vectors is None or not len(texts):
                continue
            rows = sorted({row_of[t] for t in texts})
            sims = vectors[rows] @ described.T  # sentences x labels
            has_text[i] = True
            best[i] = sims.max(axis=0)
            for label, sub in group.groupby(spec.column):
                j = label_index.get(str(label))
                if j is None:
                    continue
                mine = [rows.index(row_of[t]) for t in sub["evidence"].dropna().astype(str)]
                own[i, j] = sims[mine, j].max()
    centre = best.mean(axis=1, keepdims=True)
    spread = best.std(axis=1, keepdims=True)
    spread[spread == 0] = 1.0

    def features(i: int, j: int) -> dict[str, float]:
        if not has_text[i]:
            return {}
        return {
            "sim_rel": float(best[i, j] - centre[i, 0]) * 10.0,
            "sim_z": float((best[i, j] - centre[i, 0]) / spread[i, 0]),
            "sim_own_rel": float(own[i, j] - centre[i, 0]) * 10.0 if own[i, j] else 0.0,
            "sim_rank": float((best[i] > best[i, j]).sum()) / max(n_labels - 1, 1),
        }

    return features


def gold_targets(
    keys: pd.DataFrame, gold: Mapping[str, Annotation], spec: LabelField
) -> np.ndarray:
    """1 (gold label), 0 (not in gold), -1 (optional, or document without gold)."""
    out = np.full(len(keys), -1, dtype=int)
    for i, (doc_id, label) in enumerate(zip(keys["doc_id"], keys["label"], strict=True)):
        annotation = gold.get(str(doc_id))
        if annotation is None:
            continue
        if label in getattr(annotation, spec.name):
            out[i] = 1
        elif label not in annotation.optional_labels(spec.name):
            out[i] = 0
    return out


@dataclass
class Examples:
    """Labelled examples of one field over several corpora."""

    keys: pd.DataFrame
    features: list[dict[str, Any]]
    y: np.ndarray
    weight: np.ndarray
    group: np.ndarray


def examples(
    corpora: Sequence[TrainingCorpus], spec: LabelField, *, similarity: str | None = SIMILARITY
) -> Examples:
    """The labelled (document, label) examples of ``corpora`` (optional labels dropped).

    Args:
        corpora: Training corpora.
        spec: The field.
        similarity: Sentence vectors of the similarity features (see :func:`encoder`).
    """
    keys_parts, feats, ys, weights, groups = [], [], [], [], []
    for corpus in corpora:
        embed = encoder(similarity, corpus.embed)
        keys, features = label_features(
            corpus.labelled(corpus.records[spec.name]),
            spec,
            corpus.labelled(corpus.passages),
            embed=embed,
        )
        y = gold_targets(keys, corpus.gold, spec)
        keep = np.flatnonzero(y >= 0)
        keys_parts.append(keys.iloc[keep].assign(corpus=corpus.name))
        feats += [features[i] for i in keep]
        ys.append(y[keep])
        weights.append(np.full(len(keep), float(corpus.weight)))
        groups += [f"{corpus.name}/{d}" for d in keys["doc_id"].iloc[keep]]
    return Examples(
        keys=pd.concat(keys_parts, ignore_index=True) if keys_parts else pd.DataFrame(),
        features=feats,
        y=np.concatenate(ys) if ys else np.zeros(0, dtype=int),
        weight=np.concatenate(weights) if weights else np.zeros(0),
        group=np.asarray(groups),
    )


def _fit(
    data: Examples, spec: LabelField, *, C: float, random_state: int, pooled: bool
) -> dict[str, Scorer]:
    """One scorer per label: the pooled model shared, or one model on the label's rows."""
    scorers: dict[str, Scorer] = {}
    if pooled:
        shared = Scorer(C=C, random_state=random_state).fit(
            data.features, data.y, sample_weight=data.weight
        )
        return dict.fromkeys(spec.labels, shared)
    labels = data.keys["label"].to_numpy()
    for label in spec.labels:
        rows = np.flatnonzero(labels == label)
        scorers[label] = Scorer(C=C, random_state=random_state).fit(
            [data.features[i] for i in rows], data.y[rows], sample_weight=data.weight[rows]
        )
    return scorers


def predict(scorers: Mapping[str, Scorer], keys: pd.DataFrame, features: list[dict]) -> np.ndarray:
    """P(label) of each example with its label's scorer."""
    out = np.zeros(len(keys))
    labels = keys["label"].to_numpy()
    for label, scorer in scorers.items():
        rows = np.flatnonzero(labels == label)
        if len(rows):
            out[rows] = scorer.predict_proba([features[i] for i in rows])
    return out


def micro_f1(y: np.ndarray, predicted: np.ndarray) -> tuple[float, float, float]:
    """Micro precision, recall, F1 of 0/1 decisions (optional labels already excluded)."""
    tp = int(((predicted == 1) & (y == 1)).sum())
    fp = int(((predicted == 1) & (y == 0)).sum())
    fn = int(((predicted == 0) & (y == 1)).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def cross_validate(
    data: Examples,
    spec: LabelField,
    *,
    C: float,
    pooled: bool,
    random_state: int = 0,
    n_splits: int = 5,
) -> np.ndarray:
    """Out-of-fold P(label) of every example, folds grouped by document."""
    out = np.zeros(len(data.y))
    folds = grouped_folds(data.group.tolist(), n_splits=n_splits, random_state=random_state)
    for train, test in folds:
        part = Examples(
            keys=data.keys.iloc[train].reset_index(drop=True),
            features=[data.features[i] for i in train],
            y=data.y[train],
            weight=data.weight[train],
            group=data.group[train],
        )
        scorers = _fit(part, spec, C=C, random_state=random_state, pooled=pooled)
        out[test] = predict(
            scorers, data.keys.iloc[test].reset_index(drop=True), [data.features[i] for i in test]
        )
    return out


def fit_label_scorers(
    corpora: Sequence[TrainingCorpus],
    spec: LabelField,
    *,
    random_state: int = 0,
    C_grid: Sequence[float] = C_GRID,
    pooled: bool = True,
    similarity: str | None = SIMILARITY,
    thresholds: Sequence[float] = THRESHOLDS,
) -> ScorerSet:
    """Train the field's scorers on labelled corpora and record their grouped-CV scores.

    Args:
        corpora: Training corpora (their ``weight`` is each example's sample weight).
        spec: The field.
        random_state: Seed of the folds and of the estimators.
        C_grid: Regularisation strengths tried.
        pooled: One model over every label's examples (label as a feature), shared by
            the labels; otherwise one model per label on its own examples.
        similarity: Sentence vectors of the similarity features: ``"static"``, ``"e5"``
            (each corpus's ``embed``) or ``None`` (no such features).
        thresholds: Decision thresholds tried. The (C, threshold) pair with the best
            out-of-fold micro F1 (folds grouped by document) is kept; then each label
            may move to its own threshold (:func:`label_thresholds`).

    Returns:
        The scorer set, its per-label thresholds, ``meta`` with the cross-validated
        P/R/F1 (with the per-label thresholds; ``shared_threshold_f1`` without them).
    """
    if similarity == "e5" and any(c.embed is None for c in corpora):
        similarity = None
    data = examples(corpora, spec, similarity=similarity)
    grid: dict[tuple[float, float], tuple[float, float, float]] = {}
    out_of_fold: dict[float, np.ndarray] = {}
    for C in C_grid:
        oof = cross_validate(data, spec, C=C, pooled=pooled, random_state=random_state)
        out_of_fold[C] = oof
        for t in thresholds:
            grid[(C, t)] = micro_f1(data.y, (oof >= t).astype(int))
    # Ties go to the stronger regularisation, then to the threshold nearest 0.5.
    C, best = max(grid, key=lambda k: (round(grid[k][2], 6), -k[0], -abs(k[1] - 0.5)))
    oof = out_of_fold[C]
    labels = data.keys["label"].to_numpy()
    per_label = label_thresholds(data.y, oof, labels, spec.labels, best)
    p, r, f1 = micro_f1(data.y, (oof >= _threshold_array(labels, per_label)).astype(int))
    scorers = _fit(data, spec, C=C, random_state=random_state, pooled=pooled)
    meta = {
        "features_version": FEATURES_VERSION,
        "similarity": similarity,
        "pooled": pooled,
        "C": C,
        "n_examples": len(data.y),
        "n_positive": int(data.y.sum()),
        "cv": {
            "threshold": best,
            "shared_threshold_f1": round(grid[(C, best)][2], 4),
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f1, 4),
            "f1_grid": {f"C={k[0]:g},t={k[1]:g}": round(v[2], 4) for k, v in grid.items()},
        },
        "calibration": calibration(data.y, oof),
    }
    logger.info("%s: grouped CV P %.3f R %.3f F1 %.3f (threshold %.2f)", spec.name, p, r, f1, best)
    return ScorerSet(
        name=spec.name,
        scorers=scorers,
        thresholds=per_label,
        meta=meta,
    )


def _threshold_array(labels: np.ndarray, thresholds: Mapping[str, float]) -> np.ndarray:
    return np.array([thresholds[str(label)] for label in labels], dtype=float)


def label_thresholds(
    y: np.ndarray,
    proba: np.ndarray,
    labels: np.ndarray,
    label_ids: Sequence[str],
    shared: float,
    *,
    grid: Sequence[float] = LABEL_THRESHOLDS,
    min_gain: float = MIN_LABEL_GAIN,
) -> dict[str, float]:
    """Each label's decision threshold, from out-of-fold probabilities.

    One pass over the labels in order: a label moves off the ``shared`` threshold to the
    grid value that most raises the micro F1 of all labels together, when the gain is at
    least ``min_gain`` (a rare label's handful of examples rarely moves it).

    Args:
        y: 0/1 outcomes.
        proba: Out-of-fold P(label) of the same examples.
        labels: The label of each example.
        label_ids: Every label of the field.
        shared: The threshold chosen for all labels together.
        grid: Thresholds tried per label.
        min_gain: Least micro-F1 gain that moves a label off ``shared``.

    Returns:
        ``{label: threshold}`` for every label of ``label_ids``.
    """
    chosen = dict.fromkeys(label_ids, shared)
    current = micro_f1(y, (proba >= _threshold_array(labels, chosen)).astype(int))[2]
    for label in label_ids:
        best_t, best_f1 = shared, current
        for t in grid:
            trial = {**chosen, label: t}
            f1 = micro_f1(y, (proba >= _threshold_array(labels, trial)).astype(int))[2]
            if f1 > best_f1 + 1e-12 and (f1 - current >= min_gain - 1e-12):
                best_t, best_f1 = t, f1
        chosen[label], current = best_t, best_f1
    return {label: float(t) for label, t in chosen.items()}


def calibration(y: np.ndarray, proba: np.ndarray, *, bins: int = 5) -> dict[str, Any]:
    """Reliability of ``proba`` against 0/1 outcomes.

    The table of :func:`corpus.scorers.calibration.reliability` (equal-width bins).

    Returns:
        ``{"bins": [{low, high, n, mean_confidence, observed}...], "ece": ...}``.
    """
    from corpus.scorers.calibration import reliability

    frame = pd.DataFrame({"confidence": np.asarray(proba, float), "correct": np.asarray(y) == 1})
    table, ece = reliability(frame, bins=bins)
    return {
        "bins": table.to_dict("records"),
        "ece": None if ece is None else round(float(ece), 4),
    }


def label_probabilities(
    records: pd.DataFrame,
    spec: LabelField,
    scorer_set: ScorerSet,
    passages: pd.DataFrame,
    *,
    embed: Embed | None,
) -> pd.DataFrame:
    """P(label) of every (document, label) pair, the one builder of the scored examples.

    Args:
        records: The field's candidate records.
        spec: The field.
        scorer_set: Its trained scorers.
        passages: The annotated passages (every document with one gets every label).
        embed: The e5 encoder (used when the set's similarity features read e5).

    Returns:
        The keys of :func:`label_features` (``doc_id``, ``label``, ``n_passages``,
        ``n_mentions``, ``score``) with ``confidence`` (P(label), rounded to 4 places).
    """
    use = encoder(scorer_set.meta.get("similarity"), embed)
    keys, features = label_features(records, spec, passages, embed=use)
    proba = np.zeros(len(keys))
    labels = keys["label"].to_numpy()
    for label in spec.labels:
        rows = np.flatnonzero(labels == label)
        if len(rows) and label in scorer_set.scorers:
            proba[rows] = scorer_set.proba(label, [features[i] for i in rows])
    return keys.assign(confidence=np.round(proba, 4))


def decide(
    records: pd.DataFrame,
    spec: LabelField,
    scorer_set: ScorerSet,
    passages: pd.DataFrame,
    *,
    embed: Embed | None,
) -> pd.DataFrame:
    """The labels each document gets from the scorers, with their ``confidence``.

    Returns:
        ``doc_id``, the label column, ``n_passages``, ``n_mentions``, ``score``,
        ``confidence`` (P(label)); only labels at or above their threshold.
    """
    keys = label_probabilities(records, spec, scorer_set, passages, embed=embed)
    threshold = keys["label"].map(scorer_set.threshold)
    out = keys[keys["confidence"] >= threshold - 1e-12].rename(columns={"label": spec.column})
    return out.reset_index(drop=True)


def _register(spec: LabelField) -> None:
    """Register the trainer ``corpus train`` runs for ``spec`` (``needs``, ``stages``)."""

    def train(corpora: list[TrainingCorpus], *, random_state: int = 0) -> ScorerSet:
        return fit_label_scorers(corpora, spec, random_state=random_state)

    train.__doc__ = f"Fit the {spec.name} scorers on labelled corpora (see fit_label_scorers)."
    register_trainer(spec.name)(train)


for _spec in LABEL_FIELDS:
    _register(_spec)
