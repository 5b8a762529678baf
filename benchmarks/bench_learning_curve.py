"""Learning curve of the correction loop on real documents nobody trained on.

On ``shared/eval-real`` (24 real documents with gold), split the documents into two
halves by a seeded shuffle; corrections come from the first half (its first 0, 4, 8, 12
documents), the scores from the other half; then the halves swap, and the whole is
repeated over seeds. For each number of corrected documents: F1 of each field and role
accuracy on the held-out half, with the scorers adapted exactly as ``corpus learn`` does
(:func:`corpus.learning.adapt.adapt_scorers`: the shipped scorers refitted on the shipped
training corpora plus the corrections, hyperparameters, thresholds and calibration kept).
The shipped scorers never see eval-real; only the adapted ones of each fold do, for that
fold. ``--from-scratch`` refits with every trainer instead (what ``learn`` did first).

Also writes a reliability table of the shipped scorers on eval-real (mean confidence vs
observed precision per confidence bin, definitions and actors).

Usage::

    .venv/bin/python benchmarks/bench_learning_curve.py [--eval-real DIR] [--seeds 0 1]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
FIELDS = ("definitions_f1", "actors_f1", "role_accuracy", "needs_f1", "stages_f1", "actor_types_f1")


def main(argv: list[str] | None = None) -> int:
    """Measure and write ``benchmarks/results/learning_curve.json``; print a Markdown table."""
    from corpus.extract.gold import read_annotations
    from corpus.learning.adapt import CORRECTION_WEIGHT, ShippedData, adapt_scorers
    from corpus.scorers.calibration import outcomes, reliability
    from corpus.scorers.registry import load_all
    from corpus.train import (
        decide,
        default_training_folders,
        fit_scorers,
        load_training_corpus,
        mean_of,
        score,
        subset,
    )

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = HERE.parent.parent / "shared" / "eval-real"
    parser.add_argument("--eval-real", type=Path, default=default)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 4, 8, 12])
    parser.add_argument("--weight", type=float, default=CORRECTION_WEIGHT)
    parser.add_argument("--out", default="learning_curve.json", help="File in results/.")
    parser.add_argument("--from-scratch", action="store_true")
    parser.add_argument("--no-memory", action="store_true", help="Adapt without name memory.")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    real = load_training_corpus(
        args.eval_real / "docs", name="eval-real", gold=read_annotations(args.eval_real / "gold")
    )
    shipped_corpora = [load_training_corpus(f) for f in default_training_folders()]
    shipped = load_all()
    shipped_data = ShippedData(shipped_corpora)
    doc_ids = sorted(real.gold)
    runs: dict[int, list[dict[str, float | None]]] = {n: [] for n in args.sizes}
    for seed in args.seeds:
        order = [doc_ids[i] for i in np.random.default_rng(seed).permutation(len(doc_ids))]
        half = len(order) // 2
        for source, target in ((order[:half], order[half:]), (order[half:], order[:half])):
            held_out = subset(real, target)
            for n in args.sizes:
                if n == 0:
                    runs[n].append(score(held_out, shipped))
                    continue
                corrections = subset(real, source[:n], name="corrections")
                corrections.weight = args.weight
                if args.from_scratch:
                    adapted = fit_scorers([*shipped_corpora, corrections], random_state=seed)
                else:
                    adapted = adapt_scorers(
                        shipped, shipped_data, corrections, remember=not args.no_memory
                    )
                runs[n].append(score(held_out, dict(adapted)))
            print(f"seed {seed}: fold done ({time.perf_counter() - started:.0f} s)", flush=True)
    curve = {n: {k: mean_of(r, k) for k in FIELDS} for n, r in runs.items()}

    # Reliability of the shipped scorers on all of eval-real (never trained on).
    tables, actors_by_doc = decide(real, shipped)
    itemised = outcomes(tables, actors_by_doc, real.gold)
    calibration: dict[str, Any] = {}
    for field_name, part in itemised.groupby("field"):
        table, ece = reliability(part, bins=5)
        calibration[str(field_name)] = {"ece": ece, "bins": table.to_dict("records")}
    base = curve[0]

    def headline(scores: dict[str, float | None]) -> float:
        keys = ("definitions_f1", "actors_f1", "role_accuracy")
        return float(np.mean([scores[k] or 0.0 for k in keys]))

    result = {
        "eval_real": str(args.eval_real),
        "seeds": args.seeds,
        "weight": args.weight,
        "mode": "from-scratch"
        if args.from_scratch
        else ("adapt" if args.no_memory else "adapt+memory"),
        "folds": 2 * len(args.seeds),
        "curve": {str(n): v for n, v in curve.items()},
        "headline_mean": {str(n): headline(v) for n, v in curve.items()},
        "gain_at_8": headline(curve[8]) - headline(base) if 8 in curve else None,
        "worst_field_drop_at_8": (
            min((curve[8][k] or 0) - (base[k] or 0) for k in FIELDS) if 8 in curve else None
        ),
        "calibration": calibration,
        "seconds": round(time.perf_counter() - started, 1),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / args.out).write_text(json.dumps(result, indent=2) + "\n")
    print("| corrected docs | " + " | ".join(FIELDS) + " | mean(defs, actors, roles) |")
    print("|---" * (len(FIELDS) + 2) + "|")
    for n, scores in curve.items():
        cells = " | ".join("n/a" if scores[k] is None else f"{scores[k]:.3f}" for k in FIELDS)
        print(f"| {n} | {cells} | {headline(scores):.3f} |")
    for field_name, info in calibration.items():
        ece_text = "n/a" if info["ece"] is None else f"{info['ece']:.3f}"
        cells = ", ".join(
            f"{b['mean_confidence']:.2f}->{b['observed']:.2f} (n={b['n']})" for b in info["bins"]
        )
        print(f"calibration {field_name}: ECE {ece_text}; {cells}")
    print(json.dumps({k: result[k] for k in ("gain_at_8", "worst_field_drop_at_8", "seconds")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
