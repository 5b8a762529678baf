"""Benchmark of ingestion: documents per second and peak memory, N and N/4 documents.

Builds a synthetic corpus of N documents (default 10,000) from the demo corpus: the
demo texts are cut into paragraphs, and each synthetic document draws 6-14 of them at
random (plus one sentence of its own), so documents are varied and not duplicates. The
formats are mixed like a real folder (txt 40 %, html 30 %, md 10 %, pdf/docx/odt 20 %).
Each measured run is a fresh Python process (so ``ru_maxrss`` is that run's peak):

* ``mixed`` at N and N/4: overall documents per second and peak memory;
* ``text_html`` at N/4: the txt + html documents only (target: >= 200 docs/s on one core);
* ``unchanged``: re-ingesting the unchanged N corpus (incremental: stat only);
* ``baseline``: reading and hashing the same files (the I/O floor), for the ratio;
* ``memory``: the mixed runs again under tracemalloc (peak of the Python heap, where the
  tables live), into a fresh store;
* ``restated``: txt + html documents of about 750 words (``--words``) at 1,000 and 3,000
  documents (``--sizes``): documents and words per second of each, and the marginal rate
  between them (the extra documents over the extra time: start-up and the fixed costs
  of a run, such as writing the tables, excluded). Target: >= 200 documents of ~750
  words per second on one core.

Every run reports documents and words per second (documents vary in length; words do
not). ``--restated-only`` runs the last item alone and updates its key in the results.

Start-up (imports, language model: about 2 s) is measured apart. Documents per second
are given on wall time and on CPU time of the process (the machine may be shared: CPU
time is the one-core figure).

Usage::

    .venv/bin/python benchmarks/bench_ingest.py            # N = 10,000
    .venv/bin/python benchmarks/bench_ingest.py --n 2000

Writes ``benchmarks/results/ingest.json``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "corpora" / "demo"
RESULTS = REPO / "benchmarks" / "results" / "ingest.json"
MIX = (("txt", 0.40), ("html", 0.30), ("md", 0.10), ("pdf", 0.07), ("docx", 0.07), ("odt", 0.06))

HTML = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>
<meta property="article:published_time" content="{year}-03-0{day}T08:00:00+01:00"></head>
<body><header><nav><ul><li><a href="/">Accueil</a></li><li><a href="/territoires">Territoires
</a></li><li><a href="/contact">Contact</a></li></ul></nav></header>
<div class="cookie-banner">Ce site utilise des cookies. <button>J’accepte</button></div>
<main><article><h1>{title}</h1><p class="byline">Par la rédaction</p>{body}</article>
<div class="share">Partager sur Facebook · Partager sur Twitter</div>
<section class="comments"><h3>Laisser un commentaire</h3></section></main>
<footer><p>© {year} Le Journal solidaire – Mentions légales</p></footer></body></html>"""


def demo_paragraphs() -> list[str]:
    """Paragraphs of the demo corpus (read with our own readers)."""
    sys.path.insert(0, str(REPO / "src"))
    from corpus.ingest.readers import read_file

    paragraphs: list[str] = []
    for path in sorted((DEMO / "raw").iterdir()):
        if path.name.startswith(".") or path.name == "metadata.csv":
            continue
        try:
            raw = read_file(path)
        except Exception:
            continue
        for part in raw.parts or [raw]:
            paragraphs += [b.text for b in part.blocks if len(b.text.split()) >= 12]
    return paragraphs


