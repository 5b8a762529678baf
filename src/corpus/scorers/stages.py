"""The stages scorers: does this document describe stage X of the innovation process?

Features and training are shared with the needs (:mod:`corpus.scorers.labels`); this
module registers the trainer ``corpus train`` runs.
"""

from __future__ import annotations

from corpus.scorers.labels import STAGES_FIELD, fit_label_scorers
from corpus.scorers.model import ScorerSet
from corpus.scorers.training import TrainingCorpus, register_trainer


@register_trainer("stages")
def train_stages(corpora: list[TrainingCorpus], *, random_state: int = 0) -> ScorerSet:
    """Fit the stages scorers on labelled corpora.

    Args:
        corpora: The training corpora (sample weight: each corpus's ``weight``).
        random_state: Seed of the folds and the estimators.

    Returns:
        The ``stages`` scorer set (one scorer per stage, grouped-CV scores in ``meta``).
    """
    return fit_label_scorers(corpora, STAGES_FIELD, random_state=random_state)
