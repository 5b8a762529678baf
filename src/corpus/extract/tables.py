"""Annotated docs -> DataFrames: one table per record key, then document-level tables.

:func:`records_to_frames` is generic over :data:`corpus.nlp.RECORD_KEYS`: every record a
component wrote to ``doc._.<key>`` becomes a row of table ``<key>`` with ``doc_id``,
``passage_id``, the record's fields, and ``start``/``end`` shifted to *document*
offsets (``passage.start`` + chunk offset + record offset; nested or top-level
``*_start``/``*_end`` integers such as a role's ``evidence_start`` are shifted the same
way). List-of-string fields stay lists; dict and list-of-dict fields (an actor's
``roles``) are stored as JSON strings so Parquet keeps one simple type per column.

:func:`build_tables` then calls the document-level functions each extractor's owner
provides (:class:`Finalizers`) to give the tables the store keeps: ``definitions``,
``dimensions``, ``mentions`` (the actor records), ``actors``, ``actor_types``,
``doc_actor_types``, ``needs``, ``free_needs``, ``doc_needs``, ``stages``,
``doc_stages``, ``goals`` and ``skipped``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corpus.nlp import RECORD_KEYS

if TYPE_CHECKING:  # annotate imports spaCy; the table names must not
    from corpus.extract.annotate import AnnotatedUnit
    from corpus.scorers.model import ScorerSet

logger = logging.getLogger(__name__)

#: Record fields per key, from the contract in :mod:`corpus.nlp` (column order of the
#: tables; a component may add fields, which come after these).
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "definitions": (
        "term",
        "text",
        "start",
        "end",
        "cue",
        "source",
        "year",
        "confidence",
        "dimensions",
    ),
    "goals": ("term", "text", "start", "end", "cue"),
    "actors": (
        "text",
        "start",
        "end",
        "name",
        "acronym",
        "sector",
        "kind",
        "origin",
        "roles",
    ),
    "actor_types": ("text", "start", "end", "category", "sector"),
    "needs": ("need", "text", "start", "end", "evidence", "cue"),
    "free_needs": ("text", "start", "end", "object"),
    "stages": ("stage", "text", "start", "end", "evidence", "cue"),
}

#: Every table the extraction stage writes to the store.
TABLE_NAMES: tuple[str, ...] = (
    "definitions",
    "dimensions",
    "mentions",
    "actors",
    "actor_types",
    "doc_actor_types",
    "needs",
    "free_needs",
    "doc_needs",
    "stages",
    "doc_stages",
    "goals",
    "skipped",
)

SKIPPED_COLUMNS = ("doc_id", "path", "language", "reason")


def _shift(value: Any, delta: int) -> Any:
    """Shift ``*_start``/``*_end`` integers inside dicts (and lists of dicts)."""
    if isinstance(value, dict):
        return {
            k: (v + delta if _is_offset_key(k) and _is_int(v) else _shift(v, delta))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_shift(v, delta) for v in value]
    return value


def _is_offset_key(key: str) -> bool:
    return key in ("start", "end") or key.endswith(("_start", "_end"))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _needs_json(values: list[Any]) -> bool:
    for value in values:
        if isinstance(value, dict):
            return True
        if isinstance(value, list | tuple) and any(isinstance(v, dict | list) for v in value):
            return True
    return False


def _to_json(value: Any) -> Any:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


#: Per record key, per column: one representative value of each kind the column holds
#: over the whole corpus (``None`` among them if a row lacks it). The type a whole-corpus
#: frame gives a column depends on those kinds only, so a partition typed by them is
#: typed as its slice of the whole frame (see :func:`column_samples`).
ColumnSamples = dict[str, dict[str, list[Any]]]


def _kind(value: Any) -> tuple[str, bool]:
    return type(value).__name__, _needs_json([value])


def column_samples(rows: Mapping[str, list[dict[str, Any]]]) -> ColumnSamples:
    """The representative values of each record table's columns (see :data:`ColumnSamples`).

    Args:
        rows: Row dicts per record key (:func:`record_rows`).
    """
    out: ColumnSamples = {}
    for key, key_rows in rows.items():
        base = ["doc_id", "passage_id", *RECORD_FIELDS.get(key, ("text", "start", "end"))]
        columns = dict.fromkeys([*base, *(k for row in key_rows for k in row)])
        samples: dict[str, list[Any]] = {}
        for column in columns:
            seen: dict[tuple[str, bool], Any] = {}
            for row in key_rows:
                value = row.get(column)
                seen.setdefault(_kind(value), value)
            samples[column] = list(seen.values())
        out[key] = samples
    return out


def merge_samples(parts: Iterable[ColumnSamples]) -> ColumnSamples:
    """The samples of a corpus from those of its partitions (a column absent from some
    partition's rows is ``None`` there, as in the whole frame)."""
    parts = list(parts)
    out: ColumnSamples = {}
    for key in dict.fromkeys(k for part in parts for k in part):
        columns = dict.fromkeys(c for part in parts for c in part.get(key, {}))
        merged: dict[str, list[Any]] = {}
        for column in columns:
            seen: dict[tuple[str, bool], Any] = {}
            for part in parts:
                if not part.get(key, {}).get("doc_id"):
                    continue  # no row of this key in that partition
                values = part[key].get(column, [None])
                for value in values:
                    seen.setdefault(_kind(value), value)
            merged[column] = list(seen.values())
        out[key] = merged
    return out


def frame_from_rows(
    key: str, rows: list[dict[str, Any]], samples: Mapping[str, list[Any]] | None = None
) -> pd.DataFrame:
    """Build table ``key`` from row dicts (``doc_id``, ``passage_id`` + record fields).

    Column order: ``doc_id``, ``passage_id``, the contract's fields, then any extra
    fields in alphabetical order. Empty input gives an empty table with those columns.
    Each column's type follows from the kinds of values it holds: those of ``rows``, or
    with ``samples`` (:func:`column_samples` of the whole corpus), those of the whole
    corpus, so a partition's frame is typed as its slice of the whole corpus's frame.
    """
    base = ["doc_id", "passage_id", *RECORD_FIELDS.get(key, ("text", "start", "end"))]
    known = set(samples) if samples is not None else {k for row in rows for k in row}
    columns = base + sorted(known - set(base))
    data: dict[str, list[Any]] = {c: [row.get(c) for row in rows] for c in columns}
    probes: dict[str, list[Any]] = {}
    for column, values in data.items():
        probe = list(samples.get(column, [None])) if samples is not None else values
        if _needs_json(probe):
            data[column] = [_to_json(v) for v in values]
            probe = [_to_json(v) for v in probe]
        elif any(isinstance(v, tuple) for v in values):
            data[column] = [list(v) if isinstance(v, tuple) else v for v in values]
        probes[column] = probe
    frame = pd.DataFrame(data, columns=columns)
    for column in columns:
        values, probe = data[column], probes[column]
        if samples is not None:
            # the type pandas infers for the whole corpus's column (its kinds of values)
            inferred = pd.Series(probe).dtype if probe else frame[column].dtype
            if frame[column].dtype != inferred:
                frame[column] = pd.Series(values, dtype=inferred)
        present = [v for v in probe if v is not None]
        numbers = [v for v in present if isinstance(v, int | float) and not isinstance(v, bool)]
        if column in ("start", "end") or (present and len(numbers) == len(present)):
            if all(_is_int(v) for v in present):
                dtype = "Int64" if len(present) < len(probe) else "int64"
                frame[column] = pd.Series(values, dtype=dtype)
            else:
                floats = [float("nan") if v is None else float(v) for v in values]
                frame[column] = pd.Series(floats, dtype="float64")
    return frame


def record_rows(
    annotated: Iterable[AnnotatedUnit], passages: pd.DataFrame
) -> dict[str, list[dict[str, Any]]]:
    """The records of ``annotated`` as row dicts per record key (see :func:`records_to_frames`)."""
    starts = dict(zip(passages["passage_id"], passages["start"], strict=True))
    rows: dict[str, list[dict[str, Any]]] = {key: [] for key in RECORD_KEYS}
    for item in annotated:
        unit = item.unit
        delta = int(starts[unit.passage_id]) + unit.offset
        recased = unit.parse_text != unit.text
        for key, records in item.records().items():
            for record in records:
                row = _shift(dict(record), delta)
                if recased and "text" in record and _is_int(record.get("start")):
                    # Parsed in sentence case: give back the original characters.
                    row["text"] = unit.text[record["start"] : record["end"]]
                row["doc_id"] = unit.doc_id
                row["passage_id"] = unit.passage_id
                rows[key].append(row)
    return rows


def records_to_frames(
    annotated: Iterable[AnnotatedUnit],
    passages: pd.DataFrame,
    samples: ColumnSamples | None = None,
) -> dict[str, pd.DataFrame]:
    """One DataFrame per record key, offsets shifted to the document's clean text.

    Args:
        annotated: Annotated units (see :func:`corpus.extract.annotate.annotate`).
        passages: The passages table (``passage_id``, ``start``, ``text``).
        samples: The whole corpus's :func:`column_samples` when ``annotated`` is one
            partition of it (its frames are then typed as slices of the whole's).

    Returns:
        ``{record key: table}`` for every key of :data:`corpus.nlp.RECORD_KEYS`.
    """
    rows = record_rows(annotated, passages)
    return {
        key: frame_from_rows(key, rows[key], samples.get(key, {}) if samples else None)
        for key in RECORD_KEYS
    }


def _no_embeddings(texts: Sequence[str]) -> np.ndarray:
    raise RuntimeError("no sentence encoder was given to this scoring context")


@dataclass(frozen=True)
class ScoringContext:
    """What the document-level step may read besides the candidate records.

    Attributes:
        passages: The passages table (``passage_id``, ``doc_id``, ``start``, ``text``...).
        documents: The documents table (``doc_id``, ``path``, ``title``, ``genre``...).
        scorers: The scorer set in force per field (``None``: no trained scorer, the
            field keeps its rules' decision). See :mod:`corpus.scorers.registry`.
        embed: Sentence encoder (texts -> ``(n, d)`` array), bound to the store's cache.
    """

    passages: pd.DataFrame
    documents: pd.DataFrame
    scorers: Mapping[str, ScorerSet | None] = field(default_factory=dict)
    embed: Callable[[Sequence[str]], np.ndarray] = _no_embeddings

    def scorer(self, name: str) -> ScorerSet | None:
        """The scorer set of field ``name``, or ``None``."""
        return self.scorers.get(name)


def rules_only_context(passages: pd.DataFrame, documents: pd.DataFrame) -> ScoringContext:
    """A context with no trained scorer (every field decides by its rules)."""
    return ScoringContext(passages=passages, documents=documents)


@dataclass(frozen=True)
class Finalizers:
    """The document-level functions of each extractor (written by their owners).

    Each receives the candidate records of its field and the :class:`ScoringContext`,
    and returns the decided rows, with a ``confidence`` column where a scorer decided.

    Attributes:
        finalize_definitions: ``(definitions, context) -> definitions`` (decide, dedupe,
            attribution across passages).
        dimensions_table: ``(definitions) -> definitions x dimensions``.
        build_actors: ``(mentions, context) -> actors`` (linking, aliases, sector, roles).
        document_actor_types: ``(actor_types) -> doc_actor_types``.
        document_needs: ``(needs, context) -> doc_needs``.
        document_stages: ``(stages, context) -> doc_stages``.
    """

    finalize_definitions: Callable[[pd.DataFrame, ScoringContext], pd.DataFrame]
    dimensions_table: Callable[[pd.DataFrame], pd.DataFrame]
    build_actors: Callable[[pd.DataFrame, ScoringContext], pd.DataFrame]
    document_actor_types: Callable[[pd.DataFrame], pd.DataFrame]
    document_needs: Callable[[pd.DataFrame, ScoringContext], pd.DataFrame]
    document_stages: Callable[[pd.DataFrame, ScoringContext], pd.DataFrame]


def default_finalizers() -> Finalizers:
    """The package's document-level functions (``corpus.extract.<extractor>``)."""
    import importlib

    definitions, actors, needs, stages = (
        importlib.import_module(f"corpus.extract.{name}")
        for name in ("definitions", "actors", "needs", "stages")
    )

    return Finalizers(
        finalize_definitions=definitions.finalize_definitions,
        dimensions_table=definitions.dimensions_table,
        build_actors=actors.build_actors,
        document_actor_types=actors.document_actor_types,
        document_needs=needs.document_needs,
        document_stages=stages.document_stages,
    )


def skipped_table(documents: pd.DataFrame) -> pd.DataFrame:
    """Documents not annotated because they are not in French, with the reason."""
    if len(documents) == 0 or "is_french" not in documents.columns:
        return pd.DataFrame({c: pd.Series([], dtype="str") for c in SKIPPED_COLUMNS})
    mask = ~documents["is_french"].fillna(False).astype(bool)
    rows = documents.loc[mask]
    language = rows["language"] if "language" in rows.columns else pd.Series("", index=rows.index)
    path = rows["path"] if "path" in rows.columns else rows["doc_id"]
    frame = pd.DataFrame(
        {
            "doc_id": rows["doc_id"].astype(str).tolist(),
            "path": path.astype(str).tolist(),
            "language": language.fillna("").astype(str).tolist(),
        }
    )
    frame["reason"] = [
        f"not French (detected language: {lang or 'unknown'}); extraction skipped"
        for lang in frame["language"]
    ]
    return frame


def build_tables(
    records: dict[str, pd.DataFrame],
    passages: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    finalizers: Finalizers | None = None,
    context: ScoringContext | None = None,
) -> dict[str, pd.DataFrame]:
    """The store's extraction tables from the per-record tables.

    Args:
        records: From :func:`records_to_frames`.
        passages: The passages table.
        documents: The documents table (for the ``skipped`` table).
        finalizers: Document-level functions; the package's by default.
        context: Scorers and encoder for the decisions; rules only when ``None``.

    Returns:
        ``{table name: frame}`` for every name of :data:`TABLE_NAMES`.
    """
    fin = finalizers or default_finalizers()
    ctx = context or rules_only_context(passages, documents)
    definitions = fin.finalize_definitions(records["definitions"], ctx)
    tables = {
        "definitions": definitions,
        "dimensions": fin.dimensions_table(definitions),
        "mentions": records["actors"],
        "actors": fin.build_actors(records["actors"], ctx),
        "actor_types": records["actor_types"],
        "doc_actor_types": fin.document_actor_types(records["actor_types"]),
        "needs": records["needs"],
        "free_needs": records["free_needs"],
        "doc_needs": fin.document_needs(records["needs"], ctx),
        "stages": records["stages"],
        "doc_stages": fin.document_stages(records["stages"], ctx),
        "goals": records["goals"],
        "skipped": skipped_table(documents),
    }
    return {name: tables[name].reset_index(drop=True) for name in TABLE_NAMES}