def _docx(title: str, paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _odt(title: str, paragraphs: list[str]) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text=title))
    for text in paragraphs:
        document.text.addElement(P(text=text))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def _pdf(title: str, paragraphs: list[str]) -> bytes:
    import textwrap

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    y = 780.0
    pdf.setFont("Helvetica", 10)
    lines = [title, ""]
    for paragraph in paragraphs:
        lines += [*textwrap.wrap(paragraph, 95), ""]
    for line in lines:
        if y < 60:
            pdf.showPage()
            pdf.setFont("Helvetica", 10)
            y = 780.0
        pdf.drawString(60, y, line)
        y -= 13
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def build_corpus(
    root: Path,
    n: int,
    *,
    formats: tuple[str, ...] | None = None,
    seed: int = 0,
    words: int | None = None,
) -> dict[str, int]:
    """Write a corpus folder of ``n`` synthetic documents; return the count per format.

    Args:
        root: The corpus folder to create.
        n: Documents.
        formats: Formats to draw from (all of :data:`MIX` by default).
        seed: Random seed.
        words: If given, each document draws paragraphs until it has about this many
            words (else 6-14 paragraphs).
    """
    rng = random.Random(seed)
    pool = demo_paragraphs()
    raw = root / "raw"
    raw.mkdir(parents=True)
    (root / "corpus.yaml").write_text("name: bench\nlanguage: fr\n", encoding="utf-8")
    mix = [(f, w) for f, w in MIX if formats is None or f in formats]
    names, weights = zip(*mix, strict=True)
    counts: dict[str, int] = dict.fromkeys(names, 0)
    for i in range(n):
        fmt = rng.choices(names, weights)[0]
        counts[fmt] += 1
        if words is None:
            paragraphs = rng.sample(pool, rng.randint(6, 14))
        else:
            paragraphs = []
            while sum(len(p.split()) for p in paragraphs) < words - 10:
                paragraphs.append(rng.choice(pool))
        marker = f"Le document synthétique numéro {i} porte sur le thème {rng.randint(0, 10**6)}."
        paragraphs.insert(rng.randint(0, len(paragraphs)), marker)
        year = 2005 + i % 20
        title = f"Document {i} : {paragraphs[0][:60]}"
        name = f"{year}-doc-{i:06d}.{fmt}"
        if fmt == "txt":
            (raw / name).write_text(title + "\n\n" + "\n\n".join(paragraphs), encoding="utf-8")
        elif fmt == "md":
            front = f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\nyear: {year}\n---\n"
            body = "\n\n".join(paragraphs)
            (raw / name).write_text(f"{front}# {title}\n\n{body}\n", encoding="utf-8")
        elif fmt == "html":
            body = "".join(f"<p>{p}</p>" for p in paragraphs)
            page = HTML.format(title=title, year=year, day=1 + i % 9, body=body)
            (raw / name).write_text(page, encoding="utf-8")
        else:  # every binary file is generated (unique), like the demo's build script does
            builder = {"docx": _docx, "odt": _odt, "pdf": _pdf}[fmt]
            (raw / name).write_bytes(builder(title, paragraphs))
    return counts


CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[3])
warm = time.perf_counter()
import corpus
# start-up (imports, language model) measured apart from the per-document throughput
import corpus.ingest.pipeline, trafilatura, pypdf, docx, odf.opendocument
from corpus.ingest.language import detect_language
detect_language("Un texte en français pour charger le modèle.")
startup = time.perf_counter() - warm
mode, folder = sys.argv[1], sys.argv[2]
started = time.perf_counter()
cpu_started = time.process_time()
if mode == "baseline":
    import hashlib, os
    n = 0
    for root, _dirs, files in os.walk(folder + "/raw"):
        for name in files:
            hashlib.sha256(open(os.path.join(root, name), "rb").read()).hexdigest()
            n += 1
    out = {"files": n}
