"""CLI commands of the exchange formats: ``corpus export`` and ``corpus import``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corpus.errors import EXIT_OK, EXIT_PARTIAL


def export_command(
    path: Annotated[Path, typer.Argument(help="A corpus folder or a plain folder of documents.")],
    to: Annotated[
        str,
        typer.Option(
            "--to", help="Format: qdpx, qdc, iramuteq (a file) or xlsx, csv, parquet (a folder)."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="The file or folder to write.")],
    where: Annotated[
        list[str] | None,
        typer.Option(
            "--where",
            help="FIELD=VALUE: export the documents with that metadata (repeatable; values "
            "of one field are alternatives, fields must all match).",
        ),
    ] = None,
    store: Annotated[
        Path | None, typer.Option("--store", help="Store folder (overrides the default).")
    ] = None,
) -> None:
    """Export the corpus for QDA tools (REFI-QDA), IRaMuTeQ or spreadsheets."""
    from rich.console import Console

    import corpus as corpus_pkg

    console = Console(stderr=True, soft_wrap=True)
    opened = corpus_pkg.open(path, store=store)
    result = opened.export(to, out, where=list(where or []))
    what = f"{result.n_documents} document(s)"
    if result.fmt == "qdpx":
        what += f", {result.n_codes} codes, {result.n_selections} coded selections"
    elif result.fmt == "qdc":
        what = f"{result.n_codes} codes"
    elif result.tables:
        what += f", {len(result.tables)} tables and the data dictionary"
    for file in result.files:
        console.print(f"wrote {file}")
    console.print(f"{result.fmt}: {what}")


def import_command(
    project: Annotated[Path, typer.Argument(help="A REFI-QDA project (.qdpx).")],
    out: Annotated[Path, typer.Option("--out", help="The corpus folder to create (new or empty).")],
) -> None:
    """Make a corpus folder from a REFI-QDA project: raw/, metadata.csv, gold/, codes.csv."""
    from rich.console import Console

    from corpus.exchange.qdpx_import import REPORT_NAME, import_project

    console = Console(stderr=True, soft_wrap=True)
    report = import_project(project, out)
    console.print(
        f"{out}: {report.documents} document(s), {report.coded} coded selection(s), "
        f"{report.gold} gold file(s) (from {report.origin or 'an unknown program'})"
    )
    for code in report.unmapped:
        console.print(f"not mapped to the corpus codebook (kept in codes.csv): {code}")
    for line in report.lines:
        console.print(line, style="yellow", markup=False, highlight=False)
    console.print(f"report: {out / REPORT_NAME}")
    raise typer.Exit(EXIT_PARTIAL if report.lines else EXIT_OK)


def register(app: typer.Typer) -> None:
    """Register this module's commands on ``app``."""
    app.command("export")(export_command)
    app.command("import")(import_command)
