"""``corpus run --workers 1``: the notebooks get the scheduler's address as a parameter,
the manifest records the cluster, and the tables are those of a run without it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
FILES = (
    "be-2011-article-economie-sociale-wallonie.txt",
    "qc-2012-projet-covoiturage-rural.txt",
    "fr-2012-declaration-rencontres-lyon.md",
)


def _pipeline(folder: Path, corpus: Path, repo_root: Path) -> Path:
    notebook = repo_root / "notebooks" / "01-corpus.ipynb"
    path = folder / "one.yaml"
    path.write_text(
        f"name: one\ncorpus_path: {corpus}\nsteps:\n  - notebook: {notebook}\n"
        "outputs:\n  - 01-corpus/documents.csv\n",
        encoding="utf-8",
    )
    return path


def test_run_passes_the_scheduler_to_the_notebooks_and_records_the_cluster(
    tmp_path: Path, demo_path: Path, repo_root: Path
) -> None:
    manifests = {}
    for name, extra in (("here", []), ("cluster", ["--workers", "1"])):
        corpus = tmp_path / f"corpus-{name}"
        corpus.mkdir()
        for file in FILES:
            shutil.copy(demo_path / "raw" / file, corpus / file)
        pipeline = _pipeline(tmp_path, corpus, repo_root)
        done = subprocess.run(
            [str(BIN / "corpus"), "run", str(pipeline), "--runs-dir", str(tmp_path / name), *extra],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        run_dir = tmp_path / name / "one" / "latest"
        manifests[name] = json.loads((run_dir / "manifest.json").read_text())
    cluster = manifests["cluster"]["cluster"]
    address = manifests["cluster"]["parameters"]["01-corpus"]["scheduler"]
    assert address.startswith("tcp://127.0.0.1:") and cluster["scheduler"] == address
    assert cluster["workers"] == 1 and cluster["local_cluster"] is True
    assert cluster["versions"]["corpus"] and cluster["retries"] == 0
    assert "cluster" not in manifests["here"]
    assert manifests["here"]["parameters"]["01-corpus"]["scheduler"] == ""

    def digests(manifest: dict) -> dict[str, str]:
        return {o["path"]: o["sha256"] for s in manifest["steps"] for o in s["outputs"]}

    here, there = digests(manifests["here"]), digests(manifests["cluster"])
    assert here and set(here) == set(there)
    shared = [p for p in here if p.endswith(("documents.csv", "summary.csv"))]
    assert shared and all(here[p] == there[p] for p in shared)
