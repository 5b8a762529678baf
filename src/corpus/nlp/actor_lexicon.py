"""Resource files of the actors component, loaded into one :class:`ActorLexicon`.

The folder (``resources/actors/`` by default, or a researcher's copy) holds:

* ``forms.yaml``: organisation forms (``fondation``, ``conseil régional``...) with sector;
* ``known_bodies.jsonl``: well-known bodies (name, aliases, sector, optional role);
* ``roles.yaml``: role cues (verbs, multi-word phrases, nouns, words before the actor,
  weak list cues, funding nouns);
* ``categories.yaml``: unnamed actor categories per sector;
* ``stoplist.yaml``: concept words, non-actor acronyms, page-furniture words.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from corpus.errors import ConfigError

#: The packaged resource folder of this component.
DEFAULT_DIR = Path(__file__).resolve().parent / "resources" / "actors"

SECTORS: tuple[str, ...] = ("public", "entreprise", "ess", "recherche", "citoyens", "autre")
ROLES: tuple[str, ...] = ("porteur", "bailleur", "partenaire", "preneur")

_APOSTROPHES = str.maketrans({"'": "’", "‘": "’", "ʼ": "’"})
_FUNCTION_WORD_TEXT = "de du des d’ d la le les l’ à au aux en et pour sur dans par avec un une"
_FUNCTION_WORDS = frozenset(_FUNCTION_WORD_TEXT.split())


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case, typographic apostrophe, no accents: the key used for lookups."""
    text = text.translate(_APOSTROPHES).lower()
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_FOLDED_FUNCTION_WORDS = frozenset(fold(w) for w in _FUNCTION_WORDS)


def is_function_word(word: str) -> bool:
    """Articles and prepositions (``de``, ``l’``...)."""
    return fold(word) in _FOLDED_FUNCTION_WORDS


def plural(word: str) -> str:
    """French plural of one word (``régional`` -> ``régionaux``, ``bureau`` -> ``bureaux``)."""
    if word.endswith(("s", "x", "z")):
        return word
    if word.endswith("al"):
        return word[:-2] + "aux"
    if word.endswith(("eau", "eu")):
        return word + "x"
    return word + "s"


def plural_phrase(phrase: str) -> str:
    """Pluralise the words of ``phrase`` up to its first preposition."""
    out: list[str] = []
    done = False
    for word in phrase.split():
        if is_function_word(word) or "’" in word or "'" in word:
            done = True
        out.append(word if done else plural(word))
    return " ".join(out)


@dataclass(frozen=True)
class Form:
    """An organisation form word or phrase (``fondation``, ``conseil régional``)."""

    words: tuple[str, ...]
    sector: str | None
    role: str | None = None
    text: str = ""
    lowercase: bool = False


@dataclass(frozen=True)
class KnownBody:
    """A well-known body of the gazetteer."""

    name: str
    aliases: tuple[str, ...]
    sector: str
    role: str | None = None


@dataclass
class RoleCues:
    """Role cues read from ``roles.yaml`` (keys folded with :func:`fold`)."""

    verbs: dict[str, dict[str, str]] = field(default_factory=dict)
    phrases: dict[tuple[str, ...], str] = field(default_factory=dict)
    nouns: dict[tuple[str, ...], str] = field(default_factory=dict)
    before: dict[tuple[str, ...], str] = field(default_factory=dict)
    labels: dict[tuple[str, ...], str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    label_nouns: frozenset[str] = frozenset()
    subject_roles: dict[str, str] = field(default_factory=dict)
    weak: frozenset[str] = frozenset()
    funding_nouns: frozenset[str] = frozenset()
    support_nouns: frozenset[str] = frozenset()
    office_bodies: frozenset[str] = frozenset()
    study_nouns: frozenset[str] = frozenset()
    entrust_verbs: frozenset[str] = frozenset()
    backing_nouns: frozenset[str] = frozenset()
    procedural_objects: frozenset[str] = frozenset()
    creation_verbs: frozenset[str] = frozenset()
    receiving_verbs: frozenset[str] = frozenset()
    similar_words: frozenset[str] = frozenset()
    project_nouns: frozenset[str] = frozenset()
    talk_verbs: frozenset[str] = frozenset()
    hiring_verbs: frozenset[str] = frozenset()
    study_verbs: frozenset[str] = frozenset()
    document_nouns: frozenset[str] = frozenset()
    _stems: tuple[str, ...] = field(default=(), init=False)

    @property
    def stems(self) -> tuple[str, ...]:
        """Stems of the ``-er`` cue verbs (``financ`` for ``financer``), longest first."""
        if not self._stems:
            found = {v[:-2] for v in self.verbs if v.endswith("er") and " " not in v}
            self._stems = tuple(sorted(found, key=lambda s: (-len(s), s)))
        return self._stems


#: ``roles.yaml`` keys that are plain word lists (folded into frozensets).
_WORD_SETS = tuple(f.name for f in fields(RoleCues) if f.type == "frozenset[str]")
#: ``roles.yaml`` keys mapping a phrase (folded words) or a word (folded) to a role.
_PHRASE_MAPS = ("phrases", "nouns", "before", "labels")
_WORD_MAPS = ("titles", "subject_roles")


@dataclass
class ActorLexicon:
    """Everything the actors component reads from its resource folder."""

    forms: list[Form]
    keywords: dict[str, str]  # folded word or phrase anywhere in a name -> sector
    bodies: list[KnownBody]
    roles: RoleCues
    #: phrase as written (singular and plural) -> (sector, singular phrase)
    categories: dict[str, tuple[str, str]]
    concepts: frozenset[str]
    acronyms: frozenset[str]
    header_words: frozenset[str]
    source: Path
    honorifics: frozenset[str] = frozenset()
    job_titles: frozenset[str] = frozenset()


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(
            f"cannot read the actors resource file ({exc})",
            path=path,
            hint="Fix the YAML or point the component at the packaged copy.",
        ) from exc


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read the gazetteer ({exc})", path=path) from exc
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"line {number} is not valid JSON ({exc.msg})",
                path=path,
                hint='One object a line, e.g. {"name": "X", "aliases": [], "sector": "ess"}.',
            ) from exc
    return rows


