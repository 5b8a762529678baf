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
import threading
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


class _Router(logging.Handler):
    """Sends each record to the diagnostics of the file its thread is reading."""

    def emit(self, record: logging.LogRecord) -> None:
        target = getattr(_THREAD, "records", None)
        (target if target is not None else _BETWEEN).append(record)


def _route_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    caught = warnings.WarningMessage(message, category, filename, lineno, file, line)
    target = getattr(_THREAD, "caught", None)
    if target is not None:
        target.append(caught)
    else:
        logger.debug("between files: %s: %s", category.__name__, message)


#: Shared by every :class:`Capture` of the process: the first start installs the router
#: and the warning hook, the last stop removes them (threads of a Dask worker may read
#: files at the same time; each thread's records go to its own file).
_STATE = threading.Lock()
_THREAD = threading.local()
_BETWEEN: list[logging.LogRecord] = []
_ROUTER = _Router(logging.NOTSET)
_installed: dict[str, Any] = {"users": 0, "saved": [], "catcher": None}


class Capture:
    """Capture for a run of files: loggers and warning hooks are set up once.

    :meth:`start` attaches a handler to :data:`CAPTURED_LOGGERS` (and stops their
    propagation to the console) and routes Python warnings (under
    :func:`warnings.catch_warnings`, every occurrence counted); :meth:`file` sends what
    is logged or warned by the current thread to the diagnostics of the file it reads;
    :meth:`stop` restores everything once the last capture of the process stops. What
    is logged between files is logged at debug level on that last stop.
    """

    def __init__(self) -> None:
        self._started = False

    def start(self) -> None:
        """Attach the handler and the warning hook (shared by concurrent captures)."""
        with _STATE:
            if self._started:
                return
            self._started = True
            _installed["users"] += 1
            if _installed["users"] > 1:
                return
            for name in CAPTURED_LOGGERS:
                captured = logging.getLogger(name)
                _installed["saved"].append((captured, captured.propagate))
                captured.addHandler(_ROUTER)
                captured.propagate = False
            catcher = warnings.catch_warnings()
            catcher.__enter__()
            warnings.simplefilter("always")  # every occurrence counts, until the last stop
            warnings.showwarning = _route_warning
            _installed["catcher"] = catcher

    def stop(self) -> None:
        """Restore the loggers and the warning filters when the last capture stops."""
        with _STATE:
            if not self._started:
                return
            self._started = False
            _installed["users"] -= 1
            if _installed["users"] > 0:
                return
            _installed["catcher"].__exit__(None, None, None)
            _installed["catcher"] = None
            for captured, propagate in _installed["saved"]:
                captured.removeHandler(_ROUTER)
                captured.propagate = propagate
            _installed["saved"] = []
            between = list(_BETWEEN)
            _BETWEEN.clear()
        for record in between:
            logger.debug("between files: %s: %s", record.name, record.getMessage())

    @contextmanager
    def file(self, path: str) -> Iterator[FileDiagnostics]:
        """Send what this thread logs or warns in the block to the diagnostics of ``path``."""
        diagnostics = FileDiagnostics(path)
        _THREAD.records, _THREAD.caught = diagnostics.records, diagnostics.caught
        try:
            yield diagnostics
        finally:
            _THREAD.records = _THREAD.caught = None


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
