"""The topics stage: BERTopic tuned for French passages (see :mod:`corpus.topics.api`).

Importing this package first imports ``tqdm.auto`` once, without the warning tqdm gives in
a Jupyter kernel that has no ipywidgets ("IProgress not found. Please update jupyter and
ipywidgets"). UMAP imports ``tqdm.auto`` when it is imported (BERTopic imports UMAP, and
so does a fit), and tqdm then falls back to its console bar, which is what it does
without the warning too: our fits run UMAP with ``verbose=False`` and draw no progress
bar, so the warning was only noise in every executed ``05-topics`` notebook. The filter
is scoped to this one import and this one message; no global warning filter is set.
"""

from __future__ import annotations

import sys
import warnings

#: The start of the message of tqdm's ``TqdmWarning`` when ipywidgets is missing.
NO_IPYWIDGETS_WARNING = "IProgress not found"


def _import_tqdm_auto() -> None:
    """Import ``tqdm.auto`` (and so pick tqdm's bar class) without its ipywidgets warning."""
    if "tqdm.auto" in sys.modules:
        return
    from tqdm import TqdmWarning

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=NO_IPYWIDGETS_WARNING, category=TqdmWarning)
        import tqdm.auto  # noqa: F401


_import_tqdm_auto()
