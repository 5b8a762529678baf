"""A researcher's corrections, read into gold annotations of the corpus's documents.

Three sources, each giving one :class:`~corpus.extract.gold.Annotation` per corrected
document, keyed by the document's file name:

- a folder of FORMAT.md YAML files (one per document; a full hand annotation);
- a filled-in review sheet (``.xlsx`` or ``.csv`` from ``corpus review``): the document's
  current extractions with the verdicts applied (a ``wrong`` row is removed, a row with a
  correction is replaced by it, unreviewed extractions stay as they were predicted);
- a REFI-QDA project (``.qdpx``) coded under our codebook (:mod:`corpus.exchange`).

Every problem names the file and the row or item, and nothing is returned half-read.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from corpus.errors import CorpusError
from corpus.extract.gold import (
    NEEDS,
    ROLES,
    SECTORS,
    STAGES,
    Actor,
    Annotation,
    Definition,
    read_annotations,
)
from corpus.learning.review import FIELDS, REQUIRED_COLUMNS, VERDICTS


class CorrectionsError(CorpusError):
    """Corrections that cannot be used: unknown documents, labels, offsets or columns."""

    code = "E-LEARN-CORRECTIONS"


def _labels_for(field: str) -> tuple[str, ...] | None:
    return {"role": ROLES, "need": NEEDS, "stage": STAGES, "actor": SECTORS}.get(field)


def read_corrections(
    source: str | Path,
    *,
    documents: Mapping[str, str],
    predictions: Mapping[str, Annotation] | None = None,
) -> dict[str, Annotation]:
    """Read corrections from ``source`` (folder of YAML, review sheet or ``.qdpx``).

    Args:
        source: The corrections.
        documents: The corpus's documents: file name -> clean text (for checks).
        predictions: The current predictions by file name (a review sheet's verdicts are
            applied to them).

    Returns:
        ``{document file name: corrected annotation}``.

    Raises:
        CorrectionsError: A correction names a document not in the corpus, an unknown
            label, an offset outside its document, or the sheet lost a column.
        GoldFormatError: A YAML file does not follow FORMAT.md (names the file and field).
    """
    path = Path(source)
    if path.is_dir():
        found = from_yaml_folder(path, documents=documents)
    elif path.suffix.lower() in (".xlsx", ".csv"):
        found = from_review_sheet(path, documents=documents, predictions=predictions or {})
    elif path.suffix.lower() == ".qdpx":
        found = _from_qdpx(path, documents=documents)
    else:
        raise CorrectionsError(
            "corrections are a folder of FORMAT.md YAML files, a review sheet (.xlsx/.csv) or a "
            "REFI-QDA project (.qdpx)",
            path=path,
            hint="Give one of those (see `corpus review`).",
        )
    if not found:
        raise CorrectionsError(
            "no correction found", path=path, hint="Fill in the verdict column, or add YAML files."
        )
    return found


def from_yaml_folder(folder: Path, *, documents: Mapping[str, str]) -> dict[str, Annotation]:
    """FORMAT.md files matched to the corpus's documents by their ``document`` field."""
    out: dict[str, Annotation] = {}
    for stem, annotation in read_annotations(folder).items():
        name = Path(annotation.document).name
        file = folder / f"{stem}.yaml"
        if name not in documents:
            raise CorrectionsError(
                f"names document {name!r}, which is not in the corpus",
                path=file,
                hint="Match the `document:` field to a file of the corpus's raw/ folder.",
            )
        text = documents[name]
        for i, definition in enumerate(annotation.definitions):
            if definition.text not in text:
                raise CorrectionsError(
                    f"definitions[{i}].text is not a passage of {name} (outside the document)",
                    path=file,
                    hint="Copy the definition's text exactly from the document.",
                )
        out[name] = annotation
    return out


def _cell(row: Mapping[Any, Any], key: str) -> str:
    value = row.get(key)
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def _read_sheet(path: Path) -> pd.DataFrame:
    try:
        if path.suffix.lower() == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False)
        return pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl").fillna("")
    except (OSError, ValueError, KeyError) as exc:
        raise CorrectionsError(
            f"cannot read the review sheet ({exc})",
            path=path,
            hint="Save it as .xlsx or .csv with the columns `corpus review` wrote.",
        ) from exc


