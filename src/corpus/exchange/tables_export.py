"""Every table of a corpus as spreadsheets (``xlsx``), ``csv`` or ``parquet``, with a
data dictionary (``table``, ``column``, ``type``, ``meaning``).

* ``csv``: ``DIR/<table>.csv`` (UTF-8, LF) and ``DIR/data_dictionary.csv``;
* ``parquet``: ``DIR/<table>.parquet`` and ``DIR/data_dictionary.parquet``;
* ``xlsx``: ``DIR/corpus.xlsx``, one sheet per table and a ``data_dictionary`` sheet.

List and record columns are written as JSON text in ``csv`` and ``xlsx`` (Parquet keeps
lists). A spreadsheet cell holds at most 32,767 characters: a longer text (a document's
``text``) is cut in ``xlsx`` only, and the dictionary says so.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corpus.exchange.dictionary import column_meaning
from corpus.store import atomic_write_bytes, atomic_write_csv, atomic_write_parquet

TABLE_FORMATS = ("xlsx", "csv", "parquet")
XLSX_CELL_LIMIT = 32_767
XLSX_NAME = "corpus.xlsx"
DICTIONARY = "data_dictionary"
# Control characters a spreadsheet (XML) cell cannot hold.
_ILLEGAL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])


def _is_listlike(value: Any) -> bool:
    return isinstance(value, (list, tuple, dict, np.ndarray))


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def type_of(series: pd.Series) -> str:
    """A reader's name for a column's type: text, integer, number, boolean, list, JSON."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        values = series.dropna()
        if len(values) and all(float(v).is_integer() for v in values):
            return "integer"
        return "number"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date-time"
    sample = [v for v in series if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if sample and all(_is_listlike(v) for v in sample):
        return "list"
    if sample and all(isinstance(v, str) and v[:1] in "[{" for v in sample):
        return "JSON text"
    return "text"


def data_dictionary(
    tables: Mapping[str, pd.DataFrame], *, dimensions: Mapping[str, str] | None = None, fmt: str
) -> pd.DataFrame:
    """One row per column of every table: ``table``, ``column``, ``type``, ``meaning``."""
    rows = []
    for name, frame in tables.items():
        for column in frame.columns:
            meaning = column_meaning(name, str(column), dimensions or {})
            kind = type_of(frame[column])
            if fmt == "xlsx" and kind == "text":
                longest = frame[column].dropna().astype(str).str.len().max()
                if isinstance(longest, (int, np.integer)) and longest > XLSX_CELL_LIMIT:
                    meaning += f" (cut to {XLSX_CELL_LIMIT} characters in the spreadsheet)"
            rows.append({"table": name, "column": str(column), "type": kind, "meaning": meaning})
    return pd.DataFrame(rows, columns=["table", "column", "type", "meaning"])


def flat(frame: pd.DataFrame, *, cell_limit: int | None = None) -> pd.DataFrame:
    """``frame`` with list and record cells as JSON text (and text cut to a cell)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object and any(_is_listlike(v) for v in out[column]):
            out[column] = [
                json.dumps(_plain(v), ensure_ascii=False) if _is_listlike(v) else v
                for v in out[column]
            ]
        if cell_limit is not None and (
            out[column].dtype == object or pd.api.types.is_string_dtype(out[column])
        ):
            out[column] = [
                v.translate(_ILLEGAL)[:cell_limit] if isinstance(v, str) else v for v in out[column]
            ]
    return out


def _parquet_ready(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object and any(isinstance(v, dict) for v in out[column]):
            out[column] = [
                json.dumps(_plain(v), ensure_ascii=False) if isinstance(v, dict) else v
                for v in out[column]
            ]
    return out


def write_tables(
    out: str | Path,
    tables: Mapping[str, pd.DataFrame],
    *,
    fmt: str,
    dimensions: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write every table and the data dictionary to folder ``out`` in ``fmt``.

    Args:
        out: The output folder (created).
        tables: ``{table name: frame}`` in the order to write them.
        fmt: ``xlsx``, ``csv`` or ``parquet``.
        dimensions: ``{dimension id: label}`` for the ``dimensions`` table's columns.

    Returns:
        The files written.
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    dictionary = data_dictionary(tables, dimensions=dimensions, fmt=fmt)
    written: list[Path] = []
    if fmt == "csv":
        for name, frame in [*tables.items(), (DICTIONARY, dictionary)]:
            atomic_write_csv(folder / f"{name}.csv", flat(frame))
            written.append(folder / f"{name}.csv")
    elif fmt == "parquet":
        for name, frame in [*tables.items(), (DICTIONARY, dictionary)]:
            atomic_write_parquet(folder / f"{name}.parquet", _parquet_ready(frame))
            written.append(folder / f"{name}.parquet")
    elif fmt == "xlsx":
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            for name, frame in [(DICTIONARY, dictionary), *tables.items()]:
                flat(frame, cell_limit=XLSX_CELL_LIMIT).to_excel(
                    writer, sheet_name=name[:31], index=False
                )
        atomic_write_bytes(folder / XLSX_NAME, _stable_xlsx(buffer.getvalue()))
        written.append(folder / XLSX_NAME)
    else:
        raise ValueError(f"unknown table format {fmt!r}")
    return written


def _stable_xlsx(data: bytes) -> bytes:
    """The workbook with fixed zip time stamps and document dates (same tables, same bytes)."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                    rb"\g<1>2000-01-01T00:00:00Z\g<2>",
                    content,
                )
            stamped = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            stamped.compress_type = zipfile.ZIP_DEFLATED
            stamped.external_attr = info.external_attr
            target.writestr(stamped, content)
    return buffer.getvalue()
