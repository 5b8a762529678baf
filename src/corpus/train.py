"""``corpus train``: fit the shipped scorers on the repository's labelled corpora.

This module composes stages (it opens corpora, ingests and annotates them through the
normal extraction path, then hands the candidate records and the gold to each field's
trainer), so it sits beside :mod:`corpus.api`, not inside a stage.

The training corpora are the repository's gold sets (``corpora/demo``, ``heldout``,
``blind``, ``blind2``, ``blind3`` and ``train``); never ``shared/eval-real``, which
measures the scorers on documents nobody trained on. Same corpora and seed give the same
scorer files, byte for byte; each file records the training data's fingerprint.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corpus.errors import UsageError
from corpus.extract.gold import Annotation, predictions_from_tables, read_annotations
from corpus.scorers.model import ScorerSet
from corpus.scorers.registry import SHIPPED_DIR
from corpus.scorers.training import TrainingCorpus, gold_by_doc_id, trainers
from corpus.store import fingerprint, sha256_file

logger = logging.getLogger(__name__)

#: The repository's labelled corpora the shipped scorers learn from.
TRAINING_CORPORA = ("demo", "heldout", "blind", "blind2", "blind3", "train")
#: The corpora whose out-of-corpus predictions fit the calibration maps: ``train`` holds
#: the structures of real documents by other authors, and its predictions by scorers that
#: never saw it shift the way unseen real documents do (on shared/eval-real, maps fitted
#: on it cut the ECE of every field; maps fitted on all six barely move, the fictional
#: corpora being predicted about as well as the training data).
CALIBRATION_CORPORA = ("train",)
#: Overrides where the training corpora are (a folder holding them).
TRAINING_DATA_ENV = "CORPUS_TRAINING_DATA"


def training_root() -> Path:
    """The folder holding the training corpora (``$CORPUS_TRAINING_DATA`` or the repo's)."""
    configured = os.environ.get(TRAINING_DATA_ENV)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "corpora"


def default_training_folders() -> list[Path]:
    """The training corpora that exist (with a ``gold/`` folder), in a fixed order."""
    root = training_root()
    return [root / name for name in TRAINING_CORPORA if (root / name / "gold").is_dir()]


def training_fingerprint(folders: Iterable[Path]) -> str:
    """Hash of the training data: every raw and gold file (name and content) of each corpus."""
    parts: list[Any] = []
    for folder in folders:
        files = sorted(
            p
            for sub in ("raw", "gold")
            if (folder / sub).is_dir()
            for p in (folder / sub).rglob("*")
            if p.is_file()
        )
        parts.append((folder.name, [(str(p.relative_to(folder)), sha256_file(p)) for p in files]))
    return fingerprint(parts)


def _pipeline() -> tuple[Any, str]:
    from corpus.nlp.pipeline import build_pipeline, pipeline_fingerprint

    nlp = build_pipeline()
    return nlp, pipeline_fingerprint(nlp)


def load_training_corpus(
    folder: str | Path,
    *,
    name: str | None = None,
    gold: Mapping[str, Annotation] | None = None,
    weight: float = 1.0,
    nlp: Any = None,
    pipeline_fp: str | None = None,
) -> TrainingCorpus:
    """Ingest and annotate one labelled corpus (through its store's caches).

    Args:
        folder: A corpus folder.
        name: Its short name (the folder's name by default).
        gold: Gold annotations keyed by file stem; the folder's ``gold/`` by default.
        weight: Sample weight of its examples.
        nlp: The pipeline (built once by the caller for several corpora).
        pipeline_fp: Its fingerprint.

    Returns:
        The corpus's candidate records, passages, documents and gold by ``doc_id``.

    Raises:
        UsageError: No gold annotations for any of its documents.
    """
    import corpus as corpus_pkg
    from corpus.extract.run import annotate_records, scoring_context

    folder = Path(folder)
    opened = corpus_pkg.open(folder)
    if gold is None:
        gold = read_annotations(folder / "gold")
    # Incremental ingest first: a document added to raw/ since the last run is trained on.
    opened.ingest()
    documents, passages = opened.documents, opened.passages
    if nlp is None or pipeline_fp is None:
        nlp, pipeline_fp = _pipeline()
    records, selected = annotate_records(
        documents,
        passages,
        nlp,
        pipeline_fp=pipeline_fp,
        cache_dir=opened.store.cache_dir("docbin"),
    )
    by_doc = gold_by_doc_id(documents, dict(gold))
    if not by_doc:
        raise UsageError(
            "no gold annotation matches a document of this corpus",
            path=folder,
            hint="Gold files are named after the documents (raw/a.txt -> gold/a.yaml).",
        )
    context = scoring_context(
        selected, documents, cache_dir=opened.store.cache_dir("embeddings-e5")
    )
    return TrainingCorpus(
        name=name or folder.name,
        documents=documents,
        passages=selected,
        records=records,
        gold=by_doc,
        weight=weight,
        embed=context.embed,
    )


def fit_scorers(
    corpora: Sequence[TrainingCorpus],
    *,
    random_state: int = 0,
    only: Iterable[str] | None = None,
    meta: Mapping[str, Any] | None = None,
) -> dict[str, ScorerSet]:
    """Run every registered trainer (or those in ``only``) on ``corpora``.

    Raises:
        UsageError: ``only`` names a scorer no trainer provides.
    """
    available = trainers()
    wanted = list(only) if only else list(available)
    unknown = [n for n in wanted if n not in available]
    if unknown:
        raise UsageError(
            f"no trainer for {', '.join(unknown)}",
            hint=f"Trainers: {', '.join(available) or 'none registered'}.",
        )
    fitted: dict[str, ScorerSet] = {}
    for name in wanted:
        logger.info("training %s on %d corpora", name, len(corpora))
        scorer_set = available[name](list(corpora), random_state=random_state)
        scorer_set.meta.update(dict(meta or {}))
        scorer_set.meta["random_state"] = random_state
        scorer_set.meta["corpora"] = {
            c.name: {"documents": len(c.gold), "weight": c.weight} for c in corpora
        }
        fitted[name] = scorer_set
    return fitted


def calibrate_all(
    fitted: Mapping[str, ScorerSet], corpora: Sequence[TrainingCorpus], *, random_state: int = 0
) -> None:
    """Give every set of ``fitted`` its calibration maps (in place; decisions unchanged).

    The maps are fitted on the leave-one-corpus-out predictions of
    :data:`CALIBRATION_CORPORA` (of all corpora when none of them is among ``corpora``).
    """
    from corpus.scorers.calibration import calibrate

    names = {c.name for c in corpora}
    reference = [n for n in CALIBRATION_CORPORA if n in names] or None
    cache: dict[str, Any] = {}
    for name in sorted(fitted):
        logger.info("calibrating %s", name)
        calibrate(
            fitted[name], corpora, random_state=random_state, cache=cache, reference=reference
        )


def train(
    folders: Sequence[Path] | None = None,
    *,
    out_dir: Path = SHIPPED_DIR,
    random_state: int = 0,
    only: Iterable[str] | None = None,
) -> dict[str, Path]:
    """Train the scorers on labelled corpus folders and write one JSON file each.

    Args:
        folders: Corpus folders with ``gold/`` (the repository's training corpora by
            default).
        out_dir: Where to write (the package's shipped scorers by default).
        random_state: Seed of every trainer.
        only: Train only these scorer sets.

    Returns:
        ``{scorer-set name: file written}``.
    """
    from corpus import __version__

    folders = list(folders) if folders is not None else default_training_folders()
    if not folders:
        raise UsageError(
            "no training corpus found",
            path=training_root(),
            hint=f"Expected folders with gold/ among {', '.join(TRAINING_CORPORA)}.",
        )
    nlp, pipeline_fp = _pipeline()
    corpora = [load_training_corpus(f, nlp=nlp, pipeline_fp=pipeline_fp) for f in folders]
    meta = {"version": __version__, "training_fingerprint": training_fingerprint(folders)}
    fitted = fit_scorers(corpora, random_state=random_state, only=only, meta=meta)
    calibrate_all(fitted, corpora, random_state=random_state)
    return {name: s.save(Path(out_dir) / f"{name}.json") for name, s in fitted.items()}


def decide(
    corpus: TrainingCorpus, scorers: Mapping[str, ScorerSet | None]
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """The extraction tables of ``corpus`` with ``scorers``, and its actors per document.

    Returns:
        ``(tables, actors by doc_id)`` for the documents with gold.
    """
    from corpus.extract.tables import build_tables, default_finalizers

    finalizers = default_finalizers()
    context = corpus.context(dict(scorers))
    tables = build_tables(
        corpus.records, corpus.passages, corpus.documents, finalizers=finalizers, context=context
    )
    mentions = tables["mentions"]
    actors_by_doc: dict[str, pd.DataFrame] = {}
    for doc_id in sorted(corpus.gold):
        doc_mentions = (
            mentions[mentions["doc_id"].astype(str) == doc_id] if len(mentions) else mentions
        )
        actors_by_doc[doc_id] = (
            finalizers.build_actors(doc_mentions.reset_index(drop=True), context)
            if len(doc_mentions)
            else pd.DataFrame()
        )
    return tables, actors_by_doc


def predict(
    corpus: TrainingCorpus, scorers: Mapping[str, ScorerSet | None]
) -> dict[str, Annotation]:
    """What the extraction would output for ``corpus``'s documents with ``scorers``.

    Returns:
        Predicted annotations keyed by ``doc_id`` (documents with gold only).
    """
    tables, actors_by_doc = decide(corpus, scorers)
    documents = corpus.documents[corpus.documents["doc_id"].astype(str).isin(set(corpus.gold))]
    predicted = predictions_from_tables(
        documents.drop_duplicates("doc_id"),
        definitions=tables["definitions"],
        mentions=tables["mentions"],
        doc_actor_types=tables["doc_actor_types"],
        doc_needs=tables["doc_needs"],
        doc_stages=tables["doc_stages"],
        build_actors=lambda mentions: actors_by_doc[str(mentions["doc_id"].iloc[0])],
    )
    return {
        doc_id: replace(a, document=corpus.gold[doc_id].document) for doc_id, a in predicted.items()
    }


def score(
    corpus: TrainingCorpus, scorers: Mapping[str, ScorerSet | None]
) -> dict[str, float | None]:
    """FORMAT.md scores of ``scorers`` on ``corpus``'s gold (F1 per field, role accuracy)."""
    from corpus.extract.evaluate import evaluate, summary

    predicted = predict(corpus, scorers)
    golds = {corpus.gold[d].document: corpus.gold[d] for d in predicted}
    preds = {corpus.gold[d].document: a for d, a in predicted.items()}
    return summary(evaluate(preds, golds))


def subset(
    corpus: TrainingCorpus, doc_ids: Iterable[str], *, name: str | None = None
) -> TrainingCorpus:
    """The same corpus restricted to ``doc_ids`` (records, passages, documents and gold)."""
    keep = {str(d) for d in doc_ids}

    def rows(frame: pd.DataFrame) -> pd.DataFrame:
        if len(frame) == 0 or "doc_id" not in frame.columns:
            return frame
        return frame[frame["doc_id"].astype(str).isin(keep)].reset_index(drop=True)

    return replace(
        corpus,
        name=name or corpus.name,
        documents=rows(corpus.documents),
        passages=rows(corpus.passages),
        records={k: rows(v) for k, v in corpus.records.items()},
        gold={d: a for d, a in corpus.gold.items() if d in keep},
    )


def mean_of(scores: Iterable[Mapping[str, float | None]], key: str) -> float | None:
    """Mean of one score over folds, ignoring folds where it is undefined."""
    values = [float(v) for s in scores if (v := s.get(key)) is not None]
    return float(np.mean(values)) if values else None
