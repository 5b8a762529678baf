"""The REFI-QDA codebook that mirrors our taxonomy, and the way back from code names.

The tree (code names are unique across the whole tree, as QualCoder requires)::

    Définitions                      Définition : <term>, one per defined term
    Acteurs (codable: a named actor)
        Rôles                        Rôle : porteur | bailleur | partenaire | preneur
        Secteurs                     Secteur : public | entreprise | ess | ...
    Types d'acteurs                  Type d'acteur : public | ...
    Besoins                          Besoin : emploi | logement | ...
    Étapes                           Étape : emergence | diagnostic | ...
    Thèmes (when topics were fitted) Thème <id> : <label>

GUIDs are uuid5 of the code's path, so a code keeps its GUID from one export to the
next; colours are fixed per branch and label. :func:`map_code` reads a code name (ours,
or a coder's ``Besoins / emploi``) back into a field and a label.
"""

from __future__ import annotations

import colorsys
import hashlib
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field

from corpus.extract.gold import NEEDS, ROLES, SECTORS, STAGES

#: Namespace of every GUID we derive (uuid5).
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://corpus.invalid/refi-qda")
PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"

# field -> (branch name, code-name prefix, hue, label meanings)
ROLE_MEANINGS = {
    "porteur": "porte le projet : le crée, le promeut, le propulse",
    "bailleur": "le finance (fonds publics, fondations, donateurs, crédits d'impôt)",
    "partenaire": "le soutient : accompagnement, expertise, recherche, promotion",
    "preneur": "s'en saisit : bénéficiaires, usagers, organisations qui adoptent la pratique",
}
SECTOR_MEANINGS = {
    "public": "gouvernements, ministères, agences publiques, municipalités, régions",
    "entreprise": "entreprises à but lucratif, cabinets de conseil",
    "ess": "associations, OBNL, coopératives, mutuelles, fondations, réseaux de l'ESS",
    "recherche": "universités, écoles, chaires et centres de recherche, chercheurs",
    "citoyens": "citoyens, usagers, bénéficiaires, familles, communautés, bénévoles",
    "autre": "syndicats, médias, tout autre acteur",
}
PREFIXES = {
    "definitions": "Définition",
    "roles": "Rôle",
    "sectors": "Secteur",
    "actor_types": "Type d'acteur",
    "needs": "Besoin",
    "stages": "Étape",
    "topics": "Thème",
}
BRANCHES = {
    "definitions": "Définitions",
    "actors": "Acteurs",
    "roles": "Rôles",
    "sectors": "Secteurs",
    "actor_types": "Types d'acteurs",
    "needs": "Besoins",
    "stages": "Étapes",
    "topics": "Thèmes",
}
_HUES = {
    "definitions": 0.60,
    "actors": 0.08,
    "roles": 0.02,
    "sectors": 0.12,
    "actor_types": 0.30,
    "needs": 0.45,
    "stages": 0.80,
    "topics": 0.92,
}
LABELS: dict[str, tuple[str, ...]] = {
    "roles": ROLES,
    "sectors": SECTORS,
    "actor_types": SECTORS,
    "needs": NEEDS,
    "stages": STAGES,
}


def guid(*parts: object) -> str:
    """A deterministic GUID (uuid5) for the key made of ``parts``."""
    return str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(str(p) for p in parts)))


def colour(branch: str, label: str) -> str:
    """A stable ``#RRGGBB`` colour: the branch's hue, a lightness from the label."""
    shade = int(hashlib.sha256(label.encode("utf-8")).hexdigest()[:4], 16) / 0xFFFF
    red, green, blue = colorsys.hls_to_rgb(_HUES[branch], 0.38 + 0.3 * shade, 0.65)
    return f"#{round(red * 255):02X}{round(green * 255):02X}{round(blue * 255):02X}"


