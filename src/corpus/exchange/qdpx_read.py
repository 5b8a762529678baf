"""Read a REFI-QDA project (``.qdpx``) safely into plain records.

The archive is checked before anything is decompressed (members, sizes, ratios: a zip
bomb is refused), ``project.qde`` is parsed with :mod:`defusedxml` (an entity
declaration is refused), every GUID must be unique, and each text source is read from
its ``plainTextPath`` (``internal://``, a bare relative name, in ``sources/``,
``Sources/`` or at the root) or from ``PlainTextContent``. Positions are converted to
code points of the LF-normalised text as the producing program meant them
(:mod:`corpus.exchange.positions`) and checked against the selection's ``name``.

Problems that concern one element (a missing source file, a ``CodeRef`` to no code, a
selection off its text, a PDF or audio source) become report lines naming the element;
problems with the whole file raise :class:`corpus.exchange.errors.QdaError`.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

from corpus.exchange.errors import QdaError
from corpus.exchange.positions import (
    CODEPOINTS,
    UTF16,
    PositionMap,
    decode_source,
    place,
    producer_of,
    unit_of,
)

#: Most members a project archive may hold.
MAX_MEMBERS = 100_000
#: Total uncompressed size above which an archive is refused (projects carry media).
MAX_UNCOMPRESSED_BYTES = 4 * 1024 * 1024 * 1024
#: Largest accepted compression ratio of one member that expands past 1 MB.
MAX_RATIO = 200
#: Largest ``project.qde`` read.
MAX_PROJECT_BYTES = 512 * 1024 * 1024
_NOT_TEXT = ("PDFSource", "PictureSource", "AudioSource", "VideoSource")
_HINT_EXPORT = "Export the project again from its program (File > Export > REFI-QDA project)."


@dataclass
class Code:
    """A code of the project's codebook.

    Attributes:
        guid: Its GUID (lower case, no braces).
        name: Its name.
        path: Names from the root, joined by `` / ``.
        parent: Its parent's name, or ``None`` at the root.
    """

    guid: str
    name: str
    path: str
    parent: str | None


@dataclass
class Source:
    """A text source that could be read.

    Attributes:
        guid: Its GUID.
        name: Its ``name`` (or its GUID when it has none).
        text: Its text, LF line ends, no byte-order mark.
        variables: Its metadata (from its Cases and its own ``VariableValue`` s).
    """

    guid: str
    name: str
    text: str
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass
class Coded:
    """One coding of a selection (or of a whole source).

    Attributes:
        source: The source's GUID.
        start: Code-point start in the source's text.
        end: Code-point end (exclusive).
        code: The code's GUID.
        coder: Who coded it (user name or GUID), or ``""``.
        created: When (as written), or ``""``.
        description: The selection's Description, or ``""``.
    """

    source: str
    start: int
    end: int
    code: str
    coder: str = ""
    created: str = ""
    description: str = ""


@dataclass
class Project:
    """What a ``.qdpx`` holds, read and checked.

    Attributes:
        name: The project's name.
        origin: Its ``origin`` attribute.
        producer: The program, from ``origin`` (:func:`positions.producer_of`).
        codes: Codes by GUID, in codebook order.
        sources: Text sources read, in document order.
        coded: Every coding placed in its source's text.
        report: One line per element skipped or not mapped.
    """

    name: str
    origin: str
    producer: str
    codes: dict[str, Code] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)
    coded: list[Coded] = field(default_factory=list)
    report: list[str] = field(default_factory=list)


def _key(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def open_archive(path: Path) -> zipfile.ZipFile:
    """Open ``path`` as a zip after checking its central directory is not a bomb.

    Raises:
        QdaError: ``E-QDA-NOT-FOUND``, ``E-QDA-NOT-ZIP`` or ``E-QDA-ZIP-BOMB``.
    """
    if not path.is_file():
        raise QdaError(
            "no such file", path=path, hint="Give the path of a .qdpx file.", code="E-QDA-NOT-FOUND"
        )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise QdaError(
            f"a .qdpx project must be a zip archive and this file is not ({exc})",
            path=path,
            hint=_HINT_EXPORT,
            code="E-QDA-NOT-ZIP",
        ) from exc
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        archive.close()
        raise QdaError(
            f"the archive holds {len(members)} members (limit {MAX_MEMBERS})",
            path=path,
            hint="This is not a normal project; do not open it.",
            code="E-QDA-ZIP-BOMB",
        )
    total = 0
    for info in members:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > MAX_RATIO:
            archive.close()
            raise QdaError(
                f"member {info.filename!r} expands {ratio:.0f}x to {info.file_size} bytes "
                f"(limit {MAX_RATIO}x): a zip bomb",
                path=path,
                hint="Do not open this file.",
                code="E-QDA-ZIP-BOMB",
            )
    if total > MAX_UNCOMPRESSED_BYTES:
        archive.close()
        raise QdaError(
            f"the archive expands to {total} bytes (limit {MAX_UNCOMPRESSED_BYTES})",
            path=path,
            hint="Do not open this file.",
            code="E-QDA-ZIP-BOMB",
        )
    return archive


def _member(archive: zipfile.ZipFile, path: Path, name: str) -> bytes:
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
        raise QdaError(
            f"member {name!r} cannot be decompressed ({exc})",
            path=path,
            hint=_HINT_EXPORT,
            code="E-QDA-CORRUPT",
        ) from exc


def parse_project_xml(data: bytes, path: Path) -> Element:
    """Parse ``project.qde`` with defusedxml; namespaces are dropped from tags.

    Raises:
        QdaError: ``E-QDA-XML-BOMB`` (entities, external references), ``E-QDA-XML``.
    """
    try:
        root = defusedxml.ElementTree.fromstring(
            data, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DefusedXmlException as exc:
        raise QdaError(
            f"project.qde declares entities or external references ({type(exc).__name__}); "
            "entity expansion is refused",
            path=path,
            hint="This is not a normal REFI-QDA project; do not open it.",
            code="E-QDA-XML-BOMB",
        ) from exc
    except ParseError as exc:
        raise QdaError(
            f"project.qde is not well-formed XML ({exc})",
            path=path,
            hint=_HINT_EXPORT,
            code="E-QDA-XML",
        ) from exc
    for element in root.iter():
        element.tag = _local(str(element.tag))
    if root.tag != "Project":
        raise QdaError(
            f"project.qde's root element is <{root.tag}>, not <Project>",
            path=path,
            hint=_HINT_EXPORT,
            code="E-QDA-XML",
        )
    return root


def check_guids(root: Element, path: Path) -> None:
    """Refuse a project in which two elements share a GUID.

    Raises:
        QdaError: ``E-QDA-DUPLICATE-GUID`` naming both elements.
    """
    seen: dict[str, str] = {}
    for element in root.iter():
        value = element.get("guid")
        if value is None:
            continue
        where = f"<{element.tag} name={element.get('name', '')!r}>"
        if _key(value) in seen:
            raise QdaError(
                f"GUID {value} is used by {seen[_key(value)]} and by {where}; references to "
                "it are ambiguous",
                path=path,
                hint="Export the project again; each element needs its own GUID.",
                code="E-QDA-DUPLICATE-GUID",
            )
        seen[_key(value)] = where


def _codes(root: Element) -> dict[str, Code]:
    out: dict[str, Code] = {}

    def walk(element: Element, trail: list[str]) -> None:
        for child in element.findall("Code"):
            name = child.get("name", "")
            out[_key(child.get("guid"))] = Code(
                guid=_key(child.get("guid")),
                name=name,
                path=" / ".join([*trail, name]),
                parent=trail[-1] if trail else None,
            )
            walk(child, [*trail, name])

    for codes in root.findall("CodeBook/Codes"):
        walk(codes, [])
    return out


def _value(element: Element) -> Any:
    for child in element:
        if child.tag == "VariableRef":
            continue
        text = (child.text or "").strip()
        if child.tag == "IntegerValue":
            try:
                return int(text)
            except ValueError:
                return text
        if child.tag == "BooleanValue":
            return "true" if text.lower() in ("true", "1") else "false"
        return text
    return ""


def _variables(root: Element) -> tuple[dict[str, str], dict[str, dict[str, Any]], dict[str, str]]:
    """Variable names, each source's values from its Cases, each source's case name."""
    names = {_key(v.get("guid")): v.get("name", "") for v in root.findall("Variables/Variable")}
    by_source: dict[str, dict[str, Any]] = {}
    case_of: dict[str, str] = {}
    for case in root.findall("Cases/Case"):
        values = {
            names.get(_key(ref.get("targetGUID")), ""): _value(vv)
            for vv in case.findall("VariableValue")
            for ref in vv.findall("VariableRef")
        }
        for ref in case.findall("SourceRef"):
            target = _key(ref.get("targetGUID"))
            for name, value in values.items():
                if name and value != "":
                    by_source.setdefault(target, {}).setdefault(name, value)
            case_of.setdefault(target, case.get("name", ""))
    return names, by_source, case_of


def _text_member(archive: zipfile.ZipFile, reference: str) -> str | None:
    """The archive member a ``plainTextPath`` points at, or ``None``."""
    ref = reference.strip().replace("\\", "/")
    if ref.startswith("internal://"):
        ref = ref[len("internal://") :]
    elif "://" in ref:
        return None  # absolute:// or file://: outside the archive
    ref = ref.lstrip("/")
    members = {info.filename.lower(): info.filename for info in archive.infolist()}
    bare = PurePosixPath(ref).name
    for candidate in (ref, f"sources/{ref}", f"Sources/{ref}", bare, f"sources/{bare}"):
        if candidate.lower() in members:
            return members[candidate.lower()]
    return None


def read_project(path: str | Path) -> Project:
    """Read and check a ``.qdpx`` project.

    Args:
        path: The ``.qdpx`` file.

    Returns:
        The project, with its report lines.

    Raises:
        QdaError: The file is not a zip, is a bomb, has no or a broken ``project.qde``,
            or reuses a GUID.
    """
    path = Path(path)
    with open_archive(path) as archive:
        names = [i.filename for i in archive.infolist()]
        qde = next((n for n in names if PurePosixPath(n).name.lower() == "project.qde"), None)
        if qde is None:
            raise QdaError(
                "the archive holds no project.qde",
                path=path,
                hint="A .qdpx is a zip of project.qde and its sources; " + _HINT_EXPORT,
                code="E-QDA-NO-PROJECT",
            )
        if archive.getinfo(qde).file_size > MAX_PROJECT_BYTES:
            raise QdaError(
                f"project.qde is over {MAX_PROJECT_BYTES} bytes",
                path=path,
                hint="Split the project.",
                code="E-QDA-ZIP-BOMB",
            )
        root = parse_project_xml(_member(archive, path, qde), path)
        check_guids(root, path)
        origin = root.get("origin", "")
        project = Project(
            name=root.get("name", path.stem), origin=origin, producer=producer_of(origin)
        )
        project.codes = _codes(root)
        users = {_key(u.get("guid")): u.get("name") or u.get("id") or "" for u in root.iter("User")}
        _, by_source, case_of = _variables(root)
        variable_names = {
            _key(v.get("guid")): v.get("name", "") for v in root.findall("Variables/Variable")
        }
        sources = root.find("Sources")
        for element in list(sources) if sources is not None else []:
            label = f"{element.tag} {element.get('name', '')!r} ({element.get('guid')})"
            if element.tag in _NOT_TEXT:
                project.report.append(f"{label}: not a text source; skipped")
                continue
            if element.tag != "TextSource":
                continue
            raw = _source_text(archive, path, element, label, project.report)
            if raw is None:
                continue
            source = Source(
                guid=_key(element.get("guid")),
                name=element.get("name") or _key(element.get("guid")),
                text="",
                variables=dict(by_source.get(_key(element.get("guid")), {})),
            )
            case = case_of.get(source.guid, "")
            if case and Path(case).stem != Path(source.name).stem:
                source.variables.setdefault("case", case)
            for vv in element.findall("VariableValue"):
                for ref in vv.findall("VariableRef"):
                    name = variable_names.get(_key(ref.get("targetGUID")), "")
                    if name and _value(vv) != "":
                        source.variables.setdefault(name, _value(vv))
            source.text = _place_codings(project, element, source, raw, users, label)
            project.sources.append(source)
    return project


def _source_text(
    archive: zipfile.ZipFile, path: Path, element: Element, label: str, report: list[str]
) -> str | None:
    reference = element.get("plainTextPath")
    if reference:
        member = _text_member(archive, reference)
        if member is None:
            report.append(f"{label}: its text file {reference!r} is not in the archive; skipped")
            return None
        return decode_source(_member(archive, path, member))
    content = element.find("PlainTextContent")
    if content is not None and content.text:
        return content.text
    report.append(f"{label}: no plainTextPath and no PlainTextContent; skipped")
    return None


def _place_codings(
    project: Project,
    element: Element,
    source: Source,
    raw: str,
    users: dict[str, str],
    label: str,
) -> str:
    """Add the source's codings to ``project.coded``; return its LF-normalised text."""
    unit = unit_of(project.producer)
    positions = PositionMap(raw, unit=unit)
    other_unit = CODEPOINTS if unit == UTF16 else UTF16
    # Units only differ on characters outside the BMP: without one, no second reading.
    astral = any(ord(c) > 0xFFFF for c in raw)
    other = PositionMap(raw, unit=other_unit) if astral else None
    moved = 0
    for coding in element.findall("Coding"):  # the whole source coded
        _add(project, source.guid, 0, len(positions.text), coding, users, "", label)
    for selection in element.findall("PlainTextSelection"):
        where = f"{label}: PlainTextSelection {selection.get('guid')}"
        try:
            start = int(selection.get("startPosition", ""))
            end = int(selection.get("endPosition", ""))
        except ValueError:
            project.report.append(f"{where}: positions are not integers; skipped")
            continue
        placed = place(positions, start, end, selection.get("name"), other=other)
        if placed.start is None or placed.end is None:
            project.report.append(f"{where}: {placed.problem}; skipped")
            continue
        if placed.unit != unit:
            moved += 1
        note = selection.find("Description")
        description = (note.text or "") if note is not None else ""
        for coding in selection.findall("Coding"):
            _add(
                project,
                source.guid,
                placed.start,
                placed.end,
                coding,
                users,
                description,
                where,
                selection=selection,
            )
    if moved:
        project.report.append(
            f"{label}: {moved} selection(s) only land on their text counted in "
            f"{'UTF-16 units' if unit == CODEPOINTS else 'code points'}, not as "
            f"{project.origin or 'the producer'} counts; read that way"
        )
    return positions.text


def _add(
    project: Project,
    source: str,
    start: int,
    end: int,
    coding: Element,
    users: dict[str, str],
    description: str,
    where: str,
    *,
    selection: Element | None = None,
) -> None:
    ref = coding.find("CodeRef")
    target = _key(ref.get("targetGUID")) if ref is not None else ""
    if target not in project.codes:
        project.report.append(
            f"{where}: Coding {coding.get('guid')} has a CodeRef to {target or 'nothing'}, "
            "which is no code of the codebook; coding skipped"
        )
        return
    user = coding.get("creatingUser") or (
        selection.get("creatingUser") if selection is not None else None
    )
    created = coding.get("creationDateTime") or (
        selection.get("creationDateTime") if selection is not None else None
    )
    project.coded.append(
        Coded(
            source=source,
            start=start,
            end=end,
            code=target,
            coder=users.get(_key(user), user or "") if user else "",
            created=created or "",
            description=description,
        )
    )
