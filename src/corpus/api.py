"""The Python API that notebooks, the CLI and runs share: ``corpus.open(path)``.

:class:`Corpus` is a thin handle: it knows where the raw files and the store are and
delegates the work to the stage modules (``corpus.ingest``, ``corpus.extract``,
``corpus.topics``), so each stage stays a function over the previous stage's tables. This
is the only module that composes the stages; they are given the corpus's
:class:`~corpus.context.CorpusContext` (paths, settings, store) and never import it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from corpus.config import CorpusLocation, locate
from corpus.context import CorpusContext, Located
from corpus.store import Store, fingerprint

if TYPE_CHECKING:
    from corpus.engine import Executor
    from corpus.engine.cluster import EngineOptions
    from corpus.ingest.pipeline import IngestReport

logger = logging.getLogger(__name__)


class Corpus(Located):
    """An opened corpus: raw files, settings and the derived-data store.

    Use :func:`open` rather than the constructor.

    Args:
        location: Where the corpus lives (see :func:`corpus.config.locate`).
    """

    def __init__(self, location: CorpusLocation, *, engine: EngineOptions | None = None) -> None:
        self.location = location
        self.store = Store(location.store_dir)
        self.context = CorpusContext(location=location, store=self.store)
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

    def _ingested(self, executor: Executor | None) -> None:
        """Ingest on the engine first when the store has no tables yet (the stages would
        otherwise ingest in this process on their first read)."""
        if executor is not None and not self.store.has_table("passages"):
            self.ingest(executor=executor)

    def __repr__(self) -> str:
        return f"Corpus({str(self.path)!r}, store={str(self.store.root)!r})"

    # -- where things are (path, raw_dir, config: from Located) ---------------------------
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

        return ingest_corpus(self.context, progress=progress, executor=self._executor(executor))

    def _table(self, name: str) -> pd.DataFrame:
        from corpus.ingest.tables import ingest_table

        return ingest_table(self.context, name)

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

        executor = self._executor(executor)
        self._ingested(executor)
        return extract_corpus(
            self.context, n_process=n_process, progress=progress, executor=executor
        )

    def _extraction_table(self, name: str) -> pd.DataFrame:
        from corpus.extract.run import extraction_table

        return extraction_table(self.context, name)

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

    # -- exchange with QDA tools -----------------------------------------------------------
    @property
    def codes(self) -> pd.DataFrame:
        """Coded selections of a corpus imported from a REFI-QDA project (``codes.csv``):
        ``document``, ``start``, ``end``, ``code``, ``text``, ``coder``, ``created``; empty
        when the corpus has none."""
        from corpus.exchange.qdpx_import import read_codes

        return read_codes(self.path / "codes.csv")

    def export(self, to: str, out: str | Path, *, where: list[str] | None = None) -> Any:
        """Export the corpus (or the ``where`` sub-corpus) for another tool.

        Args:
            to: ``qdpx``, ``qdc``, ``iramuteq``, ``xlsx``, ``csv`` or ``parquet``.
            out: The file (``qdpx``, ``qdc``, ``iramuteq``) or folder (table formats).
            where: ``FIELD=VALUE`` conditions on the documents' metadata.

        Returns:
            A :class:`corpus.exchange.export.ExportResult`.
        """
        from corpus.exchange.export import TOPIC_TABLES, export_corpus
        from corpus.extract.run import actor_builder, extraction_table
        from corpus.extract.tables import TABLE_NAMES
        from corpus.store import installed_version

        ingest_tables = ("passages", "rejected", "duplicates")
        topics_current = self._stored_topics_current()

        def table(name: str) -> pd.DataFrame | None:
            if name in ingest_tables:
                return self._table(name)
            if name in TABLE_NAMES:
                return extraction_table(self, name)
            if name in TOPIC_TABLES:
                return self.store.read_table(name) if topics_current else None
            return None

        dimensions: dict[str, str] = {}
        if to in ("xlsx", "csv", "parquet"):
            from corpus.nlp.dimensions import default_coder

            dimensions = {d.id: d.label for d in default_coder().dimensions}
        return export_corpus(
            to,
            out,
            name=self.name,
            origin=f"corpus {installed_version('corpus', 'dev')}",
            documents=self.documents,
            table=table,
            table_names=[*ingest_tables, *TABLE_NAMES, *TOPIC_TABLES],
            where=where or [],
            dimensions=dimensions,
            description=self.config.description,
            build_actors=actor_builder(self) if to in ("qdpx",) else None,
        )

    def _stored_topics_current(self) -> bool:
        """Whether the store's topic tables were fitted on the current passages."""
        summary = self.store.read_json("topics") or {}
        passages = self.passages
        return bool(
            self.store.has_table("topics")
            and summary.get("corpus_fingerprint")
            == fingerprint(sorted(passages["passage_id"].tolist()))
        )

    # -- trained scorers and the correction loop ---------------------------------------
    @property
    def scorers(self) -> dict[str, Any]:
        """Which scorers decide for this corpus: per field ``shipped``, ``adapted`` or ``rules``."""
        from corpus.scorers.registry import provenance

        return provenance(store_root=self.store.root)

    def review(self, out: str | Path, *, n: int = 50, seed: int = 0) -> pd.DataFrame:
        """Write a review sheet (``.xlsx``/``.csv``) of the extractions most worth checking."""
        from corpus.learning.adapt import review

        return review(self, Path(out), n=n, seed=seed)

    def learn(self, corrections: str | Path, *, random_state: int = 0) -> Any:
        """Adapt the scorers to corrections (YAML folder, review sheet, ``.qdpx``)."""
        from corpus.learning.adapt import learn

        return learn(self, corrections, random_state=random_state)

    def reset_scorers(self) -> bool:
        """Go back to the shipped scorers (remove this corpus's adapted ones)."""
        from corpus.learning.adapt import reset

        return reset(self)

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
        self._ingested(params["executor"])
        return fit_topics(self.context, seed=seed, **params)

    # -- lexicometry ---------------------------------------------------------------------
    def lexico(self, *, segment_size: int = 40, executor: Executor | None = None) -> Any:
        """Segments (IRaMuTeQ's cut, with offsets) and their tokens, cached in the store.

        Args:
            segment_size: Target segment length in words.
            executor: Tag and cut on a cluster (default: the corpus's engine).

        Returns:
            A :class:`corpus.lexico.stage.LexicoTables` (``.segments``, ``.tokens``,
            ``.matrix()``).
        """
        from corpus.lexico.stage import lexico_tables

        executor = self._executor(executor)
        self._ingested(executor)
        return lexico_tables(self, segment_size=segment_size, executor=executor)

    @property
    def segments(self) -> pd.DataFrame:
        """Text segments of about 40 words: ``segment_id``, ``doc_id``, ``start``, ``end``..."""
        return self.lexico().segments

    def frequencies(self, by: str = "lemma") -> pd.DataFrame:
        """Frequency of each lemma (or form, ``by="form"``) with its segments and POS."""
        from corpus.lexico.stage import frequencies

        return frequencies(self.lexico(), by=by)

    def kwic(
        self,
        query: str | list[str],
        *,
        by: str = "form",
        window: int = 10,
        ignore_case: bool = True,
        ignore_accents: bool = False,
    ) -> pd.DataFrame:
        """Concordance: left context, pivot, right context, metadata and offsets.

        Args:
            query: A word, a sequence, or items such as ``"lemma:besoin pos:ADJ"``.
            by: Field of plain query items, ``"form"`` or ``"lemma"``.
            window: Words of context on each side.
            ignore_case: Match case-insensitively.
            ignore_accents: Match ignoring accents.
        """
        from corpus.lexico.stage import kwic

        return kwic(
            self.lexico(),
            self.documents,
            query,
            by=by,
            window=window,
            ignore_case=ignore_case,
            ignore_accents=ignore_accents,
        )

    def cooccurrents(
        self, pivot: str, *, window: int = 10, unit: str = "lemma", **params: Any
    ) -> pd.DataFrame:
        """Cooccurrents of ``pivot`` with TXM's hypergeometric score.

        Args:
            pivot: A lemma (or form with ``unit="form"``), or a query sequence.
            window: Words on each side of each occurrence.
            unit: ``"lemma"`` or ``"form"``.
            **params: ``min_cofrequency`` (2), ``min_score`` (2.0), ``ignore_case``.
        """
        from corpus.lexico.cooccurrents import cooccurrents

        return cooccurrents(self.lexico().tokens, pivot, window=window, unit=unit, **params)

    def specificities(
        self, variable: str, *, unit: str = "lemma", min_frequency: int = 3
    ) -> pd.DataFrame:
        """Lafon's specificities of the lemmas over a metadata variable's modalities.

        Args:
            variable: ``genre``, ``region``, ``year``... (a column of the documents).
            unit: ``"lemma"`` (active lemmas) or ``"form"``.
            min_frequency: Smallest total frequency kept.
        """
        from corpus.lexico.stage import specificities_by

        return specificities_by(
            self.lexico(), self.documents, variable, unit=unit, min_frequency=min_frequency
        )

    def correspondence(self, variable: str, **params: Any) -> Any:
        """Correspondence analysis (prince) of lemmas × a variable's modalities."""
        from corpus.lexico.stage import correspondence

        return correspondence(self.lexico(), self.documents, variable, **params)

    def reinert(
        self, k: int = 10, *, method: str = "iramuteq", double: bool = False, **params: Any
    ) -> Any:
        """Reinert's classification of the segments, with class profiles.

        Args:
            k: Classes wanted.
            method: ``"iramuteq"`` or ``"rainette"``.
            double: Double classification on two unit sizes (rainette2).
            **params: ``min_frequency``, ``min_segment_size``, ``min_split_members``,
                ``n_typical``, ``random_state``... (:func:`corpus.lexico.classes.reinert_corpus`).

        Returns:
            A :class:`corpus.lexico.classes.ReinertResult`.
        """
        from corpus.lexico.classes import reinert_corpus

        return reinert_corpus(
            self.lexico(), self.documents, k=k, method=method, double=double, **params
        )


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
