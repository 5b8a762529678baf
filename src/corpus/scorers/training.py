"""Training examples and the trainer registry shared by every field's scorers.

A :class:`TrainingCorpus` is one labelled corpus as the trainers see it: its candidate
records (the rules' output before any decision, exactly what extraction produces), its
passages and documents, and its gold annotations by ``doc_id``. Each field registers a
trainer with :func:`register_trainer`; a trainer turns a list of training corpora into a
fitted :class:`~corpus.scorers.model.ScorerSet`, honouring each corpus's ``weight``
(corrections weigh more than the shipped training data).

This module is stage-level: it never opens a corpus. :mod:`corpus.train` does, and hands
the trainers what they need.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from corpus.extract.gold import Annotation
from corpus.extract.tables import ScoringContext
from corpus.scorers.model import ScorerSet

logger = logging.getLogger(__name__)

#: Modules that define trainers (imported on demand; a missing one is skipped).
TRAINER_MODULES = (
    "corpus.scorers.definitions",
    "corpus.scorers.actors",
    "corpus.scorers.roles",
    "corpus.scorers.labels",
)


@dataclass
class TrainingCorpus:
    """One labelled corpus, ready for the trainers.

    Attributes:
        name: Short name (``demo``, ``train``, ``corrections``...).
        documents: Its documents table.
        passages: The French passages that were annotated.
        records: Candidate records per record key (:func:`corpus.extract.tables.records_to_frames`).
        gold: Gold annotation per ``doc_id`` (documents without gold are not labelled).
        weight: Sample weight of its examples.
        embed: Sentence encoder bound to the corpus's cache.
    """

    name: str
    documents: pd.DataFrame
    passages: pd.DataFrame
    records: dict[str, pd.DataFrame]
    gold: dict[str, Annotation]
    weight: float = 1.0
    embed: Callable[[Sequence[str]], np.ndarray] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def context(self, scorers: dict[str, ScorerSet | None] | None = None) -> ScoringContext:
        """A scoring context over this corpus (rules only unless ``scorers`` are given)."""
        if self.embed is None:
            return ScoringContext(
                passages=self.passages, documents=self.documents, scorers=scorers or {}
            )
        return ScoringContext(
            passages=self.passages,
            documents=self.documents,
            scorers=scorers or {},
            embed=self.embed,
        )

    def labelled(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``frame`` (with ``doc_id``) whose document has gold."""
        if len(frame) == 0 or "doc_id" not in frame.columns:
            return frame
        return frame[frame["doc_id"].astype(str).isin(set(self.gold))]


class Trainer(Protocol):
    """A field's trainer: labelled corpora -> fitted scorer set."""

    def __call__(self, corpora: list[TrainingCorpus], *, random_state: int) -> ScorerSet: ...


_TRAINERS: dict[str, Trainer] = {}


def register_trainer(name: str) -> Callable[[Trainer], Trainer]:
    """Register ``fn`` as the trainer of scorer set ``name`` (a decorator)."""

    def decorate(fn: Trainer) -> Trainer:
        _TRAINERS[name] = fn
        return fn

    return decorate


def trainers() -> dict[str, Trainer]:
    """Every registered trainer, by scorer-set name (importing the field modules)."""
    for module in TRAINER_MODULES:
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)
    return dict(sorted(_TRAINERS.items()))


def sample_weights(corpus: TrainingCorpus, n: int) -> np.ndarray:
    """``n`` copies of the corpus's weight (one per example it contributes)."""
    return np.full(n, float(corpus.weight))


def grouped_folds(
    groups: Sequence[str], *, n_splits: int = 5, random_state: int = 0
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Train/test index pairs that never split a document (group) across the two sides.

    Groups are shuffled with ``random_state`` and dealt round-robin into ``n_splits``
    folds, so each fold holds whole documents. Fewer groups than folds: one fold a group.
    """
    labels = np.asarray([str(g) for g in groups])
    unique = np.array(sorted(set(labels)))
    if len(unique) < 2:
        return
    rng = np.random.default_rng(random_state)
    order = unique[rng.permutation(len(unique))]
    k = min(n_splits, len(unique))
    fold_of = {g: i % k for i, g in enumerate(order)}
    folds = np.array([fold_of[g] for g in labels])
    for fold in range(k):
        test = np.flatnonzero(folds == fold)
        train = np.flatnonzero(folds != fold)
        if len(test) and len(train):
            yield train, test


def gold_by_doc_id(documents: pd.DataFrame, gold: dict[str, Annotation]) -> dict[str, Annotation]:
    """Match gold annotations (keyed by file stem) to ``doc_id`` through the documents' paths."""
    from corpus.extract.gold import unique_stems

    paths = documents["path"].astype(str).tolist()
    stems = unique_stems(paths)
    by_name = {Path(a.document).name: a for a in gold.values()}
    out: dict[str, Annotation] = {}
    for doc_id, path in zip(documents["doc_id"].astype(str), paths, strict=True):
        annotation = gold.get(stems[path]) or by_name.get(Path(path).name)
        if annotation is not None:
            out[doc_id] = annotation
    return out
