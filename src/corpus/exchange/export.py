"""``corpus export``: one entry point over the export formats.

:func:`export_corpus` takes the documents table and a table getter (the API passes the
store's tables; extraction runs only when a format needs its tables), restricts both to
the ``--where`` sub-corpus and writes the format asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from corpus.exchange.codebook import Codebook, build_codebook, codebook_xml
from corpus.exchange.errors import ExportUsageError
from corpus.exchange.iramuteq_export import write_iramuteq
from corpus.exchange.qdpx_export import write_qdpx
from corpus.exchange.selections import coded_selections
from corpus.exchange.subset import select_documents, subset_tables
from corpus.exchange.tables_export import TABLE_FORMATS, write_tables
from corpus.store import atomic_write_bytes

FORMATS = ("qdpx", "qdc", "iramuteq", *TABLE_FORMATS)
#: Tables a REFI-QDA project codes.
CODED_TABLES = (
    "definitions",
    "mentions",
    "actor_types",
    "doc_actor_types",
    "needs",
    "doc_needs",
    "stages",
    "doc_stages",
)
TOPIC_TABLES = ("topics", "passage_topics", "document_topics", "topic_alignment")

TableGetter = Callable[[str], pd.DataFrame | None]


@dataclass
class ExportResult:
    """What :func:`export_corpus` wrote.

    Attributes:
        fmt: The format.
        files: The files written.
        n_documents: Documents exported.
        n_selections: Coded selections (REFI-QDA projects).
        n_codes: Codes of the codebook (REFI-QDA formats).
        tables: Rows per table (table formats).
    """

    fmt: str
    files: list[Path]
    n_documents: int
    n_selections: int = 0
    n_codes: int = 0
    tables: dict[str, int] = field(default_factory=dict)


def _topics(table: TableGetter) -> list[tuple[int, str]]:
    topics = table("topics")
    if topics is None or len(topics) == 0 or table("passage_topics") is None:
        return []
    return [
        (int(t), str(label))
        for t, label in zip(topics["topic"], topics["label"], strict=True)
        if int(t) >= 0
    ]


def corpus_codebook(definitions: pd.DataFrame | None, topics: list[tuple[int, str]]) -> Codebook:
    """The codebook for a corpus's definitions table and fitted topics."""
    terms: list[str] = []
    if definitions is not None and len(definitions):
        terms = [str(t) for t in definitions["term"].dropna()]
    return build_codebook(terms, topics)


def export_corpus(
    fmt: str,
    out: str | Path,
    *,
    name: str,
    origin: str,
    documents: pd.DataFrame,
    table: TableGetter,
    table_names: Iterable[str] = (),
    where: Iterable[str] = (),
    dimensions: Mapping[str, str] | None = None,
    description: str = "",
    build_actors: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> ExportResult:
    """Write the corpus (or its ``where`` sub-corpus) in ``fmt``.

    Args:
        fmt: One of :data:`FORMATS`.
        out: The file (``qdpx``, ``qdc``, ``iramuteq``) or folder (table formats).
        name: The corpus name (the project's name).
        origin: The producing program and version (``corpus 0.1.0``).
        documents: The documents table.
        table: Gives a stored table by name, or ``None`` when it was never written.
        table_names: Every table to write in the table formats, in order.
        where: ``FIELD=VALUE`` conditions (see :mod:`corpus.exchange.subset`).
        dimensions: ``{dimension id: label}`` for the data dictionary.
        description: The project's description (REFI-QDA).
        build_actors: Mentions -> one document's actors (the scorers in force); the
            rules' decision when ``None``.

    Returns:
        What was written.

    Raises:
        ExportUsageError: Unknown format or bad ``where``.
        ExportDataError: No document meets ``where``.
    """
    if fmt not in FORMATS:
        raise ExportUsageError(
            f"unknown export format {fmt!r}",
            hint=f"Use one of: {', '.join(FORMATS)}.",
            code="E-EXPORT-FORMAT",
        )
    selected = select_documents(documents, where)
    path = Path(out)

    def subset(names: Iterable[str]) -> dict[str, pd.DataFrame | None]:
        return subset_tables({n: table(n) for n in names}, selected)

    if fmt == "iramuteq":
        return ExportResult(fmt, [write_iramuteq(path, selected)], len(selected))
    if fmt in TABLE_FORMATS:
        names = [n for n in dict.fromkeys(table_names) if n != "documents"]
        frames: dict[str, pd.DataFrame] = {"documents": selected.reset_index(drop=True)}
        frames.update((n, f) for n, f in subset(names).items() if f is not None)
        files = write_tables(path, frames, fmt=fmt, dimensions=dimensions)
        return ExportResult(
            fmt, files, len(selected), tables={n: len(f) for n, f in frames.items()}
        )
    topics = _topics(table)
    if fmt == "qdc":
        book = corpus_codebook(subset(["definitions"])["definitions"], topics)
        atomic_write_bytes(path, codebook_xml(book, origin=origin))
        return ExportResult(fmt, [path], len(selected), n_codes=len(book.codes()))
    tables = subset([*CODED_TABLES, "passages", *(TOPIC_TABLES[:2] if topics else ())])
    book = corpus_codebook(tables["definitions"], topics)
    texts = dict(zip(selected["doc_id"].astype(str), selected["text"].astype(str), strict=True))
    selections = coded_selections(book, texts, tables, build_actors=build_actors)
    write_qdpx(
        path,
        name=name,
        origin=origin,
        documents=selected,
        codebook=book,
        selections=selections,
        description=description,
    )
    return ExportResult(
        fmt, [path], len(selected), n_selections=len(selections), n_codes=len(book.codes())
    )
