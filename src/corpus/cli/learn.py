"""CLI commands of the trained scorers: ``corpus train``, ``corpus review``, ``corpus learn``.

- ``corpus train`` fits the shipped scorers on the repository's labelled corpora.
- ``corpus review PATH --out FILE`` writes the extractions most worth checking.
- ``corpus learn PATH --corrections SRC`` adapts the scorers to a corpus's corrections
  (``--reset`` goes back to the shipped ones).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def train_command(
    corpora: Annotated[
        list[Path] | None,
        typer.Option(
            "--corpus",
            help="A labelled corpus folder (with gold/); repeatable. Default: the repository's "
            "training corpora (corpora/demo, heldout, blind, blind2, blind3, train).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the scorer files (default: the package's)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of every trainer.")] = 0,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Train only this scorer set (repeatable).")
    ] = None,
) -> None:
    """Train the extraction scorers on labelled corpora (same data and seed: same bytes)."""
    from rich.console import Console

    from corpus.scorers.registry import SHIPPED_DIR
    from corpus.train import train

    console = Console(stderr=True)
    written = train(corpora or None, out_dir=out or SHIPPED_DIR, random_state=seed, only=only)
    for name, path in written.items():
        console.print(f"{name}: {path}")


def review_command(
    path: Annotated[Path, typer.Argument(help="A corpus folder.")],
    out: Annotated[Path, typer.Option("--out", help="The sheet to write: .xlsx or .csv.")],
    n: Annotated[
        int, typer.Option("--n", min=1, help="Rows: half least certain, half random.")
    ] = 50,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random half.")] = 0,
    store: Annotated[
        Path | None, typer.Option("--store", help="Store folder (overrides the default).")
    ] = None,
) -> None:
    """Write the extractions most worth checking, with empty verdict and correction columns."""
    from rich.console import Console

    import corpus as corpus_pkg
    from corpus.learning.adapt import review

    console = Console(stderr=True)
    rows = review(corpus_pkg.open(path, store=store), out, n=n, seed=seed)
    by_field = rows["field"].value_counts().sort_index()
    console.print(
        f"{len(rows)} rows to review in {out} ("
        + ", ".join(f"{k} {v}" for k, v in by_field.items())
        + "). Fill in `verdict` (correct/wrong) and `correction`, then run "
        f"`corpus learn {path} --corrections {out}`."
    )


def learn_command(
    path: Annotated[Path, typer.Argument(help="A corpus folder.")],
    corrections: Annotated[
        Path | None,
        typer.Option(
            "--corrections",
            help="A folder of FORMAT.md YAML files, a filled-in review sheet (.xlsx/.csv) or a "
            "REFI-QDA project (.qdpx).",
        ),
    ] = None,
    reset: Annotated[
        bool, typer.Option("--reset", help="Remove the adapted scorers (back to shipped).")
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the folds and trainers.")] = 0,
    store: Annotated[
        Path | None, typer.Option("--store", help="Store folder (overrides the default).")
    ] = None,
) -> None:
    """Adapt the scorers to a corpus's corrections (cross-validated before/after)."""
    from rich.console import Console
    from rich.table import Table

    import corpus as corpus_pkg
    from corpus.errors import UsageError
    from corpus.learning import adapt

    console = Console(stderr=True)
    opened = corpus_pkg.open(path, store=store)
    if reset:
        removed = adapt.reset(opened)
        console.print(
            "adapted scorers removed: extraction uses the shipped scorers again"
            if removed
            else "no adapted scorers: extraction already uses the shipped scorers"
        )
        return
    if corrections is None:
        raise UsageError("give --corrections SRC or --reset", hint="See `corpus learn --help`.")
    report = adapt.learn(opened, corrections, random_state=seed)
    table = Table(title=f"corpus learn {path}: {len(report.documents)} corrected documents")
    for column in ("score (cross-validated by document)", "before", "after"):
        table.add_column(column, justify="left" if column.startswith("score") else "right")
    for key in adapt.HEADLINE:
        b, a = report.before.get(key), report.after.get(key)
        table.add_row(key, "n/a" if b is None else f"{b:.3f}", "n/a" if a is None else f"{a:.3f}")
    console.print(table)
    console.print(f"adapted scorers stored in {report.stored[0].parent if report.stored else '-'}")
    console.print(
        "`corpus extract` on this corpus now uses them; `corpus learn --reset` undoes it."
    )


def register(app: typer.Typer) -> None:
    """Register this module's commands on ``app``."""
    app.command("train")(train_command)
    app.command("review")(review_command)
    app.command("learn")(learn_command)
