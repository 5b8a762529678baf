"""The ingest stage: read raw files, clean, describe, split into passages, flag duplicates.

Entry point: :func:`corpus.ingest.pipeline.ingest_corpus` (or ``corpus.open(p).ingest()``).
One reader per format lives in :mod:`corpus.ingest.readers`.
"""

from __future__ import annotations

__all__: list[str] = []
