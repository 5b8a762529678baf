"""The lexicometry stage on a corpus: segments, frequencies, concordances, specificities...

Each function takes an opened corpus (anything with ``passages``, ``documents`` and a
``store``: :class:`corpus.api.Corpus` calls them) and never imports the API. The
segments and their tokens are cached in the store by content hash
(``cache/lexico/<key>/``, the key hashing the passages, the tagger's fingerprint and
the segmentation settings), and the segments table is written to the store
(``tables/segments.parquet``); an unchanged corpus is neither tagged nor cut again.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd
import scipy.sparse as sp

from corpus.lexico.errors import LexicoDataError, LexicoUsageError
from corpus.lexico.matrix import mark_active, segment_matrix
from corpus.lexico.segments import segment
from corpus.lexico.specificities import lexical_table, specificities
from corpus.lexico.tokens import tokenise, tokens_fingerprint
from corpus.store import Store, atomic_write_json, atomic_write_parquet, fingerprint, sha256_text

if TYPE_CHECKING:
    from corpus.engine import Executor

logger = logging.getLogger(__name__)

#: Bump when the segments or token tables change.
SEGMENT_VERSION = 1
#: Document metadata carried to segments, concordances and class profiles.
METADATA = ("title", "genre", "year", "region", "organisation", "author")
_COMPLETE = "complete.json"


class CorpusLike(Protocol):
    """What the stage needs from an opened corpus."""

    @property
    def passages(self) -> pd.DataFrame: ...

    @property
    def documents(self) -> pd.DataFrame: ...

    store: Store


@dataclass
class LexicoTables:
    """The segments of a corpus and their tokens.

    Attributes:
        segments: ``segment_id``, ``doc_id``, ``passage_id``, ``index``, ``start``,
            ``end``, ``n_words``, ``text``.
        tokens: ``passage_id``, ``doc_id``, ``segment_id``, ``i``, ``form``, ``lemma``,
            ``pos``, ``start``, ``end``, ``is_word``, ``active``.
    """

    segments: pd.DataFrame
    tokens: pd.DataFrame

    def matrix(
        self, *, min_frequency: int = 3, active_only: bool = True
    ) -> tuple[sp.csr_matrix, list[str]]:
        """The binary segments × lemmas matrix (rows in ``segments`` order)."""
        return segment_matrix(
            self.tokens,
            self.segments["segment_id"].tolist(),
            min_frequency=min_frequency,
            active_only=active_only,
        )


def _key(passages: pd.DataFrame, segment_size: int) -> str:
    rows = passages[["passage_id", "doc_id", "start", "text"]].astype(str).to_numpy().tolist()
    content = sha256_text(json.dumps(rows, ensure_ascii=False, separators=(",", ":")))
    return fingerprint(SEGMENT_VERSION, segment_size, tokens_fingerprint(), content)[:32]


def lexico_tables(
    corpus: CorpusLike, *, segment_size: int = 40, executor: Executor | None = None
) -> LexicoTables:
    """The corpus's segments and tokens (cached by content hash).

    Args:
        corpus: The opened corpus.
        segment_size: Target segment length in words (IRaMuTeQ's default 40).
        executor: Tag and cut on a cluster (:mod:`corpus.engine.lexico`); the same tables.

    Returns:
        The segments and tokens.

    Raises:
        LexicoDataError: The corpus has no passage with a word (``E-LEXICO-TOO-FEW``).
        LexicoUsageError: ``segment_size`` below 5.
    """
    if segment_size < 5:
        raise LexicoUsageError(f"segment_size must be ≥ 5, not {segment_size}")
    passages = corpus.passages
    if passages.empty:
        raise LexicoDataError(
            "the corpus has no passage",
            code="E-LEXICO-TOO-FEW",
            hint="Ingest documents with text first (corpus ingest PATH).",
        )
    store = corpus.store
    folder = store.cache_dir("lexico") / _key(passages, segment_size)
    if (folder / _COMPLETE).exists():
        try:
            return LexicoTables(
                pd.read_parquet(folder / "segments.parquet"),
                pd.read_parquet(folder / "tokens.parquet"),
            )
        except Exception as exc:  # a broken entry costs a recomputation, never a failure
            logger.warning("ignoring the unreadable lexico cache %s: %s", folder, exc)
    if executor is not None:  # tagging, cut and active lemmas on the workers
        from corpus.engine.lexico import segment_on

        segments, tokens = segment_on(
            executor,
            passages,
            cache_dir=store.cache_dir("lexico-tokens"),
            segment_size=segment_size,
        )
    else:
        tokens = tokenise(passages, cache_dir=store.cache_dir("lexico-tokens"))
        segments, tokens = segment(passages, tokens, segment_size=segment_size)
    if segments.empty:
        raise LexicoDataError(
            "no passage of the corpus holds a word",
            code="E-LEXICO-TOO-FEW",
            hint="Ingest documents with text first.",
        )
    if executor is None:
        tokens = mark_active(tokens)
    atomic_write_parquet(folder / "segments.parquet", segments)
    atomic_write_parquet(folder / "tokens.parquet", tokens)
    atomic_write_json(folder / _COMPLETE, {"segments": len(segments), "tokens": len(tokens)})
    with store.lock():
        store.write_table("segments", segments)
    return LexicoTables(segments, tokens)


def document_metadata(documents: pd.DataFrame) -> pd.DataFrame:
    """``doc_id`` and the metadata columns of :data:`METADATA` that the corpus has."""
    columns = ["doc_id", *[c for c in METADATA if c in documents.columns]]
    return documents[columns].copy()


def variable_values(documents: pd.DataFrame, variable: str) -> pd.Series:
    """The value of a metadata variable for each document (indexed by ``doc_id``).

    Raises:
        LexicoUsageError: No such variable (``E-LEXICO-VARIABLE``).
        LexicoDataError: The variable has fewer than two modalities
            (``E-LEXICO-ONE-MODALITY``).
    """
    if variable in documents.columns and variable not in ("text", "doc_id"):
        values = documents.set_index("doc_id")[variable]
    else:
        extra = documents.get("extra")
        parsed = [_extra(v).get(variable) for v in extra] if extra is not None else []
        if not any(v is not None for v in parsed):
            known = [c for c in METADATA if c in documents.columns]
            raise LexicoUsageError(
                f"the corpus has no metadata variable {variable!r}",
                code="E-LEXICO-VARIABLE",
                hint=f"Use one of {', '.join(known)} or a column of metadata.csv.",
            )
        values = pd.Series(parsed, index=documents["doc_id"].to_numpy())
    values = values.dropna().astype(str)
    values = values[values.str.strip() != ""]
    if values.nunique() < 2:
        raise LexicoDataError(
            f"the variable {variable!r} has {values.nunique()} modality "
            f"({', '.join(sorted(values.unique())) or 'none'}); it takes two or more",
            code="E-LEXICO-ONE-MODALITY",
            hint="Choose a variable whose documents differ, or add documents.",
        )
    return values


def _extra(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def frequencies(tables: LexicoTables, *, by: str = "lemma") -> pd.DataFrame:
    """Frequency of each lemma (or form) of the corpus's words.

    Returns:
        ``lemma`` or ``form``, ``pos`` (its most frequent part of speech), ``active``
        (lemmas only), ``frequency``, ``segments`` (segments holding it), sorted by
        decreasing frequency.
    """
    if by not in ("lemma", "form"):
        raise LexicoUsageError(f"by must be 'lemma' or 'form', not {by!r}")
    words = tables.tokens[tables.tokens["is_word"]]
    key = words[by].astype(str)
    key = key.str.lower() if by == "lemma" else key
    frame = words.assign(key=key.to_numpy())
    grouped = frame.groupby("key")
    out = pd.DataFrame(
        {
            "frequency": grouped.size(),
            "segments": grouped["segment_id"].nunique(),
            "pos": grouped["pos"].agg(lambda s: s.value_counts().index[0]),
        }
    )
    if by == "lemma":
        out["active"] = grouped["active"].any()
    out = out.reset_index().rename(columns={"key": by})
    out = out.sort_values(["frequency", by], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


def specificities_by(
    tables: LexicoTables,
    documents: pd.DataFrame,
    variable: str,
    *,
    unit: str = "lemma",
    min_frequency: int = 3,
    active_only: bool = True,
) -> pd.DataFrame:
    """Lafon's specificities of the lemmas (or forms) over a variable's modalities.

    Args:
        tables: The corpus's segments and tokens.
        documents: The documents table (metadata).
        variable: A metadata column (``genre``, ``region``, ``year``...).
        unit: ``"lemma"`` or ``"form"``.
        min_frequency: Keep units with at least this many occurrences.
        active_only: Only active lemmas (forms: only words).

    Returns:
        Units × modalities specificities (see :func:`corpus.lexico.specificities.specificities`);
        the units are those of words in documents that have a value for ``variable``,
        plus an ``__others__`` row standing for the rest of the words.
    """
    table = count_table(tables, documents, variable, unit=unit, min_frequency=min_frequency,
                        active_only=active_only)  # fmt: skip
    scores = specificities(table)
    return scores.drop(index="__others__", errors="ignore")


def count_table(
    tables: LexicoTables,
    documents: pd.DataFrame,
    variable: str,
    *,
    unit: str = "lemma",
    min_frequency: int = 3,
    active_only: bool = True,
) -> pd.DataFrame:
    """Units × modalities counts, with an ``__others__`` row for the other words."""
    if unit not in ("lemma", "form"):
        raise LexicoUsageError(f"unit must be 'lemma' or 'form', not {unit!r}")
    values = variable_values(documents, variable)
    words = tables.tokens[tables.tokens["is_word"]]
    words = words[words["doc_id"].isin(values.index)]
    parts = words["doc_id"].map(values)
    kept = words["active"] if active_only and unit == "lemma" else pd.Series(True, words.index)
    units = words[unit].astype(str)
    units = units.str.lower() if unit == "lemma" else units
    counts = lexical_table(units[kept], parts[kept], min_frequency=min_frequency)
    totals = parts.value_counts().reindex(counts.columns).fillna(0).astype(np.int64)
    others = totals - counts.sum(axis=0)
    counts.loc["__others__"] = others
    if counts.shape[0] < 2:
        raise LexicoDataError(
            f"no {unit} occurs {min_frequency} times or more",
            code="E-LEXICO-TOO-FEW",
            hint="Lower min_frequency or add documents.",
        )
    return counts


def segment_metadata(tables: LexicoTables, documents: pd.DataFrame) -> pd.DataFrame:
    """The metadata of each segment's document (one row per segment, in order)."""
    meta = document_metadata(documents)
    merged = tables.segments[["segment_id", "doc_id"]].merge(meta, on="doc_id", how="left")
    return merged.drop(columns=["segment_id", "doc_id"])


def kwic(
    tables: LexicoTables,
    documents: pd.DataFrame,
    query: str | list[str],
    *,
    by: str = "form",
    window: int = 10,
    ignore_case: bool = True,
    ignore_accents: bool = False,
) -> pd.DataFrame:
    """Concordance of ``query`` with each match's document metadata.

    See :func:`corpus.lexico.kwic.concordance` (query syntax, columns); the metadata
    columns of :data:`METADATA` the corpus has are added after ``doc_id``.
    """
    from corpus.lexico.kwic import concordance

    texts = dict(zip(documents["doc_id"], documents["text"].astype(str), strict=True))
    lines = concordance(
        tables.tokens,
        texts,
        query,
        by=by,
        window=window,
        ignore_case=ignore_case,
        ignore_accents=ignore_accents,
    )
    meta = document_metadata(documents)
    out = lines.merge(meta, on="doc_id", how="left")
    first = ["doc_id", *[c for c in meta.columns if c != "doc_id"]]
    rest = [c for c in lines.columns if c != "doc_id"]
    return out[first + rest]


def correspondence(
    tables: LexicoTables,
    documents: pd.DataFrame,
    variable: str,
    *,
    unit: str = "lemma",
    min_frequency: int = 3,
    n_components: int = 2,
    random_state: int = 0,
) -> Any:
    """Correspondence analysis of the lemmas × modalities table of ``variable``.

    Returns:
        A :class:`corpus.lexico.correspondence.CorrespondenceResult`.
    """
    from corpus.lexico.correspondence import correspondence_analysis

    table = count_table(tables, documents, variable, unit=unit, min_frequency=min_frequency)
    table = table.drop(index="__others__")
    table = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
    return correspondence_analysis(table, n_components=n_components, random_state=random_state)
