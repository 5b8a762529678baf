"""Gold and predicted annotations in the YAML format of ``shared/eval/FORMAT.md``.

One YAML file per document::

    document: 002_0dfc5179583290d7.txt
    definitions:
      - term: innovation sociale
        text: "Une innovation sociale est ..."
        source: Réseau québécois en innovation sociale   # or null
        optional: false
    actors:
      - name: Réseau québécois en innovation sociale
        aliases: [RQIS]
        sector: ess
        roles: []
        optional: false
    actor_types: [public, ess, citoyens]
    needs: [emploi, logement]
    stages: [emergence, experimentation]

:func:`read_annotation` validates every label against the sets of FORMAT.md and raises
:class:`GoldFormatError` naming the file, the field and the bad value.
:func:`predictions_from_tables` turns the extraction tables into one
:class:`Annotation` per document, and :func:`write_annotation` writes it in that shape.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from corpus.errors import ExtractionError
from corpus.store import atomic_write_text

logger = logging.getLogger(__name__)

ROLES: tuple[str, ...] = ("porteur", "bailleur", "partenaire", "preneur")
SECTORS: tuple[str, ...] = ("public", "entreprise", "ess", "recherche", "citoyens", "autre")
NEEDS: tuple[str, ...] = (
    "emploi",
    "logement",
    "sante",
    "vieillissement",
    "petite_enfance",
    "education",
    "alimentation",
    "mobilite",
    "pauvrete_exclusion",
    "discriminations",
    "environnement",
    "lien_social",
    "culture",
    "numerique",
)
STAGES: tuple[str, ...] = (
    "emergence",
    "diagnostic",
    "coconstruction",
    "experimentation",
    "mise_en_oeuvre",
    "diffusion",
    "evaluation",
)
TOP_KEYS: tuple[str, ...] = ("document", "definitions", "actors", "actor_types", "needs", "stages")
#: The set fields whose borderline labels a gold file may list under ``<field>_optional``.
SET_FIELDS: tuple[str, ...] = ("actor_types", "needs", "stages")
OPTIONAL_KEYS: tuple[str, ...] = tuple(f"{name}_optional" for name in SET_FIELDS)


class GoldFormatError(ExtractionError):
    """A gold or prediction YAML file does not follow FORMAT.md."""

    code = "E-EVAL-FORMAT"


@dataclass
class Definition:
    """A definition: the defined term, its verbatim text and its attributed source."""

    term: str
    text: str
    source: str | None = None
    optional: bool = False


@dataclass
class Actor:
    """A named actor with aliases, sector and roles."""

    name: str
    aliases: list[str] = field(default_factory=list)
    sector: str | None = None
    roles: list[str] = field(default_factory=list)
    optional: bool = False


@dataclass
class Annotation:
    """The annotation (gold or predicted) of one document."""

    document: str
    definitions: list[Definition] = field(default_factory=list)
    actors: list[Actor] = field(default_factory=list)
    actor_types: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    # Borderline labels (gold only): neither required nor false positives when predicted.
    actor_types_optional: list[str] = field(default_factory=list)
    needs_optional: list[str] = field(default_factory=list)
    stages_optional: list[str] = field(default_factory=list)

    def optional_labels(self, name: str) -> list[str]:
        """The ``<name>_optional`` labels of set field ``name``."""
        return list(getattr(self, f"{name}_optional"))

    def to_dict(self) -> dict[str, Any]:
        """The FORMAT.md mapping, keys in FORMAT.md's order (``_optional`` lists when set)."""
        optional = {key: list(getattr(self, key)) for key in OPTIONAL_KEYS if getattr(self, key)}
        mapping = {
            "document": self.document,
            "definitions": [
                {"term": d.term, "text": d.text, "source": d.source, "optional": d.optional}
                for d in self.definitions
            ],
            "actors": [
                {
                    "name": a.name,
                    "aliases": list(a.aliases),
                    "sector": a.sector,
                    "roles": list(a.roles),
                    "optional": a.optional,
                }
                for a in self.actors
            ],
            "actor_types": list(self.actor_types),
            "needs": list(self.needs),
            "stages": list(self.stages),
        }
        return mapping | optional


