"""Lexicometry commands: ``corpus kwic``, ``corpus specificities``, ``corpus reinert``.

* ``corpus kwic PATH QUERY [--by form|lemma] [--window N] [--out FILE]``: the
  concordance as CSV (``doc_id``, metadata, ``segment_id``, ``start``, ``end``, ``left``,
  ``pivot``, ``right``), to FILE or standard output.
* ``corpus specificities PATH --by VARIABLE [--unit lemma|form] [--out FILE]``: Lafon's
  specificities, one row per lemma, one column per modality, as CSV.
* ``corpus reinert PATH --k K --out DIR [--method iramuteq|rainette] [--double]``: writes
  ``DIR/classes.csv``, ``segments.csv`` (``segment_id``, ``doc_id``, ``start``, ``end``,
  ``class``), ``profiles.csv``, ``typical_segments.csv``, ``modalities.csv``,
  ``splits.csv`` (and ``partitions.csv`` with ``--double``). Same corpus and options,
  same files.

Exit codes: 0 ok; 2 bad option (empty query, unknown variable or method); 5 data that
cannot support the analysis (too few segments for K, a variable with one modality, a
pivot absent from the corpus).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from corpus.store import atomic_write_csv


def _emit(frame: pd.DataFrame, out: Path | None, *, index: bool = False) -> None:
    if out is None:
        frame.to_csv(sys.stdout, index=index, lineterminator="\n")
        return
    atomic_write_csv(out, frame.reset_index() if index else frame)
    typer.echo(f"{len(frame)} rows -> {out}", err=True)


def _kwic(
    path: Annotated[Path, typer.Argument(help="Corpus folder (or plain folder of files).")],
    query: Annotated[str, typer.Argument(help="Word(s), or items like 'lemma:besoin pos:ADJ'.")],
    by: Annotated[str, typer.Option("--by", help="form | lemma")] = "form",
    window: Annotated[int, typer.Option("--window", help="Words of context each side.")] = 10,
    ignore_accents: Annotated[
        bool, typer.Option("--ignore-accents", help="Match without accents.")
    ] = False,
    case_sensitive: Annotated[bool, typer.Option("--case-sensitive", help="Match case.")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="CSV file (default: stdout).")] = None,
) -> None:
    """Concordance (keyword in context) of a word, lemma or POS sequence."""
    import corpus

    lines = corpus.open(path).kwic(
        query,
        by=by,
        window=window,
        ignore_case=not case_sensitive,
        ignore_accents=ignore_accents,
    )
    _emit(lines, out)


def _specificities(
    path: Annotated[Path, typer.Argument(help="Corpus folder (or plain folder of files).")],
    by: Annotated[str, typer.Option("--by", help="Metadata variable (genre, region...).")],
    unit: Annotated[str, typer.Option("--unit", help="lemma | form")] = "lemma",
    min_frequency: Annotated[
        int, typer.Option("--min-frequency", help="Smallest total frequency kept.")
    ] = 3,
    out: Annotated[Path | None, typer.Option("--out", help="CSV file (default: stdout).")] = None,
) -> None:
    """Lafon's specificities of the lemmas over a variable's modalities (as TXM)."""
    import corpus

    scores = corpus.open(path).specificities(by, unit=unit, min_frequency=min_frequency)
    scores.index.name = unit
    _emit(scores.round(6), out, index=True)


def _reinert(
    path: Annotated[Path, typer.Argument(help="Corpus folder (or plain folder of files).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the CSV files.")],
    k: Annotated[int, typer.Option("--k", help="Number of classes wanted.")] = 10,
    method: Annotated[str, typer.Option("--method", help="iramuteq | rainette")] = "iramuteq",
    double: Annotated[
        bool, typer.Option("--double", help="Double classification (two segment sizes).")
    ] = False,
    min_frequency: Annotated[
        int, typer.Option("--min-frequency", help="Active lemmas in fewer segments dropped.")
    ] = 3,
    min_segment_size: Annotated[
        int, typer.Option("--min-segment-size", help="Active lemmas per context unit.")
    ] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Random state.")] = 0,
) -> None:
    """Reinert's descending hierarchical classification of the segments (ALCESTE)."""
    import corpus
    from corpus.lexico.errors import LexicoUsageError

    if method not in ("iramuteq", "rainette"):
        raise LexicoUsageError(f"unknown method {method!r}", hint="Use iramuteq or rainette.")
    result = corpus.open(path).reinert(
        k,
        method=method,
        double=double,
        min_frequency=min_frequency,
        min_segment_size=min_segment_size,
        random_state=seed,
    )
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_csv(out / "classes.csv", result.classes)
    atomic_write_csv(
        out / "segments.csv", result.segments[["segment_id", "doc_id", "start", "end", "class"]]
    )
    atomic_write_csv(out / "profiles.csv", result.profiles)
    atomic_write_csv(out / "typical_segments.csv", result.typical)
    atomic_write_csv(out / "modalities.csv", result.modalities)
    atomic_write_csv(out / "splits.csv", result.splits)
    if double:
        partitions = result.model.partitions_.drop(columns=["groups"]).copy()
        partitions["clusters"] = ["; ".join(c) for c in partitions["clusters"]]
        atomic_write_csv(out / "partitions.csv", partitions)
    unclassified = int((result.segments["class"] == 0).sum())
    typer.echo(
        f"{len(result.classes)} classes over {len(result.segments)} segments "
        f"({unclassified} unclassified, method {method}{', double' if double else ''}) -> {out}"
    )
    for row in result.classes.itertuples(index=False):
        typer.echo(f"  class {row[0]}: {row.size} segments  {row.lemmas}")


def register(app: typer.Typer) -> None:
    """Register this module's commands on ``app``."""
    app.command("kwic")(_kwic)
    app.command("specificities")(_specificities)
    app.command("reinert")(_reinert)
