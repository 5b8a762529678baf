"""``corpus run``: execute a pipeline of notebooks, or resume a failed run."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from corpus.cli.engine import SchedulerOpt, WorkersOpt, engine_for
from corpus.errors import EXIT_FAILURE, UsageError

PipelineArg = Annotated[
    Path | None,
    typer.Argument(
        help="Pipeline YAML (pipelines/*.yaml). Not needed with --resume.", show_default=False
    ),
]
ParamOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        help="name=value for every step that declares the parameter, or step.name=value "
        "for one step. Repeatable.",
        show_default=False,
    ),
]
ResumeOpt = Annotated[
    Path | None,
    typer.Option(
        "--resume", help="Re-execute a failed run folder from its failed step.", show_default=False
    ),
]
RunsDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--runs-dir",
        help="Where runs go (default: $CORPUS_RUNS_DIR, else ./runs).",
        show_default=False,
    ),
]
WaitOpt = Annotated[
    float,
    typer.Option(help="Seconds to wait for another run on the same corpus (else exit 4)."),
]


def _echo(line: str) -> None:
    typer.echo(line, err=True)


def run(
    pipeline: PipelineArg = None,
    param: ParamOpt = None,
    resume: ResumeOpt = None,
    runs_dir: RunsDirOpt = None,
    wait: WaitOpt = 0.0,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
) -> None:
    """Run a pipeline: check parameters, execute notebooks, write a run folder and manifest.

    Exit codes: 0 success; 1 a step failed (see the manifest, then --resume); 2 bad
    pipeline, unknown parameter, wrong type or missing corpus (nothing executed);
    4 another run holds the corpus.

    With --workers N (a local Dask cluster for the run) or --scheduler ADDRESS, every
    notebook gets the scheduler's address as its ``scheduler`` parameter and the manifest
    records the cluster (``cluster``: address, workers, versions, retries).
    """
    from corpus.runs import resume_run, run_pipeline

    params = list(param or [])
    if resume is not None:
        if pipeline is not None or params:
            raise UsageError(
                "--resume re-uses the run's own pipeline and parameters",
                hint="Give only --resume RUN_DIR (and --wait, --workers, --scheduler), "
                "or start a new run.",
            )
        with engine_for(workers, scheduler) as engine:
            _point_at(resume, engine.address if engine is not None else "")
            result = resume_run(resume, wait=wait, echo=_echo)
    else:
        if pipeline is None:
            raise UsageError("missing PIPELINE", hint="Example: corpus run pipelines/demo.yaml")
        with engine_for(workers, scheduler) as engine:
            if engine is not None:  # the notebooks connect to it (their `scheduler` parameter)
                params.append(f"scheduler={engine.address}")
            result = run_pipeline(
                pipeline, params, runs_dir=runs_dir, wait=wait, echo=_echo, cluster=engine
            )
    manifest = result.run_dir / "manifest.json"
    if result.ok:
        typer.echo(f"Run {result.manifest['run_id']}: ok")
        if result.report is not None:
            typer.echo(f"Report: {result.report}")
        typer.echo(f"Manifest: {manifest}")
        return
    failed = result.failed_step
    where = (
        f" at step {failed}"
        if failed
        else f"; missing outputs {', '.join(result.manifest['outputs_missing'])}"
    )
    typer.secho(
        f"[E-RUN-FAILED] run {result.manifest['run_id']} failed{where}. See {manifest}; "
        f"fix, then: corpus run --resume {result.run_dir}",
        fg=typer.colors.RED,
        err=True,
    )
    sys.exit(EXIT_FAILURE)


def _point_at(run_dir: Path, address: str) -> None:
    """Give the resumed steps this run's scheduler (a local cluster of the first attempt
    is gone): ``""`` resumes in one process unless --workers or --scheduler is given."""
    from corpus.runs.manifest import read_manifest, write_manifest

    folder = run_dir.resolve()
    manifest = read_manifest(folder)
    changed = False
    for parameters in (manifest.get("parameters") or {}).values():
        if "scheduler" in parameters and parameters["scheduler"] != address:
            parameters["scheduler"] = address
            changed = True
    if changed:
        write_manifest(folder, manifest)


def register(app: typer.Typer) -> None:
    """Register this module's commands on ``app``."""
    app.command("run")(run)
