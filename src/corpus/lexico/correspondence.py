"""Correspondence analysis of a lemmas × modalities table, with ``prince``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from corpus.lexico.errors import LexicoDataError


@dataclass
class CorrespondenceResult:
    """A fitted correspondence analysis.

    Attributes:
        table: The lemmas × modalities counts analysed.
        rows: Lemma coordinates (``dim1``, ``dim2``...) with ``frequency``.
        columns: Modality coordinates with ``size`` (occurrences).
        eigenvalues: Eigenvalue and share of inertia of each axis (``axis``,
            ``eigenvalue``, ``percent``).
        model: The fitted :class:`prince.CA`.
    """

    table: pd.DataFrame
    rows: pd.DataFrame
    columns: pd.DataFrame
    eigenvalues: pd.DataFrame
    model: Any


def correspondence_analysis(
    table: pd.DataFrame, *, n_components: int = 2, random_state: int = 0
) -> CorrespondenceResult:
    """Fit a CA on a terms × parts count table.

    Args:
        table: Counts, one row per lemma, one column per modality.
        n_components: Axes kept (at most ``min(rows, columns) - 1``).
        random_state: Seeds prince's randomised SVD.

    Returns:
        The coordinates and eigenvalues.

    Raises:
        LexicoDataError: Fewer than two modalities (``E-LEXICO-ONE-MODALITY``) or two
            lemmas, or an empty row or column.
    """
    import prince

    if table.shape[1] < 2:
        raise LexicoDataError(
            f"a correspondence analysis needs two modalities or more, not {table.shape[1]}",
            code="E-LEXICO-ONE-MODALITY",
            hint="Choose a variable with several modalities.",
        )
    if table.shape[0] < 2:
        raise LexicoDataError(
            "a correspondence analysis needs two lemmas or more",
            code="E-LEXICO-TOO-FEW",
            hint="Lower min_frequency or add documents.",
        )
    if (table.sum(axis=1) == 0).any():
        raise LexicoDataError("the table has an empty row", code="E-LEXICO-EMPTY-ROWS")
    if (table.sum(axis=0) == 0).any():
        raise LexicoDataError("the table has an empty column", code="E-LEXICO-EMPTY-COLUMNS")
    n = max(1, min(n_components, min(table.shape) - 1))
    model = prince.CA(n_components=n, n_iter=10, random_state=random_state).fit(table)
    names = [f"dim{i + 1}" for i in range(n)]
    rows = model.row_coordinates(table)
    rows.columns = names
    rows = _orient(rows)
    signs = np.sign(_orientation(model.row_coordinates(table).to_numpy()))
    cols = model.column_coordinates(table)
    cols.columns = names
    cols = cols * signs
    rows["frequency"] = table.sum(axis=1).to_numpy()
    cols["size"] = table.sum(axis=0).to_numpy()
    eigen = np.asarray(model.eigenvalues_, dtype=float)
    total = float(model.total_inertia_)
    eigenvalues = pd.DataFrame(
        {"axis": names, "eigenvalue": eigen, "percent": 100.0 * eigen / total}
    )
    return CorrespondenceResult(table, rows, cols, eigenvalues, model)


def _orientation(values: np.ndarray) -> np.ndarray:
    """+1/-1 per axis so that the largest absolute row coordinate is positive."""
    idx = np.argmax(np.abs(values), axis=0)
    return np.where(values[idx, np.arange(values.shape[1])] < 0, -1.0, 1.0)


def _orient(frame: pd.DataFrame) -> pd.DataFrame:
    """Fix each axis's sign (an SVD's sign is arbitrary) so reruns give equal files."""
    return frame * _orientation(frame.to_numpy())
