"""Declarative pipelines: a YAML file naming a corpus, notebooks to run and their parameters.

Example (``pipelines/demo.yaml``)::

    name: demo
    description: The demo corpus, every notebook.
    corpus_path: ../corpora/demo        # relative to this file; -p corpus_path=... overrides
    defaults:                           # shared by every step that declares the parameter
      seed: 42
    steps:
      - notebook: ../notebooks/01-corpus.ipynb
      - notebook: ../notebooks/02-definitions.ipynb
        parameters:
          term: ""
    outputs:                            # files the run must produce (globs, run-relative)
      - 01-corpus/documents.csv

:func:`load_pipeline` reads and checks the file's shape; :func:`resolve` merges notebook
defaults, the pipeline and ``-p`` overrides into the final parameters of each step and
checks every name and type against each notebook's ``parameters`` cell, before anything
runs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from corpus.errors import ConfigError, ParameterError
from corpus.runs.params import ParamSpec, coerce, notebook_parameters, parse_assignment
from corpus.store import sha256_file

logger = logging.getLogger(__name__)

#: Parameters the runner sets itself (a pipeline or ``-p`` may not).
RESERVED = ("out_dir",)
DEFAULT_KERNEL = "corpus"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_KEYS = {"name", "description", "corpus_path", "kernel", "timeout", "defaults", "steps", "outputs"}
_STEP_KEYS = {"notebook", "name", "parameters"}


class RunCorpusNotFoundError(ParameterError):
    """The ``corpus_path`` of a run is not an existing folder."""

    code = "E-RUN-CORPUS"


@dataclass(frozen=True)
class Step:
    """One notebook to execute.

    Attributes:
        name: Unique name in the pipeline (the notebook's stem by default); names the
            step's output folder in the run.
        notebook: The notebook file (absolute).
        parameters: Parameters given for this step in the YAML (not yet checked).
    """

    name: str
    notebook: Path
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Pipeline:
    """A parsed pipeline file.

    Attributes:
        name: The pipeline's name (runs go to ``runs/<name>/``).
        path: The YAML file.
        description: Free text.
        corpus_path: The corpus folder (absolute), or ``None`` if it must come from ``-p``.
        kernel: Jupyter kernel the notebooks run on.
        timeout: Seconds a cell may run (``None``: no limit).
        defaults: Parameters shared by the steps that declare them.
        steps: The notebooks, in order.
        outputs: Globs (relative to the run folder) the run must produce.
    """

    name: str
    path: Path
    description: str
    corpus_path: Path | None
    kernel: str
    timeout: float | None
    defaults: dict[str, Any]
    steps: tuple[Step, ...]
    outputs: tuple[str, ...]

    @property
    def sha256(self) -> str:
        """Hash of the YAML file's bytes."""
        return sha256_file(self.path)


def _find_notebook(ref: str, base: Path) -> Path:
    candidate = Path(ref).expanduser()
    if not candidate.suffix:
        candidate = candidate.with_suffix(".ipynb")
    options = [candidate] if candidate.is_absolute() else [base / candidate]
    if not candidate.is_absolute() and len(candidate.parts) == 1:
        options.append(base.parent / "notebooks" / candidate)  # bare name: the project's
    for option in options:
        if option.is_file():
            return option.resolve()
    raise ConfigError(
        f"notebook {ref!r} not found (looked for {', '.join(str(o) for o in options)})",
        hint="Give the notebook's path relative to the pipeline file.",
    )


def load_pipeline(path: str | Path) -> Pipeline:
    """Read and check the shape of a pipeline YAML file.

    Args:
        path: The YAML file.

    Raises:
        ConfigError: The file is missing, is not valid YAML, has an unknown key, a step
            without notebook, a notebook that does not exist, or duplicate step names.
    """
    file = Path(path).expanduser()
    if not file.is_file():
        raise ConfigError("no such pipeline file", path=file, hint="Give a pipelines/*.yaml file.")
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML ({exc})", path=file) from exc
    if not isinstance(data, dict):
        raise ConfigError("a pipeline is a mapping of settings", path=file)
    unknown = set(data) - _KEYS
    if unknown:
        raise ConfigError(
            f"unknown key(s) {sorted(unknown)}", path=file, hint=f"Known keys: {sorted(_KEYS)}."
        )
    base = file.resolve().parent
    name = str(data.get("name") or file.stem)
    if not _NAME.match(name):
        raise ConfigError(f"pipeline name {name!r} must be letters, digits, - _ .", path=file)
    steps_data = data.get("steps")
    if not isinstance(steps_data, list) or not steps_data:
        raise ConfigError("'steps' must be a non-empty list", path=file)
    steps: list[Step] = []
    for i, raw in enumerate(steps_data, start=1):
        if isinstance(raw, str):
            raw = {"notebook": raw}
        if not isinstance(raw, dict) or "notebook" not in raw:
            raise ConfigError(f"step {i} needs a 'notebook'", path=file)
        extra = set(raw) - _STEP_KEYS
        if extra:
            raise ConfigError(
                f"step {i}: unknown key(s) {sorted(extra)}",
                path=file,
                hint=f"Known keys: {sorted(_STEP_KEYS)}.",
            )
        try:
            notebook = _find_notebook(str(raw["notebook"]), base)
        except ConfigError as exc:
            raise ConfigError(f"step {i}: {exc.reason}", path=file, hint=exc.hint) from exc
        params = raw.get("parameters") or {}
        if not isinstance(params, dict):
            raise ConfigError(f"step {i}: 'parameters' must be a mapping", path=file)
        step_name = str(raw.get("name") or notebook.stem)
        if not _NAME.match(step_name):
            raise ConfigError(f"step name {step_name!r} must be letters, digits, - _ .", path=file)
        steps.append(Step(step_name, notebook, dict(params)))
    names = [s.name for s in steps]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(
            f"duplicate step name(s) {dupes}", path=file, hint="Give each step a 'name'."
        )
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise ConfigError("'defaults' must be a mapping", path=file)
    outputs = data.get("outputs") or []
    if not isinstance(outputs, list) or not all(isinstance(o, str) for o in outputs):
        raise ConfigError("'outputs' must be a list of file paths or globs", path=file)
    timeout = data.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))):
        raise ConfigError("'timeout' must be a number of seconds", path=file)
    corpus_path = data.get("corpus_path")
    return Pipeline(
        name=name,
        path=file.resolve(),
        description=str(data.get("description") or ""),
        corpus_path=_resolve_path(str(corpus_path), base) if corpus_path else None,
        kernel=str(data.get("kernel") or DEFAULT_KERNEL),
        timeout=float(timeout) if timeout is not None else None,
        defaults=dict(defaults),
        steps=tuple(steps),
        outputs=tuple(outputs),
    )