elif mode == "memory":  # Python heap peak (tracemalloc slows the run: timed apart)
    import tracemalloc
    tracemalloc.start()
    report = corpus.open(folder, store=sys.argv[4]).ingest()
    out = report.counts
    out["heap_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
else:
    handle = corpus.open(folder)
    report = handle.ingest()
    out = report.counts
seconds = time.perf_counter() - started
out["seconds"] = seconds
out["startup_seconds"] = startup
out["cpu_seconds"] = time.process_time() - cpu_started
if mode == "ingest":  # words read, counted after the timing
    import pyarrow.parquet as pq
    table = pq.read_table(handle.store.table_path("documents"), columns=["n_words"])
    out["words"] = int(table.column("n_words").to_numpy().sum())
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def run_child(mode: str, folder: Path) -> dict[str, float]:
    """Run one measured ingestion in a fresh process (one core)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    store = folder.parent / f"{folder.name}-memory-store"
    command = [sys.executable, "-c", CHILD, mode, str(folder), str(REPO / "src"), str(store)]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _rates(measured: dict[str, float], size: int) -> None:
    """Add documents and words per second (wall and CPU) to one run's figures."""
    measured["files"] = size
    measured["docs_per_s"] = size / measured["seconds"]
    measured["docs_per_cpu_s"] = size / measured["cpu_seconds"]
    measured["words_per_s"] = measured["words"] / measured["seconds"]
    measured["words_per_cpu_s"] = measured["words"] / measured["cpu_seconds"]
    measured["words_per_doc"] = measured["words"] / max(measured["documents"], 1)


def restated(tmp: Path, sizes: tuple[int, int], words: int) -> dict[str, object]:
    """Documents of about ``words`` words at two sizes, and the marginal rate between."""
    runs: dict[str, dict[str, float]] = {}
    for size in sizes:
        folder = tmp / f"words{words}-{size}"
        build_corpus(folder, size, formats=("txt", "html"), words=words, seed=1)
        measured = run_child("ingest", folder)
        _rates(measured, size)
        runs[str(size)] = measured
        print(
            f"{size} docs of ~{measured['words_per_doc']:.0f} words: "
            f"{measured['docs_per_cpu_s']:.0f} docs/CPU-s, "
            f"{measured['words_per_cpu_s']:.0f} words/CPU-s",
            flush=True,
        )
        shutil.rmtree(folder)
    small, large = runs[str(sizes[0])], runs[str(sizes[1])]
    extra_docs, extra_words = sizes[1] - sizes[0], large["words"] - small["words"]
    wall, cpu = large["seconds"] - small["seconds"], large["cpu_seconds"] - small["cpu_seconds"]
    marginal = {
        "docs_per_s": extra_docs / wall,
        "docs_per_cpu_s": extra_docs / cpu,
        "words_per_s": extra_words / wall,
        "words_per_cpu_s": extra_words / cpu,
    }
    print(
        f"marginal {sizes[0]} -> {sizes[1]}: {marginal['docs_per_cpu_s']:.0f} docs/CPU-s, "
        f"{marginal['words_per_cpu_s']:.0f} words/CPU-s",
        flush=True,
    )
    return {
        "words_per_doc_target": words,
        "runs": runs,
        "marginal": marginal,
        "target_docs_per_s": 200,
        "load_average": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="documents at full size")
    parser.add_argument("--words", type=int, default=750, help="words per restated document")
    parser.add_argument("--sizes", type=int, nargs=2, default=(1000, 3000), help="restated sizes")
    parser.add_argument("--restated-only", action="store_true", help="only the restated runs")
    args = parser.parse_args()
    if args.restated_only:
        with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
            figures = restated(Path(tmp), tuple(args.sizes), args.words)
        old = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
        old["restated"] = figures
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(old, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    n, quarter = args.n, max(args.n // 4, 1)
    results: dict[str, object] = {
        "n": n,
        "machine": f"{platform.machine()} {platform.processor() or ''} {os.cpu_count()} cpu",
        "python": platform.python_version(),
    }
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        runs = {}
        for label, size, formats in (
            ("mixed_n", n, None),
            ("mixed_quarter", quarter, None),
            ("text_html_quarter", quarter, ("txt", "html")),
        ):
            folder = Path(tmp) / label
            started = time.perf_counter()
            counts = build_corpus(folder, size, formats=formats)
            build_seconds = time.perf_counter() - started
            measured = run_child("ingest", folder)
            _rates(measured, size)
            measured["formats"] = counts
            measured["build_seconds"] = build_seconds
            if label.startswith("mixed"):
                memory = run_child("memory", folder)
                measured["heap_peak_mb"] = memory["heap_peak_mb"]
            runs[label] = measured
            print(
                f"{label}: {size} files, {measured['docs_per_s']:.0f} docs/s wall, "
                f"{measured['docs_per_cpu_s']:.0f} docs/s CPU "
                f"({measured['words_per_cpu_s']:.0f} words/s CPU), "
                f"peak RSS {measured['peak_rss_mb']:.0f} MB, "
                f"heap peak {measured.get('heap_peak_mb', float('nan')):.0f} MB",
                flush=True,
            )
            if label == "mixed_n":
                runs["unchanged_n"] = run_child("ingest", folder)
                runs["baseline_read_hash_n"] = run_child("baseline", folder)
                tables = folder / ".corpus" / "tables"
                runs["tables_mb"] = sum(p.stat().st_size for p in tables.glob("*.parquet")) / 2**20
            shutil.rmtree(folder)
        results["runs"] = runs
        results["ratios"] = {
            "ingest_over_read_hash": runs["mixed_n"]["seconds"]
            / runs["baseline_read_hash_n"]["seconds"],
            "unchanged_over_full": runs["unchanged_n"]["seconds"] / runs["mixed_n"]["seconds"],
            "peak_memory_n_over_quarter": runs["mixed_n"]["peak_rss_mb"]
            / runs["mixed_quarter"]["peak_rss_mb"],
            "heap_peak_n_over_quarter": runs["mixed_n"]["heap_peak_mb"]
            / runs["mixed_quarter"]["heap_peak_mb"],
        }
        results["restated"] = restated(Path(tmp), tuple(args.sizes), args.words)
        results["text_html_docs_per_s"] = runs["text_html_quarter"]["docs_per_s"]
        results["text_html_docs_per_cpu_s"] = runs["text_html_quarter"]["docs_per_cpu_s"]
        results["load_average"] = os.getloadavg()
        results["target_text_html_docs_per_s"] = 200
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(results["ratios"], indent=2))
    print(
        f"text/html: {results['text_html_docs_per_s']:.0f} docs/s wall, "
        f"{results['text_html_docs_per_cpu_s']:.0f} docs/s CPU; written {RESULTS}"
    )


if __name__ == "__main__":
    main()
