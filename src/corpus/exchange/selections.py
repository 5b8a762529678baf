"""The extraction tables as coded selections: one span of a document, its codes, a note.

:func:`coded_selections` turns the store's tables into :class:`Selection` rows, the
common ground of the REFI-QDA export: definitions by term, named-actor mentions by sector
(and, on the mention the role evidence is about, by role), unnamed actor categories,
needs and stages (those the document-level tables retained), and passages by topic.
Two rows on the same span become one selection with several codes.

Descriptions carry what a coder needs to audit a code (confidence, cue, evidence) and,
for our own re-import, the actor's full name, aliases and the definition's source, one
``key : value`` line each (:data:`NOTE_KEYS`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from corpus.exchange.codebook import Codebook

#: The lines of a selection's Description that the importer reads back.
NOTE_KEYS = {"actor": "acteur", "aliases": "alias", "source": "source"}


@dataclass
class Selection:
    """One coded span of a document's clean text.

    Attributes:
        doc_id: The document.
        start: Code-point start in the clean text.
        end: Code-point end (exclusive).
        codes: GUIDs of its codes, in order, no repeats.
        notes: Description lines, in order, no repeats.
    """

    doc_id: str
    start: int
    end: int
    codes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, code: str, notes: Iterable[str]) -> None:
        """Add a code and its notes (repeats are dropped)."""
        if code not in self.codes:
            self.codes.append(code)
        for note in notes:
            if note and note not in self.notes:
                self.notes.append(note)


def _value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = str(value).strip()
    return text or None


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _confidence(row: dict[str, Any]) -> str | None:
    """``confiance : 0.90`` from the row's confidence, else ``score : 1.25`` (evidence)."""
    confidence = _number(row.get("confidence"))
    if confidence is not None:
        return f"confiance : {confidence:.2f}"
    score = _number(row.get("score"))
    return None if score is None else f"score : {score:.2f}"


def _line(key: str, value: Any) -> str | None:
    text = _value(value)
    return f"{key} : {' '.join(text.split())}" if text else None


def _json_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return []
        return parsed if isinstance(parsed, list) else []
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return list(value)


class _Collector:
    def __init__(self, lengths: dict[str, int]) -> None:
        self.lengths = lengths
        self.by_span: dict[tuple[str, int, int], Selection] = {}

    def add(
        self, doc_id: str, start: Any, end: Any, code: str, notes: Iterable[str | None]
    ) -> None:
        if doc_id not in self.lengths or start is None or end is None:
            return
        try:
            a, b = int(start), int(end)
        except (TypeError, ValueError):
            return
        if not 0 <= a < b <= self.lengths[doc_id]:
            return
        key = (doc_id, a, b)
        if key not in self.by_span:
            self.by_span[key] = Selection(doc_id, a, b)
        self.by_span[key].add(code, [n for n in notes if n])

    def selections(self) -> list[Selection]:
        return [self.by_span[k] for k in sorted(self.by_span)]


def _retained(doc_table: pd.DataFrame | None, column: str) -> set[tuple[str, str]]:
    if doc_table is None or len(doc_table) == 0 or column not in doc_table.columns:
        return set()
    return set(zip(doc_table["doc_id"].astype(str), doc_table[column].astype(str), strict=True))


def _records(frame: pd.DataFrame | None, doc_ids: set[str]) -> list[dict[str, Any]]:
    if frame is None or len(frame) == 0:
        return []
    records = ({str(k): v for k, v in r.items()} for r in frame.to_dict("records"))
    return [r for r in records if str(r.get("doc_id")) in doc_ids]


