"""The ingest stage's tables as the later stages read them.

:func:`ingest_table` serves ``documents``, ``passages``, ``rejected`` or ``duplicates``
from the store, ingesting first when the store has none yet (the first access to a new
corpus). The extraction and topics stages read their input through it, so they need
only a :class:`~corpus.context.CorpusContext`, never the API handle.
"""

from __future__ import annotations

import pandas as pd

from corpus.context import CorpusContext, HasContext, as_context


def ingest_table(corpus: CorpusContext | HasContext, name: str) -> pd.DataFrame:
    """Table ``name`` of the ingest stage, ingesting first if the store has none.

    Args:
        corpus: The corpus (a context or a handle carrying one).
        name: ``documents``, ``passages``, ``rejected`` or ``duplicates``.

    Returns:
        The table (``year`` of ``documents`` as a nullable integer).
    """
    context = as_context(corpus)
    store = context.store
    frame = store.read_table(name)
    if frame is None:
        from corpus.ingest.pipeline import ingest_corpus

        ingest_corpus(context)
        frame = store.read_table(name)
    if frame is None:  # the ingest stage always writes its tables, even empty
        raise RuntimeError(f"ingest wrote no {name!r} table in {store.root}")
    if name == "documents" and "year" in frame.columns:
        # Parquet is written without pandas metadata: restore the nullable integer.
        frame["year"] = frame["year"].astype("Int64")
    return frame
