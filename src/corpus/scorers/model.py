"""The trained scorers that decide among the rules' candidates.

A :class:`Scorer` is one binary decision (is this sentence a definition? keep this actor?
is this actor a funder?): a logistic regression over the candidate's feature mapping (cue
firings, parse, document context; string values become one-hot ``key=value`` columns) and,
optionally, a dense sentence embedding. Logistic regression because the training sets are
small (hundreds to a few thousand candidates), its fitted state is a handful of numbers
that serialise to a few kilobytes of deterministic JSON, and its log-odds take a
calibration map well: fitted to its training documents, its probabilities run high on
documents by new authors, so each set carries a Platt map fitted on out-of-corpus
predictions (:mod:`corpus.scorers.calibration`).

A :class:`ScorerSet` groups the scorers of one field (``{"porteur": ..., "bailleur": ...}``)
with a decision threshold per label and the provenance of its training, in one JSON file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from corpus.errors import CorpusError
from corpus.store import atomic_write_text

FORMAT_VERSION = 1
# Fitted numbers are rounded before they are stored: BLAS summation order may differ in
# the last bits between machines, and the stored bytes must not.
_DIGITS = 8
#: A remembered verdict is never fully certain (the same name may be used otherwise).
MEMORY_BOUNDS = (0.02, 0.98)


class ScorerError(CorpusError):
    """A scorer file is unreadable, or a scorer was used before it was fitted."""

    code = "E-SCORER"


def _round(value: float) -> float:
    return float(f"{value:.{_DIGITS}g}")


def _clean(record: Mapping[str, Any]) -> dict[str, Any]:
    """A feature mapping DictVectorizer accepts: booleans as 0/1, ``None`` and NaN dropped."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if value is None:
            continue
        if isinstance(value, bool | np.bool_):
            out[key] = 1.0 if value else 0.0
        elif isinstance(value, int | float | np.integer | np.floating):
            number = float(value)
            if math.isfinite(number):
                out[key] = number
        else:
            out[key] = str(value)
    return out


