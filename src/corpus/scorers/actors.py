"""Actor-in-document features, gold alignment and the trainers of the actor scorers.

The actors component proposes mentions generously, each with its own ``features``
(:mod:`corpus.nlp.actor_features`); :func:`corpus.extract.actors.build_actors` links
them into actors of one document. This module describes each linked actor in its
document (:func:`actor_features`) and trains three scorer sets on the repository's
labelled corpora:

* ``actors``: ``keep`` (is it a named actor the gold lists as core?);
* ``sectors``: one-vs-rest per sector (the highest probability wins);
* ``roles`` (trained in :mod:`corpus.scorers.roles`) reads these features too.

Role scorers see document-level cues (subject of first-person sentences, in the title,
share of mentions, the cues that fired) besides the sector; per-role thresholds are
chosen by cross-validation grouped by document so that a role is only given where its
F1 gains, which guards against guessing roles from the sector alone.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from corpus.extract.evaluate import normalise_name
from corpus.extract.gold import Actor, Annotation
from corpus.scorers.model import Scorer, ScorerSet
from corpus.scorers.training import TrainingCorpus, grouped_folds, register_trainer

logger = logging.getLogger(__name__)

ROLES: tuple[str, ...] = ("porteur", "bailleur", "partenaire", "preneur")
SECTORS: tuple[str, ...] = ("public", "entreprise", "ess", "recherche", "citoyens", "autre")

#: Mention features averaged over an actor's mentions (booleans become shares).
_SHARED = (
    "acronym",
    "generic",
    "common_share",
    "propn_share",
    "all_caps",
    "title_case",
    "lower_word",
    "has_digit",
    "one_word",
    "form_word",
    "form_word_inside",
    "legal_form",
    "first_name",
    "concept",
    "header_word",
    "statute_body",
    "category_expansion",
    "heading",
    "list_item",
    "table_cell",
    "caps_line",
    "short_line",
    "line_is_name",
    "first_person",
    "sentence_initial",
    "in_parens",
    "subject",
    "passive",
    "agent",
)
#: Mention features whose values become a bag (``verb=financer``: count share).
_BAGS = ("origin", "ner", "filtered", "prep", "dep", "keyword_sector", "det")
#: Mentions this close to the start of the document stand in its title zone.
TITLE_ZONE = 400


def mention_features(row: Mapping[str, Any]) -> dict[str, Any]:
    """The ``features`` dict of a mention row (stored as JSON text in the tables)."""
    value = row.get("features")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return {}
    return dict(value) if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class DocumentStats:
    """What the actor features read about the whole document."""

    n_mentions: int
    n_actors: int
    length: int
    first_person_rate: float  # first-person words per 100 words of the document
    text: str = ""


def document_stats(
    rows: Sequence[Mapping[str, Any]], n_actors: int, text: str | None = None
) -> DocumentStats:
    """Stats of one document from its mention rows (and its text when known)."""
    length = max((int(r["end"]) for r in rows), default=1)
    rate = 0.0
    if text:
        length = max(length, len(text))
        words = text.lower().replace("’", " ").replace("'", " ").split()
        first = sum(1 for w in words if w.strip(".,;:!?()«»") in ("nous", "notre", "nos"))
        rate = 100.0 * first / max(len(words), 1)
    else:
        feats = [mention_features(r) for r in rows]
        rate = 100.0 * sum(bool(f.get("first_person")) for f in feats) / max(len(feats), 1) / 10
    return DocumentStats(len(rows), n_actors, max(length, 1), rate, text or "")


def actor_features(
    rows: Sequence[Mapping[str, Any]],
    stats: DocumentStats,
    *,
    rank: int,
    sector: str,
    rule_roles: Iterable[str],
    rule_kept: bool,
) -> dict[str, Any]:
    """Features of one linked actor in its document.

    Args:
        rows: Its mention rows (with ``features``, ``start``, ``name``...).
        stats: Its document's :func:`document_stats`.
        rank: Order of its first mention among the document's actors (0 = first).
        sector: The sector the rules give it.
        rule_roles: The roles the rules give it.
        rule_kept: Whether the rules alone would report it.

    Returns:
        A flat mapping of JSON scalars (strings become one-hot features).
    """
    feats = [mention_features(r) for r in rows]
    n = len(rows)
    first_start = min(int(r["start"]) for r in rows)
    names = {normalise_name(str(r.get("name") or "")) for r in rows}
    out: dict[str, Any] = {
        "bias_actor": 1.0,
        "log_mentions": math.log1p(n),
        "share": n / max(stats.n_mentions, 1),
        "single": n == 1,
        "rank": rank / max(stats.n_actors, 1),
        "first_actor": rank == 0,
        "first_pos": first_start / stats.length,
        "title_zone": first_start < TITLE_ZONE,
        "names": min(len(names), 4),
        "has_acronym": any(r.get("acronym") for r in rows),
        "kind": "person" if any(r.get("kind") == "person" for r in rows) else "org",
        "sector": sector,
        "rule_kept": rule_kept,
        "byline": all(bool(r.get("byline")) for r in rows),
        "weak": all(bool(r.get("weak")) for r in rows),
        "all_filtered": all(bool(r.get("filtered")) for r in rows),
        "gazetteer": any(r.get("origin") == "gazetteer" for r in rows),
        "doc_first_person": min(stats.first_person_rate, 5.0) / 5.0,
        "doc_actors": math.log1p(stats.n_actors),
        # "Assemblée générale" also written in lower case: a common noun phrase.
        "lower_elsewhere": any(
            " " in name
            and name.lower() != name
            and re.search(rf"(?<!\w){re.escape(name.lower())}(?!\w)", stats.text) is not None
            for name in {str(r.get("name") or "") for r in rows}
        ),
    }
    for key in _SHARED:
        out[f"m_{key}"] = sum(float(f.get(key) or 0.0) for f in feats) / max(n, 1)
    # Shapes that separate names from capitalised common nouns ("Assemblée générale",
    # "Société") and from made-up one-word names ("Movilab").
    shapes = Counter(_name_shape(f) for f in feats)
    for shape, c in shapes.items():
        out[f"shape={shape}"] = c / max(n, 1)
    out["any_heading_top"] = any(
        bool(f.get("heading")) and int(r["start"]) < TITLE_ZONE
        for f, r in zip(feats, rows, strict=True)
    )
    out["first_person_subject"] = any(
        bool(f.get("first_person")) and bool(f.get("subject")) for f in feats
    )
    out["first_person_title"] = out["any_heading_top"] and out["doc_first_person"] > 0.2
    for key in _BAGS:
        counts = Counter(str(f.get(key, "none")) for f in feats)
        for value, c in counts.items():
            out[f"{key}={value}"] = c / max(n, 1)
    for role in ROLES:
        strong = [float(f.get(f"cue_{role}", 0.0)) for f in feats]
        out[f"cue_{role}"] = max(strong, default=0.0)
        out[f"cues_{role}"] = math.log1p(sum(1 for s in strong if s >= 1.0))
        out[f"rule_{role}"] = role in set(rule_roles)
    out["rule_no_role"] = not any(out[f"rule_{r}"] for r in ROLES)
    return out


def _name_shape(features: Mapping[str, Any]) -> str:
    """A coarse shape of one mention: acronym, one common word, one coined word, a
    phrase of common words, a phrase with a proper noun."""
    common = float(features.get("common_share") or 0.0) >= 0.99
    if features.get("acronym"):
        return "acronym"
    if features.get("one_word"):
        return "one_common" if common else "one_coined"
    if common and float(features.get("propn_share") or 0.0) < 0.5:
        return "phrase_common"
    return "phrase_proper"


# -- gold alignment -----------------------------------------------------------------------
def gold_actor(names: Iterable[str], gold: Annotation) -> Actor | None:
    """The gold actor one of ``names`` names (normalised; core actors first)."""
    keys = {normalise_name(n) for n in names if n}
    keys.discard("")
    found: Actor | None = None
    for actor in gold.actors:
        forms = {normalise_name(n) for n in [actor.name, *actor.aliases]}
        if keys & forms:
            if not actor.optional:
                return actor
            found = found or actor
    return found


@dataclass
class Example:
    """One linked actor of a training document, its features and its gold."""

    group: str
    features: dict[str, Any]
    gold: Actor | None
    weight: float
    context: str = ""
    corpus: str = ""


def examples(corpora: Sequence[TrainingCorpus]) -> list[Example]:
    """Every linked actor of every labelled document, aligned with the gold."""
    from corpus.extract.actors import actor_candidates

    out: list[Example] = []
    for corpus in corpora:
        records = corpus.records.get("actors")
        if records is None or len(records) == 0:
            continue
        mentions = corpus.labelled(records)
        for cand in actor_candidates(mentions, corpus.context()):
            gold = corpus.gold.get(cand.doc_id)
            if gold is None:
                continue
            out.append(
                Example(
                    group=f"{corpus.name}/{cand.doc_id}",
                    features=cand.features,
                    gold=gold_actor(cand.names, gold),
                    weight=float(corpus.weight),
                    context=cand.context,
                    corpus=corpus.name,
                )
            )
    return out


#: Weight of the e5 block against the cue features (unit vectors have small components;
#: chosen by grouped cross-validation: 5 beat 0.5-2 and 10-20 for keep and every role).
EMBEDDING_WEIGHT = 5.0


def embeddings_of(corpora: Sequence[TrainingCorpus], data: Sequence[Example]) -> np.ndarray | None:
    """e5 vectors of each example's sentences, or ``None`` when a corpus has no encoder."""
    encoders = {c.name: c.embed for c in corpora}
    if not data or any(encoders.get(e.corpus) is None for e in data):
        return None
    rows = np.zeros((len(data), 0), dtype=np.float32)
    blocks: dict[str, list[int]] = {}
    for i, e in enumerate(data):
        blocks.setdefault(e.corpus, []).append(i)
    for name, index in blocks.items():
        encode = encoders[name]
        assert encode is not None
        vectors = np.asarray(encode([data[i].context for i in index]), dtype=np.float32)
        if rows.shape[1] == 0:
            rows = np.zeros((len(data), vectors.shape[1]), dtype=np.float32)
        rows[index] = vectors
    return rows


