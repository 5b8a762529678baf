"""Data flows one way: the stages never import the API that composes them.

The modules under the stage packages are read with :mod:`ast` (imports guarded by
``TYPE_CHECKING`` count too: they were how the circle began).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import corpus

PACKAGE = Path(corpus.__file__).resolve().parent
STAGE_PACKAGES = ("ingest", "extract", "topics", "nlp", "scorers", "lexico", "exchange")
#: Names the ``corpus`` package re-exports from :mod:`corpus.api`.
API_NAMES = frozenset({"api", "Corpus", "open"})


def api_imports(source: str, module: str) -> list[str]:
    """The imports of :mod:`corpus.api` in ``source`` (module ``module``), as written.

    Args:
        source: Python source.
        module: Its dotted name (``corpus.extract.run``), to resolve relative imports.
    """
    found = []
    package_parts = module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name == "corpus.api"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = {a.name for a in node.names}
            if target == "corpus.api" or target.startswith("corpus.api."):
                found.append(f"from {target} import {', '.join(sorted(names))}")
            elif target == "corpus" and names & API_NAMES:
                found.append(f"from corpus import {', '.join(sorted(names & API_NAMES))}")
    return found


def stage_modules() -> list[Path]:
    return sorted(
        path
        for name in STAGE_PACKAGES
        if (PACKAGE / name).is_dir()
        for path in (PACKAGE / name).rglob("*.py")
    )


def test_no_stage_module_imports_the_api() -> None:
    modules = stage_modules()
    scanned = {p.relative_to(PACKAGE).parts[0] for p in modules}
    assert {"ingest", "extract", "topics", "nlp"} <= scanned
    offenders = {}
    for path in modules:
        dotted = ".".join(("corpus", *path.relative_to(PACKAGE).with_suffix("").parts))
        found = api_imports(path.read_text(encoding="utf-8"), dotted)
        if found:
            offenders[str(path.relative_to(PACKAGE))] = found
    assert offenders == {}, "stages must take a CorpusContext, not import corpus.api"


@pytest.mark.parametrize(
    "source",
    [
        "from corpus.api import Corpus",
        "import corpus.api",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from corpus.api import Corpus",
        "def f():\n    from corpus import open\n",
        "from ..api import Corpus",
        "from .. import api",
    ],
)
def test_the_check_catches_each_way_of_importing_the_api(source: str) -> None:
    assert api_imports(source, "corpus.extract.run")


def test_the_check_lets_the_stages_import_each_other() -> None:
    source = "from corpus.context import CorpusContext\nfrom ..ingest.tables import ingest_table"
    assert api_imports(source, "corpus.extract.run") == []
