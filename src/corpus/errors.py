"""One hierarchy of errors, each with a greppable code and an exit code.

Every message names what is wrong, where, and what to do, e.g.::

    [E-INGEST-EMPTY] raw/notes.txt: the file is empty. Add text to it or remove it.

Grep a code (``E-INGEST-EMPTY``) in the source or the README to find where it is raised
and documented.
"""

from __future__ import annotations

from pathlib import Path

# Exit codes of the `corpus` CLI (documented in the README).
EXIT_OK = 0  # success
EXIT_FAILURE = 1  # the work failed (a bug, a failed run step, an unexpected error)
EXIT_USAGE = 2  # bad command line: unknown option, wrong type, missing path
EXIT_PARTIAL = 3  # done, but some inputs were rejected (see the rejected table)
EXIT_LOCKED = 4  # another process holds the store lock
EXIT_DATA = 5  # the input data cannot support the analysis (empty corpus, too few passages)


class CorpusError(Exception):
    """Base of every error `corpus` raises on purpose.

    Attributes:
        code: Short greppable code such as ``E-INGEST-EMPTY``.
        exit_code: Exit code the CLI uses when this error ends a command.
        path: The file or folder concerned, if any.
        hint: What the user can do about it.
    """

    code: str = "E-CORPUS"
    exit_code: int = EXIT_FAILURE

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        hint: str | None = None,
        code: str | None = None,
    ) -> None:
        if code is not None:
            self.code = code
        self.path = str(path) if path is not None else None
        self.hint = hint
        self.reason = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = f"{self.path}: " if self.path else ""
        hint = f" {self.hint}" if self.hint else ""
        return f"[{self.code}] {where}{self.reason}.{hint}".replace("..", ".")


class UsageError(CorpusError):
    """The command or call was given a bad argument."""

    code = "E-USAGE"
    exit_code = EXIT_USAGE


class CorpusNotFoundError(UsageError):
    """The corpus path does not exist or is not a folder."""

    code = "E-CORPUS-NOT-FOUND"


class ConfigError(UsageError):
    """A configuration file (corpus.yaml, pipeline YAML, resource file) is invalid."""

    code = "E-CONFIG"


class StoreError(CorpusError):
    """The derived-data store cannot be read or written."""

    code = "E-STORE"


class StoreLockedError(StoreError):
    """Another process holds the store's lock."""

    code = "E-STORE-LOCKED"
    exit_code = EXIT_LOCKED


class IngestError(CorpusError):
    """One input file cannot be ingested; it becomes a row of the rejected table.

    Subclasses set ``code``; the reader raises them and the ingest loop records them,
    so one bad file never stops the rest of the corpus.
    """

    code = "E-INGEST"
    exit_code = EXIT_PARTIAL


class DataError(CorpusError):
    """The data cannot support the requested analysis (empty corpus, too few passages...)."""

    code = "E-DATA"
    exit_code = EXIT_DATA


class ExtractionError(CorpusError):
    """Extraction or evaluation failed (bad gold file, bad resource file...)."""

    code = "E-EXTRACT"


class TopicError(DataError):
    """Topic modelling cannot run on this input."""

    code = "E-TOPICS"


class RunError(CorpusError):
    """A pipeline run failed or was refused."""

    code = "E-RUN"


class ParameterError(RunError):
    """A run parameter is unknown, of the wrong type, or missing."""

    code = "E-RUN-PARAM"
    exit_code = EXIT_USAGE


class EngineError(CorpusError):
    """The distributed engine (Dask) cannot run the work: no scheduler, mismatched
    workers, or a partition whose worker died on every retry."""

    code = "E-ENGINE"


class EngineUsageError(EngineError):
    """The cluster cannot be used as given (no answer, different versions): nothing ran."""

    code = "E-ENGINE-CONNECT"
    exit_code = EXIT_USAGE
