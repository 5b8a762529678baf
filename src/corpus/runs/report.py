"""HTML renders of executed notebooks (nbconvert), readable offline.

Notebooks show Plotly figures with the ``plotly_mimetype+notebook`` renderer: JupyterLab
uses the Plotly mimetype; the HTML export uses the ``text/html`` alternative, whose first
figure output embeds plotly.js itself. The export template drops the require.js tag of
nbconvert's ``lab`` template (a CDN script that would make plotly.js register as an AMD
module instead of ``window.Plotly``), so the file works without network.

A notebook written for readers who will not open it (``06-report``) says so in its
metadata (``"corpus": {"hide_code": true}``, see ``notebooks/build.py``): its render shows
no code at all (the parameters cells included), no prompts and no log lines (stderr);
its figures stay interactive. Other notebooks show their code, except in cells tagged
``hide-input``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import jinja2
import nbformat

from corpus.store import atomic_write_text

logger = logging.getLogger(__name__)

_TEMPLATE_NAME = "corpus_report.html.j2"
#: Tag of the cells whose code the HTML render hides (their outputs stay).
HIDE_INPUT_TAG = "hide-input"
#: Notebook metadata key (under ``corpus``) of a notebook rendered without any code.
HIDE_CODE_KEY = "hide_code"
_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
"""


def render_html(notebook: str | Path, target: str | Path | None = None) -> Path:
    """Render an executed notebook to a standalone HTML file.

    Args:
        notebook: The executed ``.ipynb``.
        target: The HTML file (default: same name with ``.html``).

    Returns:
        The HTML file.
    """
    from nbconvert import HTMLExporter

    source = Path(notebook)
    out = Path(target) if target is not None else source.with_suffix(".html")
    nb = nbformat.read(source, as_version=4)
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        extra_loaders=[jinja2.DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
        template_file=_TEMPLATE_NAME,
    )
    # Cells tagged "hide-input" show only their outputs (a synthesis for readers who do
    # not read code); the parameters a run used stay visible.
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_input_tags={HIDE_INPUT_TAG}, enabled=True), enabled=True
    )
    if is_for_readers(nb):
        exporter.exclude_input = True
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
        nb = without_stderr(nb)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": source.stem}})
    atomic_write_text(out, body)
    out.chmod(0o644)
    logger.info("rendered %s", out)
    return out


def is_for_readers(nb: nbformat.NotebookNode) -> bool:
    """Whether the notebook asks to be rendered without code (see the module doc)."""
    return bool((nb.metadata.get("corpus") or {}).get(HIDE_CODE_KEY))


def without_stderr(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` without stderr stream outputs (log lines, library warnings).

    Errors are ``error`` outputs, not streams, so a failed cell still shows its error.
    """
    import copy

    clean = copy.deepcopy(nb)
    for cell in clean.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")
            ]
    return clean
