"""Specific ingestion errors: one class, one greppable code per kind of bad input.

Each becomes one console line and one row of the ``rejected`` table (``path``, ``code``,
``reason``); the rest of the corpus is ingested and no input file is touched.
"""

from __future__ import annotations

from corpus.errors import IngestError

__all__ = [
    "BinaryFileError",
    "CorruptDocumentError",
    "EmptyFileError",
    "FileTooLargeError",
    "IngestError",
    "NoTextError",
    "NotZipError",
    "PdfCorruptError",
    "PdfEncryptedError",
    "PdfNoTextError",
    "ReadError",
    "SymlinkOutsideError",
    "UndecodableError",
    "UnsupportedFormatError",
    "XmlBombError",
    "ZipBombError",
]


class EmptyFileError(IngestError):
    """The file has no bytes, or only white space."""

    code = "E-INGEST-EMPTY"


class BinaryFileError(IngestError):
    """A text file (.txt, .md) holds binary data."""

    code = "E-INGEST-BINARY"


class UndecodableError(IngestError):
    """The bytes are not valid UTF-8, cp1252 or latin-1 text."""

    code = "E-INGEST-ENCODING"


class PdfCorruptError(IngestError):
    """The PDF is truncated or corrupt."""

    code = "E-INGEST-PDF-CORRUPT"


class PdfEncryptedError(IngestError):
    """The PDF is protected by a password."""

    code = "E-INGEST-PDF-ENCRYPTED"


class PdfNoTextError(IngestError):
    """The PDF has no text layer (a scan); no OCR is done."""

    code = "E-INGEST-PDF-NO-TEXT"


class NotZipError(IngestError):
    """A .docx/.odt file is not a zip archive."""

    code = "E-INGEST-NOT-ZIP"


class ZipBombError(IngestError):
    """A .docx/.odt archive would expand to an unreasonable size."""

    code = "E-INGEST-ZIP-BOMB"


class XmlBombError(IngestError):
    """An XML part declares entities (entity-expansion bomb) or a forbidden DTD."""

    code = "E-INGEST-XML-BOMB"


class CorruptDocumentError(IngestError):
    """A .docx/.odt/.html file cannot be parsed."""

    code = "E-INGEST-CORRUPT"


class SymlinkOutsideError(IngestError):
    """A symbolic link points outside the corpus folder (or nowhere)."""

    code = "E-INGEST-SYMLINK-OUTSIDE"


class FileTooLargeError(IngestError):
    """The file is over the size limit (``ingest.max_file_size_mb``)."""

    code = "E-INGEST-TOO-LARGE"


class UnsupportedFormatError(IngestError):
    """No reader is registered for the file's extension."""

    code = "E-INGEST-UNSUPPORTED"


class NoTextError(IngestError):
    """The file was read but no text is left after cleaning."""

    code = "E-INGEST-NO-TEXT"


class ReadError(IngestError):
    """The file cannot be read from disk (permissions, I/O error)."""

    code = "E-INGEST-READ"
