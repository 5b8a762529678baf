"""The settings fingerprint of ingestion: what, besides the raw files, decides its output.

:func:`settings_fingerprint` hashes the ``corpus.yaml`` ingest options, ``metadata.csv``,
the boilerplate rules, the longest passage, the ingest package's own sources
(:func:`code_fingerprint`) and the versions of the reader libraries
(:func:`reader_library_versions`). :func:`corpus.ingest.pipeline.ingest_corpus` records it
in the file state; when it changes, every raw file is read again instead of serving
tables that older code or settings made.
"""

from __future__ import annotations

import functools
from pathlib import Path

from corpus.context import CorpusContext
from corpus.ingest import clean
from corpus.store import fingerprint, installed_version, sha256_file

#: Changes of the ingest sources are caught by :func:`code_fingerprint` and those of the
#: reader libraries by :func:`reader_library_versions`; bump this to force a full re-read
#: when something else changes the output.
INGEST_VERSION = 1
#: Distributions whose version can change what a file reads as (text, metadata, language,
#: MinHash): an upgrade of one re-reads every file.
READER_DISTRIBUTIONS = (
    "trafilatura",
    "htmldate",
    "lxml",
    "pypdf",
    "python-docx",
    "odfpy",
    "defusedxml",
    "ftfy",
    "charset-normalizer",
    "py3langid",
    "datasketch",
)


@functools.cache
def code_fingerprint() -> str:
    """Hash of the ingest package's source files and resources.

    Part of the settings fingerprint, so a change of the readers or the cleaning code
    re-reads every file instead of serving tables an older version made (the manual
    :data:`INGEST_VERSION` bump is easy to forget).
    """
    package = Path(__file__).resolve().parent
    files = sorted(
        path
        for path in package.rglob("*")
        if path.is_file() and path.suffix in {".py", ".yaml", ".yml", ".json", ".jsonl"}
    )
    return fingerprint([(str(f.relative_to(package)), sha256_file(f)) for f in files])


@functools.cache
def reader_library_versions() -> dict[str, str]:
    """Installed version of each of :data:`READER_DISTRIBUTIONS` (``"absent"`` if none).

    Part of the settings fingerprint, so an upgrade of a reader library re-reads every
    file instead of keeping tables an older version made.
    """
    return {name: installed_version(name, "absent") for name in READER_DISTRIBUTIONS}


def settings_fingerprint(corpus: CorpusContext, max_words: int) -> str:
    """Hash of everything besides the raw files that decides what ingestion produces.

    A change of it (``corpus.yaml`` ingest options, ``metadata.csv``, the boilerplate
    rules, the ingest code, a reader library, :data:`INGEST_VERSION`) re-reads every file.

    Args:
        corpus: The corpus's paths, settings and store.
        max_words: Longest passage in words.

    Returns:
        A short stable hash (:func:`corpus.store.fingerprint`).
    """
    config = corpus.config
    sidecar = corpus.location.metadata_csv
    return fingerprint(
        INGEST_VERSION,
        code_fingerprint(),
        sorted(reader_library_versions().items()),
        config.max_file_size_mb,
        config.near_duplicate_threshold,
        config.language,
        sha256_file(sidecar) if sidecar else None,
        clean.rules_text(),
        max_words,
    )
