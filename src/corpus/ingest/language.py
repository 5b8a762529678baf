"""Language identification with py3langid (fast, offline).

A document in another language than the corpus's (``corpus.yaml`` ``language``, default
``fr``) is flagged with ``is_french = False``; it is never dropped.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

_SAMPLE_CHARS = 1200  # enough for a stable answer; the cost is linear in it


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str, float]:
    """Return ``(ISO 639-1 code, probability)`` for ``text`` (``("und", 0.0)`` if empty)."""
    sample = text[:_SAMPLE_CHARS]
    if not sample.strip():
        return "und", 0.0
    lang, prob = _identifier().classify(sample)
    return str(lang), float(prob)
