"""A coded REFI-QDA project -> a corpus folder, gold annotations and corrections.

:func:`import_project` writes ``DIR`` (``corpus import FILE.qdpx --out DIR``):

* ``raw/<name>.txt``: each text source (UTF-8, LF line ends);
* ``metadata.csv``: one row per file, from the Cases and Variables;
* ``codes.csv``: one row per coded selection of any code (``document``, ``start``,
  ``end``, ``code``, ``text``, ``coder``, ``created``), positions in code points of the
  ``raw/`` file;
* ``gold/<stem>.yaml``: the codings under our codebook in the FORMAT.md shape;
* ``corpus.yaml`` and ``import-report.txt`` (codes not mapped, sources not read,
  selections not placed).

Everything is written into a temporary folder beside ``DIR``, which is renamed into
place at the end: a bad input leaves no half-written ``DIR``.
:func:`read_corrections` gives the same annotations keyed by source file name, for
``corpus learn --corrections FILE.qdpx``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from corpus.exchange.codebook import Mapped, fold, is_branch, map_code
from corpus.exchange.errors import ExportUsageError, QdaError
from corpus.exchange.qdpx_read import Coded, Project, Source, read_project
from corpus.exchange.selections import NOTE_KEYS
from corpus.extract.gold import (
    NEEDS,
    SECTORS,
    STAGES,
    Actor,
    Annotation,
    Definition,
    write_annotation,
)
from corpus.store import atomic_write_csv

CODES_COLUMNS = ("document", "start", "end", "code", "text", "coder", "created")
REPORT_NAME = "import-report.txt"
_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


@dataclass
class ImportReport:
    """What :func:`import_project` did.

    Attributes:
        out: The corpus folder written.
        project: The project's name.
        origin: The producing program.
        documents: Text sources written to ``raw/``.
        coded: Rows of ``codes.csv``.
        gold: Gold files written.
        unmapped: Paths of the codes that are not ours (their codings are in
            ``codes.csv``).
        lines: Sources skipped, selections not placed, codings without a code.
        uses: Coded selections per code path.
    """

    out: Path
    project: str
    origin: str
    documents: int = 0
    coded: int = 0
    gold: int = 0
    unmapped: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    uses: dict[str, int] = field(default_factory=dict)

    def text(self) -> str:
        """The report as written to ``import-report.txt``."""
        head = [
            f"project: {self.project}",
            f"origin: {self.origin or 'unknown'}",
            f"documents: {self.documents}",
            f"coded selections: {self.coded}",
            f"gold files: {self.gold}",
        ]
        unmapped = [
            f"code not mapped to the corpus codebook: {c} ({self.uses.get(c, 0)} coded "
            "selection(s), kept in codes.csv)"
            for c in self.unmapped
        ]
        return "\n".join([*head, *unmapped, *self.lines]) + "\n"


def _mapped(project: Project) -> dict[str, Mapped]:
    out: dict[str, Mapped] = {}
    for code in project.codes.values():
        meaning = map_code(code.name, code.parent)
        if meaning is not None:
            out[code.guid] = meaning
    return out


def _notes(description: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in description.splitlines():
        key, sep, value = line.partition(":")
        if sep and value.strip():
            out.setdefault(fold(key), value.strip())
    return out


def annotation_of(
    source: Source, coded: list[Coded], mapped: dict[str, Mapped], document: str
) -> Annotation:
    """The FORMAT.md annotation of one source from its codings under our codebook.

    Definitions: the term from the code, the selected text, the source from the
    Description's ``source :`` line. Named actors: grouped by the Description's
    ``acteur :`` line (our exports) or by the selected text (a coder's own), sector the
    most frequent sector code, roles every role code. Needs, stages and actor types:
    the labels coded anywhere in the source.
    """
    from corpus.extract.actors import name_key

    annotation = Annotation(document=document)
    labels: dict[str, set[str]] = {"needs": set(), "stages": set(), "actor_types": set()}
    groups: dict[str, dict[str, object]] = {}
    seen_definitions: set[tuple[str, str]] = set()
    for item in sorted(coded, key=lambda c: (c.start, c.end)):
        meaning = mapped.get(item.code)
        if meaning is None:
            continue
        text = source.text[item.start : item.end].strip()
        notes = _notes(item.description)
        if meaning.field in labels:
            labels[meaning.field].add(meaning.label)
        elif meaning.field == "definitions" and text:
            term = " ".join(meaning.label.lower().split())
            if (term, text) not in seen_definitions:
                seen_definitions.add((term, text))
                annotation.definitions.append(
                    Definition(term=term, text=text, source=notes.get(NOTE_KEYS["source"]))
                )
        elif meaning.field in ("actors", "roles", "sectors") and text:
            name = notes.get(NOTE_KEYS["actor"]) or text
            group = groups.setdefault(
                name_key(name),
                {"name": name, "aliases": [], "sectors": Counter(), "roles": [], "ours": False},
            )
            aliases: list[str] = group["aliases"]  # type: ignore[assignment]
            if NOTE_KEYS["actor"] in notes:
                group["ours"] = True
                for alias in notes.get(NOTE_KEYS["aliases"], "").split(" ; "):
                    if alias.strip() and alias.strip() not in aliases:
                        aliases.append(alias.strip())
            elif name_key(text) != name_key(str(group["name"])) and text not in aliases:
                aliases.append(text)
            if meaning.field == "sectors":
                group["sectors"][meaning.label] += 1  # type: ignore[index]
            roles: list[str] = group["roles"]  # type: ignore[assignment]
            if meaning.field == "roles" and meaning.label not in roles:
                roles.append(meaning.label)
    for group in groups.values():
        sectors: Counter[str] = group["sectors"]  # type: ignore[assignment]
        roles = group["roles"]  # type: ignore[assignment]
        annotation.actors.append(
            Actor(
                name=str(group["name"]),
                aliases=list(group["aliases"]),  # type: ignore[call-overload]
                sector=sectors.most_common(1)[0][0] if sectors else None,
                roles=[r for r in ("porteur", "bailleur", "partenaire", "preneur") if r in roles],
            )
        )
    annotation.needs = [n for n in NEEDS if n in labels["needs"]]
    annotation.stages = [s for s in STAGES if s in labels["stages"]]
    annotation.actor_types = [s for s in SECTORS if s in labels["actor_types"]]
    return annotation


def project_annotations(
    project: Project, *, names: dict[str, str] | None = None
) -> dict[str, Annotation]:
    """One annotation per text source, keyed by the source's name (or ``names[guid]``).

    Empty when no code of the project maps to our codebook.
    """
    mapped = _mapped(project)
    if not mapped:
        return {}
    by_source: dict[str, list[Coded]] = {}
    for item in project.coded:
        by_source.setdefault(item.source, []).append(item)
    out: dict[str, Annotation] = {}
    for source in project.sources:
        document = (names or {}).get(source.guid, source.name)
        out[document] = annotation_of(source, by_source.get(source.guid, []), mapped, document)
    return out


def read_corrections(qdpx_path: str | Path) -> dict[str, Annotation]:
    """Corrections from a coded project: one annotation per source file name.

    Args:
        qdpx_path: A ``.qdpx`` coded with our codebook (``corpus export --to qdpx``).

    Returns:
        ``{source name: annotation}``; the source name is the document's file name as
        exported (``Annotation.document`` is the same name).

    Raises:
        QdaError: The project cannot be read, or ``E-QDA-NO-CODEBOOK``: none of its
            codes is ours.
    """
    project = read_project(qdpx_path)
    found = project_annotations(project)
    if not found:
        raise QdaError(
            "none of the project's codes belongs to the corpus codebook (Définition : …, "
            "Secteur : …, Rôle : …, Besoin : …, Étape : …, Type d'acteur : …)",
            path=qdpx_path,
            hint="Start the coding from `corpus export PATH --to qdpx` (or import its "
            "codebook, `--to qdc`) so corrections can be read back.",
            code="E-QDA-NO-CODEBOOK",
        )
    return found


def _file_names(sources: list[Source]) -> dict[str, str]:
    """``{source guid: raw file name}``: ``.txt`` names, safe and unique."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for source in sources:
        stem = _EXTENSION.sub("", source.name)
        stem = _UNSAFE.sub("_", stem).strip(" .") or source.guid
        name, number = f"{stem}.txt", 1
        while name.lower() in used:
            number += 1
            name = f"{stem}-{number}.txt"
        used.add(name.lower())
        out[source.guid] = name
    return out


def _prepare(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportUsageError(
            "the output folder exists and is not empty",
            path=out,
            hint="Give a new folder; nothing was written.",
            code="E-QDA-OUT-EXISTS",
        )


def import_project(qdpx_path: str | Path, out: str | Path) -> ImportReport:
    """Make a corpus folder from a ``.qdpx`` project (see the module docstring).

    Args:
        qdpx_path: The project.
        out: The corpus folder to create (new or empty).

    Returns:
        What was written, with the report lines.

    Raises:
        QdaError: The project cannot be read (nothing is written).
        ExportUsageError: ``out`` exists and is not empty.
    """
    out = Path(out)
    _prepare(out)
    project = read_project(qdpx_path)
    names = _file_names(project.sources)
    report = ImportReport(out=out, project=project.name, origin=project.origin)
    report.lines = list(project.report)
    mapped = _mapped(project)
    uses = Counter(item.code for item in project.coded)
    report.unmapped = [
        c.path for g, c in project.codes.items() if g not in mapped and not is_branch(c.name)
    ]
    report.uses = {c.path: uses[g] for g, c in project.codes.items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        _write(tmp, project, names, report)
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return report


def _write(folder: Path, project: Project, names: dict[str, str], report: ImportReport) -> None:
    raw = folder / "raw"
    raw.mkdir()
    texts = {s.guid: s.text for s in project.sources}
    for source in project.sources:
        (raw / names[source.guid]).write_text(source.text, encoding="utf-8", newline="\n")
    report.documents = len(project.sources)
    columns: list[str] = []
    for source in project.sources:
        columns += [c for c in source.variables if c not in columns and c != "file"]
    if columns:
        rows = [{"file": names[s.guid], **s.variables} for s in project.sources]
        atomic_write_csv(folder / "metadata.csv", pd.DataFrame(rows, columns=["file", *columns]))
    order = {s.guid: i for i, s in enumerate(project.sources)}
    coded = sorted(
        (c for c in project.coded if c.source in texts),
        key=lambda c: (order[c.source], c.start, c.end, project.codes[c.code].path),
    )
    frame = pd.DataFrame(
        [
            {
                "document": names[c.source],
                "start": c.start,
                "end": c.end,
                "code": project.codes[c.code].path,
                "text": texts[c.source][c.start : c.end],
                "coder": c.coder,
                "created": c.created,
            }
            for c in coded
        ],
        columns=list(CODES_COLUMNS),
    )
    atomic_write_csv(folder / "codes.csv", frame)
    report.coded = len(frame)
    gold = project_annotations(project, names=names)
    for document, annotation in gold.items():
        write_annotation(annotation, folder / "gold" / f"{Path(document).stem}.yaml")
    report.gold = len(gold)
    config = {
        "name": _UNSAFE.sub("-", project.name).strip("-") or "qdpx-import",
        "description": f"Imported from a REFI-QDA project ({project.origin or 'unknown origin'}).",
    }
    (folder / "corpus.yaml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    (folder / REPORT_NAME).write_text(report.text(), encoding="utf-8")


def read_codes(path: str | Path) -> pd.DataFrame:
    """``codes.csv`` of an imported corpus (empty, with its columns, if there is none)."""
    path = Path(path)
    if not path.is_file():
        return pd.DataFrame({c: pd.Series([], dtype="object") for c in CODES_COLUMNS}).astype(
            {"start": "int64", "end": "int64"}
        )
    frame = pd.read_csv(
        path, dtype={"document": str, "code": str, "text": str}, keep_default_na=False
    )
    with contextlib.suppress(KeyError, ValueError):
        frame = frame.astype({"start": "int64", "end": "int64"})
    return frame
