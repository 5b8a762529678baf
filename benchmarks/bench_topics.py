"""Benchmark: BERTopic (our TopicModel) beside LDA on synthetic passages with planted topics.

Passages are generated from the vocabulary of the demo corpus (or of ``../shared/eval/docs``
when the demo corpus is absent): content words are split into ``K`` planted topics; each
passage is a sequence of French sentences mixing its topic's words (70 %) with common
words (30 %) and function words. For each size, one subprocess fits TopicModel (no cache:
lemmas and embeddings are computed) and reports time per phase and peak RSS; a second
subprocess fits LDA with the same vectorizer and number of topics on the same analysed
text (lemmas read from the first run's cache, so LDA time is the LDA fit only). Quality:
NPMI, diversity and the adjusted Rand index against the planted topics.

Usage::

    .venv/bin/python benchmarks/bench_topics.py --sizes 1000 10000 [50000]

Writes ``benchmarks/results/topics.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "topics.json"
K_PLANTED = 20
FUNCTION_WORDS = [
    "le",
    "la",
    "les",
    "un",
    "une",
    "des",
    "de",
    "du",
    "et",
    "à",
    "en",
    "pour",
    "dans",
    "sur",
    "avec",
    "par",
    "qui",
    "que",
    "est",
    "sont",
]


def _source_texts() -> list[str]:
    demo = REPO / "corpora" / "demo" / "raw"
    files = sorted(demo.rglob("*.txt")) if demo.is_dir() else []
    if not files:
        files = sorted((REPO.parent / "shared" / "eval" / "docs").glob("*.txt"))
    return [f.read_text(encoding="utf-8", errors="replace") for f in files]


def make_passages(n: int, *, seed: int = 0) -> tuple[list[str], list[int]]:
    """``n`` synthetic passages and their planted topic."""
    from corpus.topics.vectorizer import french_stop_words

    stop = french_stop_words()
    words = re.findall(r"[a-zàâçéèêëîïôûùüÿœ]{4,}", " ".join(_source_texts()).lower())
    vocab = sorted({w for w in words if w not in stop})
    rng = random.Random(seed)
    rng.shuffle(vocab)
    common, rest = vocab[:60], vocab[60:]
    groups = [rest[i::K_PLANTED] for i in range(K_PLANTED)]
    texts, labels = [], []
    for i in range(n):
        topic = i % K_PLANTED
        sentences = []
        for _ in range(rng.randint(2, 4)):
            sentence = []
            for _ in range(rng.randint(8, 14)):
                pool = groups[topic] if rng.random() < 0.7 else common
                sentence.append(rng.choice(FUNCTION_WORDS))
                sentence.append(rng.choice(pool))
            sentences.append(" ".join(sentence).capitalize() + ".")
        texts.append(" ".join(sentences))
        labels.append(topic)
    return texts, labels


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_bertopic(n: int, cache: str, seed: int) -> dict:
    from sklearn.metrics import adjusted_rand_score

    from corpus.topics.evaluate import evaluate_model
    from corpus.topics.model import TopicModel

    texts, planted = make_passages(n, seed=seed)
    base = _peak_mb()
    start = time.perf_counter()
    model = TopicModel(random_state=seed, cache_dir=cache).fit(texts)
    seconds = time.perf_counter() - start
    scores = evaluate_model(model, lda=False)["bertopic"]
    return {
        "seconds": round(seconds, 2),
        "phases": {k: round(v, 2) for k, v in model.timings_.items()},
        "peak_rss_mb": round(_peak_mb(), 1),
        "rss_before_fit_mb": round(base, 1),
        "n_topics": model.n_topics_,
        "outlier_share": round(model.outlier_share_, 4),
        "npmi": scores["npmi"],
        "diversity": scores["diversity"],
        "ari_vs_planted": round(float(adjusted_rand_score(planted, model.topics_)), 4),
        "params_used": model.params_used_,
    }


def run_lda(n: int, cache: str, seed: int, n_topics: int) -> dict:
    from sklearn.metrics import adjusted_rand_score

    from corpus.topics.evaluate import fit_lda, npmi, topic_diversity
    from corpus.topics.vectorizer import (
        analyse,
        build_vectorizer,
        default_stop_terms,
        lemmatise,
        stop_term_sequences,
    )

    texts, planted = make_passages(n, seed=seed)
    analysed = analyse(
        lemmatise(texts, cache_dir=Path(cache) / "lemmas"),
        stop_terms=stop_term_sequences(default_stop_terms()),
    )
    vectorizer = build_vectorizer(n).fit(analysed)
    base = _peak_mb()
    result = fit_lda(analysed, vectorizer, n_topics, random_state=seed)
    return {
        "seconds": round(result["seconds"], 2),
        "peak_rss_mb": round(_peak_mb(), 1),
        "rss_before_fit_mb": round(base, 1),
        "n_topics": n_topics,
        "npmi": round(npmi(result["terms"], analysed, vectorizer), 6),
        "diversity": round(topic_diversity(result["terms"]), 6),
        "ari_vs_planted": round(float(adjusted_rand_score(planted, result["topics"])), 4),
    }


class _PeakRss(logging.Filter):
    """Append the process's peak RSS so far to each log line (memory per phase)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.peak_mb = _peak_mb()
        return True


def _log_phases() -> None:
    """Log each phase's end to stderr with time stamp and peak RSS (progress of long runs)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_PeakRss())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(message)s (peak RSS %(peak_mb).0f MB)", "%H:%M:%S")
    )
    model_logger = logging.getLogger("corpus.topics.model")
    model_logger.addHandler(handler)
    model_logger.setLevel(logging.INFO)


def _child(args: list[str]) -> dict:
    # stderr is not captured: the child's phase log shows the progress of a long run.
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, stdout=subprocess.PIPE, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _log_phases()
        kind, n, cache, seed, *rest = args.child
        if kind == "bertopic":
            result = run_bertopic(int(n), cache, int(seed))
        else:
            result = run_lda(int(n), cache, int(seed), int(rest[0]))
        print(json.dumps(result))
        return
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    runs = previous.get("runs", {})
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as cache:
            print(f"{n} passages: BERTopic...", flush=True)
            bt = _child(["bertopic", str(n), cache, str(args.seed)])
            print(f"  {bt}", flush=True)
            lda = _child(["lda", str(n), cache, str(args.seed), str(bt["n_topics"])])
            print(f"  LDA {lda}", flush=True)
        runs[str(n)] = {
            "bertopic": bt,
            "lda": lda,
            "time_ratio_bertopic_over_lda": round(bt["seconds"] / max(lda["seconds"], 1e-9), 2),
        }
    sizes = sorted(runs, key=int)
    growth = {}
    for a, b in itertools.pairwise(sizes):
        factor = int(b) / int(a)
        growth[f"{a}->{b}"] = {
            "size_factor": factor,
            "bertopic_time_factor": round(
                runs[b]["bertopic"]["seconds"] / runs[a]["bertopic"]["seconds"], 2
            ),
            "lda_time_factor": round(runs[b]["lda"]["seconds"] / runs[a]["lda"]["seconds"], 2),
        }
    report = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": __import__("os").cpu_count(),
        },
        "planted_topics": K_PLANTED,
        "runs": runs,
        "growth": growth,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
