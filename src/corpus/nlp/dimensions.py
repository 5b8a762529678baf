"""Code a definition against the dimensions scholars compare definitions on.

The dimensions and their terms live in ``resources/definitions/dimensions.yaml`` (a
researcher can extend a copy). A term is a sequence of words; each word is a set of
alternatives (``a|b``) compared with a token's lemma and its lower-case form, without
accents; a word ending in ``*`` is a prefix. Up to :data:`MAX_GAP` determiners or
prepositions may stand between two words of a term, so "améliorer vie" matches
"améliorer la vie des gens".

:class:`DimensionCoder` codes a spaCy span (lemmas) or a plain string (word forms, with
plural endings removed, used when no parse is at hand).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Span

from corpus.errors import ConfigError
from corpus.nlp.lexicon import read_yaml

#: The dimension ids of the packaged lexicon, in table column order.
DIMENSIONS: tuple[str, ...] = (
    "social_need",
    "novelty",
    "participation",
    "collective_benefit",
    "systemic_transformation",
    "plurality_of_actors",
    "territory",
    "process",
    "measurable_impact",
    "durability",
)

#: Determiners or prepositions allowed between two words of a term.
MAX_GAP = 2

_GAP_TEXT = """
le la les l un une des du de d au aux a en par pour
avec dans sur son sa ses leur leurs notre nos ce cette ces
"""
_GAP_WORDS = frozenset(_GAP_TEXT.split())
_WORD = re.compile(r"\w+(?:[-’']\w+)*")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case without accents, typographic apostrophes made plain."""
    text = text.replace("’", "'").replace("œ", "oe").replace("Œ", "oe").lower()
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _singular(word: str) -> str:
    """Crude French singular of a folded word form ("besoins" -> "besoin", "sociaux")."""
    if len(word) > 4 and word.endswith("aux"):
        return word[:-3] + "al"
    if len(word) > 3 and word.endswith(("s", "x")) and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True)
class TermWord:
    """One word of a term: folded alternatives, prefix or exact."""

    forms: frozenset[str]
    prefixes: tuple[str, ...]

    def matches(self, keys: Sequence[str]) -> bool:
        """Whether one of a token's keys (lemma, form) matches this word."""
        for key in keys:
            if key in self.forms or any(key.startswith(p) for p in self.prefixes):
                return True
        return False


@dataclass(frozen=True)
class Dimension:
    """A dimension: id, label and compiled terms."""

    id: str
    label: str
    terms: tuple[tuple[TermWord, ...], ...]


def compile_term(term: str) -> tuple[TermWord, ...]:
    """``"améliorer vie|condition"`` -> one :class:`TermWord` per word."""
    words: list[TermWord] = []
    for chunk in fold(term).replace("'", "' ").split():
        alternatives = [a for a in chunk.split("|") if a]
        forms = frozenset(a for a in alternatives if not a.endswith("*"))
        prefixes = tuple(a[:-1] for a in alternatives if a.endswith("*"))
        words.append(TermWord(forms, prefixes))
    return tuple(words)


def load_dimensions(path: str | Path) -> list[Dimension]:
    """Read a dimensions YAML file (``dimensions: [{id, label, terms}]``).

    Raises:
        ConfigError: The file is missing, or an entry lacks an id or terms.
    """
    data = read_yaml(path) or {}
    items = data.get("dimensions") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ConfigError(
            "expected a 'dimensions' list", path=path, hint="See the packaged dimensions.yaml."
        )
    out: list[Dimension] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("id") or not item.get("terms"):
            raise ConfigError(
                f"dimension #{i} needs an id and a list of terms",
                path=path,
                hint="Each entry: {id: ..., label: ..., terms: [...]}.",
            )
        terms = tuple(t for t in (compile_term(str(x)) for x in item["terms"]) if t)
        out.append(Dimension(str(item["id"]), str(item.get("label", item["id"])), terms))
    return out


class DimensionCoder:
    """Codes token sequences with the dimensions whose terms they contain."""

    def __init__(self, dimensions: Iterable[Dimension]) -> None:
        """Args:
        dimensions: The dimensions (see :func:`load_dimensions`).
        """
        self.dimensions = list(dimensions)
        # Index of the terms by the forms of their first word (prefixes kept apart),
        # so coding a text looks up each token once instead of trying every term.
        self._by_form: dict[str, list[tuple[int, tuple[TermWord, ...]]]] = {}
        self._by_prefix: list[tuple[str, int, tuple[TermWord, ...]]] = []
        for index, dimension in enumerate(self.dimensions):
            for term in dimension.terms:
                for form in term[0].forms:
                    self._by_form.setdefault(form, []).append((index, term))
                for prefix in term[0].prefixes:
                    self._by_prefix.append((prefix, index, term))

    @property
    def ids(self) -> list[str]:
        """Dimension ids in lexicon order."""
        return [d.id for d in self.dimensions]

    def code_keys(self, tokens: Sequence[Sequence[str]]) -> list[str]:
        """Dimension ids evoked by a token sequence.

        Args:
            tokens: For each token, its folded keys (lemma, lower-case form...).

        Returns:
            The ids of every dimension one of whose terms occurs, in lexicon order.
        """
        found: set[int] = set()
        for i, keys in enumerate(tokens):
            candidates: list[tuple[int, tuple[TermWord, ...]]] = []
            for key in keys:
                candidates.extend(self._by_form.get(key, ()))
                candidates.extend(
                    (index, term)
                    for prefix, index, term in self._by_prefix
                    if key.startswith(prefix)
                )
            for index, term in candidates:
                if index not in found and self._rest_matches(term, tokens, i + 1):
                    found.add(index)
        return [d.id for k, d in enumerate(self.dimensions) if k in found]

    @staticmethod
    def _rest_matches(term: tuple[TermWord, ...], tokens: Sequence[Sequence[str]], j: int) -> bool:
        """Whether the words after a term's first one follow from token ``j`` on."""
        for word in term[1:]:
            gap = 0
            while j < len(tokens) and not word.matches(tokens[j]):
                if gap >= MAX_GAP or not any(k in _GAP_WORDS for k in tokens[j]):
                    return False
                gap += 1
                j += 1
            if j >= len(tokens):
                return False
            j += 1
        return True

    def code_span(self, span: Span) -> list[str]:
        """Dimensions evoked by a parsed span (lemmas and forms)."""
        keys = [
            (fold(t.lemma_), fold(t.text), _singular(fold(t.text)))
            for t in span
            if not t.is_punct and not t.is_space
        ]
        return self.code_keys(keys)

    def code_text(self, text: str) -> list[str]:
        """Dimensions evoked by a plain string (forms and crude singulars, no parse)."""
        keys = []
        for match in _WORD.finditer(text):
            for part in fold(match.group()).replace("'", "' ").split():
                part = part.rstrip("'")
                keys.append((part, _singular(part)))
        return self.code_keys(keys)


def default_coder(resources: str | Path | None = None) -> DimensionCoder:
    """A coder over the packaged lexicon (or ``resources``' ``dimensions.yaml``)."""
    from corpus.nlp.lexicon import resource_file

    path = resource_file(resources, "definitions", "dimensions.yaml")
    assert path is not None
    return DimensionCoder(load_dimensions(path))
