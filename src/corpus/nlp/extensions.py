"""Doc extensions that hold the components' records (see :mod:`corpus.nlp`)."""

from __future__ import annotations

from spacy.tokens import Doc

from corpus.nlp.records import RECORD_KEYS

__all__ = ["RECORD_KEYS", "register_extensions"]


def register_extensions() -> None:
    """Register ``doc._.<key>`` for every record key (idempotent).

    The default is ``None`` rather than a shared list, so a component always assigns a
    fresh list and one doc never sees another's records.
    """
    for key in RECORD_KEYS:
        if not Doc.has_extension(key):
            Doc.set_extension(key, default=None)


register_extensions()
