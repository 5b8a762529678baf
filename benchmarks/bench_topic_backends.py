"""Benchmark: the topic model on spaCy static vectors beside e5 (``--backend e5``).

For each corpus (the demo corpus and ``../shared/eval/docs``), backend and seed, one
subprocess runs ``corpus topics PATH --seed N --backend B --evaluate`` on a fresh copy of
the corpus (cold store: ingest, lemmas and embeddings are computed), and records the
wall time, the number of topics, outliers, and the NPMI and diversity of BERTopic and of
the LDA baseline (same vectorizer and reference for both, see
:mod:`corpus.topics.evaluate`). The time ratio e5 / spaCy is taken within the same run.

Usage::

    .venv/bin/python benchmarks/bench_topic_backends.py [--seeds 42 0] [--corpora demo eval]
        [--eval-dir ../shared/eval/docs] [--out FILE.json]

Writes ``benchmarks/results/topic_backends.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "topic_backends.json"
CORPORA = {"demo": REPO / "corpora" / "demo", "eval": REPO.parent / "shared" / "eval" / "docs"}
BACKENDS = ("spacy", "e5")
_SUMMARY = re.compile(r"(\d+) topics over (\d+) passages \(([\d.]+)% outliers")


def _copy(source: Path, target: Path) -> Path:
    """A cold copy of a corpus (no store)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".corpus"))
    return target


def run_one(corpus: Path, backend: str, seed: int, work: Path) -> dict:
    """Fit once, cold, through the CLI; return time and scores."""
    folder = _copy(corpus, work / f"{corpus.name}-{backend}-{seed}")
    out = work / f"out-{corpus.name}-{backend}-{seed}"
    command = [
        str(Path(sys.executable).with_name("corpus")),
        "topics",
        str(folder),
        "--seed",
        str(seed),
        "--backend",
        backend,
        "--out",
        str(out),
        "--evaluate",
    ]
    env_home = {"CORPUS_HOME": str(work / f"home-{corpus.name}-{backend}-{seed}")}
    started = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, env={**_environ(), **env_home}
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 3):
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr}")
    match = _SUMMARY.search(done.stdout)
    scores = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))
    return {
        "corpus": corpus.name if corpus.name != "docs" else "eval",
        "backend": backend,
        "seed": seed,
        "seconds": round(seconds, 1),
        "passages": int(match.group(2)) if match else None,
        "topics": int(match.group(1)) if match else None,
        "outliers": float(match.group(3)) / 100 if match else None,
        "npmi": scores["bertopic"]["npmi"],
        "diversity": scores["bertopic"]["diversity"],
        "lda_npmi": scores["lda"]["npmi"],
        "lda_diversity": scores["lda"]["diversity"],
    }


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)


def main(argv: list[str] | None = None) -> int:
    """Run the grid and write the results file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[42, 0])
    parser.add_argument("--corpora", nargs="+", choices=sorted(CORPORA), default=sorted(CORPORA))
    parser.add_argument(
        "--eval-dir", type=Path, default=CORPORA["eval"], help="the shared eval/docs folder"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="results file")
    args = parser.parse_args(argv)
    CORPORA["eval"] = args.eval_dir
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.corpora:
            if not CORPORA[name].is_dir():
                print(f"skipping {name}: {CORPORA[name]} is absent", flush=True)
                continue
            for seed in args.seeds:
                for backend in BACKENDS:
                    row = run_one(CORPORA[name], backend, seed, Path(tmp))
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    ratios = {}
    for name in args.corpora:
        for seed in args.seeds:
            pair = {r["backend"]: r for r in rows if r["corpus"] == name and r["seed"] == seed}
            if len(pair) == 2:
                ratios[f"{name}-{seed}"] = round(
                    pair["e5"]["seconds"] / pair["spacy"]["seconds"], 2
                )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {"machine": platform.platform(), "runs": rows, "time_ratio_e5_over_spacy": ratios},
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"time ratio e5/spacy: {ratios} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
