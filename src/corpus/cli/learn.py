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


def register(app: typer.Typer) -> None:
    """Register this module's commands on ``app``."""
    app.command("train")(train_command)
