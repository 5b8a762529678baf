"""Notebook parameters: read a notebook's ``parameters`` cell, check and coerce values.

A notebook declares its parameters in one cell tagged ``parameters``, one annotated
assignment per line with a comment::

    corpus_path: str = "corpora/demo"  # corpus folder
    min_count: int = 2  # hide actors mentioned fewer times

:func:`notebook_parameters` reads them with papermill's own inspection (the one behind
``papermill --help-notebook``), so what the runner checks is what papermill documents.
:func:`coerce` turns a ``-p name=value`` string into the annotated type and checks values
that come typed from a pipeline YAML.
"""

from __future__ import annotations

import ast
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.errors import ConfigError, ParameterError

logger = logging.getLogger(__name__)

#: Types a parameters cell may annotate (anything else is refused when the notebook loads).
SUPPORTED_TYPES = ("str", "int", "float", "bool", "list[str]", "list[int]", "list[float]")

_TRUE = {"true", "yes", "1", "on", "oui", "vrai"}
_FALSE = {"false", "no", "0", "off", "non", "faux"}


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a notebook.

    Attributes:
        name: The variable name.
        type: Its annotation (one of :data:`SUPPORTED_TYPES`).
        default: Its default value, evaluated from the cell.
        help: The comment at the end of its line.
    """

    name: str
    type: str
    default: Any
    help: str


def _normalise_type(annotation: str) -> str:
    return re.sub(r"\s+", "", annotation).replace("List[", "list[")


def notebook_parameters(path: str | Path) -> dict[str, ParamSpec]:
    """The parameters declared in the cell tagged ``parameters`` of a notebook.

    Args:
        path: The ``.ipynb`` file.

    Returns:
        ``{name: spec}`` in the order of the cell.

    Raises:
        ConfigError: The notebook cannot be read, has no ``parameters`` cell, or a
            parameter has no supported type annotation or a default that is not a literal.
    """
    from papermill.inspection import _infer_parameters
    from papermill.iorw import load_notebook_node

    nb_path = Path(path)
    try:
        nb = load_notebook_node(str(nb_path))  # papermill's reader: every cell gets tags
    except (OSError, ValueError) as exc:  # nbformat raises NotJSONError (a ValueError)
        raise ConfigError(f"cannot read notebook ({exc})", path=nb_path) from exc
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells):
        raise ConfigError(
            "the notebook has no cell tagged 'parameters'",
            path=nb_path,
            hint="Tag the cell of parameters 'parameters' (View > Cell tags in JupyterLab).",
        )
    specs: dict[str, ParamSpec] = {}
    for param in _infer_parameters(nb):
        kind = _normalise_type(param.inferred_type_name)
        if kind not in SUPPORTED_TYPES:
            raise ConfigError(
                f"parameter {param.name!r} is annotated {param.inferred_type_name!r}",
                path=nb_path,
                hint=f"Annotate it with one of {', '.join(SUPPORTED_TYPES)}.",
            )
        try:
            default = ast.literal_eval(param.default)
        except (ValueError, SyntaxError) as exc:
            raise ConfigError(
                f"the default of parameter {param.name!r} is not a literal ({param.default})",
                path=nb_path,
                hint="Give a plain value (string, number, True/False, list).",
            ) from exc
        specs[param.name] = ParamSpec(param.name, kind, default, param.help)
    return specs


def _coerce_scalar(kind: str, value: Any) -> Any:
    if kind == "str":
        if isinstance(value, str):
            return value
        raise ValueError
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ValueError
    if kind == "int":
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            return int(value.strip())
        raise ValueError
    if kind == "float":
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            return float(value.strip())
        raise ValueError
    raise ValueError


def coerce(spec: ParamSpec, value: Any, *, source: str = "") -> Any:
    """Convert ``value`` to the type ``spec`` annotates, or refuse it.

    Strings (from ``-p name=value``) are parsed: ``int``/``float`` as numbers, ``bool``
    from true/false/yes/no/1/0, lists from comma-separated items (or a ``[...]`` literal).
    Values already typed (from YAML) must match: an ``int`` is accepted for a ``float``.

    Args:
        spec: The parameter.
        value: The value given.
        source: Where it was given (for the message), e.g. ``"-p"`` or the step name.

    Raises:
        ParameterError: The value cannot be given that type.
    """
    kind = spec.type
    try:
        if kind.startswith("list["):
            item_kind = kind[5:-1]
            if isinstance(value, str):
                text = value.strip()
                if text.startswith("["):
                    value = ast.literal_eval(text)
                else:
                    value = [v.strip() for v in text.split(",") if v.strip()] if text else []
            if not isinstance(value, (list, tuple)):
                raise ValueError
            return [_coerce_scalar(item_kind, v) for v in value]
        return _coerce_scalar(kind, value)
    except (ValueError, SyntaxError, TypeError):
        where = f" ({source})" if source else ""
        raise ParameterError(
            f"parameter {spec.name!r}{where}: {value!r} is not a valid {kind}",
            hint=f"Give a {kind}: {spec.help or 'see the parameters cell'} "
            f"(default {spec.default!r}).",
        ) from None


def parse_assignment(text: str) -> tuple[str, str]:
    """Split a ``-p name=value`` argument.

    Raises:
        ParameterError: No ``=`` or an empty name.
    """
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise ParameterError(f"cannot read parameter {text!r}", hint="Write it as -p name=value.")
    return name, value