class Scorer(BaseEstimator):
    """One binary decision: logistic regression over feature mappings (+ embeddings).

    Args:
        C: Inverse regularisation strength of the logistic regression.
        class_weight: ``None`` (keeps probabilities calibrated) or ``"balanced"``.
        embedding_weight: Factor applied to the embedding block (its share of the
            regularisation against the sparse cue features).
        max_iter: Iterations of the lbfgs solver.
        random_state: Seed (lbfgs is deterministic; kept for the estimator contract).
    """

    def __init__(
        self,
        *,
        C: float = 1.0,
        class_weight: str | None = None,
        embedding_weight: float = 1.0,
        max_iter: int = 2000,
        random_state: int = 0,
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.embedding_weight = embedding_weight
        self.max_iter = max_iter
        self.random_state = random_state

    # -- design matrix ---------------------------------------------------------------------
    def _scale(self, X: sp.csr_matrix) -> sp.csr_matrix:
        return sp.csr_matrix(X.multiply(self.scale_.reshape(1, -1)))

    def _design(
        self, X: Sequence[Mapping[str, Any]], embeddings: np.ndarray | None
    ) -> sp.csr_matrix:
        sparse = self._scale(sp.csr_matrix(self.vectorizer_.transform([_clean(r) for r in X])))
        if not self.uses_embeddings_:
            return sparse
        if embeddings is None or len(embeddings) != len(X):
            raise ScorerError(
                "this scorer was trained with sentence embeddings; pass one row per candidate",
                hint="Call predict_proba(X, embeddings=...).",
            )
        dense = np.asarray(embeddings, dtype=np.float64) * self.embedding_weight
        return sp.hstack([sparse, sp.csr_matrix(dense)], format="csr")

    # -- estimator contract ----------------------------------------------------------------
    def fit(
        self,
        X: Sequence[Mapping[str, Any]],
        y: Sequence[int] | np.ndarray,
        *,
        embeddings: np.ndarray | None = None,
        sample_weight: Sequence[float] | np.ndarray | None = None,
    ) -> Scorer:
        """Fit on candidate feature mappings and 0/1 labels.

        Args:
            X: One feature mapping per candidate.
            y: 1 for a positive candidate, 0 otherwise.
            embeddings: Optional ``(n, d)`` sentence embeddings, one row per candidate.
            sample_weight: Optional weight per candidate (corrections weigh more).

        Returns:
            ``self``.
        """
        labels = np.asarray(y, dtype=int)
        if len(labels) != len(X):
            raise ValueError(f"{len(X)} candidates but {len(labels)} labels")
        self.vectorizer_ = DictVectorizer(sort=True, sparse=True)
        raw = sp.csr_matrix(self.vectorizer_.fit_transform([_clean(r) for r in X]))
        peak = np.asarray(abs(raw).max(axis=0).todense()).ravel() if raw.shape[0] else np.ones(0)
        self.scale_ = np.where(peak > 0, 1.0 / np.where(peak > 0, peak, 1.0), 1.0)
        self.uses_embeddings_ = embeddings is not None
        self.n_features_in_ = raw.shape[1]
        self.n_train_ = len(labels)
        self.n_positive_ = int(labels.sum())
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if self.n_positive_ in (0, len(labels)):
            # One class only: a constant prior (Laplace-smoothed), no regression to fit.
            prior = (self.n_positive_ + 1.0) / (len(labels) + 2.0)
            width = raw.shape[1] + (embeddings.shape[1] if embeddings is not None else 0)
            self.coef_ = np.zeros(width)
            self.intercept_ = float(np.log(prior / (1.0 - prior)))
            return self
        model = LogisticRegression(
            C=self.C,
            class_weight=self.class_weight,
            max_iter=self.max_iter,
            solver="lbfgs",
            random_state=self.random_state,
        )
        model.fit(self._design(X, embeddings), labels, sample_weight=weights)
        self.coef_ = np.array([_round(v) for v in model.coef_.ravel()])
        self.intercept_ = _round(float(model.intercept_[0]))
        return self

    def decision_function(
        self, X: Sequence[Mapping[str, Any]], *, embeddings: np.ndarray | None = None
    ) -> np.ndarray:
        """The log-odds of each candidate."""
        if not hasattr(self, "coef_"):
            raise ScorerError("the scorer is not fitted", hint="Call fit() or load a file.")
        if len(X) == 0:
            return np.zeros(0)
        design = self._design(X, embeddings)
        return np.asarray(design @ self.coef_).ravel() + self.intercept_

    def predict_proba(
        self, X: Sequence[Mapping[str, Any]], *, embeddings: np.ndarray | None = None
    ) -> np.ndarray:
        """P(positive) of each candidate, shape ``(n,)``."""
        return 1.0 / (1.0 + np.exp(-self.decision_function(X, embeddings=embeddings)))

    def top_features(self, n: int = 10) -> list[tuple[str, float]]:
        """The ``n`` cue features with the largest absolute weights (for reports)."""
        names = list(self.vectorizer_.feature_names_)
        weights = self.coef_[: len(names)] * self.scale_
        order = np.argsort(-np.abs(weights), kind="stable")[:n]
        return [(names[i], float(weights[i])) for i in order]

    # -- persistence -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The fitted state as plain JSON types (rounded, so the bytes are reproducible)."""
        return {
            "params": self.get_params(),
            "features": list(self.vectorizer_.feature_names_),
            "scale": [_round(v) for v in self.scale_],
            "coef": [float(v) for v in self.coef_],
            "intercept": float(self.intercept_),
            "uses_embeddings": bool(self.uses_embeddings_),
            "n_train": self.n_train_,
            "n_positive": self.n_positive_,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scorer:
        """Rebuild a fitted scorer from :meth:`to_dict`'s mapping."""
        scorer = cls(**data["params"])
        names = list(data["features"])
        vectorizer = DictVectorizer(sort=True, sparse=True)
        vectorizer.feature_names_ = names
        vectorizer.vocabulary_ = {name: i for i, name in enumerate(names)}
        scorer.vectorizer_ = vectorizer
        scorer.scale_ = np.asarray(data["scale"], dtype=float)
        scorer.coef_ = np.asarray(data["coef"], dtype=float)
        scorer.intercept_ = float(data["intercept"])
        scorer.uses_embeddings_ = bool(data["uses_embeddings"])
        scorer.n_features_in_ = len(names)
        scorer.n_train_ = int(data.get("n_train", 0))
        scorer.n_positive_ = int(data.get("n_positive", 0))
        return scorer


@dataclass
class ScorerSet:
    """The scorers of one field, their thresholds and where they came from.

    Attributes:
        name: The field (``definitions``, ``actors``, ``sectors``, ``roles``, ``needs``...).
        scorers: One fitted :class:`Scorer` per label (``{"keep": ...}`` for one decision).
        thresholds: Decision threshold per label (0.5 when absent).
        meta: Provenance: package version, training fingerprint, corpora, examples,
            cross-validated scores; ``origin`` is ``shipped`` or ``adapted``.
        calibration: Per label, ``(a, b)`` of a Platt map applied to the scorer's
            log-odds (``P = sigmoid(a * logit + b)``), fitted on out-of-corpus
            predictions (:mod:`corpus.scorers.calibration`). The thresholds are on the
            calibrated scale. A label without a map gives the scorer's own probability.
        memory: Per label, the verdicts a corpus's corrections gave by name (normalised
            name -> share of its corrected occurrences that had the label). Only adapted
            sets have one: a candidate known by a remembered name gets the remembered
            share (clipped to :data:`MEMORY_BOUNDS`) instead of the scorer's guess, so a
            corrected mistake is not made again in the same corpus.
    """

    name: str
    scorers: dict[str, Scorer]
    thresholds: dict[str, float] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    calibration: dict[str, tuple[float, float]] = field(default_factory=dict)
    memory: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        """The labels, sorted."""
        return sorted(self.scorers)

    @property
    def uses_embeddings(self) -> bool:
        """Whether any label's scorer needs the candidates' sentence embeddings."""
        return any(s.uses_embeddings_ for s in self.scorers.values())

    def threshold(self, label: str) -> float:
        """The decision threshold of ``label``."""
        return float(self.thresholds.get(label, 0.5))

    def proba(
        self,
        label: str,
        X: Sequence[Mapping[str, Any]],
        *,
        embeddings: np.ndarray | None = None,
        names: Sequence[Iterable[str]] | None = None,
    ) -> np.ndarray:
        """Calibrated P(label) of each candidate (see :attr:`calibration`).

        Args:
            label: One of :attr:`labels`.
            X: One feature mapping per candidate.
            embeddings: Their sentence embeddings, when the scorer uses them.
            names: The names each candidate is known by; those the corpus's corrections
                remember (:attr:`memory`) get the remembered verdict.

        Raises:
            ScorerError: ``label`` is not one of this set's labels.
        """
        if label not in self.scorers:
            raise ScorerError(
                f"scorer set {self.name!r} has no label {label!r}",
                hint=f"Labels: {', '.join(self.labels)}.",
            )
        logits = self.scorers[label].decision_function(X, embeddings=embeddings)
        proba = 1.0 / (1.0 + np.exp(-self.calibrated_logits(label, logits)))
        remembered = self.memory.get(label)
        if remembered and names is not None:
            from corpus.extract.evaluate import normalise_name

            for i, forms in enumerate(names):
                known = sorted({normalise_name(f) for f in forms} & remembered.keys())
                if known:
                    share = float(np.mean([remembered[k] for k in known]))
                    proba[i] = min(max(share, MEMORY_BOUNDS[0]), MEMORY_BOUNDS[1])
        return proba

    def calibrated_logits(self, label: str, logits: np.ndarray) -> np.ndarray:
        """``logits`` of ``label``'s scorer through the label's calibration map."""
        if label not in self.calibration:
            return np.asarray(logits, dtype=float)
        a, b = self.calibration[label]
        return a * np.asarray(logits, dtype=float) + b

    def to_dict(self) -> dict[str, Any]:
        """The whole set as plain JSON types."""
        out = {
            "format": FORMAT_VERSION,
            "name": self.name,
            "meta": self.meta,
            "thresholds": {k: _round(v) for k, v in sorted(self.thresholds.items())},
            "scorers": {label: self.scorers[label].to_dict() for label in self.labels},
        }
        if self.calibration:
            out["calibration"] = {
                k: [_round(a), _round(b)] for k, (a, b) in sorted(self.calibration.items())
            }
        if self.memory:
            out["memory"] = {
                label: {k: _round(v) for k, v in sorted(known.items())}
                for label, known in sorted(self.memory.items())
            }
        return out

    def dumps(self) -> str:
        """Deterministic JSON text (sorted keys, one scorer per block)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, indent=1) + "\n"

    def save(self, path: str | Path) -> Path:
        """Write the set atomically to ``path`` (JSON)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, self.dumps())
        return path

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScorerSet:
        """Rebuild a set from :meth:`to_dict`'s mapping."""
        return cls(
            name=str(data["name"]),
            scorers={k: Scorer.from_dict(v) for k, v in data["scorers"].items()},
            thresholds={k: float(v) for k, v in data.get("thresholds", {}).items()},
            meta=dict(data.get("meta", {})),
            calibration={
                k: (float(v[0]), float(v[1])) for k, v in data.get("calibration", {}).items()
            },
            memory={
                str(label): {str(k): float(v) for k, v in known.items()}
                for label, known in data.get("memory", {}).items()
            },
        )

    @classmethod
    def load(cls, path: str | Path) -> ScorerSet:
        """Read a set written by :meth:`save`.

        Raises:
            ScorerError: The file is missing, not JSON, or not a scorer set.
        """
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if int(data.get("format", 0)) != FORMAT_VERSION:
                raise ValueError(f"format {data.get('format')!r}, expected {FORMAT_VERSION}")
            return cls.from_dict(data)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ScorerError(
                f"not a readable scorer file ({exc})",
                path=path,
                hint="Rebuild it with `corpus train` (shipped) or `corpus learn` (adapted).",
            ) from exc
