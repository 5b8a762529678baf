"""Benchmark: Reinert's classification (both methods) at 1,000 / 10,000 / 50,000 segments.

Synthetic binary segments × lemmas matrices with planted classes: ``K`` classes of
equal size, a vocabulary of ``V`` lemmas with Zipf frequencies, each segment drawing 12
lemmas, 60 % from its class's own share of the vocabulary and 40 % from the whole
vocabulary (so classes overlap as real ones do). Each (size, method) runs in its own
subprocess, which reports the fit time, the peak RSS above the matrix, and the adjusted
Rand index against the planted classes. The baseline, in the same subprocess, is one
first-axis correspondence analysis of the whole matrix (:func:`corpus.lexico.chd.first_axis`),
the irreducible step of a split: ``ratio`` = fit time / baseline time.

Usage::

    .venv/bin/python benchmarks/bench_reinert.py --sizes 1000 10000 50000

Writes ``benchmarks/results/reinert.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "reinert.json"
K_PLANTED = 8
VOCABULARY = 3000
PER_SEGMENT = 12


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def planted_matrix(n: int, seed: int = 0):
    """A binary n × VOCABULARY CSR matrix with K_PLANTED planted classes, and the truth."""
    import numpy as np
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, VOCABULARY + 1)
    weights /= weights.sum()
    shares = np.array_split(rng.permutation(VOCABULARY), K_PLANTED)
    truth = np.repeat(np.arange(K_PLANTED), -(-n // K_PLANTED))[:n]
    rows, cols = [], []
    for i, c in enumerate(truth):
        own = shares[c]
        p_own = weights[own] / weights[own].sum()
        picks = set(rng.choice(own, size=int(PER_SEGMENT * 0.6), p=p_own).tolist())
        picks |= set(rng.choice(VOCABULARY, size=int(PER_SEGMENT * 0.4), p=weights).tolist())
        rows.extend([i] * len(picks))
        cols.extend(picks)
    matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, VOCABULARY))
    used = np.asarray(matrix.sum(axis=0)).ravel() >= 3
    return matrix[:, used].tocsr(), truth


def run_one(n: int, method: str, k: int) -> dict:
    """Fit one classification in this process and measure it."""
    import numpy as np
    from sklearn.metrics import adjusted_rand_score

    from corpus.lexico import Reinert
    from corpus.lexico.chd import first_axis

    matrix, truth = planted_matrix(n)
    matrix = matrix[np.diff(matrix.indptr) > 0]
    truth = truth[: matrix.shape[0]]
    base_mb = _peak_mb()
    started = time.perf_counter()
    first_axis(matrix, random_state=0)
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    model = Reinert(k, method=method, random_state=0).fit(matrix)
    seconds = time.perf_counter() - started
    kept = model.labels_ > 0
    return {
        "segments": int(matrix.shape[0]),
        "terms": int(matrix.shape[1]),
        "nonzeros": int(matrix.nnz),
        "method": method,
        "k": k,
        "classes": int(model.n_classes_),
        "unclassified_share": round(float(1 - kept.mean()), 4),
        "ari_planted": round(float(adjusted_rand_score(truth[kept], model.labels_[kept])), 4),
        "fit_s": round(seconds, 2),
        "first_axis_s": round(baseline, 3),
        "ratio": round(seconds / baseline, 1),
        "peak_rss_mb": round(_peak_mb(), 1),
        "peak_above_matrix_mb": round(_peak_mb() - base_mb, 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Run every (size, method) in a subprocess and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000, 50000])
    parser.add_argument("--methods", nargs="+", default=["iramuteq", "rainette"])
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)  # internal: size method
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(int(args.one[0]), args.one[1], args.k)))
        return 0
    results = []
    for n in args.sizes:
        for method in args.methods:
            command = [sys.executable, __file__, "--one", str(n), method, "--k", str(args.k)]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode:
                print(done.stderr, file=sys.stderr)
                return 1
            row = json.loads(done.stdout.strip().splitlines()[-1])
            print(json.dumps(row), flush=True)
            results.append(row)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "machine": {"platform": platform.platform(), "python": platform.python_version()},
        "planted_classes": K_PLANTED,
        "vocabulary": VOCABULARY,
        "lemmas_per_segment": PER_SEGMENT,
        "results": results,
    }
    RESULTS.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
