"""Small hand-made corpus tables and REFI-QDA files for the exchange tests.

The texts are written for these tests. Offsets are computed from the texts, so every
table points at what it names, as the store's tables do.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

TEXT_A = (
    "La Coopérative du Vallon porte le projet de cantine solidaire.\n\n"
    "Selon le Collectif Terres Vives, l'innovation sociale est une réponse nouvelle à un "
    "besoin social mal satisfait.\n\n"
    "La Fondation Lumière finance l'expérimentation auprès des familles du quartier. "
    "La Coopérative du Vallon (CDV) a d'abord mené un diagnostic des repas servis."
)
TEXT_B = (
    "Le Réseau Mobilité Douce accompagne les communes rurales.\n\n"
    "Les personnes âgées isolées gagnent un transport vers les commerces du bourg."
)


def span(text: str, part: str, after: int = 0) -> tuple[int, int]:
    """``(start, end)`` of the first ``part`` of ``text`` at or after ``after``."""
    start = text.index(part, after)
    return start, start + len(part)


def _role(role: str, cue: str, text: str, evidence: str) -> str:
    start, end = span(text, evidence)
    return json.dumps(
        [
            {
                "role": role,
                "cue": cue,
                "evidence": evidence,
                "evidence_start": start,
                "evidence_end": end,
            }
        ],
        ensure_ascii=False,
    )


def _mention(
    doc_id: str,
    text: str,
    part: str,
    *,
    after: int = 0,
    name: str | None = None,
    acronym: str | None = None,
    sector: str,
    roles: str = "[]",
) -> dict[str, Any]:
    start, end = span(text, part, after)
    return {
        "doc_id": doc_id,
        "passage_id": f"{doc_id}-0000",
        "text": part,
        "start": start,
        "end": end,
        "name": name or part,
        "acronym": acronym,
        "sector": sector,
        "kind": "org",
        "origin": "pattern",
        "roles": roles,
        "byline": False,
        "canonical": None,
        "heading": False,
        "weak": False,
    }


def corpus_tables() -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The documents table and the extraction (and topic) tables of two documents."""
    documents = pd.DataFrame(
        {
            "doc_id": ["a000000000000001", "b000000000000002"],
            "path": ["raw/cantine-vallon.txt", "raw/mobilite-douce.txt"],
            "title": ["Une cantine solidaire au Vallon", "Transport doux en commune rurale"],
            "genre": ["project", "report"],
            "year": pd.array([2021, 2019], dtype="Int64"),
            "region": ["Île de France", "Occitanie"],
            "extra": [json.dumps({"country": "France"}), json.dumps({"country": "France"})],
            "language": ["fr", "fr"],
            "is_french": [True, True],
            "text": [TEXT_A, TEXT_B],
        }
    )
    a, b = "a000000000000001", "b000000000000002"
    definition = TEXT_A.split("\n\n")[1]
    d_start, d_end = span(TEXT_A, definition)
    definitions = pd.DataFrame(
        [
            {
                "doc_id": a,
                "definition_id": f"{a}-d001",
                "passage_id": f"{a}-0001",
                "start": d_start,
                "end": d_end,
                "term": "innovation sociale",
                "text": definition,
                "cue": "être",
                "source": "Collectif Terres Vives",
                "year": None,
                "confidence": 0.9,
            }
        ]
    )
    second = TEXT_A.index("La Coopérative du Vallon (CDV)")
    mentions = pd.DataFrame(
        [
            _mention(
                a,
                TEXT_A,
                "Coopérative du Vallon",
                sector="ess",
                roles=_role(
                    "porteur",
                    "porte le projet",
                    TEXT_A,
                    "La Coopérative du Vallon porte le projet de cantine solidaire.",
                ),
            ),
            _mention(a, TEXT_A, "Collectif Terres Vives", sector="ess"),
            _mention(
                a,
                TEXT_A,
                "Fondation Lumière",
                sector="ess",
                roles=_role(
                    "bailleur", "finance", TEXT_A, "La Fondation Lumière finance l'expérimentation"
                ),
            ),
            _mention(
                a,
                TEXT_A,
                "Coopérative du Vallon (CDV)",
                after=second,
                name="Coopérative du Vallon",
                acronym="CDV",
                sector="ess",
            ),
            _mention(
                b,
                TEXT_B,
                "Réseau Mobilité Douce",
                sector="ess",
                roles=_role(
                    "partenaire",
                    "accompagne",
                    TEXT_B,
                    "Le Réseau Mobilité Douce accompagne les communes rurales.",
                ),
            ),
        ]
    )

    def rows(doc: str, text: str, column: str, items: list[tuple[str, str]]) -> pd.DataFrame:
        out = []
        for label, part in items:
            start, end = span(text, part)
            out.append(
                {
                    "doc_id": doc,
                    "passage_id": f"{doc}-0000",
                    column: label,
                    "text": part,
                    "start": start,
                    "end": end,
                    "cue": f"{label}.{part}",
                    "score": 1.0,
                }
            )
        return pd.DataFrame(out)

    needs = pd.concat(
        [
            rows(a, TEXT_A, "need", [("alimentation", "cantine"), ("lien_social", "quartier")]),
            rows(b, TEXT_B, "need", [("mobilite", "transport"), ("vieillissement", "âgées")]),
        ],
        ignore_index=True,
    )
    stages = rows(
        a, TEXT_A, "stage", [("experimentation", "expérimentation"), ("diagnostic", "diagnostic")]
    )
    actor_types = pd.concat(
        [
            rows(a, TEXT_A, "sector", [("citoyens", "familles")]),
            rows(b, TEXT_B, "sector", [("public", "communes")]),
        ],
        ignore_index=True,
    ).rename(columns={"cue": "category"})
    passages = pd.DataFrame(
        [
            {
                "passage_id": f"{doc}-{i:04d}",
                "doc_id": doc,
                "index": i,
                "start": s,
                "end": s + len(p),
                "text": p,
            }
            for doc, text in ((a, TEXT_A), (b, TEXT_B))
            for i, (p, s) in enumerate(_paragraphs(text))
        ]
    )
    passage_topics = pd.DataFrame(
        {
            "passage_id": passages["passage_id"],
            "doc_id": passages["doc_id"],
            "topic": [0, 1, 0, 2, 2],
        }
    )
    topics = pd.DataFrame(
        {
            "topic": [0, 1, 2],
            "label": ["cantine_repas", "définir_innovation", "transport_rural"],
            "size": [2, 1, 2],
        }
    )
    tables = {
        "passages": passages,
        "definitions": definitions,
        "mentions": mentions,
        "actor_types": actor_types,
        # lien_social is not retained at document level: it is neither exported nor gold.
        "doc_actor_types": actor_types[["doc_id", "sector"]].drop_duplicates(),
        "needs": needs,
        "doc_needs": needs[needs["need"] != "lien_social"][["doc_id", "need"]],
        "stages": stages,
        "doc_stages": stages[["doc_id", "stage"]],
        "topics": topics,
        "passage_topics": passage_topics,
    }
    return documents, tables


