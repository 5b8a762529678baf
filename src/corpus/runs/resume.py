"""Resume a failed run from its failed step, with the same parameters.

The manifest holds everything a run needs (steps, notebooks, final parameters, kernel),
so resuming does not re-read the pipeline file: fix the notebook or the data, then
``corpus run --resume runs/<pipeline>/<timestamp>``. The failed attempt's notebook, HTML
and outputs are moved to ``attempts/<n>/`` in the run folder, never deleted.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from corpus.errors import RunError, UsageError
from corpus.runs.execute import Echo, RunResult, check_kernel, corpus_locks, execute_run
from corpus.runs.manifest import iso, read_manifest, utc_now, write_manifest
from corpus.runs.params import coerce, notebook_parameters
from corpus.runs.pipeline import check_corpus

logger = logging.getLogger(__name__)


def _first_unfinished(steps: list[dict]) -> int:
    for index, step in enumerate(steps):
        if step["status"] != "ok":
            return index
    return len(steps)


def resume_run(run_dir: str | Path, *, wait: float = 0.0, echo: Echo = logger.info) -> RunResult:
    """Re-execute a failed (or interrupted) run from its first step that did not succeed.

    Args:
        run_dir: The run folder (``runs/<pipeline>/<timestamp>``).
        wait: Seconds to wait for another run on the same corpus.
        echo: Receives one line per step.

    Raises:
        RunError: The folder is not a run.
        UsageError: The run already succeeded (nothing to resume).
        ParameterError: A notebook no longer accepts a parameter of the run, or the
            corpus folder is gone.
        RunLockedError: Another run holds a corpus's run lock.
    """
    folder = Path(run_dir).resolve()
    manifest = read_manifest(folder)
    steps = manifest.get("steps") or []
    start = _first_unfinished(steps)
    if manifest.get("status") == "ok" or (
        start >= len(steps) and not manifest.get("outputs_missing")
    ):
        raise UsageError(
            f"run {manifest.get('run_id')} finished successfully: nothing to resume",
            path=folder,
            hint="Start a new run with corpus run PIPELINE.",
            code="E-RUN-NOTHING-TO-RESUME",
        )
    start = min(start, len(steps) - 1) if steps else 0
    if not steps:
        raise RunError("the manifest lists no steps", path=folder, code="E-RUN-MANIFEST")
    # The same parameters, checked again: the notebook may have been edited since.
    for step in steps[start:]:
        specs = notebook_parameters(step["notebook"])
        for name, value in manifest["parameters"][step["name"]].items():
            if name not in specs:
                raise RunError(
                    f"step {step['name']}: the notebook no longer declares parameter {name!r}",
                    path=step["notebook"],
                    hint="Start a new run with corpus run PIPELINE.",
                    code="E-RUN-PARAM",
                )
            coerce(specs[name], value, source=f"run {manifest.get('run_id')}")
        check_corpus(manifest["parameters"][step["name"]].get("corpus_path"), step["name"])
    check_kernel(manifest["kernel"])
    corpora = [Path(p) for p in manifest["corpus"]["paths"]]
    with corpus_locks(corpora, timeout=wait):
        attempt = len(manifest.get("attempts", []))
        keep = folder / "attempts" / str(attempt)
        for step in steps[start:]:
            for item in (f"{step['name']}.ipynb", f"{step['name']}.html", step["name"]):
                source = folder / item
                if source.exists():
                    keep.mkdir(parents=True, exist_ok=True)
                    shutil.move(str(source), str(keep / item))
            step.update(
                status="pending",
                started=None,
                duration=None,
                executed=None,
                html=None,
                error=None,
                outputs=[],
                figures=[],
            )
        manifest.setdefault("attempts", []).append(
            {"started": iso(utc_now()), "from_step": steps[start]["name"]}
        )
        write_manifest(folder, manifest)
        echo(f"resuming {manifest['run_id']} from step {steps[start]['name']}")
        return execute_run(folder, manifest, start=start, echo=echo)
