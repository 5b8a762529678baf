"""The ``corpus`` command line: a thin face over the package API.

Each sub-module registers its commands on :data:`app`; this module only assembles them,
configures logging, and turns :class:`corpus.errors.CorpusError` into exit codes.
"""

from __future__ import annotations

import logging
import sys

import typer

from corpus.errors import EXIT_FAILURE, CorpusError

app = typer.Typer(
    name="corpus",
    help="French text-analysis workbench for social innovation research.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show debug logging."),
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


# One command-group module per line (``corpus.cli.<name>``, each with ``register(app)``).
COMMAND_MODULES = (
    "ingest",
    "extract",
    "topics",
    "run",
    "exchange",
    "learn",
    "lexico",
)


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"corpus.cli.{name}").register(app)


_register()


def main() -> None:
    """Entry point of the ``corpus`` script."""
    try:
        app()
    except CorpusError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # last resort: one line, not a traceback, for users
        logging.getLogger("corpus").debug("unexpected error", exc_info=True)
        typer.secho(f"[E-UNEXPECTED] {type(exc).__name__}: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(EXIT_FAILURE)