#: Out-of-fold F1 a tuned threshold must gain over 0.5 to replace it.
MIN_THRESHOLD_GAIN = 0.005


# -- fitting ------------------------------------------------------------------------------
def out_of_fold(
    X: Sequence[Mapping[str, Any]],
    y: np.ndarray,
    groups: Sequence[str],
    weights: np.ndarray,
    *,
    C: float,
    random_state: int,
    embeddings: np.ndarray | None = None,
) -> np.ndarray:
    """Probabilities of each example from a scorer that never saw its document."""
    proba = np.full(len(y), float(np.mean(y)) if len(y) else 0.5)
    for train, test in grouped_folds(groups, n_splits=5, random_state=random_state):
        scorer = Scorer(C=C, embedding_weight=EMBEDDING_WEIGHT, random_state=random_state)
        scorer.fit(
            [X[i] for i in train],
            y[train],
            sample_weight=weights[train],
            embeddings=None if embeddings is None else embeddings[train],
        )
        proba[test] = scorer.predict_proba(
            [X[i] for i in test], embeddings=None if embeddings is None else embeddings[test]
        )
    return proba


def f1_at(proba: np.ndarray, y: np.ndarray, threshold: float) -> float:
    """F1 of ``proba >= threshold`` against ``y``."""
    pred = proba >= threshold
    tp = float(np.sum(pred & (y == 1)))
    fp = float(np.sum(pred & (y == 0)))
    fn = float(np.sum(~pred & (y == 1)))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def best_threshold(proba: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The threshold (0.2-0.8 by 0.05) with the best out-of-fold F1, and that F1."""
    grid = [round(0.2 + 0.05 * k, 2) for k in range(13)]
    scores = [(f1_at(proba, y, t), -abs(t - 0.5), t) for t in grid]
    f1, _, threshold = max(scores)
    return threshold, f1


def choose_c(
    X: Sequence[Mapping[str, Any]],
    y: np.ndarray,
    groups: Sequence[str],
    weights: np.ndarray,
    *,
    random_state: int,
    grid: Sequence[float] = (0.1, 0.3, 1.0),
) -> tuple[float, np.ndarray, dict[str, float]]:
    """The C with the best out-of-fold log-loss, its out-of-fold probabilities, and
    the log-loss of every C tried."""
    losses: dict[str, float] = {}
    best: tuple[float, float, np.ndarray] | None = None
    for C in grid:
        proba = out_of_fold(X, y, groups, weights, C=C, random_state=random_state)
        clipped = np.clip(proba, 1e-6, 1 - 1e-6)
        loss = float(-np.mean(y * np.log(clipped) + (1 - y) * np.log(1 - clipped)))
        losses[str(C)] = round(loss, 4)
        if best is None or loss < best[0] - 1e-9:
            best = (loss, C, proba)
    assert best is not None
    return best[1], best[2], losses


def reliability(proba: np.ndarray, y: np.ndarray, bins: int = 5) -> list[dict[str, float]]:
    """Mean predicted probability vs observed rate per equal-width bin."""
    out: list[dict[str, float]] = []
    for k in range(bins):
        lo, hi = k / bins, (k + 1) / bins
        mask = (proba >= lo) & ((proba < hi) if k < bins - 1 else (proba <= hi))
        if mask.any():
            out.append(
                {
                    "bin": round(lo, 2),
                    "n": int(mask.sum()),
                    "predicted": round(float(proba[mask].mean()), 3),
                    "observed": round(float(y[mask].mean()), 3),
                }
            )
    return out


def _fit_binary(
    X: Sequence[Mapping[str, Any]],
    y: np.ndarray,
    groups: Sequence[str],
    weights: np.ndarray,
    *,
    random_state: int,
    embeddings: np.ndarray | None = None,
) -> tuple[Scorer, float, dict[str, Any]]:
    """C by out-of-fold log-loss; then the sentence embeddings are kept only if they
    raise the out-of-fold F1; the threshold maximises that F1."""
    C, proba, losses = choose_c(X, y, groups, weights, random_state=random_state)
    threshold, f1 = best_threshold(proba, y)
    meta: dict[str, Any] = {"C": C, "cv_log_loss": losses, "cv_f1_cues": round(f1, 4)}
    use = None
    if embeddings is not None:
        with_e5 = out_of_fold(
            X, y, groups, weights, C=C, random_state=random_state, embeddings=embeddings
        )
        threshold_e5, f1_e5 = best_threshold(with_e5, y)
        meta["cv_f1_e5"] = round(f1_e5, 4)
        if f1_e5 > f1:
            use, proba, threshold, f1 = embeddings, with_e5, threshold_e5, f1_e5
    if f1 - f1_at(proba, y, 0.5) < MIN_THRESHOLD_GAIN:
        threshold = 0.5  # the calibrated cut, unless moving it clearly pays
    scorer = Scorer(C=C, embedding_weight=EMBEDDING_WEIGHT, random_state=random_state)
    scorer.fit(X, y, sample_weight=weights, embeddings=use)
    meta.update(
        {
            "embeddings": use is not None,
            "cv_f1": round(f1, 4),
            "cv_f1_at_0.5": round(f1_at(proba, y, 0.5), 4),
            "n": len(y),
            "positives": int(y.sum()),
            "reliability": reliability(proba, y),
        }
    )
    return scorer, threshold, meta


@register_trainer("actors")
def train_actors(corpora: list[TrainingCorpus], *, random_state: int = 0) -> ScorerSet:
    """The keep/drop scorer: core gold actors are positives, unmatched candidates negatives
    (candidates matching only an optional gold actor are left out)."""
    data = [e for e in examples(corpora) if e.gold is None or not e.gold.optional]
    X = [e.features for e in data]
    y = np.array([int(e.gold is not None) for e in data])
    groups = [e.group for e in data]
    weights = np.array([e.weight for e in data])
    embeddings = embeddings_of(corpora, data)
    scorer, threshold, meta = _fit_binary(
        X, y, groups, weights, random_state=random_state, embeddings=embeddings
    )
    logger.info("actors keep: %s", meta)
    return ScorerSet("actors", {"keep": scorer}, {"keep": threshold}, {"cv": {"keep": meta}})


@register_trainer("sectors")
def train_sectors(corpora: list[TrainingCorpus], *, random_state: int = 0) -> ScorerSet:
    """One-vs-rest sector scorers over the candidates that match a gold actor with a sector."""
    data = [e for e in examples(corpora) if e.gold is not None and e.gold.sector in SECTORS]
    X = [e.features for e in data]
    groups = [e.group for e in data]
    weights = np.array([e.weight for e in data])
    gold = [str(e.gold.sector) if e.gold else "" for e in data]
    scorers: dict[str, Scorer] = {}
    oof: dict[str, np.ndarray] = {}
    Cs: dict[str, float] = {}
    for sector in SECTORS:
        y = np.array([int(g == sector) for g in gold])
        C, oof[sector], _ = choose_c(X, y, groups, weights, random_state=random_state)
        scorers[sector] = Scorer(C=C, random_state=random_state).fit(X, y, sample_weight=weights)
        Cs[sector] = C
    stacked = np.vstack([oof[s] for s in SECTORS])
    predicted = [SECTORS[int(i)] for i in stacked.argmax(axis=0)]
    rules = [str(e.features.get("sector")) for e in data]
    meta = {
        "C": Cs,
        "n": len(data),
        "cv_accuracy": round(
            float(np.mean([p == g for p, g in zip(predicted, gold, strict=True)])), 4
        ),
        "rules_accuracy": round(
            float(np.mean([p == g for p, g in zip(rules, gold, strict=True)])), 4
        ),
    }
    logger.info("sectors: %s", meta)
    return ScorerSet("sectors", scorers, {}, {"cv": meta})
