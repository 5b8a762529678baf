"""Run every benchmark in turn (``make bench``); each writes ``benchmarks/results/*.json``.

Each benchmark measures ratios against a baseline in the same run (the machines are
shared and noisy), so the figures compare across machines better than raw seconds.
Sizes default to those quoted in the README; ``--quick`` runs small sizes to check that
the benchmarks still work.

Usage::

    .venv/bin/python benchmarks/run_all.py [--quick] [--only ingest extract ...]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

# name -> (script, full-size arguments, quick arguments)
BENCHMARKS: dict[str, tuple[str, list[str], list[str]]] = {
    "ingest": ("bench_ingest.py", ["--n", "10000"], ["--n", "400"]),
    "extract": ("bench_extract.py", [], ["--repeat", "1", "--rounds", "1"]),
    "definitions": ("bench_definitions.py", [], ["--repeat", "1"]),
    "actors": ("bench_actors.py", [], ["--repeat", "1"]),
    "topics": ("bench_topics.py", ["--sizes", "1000", "10000"], ["--sizes", "1000"]),
    "engine": ("bench_engine.py", ["--topic-sizes", "1000", "10000"], ["--quick"]),
    # the 10k, 50k and 100k figures: bench_scale.py --sizes 10000 50000 100000
    "scale": ("bench_scale.py", ["--sizes", "1000", "--workers", "0", "2"], ["--sizes", "50"]),
    "reinert": ("bench_reinert.py", ["--sizes", "1000", "10000", "50000"], ["--sizes", "1000"]),
    "learning_curve": ("bench_learning_curve.py", [], ["--seeds", "0", "--sizes", "0", "4"]),
}


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks and print a one-line summary of each.

    Args:
        argv: Command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        0 when every benchmark finished, 1 otherwise.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to check they run")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="a subset")
    args = parser.parse_args(argv)

    failed = []
    for name in args.only or list(BENCHMARKS):
        script, full, quick = BENCHMARKS[name]
        command = [sys.executable, str(HERE / script), *(quick if args.quick else full)]
        print(f"== {name}: {' '.join(command[1:])}", flush=True)
        started = time.perf_counter()
        status = subprocess.run(command, check=False).returncode
        seconds = time.perf_counter() - started
        print(f"== {name}: exit {status} after {seconds:.0f} s", flush=True)
        if status:
            failed.append(name)
    written = sorted(path.name for path in RESULTS.glob("*.json"))
    print(f"results in {RESULTS}: {', '.join(written)}")
    tables = write_tables()
    if tables:
        print(f"Markdown tables: {tables}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def write_tables() -> Path | None:
    """Gather the benchmarks' Markdown tables (``results/*.md``) into ``RESULTS.md``."""
    parts = sorted(RESULTS.glob("*.md"))
    if not parts:
        return None
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    text = [f"# Benchmark results\n\nWritten by `make bench` ({when}); each table is one run.\n"]
    for part in parts:
        text.append(f"## {part.stem}\n\n{part.read_text(encoding='utf-8').strip()}\n")
    target = HERE / "RESULTS.md"
    target.write_text("\n".join(text), encoding="utf-8")
    return target


if __name__ == "__main__":
    sys.exit(main())
