"""The needs scorers: is social need X addressed by this document? (one per need).

Features and training are shared with the stages (:mod:`corpus.scorers.labels`); this
module registers the trainer ``corpus train`` runs.
"""

from __future__ import annotations

from corpus.scorers.labels import NEEDS_FIELD, fit_label_scorers
from corpus.scorers.model import ScorerSet
from corpus.scorers.training import TrainingCorpus, register_trainer


@register_trainer("needs")
def train_needs(corpora: list[TrainingCorpus], *, random_state: int = 0) -> ScorerSet:
    """Fit the needs scorers on labelled corpora.

    Args:
        corpora: The training corpora (sample weight: each corpus's ``weight``).
        random_state: Seed of the folds and the estimators.

    Returns:
        The ``needs`` scorer set (one scorer per need, grouped-CV scores in ``meta``).
    """
    return fit_label_scorers(corpora, NEEDS_FIELD, random_state=random_state)
