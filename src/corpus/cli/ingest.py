"""CLI commands of the ingest stage: ``corpus ingest PATH`` and ``corpus info PATH``.

Exit codes: 0 success, 3 partial (some files rejected; see the rejected table),
2 usage error, 1 failure, 4 store locked by another process.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from corpus.cli.engine import SchedulerOpt, WorkersOpt, engine_for, record
from corpus.errors import CorpusError

_PATH = typer.Argument(..., help="Corpus folder (with corpus.yaml and raw/) or a plain folder.")
_STORE = typer.Option(None, "--store", help="Store folder (default: from corpus.yaml).")
_QUIET = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary table.")


def _fail(exc: CorpusError) -> typer.Exit:
    Console(stderr=True, highlight=False).print(f"[red]{exc}[/red]", soft_wrap=True)
    return typer.Exit(exc.exit_code)


def ingest(
    path: Path = _PATH,
    store: Path | None = _STORE,
    quiet: bool = _QUIET,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
) -> None:
    """Ingest a corpus folder into its store (incremental: only new or changed files)."""
    import corpus

    console = Console(highlight=False)
    errors = Console(stderr=True, highlight=False)
    try:
        handle = corpus.open(path, store=store)
        with engine_for(workers, scheduler, progress=not quiet) as engine:
            report = handle.ingest(progress=not quiet, executor=engine)
            record(handle, engine, "ingest")
    except CorpusError as exc:
        raise _fail(exc) from exc
    for rejected in report.rejected:
        errors.print(f"[yellow]rejected[/yellow] {rejected.reason}", soft_wrap=True)
    if not quiet:
        table = Table(title=f"Ingest of {handle.name} ({report.seconds:.1f} s)")
        table.add_column("files / rows")
        table.add_column("count", justify="right")
        for key, value in report.counts.items():
            table.add_row(key, str(value))
        console.print(table)
        console.print(f"store: {handle.store.root}")
    raise typer.Exit(report.exit_code)


def _counts(frame: pd.DataFrame | None, column: str) -> str:
    if frame is None or not len(frame) or column not in frame.columns:
        return "-"
    values = frame[column].astype("string").fillna("?").value_counts().sort_index()
    return ", ".join(f"{key} {count}" for key, count in values.items())


def info(path: Path = _PATH, store: Path | None = _STORE, quiet: bool = _QUIET) -> None:
    """Summarise an ingested corpus: documents by format, genre, language, year..."""
    import corpus

    console = Console(highlight=False)
    try:
        handle = corpus.open(path, store=store)
        documents = handle.documents
        passages = handle.passages
        rejected = handle.rejected
        duplicates = handle.duplicates
    except CorpusError as exc:
        raise _fail(exc) from exc
    table = Table(title=f"Corpus {handle.name}", show_header=False)
    table.add_column("what")
    table.add_column("value", overflow="fold")
    table.add_row("folder", str(handle.path))
    table.add_row("store", str(handle.store.root))
    table.add_row("documents", str(len(documents)))
    table.add_row("passages", str(len(passages)))
    table.add_row("words", str(int(documents["n_words"].sum()) if len(documents) else 0))
    table.add_row("by format", _counts(documents, "format"))
    table.add_row("by genre", _counts(documents, "genre"))
    table.add_row("by language", _counts(documents, "language"))
    table.add_row("by year", _counts(documents, "year"))
    table.add_row("not French", str(int((~documents["is_french"]).sum()) if len(documents) else 0))
    table.add_row("rejected", str(len(rejected)))
    table.add_row(
        "duplicates",
        f"{len(duplicates)} pairs ({_counts(duplicates, 'kind')})" if len(duplicates) else "0",
    )
    console.print(table)
    if not quiet:
        for row in rejected.itertuples(index=False):
            console.print(f"rejected {row.path}: {row.code}", soft_wrap=True)
        for row in duplicates.itertuples(index=False):
            console.print(
                f"{row.kind} duplicate ({row.similarity:.2f}): {row.path_a} ~ {row.path_b}",
                soft_wrap=True,
            )


def register(app: typer.Typer) -> None:
    """Register this module's commands on ``app``."""
    app.command("ingest")(ingest)
    app.command("info")(info)


__all__ = ["info", "ingest", "register"]
