"""Only the parts of an office archive that we read, checked, in a minimal archive.

Word processors save parts we never read, and some of them empty or odd: LibreOffice
writes a zero-byte ``Configurations2/accelerator/current.xml``, other tools leave an
empty ``settings.xml`` or a broken thumbnail. odfpy and python-docx would parse every
part they find, so a harmless part could reject the document. Instead,
:func:`odt_package` and :func:`docx_package` copy only the parts we read into a new
in-memory archive for the library to open:

* ``.odt``: ``content.xml`` (required) and ``meta.xml`` (title, author); the headers and
  footers of ``styles.xml`` are running text we do not want, so it is not read;
* ``.docx``: the main document (required), its style sheet (heading levels) and the core
  properties (title, author), found through the package relationships; other
  relationships (images, settings, numbering, headers and footers...) are dropped.

The same protection as before applies: the archive's central directory is checked for
zip bombs before anything is decompressed (:func:`corpus.ingest.safety.open_zip`), and
every part we read is parsed with defusedxml, which refuses entity declarations. A
required part that is missing, empty or not well-formed makes the document corrupt; an
optional one is left out (logged at debug level).
"""

from __future__ import annotations

import io
import logging
import posixpath
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

import defusedxml
import defusedxml.ElementTree

from corpus.ingest.errors import CorruptDocumentError, XmlBombError
from corpus.ingest.safety import open_zip

logger = logging.getLogger(__name__)

ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"
_MANIFEST_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOCUMENT = "/officeDocument"
_CORE_PROPERTIES = "/metadata/core-properties"
_STYLES = "/styles"


def xml_part(
    archive: zipfile.ZipFile, name: str, path: str | Path, *, required: bool
) -> bytes | None:
    """The bytes of XML part ``name``, checked with defusedxml.

    Args:
        archive: The opened (bomb-checked) archive.
        name: The member name.
        path: The file, for messages.
        required: Whether the document cannot be read without it.

    Returns:
        The part, or ``None`` for an optional part that is missing, empty or malformed.

    Raises:
        XmlBombError: The part declares entities (required or not).
        CorruptDocumentError: A required part is missing, empty or not well-formed.
    """

    def unusable(problem: str, exc: Exception | None = None) -> None:
        if required:
            raise CorruptDocumentError(
                f"XML part {name!r} {problem}",
                path=path,
                hint="The file is damaged; open and re-save it in a word processor.",
            ) from exc
        logger.debug("%s: optional part %r %s; not read", path, name, problem)

    try:
        data = archive.read(name)
    except KeyError:
        unusable("is missing")
        return None
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        unusable(f"cannot be decompressed ({exc})", exc)
        return None
    if not data.strip():
        unusable("is empty")
        return None
    try:
        defusedxml.ElementTree.fromstring(data, forbid_dtd=False, forbid_entities=True)
    except defusedxml.DefusedXmlException as exc:
        raise XmlBombError(
            f"XML part {name!r} declares entities ({type(exc).__name__}); "
            "entity expansion is refused",
            path=path,
            hint="This is not a normal office document; remove it.",
        ) from exc
    except Exception as exc:  # ParseError and friends
        unusable(f"is not well-formed ({exc})", exc)
        return None
    return data


def _archive(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as target:
        for name, data in members.items():
            target.writestr(name, data)
    return buffer.getvalue()


def odt_package(data: bytes, path: str | Path) -> bytes:
    """A minimal .odt holding only ``content.xml`` and ``meta.xml`` of ``data``.

    Raises:
        NotZipError, ZipBombError, XmlBombError, CorruptDocumentError: See
            :func:`corpus.ingest.safety.open_zip` and :func:`xml_part`.
    """
    with open_zip(data, path, kind="odt") as archive:
        parts = {"content.xml": xml_part(archive, "content.xml", path, required=True)}
        parts["meta.xml"] = xml_part(archive, "meta.xml", path, required=False)
        mimetype = ODT_MIMETYPE
        try:
            declared = archive.read("mimetype")[:100].decode("ascii").strip()
            if declared.startswith(ODT_MIMETYPE):
                mimetype = declared
        except (KeyError, UnicodeDecodeError, zipfile.BadZipFile, OSError):
            pass  # the mimetype is what the suffix says
    kept = {name: part for name, part in parts.items() if part is not None}
    entries = [f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>']
    entries += [
        f'<manifest:file-entry manifest:full-path="{name}" manifest:media-type="text/xml"/>'
        for name in kept
    ]
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<manifest:manifest xmlns:manifest="{_MANIFEST_NS}">{"".join(entries)}'
        "</manifest:manifest>"
    )
    return _archive(
        {"mimetype": mimetype.encode("ascii"), "META-INF/manifest.xml": manifest.encode(), **kept}
    )


def _relationships(data: bytes) -> list[dict[str, str]]:
    root = defusedxml.ElementTree.fromstring(data)
    return [
        dict(element.attrib) for element in root if element.tag == f"{{{_RELS_NS}}}Relationship"
    ]


def _rels_xml(relationships: list[dict[str, str]]) -> bytes:
    rows = "".join(
        "<Relationship " + " ".join(f"{k}={quoteattr(v)}" for k, v in sorted(rel.items())) + "/>"
        for rel in relationships
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="{_RELS_NS}">{rows}</Relationships>'
    ).encode()


def _target(source_dir: str, rel: dict[str, str]) -> str:
    return posixpath.normpath(posixpath.join(source_dir, rel.get("Target", ""))).lstrip("/")


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def docx_package(data: bytes, path: str | Path) -> bytes:
    """A minimal .docx holding only the main document, its styles and core properties.

    Raises:
        NotZipError, ZipBombError, XmlBombError, CorruptDocumentError: See
            :func:`corpus.ingest.safety.open_zip` and :func:`xml_part`.
    """
    with open_zip(data, path, kind="docx") as archive:
        members: dict[str, bytes] = {}
        content_types = xml_part(archive, "[Content_Types].xml", path, required=True)
        root_rels = xml_part(archive, "_rels/.rels", path, required=True)
        assert content_types is not None and root_rels is not None  # required parts
        members["[Content_Types].xml"] = content_types
        kept_root: list[dict[str, str]] = []
        main = None
        for rel in _relationships(root_rels):
            kind = rel.get("Type", "")
            if kind.endswith(_OFFICE_DOCUMENT) and main is None:
                main = _target("/", rel)
            elif not kind.endswith(_CORE_PROPERTIES):
                continue
            part = xml_part(
                archive, _target("/", rel), path, required=kind.endswith(_OFFICE_DOCUMENT)
            )
            if part is not None:
                members[_target("/", rel)] = part
                kept_root.append(rel)
        if main is None:
            raise CorruptDocumentError(
                "the package names no main document (_rels/.rels)",
                path=path,
                hint="The file is damaged; open and re-save it in a word processor.",
            )
        members["_rels/.rels"] = _rels_xml(kept_root)
        document_rels = xml_part(archive, _rels_name(main), path, required=False)
        kept: list[dict[str, str]] = []
        for rel in _relationships(document_rels) if document_rels else []:
            if rel.get("TargetMode") == "External":
                kept.append(rel)  # hyperlinks: nothing to read
            elif rel.get("Type", "").endswith(_STYLES):
                target = _target(posixpath.dirname(main), rel)
                part = xml_part(archive, target, path, required=False)
                if part is not None:
                    members[target] = part
                    kept.append(rel)
        members[_rels_name(main)] = _rels_xml(kept)
    return _archive(members)