@dataclass
class Code:
    """One code of the tree.

    Attributes:
        guid: Its GUID.
        name: Its name (unique across the tree).
        codable: Whether selections may be coded with it.
        color: ``#RRGGBB``.
        description: What it means.
        children: Sub-codes.
    """

    guid: str
    name: str
    codable: bool
    color: str
    description: str = ""
    children: list[Code] = field(default_factory=list)

    def walk(self) -> Iterable[Code]:
        """This code and its descendants, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


def code_name(field_name: str, label: str) -> str:
    """The name of the code of ``label`` in ``field_name`` (``Besoin : emploi``)."""
    return f"{PREFIXES[field_name]} : {label}"


def _leaf(field_name: str, label: str, description: str = "") -> Code:
    return Code(
        guid=guid("code", field_name, label),
        name=code_name(field_name, label),
        codable=True,
        color=colour(field_name, label),
        description=description,
    )


def _branch(field_name: str, children: list[Code], *, codable: bool = False, about: str) -> Code:
    return Code(
        guid=guid("code", field_name),
        name=BRANCHES[field_name],
        codable=codable,
        color=colour(field_name, ""),
        description=about,
        children=children,
    )


@dataclass
class Codebook:
    """Our codebook, with lookups from a (field, label) to its code.

    Attributes:
        roots: The top-level codes.
    """

    roots: list[Code]

    def codes(self) -> list[Code]:
        """Every code, depth first."""
        return [code for root in self.roots for code in root.walk()]

    def code_for(self, field_name: str, label: str) -> Code:
        """The code of ``label`` in ``field_name`` (``actors`` for the Acteurs root)."""
        wanted = BRANCHES["actors"] if field_name == "actors" else code_name(field_name, label)
        for code in self.codes():
            if code.name == wanted:
                return code
        raise KeyError(f"no code for {field_name}={label!r}")


def build_codebook(
    terms: Iterable[str], topics: Iterable[tuple[int, str]] | None = None
) -> Codebook:
    """The codebook for a corpus's defined terms and fitted topics.

    Args:
        terms: The defined terms (one code each, sorted, duplicates dropped).
        topics: ``(topic id, label)`` of the fitted topics, outliers excluded; ``None`` or
            empty when no topic model was fitted.

    Returns:
        The codebook.
    """
    term_codes = [
        _leaf("definitions", t, f"Passages qui définissent « {t} ».")
        for t in sorted({str(t).strip() for t in terms if str(t).strip()})
    ]
    roots = [
        _branch(
            "definitions",
            term_codes,
            about="Définitions : ce qu'un texte dit qu'une notion est, par terme défini.",
        ),
        _branch(
            "actors",
            [
                _branch(
                    "roles",
                    [_leaf("roles", r, ROLE_MEANINGS[r]) for r in ROLES],
                    about="Rôle d'un acteur nommé dans le processus d'innovation sociale.",
                ),
                _branch(
                    "sectors",
                    [_leaf("sectors", s, SECTOR_MEANINGS[s]) for s in SECTORS],
                    about="Secteur d'un acteur nommé.",
                ),
            ],
            codable=True,
            about="Acteurs nommés (organisations et personnes). Coder une mention avec son "
            "secteur et, là où le texte le dit, son rôle.",
        ),
        _branch(
            "actor_types",
            [_leaf("actor_types", s, SECTOR_MEANINGS[s]) for s in SECTORS],
            about="Catégories d'acteurs non nommés dont parle le texte, par secteur.",
        ),
        _branch(
            "needs",
            [_leaf("needs", n) for n in NEEDS],
            about="Besoins sociaux auxquels le texte dit que l'innovation répond.",
        ),
        _branch(
            "stages",
            [_leaf("stages", s) for s in STAGES],
            about="Étapes du processus d'innovation sociale que le texte décrit.",
        ),
    ]
    topic_codes = [
        Code(
            guid=guid("code", "topics", number),
            name=f"{PREFIXES['topics']} {number} : {label}",
            codable=True,
            color=colour("topics", str(number)),
            description=f"Passages du thème {number} (BERTopic).",
        )
        for number, label in (topics or [])
    ]
    if topic_codes:
        roots.append(_branch("topics", topic_codes, about="Thèmes des passages (BERTopic)."))
    return Codebook(roots)


def code_element(code: Code, tag: str) -> ET.Element:
    """The ``<Code>`` element of ``code`` and its children (``tag`` is namespaced)."""
    element = ET.Element(
        tag,
        {
            "guid": code.guid,
            "name": code.name,
            "isCodable": "true" if code.codable else "false",
            "color": code.color,
        },
    )
    if code.description:
        ET.SubElement(element, tag.replace("Code", "Description")).text = code.description
    for child in code.children:
        element.append(code_element(child, tag))
    return element


def xml_bytes(root: ET.Element) -> bytes:
    """``root`` serialised as UTF-8 with a double-quoted XML declaration."""
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def codebook_xml(codebook: Codebook, *, origin: str) -> bytes:
    """A ``.qdc`` file: the codebook alone (Codebook 1.0 schema)."""
    ET.register_namespace("", CODEBOOK_NS)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": origin})
    codes = ET.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    for code in codebook.roots:
        codes.append(code_element(code, f"{{{CODEBOOK_NS}}}Code"))
    ET.indent(root, space="  ")
    return xml_bytes(root)


# -- from a code name back to a field and a label -----------------------------------------
def fold(text: str) -> str:
    """Lower case, no accents, single spaces, straight apostrophes."""
    plain = text.replace("’", "'").lower().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", plain)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


_PREFIX_FIELDS = {fold(prefix): name for name, prefix in PREFIXES.items()}
_BRANCH_FIELDS = {fold(branch): name for name, branch in BRANCHES.items()}
_NAMED = re.compile(r"^\s*([^:]+?)\s*(?:\d+\s*)?:\s*(.+?)\s*$")


@dataclass(frozen=True)
class Mapped:
    """What a code means in our taxonomy.

    Attributes:
        field: ``definitions``, ``actors``, ``roles``, ``sectors``, ``actor_types``,
            ``needs``, ``stages`` or ``topics``.
        label: The term, label id or topic label (``""`` for the Acteurs root).
    """

    field: str
    label: str


def _label(field_name: str, text: str) -> str | None:
    if field_name in ("definitions", "topics"):
        return text.strip() or None
    wanted = fold(text).replace(" ", "_").replace("-", "_")
    return next((label for label in LABELS[field_name] if label == wanted), None)


def is_branch(name: str) -> bool:
    """Whether ``name`` is one of our branch (grouping) codes, such as ``Besoins``."""
    return fold(name) in _BRANCH_FIELDS


def map_code(name: str, parent: str | None = None) -> Mapped | None:
    """The field and label a code name stands for, or ``None`` if it is not ours.

    Accepts our names (``Besoin : emploi``, ``Définition : innovation sociale``), the
    Acteurs root, and a label named alone under one of our branches (``emploi`` under
    ``Besoins``).

    Args:
        name: The code's name.
        parent: The name of its parent code, if any.
    """
    if fold(name) == fold(BRANCHES["actors"]):
        return Mapped("actors", "")
    match = _NAMED.match(name)
    if match and fold(match.group(1)) in _PREFIX_FIELDS:
        field_name = _PREFIX_FIELDS[fold(match.group(1))]
        label = _label(field_name, match.group(2))
        return Mapped(field_name, label) if label else None
    if parent is not None and fold(parent) in _BRANCH_FIELDS:
        field_name = _BRANCH_FIELDS[fold(parent)]
        if field_name in LABELS or field_name == "definitions":
            label = _label(field_name, name)
            return Mapped(field_name, label) if label else None
    return None
