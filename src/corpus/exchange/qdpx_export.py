"""Write a REFI-QDA 1.0 project (``.qdpx``): documents, codebook, codings, metadata.

The archive holds ``project.qde`` and ``sources/<guid>.txt``, each document's clean text
(UTF-8, no byte-order mark, LF line ends), referenced as
``plainTextPath="internal://<guid>.txt"``: QualCoder fails on inline
``PlainTextContent`` and on paths without ``internal://``, and NVivo empties such
sources. Each extraction is a ``PlainTextSelection`` (code points, 0-based, end
exclusive, the selected text as its ``name``) with a ``Coding`` per code. Metadata are
``Variables``, with a ``Case`` per document holding its ``VariableValue`` s.

Everything is derived from the content: GUIDs are uuid5 of what they name, no dates are
written, zip members have a fixed time stamp, so one corpus exports to identical bytes.
"""

from __future__ import annotations

import io
import json
import math
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from corpus.exchange.codebook import PROJECT_NS, Codebook, code_element, guid, xml_bytes
from corpus.exchange.errors import ExportDataError
from corpus.exchange.positions import normalise_newlines
from corpus.exchange.selections import Selection
from corpus.store import atomic_write_bytes

#: Document fields exported as variables, in this order, then the ``extra`` keys.
VARIABLE_FIELDS = ("title", "genre", "year", "date", "author", "organisation", "region")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot hold (control characters) as spaces."""
    return _NOT_XML.sub(" ", text)


def _q(tag: str) -> str:
    return f"{{{PROJECT_NS}}}{tag}"


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    try:
        if pd.isna(value):
            return False
    except (TypeError, ValueError):
        pass
    return str(value).strip() != ""


def document_variables(documents: pd.DataFrame) -> tuple[list[str], list[dict[str, Any]]]:
    """The variable names and each document's values (known fields, then ``extra``).

    Returns:
        ``(names, values)``: ``values[i]`` maps a name to the i-th document's value.
    """
    names: list[str] = [f for f in VARIABLE_FIELDS if f in documents.columns]
    values: list[dict[str, Any]] = []
    for row in documents.to_dict("records"):
        own = {f: row[f] for f in VARIABLE_FIELDS if f in row and _present(row[f])}
        extra = row.get("extra")
        if isinstance(extra, str) and extra.strip().startswith("{"):
            try:
                parsed = json.loads(extra)
            except json.JSONDecodeError:
                parsed = {}
            for key, value in parsed.items():
                if _present(value) and not isinstance(value, (dict, list)):
                    own.setdefault(str(key), value)
                    if str(key) not in names:
                        names.append(str(key))
        values.append(own)
    return names, values


def _variable_type(name: str, values: Iterable[Any]) -> str:
    present = [v for v in values if _present(v)]
    if name == "year" or (present and all(_is_integer(v) for v in present)):
        return "Integer"
    return "Text"


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value.is_integer()


@dataclass(frozen=True)
class ExportedDocument:
    """One document as exported.

    Attributes:
        doc_id: Its id.
        name: Its file name (the source's ``name``).
        text: The clean text written to ``sources/<guid>.txt``.
        guid: The source's GUID.
    """

    doc_id: str
    name: str
    text: str
    guid: str


def exported_documents(documents: pd.DataFrame) -> list[ExportedDocument]:
    """The documents to export, with unique names and LF-normalised texts."""
    out: list[ExportedDocument] = []
    seen: set[str] = set()
    for row in documents.to_dict("records"):
        name = Path(str(row.get("path") or row["doc_id"])).name
        if name in seen:  # two files with one name in different folders
            name = str(row.get("path")).replace("/", "_")
        seen.add(name)
        out.append(
            ExportedDocument(
                doc_id=str(row["doc_id"]),
                name=name,
                text=normalise_newlines(str(row.get("text") or "")),
                guid=guid("source", row["doc_id"], name),
            )
        )
    return out


def _value_element(parent: ET.Element, variable_guid: str, kind: str, value: Any) -> None:
    element = ET.SubElement(parent, _q("VariableValue"))
    ET.SubElement(element, _q("VariableRef"), {"targetGUID": variable_guid})
    if kind == "Integer":
        ET.SubElement(element, _q("IntegerValue")).text = str(int(float(value)))
    else:
        ET.SubElement(element, _q("TextValue")).text = xml_safe(str(value))


def project_xml(
    *,
    name: str,
    origin: str,
    documents: pd.DataFrame,
    codebook: Codebook,
    selections: list[Selection],
    description: str = "",
) -> tuple[bytes, list[ExportedDocument]]:
    """The ``project.qde`` XML of a corpus, and the documents it references.

    Args:
        name: The project name.
        origin: The producing program (``corpus 0.1.0``).
        documents: The documents table (``doc_id``, ``path``, ``text`` and metadata).
        codebook: The codebook.
        selections: The coded selections (offsets into the documents' clean text).
        description: The project's description.

    Returns:
        ``(xml bytes, exported documents)``.
    """
    ET.register_namespace("", PROJECT_NS)
    if len(documents) == 0:
        raise ExportDataError(
            "the corpus has no documents to export", hint="Ingest documents first."
        )
    docs = exported_documents(documents)
    user = guid("user", "corpus")
    root = ET.Element(_q("Project"), {"name": name, "origin": origin, "creatingUserGUID": user})
    users = ET.SubElement(root, _q("Users"))
    ET.SubElement(users, _q("User"), {"guid": user, "name": "corpus"})
    book = ET.SubElement(root, _q("CodeBook"))
    codes = ET.SubElement(book, _q("Codes"))
    for code in codebook.roots:
        codes.append(code_element(code, _q("Code")))

    names, values = document_variables(documents)
    kinds = {n: _variable_type(n, (v.get(n) for v in values)) for n in names}
    used = [n for n in names if any(n in v for v in values)]
    variable_guids = {n: guid("variable", n) for n in used}
    if used:
        variables = ET.SubElement(root, _q("Variables"))
        for variable in used:
            ET.SubElement(
                variables,
                _q("Variable"),
                {
                    "guid": variable_guids[variable],
                    "name": variable,
                    "typeOfVariable": kinds[variable],
                },
            )
    cases = ET.SubElement(root, _q("Cases"))
    for doc, own in zip(docs, values, strict=True):
        case = ET.SubElement(cases, _q("Case"), {"guid": guid("case", doc.guid), "name": doc.name})
        for variable in used:
            if variable in own:
                _value_element(case, variable_guids[variable], kinds[variable], own[variable])
        ET.SubElement(case, _q("SourceRef"), {"targetGUID": doc.guid})

    by_doc: dict[str, list[Selection]] = {}
    for selection in selections:
        by_doc.setdefault(selection.doc_id, []).append(selection)
    sources = ET.SubElement(root, _q("Sources"))
    for doc, own in zip(docs, values, strict=True):
        source = ET.SubElement(
            sources,
            _q("TextSource"),
            {
                "guid": doc.guid,
                "name": doc.name,
                "plainTextPath": f"internal://{doc.guid}.txt",
                "creatingUser": user,
            },
        )
        for selection in by_doc.get(doc.doc_id, []):
            _selection_element(source, doc, selection, user)
        for variable in used:
            if variable in own:
                _value_element(source, variable_guids[variable], kinds[variable], own[variable])
    if description:
        ET.SubElement(root, _q("Description")).text = description
    ET.indent(root, space="  ")
    return xml_bytes(root), docs


def _selection_element(
    source: ET.Element, doc: ExportedDocument, selection: Selection, user: str
) -> None:
    key = guid("selection", doc.guid, selection.start, selection.end)
    element = ET.SubElement(
        source,
        _q("PlainTextSelection"),
        {
            "guid": key,
            "name": xml_safe(doc.text[selection.start : selection.end]),
            "startPosition": str(selection.start),
            "endPosition": str(selection.end),
            "creatingUser": user,
        },
    )
    if selection.notes:
        ET.SubElement(element, _q("Description")).text = xml_safe("\n".join(selection.notes))
    for code in selection.codes:
        coding = ET.SubElement(
            element, _q("Coding"), {"guid": guid("coding", key, code), "creatingUser": user}
        )
        ET.SubElement(coding, _q("CodeRef"), {"targetGUID": code})


def qdpx_bytes(project: bytes, documents: list[ExportedDocument]) -> bytes:
    """The ``.qdpx`` archive: ``project.qde`` then ``sources/<guid>.txt``, reproducibly."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, data in [
            ("project.qde", project),
            *((f"sources/{d.guid}.txt", d.text.encode("utf-8")) for d in documents),
        ]:
            info = zipfile.ZipInfo(member, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def write_qdpx(
    out: str | Path,
    *,
    name: str,
    origin: str,
    documents: pd.DataFrame,
    codebook: Codebook,
    selections: list[Selection],
    description: str = "",
) -> Path:
    """Write the project to ``out`` atomically (see :func:`project_xml` for the args)."""
    project, docs = project_xml(
        name=name,
        origin=origin,
        documents=documents,
        codebook=codebook,
        selections=selections,
        description=description,
    )
    path = Path(out)
    atomic_write_bytes(path, qdpx_bytes(project, docs))
    return path
