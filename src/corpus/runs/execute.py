"""Execute a pipeline: papermill on a named kernel, one folder per run, a manifest, HTML.

:func:`run_pipeline` checks every parameter against the notebooks before anything runs,
takes a run lock per corpus (so two scheduled runs on one corpus never interleave), then
executes the steps in order into ``<runs_dir>/<pipeline>/<UTC timestamp>/``::

    manifest.json                 what ran, on what, versions, outputs with sha256
    01-corpus.ipynb / .html       executed notebook and its HTML render
    01-corpus/                    the step's ``out_dir``: its tables (CSV/Parquet)
    ...

A failing step stops the run; its executed notebook (with the error) and HTML are kept,
the step and the run are marked ``failed``. :func:`corpus.runs.resume.resume_run` picks
it up again from that step. ``<runs_dir>/<pipeline>/latest`` points at the newest
successful run.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filelock

from corpus.errors import EXIT_LOCKED, ConfigError, RunError
from corpus.runs.manifest import (
    figure_digests,
    iso,
    output_records,
    read_manifest,
    utc_now,
    versions,
    write_manifest,
)
from corpus.runs.pipeline import (
    Pipeline,
    corpus_paths,
    load_pipeline,
    parse_overrides,
    resolve,
)
from corpus.runs.report import render_html

logger = logging.getLogger(__name__)

RUN_LOCK = "run.lock"
LATEST = "latest"
Echo = Callable[[str], None]


class RunLockedError(RunError):
    """Another run holds the run lock of this corpus."""

    code = "E-RUN-LOCKED"
    exit_code = EXIT_LOCKED


@dataclass
class RunResult:
    """What a run did.

    Attributes:
        run_dir: The run's folder.
        manifest: The final manifest.
    """

    run_dir: Path
    manifest: dict[str, Any]

    @property
    def status(self) -> str:
        """``ok`` or ``failed``."""
        return str(self.manifest["status"])

    @property
    def ok(self) -> bool:
        """Whether every step succeeded and every declared output exists."""
        return self.status == "ok"

    @property
    def failed_step(self) -> str | None:
        """The name of the step that failed, if one did."""
        for step in self.manifest["steps"]:
            if step["status"] == "failed":
                return str(step["name"])
        return None

    @property
    def report(self) -> Path | None:
        """The HTML render of the last step that produced one (the synthesis)."""
        for step in reversed(self.manifest["steps"]):
            if step.get("html"):
                return self.run_dir / step["html"]
        return None


def default_runs_dir() -> Path:
    """``$CORPUS_RUNS_DIR`` if set, else ``./runs``."""
    return Path(os.environ.get("CORPUS_RUNS_DIR") or "runs")


def check_kernel(name: str) -> None:
    """Check that the Jupyter kernel ``name`` is installed.

    Raises:
        ConfigError: It is not.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise ConfigError(
            f"the Jupyter kernel {name!r} is not installed",
            hint=f"Install it from the project's environment: "
            f".venv/bin/python -m ipykernel install --sys-prefix --name {name} (make install).",
            code="E-RUN-KERNEL",
        ) from None


@contextlib.contextmanager
def corpus_locks(paths: Sequence[Path], *, timeout: float) -> Iterator[None]:
    """Hold the run lock of each corpus (in its store folder), in a fixed order.

    Args:
        paths: Corpus folders.
        timeout: Seconds to wait for a lock held by another run (0: do not wait).

    Raises:
        RunLockedError: A lock was not obtained in time.
    """
    from corpus.config import locate

    with contextlib.ExitStack() as stack:
        for path in sorted(paths):
            store_dir = locate(path).store_dir
            store_dir.mkdir(parents=True, exist_ok=True)
            lock = filelock.FileLock(str(store_dir / RUN_LOCK))
            try:
                lock.acquire(timeout=timeout)
            except filelock.Timeout:
                raise RunLockedError(
                    f"another run is using this corpus (waited {timeout:g} s)",
                    path=path,
                    hint="Let it finish, or pass --wait SECONDS to wait for it.",
                ) from None
            stack.callback(lock.release)
        yield


def _new_run_dir(runs_dir: Path, pipeline: str) -> tuple[str, Path]:
    parent = runs_dir / pipeline
    parent.mkdir(parents=True, exist_ok=True)
    stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
    for i in range(1000):
        name = stamp if i == 0 else f"{stamp}-{i}"
        try:
            (parent / name).mkdir()
        except FileExistsError:
            continue
        return name, parent / name
    raise RunError("cannot create a new run folder", path=parent)  # pragma: no cover


def update_latest(run_dir: Path) -> None:
    """Point ``<runs>/<pipeline>/latest`` at ``run_dir`` unless a newer success is there."""
    link = run_dir.parent / LATEST
    if link.is_symlink():
        current = os.readlink(link)
        if current > run_dir.name and (run_dir.parent / current).is_dir():
            return
    tmp = run_dir.parent / f".{LATEST}.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(run_dir.name, target_is_directory=True)
    os.replace(tmp, link)


