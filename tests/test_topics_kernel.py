"""The topic libraries imported in a Jupyter kernel, as ``05-topics`` does."""

from __future__ import annotations

import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

pytestmark = pytest.mark.slow


def _outputs(*sources: str) -> str:
    """Execute ``sources`` as cells on the ``corpus`` kernel; all their outputs as text."""
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    NotebookClient(nb, kernel_name="corpus", timeout=300).execute()
    texts = []
    for cell in nb.cells:
        for output in cell.outputs:
            texts.append(output.get("text", "") or str(output.get("data", "")))
    return "\n".join(texts)


def test_importing_the_topic_model_and_umap_in_a_kernel_gives_no_ipywidgets_warning() -> None:
    text = _outputs(
        "import warnings\nwarnings.simplefilter('always')",  # show every warning, once or not
        "import corpus.topics.model\nfrom umap import UMAP",
        "import tqdm.auto, tqdm.std\nprint('bar:', tqdm.auto.tqdm.__mro__[1].__module__)",
    )
    assert "IProgress" not in text and "ipywidgets" not in text, text
    # Without ipywidgets tqdm uses its console bar, as it did with the warning.
    assert "bar: tqdm" in text and "notebook" not in text.split("bar:")[1], text


def test_without_the_quiet_import_the_kernel_shows_the_warning() -> None:
    """Control: the same kernel, importing tqdm.auto before corpus, shows the warning."""
    text = _outputs(
        "import warnings\nwarnings.simplefilter('always')",
        "import tqdm.auto",
    )
    assert "IProgress not found" in text, text