def _paragraphs(text: str) -> list[tuple[str, int]]:
    out, start = [], 0
    for part in text.split("\n\n"):
        start = text.index(part, start)
        out.append((part, start))
        start += len(part)
    return out


# -- REFI-QDA files built by hand ---------------------------------------------------------
NS = "urn:QDA-XML:project:1.0"


def qdpx(path: Path, project: str, files: dict[str, bytes] | None = None) -> Path:
    """Write a ``.qdpx``: ``project.qde`` (``project``) and ``files`` (member: bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project.encode("utf-8"))
        for member, data in (files or {}).items():
            archive.writestr(member, data)
    path.write_bytes(buffer.getvalue())
    return path


def project_xml(*, origin: str, codes: str, sources: str, extra: str = "") -> str:
    """A ``project.qde`` with a user, ``codes`` (``<Code>`` elements) and ``sources``."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<Project xmlns="{NS}" name="Projet test" origin="{origin}">'
        f'<Users><User guid="{guid(170)}" name="Camille"/></Users>'
        f"<CodeBook><Codes>{codes}</Codes></CodeBook>{extra}<Sources>{sources}</Sources>"
        "</Project>"
    )


def guid(n: int) -> str:
    """A fixed GUID numbered ``n``."""
    return f"00000000-0000-4000-8000-{n:012d}"
