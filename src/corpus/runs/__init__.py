"""The run stage: declarative pipelines of notebooks executed with papermill.

``corpus run pipelines/demo.yaml`` (or :func:`run_pipeline`) checks the parameters of every
step against the notebooks' ``parameters`` cells, executes them on the ``corpus`` kernel
and writes ``runs/<pipeline>/<UTC timestamp>/`` with the executed notebooks, their HTML
renders and ``manifest.json``. See ``docs/workbench.md``.
"""

from corpus.runs.execute import RunLockedError, RunResult, run_pipeline
from corpus.runs.params import ParamSpec, notebook_parameters
from corpus.runs.pipeline import Pipeline, Step, load_pipeline, resolve
from corpus.runs.report import render_html
from corpus.runs.resume import resume_run

__all__ = [
    "ParamSpec",
    "Pipeline",
    "RunLockedError",
    "RunResult",
    "Step",
    "load_pipeline",
    "notebook_parameters",
    "render_html",
    "resolve",
    "resume_run",
    "run_pipeline",
]
