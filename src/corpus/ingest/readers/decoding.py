"""Bytes to text: encoding detection, binary detection, mojibake repair.

Supported encodings are UTF-8 (with or without BOM), UTF-16 with BOM, cp1252 and
latin-1. UTF-8 is tried first (the common case, and strict UTF-8 decoding almost never
succeeds by accident); otherwise ``charset-normalizer`` picks among the others. Text
decoded as latin-1 that still holds C1 control characters is not text in any supported
encoding and is refused. ``ftfy`` then repairs mojibake (UTF-8 read as cp1252, e.g.
``Ã©`` for ``é``) without touching French typographic quotes and apostrophes; it
only runs when a typical mojibake sequence is present (it is the slow part).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import charset_normalizer
import ftfy

from corpus.ingest.errors import BinaryFileError, EmptyFileError, UndecodableError

_C0_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_C1_CONTROLS = re.compile(r"[\x80-\x9f]")
# Lead bytes of UTF-8 sequences read as cp1252/latin-1 ("Ã©", "â€™", "Â "): where ftfy
# could have something to repair. A text without any of them is left as it is.
_MOJIBAKE_HINT = re.compile(
    "[ÃÂâÅÆÐÑÎÏ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2122]"
)
_SUPPORTED = {"utf_8", "utf_8_sig", "utf_16", "utf_16_le", "utf_16_be", "cp1252", "latin_1"}
_SAMPLE = 64 * 1024
#: C0 control bytes other than tab, line feed, form feed and carriage return.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def _looks_binary(data: bytes) -> bool:
    sample = data[:_SAMPLE]
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))  # C speed
    return controls > 0.05 * len(sample)


def decode_bytes(data: bytes, path: str | Path) -> tuple[str, str]:
    """Decode a text file's bytes.

    Args:
        data: The file's bytes.
        path: The file, for error messages.

    Returns:
        ``(text, encoding)`` where text is repaired (ftfy) and NFC-normalised.

    Raises:
        EmptyFileError: No bytes or only white space.
        BinaryFileError: The bytes are binary data (NUL bytes, control characters).
        UndecodableError: No supported encoding decodes the bytes.
    """
    if not data.strip():
        raise EmptyFileError(
            "the file is empty", path=path, hint="Add text to it or remove it from the corpus."
        )
    if _looks_binary(data):
        raise BinaryFileError(
            "the file holds binary data, not text",
            path=path,
            hint="Give it the extension of its real format (for example .pdf) or remove it.",
        )
    text: str | None = None
    encoding = ""
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = data[3:].decode("utf-8", errors="strict"), "utf_8_sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text, encoding = data.decode("utf-16"), "utf_16"
        except UnicodeDecodeError:
            text = None
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf_8"
        except UnicodeDecodeError:
            text = None
    if text is None:
        best = charset_normalizer.from_bytes(
            data[: 4 * _SAMPLE], cp_isolation=["cp1252", "latin_1", "utf_8"]
        ).best()
        candidates = [best.encoding] if best is not None else []
        candidates += ["cp1252", "latin_1"]
        for candidate in candidates:
            if candidate not in _SUPPORTED:
                continue
            try:
                decoded = data.decode(candidate)
            except (UnicodeDecodeError, LookupError):
                continue
            if _C1_CONTROLS.search(decoded):
                continue
            text, encoding = decoded, candidate
            break
    if text is None:
        raise UndecodableError(
            "the bytes are not text in any supported encoding (UTF-8, cp1252, latin-1)",
            path=path,
            hint="Re-save the file as UTF-8 text.",
        )
    if _C0_CONTROLS.search(text):
        text = _C0_CONTROLS.sub("", text)
    if _MOJIBAKE_HINT.search(text):  # ftfy is the slow part: only when it may have work
        text = ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")
    if not text.strip():
        raise EmptyFileError(
            "the file holds only white space", path=path, hint="Add text to it or remove it."
        )
    return text, encoding