# -- reading -----------------------------------------------------------------------------
def _fail(path: Path, where: str, problem: str, hint: str | None = None) -> GoldFormatError:
    return GoldFormatError(f"field {where}: {problem}", path=path, hint=hint or _FORMAT_HINT)


_FORMAT_HINT = "See shared/eval/FORMAT.md for the format and the label sets."


def _str(value: Any, path: Path, where: str, *, nullable: bool = False) -> str | None:
    if value is None and nullable:
        return None
    if isinstance(value, bool) or value is None or isinstance(value, list | dict):
        raise _fail(path, where, f"expected text, got {value!r}")
    text = str(value).strip()
    if not text and not nullable:
        raise _fail(path, where, "is empty")
    return text or None


def _bool(value: Any, path: Path, where: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _fail(path, where, f"expected true or false, got {value!r}")
    return value


def _labels(value: Any, allowed: tuple[str, ...], path: Path, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise _fail(path, where, f"expected a list of labels, got {value!r}")
    out: list[str] = []
    for item in value:
        label = str(item).strip()
        if label not in allowed:
            raise _fail(
                path,
                where,
                f"unknown label {item!r}",
                hint=f"Allowed: {', '.join(allowed)} (see shared/eval/FORMAT.md).",
            )
        if label not in out:
            out.append(label)
    return out


def _strings(value: Any, path: Path, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise _fail(path, where, f"expected a list, got {value!r}")
    return [str(_str(v, path, f"{where}[{i}]")) for i, v in enumerate(value)]


def parse_annotation(data: Any, path: Path) -> Annotation:
    """Validate a loaded YAML mapping and return the annotation it describes.

    Raises:
        GoldFormatError: A missing or unknown field, or a label outside FORMAT.md's sets.
    """
    if not isinstance(data, dict):
        raise _fail(path, "(top)", "expected a mapping with document, definitions, actors...")
    unknown = sorted(set(data) - set(TOP_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise _fail(
            path,
            unknown[0],
            "unknown field",
            hint=f"Fields: {', '.join(TOP_KEYS + OPTIONAL_KEYS)}.",
        )
    document = data.get("document")
    if not document:
        raise _fail(path, "document", "missing (the file name of the annotated document)")
    definitions: list[Definition] = []
    for i, item in enumerate(data.get("definitions") or []):
        where = f"definitions[{i}]"
        if not isinstance(item, dict):
            raise _fail(path, where, f"expected a mapping, got {item!r}")
        extra = sorted(set(item) - {"term", "text", "source", "optional", "year"})
        if extra:
            raise _fail(path, f"{where}.{extra[0]}", "unknown field")
        definitions.append(
            Definition(
                term=str(_str(item.get("term"), path, f"{where}.term")),
                text=str(_str(item.get("text"), path, f"{where}.text")),
                source=_str(item.get("source"), path, f"{where}.source", nullable=True),
                optional=_bool(item.get("optional"), path, f"{where}.optional"),
            )
        )
    actors: list[Actor] = []
    for i, item in enumerate(data.get("actors") or []):
        where = f"actors[{i}]"
        if not isinstance(item, dict):
            raise _fail(path, where, f"expected a mapping, got {item!r}")
        extra = sorted(set(item) - {"name", "aliases", "sector", "roles", "optional"})
        if extra:
            raise _fail(path, f"{where}.{extra[0]}", "unknown field")
        sector = item.get("sector")
        if sector is not None and sector not in SECTORS:
            raise _fail(
                path,
                f"{where}.sector",
                f"unknown label {sector!r}",
                hint=f"Allowed: {', '.join(SECTORS)} (see shared/eval/FORMAT.md).",
            )
        actors.append(
            Actor(
                name=str(_str(item.get("name"), path, f"{where}.name")),
                aliases=_strings(item.get("aliases"), path, f"{where}.aliases"),
                sector=sector,
                roles=_labels(item.get("roles"), ROLES, path, f"{where}.roles"),
                optional=_bool(item.get("optional"), path, f"{where}.optional"),
            )
        )
    return Annotation(
        document=str(document),
        definitions=definitions,
        actors=actors,
        actor_types=_labels(data.get("actor_types"), SECTORS, path, "actor_types"),
        needs=_labels(data.get("needs"), NEEDS, path, "needs"),
        stages=_labels(data.get("stages"), STAGES, path, "stages"),
        actor_types_optional=_labels(
            data.get("actor_types_optional"), SECTORS, path, "actor_types_optional"
        ),
        needs_optional=_labels(data.get("needs_optional"), NEEDS, path, "needs_optional"),
        stages_optional=_labels(data.get("stages_optional"), STAGES, path, "stages_optional"),
    )


def read_annotation(path: str | Path) -> Annotation:
    """Read and validate one FORMAT.md YAML file.

    Raises:
        GoldFormatError: Unreadable YAML, a missing field, or a bad label.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldFormatError(f"cannot read the file ({exc})", path=path) from exc
    except yaml.YAMLError as exc:
        raise GoldFormatError(f"invalid YAML ({exc})", path=path, hint=_FORMAT_HINT) from exc
    return parse_annotation(data, path)


def read_annotations(folder: str | Path) -> dict[str, Annotation]:
    """Read every ``*.yaml``/``*.yml`` of ``folder``, keyed by file stem.

    Raises:
        GoldFormatError: ``folder`` is not a folder, or a file is invalid.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise GoldFormatError(
            "not a folder of YAML annotations", path=folder, hint="Give the gold/ folder."
        )
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    return {f.stem: read_annotation(f) for f in files}


# -- writing -----------------------------------------------------------------------------
class _FlowList(list[str]):
    """A list of labels written in flow style: ``[a, b]``."""


class _Dumper(yaml.SafeDumper):
    pass


def _represent_flow(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(_FlowList, _represent_flow)


def dump_annotation(annotation: Annotation) -> str:
    """The YAML text of ``annotation``, in FORMAT.md's shape and key order."""
    data = annotation.to_dict()
    for actor in data["actors"]:
        actor["aliases"] = _FlowList(actor["aliases"])
        actor["roles"] = _FlowList(actor["roles"])
    for key in ("actor_types", "needs", "stages"):
        data[key] = _FlowList(data[key])
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100_000,
    )


def write_annotation(annotation: Annotation, path: str | Path) -> Path:
    """Write ``annotation`` to ``path`` atomically (the parent folder is created)."""
    path = Path(path)
    atomic_write_text(path, dump_annotation(annotation))
    return path


# -- predictions from the extraction tables ----------------------------------------------
def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError:
                return [value]
            return list(parsed) if isinstance(parsed, list) else [parsed]
        return [value] if text else []
    if isinstance(value, float) and pd.isna(value):
        return []
    try:
        return list(value)
    except TypeError:
        return [value]


def _role_ids(value: Any) -> list[str]:
    roles: list[str] = []
    for item in _as_list(value):
        role = item.get("role") if isinstance(item, dict) else item
        if isinstance(role, str) and role in ROLES and role not in roles:
            roles.append(role)
    return roles


def _column(frame: pd.DataFrame, *names: str) -> str | None:
    return next((n for n in names if n in frame.columns), None)


def _labels_of(frame: pd.DataFrame | None, doc_id: str, names: tuple[str, ...]) -> list[str]:
    if frame is None or len(frame) == 0:
        return []
    column = _column(frame, *names)
    if column is None:
        raise ExtractionError(
            f"document table has none of the columns {names}; columns: {list(frame.columns)}",
            code="E-EXTRACT-TABLE",
        )
    rows = frame[frame["doc_id"] == doc_id]
    for flag in ("present", "selected"):
        if flag in rows.columns:
            rows = rows[rows[flag].fillna(False).astype(bool)]
    out: list[str] = []
    for value in rows[column]:
        if isinstance(value, str) and value not in out:
            out.append(value)
    return out


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def predictions_from_tables(
    documents: pd.DataFrame,
    *,
    definitions: pd.DataFrame,
    mentions: pd.DataFrame,
    doc_actor_types: pd.DataFrame,
    doc_needs: pd.DataFrame,
    doc_stages: pd.DataFrame,
    build_actors: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> dict[str, Annotation]:
    """One predicted :class:`Annotation` per document, keyed by ``doc_id``.

    Named actors are built per document (``build_actors`` over that document's
    mentions), so an actor's roles are those the document itself gives it.

    Args:
        documents: The documents table (``doc_id``, ``path``).
        definitions: The definitions table (``doc_id``, ``term``, ``text``, ``source``).
        mentions: The actor mentions table (records of ``doc._.actors``).
        doc_actor_types: ``doc_id`` + ``sector`` per document.
        doc_needs: ``doc_id`` + ``need``.
        doc_stages: ``doc_id`` + ``stage``.
        build_actors: Mentions -> actors (``name``, ``aliases``, ``sector``, ``roles``);
            :func:`corpus.extract.actors.build_actors` by default.

    Returns:
        ``{doc_id: annotation}`` in the documents table's order.
    """
    if build_actors is None:
        from corpus.extract.actors import build_actors as default_build_actors

        build_actors = default_build_actors
    out: dict[str, Annotation] = {}
    for doc_id, doc_path in zip(documents["doc_id"], documents["path"], strict=True):
        annotation = Annotation(document=Path(str(doc_path)).name)
        if len(definitions):
            rows = definitions[definitions["doc_id"] == doc_id]
            if "start" in rows.columns:
                rows = rows.sort_values("start", kind="stable")
            for row in rows.to_dict("records"):
                term, text = _text(row.get("term")), _text(row.get("text"))
                if term and text:
                    annotation.definitions.append(
                        Definition(term=term, text=text, source=_text(row.get("source")))
                    )
        doc_mentions = mentions[mentions["doc_id"] == doc_id] if len(mentions) else mentions
        if len(doc_mentions):
            actors = build_actors(doc_mentions.reset_index(drop=True))
            for row in actors.to_dict("records"):
                name = _text(row.get("name"))
                if not name:
                    continue
                sector = _text(row.get("sector"))
                annotation.actors.append(
                    Actor(
                        name=name,
                        aliases=[str(a) for a in _as_list(row.get("aliases")) if str(a).strip()],
                        sector=sector if sector in SECTORS else None,
                        roles=_role_ids(row.get("roles")),
                    )
                )
        annotation.actor_types = _labels_of(doc_actor_types, doc_id, ("sector", "actor_type"))
        annotation.needs = _labels_of(doc_needs, doc_id, ("need",))
        annotation.stages = _labels_of(doc_stages, doc_id, ("stage",))
        out[str(doc_id)] = annotation
    return out


def stem_of(path: str) -> str:
    """The file stem used to name a document's YAML (``raw/a/b.pdf`` -> ``b``)."""
    return Path(path).stem


def unique_stems(paths: Iterable[str]) -> dict[str, str]:
    """``{path: yaml stem}``; a stem shared by several files gets its extension appended."""
    paths = list(paths)
    counts: dict[str, int] = {}
    for p in paths:
        counts[stem_of(p)] = counts.get(stem_of(p), 0) + 1
    return {p: stem_of(p) if counts[stem_of(p)] == 1 else Path(p).name for p in paths}
