"""CLI commands of the extract stage: ``corpus extract`` and ``corpus eval``."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer

from corpus.cli.engine import SchedulerOpt, WorkersOpt, engine_for, record
from corpus.errors import EXIT_OK, EXIT_PARTIAL
from corpus.store import atomic_write_text, fingerprint, sha256_file

if TYPE_CHECKING:
    from corpus.api import Corpus

logger = logging.getLogger(__name__)


#: The store cache of rendered predictions, keyed by the extraction they come from.
PREDICTIONS_CACHE = "predictions"


def confident(frame: pd.DataFrame, min_confidence: float) -> pd.DataFrame:
    """The rows of ``frame`` whose ``confidence`` is at least ``min_confidence``.

    Rows without a confidence (a field its rules decided) are kept.
    """
    if min_confidence <= 0 or len(frame) == 0 or "confidence" not in frame.columns:
        return frame
    values = pd.to_numeric(frame["confidence"], errors="coerce")
    return frame[values.isna() | (values >= min_confidence)].reset_index(drop=True)


def _predictions_key(opened: Corpus, documents: pd.DataFrame, min_confidence: float) -> str | None:
    """Key of the predictions of the stored extraction (``None``: tables are stale)."""
    from corpus.extract.run import SIDECAR, is_stale

    sidecar = opened.store.read_json(SIDECAR)
    if not sidecar or is_stale(opened):
        return None
    return fingerprint(
        [sidecar.get(k) for k in ("corpus", "pipeline", "tables", "scorers")],
        documents[["doc_id", "path"]].astype(str).values.tolist(),
        min_confidence,
        sha256_file(Path(__file__)),
    )


def _write_if_changed(files: dict[str, str], out: Path) -> list[Path]:
    written = []
    for name, text in files.items():
        target = out / name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            atomic_write_text(target, text)
        written.append(target)
    return written


def write_predictions(opened: Corpus, out: Path, *, min_confidence: float = 0.0) -> list[Path]:
    """Write one FORMAT.md YAML per document file of ``opened`` into ``out``.

    Non-French documents get a file too, with empty fields (nothing was extracted); files
    with identical text (one ``doc_id``) each get the same prediction under their name.
    The rendered files are cached in the store, keyed by the extraction they come from:
    a re-run on an unchanged corpus rewrites only the files missing or edited in ``out``.

    Args:
        opened: The corpus (extracted on demand).
        out: Folder for the YAML files.
        min_confidence: Leave out extractions whose calibrated confidence is lower.

    Returns:
        The files written, in document order.
    """
    documents = opened.documents
    key = _predictions_key(opened, documents, min_confidence)
    cache = opened.store.cache_dir(PREDICTIONS_CACHE) / f"{key}.json"
    if key is not None and cache.is_file():
        try:
            return _write_if_changed(json.loads(cache.read_text(encoding="utf-8")), out)
        except (OSError, ValueError) as exc:  # unreadable cache: render again
            logger.warning("ignoring unreadable predictions cache %s (%s)", cache, exc)
    files = _render_predictions(opened, documents, min_confidence)
    written = _write_if_changed(files, out)
    if key is not None:
        for old in cache.parent.glob("*.json"):
            old.unlink(missing_ok=True)
        atomic_write_text(cache, json.dumps(files, ensure_ascii=False))
    return written


def _render_predictions(
    opened: Corpus, documents: pd.DataFrame, min_confidence: float
) -> dict[str, str]:
    """``{file name: YAML text}`` of every document file, in document order."""
    from corpus.extract.gold import dump_annotation, predictions_from_tables, unique_stems
    from corpus.extract.run import actor_builder, extraction_table

    first = documents.drop_duplicates("doc_id")
    decide_actors = actor_builder(opened)

    def build_actors(mentions: pd.DataFrame) -> pd.DataFrame:
        return confident(decide_actors(mentions), min_confidence)

    predictions = predictions_from_tables(
        first,
        definitions=confident(extraction_table(opened, "definitions"), min_confidence),
        mentions=extraction_table(opened, "mentions"),
        doc_actor_types=extraction_table(opened, "doc_actor_types"),
        doc_needs=confident(extraction_table(opened, "doc_needs"), min_confidence),
        doc_stages=confident(extraction_table(opened, "doc_stages"), min_confidence),
        build_actors=build_actors,
    )
    stems = unique_stems(documents["path"].astype(str))
    files = {}
    for doc_id, doc_path in zip(documents["doc_id"], documents["path"], strict=True):
        annotation = replace(predictions[str(doc_id)], document=Path(str(doc_path)).name)
        files[f"{stems[str(doc_path)]}.yaml"] = dump_annotation(annotation)
    return files


def extract_command(
    path: Annotated[Path, typer.Argument(help="A corpus folder or a plain folder of documents.")],
    out: Annotated[
        Path, typer.Option("--out", help="Folder for one <file stem>.yaml per document.")
    ],
    n_process: Annotated[
        int, typer.Option("--n-process", min=1, help="spaCy worker processes.")
    ] = 1,
    store: Annotated[
        Path | None, typer.Option("--store", help="Store folder (overrides the default).")
    ] = None,
    min_confidence: Annotated[
        float,
        typer.Option(
            "--min-confidence",
            min=0.0,
            max=1.0,
            help="Leave out extractions whose calibrated confidence is below this (0-1).",
        ),
    ] = 0.0,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
) -> None:
    """Extract definitions, actors, needs and stages; write FORMAT.md YAML per document."""
    from rich.console import Console
    from rich.table import Table

    import corpus as corpus_pkg
    from corpus.extract.run import extraction_table

    console = Console(stderr=True)
    opened = corpus_pkg.open(path, store=store)
    with engine_for(workers, scheduler, progress=console.is_terminal) as engine:
        opened.executor = engine
        # Bring the store up to date with raw/ and metadata.csv first (incremental: an
        # unchanged corpus costs a hash of each file), so a new or edited file is extracted.
        opened.ingest()
        report = opened.extract(n_process=n_process, progress=console.is_terminal)
        record(opened, engine, "extract")
    written = write_predictions(opened, out, min_confidence=min_confidence)
    table = Table(title=f"corpus extract {path}", show_header=True)
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("documents annotated", str(report.n_documents))
    table.add_row("skipped (not French)", str(report.n_skipped))
    table.add_row("passages parsed / from cache", f"{report.n_parsed} / {report.n_cached}")
    for name in ("definitions", "actors", "mentions", "needs", "stages"):
        table.add_row(f"{name} rows", str(report.rows.get(name, 0)))
    table.add_row("YAML files written", f"{len(written)} in {out}")
    table.add_row("seconds", f"{report.seconds:.1f}")
    console.print(table)
    skipped = extraction_table(opened, "skipped")
    for row in skipped.itertuples():
        console.print(f"note: {row.path}: {row.reason}")
    rejected = opened.rejected
    for row in rejected.itertuples():
        console.print(f"rejected: {row.path}: {row.reason}")
    raise typer.Exit(EXIT_PARTIAL if len(rejected) else EXIT_OK)


def eval_command(
    gold: Annotated[Path, typer.Option("--gold", help="Folder of gold YAML files (FORMAT.md).")],
    pred: Annotated[Path, typer.Option("--pred", help="Folder of predicted YAML files.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Score predictions against gold: P, R, F1 per field and role accuracy (FORMAT.md)."""
    from corpus.extract.evaluate import evaluate_folders

    result = evaluate_folders(gold, pred)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"corpus eval: {pred} against {gold}")
    for column in ("field", "precision", "recall", "F1", "TP", "FP", "FN"):
        table.add_column(column, justify="left" if column == "field" else "right")
    for name, c in result.fields.items():
        table.add_row(
            name,
            f"{c.precision:.3f}",
            f"{c.recall:.3f}",
            f"{c.f1:.3f}",
            str(c.tp),
            str(c.fp),
            str(c.fn),
        )
    accuracy = "n/a" if result.role_accuracy is None else f"{result.role_accuracy:.3f}"
    table.add_row("role accuracy", accuracy, "", "", f"n={result.role_pairs}", "", "")
    for role, c in result.roles.items():
        table.add_row(
            f"  role {role}",
            f"{c.precision:.3f}",
            f"{c.recall:.3f}",
            f"{c.f1:.3f}",
            str(c.tp),
            str(c.fp),
            str(c.fn),
        )
    console.print(table)
    for stem in result.missing_predictions:
        console.print(f"[yellow]no prediction for {stem}: all its gold items count as missed")
    for stem in result.extra_predictions:
        console.print(f"[yellow]no gold for prediction {stem}: ignored")


def register(app: typer.Typer) -> None:
    """Register this module's commands on ``app``."""
    app.command("extract")(extract_command)
    app.command("eval")(eval_command)