def _corpus_fingerprints(paths: Sequence[Path]) -> dict[str, str | None]:
    import corpus

    found: dict[str, str | None] = {}
    for path in paths:
        try:
            handle = corpus.open(path)
            # Never ingest here: a run that failed before ingesting has no fingerprint.
            found[str(path)] = handle.fingerprint if handle.store.has_table("documents") else None
        except Exception as exc:  # the manifest must be written whatever happens
            logger.warning("no fingerprint for %s: %s", path, exc)
            found[str(path)] = None
    return found


def _scorers_in_force(paths: Sequence[Path]) -> dict[str, Any]:
    """Per corpus, which scorers its extraction used (shipped, adapted, or rules)."""
    import corpus
    from corpus.scorers.registry import provenance

    found: dict[str, Any] = {}
    for path in paths:
        try:
            found[str(path)] = provenance(store_root=corpus.open(path).store.root)
        except Exception as exc:  # the manifest must be written whatever happens
            logger.warning("no scorer provenance for %s: %s", path, exc)
            found[str(path)] = None
    return found


def _error_text(exc: BaseException) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return f"{exc.ename}: {exc.evalue} (cell {exc.exec_count})"
    return f"{type(exc).__name__}: {exc}"


def _execute_step(
    run_dir: Path, step: dict[str, Any], manifest: dict[str, Any], echo: Echo
) -> bool:
    import papermill

    name = step["name"]
    out_dir = run_dir / name
    out_dir.mkdir(parents=True, exist_ok=True)
    params = dict(manifest["parameters"][name])
    executed = run_dir / f"{name}.ipynb"
    step.update(status="running", started=iso(utc_now()), error=None)
    write_manifest(run_dir, manifest)
    started = time.perf_counter()
    ok = True
    try:
        papermill.execute_notebook(
            step["notebook"],
            str(executed),
            parameters=params,
            kernel_name=manifest["kernel"],
            cwd=str(out_dir),
            progress_bar=False,
            log_output=False,
            execution_timeout=manifest.get("timeout"),
            # Written once, at the end or at a failing cell: saving after every cell
            # re-serialised the whole notebook (embedded plotly.js included) ~30 times a
            # step, seconds of a warm run.
            request_save_on_cell_execute=False,
        )
    except BaseException as exc:
        ok = False
        step["error"] = _error_text(exc)
        if not isinstance(exc, Exception):  # KeyboardInterrupt: record, then stop
            step["status"] = "failed"
            step["duration"] = round(time.perf_counter() - started, 3)
            write_manifest(run_dir, manifest)
            raise
    step["duration"] = round(time.perf_counter() - started, 3)
    step["executed"] = executed.name if executed.exists() else None
    if executed.exists():
        try:
            step["html"] = render_html(executed).name
        except Exception as exc:  # a render failure must not hide the step's own result
            logger.warning("cannot render %s: %s", executed, exc)
            step["html"] = None
            if ok:
                ok = False
                step["error"] = f"HTML render failed: {_error_text(exc)}"
    for file in out_dir.rglob("*"):  # notebooks write through mkstemp (0600)
        if file.is_file():
            file.chmod(0o644)
    step["outputs"] = output_records(out_dir, run_dir)
    step["figures"] = figure_digests(executed) if executed.exists() else []
    step["status"] = "ok" if ok else "failed"
    write_manifest(run_dir, manifest)
    mark = "ok" if ok else "FAILED"
    echo(f"  {name}: {mark} ({step['duration']:.1f} s)")
    if not ok:
        echo(f"    {step['error']}")
        echo(f"    see {executed}")
    return ok


def execute_run(
    run_dir: Path, manifest: dict[str, Any], *, start: int = 0, echo: Echo = logger.info
) -> RunResult:
    """Execute the steps of a prepared run from index ``start`` and finalise its manifest.

    The caller holds the corpus locks. Used by :func:`run_pipeline` and by resume.
    """
    import glob

    t0 = time.perf_counter()
    steps = manifest["steps"]
    manifest["status"] = "running"
    try:
        for index in range(start, len(steps)):
            echo(f"[{index + 1}/{len(steps)}] {steps[index]['name']}")
            if not _execute_step(run_dir, steps[index], manifest, echo):
                break
    except BaseException:
        manifest["status"] = "failed"
        manifest["finished"] = iso(utc_now())
        write_manifest(run_dir, manifest)
        raise
    all_ok = all(s["status"] == "ok" for s in steps)
    missing = [
        pattern
        for pattern in manifest.get("expected_outputs", [])
        if all_ok and not glob.glob(str(run_dir / pattern))
    ]
    manifest["outputs_missing"] = missing
    if all_ok and missing:
        echo(f"  missing outputs: {', '.join(missing)}")
    manifest["status"] = "ok" if all_ok and not missing else "failed"
    manifest["corpus"]["fingerprint"] = _corpus_fingerprints(
        [Path(p) for p in manifest["corpus"]["paths"]]
    )
    manifest["scorers"] = _scorers_in_force([Path(p) for p in manifest["corpus"]["paths"]])
    manifest["finished"] = iso(utc_now())
    manifest["duration"] = round(float(manifest.get("duration") or 0) + time.perf_counter() - t0, 3)
    write_manifest(run_dir, manifest)
    if manifest["status"] == "ok":
        update_latest(run_dir)
    return RunResult(run_dir, manifest)


