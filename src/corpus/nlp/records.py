"""The record keys of the components (see :mod:`corpus.nlp`), importable without spaCy.

The extraction tables and the staleness check of a re-run need the keys but not spaCy;
:mod:`corpus.nlp.extensions` registers a ``Doc`` extension for each.
"""

from __future__ import annotations

#: Every record key a component may write; each is also a ``doc.spans`` key.
RECORD_KEYS: tuple[str, ...] = (
    "definitions",
    "goals",
    "actors",
    "actor_types",
    "needs",
    "free_needs",
    "stages",
)