def _check(value: Any, allowed: tuple[str, ...], path: Path, what: str) -> str:
    if value not in allowed:
        raise ConfigError(
            f"unknown {what} {value!r}", path=path, hint=f"Use one of {', '.join(allowed)}."
        )
    return str(value)


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(fold(phrase).replace("’", "’ ").split())


def _role_value(value: Any, path: Path) -> dict[str, str]:
    if isinstance(value, str):
        return {"default": _check(value, ROLES, path, "role")}
    if isinstance(value, dict) and value and set(value) <= {"support", "funding", "default"}:
        return {k: _check(v, ROLES, path, "role") for k, v in value.items()}
    raise ConfigError(
        f"bad role cue {value!r}", path=path, hint="Give a role or {support: r, funding: r2}."
    )


def _role_map(raw: dict[str, Any], key: str, keyer: Any, path: Path) -> dict[Any, str]:
    return {keyer(k): _check(v, ROLES, path, "role") for k, v in (raw.get(key) or {}).items()}


def load_lexicon(folder: str | Path | None = None) -> ActorLexicon:
    """Read the resource folder (the packaged one by default).

    Args:
        folder: A copy of ``resources/actors`` (all five files), or ``None``.

    Returns:
        The lexicon.

    Raises:
        ConfigError: A missing or malformed file, or an unknown sector or role.
    """
    root = Path(folder) if folder is not None else DEFAULT_DIR
    if root.is_file():
        root = root.parent
    names = ("forms.yaml", "known_bodies.jsonl", "roles.yaml", "categories.yaml", "stoplist.yaml")
    for name in names:
        if not (root / name).is_file():
            raise ConfigError(
                f"the actors resource folder has no {name}",
                path=root,
                hint=f"Copy {DEFAULT_DIR} and edit the copy.",
            )
    forms_path = root / "forms.yaml"
    forms_raw = _read_yaml(forms_path)
    keywords = {
        fold(str(k)): _check(v, SECTORS, forms_path, "sector")
        for k, v in (forms_raw.get("keywords") or {}).items()
    }
    forms = [
        Form(
            words=_words(str(item["form"])),
            sector=_check(item["sector"], SECTORS, forms_path, "sector")
            if item.get("sector")
            else None,
            role=_check(item["role"], ROLES, forms_path, "role") if item.get("role") else None,
            text=str(item["form"]).translate(_APOSTROPHES),
            lowercase=bool(item.get("lowercase")),
        )
        for item in (forms_raw.get("forms") or [])
    ]
    bodies_path = root / "known_bodies.jsonl"
    bodies = [
        KnownBody(
            name=str(row["name"]),
            aliases=tuple(str(a) for a in row.get("aliases") or []),
            sector=_check(row.get("sector"), SECTORS, bodies_path, "sector"),
            role=_check(row["role"], ROLES, bodies_path, "role") if row.get("role") else None,
        )
        for row in _read_jsonl(bodies_path)
    ]
    roles_path = root / "roles.yaml"
    raw = _read_yaml(roles_path)
    word_sets: dict[str, Any] = {
        name: frozenset(fold(w) for w in raw.get(name) or []) for name in _WORD_SETS
    }
    word_sets.update({key: _role_map(raw, key, _words, roles_path) for key in _PHRASE_MAPS})
    word_sets.update({key: _role_map(raw, key, fold, roles_path) for key in _WORD_MAPS})
    cues = RoleCues(
        **word_sets,
        verbs={fold(k): _role_value(v, roles_path) for k, v in (raw.get("verbs") or {}).items()},
    )
    categories_path = root / "categories.yaml"
    categories: dict[str, tuple[str, str]] = {}
    for sector, phrases in (_read_yaml(categories_path) or {}).items():
        _check(sector, SECTORS, categories_path, "sector")
        for phrase in phrases or []:
            phrase = str(phrase).translate(_APOSTROPHES)
            categories.setdefault(phrase, (sector, phrase))
            categories.setdefault(plural_phrase(phrase), (sector, phrase))
    stop = _read_yaml(root / "stoplist.yaml")
    return ActorLexicon(
        forms=forms,
        keywords=keywords,
        bodies=bodies,
        roles=cues,
        categories=categories,
        concepts=frozenset(fold(w) for w in stop.get("concepts") or []),
        acronyms=frozenset(fold(w) for w in stop.get("acronyms") or []),
        header_words=frozenset(fold(w) for w in stop.get("header_words") or []),
        source=root,
        honorifics=frozenset(fold(str(w)) for w in stop.get("honorifics") or []),
        job_titles=frozenset(fold(str(w)) for w in stop.get("job_titles") or []),
    )
