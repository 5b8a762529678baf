"""A notebook for readers (``"corpus": {"hide_code": true}``) renders without any code.

The executed notebook is built by hand (no kernel): a parameters cell, papermill's
injected parameters, a cell that logs to stderr and prints, and a cell with a Plotly
figure as the ``notebook`` renderer outputs it.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import plotly.graph_objects as go
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from corpus.runs import render_html
from corpus.runs.report import HIDE_CODE_KEY

PARAMS = 'corpus_path: str = "corpora/secret-path"  # corpus folder'
INJECTED = 'corpus_path = "/srv/corpora/injected-path"'


def _executed(path: Path, *, for_readers: bool) -> Path:
    figure = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]), layout={"title": "Valeurs lues"})
    cells = [
        new_code_cell(PARAMS, metadata={"tags": ["parameters"]}),
        new_code_cell(INJECTED, metadata={"tags": ["injected-parameters"]}),
        new_code_cell(
            "logging.info('x'); print(n)",
            outputs=[
                new_output("stream", name="stderr", text="INFO corpus.topics: journal interne\n"),
                new_output("stream", name="stdout", text="12 définitions trouvées\n"),
            ],
        ),
        new_code_cell(
            "figure.show()",
            outputs=[
                new_output(
                    "display_data",
                    data={"text/html": figure.to_html(include_plotlyjs=True, full_html=False)},
                )
            ],
        ),
    ]
    metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3"}}
    if for_readers:
        metadata["corpus"] = {HIDE_CODE_KEY: True}
    nbformat.write(new_notebook(cells=cells, metadata=metadata), path)
    return path


def test_a_notebook_for_readers_renders_outputs_only(tmp_path: Path) -> None:
    html = render_html(_executed(tmp_path / "report.ipynb", for_readers=True)).read_text()
    assert "secret-path" not in html and "injected-path" not in html  # no parameters
    assert 'class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor"' not in html  # no code
    assert 'class="jp-InputPrompt jp-InputArea-prompt"' not in html  # no prompts
    assert "journal interne" not in html  # no log lines
    assert "12 définitions trouvées" in html  # printed results stay
    assert "Plotly.newPlot" in html and "Valeurs lues" in html  # the figure stays


def test_other_notebooks_keep_their_code_and_logs(tmp_path: Path) -> None:
    html = render_html(_executed(tmp_path / "lab.ipynb", for_readers=False)).read_text()
    assert "secret-path" in html and "injected-path" in html
    assert html.count('class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor"') == 4
    assert "journal interne" in html


@pytest.mark.slow
def test_a_notebook_for_readers_still_draws_its_figure(tmp_path: Path) -> None:
    from test_report import rendered_dom

    html = render_html(_executed(tmp_path / "report.ipynb", for_readers=True))
    dom = rendered_dom(html, tmp_path / "profile")
    assert 'class="main-svg"' in dom and "Valeurs lues" in dom