def coded_selections(
    codebook: Codebook,
    texts: dict[str, str],
    tables: dict[str, pd.DataFrame | None],
    *,
    build_actors: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> list[Selection]:
    """Every extraction of ``tables`` as a coded selection of its document.

    Args:
        codebook: The codebook (from :func:`corpus.exchange.codebook.build_codebook`).
        texts: ``{doc_id: clean text}`` of the documents exported.
        tables: The extraction tables by store name (``definitions``, ``mentions``,
            ``actor_types``, ``doc_actor_types``, ``needs``, ``doc_needs``, ``stages``,
            ``doc_stages``; ``passages`` and ``passage_topics`` when topics were
            fitted). A missing table contributes nothing.

    Returns:
        Selections sorted by document and position.
    """
    lengths = {doc_id: len(text) for doc_id, text in texts.items()}
    doc_ids = set(texts)
    out = _Collector(lengths)
    for row in _records(tables.get("definitions"), doc_ids):
        term = _value(row.get("term"))
        if term is None:
            continue
        notes = [_confidence(row), _line("indice", row.get("cue"))]
        notes += [_line(NOTE_KEYS["source"], row.get("source")), _line("année", row.get("year"))]
        code = codebook.code_for("definitions", term).guid
        out.add(str(row["doc_id"]), row.get("start"), row.get("end"), code, notes)
    _add_actors(
        codebook,
        out,
        _records(tables.get("mentions"), doc_ids),
        tables.get("mentions"),
        build_actors,
    )
    for name, column, doc_name, field_name, label_column in (
        ("actor_types", "sector", "doc_actor_types", "actor_types", "sector"),
        ("needs", "need", "doc_needs", "needs", "need"),
        ("stages", "stage", "doc_stages", "stages", "stage"),
    ):
        retained = _retained(tables.get(doc_name), label_column)
        for row in _records(tables.get(name), doc_ids):
            label, doc_id = _value(row.get(column)), str(row["doc_id"])
            if label is None or (doc_id, label) not in retained:
                continue
            notes = [_confidence(row), _line("indice", row.get("cue") or row.get("category"))]
            code = codebook.code_for(field_name, label).guid
            out.add(doc_id, row.get("start"), row.get("end"), code, notes)
    _add_topics(codebook, out, tables, doc_ids)
    return out.selections()


def _add_actors(
    codebook: Codebook,
    out: _Collector,
    mentions: list[dict[str, Any]],
    frame: pd.DataFrame | None,
    build_actors: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> None:
    if not mentions or frame is None:
        return
    from corpus.extract.actors import build_actors as rules_actors
    from corpus.extract.actors import name_key

    build = build_actors or rules_actors
    kept = frame[frame["doc_id"].astype(str).isin(out.lengths)]
    # One document at a time, as the YAML predictions are built (an actor's roles and
    # sector are those its own document gives it).
    parts = [build(g.reset_index(drop=True)) for _, g in kept.groupby("doc_id", sort=True)]
    actors = pd.concat(parts, ignore_index=True) if parts else build(kept)
    actor_rows = [{str(k): v for k, v in a.items()} for a in actors.to_dict("records")]
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for actor in actor_rows:
        for alias in [actor["name"], *_json_list(actor.get("aliases"))]:
            by_key.setdefault((str(actor["doc_id"]), name_key(str(alias))), actor)
    linked: dict[str, list[dict[str, Any]]] = {}
    for row in mentions:
        doc_id = str(row["doc_id"])
        keys = [name_key(str(row[k])) for k in ("name", "acronym") if _value(row.get(k))]
        hits = [by_key[(doc_id, k)] for k in keys if (doc_id, k) in by_key]
        if hits:
            linked.setdefault(str(hits[0]["actor_id"]), []).append(row)
    for actor in actor_rows:
        rows = sorted(linked.get(str(actor["actor_id"]), []), key=lambda r: int(r["start"]))
        if not rows:
            continue
        sector = _value(actor.get("sector"))
        sector_code = (
            codebook.code_for("sectors", sector).guid
            if sector
            else codebook.code_for("actors", "").guid
        )
        identity = [_line(NOTE_KEYS["actor"], actor["name"])]
        aliases = [str(a) for a in _json_list(actor.get("aliases")) if _value(a)]
        if aliases:
            identity.append(_line(NOTE_KEYS["aliases"], " ; ".join(aliases)))
        for row in rows:
            notes = [*identity, _confidence(row)] if "confidence" in row else identity
            out.add(str(row["doc_id"]), row["start"], row["end"], sector_code, notes)
        for evidence in _json_list(actor.get("evidence")):
            role = evidence.get("role") if isinstance(evidence, dict) else None
            if role not in ("porteur", "bailleur", "partenaire", "preneur"):
                continue
            row = _mention_for(rows, evidence)
            notes = [
                _confidence(evidence),
                _line("rôle " + str(role), evidence.get("evidence")),
                _line("indice", evidence.get("cue")),
            ]
            code = codebook.code_for("roles", str(role)).guid
            out.add(str(row["doc_id"]), row["start"], row["end"], code, [*identity, *notes])


def _mention_for(rows: list[dict[str, Any]], evidence: dict[str, Any]) -> dict[str, Any]:
    """The mention a role's evidence is about: inside it, else the nearest before it."""
    try:
        start = int(evidence.get("evidence_start"))  # type: ignore[arg-type]
        end = int(evidence.get("evidence_end"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return rows[0]
    inside = [r for r in rows if start <= int(r["start"]) and int(r["end"]) <= end]
    if inside:
        return inside[0]
    before = [r for r in rows if int(r["start"]) <= start]
    return before[-1] if before else rows[0]


def _add_topics(
    codebook: Codebook,
    out: _Collector,
    tables: dict[str, pd.DataFrame | None],
    doc_ids: set[str],
) -> None:
    passages, assigned = tables.get("passages"), tables.get("passage_topics")
    if passages is None or assigned is None or len(assigned) == 0:
        return
    codes = {c.guid: c for c in codebook.codes() if c.name.startswith("Thème ") and ":" in c.name}
    by_number = {int(c.name.split()[1]): c.guid for c in codes.values()}
    spans = passages.set_index("passage_id")[["doc_id", "start", "end"]]
    for passage_id, topic in zip(assigned["passage_id"], assigned["topic"], strict=True):
        if int(topic) not in by_number or passage_id not in spans.index:
            continue
        doc_id, start, end = spans.loc[passage_id]
        if str(doc_id) in doc_ids:
            out.add(str(doc_id), start, end, by_number[int(topic)], [])
