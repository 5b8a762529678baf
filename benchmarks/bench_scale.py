"""Memory and incremental work at scale: ingest + extract of N synthetic documents.

For each size (``--sizes``, default 1000; the issue's figures are 10k, 50k and 100k),
builds a corpus of N short synthetic documents from the demo corpus
(``bench_ingest.build_corpus`` with ``--words`` words each: demo paragraphs drawn at
random plus a unique numbered sentence, in the formats' mix, so every document is parsed;
about 60 words keeps 100k documents to hours rather than days), then in a fresh
process (so each size's peak is its own):

* cold ``ingest`` + ``extract``, with the peak RSS of that process (and of each worker
  with ``--workers``);
* an unchanged re-run, and a re-run after one new document is added, as a share of the
  cold time, with the report counts that show what was re-read and re-parsed.

Writes ``benchmarks/results/scale.json`` and ``scale.md``. The 100k run::

    nice .venv/bin/python benchmarks/bench_scale.py --sizes 10000 50000 100000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

RESULTS = HERE / "results"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker_peaks(engine: Any) -> list[float]:
    def peak() -> float:
        import resource as res

        return res.getrusage(res.RUSAGE_SELF).ru_maxrss / 1024

    return [round(v, 1) for v in engine.client.run(peak).values()]


def child(folder: Path, store: Path, workers: int) -> dict[str, Any]:
    """One size in this process: cold, unchanged and one-new-document runs."""
    import corpus
    from corpus.engine.cluster import EngineOptions, connect

    engine = connect(EngineOptions(workers=workers, timeout=120)) if workers else None
    try:
        opened = corpus.open(folder, store=store)
        started = time.perf_counter()
        ingest = opened.ingest(executor=engine)
        ingest_s = time.perf_counter() - started
        extract = opened.extract(executor=engine)
        cold = time.perf_counter() - started
        started = time.perf_counter()
        unchanged_ingest = opened.ingest(executor=engine)
        unchanged_extract = opened.extract(executor=engine)
        unchanged = time.perf_counter() - started
        new = folder / "raw" / "zz-one-new-document.txt"
        new.write_text(
            "Le nouveau document décrit une épicerie solidaire portée par l'association "
            "Terre Commune, soutenue par la commune, pour répondre au besoin d'une "
            "alimentation de qualité des familles modestes du quartier.\n",
            encoding="utf-8",
        )
        started = time.perf_counter()
        one_ingest = opened.ingest(executor=engine)
        one_extract = opened.extract(executor=engine)
        one_new = time.perf_counter() - started
        return {
            "documents": extract.n_documents,
            "passages": extract.n_passages,
            "words": extract.n_words,
            "cold_s": cold,
            "ingest_s": ingest_s,
            "extract_s": cold - ingest_s,
            "unchanged_s": unchanged,
            "unchanged_share": unchanged / cold,
            "unchanged_counts": {
                "read": len(unchanged_ingest.added) + len(unchanged_ingest.updated),
                "parsed": unchanged_extract.n_parsed,
                "up_to_date": unchanged_extract.up_to_date,
            },
            "one_new_s": one_new,
            "one_new_share": one_new / cold,
            "one_new_counts": {
                "read": len(one_ingest.added) + len(one_ingest.updated),
                "parsed_units": one_extract.n_parsed,
                "cached_units": one_extract.n_cached,
                "cold_parsed_units": extract.n_parsed,
                "partitions_decided": one_extract.partitions_decided,
                "partitions": one_extract.partitions,
            },
            "ingested": ingest.n_documents,
            "peak_rss_mb": {
                "client": round(_peak_mb(), 1),
                "workers": _worker_peaks(engine) if engine is not None else [],
            },
            "load_after": os.getloadavg(),
        }
    finally:
        if engine is not None:
            engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--words", type=int, default=60, help="words per document")
    parser.add_argument("--workers", type=int, nargs="+", default=[0], help="0: one process")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        folder, store, workers = args.child
        result = child(Path(folder), Path(store), int(workers))
        print("RESULT " + json.dumps(result, default=str))
        return

    from bench_ingest import build_corpus

    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    runs: list[dict[str, Any]] = []
    try:
        for size in args.sizes:
            for workers in args.workers:
                folder = work / f"c{size}-{workers}"
                build_corpus(folder, size, seed=size, words=args.words)
                load_before = os.getloadavg()
                command = [sys.executable, __file__, "--child", str(folder), str(work / "s")]
                done = subprocess.run(
                    [*command, str(workers)],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                line = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
                if done.returncode or not line:
                    print(done.stderr[-3000:], file=sys.stderr)
                    raise SystemExit(f"size {size}, workers {workers}: exit {done.returncode}")
                result = json.loads(line[-1][len("RESULT ") :])
                result.update(size=size, workers=workers, load_before=load_before)
                runs.append(result)
                print(json.dumps(result, default=str), flush=True)
                shutil.rmtree(folder, ignore_errors=True)
                shutil.rmtree(work / "s", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results = {"words_per_document": args.words, "cpus": os.cpu_count(), "runs": runs}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    table = markdown(results)
    (RESULTS / "scale.md").write_text(table)
    print(table)


def markdown(results: dict[str, Any]) -> str:
    """The runs as a Markdown table."""
    rows = [
        "| documents | engine | cold ingest + extract (s) | unchanged re-run | one new doc "
        "(re-read · re-parsed units · re-decided partitions) | peak RSS MB: client · workers "
        "| load 1 min |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in results["runs"]:
        engine = f"{run['workers']} workers" if run["workers"] else "one process"
        counts = run["one_new_counts"]
        peaks = run["peak_rss_mb"]
        workers = ", ".join(f"{v:.0f}" for v in peaks["workers"]) or "-"
        rows.append(
            f"| {run['documents']:,} | {engine} | {run['cold_s']:.0f} | "
            f"{run['unchanged_share']:.1%} | {run['one_new_share']:.1%} "
            f"({counts['read']} · {counts['parsed_units']} of {counts['cold_parsed_units']} · "
            f"{counts.get('partitions_decided', '?')} of {counts.get('partitions', '?')}) | "
            f"{peaks['client']:.0f} · {workers} | "
            f"{run['load_before'][0]:.1f} → {run['load_after'][0]:.1f} |"
        )
    note = (
        f"\nSynthetic documents of about {results['words_per_document']} words (demo "
        f"paragraphs plus a unique sentence), {results['cpus']} CPUs shared with other jobs.\n"
    )
    return "\n".join(rows) + "\n" + note


if __name__ == "__main__":
    main()
