"""Checks that run before a parser sees untrusted bytes.

* Zip archives (``.docx``, ``.odt``): the central directory is inspected *before* any
  member is decompressed: too many members, a total uncompressed size over
  :data:`MAX_UNCOMPRESSED_BYTES`, or a member whose compression ratio is over
  :data:`MAX_RATIO` (and which expands past 1 MB) is a zip bomb.
* The XML parts we read of those archives are parsed with :mod:`defusedxml` first
  (:mod:`corpus.ingest.readers.office_parts`): any entity declaration (billion laughs,
  quadratic blow-up, external entities) is refused, so python-docx and odfpy only ever
  parse XML without entities.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from corpus.ingest.errors import NotZipError, ZipBombError

#: Total uncompressed size above which an office archive is refused.
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
#: Largest accepted compression ratio of one member (office XML compresses ~10-20x).
MAX_RATIO = 200
#: Most members an office archive may hold.
MAX_MEMBERS = 10_000


def open_zip(data: bytes, path: str | Path, *, kind: str) -> zipfile.ZipFile:
    """Open ``data`` as a zip archive after checking it is not a bomb.

    Args:
        data: The file's bytes.
        path: The file, for messages.
        kind: ``"docx"`` or ``"odt"``, for messages.

    Raises:
        NotZipError: The bytes are not a zip archive.
        ZipBombError: The archive would expand to an unreasonable size.
    """
    if not data:
        from corpus.ingest.errors import EmptyFileError

        raise EmptyFileError("the file is empty", path=path, hint="Remove it or replace it.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise NotZipError(
            f"a .{kind} file must be a zip archive and this one is not ({exc})",
            path=path,
            hint=f"Open and re-save it as .{kind} in a word processor, or give it its real "
            "extension.",
        ) from exc
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ZipBombError(
            f"the archive holds {len(members)} members (limit {MAX_MEMBERS})",
            path=path,
            hint="This is not a normal office document; remove it.",
        )
    total = 0
    for info in members:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > MAX_RATIO:
            raise ZipBombError(
                f"member {info.filename!r} expands {ratio:.0f}x to {info.file_size} bytes "
                f"(limit {MAX_RATIO}x): a zip bomb",
                path=path,
                hint="Do not open this file; remove it from the corpus.",
            )
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ZipBombError(
            f"the archive expands to {total} bytes (limit {MAX_UNCOMPRESSED_BYTES}): a zip bomb",
            path=path,
            hint="Do not open this file; remove it from the corpus.",
        )
    return archive