def prepare(
    pipeline: Pipeline, overrides: Sequence[str] = (), *, cwd: Path | None = None
) -> dict[str, dict[str, Any]]:
    """Load-time checks of a run: parameters against notebooks, corpus folders, kernel.

    Returns:
        The final parameters of every step.

    Raises:
        ParameterError: See :func:`corpus.runs.pipeline.resolve`.
        ConfigError: The kernel is not installed.
    """
    parsed = parse_overrides(list(overrides), [s.name for s in pipeline.steps])
    parameters = resolve(pipeline, parsed, cwd=cwd)
    check_kernel(pipeline.kernel)
    return parameters


def run_pipeline(
    pipeline_path: str | Path,
    overrides: Sequence[str] = (),
    *,
    runs_dir: str | Path | None = None,
    wait: float = 0.0,
    cwd: Path | None = None,
    echo: Echo = logger.info,
    cluster: Any = None,
) -> RunResult:
    """Check, then execute a pipeline into a new run folder.

    Args:
        pipeline_path: The pipeline YAML.
        overrides: ``name=value`` (or ``step.name=value``) strings, as given to ``-p``.
        runs_dir: Where runs go (default :func:`default_runs_dir`).
        wait: Seconds to wait for another run on the same corpus (0: refuse at once).
        cwd: Base of relative paths in ``overrides`` (default: the current folder).
        echo: Receives one line per step.
        cluster: The :class:`~corpus.engine.cluster.Engine` whose scheduler the notebooks
            use (``scheduler`` parameter): the manifest records it (``cluster``: address,
            workers, versions, retries).

    Returns:
        The result; ``result.ok`` tells whether every step succeeded.

    Raises:
        ParameterError: A parameter is unknown or of the wrong type, or a corpus folder
            is missing (nothing was executed, no run folder created).
        ConfigError: The pipeline file is invalid or the kernel is missing.
        RunLockedError: Another run holds a corpus's run lock.
    """
    pipeline = load_pipeline(pipeline_path)
    parameters = prepare(pipeline, overrides, cwd=cwd)
    corpora = corpus_paths(parameters)
    with corpus_locks(corpora, timeout=wait):
        run_id, run_dir = _new_run_dir(
            Path(runs_dir or default_runs_dir()).resolve(), pipeline.name
        )
        for step_name, step_parameters in parameters.items():
            step_parameters["out_dir"] = str(run_dir / step_name)
        manifest: dict[str, Any] = {
            "run_id": f"{pipeline.name}/{run_id}",
            "pipeline": {
                "name": pipeline.name,
                "path": str(pipeline.path),
                "sha256": pipeline.sha256,
                "description": pipeline.description,
            },
            "status": "running",
            "started": iso(utc_now()),
            "finished": None,
            "duration": 0.0,
            "overrides": list(overrides),
            "parameters": parameters,
            "git": _git(pipeline),
            "corpus": {"paths": [str(p) for p in corpora], "fingerprint": None},
            "versions": versions(),
            "kernel": pipeline.kernel,
            "timeout": pipeline.timeout,
            "expected_outputs": list(pipeline.outputs),
            "outputs_missing": [],
            "attempts": [{"started": iso(utc_now()), "from_step": pipeline.steps[0].name}],
            "steps": [
                {
                    "name": step.name,
                    "notebook": str(step.notebook),
                    "status": "pending",
                    "started": None,
                    "duration": None,
                    "executed": None,
                    "html": None,
                    "error": None,
                    "outputs": [],
                    "figures": [],
                }
                for step in pipeline.steps
            ],
        }
        echo(f"run {manifest['run_id']} -> {run_dir}")
        if cluster is None:
            return execute_run(run_dir, manifest, echo=echo)
        started = time.time()
        manifest["cluster"] = cluster.info()
        result = execute_run(run_dir, manifest, echo=echo)
        manifest["cluster"] = cluster.info() | {"retries": cluster.retries_since(started)}
        write_manifest(run_dir, manifest)
        return result


def _git(pipeline: Pipeline) -> dict[str, Any]:
    from corpus.runs.manifest import git_state

    state = git_state(pipeline.path.parent)
    if state["commit"] is None:  # pipeline outside a repository: the package's
        state = git_state(Path(__file__).resolve().parent)
    return state


__all__ = [
    "RunLockedError",
    "RunResult",
    "check_kernel",
    "corpus_locks",
    "default_runs_dir",
    "execute_run",
    "prepare",
    "read_manifest",
    "run_pipeline",
    "update_latest",
]
