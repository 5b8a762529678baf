"""The Python API that notebooks, the CLI and runs share: ``corpus.open(path)``.

:class:`Corpus` is a thin handle: it knows where the raw files and the store are and
delegates the work to the stage modules (``corpus.ingest``, ``corpus.extract``,
``corpus.topics``), so each stage stays a function over the previous stage's tables.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from corpus.config import CorpusConfig, CorpusLocation, locate
from corpus.store import Store, fingerprint

if TYPE_CHECKING:
    from corpus.engine import Executor
    from corpus.engine.cluster import EngineOptions
    from corpus.ingest.pipeline import IngestReport

logger = logging.getLogger(__name__)


class Corpus:
    """An opened corpus: raw files, settings and the derived-data store.

    Use :func:`open` rather than the constructor.

    Args:
        location: Where the corpus lives (see :func:`corpus.config.locate`).
    """

    def __init__(self, location: CorpusLocation, *, engine: EngineOptions | None = None) -> None:
        self.location = location
        self.store = Store(location.store_dir)
        #: The engine the stages run their partitions on (``None``: this process).
        self.executor: Executor | None = None
        self._engine_options = engine

    def _executor(self, given: Executor | None) -> Executor | None:
        """``given``, else this corpus's engine (connected on first use), else ``None``."""
        if given is not None:
            return given
        if self.executor is None and self._engine_options is not None:
            from corpus.engine.cluster import connect

            self.executor = connect(self._engine_options)
        return self.executor

    def __repr__(self) -> str:
        return f"Corpus({str(self.path)!r}, store={str(self.store.root)!r})"

    # -- where things are ----------------------------------------------------------------
    @property
    def path(self) -> Path:
        """The corpus folder."""
        return self.location.path

    @property
    def raw_dir(self) -> Path:
        """The folder of raw files (never modified)."""
        return self.location.raw_dir

    @property
    def config(self) -> CorpusConfig:
        """Settings from ``corpus.yaml`` (defaults for a plain folder)."""
        return self.location.config

    @property
    def name(self) -> str:
        """The corpus name."""
        return self.config.name

    # -- ingestion -----------------------------------------------------------------------
    def ingest(self, *, progress: bool = False, executor: Executor | None = None) -> IngestReport:
        """Bring the store up to date with the raw files (incremental, locked, atomic).

        Args:
            progress: Show a progress bar (the CLI does).
            executor: Read and clean files on a cluster (default: the corpus's engine).

        Returns:
            What was added, updated, removed, unchanged and rejected.
        """
        from corpus.ingest.pipeline import ingest_corpus

        return ingest_corpus(self, progress=progress, executor=self._executor(executor))

    def _table(self, name: str) -> pd.DataFrame:
        frame = self.store.read_table(name)
        if frame is None:
            self.ingest()
            frame = self.store.read_table(name)
        if frame is None:  # the ingest stage always writes its tables, even empty
            raise RuntimeError(f"ingest wrote no {name!r} table in {self.store.root}")
        if name == "documents" and "year" in frame.columns:
            # Parquet is written without pandas metadata: restore the nullable integer.
            frame["year"] = frame["year"].astype("Int64")
        return frame

    @property
    def documents(self) -> pd.DataFrame:
        """One row per ingested document (``doc_id``, ``path``, ``title``, ``genre``,
        ``year``, ``language``, ``text``...)."""
        return self._table("documents")

    @property
    def passages(self) -> pd.DataFrame:
        """One row per passage (``passage_id``, ``doc_id``, ``start``, ``end``, ``text``)."""
        return self._table("passages")

    @property
    def rejected(self) -> pd.DataFrame:
        """One row per file that could not be ingested (``path``, ``code``, ``reason``)."""
        return self._table("rejected")

    @property
    def duplicates(self) -> pd.DataFrame:
        """Pairs of exact and near duplicate documents, with their similarity."""
        return self._table("duplicates")

    @property
    def fingerprint(self) -> str:
        """A hash of the ingested content: equal fingerprints mean equal documents."""
        docs = self.documents
        return fingerprint(sorted(docs["doc_id"].tolist()) if len(docs) else [])

    # -- extraction ----------------------------------------------------------------------
    def extract(
        self, *, n_process: int = 1, progress: bool = False, executor: Executor | None = None
    ) -> Any:
        """Annotate passages and rebuild the extraction tables where stale.

        Args:
            n_process: Worker processes for spaCy.
            progress: Show a progress bar.
            executor: Annotate on a cluster (default: the corpus's engine).
        """
        from corpus.extract.run import extract_corpus

        return extract_corpus(
            self, n_process=n_process, progress=progress, executor=self._executor(executor)
        )

    def _extraction_table(self, name: str) -> pd.DataFrame:
        from corpus.extract.run import extraction_table

        return extraction_table(self, name)

    def definitions(self) -> pd.DataFrame:
        """Definitions found: term, text, source, year, confidence, doc and offsets."""
        return self._extraction_table("definitions")

    def dimensions(self) -> pd.DataFrame:
        """Definitions × dimensions (one boolean column per dimension)."""
        return self._extraction_table("dimensions")

    def actors(self) -> pd.DataFrame:
        """Named actors: name, aliases, sector, roles, mention count, documents."""
        return self._extraction_table("actors")

    def mentions(self) -> pd.DataFrame:
        """Every actor mention with its passage, offsets and role evidence."""
        return self._extraction_table("mentions")

    def actor_types(self) -> pd.DataFrame:
        """Unnamed actor categories discussed, mapped to sectors, per passage."""
        return self._extraction_table("actor_types")

    def needs(self) -> pd.DataFrame:
        """Social needs per passage with evidence (and free 'besoin de X' phrases)."""
        return self._extraction_table("needs")

    def stages(self) -> pd.DataFrame:
        """Stages of the innovation process per passage with evidence."""
        return self._extraction_table("stages")

    # -- topics --------------------------------------------------------------------------
    def topics(self, *, seed: int = 0, **params: Any) -> Any:
        """Fit themes (BERTopic) on the passages; write the topic tables to the store.

        Args:
            seed: The random state (same seed, same corpus -> same topics).
            **params: See :func:`corpus.topics.api.fit_topics` (``n_topics``,
                ``min_topic_size``, ``embeddings``, ``stop_terms``...).

        Returns:
            A :class:`corpus.topics.api.TopicResult` (``.topics``, ``.passage_topics``,
            ``.document_topics``, ``.per_class(field)``, ``.over_time()``, ``.evaluate()``).
        """
        from corpus.topics.api import fit_topics

        params.setdefault("executor", self._executor(None))
        return fit_topics(self, seed=seed, **params)


def open(
    path: str | Path,
    *,
    store: str | Path | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
) -> Corpus:
    """Open a corpus folder (with ``corpus.yaml``) or a plain folder of files.

    Nothing is read until a table is asked for; the first access ingests (incrementally).

    Args:
        path: The corpus folder.
        store: Overrides where derived data is kept.
        scheduler: Run the stages' partitions on this Dask scheduler (default:
            ``CORPUS_SCHEDULER`` when set, else this process); connected on first use.
        workers: Run them on a local cluster of this many worker processes instead.

    Returns:
        The corpus handle.

    Raises:
        CorpusNotFoundError: ``path`` is not an existing folder.
        ConfigError: ``corpus.yaml`` is invalid.
    """
    from corpus.engine.cluster import EngineOptions

    options = EngineOptions.resolve(workers=workers, scheduler=scheduler or None)
    return Corpus(locate(path, store=store), engine=options)
