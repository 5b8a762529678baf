"""``corpus topics PATH --seed N --out DIR [--evaluate]``: themes of a corpus.

Writes ``DIR/topics.csv`` (``topic``, ``label``, ``size``, ``terms``) and
``DIR/passage_topics.csv`` (``passage_id``, ``doc_id``, ``topic``); the same PATH and seed
give byte-identical files. ``--evaluate`` also fits the LDA baseline and writes
``DIR/evaluation.json`` (NPMI, diversity for both). ``--by FIELD`` writes
``DIR/topics_by_FIELD.csv``; ``--plots`` writes HTML figures (and PNG when a browser is
available for kaleido).

Exit codes: 0 ok; 2 bad option (a seed that is not an integer, unknown field, unknown
backend); 5 data that cannot support topics (empty corpus, one document, identical
passages, too few passages).

The fitted result is cached in the corpus store: the same corpus, seed and options give
the cached result (and the same files) without fitting again.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from corpus.cli.engine import SchedulerOpt, WorkersOpt, engine_for, record
from corpus.errors import UsageError
from corpus.store import atomic_write_csv, atomic_write_json


def _topics(
    path: Annotated[Path, typer.Argument(help="Corpus folder (or plain folder of files).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the CSV/JSON outputs.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed (an integer).")] = 0,
    evaluate: Annotated[
        bool, typer.Option("--evaluate", help="Also fit LDA; write evaluation.json.")
    ] = False,
    by: Annotated[
        list[str] | None,
        typer.Option("--by", help="Metadata field for topics per class (repeatable)."),
    ] = None,
    n_topics: Annotated[
        int | None, typer.Option("--n-topics", help="Number of topics wanted.")
    ] = None,
    min_topic_size: Annotated[
        int | None, typer.Option("--min-topic-size", help="Smallest topic (passages).")
    ] = None,
    embeddings: Annotated[
        Path | None,
        typer.Option("--embeddings", help="Precomputed passage embeddings (.npy)."),
    ] = None,
    embedding_backend: Annotated[
        str, typer.Option("--backend", help="spacy | e5 | sentence-transformers")
    ] = "spacy",
    embedding_model: Annotated[
        str | None, typer.Option("--embedding-model", help="Model name or local path.")
    ] = None,
    plots: Annotated[bool, typer.Option("--plots", help="Write HTML figures to --out.")] = False,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
) -> None:
    """Find the themes of a corpus with BERTopic (and compare with LDA)."""
    import corpus
    from corpus.topics.api import fit_topics

    matrix = None
    if embeddings is not None:
        try:
            matrix = np.load(embeddings)
        except (OSError, ValueError) as exc:
            raise UsageError(
                f"cannot read embeddings ({exc})",
                path=embeddings,
                hint="Give a .npy file with one row per passage (passage_id order).",
                code="E-TOPICS-EMBEDDINGS",
            ) from exc
    handle = corpus.open(path)
    with engine_for(workers, scheduler, progress=sys.stderr.isatty()) as engine:
        handle.executor = engine
        if by:  # fail before the (slow) fit on an unknown field
            from corpus.topics.api import _field_values

            for name in by:
                _field_values(handle.documents, name)
        result = fit_topics(
            handle,
            seed=seed,
            n_topics=n_topics,
            min_topic_size=min_topic_size,
            embeddings=matrix,
            embedding_backend=embedding_backend,
            embedding_model=embedding_model,
            executor=engine,
        )
        record(handle, engine, "topics")
    out.mkdir(parents=True, exist_ok=True)
    table = result.topics[["topic", "label", "size", "terms"]].copy()
    table["terms"] = ["; ".join(t) for t in table["terms"]]
    atomic_write_csv(out / "topics.csv", table)
    atomic_write_csv(out / "passage_topics.csv", result.passage_topics)
    for warning in result.warnings:
        typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW, err=True)
    model = result.model
    cached = ", from the fit cache" if result.from_cache else ""
    typer.echo(
        f"{model.n_topics_} topics over {len(result.passage_topics)} passages "
        f"({model.outlier_share_:.1%} outliers, {model.clustering_}{cached}) -> {out}"
    )
    for name in by or []:
        per = result.per_class(name)
        atomic_write_csv(out / f"topics_by_{name}.csv", per)
    if evaluate:
        scores = result.evaluate()
        atomic_write_json(out / "evaluation.json", scores)
        for key in ("bertopic", "lda"):
            block = scores[key]
            typer.echo(
                f"{key:8s} NPMI {block['npmi']:+.4f}  diversity {block['diversity']:.3f}  "
                f"topics {block['n_topics']}"
            )
    if plots:
        from corpus.plots.topics import save_figures

        for line in save_figures(result, out):
            typer.echo(line)


def register(app: typer.Typer) -> None:
    """Register this module's commands on ``app``."""
    app.command("topics")(_topics)
