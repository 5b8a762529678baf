"""The ``--workers`` and ``--scheduler`` options shared by ``ingest``, ``extract``, ``topics``
and ``run``, and the record a distributed command leaves in the store (``engine.json``)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any

import typer

from corpus.engine.cluster import SCHEDULER_ENV, Engine, EngineOptions, open_engine

if TYPE_CHECKING:
    from corpus.api import Corpus

WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Run on a local Dask cluster of N single-threaded worker processes.",
        show_default=False,
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Run on a running Dask scheduler (tcp://host:8786); default: "
        f"${SCHEDULER_ENV} when set and --workers is not given.",
        show_default=False,
    ),
]
#: Store JSON where the last distributed command records its cluster and retries.
ENGINE_RECORD = "engine"


def _echo(line: str) -> None:
    typer.echo(line, err=True)


@contextlib.contextmanager
def engine_for(
    workers: int | None, scheduler: str | None, *, progress: bool = False
) -> Iterator[Engine | None]:
    """The engine the options ask for, printing its scheduler and dashboard addresses."""
    options = EngineOptions.resolve(workers=workers, scheduler=scheduler, progress=progress)
    if options is not None and not logging.getLogger().isEnabledFor(logging.DEBUG):
        # distributed logs every connection and closing at INFO (its import sets the
        # level, so import it first); -v shows them
        import distributed  # noqa: F401

        logging.getLogger("distributed").setLevel(logging.WARNING)
    with open_engine(options, echo=_echo) as engine:
        yield engine


def record(handle: Corpus, engine: Engine | None, command: str) -> dict[str, Any] | None:
    """Write what the cluster was (address, workers, versions) and its retries to the
    store's ``engine.json``; echo the retries."""
    if engine is None:
        return None
    info = {"command": command, **engine.info()}
    with handle.store.lock():
        handle.store.write_json(ENGINE_RECORD, info)
    if info["retries"]:
        _echo(f"Dask: {info['retries']} partition(s) retried after a worker died")
    return info