def from_review_sheet(
    path: Path, *, documents: Mapping[str, str], predictions: Mapping[str, Annotation]
) -> dict[str, Annotation]:
    """Apply a filled-in review sheet's verdicts to the current predictions."""
    sheet = _read_sheet(path)
    missing = [c for c in REQUIRED_COLUMNS if c not in sheet.columns]
    if missing:
        raise CorrectionsError(
            f"the review sheet lost column(s) {', '.join(missing)}",
            path=path,
            hint=f"Keep the columns {', '.join(REQUIRED_COLUMNS)} as `corpus review` wrote them.",
        )
    out: dict[str, Annotation] = {}
    for number, row in enumerate(sheet.to_dict("records"), start=2):  # row 1: header
        verdict = _cell(row, "verdict").lower()
        if not verdict:
            continue
        where = f"{path.name}, row {number}"
        document, field = _cell(row, "document"), _cell(row, "field")
        correction = _cell(row, "correction")
        if verdict not in VERDICTS:
            raise CorrectionsError(
                f"{where}: verdict {verdict!r} is not one of {', '.join(VERDICTS)}", path=path
            )
        if document not in documents:
            raise CorrectionsError(
                f"{where}: document {document!r} is not in the corpus",
                path=path,
                hint="Keep the document column as `corpus review` wrote it.",
            )
        if field not in FIELDS:
            raise CorrectionsError(
                f"{where}: field {field!r} is not one of {', '.join(FIELDS)}", path=path
            )
        allowed = _labels_for(field)
        if correction and allowed is not None and correction not in allowed:
            raise CorrectionsError(
                f"{where}: unknown label {correction!r} for a {field}",
                path=path,
                hint=f"Allowed: {', '.join(allowed)}.",
            )
        _check_offsets(row, documents[document], where, path)
        if document not in out:
            base = predictions.get(document) or Annotation(document=document)
            out[document] = copy.deepcopy(base)
        _apply(
            out[document],
            field,
            _cell(row, "prediction"),
            _cell(row, "detail"),
            verdict,
            correction,
        )
    return out


def _check_offsets(row: Mapping[Any, Any], text: str, where: str, path: Path) -> None:
    start, end = _cell(row, "start"), _cell(row, "end")
    if not start or not end or start == "-1":
        return
    try:
        a, b = int(float(start)), int(float(end))
    except ValueError as exc:
        raise CorrectionsError(f"{where}: start/end are not numbers", path=path) from exc
    if not 0 <= a <= b <= len(text):
        raise CorrectionsError(
            f"{where}: offsets {a}-{b} are outside the document ({len(text)} characters)",
            path=path,
            hint="Leave start and end as `corpus review` wrote them.",
        )


def _apply(
    annotation: Annotation, field: str, prediction: str, detail: str, verdict: str, correction: str
) -> None:
    """Apply one verdict to a document's annotation (in place)."""
    if field == "definition":
        matches = [d for d in annotation.definitions if d.term == prediction]
        if verdict == "wrong":
            annotation.definitions = [d for d in annotation.definitions if d.term != prediction]
            if correction:  # the right term for the same text
                text = matches[0].text if matches else detail
                annotation.definitions.append(Definition(term=correction.lower(), text=text))
        elif not matches and detail:
            annotation.definitions.append(Definition(term=prediction, text=detail))
    elif field == "actor":
        actors = [a for a in annotation.actors if a.name == prediction]
        if verdict == "wrong" and not correction:
            annotation.actors = [a for a in annotation.actors if a.name != prediction]
        elif correction:  # the right sector
            for actor in actors:
                actor.sector = correction
        elif not actors:
            annotation.actors.append(Actor(name=prediction, sector=detail or None))
    elif field == "role":
        holder = next((a for a in annotation.actors if a.name == detail), None)
        if holder is None:
            holder = Actor(name=detail)
            annotation.actors.append(holder)
        roles = [r for r in holder.roles if r != prediction]
        if verdict == "correct":
            roles.append(prediction)
        if correction:
            roles.append(correction)
        holder.roles = [r for r in ROLES if r in set(roles)]
    else:  # need or stage: document-level sets
        labels = annotation.needs if field == "need" else annotation.stages
        kept = [x for x in labels if x != prediction]
        if verdict == "correct":
            kept.append(prediction)
        if correction:
            kept.append(correction)
        order = NEEDS if field == "need" else STAGES
        chosen = [x for x in order if x in set(kept)]
        if field == "need":
            annotation.needs = chosen
        else:
            annotation.stages = chosen


def _from_qdpx(path: Path, *, documents: Mapping[str, str]) -> dict[str, Annotation]:
    try:
        from corpus.exchange.qdpx_import import read_corrections as read_qdpx
    except ImportError as exc:  # pragma: no cover - the exchange package ships with corpus
        raise CorrectionsError("REFI-QDA import is not available", path=path) from exc
    found = read_qdpx(path)
    out: dict[str, Annotation] = {}
    for name, annotation in found.items():
        base = Path(name).name
        if base not in documents:
            raise CorrectionsError(
                f"the project's source {base!r} is not a document of the corpus",
                path=path,
                hint="Export the project from this corpus (`corpus export --to qdpx`).",
            )
        out[base] = annotation
    return out
