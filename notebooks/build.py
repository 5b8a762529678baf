"""Build the workbench notebooks from this script: ``.venv/bin/python notebooks/build.py``.

The ``.ipynb`` files are generated (and committed) without outputs, so they stay small
and reviewable; edit the cells here, then rebuild. Each notebook has one cell tagged
``parameters`` (one annotated assignment per line, with a comment) that papermill
documents (``papermill --help-notebook notebooks/01-corpus.ipynb``) and ``corpus run``
checks. Notebooks only call the package and plot: the logic lives in ``corpus``.

Default paths are relative to this folder (the kernel's working folder in JupyterLab);
``corpus run`` passes absolute ones.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
KERNEL = {"name": "corpus", "display_name": "Python (corpus)", "language": "python"}

SETUP = """
import logging
from pathlib import Path

import plotly.io as pio

import corpus
from corpus.store import atomic_write_csv, atomic_write_parquet

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", force=True)
logging.getLogger("corpus").setLevel(logging.INFO)
# JupyterLab draws the Plotly mimetype; the HTML report uses the HTML alternative,
# which embeds plotly.js (the report works offline).
pio.renderers.default = "plotly_mimetype+notebook"

out = Path(out_dir)
out.mkdir(parents=True, exist_ok=True)
c = corpus.open(corpus_path)
c
"""


def notebook(name: str, cells: list[tuple[str, str]]) -> None:
    """Write ``name.ipynb`` from ``(kind, source)`` pairs; kind ``params`` is tagged."""
    built = []
    for kind, source in cells:
        text = source.strip("\n")
        if kind == "md":
            built.append(new_markdown_cell(text))
        else:
            cell = new_code_cell(text)
            if kind == "params":
                cell.metadata["tags"] = ["parameters"]
            built.append(cell)
    for i, cell in enumerate(built):
        cell["id"] = f"{name[:2]}-{i:02d}"  # stable ids: rebuilding changes nothing
    nb = new_notebook(
        cells=built,
        metadata={
            "kernelspec": KERNEL,
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(nb)
    nbformat.write(nb, HERE / f"{name}.ipynb")


# --------------------------------------------------------------------------------------
NB01 = [
    (
        "md",
        """
# 01 — Le corpus : ce qui a été ingéré

Les documents du corpus, les fichiers rejetés (et pourquoi), les doublons repérés, puis
la répartition des documents par genre, région, année et langue.
""",
    ),
    (
        "params",
        """
corpus_path: str = "../corpora/demo"  # corpus folder (corpus.yaml + raw/) or a plain folder
out_dir: str = "../runs/lab/01-corpus"  # output folder for this notebook's tables
group_by: list[str] = ["genre", "region", "year", "language"]  # fields to count documents by
heatmap_rows: str = "genre"  # field in the rows of the heatmap
heatmap_columns: str = "region"  # field in the columns of the heatmap
""",
    ),
    ("code", SETUP),
    (
        "code",
        """
from corpus.plots import corpus as corpus_plots

documents, passages = c.documents, c.passages
rejected, duplicates = c.rejected, c.duplicates
summary = corpus_plots.summary(documents, passages, rejected, duplicates)
atomic_write_csv(out / "summary.csv", summary)
summary
""",
    ),
    ("md", "## Documents"),
    (
        "code",
        """
doc_list = corpus_plots.document_list(documents)
atomic_write_csv(out / "documents.csv", doc_list)
atomic_write_parquet(out / "documents.parquet", doc_list)
doc_list
""",
    ),
    ("md", "## Fichiers rejetés\n\nChaque ligne dit ce qui ne va pas et quoi faire."),
    (
        "code",
        """
rejected_sorted = rejected.sort_values("path", kind="stable").reset_index(drop=True)
atomic_write_csv(out / "rejected.csv", rejected_sorted)
corpus_plots.table_figure(
    rejected_sorted,
    title=f"Fichiers rejetés ({len(rejected_sorted)})",
    labels={"path": "Fichier", "code": "Code", "reason": "Motif et solution"},
).show()
""",
    ),
    ("md", "## Doublons\n\nRien n'est supprimé : les paires sont signalées, à vous de décider."),
    (
        "code",
        """
dups = duplicates.sort_values(["path_a", "path_b"], kind="stable").reset_index(drop=True)
atomic_write_csv(out / "duplicates.csv", dups)
corpus_plots.table_figure(
    dups[["path_a", "path_b", "kind", "similarity"]].round({"similarity": 3}),
    title=f"Paires de doublons ({len(dups)})",
    labels={"path_a": "Document A", "path_b": "Document B", "kind": "Type",
            "similarity": "Similarité"},
).show()
""",
    ),
    ("md", "## Répartition des documents"),
    (
        "code",
        """
for field in group_by:
    counts = corpus_plots.counts_by(documents, field)
    atomic_write_csv(out / f"documents_by_{field}.csv", counts)
    corpus_plots.documents_by(documents, field).show()
""",
    ),
    (
        "code",
        """
corpus_plots.heatmap_by(documents, heatmap_rows, heatmap_columns).show()
""",
    ),
]


def main() -> int:
    notebook("01-corpus", NB01)
    return 0


if __name__ == "__main__":
    sys.exit(main())
