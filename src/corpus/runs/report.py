"""HTML renders of executed notebooks (nbconvert), readable offline.

Notebooks show Plotly figures with the ``plotly_mimetype+notebook`` renderer: JupyterLab
uses the Plotly mimetype; the HTML export uses the ``text/html`` alternative, whose first
figure output embeds plotly.js itself. The export template drops the require.js tag of
nbconvert's ``lab`` template (a CDN script that would make plotly.js register as an AMD
module instead of ``window.Plotly``), so the file works without network.
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
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": source.stem}})
    atomic_write_text(out, body)
    out.chmod(0o644)
    logger.info("rendered %s", out)
    return out
