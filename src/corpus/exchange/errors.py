"""Errors of the exchange formats, one greppable code per kind of bad input.

``E-QDA-*`` for REFI-QDA projects and codebooks, ``E-EXPORT-*`` for export options.
"""

from __future__ import annotations

from corpus.errors import DataError, UsageError


class QdaError(DataError):
    """A REFI-QDA project cannot be read (not a zip, a bomb, broken XML or references)."""

    code = "E-QDA"


class ExportUsageError(UsageError):
    """An export option is wrong (unknown format, bad ``--where``, output in the way)."""

    code = "E-EXPORT"


class ExportDataError(DataError):
    """The corpus cannot give the requested export (no document matches ``--where``)."""

    code = "E-EXPORT-EMPTY"
