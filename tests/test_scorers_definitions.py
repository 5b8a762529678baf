"""The definitions scorer: training on labelled candidates, reproducibility, the finalizer."""

from __future__ import annotations

import numpy as np
import pandas as pd

from corpus.extract.definitions import finalize_definitions
from corpus.extract.gold import Annotation, Definition
from corpus.extract.tables import ScoringContext
from corpus.scorers.definitions import examples, train_definitions
from corpus.scorers.training import TrainingCorpus

#: Made-up glossary sentences (defining) and narrative ones (not), per document.
_DEFINING = [
    ("jardin partagé", "Un jardin partagé est un terrain cultivé en commun par des voisins."),
    ("monnaie locale", "Une monnaie locale circule sur un territoire pour soutenir les commerces."),
    ("tontine", "La tontine est une épargne collective versée à tour de rôle à chaque membre."),
    ("ressourcerie", "Une ressourcerie collecte et revend des objets remis en état."),
]
_NARRATIVE = [
    ("marché", "Le marché a réuni trois cents personnes samedi dernier."),
    ("équipe", "Notre équipe est un groupe soudé depuis le premier jour."),
    ("saison", "La saison a été difficile à cause des pluies."),
]


def _corpus(name: str, n_docs: int, *, weight: float = 1.0) -> TrainingCorpus:
    """Candidate records of ``n_docs`` documents: one passage per sentence."""
    records, passages, gold = [], [], {}
    for d in range(n_docs):
        doc_id = f"{name}{d}"
        start = 0
        definitions = []
        rows = [(*pair, True) for pair in _DEFINING] + [(*pair, False) for pair in _NARRATIVE]
        for k, (term, text, defining) in enumerate(rows):
            passage_id = f"{doc_id}-{k}"
            passages.append(
                {
                    "passage_id": passage_id,
                    "doc_id": doc_id,
                    "index": k,
                    "start": start,
                    "text": text,
                }
            )
            records.append(
                {
                    "doc_id": doc_id,
                    "passage_id": passage_id,
                    "term": term,
                    "text": text,
                    "start": start,
                    "end": start + len(text),
                    "cue": "subject",
                    "source": None,
                    "year": None,
                    "confidence": 0.0,
                    "dimensions": None,
                    "features": {
                        "structure": "subject",
                        "tense": "present" if defining else "past",
                        "determiner": "indefinite" if k % 2 == 0 and defining else "definite",
                        "sent_first_person": not defining and k % 2 == 1,
                        "rule": False,
                    },
                }
            )
            if defining:
                definitions.append(Definition(term=term, text=text))
            start += len(text) + 2
        gold[doc_id] = Annotation(document=f"{doc_id}.txt", definitions=definitions)
    documents = pd.DataFrame({"doc_id": list(gold), "title": "", "genre": "other"})
    return TrainingCorpus(
        name=name,
        documents=documents,
        passages=pd.DataFrame(passages),
        records={"definitions": pd.DataFrame(records)},
        gold=gold,
        weight=weight,
    )


def test_examples_are_labelled_by_the_gold() -> None:
    data = examples([_corpus("a", 2)], embed=False)
    assert len(data.labels) == 2 * (len(_DEFINING) + len(_NARRATIVE))
    assert int(data.labels.sum()) == 2 * len(_DEFINING)
    assert data.embeddings is None and set(data.groups) == {"a/a0", "a/a1"}


def test_training_is_reproducible_and_learns() -> None:
    corpora = [_corpus("a", 6), _corpus("b", 4, weight=2.0)]
    first = train_definitions(corpora, random_state=0)
    second = train_definitions(corpora, random_state=0)
    assert first.dumps() == second.dumps()  # same data and seed: same bytes
    assert first.meta["n_positive"] == 10 * len(_DEFINING)
    assert {row["C"] for row in first.meta["cv"]} >= {0.1, 1.0}
    assert first.meta["chosen"]["f1"] > 0.9
    present = first.proba("keep", [{"structure": "subject", "tense": "present"}])
    past = first.proba("keep", [{"structure": "subject", "tense": "past"}])
    assert present[0] > 0.5 > past[0]


def test_corpus_weight_changes_the_fit() -> None:
    light = train_definitions([_corpus("a", 4), _corpus("b", 3)], random_state=0)
    heavy = train_definitions([_corpus("a", 4), _corpus("b", 3, weight=5.0)], random_state=0)
    assert light.dumps() != heavy.dumps()


def test_finalizer_keeps_what_the_scorer_keeps() -> None:
    corpus = _corpus("a", 5)
    scorer_set = train_definitions([corpus], random_state=0)
    context = ScoringContext(
        passages=corpus.passages,
        documents=corpus.documents,
        scorers={"definitions": scorer_set},
        embed=lambda texts: np.zeros((len(texts), 384), dtype=np.float32),
    )
    table = finalize_definitions(corpus.records["definitions"], context)
    assert set(table["term"]) == {term for term, _ in _DEFINING}
    assert table["confidence"].between(scorer_set.threshold("keep"), 1.0).all()
    assert "features" not in table.columns
    assert all(isinstance(d, list) for d in table["dimensions"])


def test_without_scorer_the_rules_decide() -> None:
    corpus = _corpus("a", 1)
    records = corpus.records["definitions"].copy()
    records["features"] = [
        {**f, "rule": k == 0, "rule_kept": k == 0} for k, f in enumerate(records["features"])
    ]
    table = finalize_definitions(records, corpus.passages)
    assert list(table["term"]) == [_DEFINING[0][0]]
