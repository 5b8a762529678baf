"""``corpus review``: the extractions most worth a researcher's check, as a sheet.

One row per extraction (a definition, an actor, an actor's role, a need or a stage of a
document): the document, the passage, the evidence sentence with the candidate marked
``[[like this]]``, what was predicted, its calibrated confidence, and two empty columns for
the verdict (``correct`` / ``wrong``) and the correction. Half the rows are the least
certain extractions (confidence nearest the decision threshold), half are drawn at random
(seeded) from the rest, so the sheet also measures the confident ones.

The filled-in sheet goes back through ``corpus learn PATH --corrections SHEET``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corpus.errors import UsageError
from corpus.store import atomic_path

#: The review sheet's columns, in order (``corpus learn`` reads them by these names).
REVIEW_COLUMNS = (
    "id",
    "document",
    "field",
    "passage_id",
    "start",
    "end",
    "evidence",
    "prediction",
    "detail",
    "confidence",
    "verdict",
    "correction",
)
#: The columns a filled-in sheet must keep for ``corpus learn``.
REQUIRED_COLUMNS = ("id", "document", "field", "prediction", "verdict", "correction")
VERDICTS = ("correct", "wrong")
FIELDS = ("definition", "actor", "role", "need", "stage")
MARK_OPEN, MARK_CLOSE = "[[", "]]"
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


def evidence_sentence(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` around ``[start, end)``, the candidate marked ``[[...]]``."""
    if not text:
        return ""
    start, end = max(0, start), min(len(text), max(start, end))
    left = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        left = match.end()
    right_match = _SENTENCE_END.search(text, end)
    right = right_match.start() if right_match else len(text)
    return (text[left:start] + MARK_OPEN + text[start:end] + MARK_CLOSE + text[end:right]).strip()


def _as_dict(value: Any) -> dict[str, float]:
    if isinstance(value, Mapping):
        return {str(k): float(v) for k, v in value.items()}
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            return {str(k): float(v) for k, v in json.loads(value).items()}
        except (ValueError, TypeError, AttributeError):
            return {}
    return {}


