"""Benchmark: ``corpus extract`` on an unchanged corpus, as a share of the cold run.

Builds a synthetic corpus of N documents (default 200; txt, HTML and Markdown drawn from
the demo corpus by :func:`bench_ingest.build_corpus`), ingests it, then runs the command
``corpus extract PATH --out DIR`` twice, each in a fresh process as a user would:

* ``cold``: nothing extracted yet (spaCy model loaded, every passage parsed, tables and
  YAML files written);
* ``rerun``: the same command again on the unchanged corpus: nothing is stale, so no
  spaCy (not even its import) and no rendering of the YAML files (served from the store).

Both are timed on wall time and on the CPU time of the child process (steadier on a
shared machine). The figure is ``rerun / cold`` (target <= 5 %); the child also reports
whether spaCy was imported.

Usage::

    .venv/bin/python benchmarks/bench_extract_rerun.py [--n 200]

Writes ``benchmarks/results/extract_rerun.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "extract_rerun.json"

#: One CLI run in this process, then what it imported (stdout's last line, JSON).
CHILD = r"""
import json, sys
from corpus.cli import main
sys.argv = ["corpus", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"exit": code, "spacy_imported": "spacy" in sys.modules,
                  "modules": len(sys.modules)}))
"""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_cli(*args: str) -> dict[str, float]:
    """Run ``corpus ARGS`` in a fresh process; wall and CPU seconds, what it imported."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    cpu, started = children_cpu(), time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *args], capture_output=True, text=True, env=env, check=True
    )
    seconds, cpu = time.perf_counter() - started, children_cpu() - cpu
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return {"seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3), **out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="documents")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "benchmarks"))
    from bench_ingest import build_corpus

    with tempfile.TemporaryDirectory(prefix="bench-rerun-") as tmp:
        folder, out = Path(tmp) / "corpus", Path(tmp) / "out"
        formats = build_corpus(folder, args.n, formats=("txt", "html", "md"))
        ingest = run_cli("ingest", "-q", str(folder))
        cold = run_cli("extract", str(folder), "--out", str(out))
        rerun = run_cli("extract", str(folder), "--out", str(out))
        n_files = len(list(out.glob("*.yaml")))
    results = {
        "n": args.n,
        "formats": formats,
        "yaml_files": n_files,
        "ingest": ingest,
        "cold": cold,
        "rerun": rerun,
        "rerun_share_of_cold_wall": round(rerun["seconds"] / cold["seconds"], 4),
        "rerun_share_of_cold_cpu": round(rerun["cpu_seconds"] / cold["cpu_seconds"], 4),
        "target_share": 0.05,
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "load_average": os.getloadavg(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
