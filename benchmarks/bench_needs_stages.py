"""Benchmark: the needs and stages scorers beside the rules, on labelled document sets.

For each labelled folder (``--sets``; ``../shared/eval-real`` by default, which no scorer
is trained on), the folder is ingested and annotated through its store's caches, then the
document-level decisions are made twice from the same candidate records: by the rules
(no scorer) and by the scorer sets in force (the shipped ones). Scores are those of
``corpus eval`` (FORMAT.md: micro P/R/F1 over documents; a label in the gold file's
``<field>_optional`` list is neither missed nor a false positive). A reliability table
(mean predicted probability against the observed rate, per probability bin, over every
non-optional (document, label) pair, and the expected calibration error) checks the
calibration of ``confidence``.

Usage::

    .venv/bin/python benchmarks/bench_needs_stages.py [--sets ../shared/eval-real ...]

A set is a folder with ``docs/`` (or ``raw/``) and ``gold/``. Writes
``benchmarks/results/needs_stages.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "needs_stages.json"


def _as_corpus(folder: Path, work: Path) -> Path:
    """A corpus folder (``raw/`` + ``gold/``) for a set laid out as ``docs/`` + ``gold/``."""
    if (folder / "raw").is_dir():
        return folder
    target = work / folder.name
    shutil.copytree(folder / "docs", target / "raw")
    shutil.copytree(folder / "gold", target / "gold")
    return target


def measure(folder: Path, work: Path) -> dict:
    """Rules and scorers on one labelled set."""
    from corpus.extract.evaluate import evaluate
    from corpus.scorers.labels import LABEL_FIELDS, calibration, gold_targets, label_probabilities
    from corpus.scorers.registry import load_scorer_set
    from corpus.train import load_training_corpus, predict

    corpus = load_training_corpus(_as_corpus(folder, work), name=folder.name)
    scorers = {name: load_scorer_set(name) for name in ("needs", "stages")}
    out: dict = {"set": folder.name, "documents": len(corpus.gold)}
    golds = {corpus.gold[d].document: corpus.gold[d] for d in corpus.gold}
    for label, chosen in (("rules", {}), ("scorers", scorers)):
        predicted = predict(corpus, chosen)
        preds = {corpus.gold[d].document: a for d, a in predicted.items()}
        scores = evaluate(preds, golds).fields
        out[label] = {
            field: {
                "precision": round(scores[field].precision, 3),
                "recall": round(scores[field].recall, 3),
                "f1": round(scores[field].f1, 3),
                "tp": scores[field].tp,
                "fp": scores[field].fp,
                "fn": scores[field].fn,
            }
            for field in ("needs", "stages")
        }
    out["calibration"] = {}
    for spec in LABEL_FIELDS:
        scorer_set = scorers[spec.name]
        if scorer_set is None:
            continue
        keys = label_probabilities(
            corpus.labelled(corpus.records[spec.name]),
            spec,
            scorer_set,
            corpus.labelled(corpus.passages),
            embed=corpus.embed,
        )
        y = gold_targets(keys, corpus.gold, spec)
        proba = keys["confidence"].to_numpy(float)
        keep = y >= 0
        out["calibration"][spec.name] = calibration(y[keep], proba[keep])
    return out


def main(argv: list[str] | None = None) -> int:
    """Measure every set and write the results file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sets", nargs="+", type=Path, default=[REPO.parent / "shared" / "eval-real"]
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for folder in args.sets:
            row = measure(folder.resolve(), Path(tmp))
            rows.append(row)
            print(json.dumps(row), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
