"""The extraction stage: passages -> annotated docs -> tables in the store.

:func:`extract_corpus` annotates the French documents' passages (through the DocBin
cache), builds every table of :data:`corpus.extract.tables.TABLE_NAMES` and writes them
under the store's lock, with a sidecar ``extraction.json`` holding the corpus, table-code and
pipeline fingerprints. :func:`extraction_table` serves a table, re-extracting first only
when that sidecar no longer matches the corpus or the pipeline (a new document, an
edited lexicon).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from corpus.context import CorpusContext, HasContext, as_context
from corpus.errors import UsageError
from corpus.extract.tables import (
    TABLE_NAMES,
    Finalizers,
    ScoringContext,
    build_tables,
    records_to_frames,
    skipped_table,
)
from corpus.ingest.tables import ingest_table
from corpus.scorers.registry import load_all, scorers_fingerprint
from corpus.store import ROW_GROUP_ROWS, fingerprint, sha256_file

if TYPE_CHECKING:  # annotate imports spaCy: loaded only when something is extracted
    from corpus.engine import Executor
    from corpus.extract.annotate import AnnotateStats
    from corpus.scorers.model import ScorerSet

logger = logging.getLogger(__name__)

SIDECAR = "extraction"
#: The store cache of each partition's tables (:mod:`corpus.extract.stream`).
PARTS_CACHE = "extraction-parts"


@dataclass
class ExtractionReport:
    """What :func:`extract_corpus` did.

    Attributes:
        up_to_date: Nothing had changed: the stored tables were kept as they were.
        corpus_fingerprint: Hash of the documents and passages extracted from.
        pipeline_fingerprint: Hash of the pipeline and its resources.
        n_documents: French documents annotated.
        n_skipped: Documents skipped (not French); see the ``skipped`` table.
        n_passages: Passages annotated.
        n_parsed: Units parsed by spaCy in this run (0 when all came from the cache).
        n_cached: Units served from the DocBin cache.
        n_words: Words annotated.
        seconds: Wall time.
        rows: Rows per table written.
        partitions: Partitions of documents the tables were built in.
        partitions_decided: Those annotated and decided in this run (the others came
            from the partitions' cache: an unchanged partition is not decided again).
    """

    up_to_date: bool
    corpus_fingerprint: str
    pipeline_fingerprint: str
    n_documents: int = 0
    n_skipped: int = 0
    n_passages: int = 0
    n_parsed: int = 0
    n_cached: int = 0
    n_words: int = 0
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)
    partitions: int = 0
    partitions_decided: int = 0


def corpus_fingerprint(documents: pd.DataFrame, passages: pd.DataFrame) -> str:
    """Hash of what extraction reads: document ids, French flags, passage splits."""
    docs = sorted(
        zip(
            documents["doc_id"].astype(str),
            documents.get("is_french", pd.Series(True, index=documents.index)).astype(bool),
            strict=True,
        )
    )
    spans = sorted(
        zip(
            passages["passage_id"].astype(str),
            passages["start"].astype(int),
            passages["end"].astype(int),
            strict=True,
        )
    )
    return fingerprint(docs, spans)


def french_passages(documents: pd.DataFrame, passages: pd.DataFrame) -> pd.DataFrame:
    """The passages of French documents, in document then passage order."""
    if "is_french" in documents.columns:
        french = set(documents.loc[documents["is_french"].fillna(False).astype(bool), "doc_id"])
    else:
        french = set(documents["doc_id"])
    selected = passages[passages["doc_id"].isin(french)]
    order = {d: i for i, d in enumerate(documents["doc_id"])}
    key = selected["doc_id"].map(order)
    sort_cols = ["_order", "index"] if "index" in selected.columns else ["_order", "start"]
    return (
        selected.assign(_order=key)
        .sort_values(sort_cols, kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def annotate_records(
    documents: pd.DataFrame,
    passages: pd.DataFrame,
    nlp: Any,
    *,
    pipeline_fp: str,
    cache_dir: Path | None,
    n_process: int = 1,
    batch_size: int = 32,
    progress: bool = False,
    stats: AnnotateStats | None = None,
    executor: Executor | None = None,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Annotate the French documents' passages: the candidate records, before any decision.

    With ``executor``, the passages are parsed on a cluster (:mod:`corpus.engine`); the
    records are the same.

    Returns:
        ``({record key: frame}, the French passages annotated)``; training
        (:mod:`corpus.train`) labels these records against gold.
    """
    from corpus.extract.annotate import annotate, passage_units

    skipped = skipped_table(documents)
    for row in skipped.itertuples():
        logger.info("skipping %s: %s", row.path, row.reason)
    selected = french_passages(documents, passages)
    units = passage_units(selected)
    annotated = annotate(
        units,
        nlp,
        cache_dir=cache_dir,
        pipeline_fp=pipeline_fp,
        batch_size=batch_size,
        n_process=n_process,
        stats=stats,
        progress=progress,
        executor=executor,
        names=dict(zip(documents["doc_id"].astype(str), documents["path"].astype(str), strict=True))
        if executor is not None and "path" in documents.columns
        else None,
    )
    return records_to_frames(annotated, selected), selected


def extract_tables(
    documents: pd.DataFrame,
    passages: pd.DataFrame,
    nlp: Any,
    *,
    pipeline_fp: str,
    cache_dir: Path | None,
    n_process: int = 1,
    batch_size: int = 32,
    progress: bool = False,
    finalizers: Finalizers | None = None,
    stats: AnnotateStats | None = None,
    scorers: Mapping[str, ScorerSet | None] | None = None,
    embed: Callable[[Sequence[str]], Any] | None = None,
    executor: Executor | None = None,
    embeddings_cache: Path | None = None,
) -> dict[str, pd.DataFrame]:
    """Annotate the French documents' passages and build every extraction table.

    The store-free core of :func:`extract_corpus` (tests and benchmarks call it on
    tables they build).

    Args:
        documents: Documents table (``doc_id``, ``path``, ``language``, ``is_french``).
        passages: Passages table (``passage_id``, ``doc_id``, ``start``, ``text``).
        nlp: The pipeline.
        pipeline_fp: Its fingerprint (keys the DocBin cache).
        cache_dir: DocBin cache folder, or ``None``.
        n_process: spaCy worker processes.
        batch_size: Docs per ``nlp.pipe`` batch.
        progress: Show a progress bar.
        finalizers: Document-level functions (the package's by default).
        stats: Filled in with annotation counts.
        scorers: The trained scorer set per field (rules decide where ``None``).
        embed: Sentence encoder for the scorers that use embeddings.
        executor: Parse, then decide the document-level tables, on a cluster
            (:mod:`corpus.engine.documents`); the tables are the same.
        embeddings_cache: The e5 cache the workers' vectors go to (with ``executor``).

    Returns:
        ``{table name: frame}`` for every name of :data:`TABLE_NAMES`.
    """
    records, selected = annotate_records(
        documents,
        passages,
        nlp,
        pipeline_fp=pipeline_fp,
        cache_dir=cache_dir,
        n_process=n_process,
        batch_size=batch_size,
        progress=progress,
        stats=stats,
        executor=executor,
    )
    if executor is not None and finalizers is None and len(selected):
        # the document step too (scorers, e5 of candidate sentences), same tables
        from corpus.engine.documents import build_tables_on

        return build_tables_on(
            executor,
            records,
            selected,
            documents,
            scorers=scorers,
            embeddings_cache=embeddings_cache,
        )
    context = scoring_context(selected, documents, scorers=scorers, embed=embed)
    return build_tables(records, selected, documents, finalizers=finalizers, context=context)


def scoring_context(
    passages: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    scorers: Mapping[str, ScorerSet | None] | None = None,
    embed: Callable[[Sequence[str]], Any] | None = None,
    cache_dir: Path | None = None,
) -> ScoringContext:
    """The context the document-level decisions read (scorers, encoder cached in ``cache_dir``)."""
    if embed is None:

        def embed(texts: Sequence[str]) -> Any:
            from corpus.scorers.embeddings import encode

            return encode(texts, cache_dir=cache_dir)

    return ScoringContext(
        passages=passages, documents=documents, scorers=dict(scorers or {}), embed=embed
    )


def actor_builder(corpus: CorpusContext | HasContext) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """Mentions -> actors of one document, decided by the scorers in force for ``corpus``.

    The YAML predictions, review sheets and exports build each document's actors with it,
    so they agree with each other and with the scorers.
    """
    from corpus.extract.tables import default_finalizers
    from corpus.scorers.registry import load_all

    ctx = as_context(corpus)
    context = scoring_context(
        ingest_table(ctx, "passages"),
        ingest_table(ctx, "documents"),
        scorers=load_all(store_root=ctx.store.root),
        cache_dir=ctx.store.cache_dir("embeddings-e5"),
    )
    finalizers = default_finalizers()
    return lambda mentions: finalizers.build_actors(mentions, context)


def tables_fingerprint() -> str:
    """Hash of the code that turns annotations into tables (``corpus/extract/*.py``).

    Part of the sidecar, so a changed document-level function (actor linking, need
    aggregation...) rebuilds the tables even when every annotation comes from the cache.
    """
    folder = Path(__file__).resolve().parent
    return fingerprint([(f.name, sha256_file(f)) for f in sorted(folder.glob("*.py"))])


def _resources(corpus: CorpusContext, resources: Mapping[str, str] | None) -> dict[str, str] | None:
    """Explicit overrides, else ``defaults.resources`` of ``corpus.yaml`` (relative to it)."""
    if resources is not None:
        return dict(resources)
    configured = corpus.config.defaults.get("resources")
    if not configured:
        return None
    if not isinstance(configured, dict):
        raise UsageError(
            "defaults.resources must map component names to resource paths",
            path=corpus.location.config_path,
        )
    return {
        str(k): str(v if Path(str(v)).is_absolute() else corpus.path / str(v))
        for k, v in configured.items()
    }


def _expected(corpus: CorpusContext, resources: Mapping[str, str] | None) -> tuple[str, str]:
    from corpus.nlp.pipeline import expected_fingerprint

    documents, passages = ingest_table(corpus, "documents"), ingest_table(corpus, "passages")
    return corpus_fingerprint(documents, passages), expected_fingerprint(
        resources=_resources(corpus, resources)
    )


def is_stale(
    corpus: CorpusContext | HasContext, *, resources: Mapping[str, str] | None = None
) -> bool:
    """Whether the stored extraction tables are missing or out of date."""
    corpus = as_context(corpus)
    sidecar = corpus.store.read_json(SIDECAR)
    if not sidecar or any(not corpus.store.has_table(n) for n in TABLE_NAMES):
        return True
    corpus_fp, pipeline_fp = _expected(corpus, resources)
    return (
        sidecar.get("corpus") != corpus_fp
        or sidecar.get("pipeline") != pipeline_fp
        or sidecar.get("tables") != tables_fingerprint()
        or sidecar.get("scorers") != scorers_fingerprint(store_root=corpus.store.root)
    )


def extract_corpus(
    corpus: CorpusContext | HasContext,
    *,
    n_process: int = 1,
    progress: bool = False,
    resources: Mapping[str, str] | None = None,
    force: bool = False,
    executor: Executor | None = None,
) -> ExtractionReport:
    """Bring the extraction tables of ``corpus`` up to date (locked, cached, atomic).

    Args:
        corpus: The corpus, a context or a handle (ingested on first access).
        n_process: spaCy worker processes.
        progress: Show a progress bar.
        resources: Resource overrides per component (default: ``defaults.resources`` in
            ``corpus.yaml``, else the packaged resources).
        force: Rebuild the tables even if they are up to date (annotations still come
            from the cache when valid).
        executor: Annotate on a cluster (:mod:`corpus.engine`); this process still
            writes the cache and the tables, with the same bytes.

    Returns:
        What was done.

    Raises:
        StoreLockedError: Another process is writing the store.
        ExtractionError: The pipeline cannot be built.
    """
    from corpus.nlp.pipeline import build_pipeline, pipeline_fingerprint

    started = time.perf_counter()
    corpus = as_context(corpus)
    resources = _resources(corpus, resources)
    with corpus.store.lock():
        documents, passages = ingest_table(corpus, "documents"), ingest_table(corpus, "passages")
        corpus_fp = corpus_fingerprint(documents, passages)
        if not force and not is_stale(corpus, resources=resources):
            sidecar = corpus.store.read_json(SIDECAR)
            return ExtractionReport(
                up_to_date=True,
                corpus_fingerprint=corpus_fp,
                pipeline_fingerprint=str(sidecar.get("pipeline")),
                n_documents=int(sidecar.get("n_documents", 0)),
                n_skipped=int(sidecar.get("n_skipped", 0)),
                n_passages=int(sidecar.get("n_passages", 0)),
                seconds=time.perf_counter() - started,
                rows=dict(sidecar.get("rows", {})),
            )
        from corpus.extract.annotate import AnnotateStats, prune_cache  # spaCy: stale only

        nlp = build_pipeline(resources=resources)
        pipeline_fp = pipeline_fingerprint(nlp)
        cache_dir = corpus.store.cache_dir("docbin")
        stats = AnnotateStats()
        scorers = load_all(store_root=corpus.store.root)
        from corpus.extract.stream import PartCache, stream_tables

        skipped = skipped_table(documents)
        for row in skipped.itertuples():
            logger.info("skipping %s: %s", row.path, row.reason)
        scorers_fp = scorers_fingerprint(store_root=corpus.store.root)
        parts = PartCache(corpus.store.cache_dir(PARTS_CACHE))
        e5_cache = corpus.store.cache_dir("embeddings-e5")
        embed = scoring_context(passages, documents, cache_dir=e5_cache).embed
        streamed = stream_tables(
            documents,
            passages,
            nlp,
            pipeline_fp=pipeline_fp,
            salt=fingerprint(pipeline_fp, tables_fingerprint(), scorers_fp),
            cache_dir=cache_dir,
            parts=parts,
            targets={name: corpus.store.table_path(name) for name in TABLE_NAMES},
            stats=stats,
            scorers=scorers,
            embed=embed,
            executor=executor,
            embeddings_cache=e5_cache,
            n_process=n_process,
            progress=progress,
        )
        if streamed.rows is not None:
            corpus.store.write_table("skipped", skipped, row_group_size=ROW_GROUP_ROWS)
            rows = {**streamed.rows, "skipped": len(skipped)}
            rows = {name: rows[name] for name in TABLE_NAMES}
        else:
            # No French document, or partitions whose tables do not fit together: the
            # whole corpus at once (its annotations from the DocBin cache just filled).
            tables = extract_tables(
                documents,
                passages,
                nlp,
                pipeline_fp=pipeline_fp,
                cache_dir=cache_dir,
                n_process=n_process,
                progress=progress,
                stats=AnnotateStats(),  # counted by the streamed pass
                scorers=scorers,
                embed=embed,
                executor=executor,
                embeddings_cache=e5_cache,
            )
            for name in TABLE_NAMES:
                corpus.store.write_table(name, tables[name], row_group_size=ROW_GROUP_ROWS)
            rows = {name: len(tables[name]) for name in TABLE_NAMES}
        parts.prune(set(streamed.keys))
        n_passages = int(passages["doc_id"].isin(set(documents["doc_id"])).sum())
        report = ExtractionReport(
            up_to_date=False,
            corpus_fingerprint=corpus_fp,
            pipeline_fingerprint=pipeline_fp,
            n_documents=stats.n_documents,
            n_skipped=rows["skipped"],
            n_passages=n_passages - _skipped_passages(skipped, passages),
            n_parsed=stats.n_parsed,
            n_cached=stats.n_cached,
            n_words=stats.n_words,
            rows=rows,
            partitions=streamed.partitions,
            partitions_decided=streamed.decided,
        )
        corpus.store.write_json(
            SIDECAR,
            {
                "corpus": corpus_fp,
                "pipeline": pipeline_fp,
                "tables": tables_fingerprint(),
                "scorers": scorers_fp,
                "n_documents": report.n_documents,
                "n_skipped": report.n_skipped,
                "n_passages": report.n_passages,
                "rows": rows,
            },
        )
        prune_cache(cache_dir, keep_fingerprint=pipeline_fp, keep_keys=stats.keys)
    report.seconds = time.perf_counter() - started
    logger.info(
        "extracted %d documents (%d units parsed, %d cached) in %.1f s",
        report.n_documents,
        report.n_parsed,
        report.n_cached,
        report.seconds,
    )
    return report


def _skipped_passages(skipped: pd.DataFrame, passages: pd.DataFrame) -> int:
    return int(passages["doc_id"].isin(set(skipped["doc_id"])).sum()) if len(skipped) else 0


def extraction_table(
    corpus: CorpusContext | HasContext, name: str, *, resources: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Table ``name`` of the extraction stage, re-extracting first if it is stale.

    Args:
        corpus: The corpus (a context or a handle).
        name: One of :data:`corpus.extract.tables.TABLE_NAMES`.
        resources: Resource overrides (as for :func:`extract_corpus`).

    Raises:
        UsageError: Unknown table name.
    """
    if name not in TABLE_NAMES:
        raise UsageError(
            f"unknown extraction table {name!r}", hint=f"Tables: {', '.join(TABLE_NAMES)}."
        )
    corpus = as_context(corpus)
    if is_stale(corpus, resources=_resources(corpus, resources)):
        extract_corpus(corpus, resources=resources)
    frame = corpus.store.read_table(name)
    if frame is None:  # written by extract_corpus just above
        raise RuntimeError(f"extraction wrote no {name!r} table in {corpus.store.root}")
    return frame
