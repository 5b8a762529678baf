"""Is a confidence of 0.8 right four times out of five? Reliability of the scorers.

:func:`outcomes` lists every extraction of a labelled corpus with its confidence and
whether the gold confirms it (FORMAT.md's matching: a definition or actor matched to a
core gold item is right, matched to an optional one is left out, unmatched is wrong; a
need or stage label is right when the document's gold has it, left out when it is only
optional). :func:`reliability` bins them: mean confidence against observed precision,
the points of a reliability curve, and the expected calibration error.

:func:`calibrate` makes the shipped confidences honest for documents by new authors: the
scorers' own probabilities are fitted to their training documents and run high on unseen
ones, so each scorer set gets a Platt map (a slope and an offset on the log-odds) fitted
on out-of-corpus predictions: every training corpus in turn is scored by a refit that
never saw it (leave-one-corpus-out, the shift to a new set of authors). The map is
monotone and the thresholds move with it, so decisions do not change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from corpus.extract.evaluate import actors_match, definitions_match, match_items
from corpus.extract.gold import Actor, Annotation, Definition
from corpus.scorers.model import ScorerSet, _round
from corpus.scorers.refit import POOLED, LabelData, field_data, fit_like
from corpus.scorers.training import TrainingCorpus, grouped_folds

OUTCOME_COLUMNS = ("field", "doc_id", "item", "confidence", "correct")


def _number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return number


def outcomes(
    tables: Mapping[str, pd.DataFrame],
    actors_by_doc: Mapping[str, pd.DataFrame],
    gold: Mapping[str, Annotation],
) -> pd.DataFrame:
    """Every scored extraction with its confidence and its verdict against ``gold``.

    Args:
        tables: Extraction tables (``definitions``, ``doc_needs``, ``doc_stages``).
        actors_by_doc: Per-document actors (``name``, ``confidence``) by ``doc_id``.
        gold: Gold annotations by ``doc_id``.

    Returns:
        One row per extraction (:data:`OUTCOME_COLUMNS`); rows matched only to optional
        gold items are left out, as the scorer leaves them out.
    """
    rows: list[dict[str, Any]] = []
    definitions = tables.get("definitions", pd.DataFrame())
    for doc_id, annotation in gold.items():
        preds = (
            definitions[definitions["doc_id"].astype(str) == doc_id].to_dict("records")
            if len(definitions)
            else []
        )
        items = [Definition(term=str(p.get("term")), text=str(p.get("text"))) for p in preds]
        pairs, _ = match_items(items, annotation.definitions, definitions_match)
        _collect(rows, "definitions", doc_id, preds, pairs, annotation.definitions, "term")
        actors = actors_by_doc.get(doc_id, pd.DataFrame())
        records = actors.to_dict("records") if len(actors) else []
        named = [Actor(name=str(r.get("name"))) for r in records]
        pairs, _ = match_items(named, annotation.actors, actors_match)
        _collect(rows, "actors", doc_id, records, pairs, annotation.actors, "name")
        for field, table, column in (
            ("needs", tables.get("doc_needs"), "need"),
            ("stages", tables.get("doc_stages"), "stage"),
        ):
            if table is None or len(table) == 0:
                continue
            required = set(getattr(annotation, field))
            optional = set(annotation.optional_labels(field))
            for row in table[table["doc_id"].astype(str) == doc_id].to_dict("records"):
                label = str(row[column])
                if label in optional and label not in required:
                    continue
                rows.append(
                    {
                        "field": field,
                        "doc_id": doc_id,
                        "item": label,
                        "confidence": _number(row.get("confidence")),
                        "correct": label in required,
                    }
                )
    return pd.DataFrame(rows, columns=list(OUTCOME_COLUMNS))


def _collect(
    rows: list[dict[str, Any]],
    field: str,
    doc_id: str,
    preds: list[dict[Any, Any]],
    pairs: list[tuple[int, int]],
    golds: list[Any],
    key: str,
) -> None:
    matched = dict(pairs)
    for i, pred in enumerate(preds):
        if i in matched and golds[matched[i]].optional:
            continue
        rows.append(
            {
                "field": field,
                "doc_id": doc_id,
                "item": str(pred.get(key)),
                "confidence": _number(pred.get("confidence")),
                "correct": i in matched,
            }
        )


def reliability(frame: pd.DataFrame, *, bins: int = 5) -> tuple[pd.DataFrame, float | None]:
    """Reliability table (equal-width confidence bins) and expected calibration error.

    Args:
        frame: From :func:`outcomes` (rows without a confidence are ignored).
        bins: Number of bins over [0, 1].

    Returns:
        ``(table, ece)``: per bin ``low``, ``high``, ``n``, ``mean_confidence``,
        ``observed`` (share correct); ``ece`` is the count-weighted mean gap, ``None``
        when no row has a confidence.
    """
    scored = frame[frame["confidence"].notna()]
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(scored["confidence"].to_numpy(float), edges[1:-1]), 0, bins - 1)
    table_rows = []
    gap = 0.0
    for b in range(bins):
        part = scored[which == b]
        if len(part) == 0:
            continue
        mean_conf = float(part["confidence"].mean())
        observed = float(part["correct"].astype(float).mean())
        gap += len(part) * abs(mean_conf - observed)
        table_rows.append(
            {
                "low": float(edges[b]),
                "high": float(edges[b + 1]),
                "n": len(part),
                "mean_confidence": round(mean_conf, 3),
                "observed": round(observed, 3),
            }
        )
    table = pd.DataFrame(table_rows, columns=["low", "high", "n", "mean_confidence", "observed"])
    return table, (gap / len(scored) if len(scored) else None)


# -- fitting the calibration maps ----------------------------------------------------------
#: Fewer out-of-corpus examples (or positives, or negatives) than this: no map is fitted
#: (a slope and an offset fitted on a handful of positives are noise).
MIN_EXAMPLES = 50
MIN_CLASS = 10
#: The slope of a map never falls below this (a map must keep the scorer's order).
MIN_SLOPE = 0.05
#: Significant digits of a stored map.
MAP_DIGITS = 6
#: Scorer sets decided by the highest probability among their labels (no thresholds):
#: one map shared by every label keeps the winner.
ARGMAX_SETS = ("sectors",)


def out_of_corpus_logits(
    scorer_set: ScorerSet, data: Mapping[str, LabelData], *, random_state: int = 0
) -> dict[str, np.ndarray]:
    """Log-odds of every training example from a refit that never saw its corpus.

    Each training corpus is left out in turn and the set refitted on the others with its
    hyperparameters fixed (:func:`corpus.scorers.refit.fit_like`): a new corpus is a new
    set of authors, the shift unseen documents bring. With one corpus only, folds of
    whole documents stand in.

    Returns:
        ``{label: log-odds}`` aligned with ``data[label]`` (NaN where no fold scored it).
    """
    out: dict[str, np.ndarray] = {}
    for label, part in data.items():
        scorer = scorer_set.scorers[scorer_set.labels[0] if label == POOLED else label]
        logits = np.full(len(part), np.nan)
        names = part.corpora
        if len(set(names)) >= 2:
            folds = [
                (np.flatnonzero(names != c), np.flatnonzero(names == c)) for c in sorted(set(names))
            ]
        else:
            folds = list(grouped_folds(part.groups.tolist(), random_state=random_state))
        for train, test in folds:
            if len(train) == 0 or len(test) == 0:
                continue
            fitted = fit_like(scorer, part.take(train))
            held = part.take(test)
            logits[test] = fitted.decision_function(
                held.features, embeddings=held.embeddings if fitted.uses_embeddings_ else None
            )
        out[label] = logits
    return out


def platt(logits: np.ndarray, y: np.ndarray) -> tuple[float, float] | None:
    """``(a, b)`` with ``sigmoid(a * logit + b)`` fitted to ``y`` (None: too few examples)."""
    from sklearn.linear_model import LogisticRegression

    known = ~np.isnan(logits)
    logits, y = np.asarray(logits)[known], np.asarray(y, dtype=int)[known]
    positives = int(y.sum())
    if len(y) < MIN_EXAMPLES or min(positives, len(y) - positives) < MIN_CLASS:
        return None
    # Mildly regularised and solved to a tight tolerance: a separable or nearly separable
    # fold still gives a finite map, and the same examples in another order the same
    # digits (the map is stored to MAP_DIGITS significant digits).
    model = LogisticRegression(C=100.0, solver="lbfgs", max_iter=10_000, tol=1e-12)
    model.fit(logits.reshape(-1, 1), y)
    a = max(float(model.coef_[0, 0]), MIN_SLOPE)
    b = float(model.intercept_[0])
    return float(f"{a:.{MAP_DIGITS}g}"), float(f"{b:.{MAP_DIGITS}g}")


def _reliability_summary(proba: np.ndarray, y: np.ndarray, *, bins: int = 5) -> dict[str, Any]:
    known = ~np.isnan(proba)
    frame = pd.DataFrame({"confidence": proba[known], "correct": np.asarray(y)[known] == 1})
    table, ece = reliability(frame, bins=bins)
    return {
        "ece": None if ece is None else round(float(ece), 4),
        "bins": [
            [int(r["n"]), float(r["mean_confidence"]), float(r["observed"])]
            for r in table.to_dict("records")
        ],
    }


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def calibrate(
    scorer_set: ScorerSet,
    corpora: Sequence[TrainingCorpus],
    *,
    random_state: int = 0,
    cache: dict[str, Any] | None = None,
    reference: Sequence[str] | None = None,
) -> ScorerSet:
    """Fit a Platt map per label on out-of-corpus log-odds and apply it to ``scorer_set``.

    The thresholds move with the map (each is the map's image of the old one), so every
    decision stays as it was; only the confidences change. Pooled label fields and sets
    decided by the highest probability (:data:`ARGMAX_SETS`) get one map for all labels.
    ``meta["calibration"]`` records the method and, per map, the out-of-corpus
    reliability (ECE and ``[n, mean confidence, observed]`` per bin) before and after.

    Args:
        scorer_set: A freshly trained set (no map yet).
        corpora: Its training corpora.
        random_state: Seed of the document folds used when there is one corpus only.
        cache: Shared example cache (:func:`corpus.scorers.refit.field_data`).
        reference: The corpora whose out-of-corpus predictions the maps are fitted on
            (every corpus is still left out in turn; ``None``: all of them).

    Returns:
        The same set, calibrated in place.
    """
    data = field_data(corpora, scorer_set, cache=cache)
    every = out_of_corpus_logits(scorer_set, data, random_state=random_state)
    logits = dict(every)
    if reference is not None:
        wanted = list(reference)
        for key, part in data.items():
            logits[key] = np.where(np.isin(part.corpora, wanted), every[key], np.nan)
    if scorer_set.name in ARGMAX_SETS and POOLED not in data:
        # One map for all: the stacked out-of-corpus log-odds of every label.
        keys = sorted(data)
        ys = np.concatenate([data[k].y for k in keys])
        groups = {
            "*": (
                np.concatenate([logits[k] for k in keys]),
                np.concatenate([every[k] for k in keys]),
                ys,
            )
        }
    else:
        groups = {k: (logits[k], every[k], data[k].y) for k in sorted(data)}
    maps: dict[str, Any] = {}
    report: dict[str, Any] = {}
    for key, (z, z_all, y) in groups.items():
        fitted = platt(z, y)
        labels = scorer_set.labels if key in (POOLED, "*") else [key]
        # Reliability on the reference corpora (what the map is fitted on) and on every
        # corpus left out in turn, before and after the map.
        entry: dict[str, Any] = {
            "n": int((~np.isnan(z)).sum()),
            "before": _reliability_summary(_sigmoid(z), y),
            "after": None,
            "all_before": _reliability_summary(_sigmoid(z_all), y),
            "all_after": None,
        }
        if fitted is not None:
            a, b = fitted
            entry["map"] = [a, b]
            entry["after"] = _reliability_summary(_sigmoid(a * z + b), y)
            entry["all_after"] = _reliability_summary(_sigmoid(a * z_all + b), y)
            for label in labels:
                maps[label] = fitted
        report[key] = entry
    for label, (a, b) in maps.items():
        if scorer_set.name not in ARGMAX_SETS:
            raw = min(max(scorer_set.threshold(label), 1e-9), 1 - 1e-9)
            moved = float(_sigmoid(a * np.log(raw / (1 - raw)) + b))
            scorer_set.thresholds[label] = _round(moved)
    scorer_set.calibration = dict(sorted(maps.items()))
    scorer_set.meta["calibration"] = {
        "method": "platt",
        "folds": "leave-one-corpus-out",
        "corpora": sorted({c.name for c in corpora}),
        "maps": report,
    }
    return scorer_set
