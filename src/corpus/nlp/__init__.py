"""Our spaCy components over ``fr_core_news_md``.

Contract shared by the components and the extraction tables (``corpus.extract``):

* A component processes one passage (a ``Doc``); offsets are characters in that doc.
* It writes labelled spans to ``doc.spans[KEY]`` (for display and for anyone using the
  component on its own) and, for the tables, JSON-serialisable records (plain dicts with
  at least ``start`` and ``end`` character offsets) to the Doc extension of the same
  name, which DocBin keeps in ``user_data``:

  ==================  ======================  ===========================================
  span key            span label              record fields (``doc._.<key>``)
  ==================  ======================  ===========================================
  ``definitions``     normalised term         term, text, start, end, cue, source, year,
                                              confidence, dimensions (list of ids or
                                              null), features (candidates: the spans
                                              hold those the rules keep)
  ``goals``           normalised term         term, text, start, end, cue
  ``actors``          sector                  text, start, end, name, acronym, sector,
                                              kind (org/person), origin, roles (list of
                                              {role, cue, evidence, evidence_start,
                                              evidence_end})
  ``actor_types``     sector                  text, start, end, category, sector
  ``needs``           need id                 need, text, start, end, evidence, cue
  ``free_needs``      ``besoin``              text, start, end, object
  ``stages``          stage id                stage, text, start, end, evidence, cue
  ==================  ======================  ===========================================

Factories are registered in :mod:`corpus.nlp.factories`; the pipeline is built and
cached by :mod:`corpus.nlp.pipeline`.

Importing this package loads no spaCy (a re-run that finds nothing stale must stay
cheap): ``register_extensions`` is imported from :mod:`corpus.nlp.extensions` on first use.
"""

from __future__ import annotations

from typing import Any

from corpus.nlp.records import RECORD_KEYS

__all__ = ["RECORD_KEYS", "register_extensions"]


def __getattr__(name: str) -> Any:
    if name == "register_extensions":
        from corpus.nlp.extensions import register_extensions

        return register_extensions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
