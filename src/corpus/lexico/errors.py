"""Errors of the lexicometry stage (``E-LEXICO-...``), in the project's one hierarchy.

Each code has one exit code (README, "Lexicometry"):

* exit 5 (the data cannot support the analysis): ``E-LEXICO-TOO-FEW`` (fewer segments
  than the classification needs), ``E-LEXICO-ONE-MODALITY`` (a variable with a single
  modality), ``E-LEXICO-EMPTY-ROWS`` / ``E-LEXICO-EMPTY-COLUMNS`` (a matrix or count table
  with an all-zero row or column), ``E-LEXICO-NOT-FOUND`` (a pivot absent from the corpus);
* exit 2 (a bad argument): ``E-LEXICO-EMPTY-QUERY``, ``E-LEXICO-VARIABLE`` (no such
  metadata variable), ``E-LEXICO-PARAM`` (a parameter out of range), ``E-LEXICO-COUNTS``
  (a count table that is not made of non-negative integers).
"""

from __future__ import annotations

from corpus.errors import DataError, UsageError


class LexicoDataError(DataError):
    """The corpus or matrix cannot support the lexicometric analysis (exit code 5)."""

    code = "E-LEXICO"


class LexicoUsageError(UsageError):
    """A lexicometric function was given a bad argument (exit code 2)."""

    code = "E-LEXICO-PARAM"
