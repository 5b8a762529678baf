"""What the readers and their libraries say about one file, captured and summarised.

A damaged PDF can make pypdf log "Ignoring wrong pointing object" hundreds of times, and
an IRaMuTeQ corpus can have an odd header on every text: printed as they come, they
drown the console. While the ingest stage reads a file, :func:`capture` collects the log
records of the reader libraries (:data:`CAPTURED_LOGGERS`) and the Python warnings they
raise, for that file only. :meth:`FileDiagnostics.emit` then logs every record at debug
level (the detail, shown by ``corpus -v``) and at most one warning line for the file,
counting what was repaired or assumed ("repaired 312 broken object references (pypdf)").
"""

from __future__ import annotations

import logging
import re
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

#: Loggers whose records are captured while a file is read (with their children). The
#: pipeline's and this module's loggers are not: they report on the files.
CAPTURED_LOGGERS = (
    "corpus.ingest.readers",
    "corpus.ingest.clean",
    "corpus.ingest.metadata",
    "corpus.ingest.language",
    "corpus.ingest.passages",
    "corpus.ingest.duplicates",
    "pypdf",
    "PyPDF2",
    "trafilatura",
    "htmldate",
    "courlan",
    "justext",
    "charset_normalizer",
    "docx",
    "odf",
    "ftfy",
    "py3langid",
    "datasketch",
    "PIL",
)
#: Known messages and how the summary counts them: (pattern, phrase with ``{n}``).
KNOWN_MESSAGES = (
    (re.compile(r"^Ignoring wrong pointing object"), "repaired {n} broken object reference(s)"),
    (re.compile(r"^incorrect startxref pointer"), "repaired {n} wrong cross-reference offset(s)"),
    (re.compile(r"^Invalid parent xref"), "repaired {n} cross-reference table(s)"),
    (re.compile(r"^parsing for Object Streams"), "rebuilt the cross-reference table"),
    (re.compile(r"^Multiple definitions in dictionary"), "ignored {n} duplicate key(s)"),
    (re.compile(r"^Overwriting cache for"), "re-read {n} object(s) defined twice"),
    (re.compile(r"line \d+: "), "read {n} odd IRaMuTeQ header(s) as IRaMuTeQ does"),
)
_DIGITS = re.compile(r"\d+")


@dataclass
class FileDiagnostics:
    """The records and warnings captured while one file was read.

    Attributes:
        path: The raw file (relative to the raw folder).
        records: Log records of the reader libraries.
        caught: Python warnings raised while reading.
    """

    path: str
    records: list[logging.LogRecord] = field(default_factory=list)
    caught: list[warnings.WarningMessage] = field(default_factory=list)

    @property
    def messages(self) -> list[tuple[str, str]]:
        """``(source, message)`` of every warning-level record and Python warning."""
        found = [
            (record.name.split(".")[0], record.getMessage())
            for record in self.records
            if record.levelno >= logging.WARNING
        ]
        found += [(w.category.__name__, str(w.message)) for w in self.caught]
        return found

    @property
    def count(self) -> int:
        """Warnings captured (records at warning level or above, and Python warnings)."""
        return len(self.messages)

    def summary(self) -> str | None:
        """One line counting what was repaired or assumed, or ``None`` if nothing was."""
        messages = self.messages
        if not messages:
            return None
        phrases: Counter[str] = Counter()
        others: Counter[str] = Counter()
        first_other: dict[str, str] = {}
        for source, message in messages:
            phrase = next((p for pattern, p in KNOWN_MESSAGES if pattern.search(message)), None)
            if phrase is not None:
                phrases[phrase if source == "corpus" else f"{phrase} ({source})"] += 1
            else:
                others[source] += 1
                first_other.setdefault(source, message)
        parts = [phrase.format(n=n) for phrase, n in phrases.items()]
        parts += [
            f"{n} {'' if source == 'corpus' else f'{source} '}warning(s) "
            f"(first: {_short(first_other[source])})"
            for source, n in others.items()
        ]
        return f"{self.path}: {'; '.join(parts)}; details with corpus -v"

    def emit(self) -> None:
        """Log every captured record at debug level, then the summary line as a warning."""
        for record in self.records:
            logger.debug("%s: %s: %s", self.path, record.name, record.getMessage())
        for caught in self.caught:
            logger.debug("%s: %s: %s", self.path, caught.category.__name__, caught.message)
        line = self.summary()
        if line is not None:
            logger.warning("%s", line)


def _short(message: str, limit: int = 120) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 1] + "…"


class _Collector(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.NOTSET)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Capture:
    """Capture for a run of files: loggers and warning filters are set up once.

    :meth:`start` attaches one collector to :data:`CAPTURED_LOGGERS` (and stops their
    propagation to the console) and records Python warnings under
    :func:`warnings.catch_warnings`; :meth:`file` then routes what is logged or warned
    to the diagnostics of the file being read; :meth:`stop` restores everything. What
    is logged between files is kept apart (:attr:`between`) and logged at debug level on
    :meth:`stop`.
    """

    def __init__(self) -> None:
        self.between: list[logging.LogRecord] = []
        self._collector = _Collector(self.between)
        self._saved: list[tuple[logging.Logger, bool]] = []
        self._catcher: Any = None
        self._caught: list[warnings.WarningMessage] = []

    def start(self) -> None:
        """Attach the collector and start recording warnings."""
        for name in CAPTURED_LOGGERS:
            captured = logging.getLogger(name)
            self._saved.append((captured, captured.propagate))
            captured.addHandler(self._collector)
            captured.propagate = False
        self._catcher = warnings.catch_warnings(record=True)
        self._caught = self._catcher.__enter__()
        warnings.simplefilter("always")  # every occurrence counts, until stop()

    def stop(self) -> None:
        """Restore the loggers and the warning filters (idempotent)."""
        if self._catcher is not None:
            self._catcher.__exit__(None, None, None)
            self._catcher = None
        for captured, propagate in self._saved:
            captured.removeHandler(self._collector)
            captured.propagate = propagate
        self._saved = []
        for record in self.between:
            logger.debug("between files: %s: %s", record.name, record.getMessage())
        self.between.clear()

    @contextmanager
    def file(self, path: str) -> Iterator[FileDiagnostics]:
        """Route what is logged or warned in the block to the diagnostics of ``path``."""
        diagnostics = FileDiagnostics(path)
        self._collector.records = diagnostics.records
        del self._caught[:]
        try:
            yield diagnostics
        finally:
            diagnostics.caught.extend(self._caught)
            del self._caught[:]
            self._collector.records = self.between


@contextmanager
def capture(path: str) -> Iterator[FileDiagnostics]:
    """Collect what the reader libraries log and warn while one file, ``path``, is read.

    The captured loggers stop propagating to the console for the duration of the block
    (their settings are restored after it); Python warnings are recorded under
    :func:`warnings.catch_warnings`, which restores the filters on exit. For a run of
    files, :class:`Capture` sets this up once.

    Args:
        path: The raw file, for the summary.

    Yields:
        The diagnostics, filled in as the block runs.
    """
    run = Capture()
    run.start()
    try:
        with run.file(path) as diagnostics:
            yield diagnostics
    finally:
        run.stop()