def _resolve_path(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return (path if path.is_absolute() else base / path).resolve()


def _is_path_param(spec: ParamSpec) -> bool:
    return spec.type == "str" and (spec.name.endswith("_path") or spec.name.endswith("_dir"))


@dataclass(frozen=True)
class Override:
    """One ``-p`` assignment: ``name=value`` or ``step.name=value``."""

    name: str
    value: str
    step: str | None = None


def parse_overrides(items: Sequence[str], step_names: Sequence[str]) -> list[Override]:
    """Parse ``-p`` arguments; a ``<step>.name`` prefix targets one step.

    Raises:
        ParameterError: An argument is not ``name=value``.
    """
    result = []
    for item in items:
        name, value = parse_assignment(item)
        step = None
        prefix, dot, rest = name.partition(".")
        if dot and prefix in step_names:
            step, name = prefix, rest
        result.append(Override(name, value, step))
    return result


def resolve(
    pipeline: Pipeline,
    overrides: Sequence[Override] = (),
    *,
    cwd: Path | None = None,
) -> dict[str, dict[str, Any]]:
    """The final parameters of every step, checked against the notebooks.

    Order of precedence (last wins): notebook default, pipeline ``corpus_path``,
    pipeline ``defaults`` (for the steps that declare them), step ``parameters``, ``-p``.
    Parameters ending in ``_path`` or ``_dir`` are made absolute: relative to the pipeline
    file when they come from it, to ``cwd`` when they come from ``-p``, to the notebook's
    folder for its defaults. ``corpus_path`` never takes the notebook's default: the
    pipeline or ``-p`` must give it. ``out_dir`` is set later by the runner.

    Args:
        pipeline: The pipeline.
        overrides: Parsed ``-p`` assignments.
        cwd: Base of relative paths given with ``-p`` (default: the current folder).

    Returns:
        ``{step name: {parameter: value}}``.

    Raises:
        ParameterError: Unknown name, a value of the wrong type, a reserved parameter,
            a notebook without ``corpus_path``, or a corpus folder that does not exist.
        ConfigError: A notebook's parameters cell cannot be read.
    """
    cwd = (cwd or Path.cwd()).resolve()
    base = pipeline.path.parent
    specs = {step.name: notebook_parameters(step.notebook) for step in pipeline.steps}
    for step in pipeline.steps:
        for required in ("corpus_path", "out_dir"):
            if required not in specs[step.name]:
                raise ParameterError(
                    f"notebook {step.notebook.name} declares no {required} parameter",
                    path=step.notebook,
                    hint="Every notebook declares corpus_path (its corpus folder) and out_dir "
                    "(where it writes its tables) in its parameters cell.",
                )

    def check_reserved(name: str, where: str) -> None:
        if name in RESERVED:
            raise ParameterError(
                f"{where}: {name!r} is set by the runner (each step writes to its folder in "
                "the run)",
                hint="Remove it; use --runs-dir to choose where runs go.",
            )

    final: dict[str, dict[str, Any]] = {}
    for step in pipeline.steps:
        values = {p: s.default for p, s in specs[step.name].items()}
        for p, s in specs[step.name].items():  # a notebook's default paths: its own folder
            if _is_path_param(s) and s.default and p not in RESERVED:
                values[p] = str(_resolve_path(str(s.default), step.notebook.parent))
        values.pop("corpus_path")  # never the notebook's default: the pipeline or -p gives it
        final[step.name] = values

    def assign(step_name: str, name: str, value: Any, source: str, rel: Path) -> None:
        spec = specs[step_name][name]
        coerced = coerce(spec, value, source=source)
        if _is_path_param(spec) and coerced:
            coerced = str(_resolve_path(coerced, rel))
        final[step_name][name] = coerced

    if pipeline.corpus_path is not None:
        for step in pipeline.steps:
            final[step.name]["corpus_path"] = str(pipeline.corpus_path)
    for name, value in pipeline.defaults.items():
        check_reserved(name, "defaults")
        targets = [s.name for s in pipeline.steps if name in specs[s.name]]
        if not targets:
            raise ParameterError(
                f"defaults: unknown parameter {name!r}: no notebook of the pipeline declares it",
                path=pipeline.path,
                hint=_known_hint(specs),
            )
        for target in targets:
            assign(target, name, value, f"defaults in {pipeline.path.name}", base)
    for step in pipeline.steps:
        for name, value in step.parameters.items():
            check_reserved(name, f"step {step.name}")
            if name not in specs[step.name]:
                raise ParameterError(
                    f"step {step.name}: unknown parameter {name!r}",
                    path=pipeline.path,
                    hint=f"{step.notebook.name} declares: {', '.join(specs[step.name])}.",
                )
            assign(step.name, name, value, f"step {step.name}", base)
    for override in overrides:
        check_reserved(override.name, "-p")
        if override.step is not None:
            if override.name not in specs[override.step]:
                raise ParameterError(
                    f"-p {override.step}.{override.name}: unknown parameter {override.name!r}",
                    hint=f"{override.step} declares: {', '.join(specs[override.step])}.",
                )
            assign(override.step, override.name, override.value, "-p", cwd)
            continue
        targets = [s.name for s in pipeline.steps if override.name in specs[s.name]]
        if not targets:
            raise ParameterError(
                f"-p {override.name}: unknown parameter {override.name!r}: no notebook of "
                f"pipeline {pipeline.name!r} declares it",
                hint=_known_hint(specs),
            )
        for target in targets:
            assign(target, override.name, override.value, "-p", cwd)
    for step in pipeline.steps:
        check_corpus(final[step.name].get("corpus_path"), step.name)
        final[step.name] = {p: final[step.name][p] for p in specs[step.name]}  # cell order
    return final


def _known_hint(specs: Mapping[str, Mapping[str, ParamSpec]]) -> str:
    names = sorted({n for spec in specs.values() for n in spec if n not in RESERVED})
    return f"Known parameters: {', '.join(names)}."


def check_corpus(value: Any, step: str) -> Path:
    """Check that a step's ``corpus_path`` is an existing folder.

    Raises:
        RunCorpusNotFoundError: It is empty or not an existing folder.
    """
    if not value:
        raise RunCorpusNotFoundError(
            f"step {step}: no corpus folder given (the pipeline sets no corpus_path)",
            hint="Set corpus_path in the pipeline or pass -p corpus_path=FOLDER.",
        )
    path = Path(str(value))
    if not path.is_dir():
        raise RunCorpusNotFoundError(
            f"corpus_path is not an existing folder (step {step})",
            path=path,
            hint="Check the path, or pass -p corpus_path=FOLDER.",
        )
    return path


def corpus_paths(parameters: Mapping[str, Mapping[str, Any]]) -> list[Path]:
    """The distinct corpus folders of a run's final parameters, sorted."""
    return sorted({Path(str(p["corpus_path"])) for p in parameters.values()})
