"""HTML renders open in headless Chromium and their Plotly figures draw (offline).

Chromium is Debian's ``chromium`` package; ``make test`` installs it (``make browser``).
The check is on the DOM *after* scripts ran: Plotly's ``main-svg`` elements exist only if
plotly.js loaded from the file itself and drew the figure.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from corpus.runs import render_html, run_pipeline

FIXTURES = Path(__file__).parent / "fixtures" / "runs"


def rendered_dom(html: Path, profile: Path) -> str:
    """The DOM of ``html`` after its scripts ran, from headless Chromium (no network)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.fail("chromium is not installed: run `make browser` (make test does it)")
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            html.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.slow
def test_run_html_report_draws_plotly_figures_offline(tmp_path: Path) -> None:
    work = tmp_path / "work"
    shutil.copytree(FIXTURES, work, ignore=shutil.ignore_patterns("build.py", "__pycache__"))
    result = run_pipeline(work / "tiny.yaml", runs_dir=work / "runs")
    assert result.ok, result.manifest
    html = result.run_dir / "plot.html"
    source = html.read_text(encoding="utf-8")
    assert "Plotly.newPlot" in source  # the figure's script...
    assert "require.min.js" not in source  # ...with no CDN loader in the way
    dom = rendered_dom(html, tmp_path / "profile")
    assert 'class="main-svg"' in dom  # ...and Chromium drew it
    assert "Valeurs tirées" in dom  # the figure's French title, drawn as SVG text
    # The check can fail: the step without figures renders a table and no main-svg.
    other = rendered_dom(result.run_dir / "count.html", tmp_path / "profile")
    assert "a.txt" in other
    assert 'class="main-svg"' not in other
    # Rendering again gives the same file (the HTML of a run is rebuildable).
    again = render_html(result.run_dir / "plot.ipynb", tmp_path / "plot.html")
    assert again.read_bytes() == html.read_bytes()