def _as_list(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                items = json.loads(text)
            except ValueError:
                items = [text]
        else:
            items = [text] if text else []
    else:
        items = list(value)
    out = []
    for item in items:
        out.append(str(item.get("role", "")) if isinstance(item, Mapping) else str(item))
    return [o for o in out if o]


def _confidence(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return number


def review_rows(
    *,
    documents: pd.DataFrame,
    passages: pd.DataFrame,
    definitions: pd.DataFrame,
    actors_by_doc: Mapping[str, pd.DataFrame],
    mentions: pd.DataFrame,
    doc_needs: pd.DataFrame,
    doc_stages: pd.DataFrame,
    needs: pd.DataFrame | None = None,
    stages: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every extraction of a corpus as one review row (all columns of :data:`REVIEW_COLUMNS`).

    Args:
        documents: Documents table (``doc_id``, ``path``).
        passages: Passages table (``passage_id``, ``doc_id``, ``start``, ``text``).
        definitions: Definitions table (``doc_id``, ``passage_id``, ``start``, ``end``,
            ``term``, ``confidence``).
        actors_by_doc: Per-document actors (``name``, ``aliases``, ``sector``, ``roles``,
            ``confidence``, ``role_confidence``) by ``doc_id``.
        mentions: Actor mentions (``doc_id``, ``passage_id``, ``start``, ``end``, ``text``,
            ``name``), for the evidence of each actor.
        doc_needs: ``doc_id``, ``need``, ``confidence``.
        doc_stages: ``doc_id``, ``stage``, ``confidence``.
        needs: Passage-level need evidence (``doc_id``, ``need``, ``passage_id``, ``start``,
            ``end``), used to show a sentence for a document-level need.
        stages: The same for stages.

    Returns:
        The rows, sorted by document then field.
    """
    names = dict(zip(documents["doc_id"].astype(str), documents["path"].astype(str), strict=True))
    texts = dict(zip(passages["passage_id"].astype(str), passages["text"].astype(str), strict=True))
    starts = dict(
        zip(passages["passage_id"].astype(str), passages["start"].astype(int), strict=True)
    )
    rows: list[dict[str, Any]] = []

    def add(
        doc_id: str,
        field: str,
        prediction: str,
        detail: str,
        confidence: float,
        passage_id: str | None,
        start: int | None,
        end: int | None,
    ) -> None:
        evidence = ""
        if passage_id is not None and passage_id in texts and start is not None and end is not None:
            offset = starts[passage_id]
            evidence = evidence_sentence(texts[passage_id], start - offset, end - offset)
        key = "|".join([doc_id, field, prediction, detail])
        rows.append(
            {
                "id": key,
                "document": Path(names.get(doc_id, doc_id)).name,
                "field": field,
                "passage_id": passage_id or "",
                "start": start if start is not None else -1,
                "end": end if end is not None else -1,
                "evidence": evidence,
                "prediction": prediction,
                "detail": detail,
                "confidence": confidence,
                "verdict": "",
                "correction": "",
            }
        )

    for row in definitions.to_dict("records"):
        add(
            str(row["doc_id"]),
            "definition",
            str(row.get("term", "")),
            str(row.get("text", ""))[:300],
            _confidence(row.get("confidence")),
            str(row.get("passage_id")),
            int(row["start"]),
            int(row["end"]),
        )

    for doc_id, actors in actors_by_doc.items():
        doc_mentions = (
            mentions[mentions["doc_id"].astype(str) == doc_id] if len(mentions) else mentions
        )
        for actor in actors.to_dict("records"):
            name = str(actor.get("name", ""))
            where = _first_mention(doc_mentions, [name, *_as_list(actor.get("aliases"))])
            sector = str(actor.get("sector") or "")
            add(doc_id, "actor", name, sector, _confidence(actor.get("confidence")), *where)
            role_probs = _as_dict(actor.get("role_confidence"))
            for role in _as_list(actor.get("roles")):
                add(
                    doc_id,
                    "role",
                    role,
                    name,
                    role_probs.get(role, _confidence(actor.get("confidence"))),
                    *where,
                )

    for label_col, field, table, evidence in (
        ("need", "need", doc_needs, needs),
        ("stage", "stage", doc_stages, stages),
    ):
        for row in table.to_dict("records"):
            doc_id, label = str(row["doc_id"]), str(row[label_col])
            where = _first_evidence(evidence, doc_id, label_col, label)
            add(doc_id, field, label, "", _confidence(row.get("confidence")), *where)

    frame = pd.DataFrame(rows, columns=list(REVIEW_COLUMNS))
    return frame.sort_values(
        ["document", "field", "start", "prediction"], kind="stable"
    ).reset_index(drop=True)


def _first_mention(
    mentions: pd.DataFrame, names: Iterable[str]
) -> tuple[str | None, int | None, int | None]:
    wanted = {n.casefold() for n in names if n}
    if len(mentions) == 0:
        return None, None, None
    for row in mentions.sort_values("start", kind="stable").to_dict("records"):
        surface = {str(row.get("text", "")).casefold(), str(row.get("name", "")).casefold()}
        if surface & wanted:
            return str(row["passage_id"]), int(row["start"]), int(row["end"])
    return None, None, None


def _first_evidence(
    table: pd.DataFrame | None, doc_id: str, label_col: str, label: str
) -> tuple[str | None, int | None, int | None]:
    if table is None or len(table) == 0 or label_col not in table.columns:
        return None, None, None
    hits = table[(table["doc_id"].astype(str) == doc_id) & (table[label_col].astype(str) == label)]
    if len(hits) == 0:
        return None, None, None
    first = hits.sort_values("start", kind="stable").iloc[0]
    return str(first["passage_id"]), int(first["start"]), int(first["end"])


def select_for_review(
    rows: pd.DataFrame, *, n: int = 50, seed: int = 0, threshold: float = 0.5
) -> pd.DataFrame:
    """Half the least certain rows (nearest ``threshold``), half drawn at random from the rest.

    Rows without a confidence count as least certain after those with one. Same rows and
    seed, same selection.
    """
    if n <= 0:
        raise UsageError("--n must be a positive number of rows", hint="For example --n 50.")
    if len(rows) <= n:
        return rows.reset_index(drop=True)
    distance = (rows["confidence"].astype(float) - threshold).abs().fillna(0.5)
    order = np.lexsort((np.arange(len(rows)), distance.to_numpy()))
    uncertain = order[: (n + 1) // 2]
    rest = np.setdiff1d(np.arange(len(rows)), uncertain)
    rng = np.random.default_rng(seed)
    drawn = rng.choice(rest, size=n - len(uncertain), replace=False)
    picked = np.sort(np.concatenate([uncertain, drawn]))
    return rows.iloc[picked].reset_index(drop=True)


def write_review(
    rows: pd.DataFrame, out: str | Path, *, labels: Mapping[str, Iterable[str]]
) -> Path:
    """Write the review sheet: ``.xlsx`` (with drop-down lists) or ``.csv``, by suffix.

    Args:
        rows: From :func:`select_for_review`.
        out: The file to write.
        labels: Allowed corrections per field (``role``, ``need``, ``stage``, ``sector``).

    Raises:
        UsageError: The suffix is neither ``.xlsx`` nor ``.csv``.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UsageError(
            "a review sheet is written as .xlsx or .csv",
            path=out,
            hint="Name the file review.xlsx.",
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        with atomic_path(out) as tmp:
            rows.to_csv(tmp, index=False, encoding="utf-8")
        return out
    _write_xlsx(rows, out, labels=labels)
    return out


def _write_xlsx(rows: pd.DataFrame, out: Path, *, labels: Mapping[str, Iterable[str]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "review"
    sheet.append(list(REVIEW_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in rows.itertuples(index=False):
        sheet.append([None if isinstance(v, float) and np.isnan(v) else v for v in record])
    lists = book.create_sheet("labels")
    verdict_col = REVIEW_COLUMNS.index("verdict") + 1
    correction_col = REVIEW_COLUMNS.index("correction") + 1
    last = len(rows) + 1
    verdict = DataValidation(type="list", formula1=f'"{",".join(VERDICTS)}"', allow_blank=True)
    verdict.error = "correct or wrong"
    sheet.add_data_validation(verdict)
    verdict.add(f"{_letter(verdict_col)}2:{_letter(verdict_col)}{max(last, 2)}")
    # One named list per field with a closed label set; each row's correction cell gets its
    # field's list (a definition's correction is free text: the right term).
    for column, (field, values) in enumerate(sorted(labels.items()), start=1):
        values = list(values)
        lists.cell(row=1, column=column, value=field)
        for i, value in enumerate(values, start=2):
            lists.cell(row=i, column=column, value=value)
        ref = f"labels!${_letter(column)}$2:${_letter(column)}${len(values) + 1}"
        check = DataValidation(type="list", formula1=ref, allow_blank=True)
        sheet.add_data_validation(check)
        for i, row_field in enumerate(rows["field"].tolist(), start=2):
            if row_field == field or (field == "sector" and row_field == "actor"):
                check.add(f"{_letter(correction_col)}{i}")
    for letter, width in zip(
        "ABCDEFGHIJKL", (18, 28, 10, 14, 7, 7, 80, 28, 28, 10, 10, 24), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    for cell in sheet["G"][1:]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    lists.sheet_state = "hidden"
    with atomic_path(out) as tmp:
        book.save(tmp)


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(column))
