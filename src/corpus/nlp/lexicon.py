"""Load pattern lexicons and taxonomies, and build spaCy matchers from them.

Generic helpers any component can use: resource files a researcher can extend without
code.

Taxonomy (YAML)::

    items:
      - id: logement
        label: Logement
        description: accès au logement, mal-logement, habitat

Patterns (JSONL, one object a line; blank lines and lines starting with ``#`` are
skipped). Each has an ``id`` (unique), a ``label`` (e.g. the taxonomy id), an optional
``weight`` (default 1.0) and either a spaCy token ``pattern`` or a compact ``phrase``::

    {"id": "logement.besoins", "label": "logement", "phrase": "besoin en|de [DET] logement"}
    {"id": "x", "label": "y", "pattern": [{"LEMMA": "essaimer"}], "weight": 0.5}

Phrase syntax (tokens separated by spaces):

* ``a|b`` alternatives for one token, matched on the lower-cased text with the usual
  French inflections (plural, feminine, ``-al``/``-aux``...) added automatically;
* ``~a|b`` matches on the lemma instead (for verbs: ``~mettre en œuvre``);
* ``=a|b`` matches the lower-cased form exactly (no inflection);
* ``[DET]``, ``[ADJ]``, ``[ADV]``, ``[ADP]`` an optional token of that part of speech,
  ``[*]`` any optional token, ``[*3]`` up to three tokens.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from spacy.attrs import LEMMA, LOWER
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from corpus.errors import ConfigError

logger = logging.getLogger(__name__)

#: Folder of the packaged resource files.
RESOURCES_DIR = Path(__file__).resolve().parent / "resources"

_OPTIONAL_POS = {"DET", "ADJ", "ADV", "ADP", "PRON", "NOUN", "CCONJ", "PUNCT"}


@dataclass(frozen=True)
class TaxonomyItem:
    """One item of a taxonomy.

    Attributes:
        id: Stable identifier (the span label).
        label: French label for tables and plots.
        description: What the item covers.
    """

    id: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class PatternEntry:
    """One matcher pattern read from a JSONL file.

    Attributes:
        id: Unique identifier (the matcher key).
        label: What a match means (taxonomy id, ``cue``...).
        pattern: spaCy token pattern.
        weight: Strength of the evidence a match gives.
        extra: Any other fields of the JSONL line.
    """

    id: str
    label: str
    pattern: list[dict[str, Any]]
    weight: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Match:
    """A pattern match in a doc."""

    entry: PatternEntry
    start: int
    end: int

    @property
    def label(self) -> str:
        return self.entry.label

    def span(self, doc: Doc) -> Span:
        return doc[self.start : self.end]


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Objects of a JSONL file (blank and ``#`` lines skipped).

    Raises:
        ConfigError: Missing file or a line that is not a JSON object.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            "pattern file not found", path=path, hint="Point the resources at a valid folder."
        )
    out: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"line {number} is not valid JSON ({exc.msg})",
                path=path,
                hint="Each line must be one JSON object.",
            ) from exc
        if not isinstance(obj, dict):
            raise ConfigError(
                f"line {number} is not a JSON object", path=path, hint="Write {...} per line."
            )
        out.append(obj)
    return out


def read_yaml(path: str | Path) -> Any:
    """Parsed content of a YAML file.

    Raises:
        ConfigError: Missing or unparsable file.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError("YAML file not found", path=path, hint="Check the resources path.")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"invalid YAML ({exc})", path=path, hint="Fix the syntax of the file."
        ) from exc


def load_taxonomy(path: str | Path) -> dict[str, TaxonomyItem]:
    """Items of a taxonomy YAML (``items: [{id, label, description}]``), by id.

    Raises:
        ConfigError: Missing ``items``, an item without ``id``, or a duplicate id.
    """
    data = read_yaml(path)
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ConfigError(
            "taxonomy has no 'items' list", path=path, hint="Write items: [{id, label}]."
        )
    out: dict[str, TaxonomyItem] = {}
    for item in items:
        if not isinstance(item, dict) or not item.get("id"):
            raise ConfigError(
                f"taxonomy item without id: {item!r}", path=path, hint="Give every item an id."
            )
        ident = str(item["id"])
        if ident in out:
            raise ConfigError(
                f"duplicate taxonomy id {ident!r}", path=path, hint="Ids must be unique."
            )
        out[ident] = TaxonomyItem(
            id=ident,
            label=str(item.get("label") or ident),
            description=str(item.get("description") or ""),
        )
    return out


def inflections(word: str) -> list[str]:
    """``word`` with the common French plural and feminine endings (lower case)."""
    w = word.lower()
    forms = {w}
    if len(w) >= 3 and w[-1].isalpha():
        forms.update({w + "s", w + "e", w + "es"})
        if w.endswith("al"):
            forms.update({w[:-2] + "aux", w + "e", w + "es"})
        if w.endswith(("eau", "eu")):
            forms.add(w + "x")
        if w.endswith("if"):
            forms.update({w[:-1] + "ve", w[:-1] + "ves"})
        if w.endswith("eux"):
            forms.update({w[:-1] + "se", w[:-1] + "ses"})
        if w.endswith(("el", "ien", "on")):
            forms.update({w + "ne", w + "nes", w + "le", w + "les"})
        if w.endswith("er"):
            forms.update({w[:-2] + "ère", w[:-2] + "ères"})
        if w.endswith("e"):
            forms.discard(w + "e")
            forms.discard(w + "es")
    variants = set(forms)
    for form in forms:
        if "œ" in form:
            variants.add(form.replace("œ", "oe"))
        if "oe" in form:
            variants.add(form.replace("oe", "œ"))
        if "'" in form:
            variants.add(form.replace("'", "’"))
        if "’" in form:
            variants.add(form.replace("’", "'"))
    return sorted(variants)


def _apostrophes(form: str) -> list[str]:
    if "'" in form or "’" in form:
        return sorted({form.replace("’", "'"), form.replace("'", "’")})
    return [form]


def phrase_to_pattern(phrase: str) -> list[dict[str, Any]]:
    """Token pattern of a compact phrase (syntax in the module docstring).

    Raises:
        ConfigError: Empty phrase or unknown ``[...]`` placeholder.
    """
    pattern: list[dict[str, Any]] = []
    for raw in phrase.split():
        if raw.startswith("[") and raw.endswith("]"):
            inner = raw[1:-1]
            if inner.startswith("*"):
                count = inner[1:]
                op = f"{{0,{int(count)}}}" if count else "?"
                pattern.append({"OP": op})
            elif inner in _OPTIONAL_POS:
                pattern.append({"POS": inner, "OP": "?"})
            else:
                raise ConfigError(
                    f"unknown placeholder {raw!r} in phrase {phrase!r}",
                    hint="Use [DET], [ADJ], [ADV], [ADP], [*] or [*N].",
                )
        elif raw.startswith("~"):
            alts = [a for a in raw[1:].split("|") if a]
            pattern.append({"LEMMA": {"IN": sorted({f for a in alts for f in _apostrophes(a)})}})
        elif raw.startswith("="):
            alts = [a.lower() for a in raw[1:].split("|") if a]
            pattern.append({"LOWER": {"IN": sorted({f for a in alts for f in _apostrophes(a)})}})
        else:
            alts = [a for a in raw.split("|") if a]
            forms = sorted({f for a in alts for f in inflections(a)})
            pattern.append({"LOWER": {"IN": forms}})
    if not pattern or all(tok.get("OP") in ("?", "*") for tok in pattern):
        raise ConfigError(f"phrase {phrase!r} has no required token", hint="Add a word.")
    return pattern


def entry_from_dict(obj: dict[str, Any], *, source: str | Path = "") -> PatternEntry:
    """A :class:`PatternEntry` from one JSONL object.

    Raises:
        ConfigError: Missing ``id``/``label`` or neither ``pattern`` nor ``phrase``.
    """
    ident, label = obj.get("id"), obj.get("label")
    if not ident or not label:
        raise ConfigError(
            f"pattern without id or label: {obj!r}", path=source or None, hint="Add both."
        )
    if "pattern" in obj:
        pattern = obj["pattern"]
        if not isinstance(pattern, list) or not pattern:
            raise ConfigError(
                f"pattern {ident!r} is not a list of token dicts", path=source or None
            )
    elif "phrase" in obj:
        pattern = phrase_to_pattern(str(obj["phrase"]))
    else:
        raise ConfigError(
            f"pattern {ident!r} has neither 'pattern' nor 'phrase'",
            path=source or None,
            hint="Give a spaCy token pattern or a phrase.",
        )
    extra = {
        k: v for k, v in obj.items() if k not in ("id", "label", "pattern", "phrase", "weight")
    }
    return PatternEntry(
        id=str(ident),
        label=str(label),
        pattern=pattern,
        weight=float(obj.get("weight", 1.0)),
        extra=extra,
    )


def load_patterns(path: str | Path) -> list[PatternEntry]:
    """Pattern entries of a JSONL file.

    Raises:
        ConfigError: Bad file, bad entry, or duplicate id.
    """
    entries = [entry_from_dict(obj, source=path) for obj in read_jsonl(path)]
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise ConfigError(
                f"duplicate pattern id {entry.id!r}", path=path, hint="Ids must be unique."
            )
        seen.add(entry.id)
    return entries


_ANNOTATIONS = ("POS", "TAG", "LEMMA", "MORPH", "DEP")


def _required(pattern: list[dict[str, Any]]) -> frozenset[str]:
    """Token annotations a pattern needs (``POS``, ``LEMMA``...)."""
    return frozenset(attr for token in pattern for attr in token if attr in _ANNOTATIONS)


def _anchor(pattern: list[dict[str, Any]]) -> tuple[str, frozenset[str]] | None:
    """A required token's attribute and forms that any match must contain, if any.

    Picks, among required tokens matched on ``LOWER``/``ORTH``/``TEXT``/``LEMMA`` by
    value or ``IN`` list, the one whose shortest form is longest (the most selective).
    """
    best: tuple[int, str, frozenset[str]] | None = None
    for token in pattern:
        if not _is_required(token):
            continue
        for attr, forms in _value_forms(token):
            if not forms:
                continue
            key = (min(len(f) for f in forms), attr, forms)
            if best is None or key[0] > best[0]:
                best = key
    if best is None:
        return None
    attr = "LOWER" if best[1] in ("ORTH", "TEXT") else best[1]
    forms = frozenset(f.lower() for f in best[2]) if attr == "LOWER" else best[2]
    return attr, forms


def _is_required(token: dict[str, Any]) -> bool:
    """Whether a pattern token matches at least one doc token (no ``?*!``, no ``{0,n}``)."""
    op = token.get("OP")
    if op is None or op == "+":
        return True
    if isinstance(op, str) and op.startswith("{") and op.endswith("}"):
        low = op[1:-1].split(",")[0].strip()
        return low.isdigit() and int(low) >= 1
    return False


def _value_forms(token: dict[str, Any]) -> Iterator[tuple[str, frozenset[str]]]:
    """``(attr, forms)`` for each of ``LOWER``/``LEMMA``/``ORTH``/``TEXT`` a pattern token
    matches by value or by ``IN`` list."""
    for attr in ("LOWER", "LEMMA", "ORTH", "TEXT"):
        value = token.get(attr)
        if isinstance(value, str):
            yield attr, frozenset([value])
        elif isinstance(value, dict) and set(value) == {"IN"}:
            yield attr, frozenset(str(v) for v in value["IN"])


def _max_length(pattern: list[dict[str, Any]]) -> int | None:
    """The most tokens a match of ``pattern`` can span; None if unbounded (``*``, ``+``).

    Args:
        pattern: A spaCy Matcher pattern.

    Returns:
        The sum of each token's largest repeat count, or None when one has no bound.
    """
    total = 0
    for token in pattern:
        op = token.get("OP")
        if op is None or op in ("!", "?", "1"):
            total += 1
        elif isinstance(op, str) and op.startswith("{") and op.endswith("}"):
            high = op[1:-1].split(",")[-1].strip()
            if not high.isdigit():  # "{n,}": no upper bound
                return None
            total += int(high)
        else:  # "*", "+" or an operator this reading does not know
            return None
    return total


def _windows(positions: list[int], length: int, start: int, end: int) -> list[tuple[int, int]]:
    """Token windows around anchor positions, merged, clipped to ``[start, end)``.

    A match of at most ``length`` tokens holding an anchor at ``p`` lies in
    ``[p - length + 1, p + length)``; overlapping or touching windows are merged so
    that no match is found in two of them.
    """
    out: list[tuple[int, int]] = []
    for p in sorted(positions):
        lo, hi = max(start, p - length + 1), min(end, p + length)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _musts(pattern: list[dict[str, Any]]) -> list[tuple[str, frozenset[str]]]:
    """``(attr, forms)`` of every required token matched by value or ``IN`` list.

    Any match holds, for each of them, a token whose ``attr`` (``LOWER`` or ``LEMMA``) is
    one of ``forms``: a necessary condition checked on the window's token values before
    the matcher is run. ``ORTH``/``TEXT`` are read lower-cased (a looser test).
    """
    out: list[tuple[str, frozenset[str]]] = []
    for token in pattern:
        if not _is_required(token):
            continue
        for attr, forms in _value_forms(token):
            if attr != "LEMMA":
                # Lower-casing only loosens the test: a match still needs one of them.
                out.append(("LOWER", frozenset(f.lower() for f in forms)))
            else:
                out.append(("LEMMA", forms))
    return out


class PatternSet:
    """Matchers over pattern entries, returning :class:`Match`.

    Each entry has its own matcher and, when possible, an *anchor*: forms one of its
    required tokens must have. A doc only runs the matchers of entries whose anchor it
    contains, which keeps hundreds of patterns cheap. Entries needing token
    annotations (POS, lemma) are skipped on docs without them (a blank pipeline).
    """

    def __init__(self, vocab: Vocab, entries: Iterable[PatternEntry]) -> None:
        self.entries: dict[str, PatternEntry] = {}
        self._matchers: dict[str, Matcher] = {}
        self._needs: dict[str, frozenset[str]] = {}
        self._index: dict[tuple[str, str], list[str]] = {}
        self._always: list[str] = []
        #: Per entry, hashes one token of a window must have (one set per required token).
        self._must_hashes: dict[str, list[tuple[int, frozenset[int]]]] = {}
        #: Per entry, the most tokens a match spans (None: unbounded).
        self._lengths: dict[str, int | None] = {}
        for entry in entries:
            self.entries[entry.id] = entry
            matcher = Matcher(vocab, validate=True)
            try:
                matcher.add(entry.id, [entry.pattern])
            except ValueError as exc:
                raise ConfigError(
                    f"invalid spaCy pattern {entry.id!r}: {exc}",
                    hint="See https://spacy.io/usage/rule-based-matching.",
                ) from exc
            self._matchers[entry.id] = matcher
            self._needs[entry.id] = _required(entry.pattern)
            self._must_hashes[entry.id] = [
                (0 if attr == "LOWER" else 1, frozenset(vocab.strings.add(f) for f in forms))
                for attr, forms in _musts(entry.pattern)
            ]
            self._lengths[entry.id] = _max_length(entry.pattern)
            anchor = _anchor(entry.pattern)
            if anchor is None:
                self._always.append(entry.id)
            else:
                attr, forms = anchor
                for form in forms:
                    self._index.setdefault((attr, form), []).append(entry.id)
        # The anchor index by string hash, so _candidates() reads one integer array per
        # doc instead of building a Token and two strings for every token.
        self._by_hash: dict[str, dict[int, list[str]]] = {"LOWER": {}, "LEMMA": {}}
        for (attr, form), idents in self._index.items():
            self._by_hash[attr][vocab.strings.add(form)] = idents

    def __len__(self) -> int:
        return len(self.entries)

    def _candidates(self, doc: Doc, values: list[list[int]]) -> dict[str, list[int]]:
        """Entries that may match ``doc`` (given its ``[LOWER, LEMMA]`` rows): ``{id: token
        positions of its anchor}``; entries without an anchor map to an empty list."""
        found: dict[str, list[int]] = {ident: [] for ident in self._always}
        by_lower, by_lemma = self._by_hash["LOWER"], self._by_hash["LEMMA"]
        has_lemma = doc.has_annotation("LEMMA")
        for i, (lower, lemma) in enumerate(values):
            hits = by_lower.get(lower)
            if has_lemma:
                lemma_hits = by_lemma.get(lemma)
                if lemma_hits:
                    hits = [*hits, *lemma_hits] if hits else lemma_hits
            if hits:
                for ident in hits:
                    found.setdefault(ident, []).append(i)
        return found

    def __call__(self, doc: Doc, bounds: list[tuple[int, int]] | None = None) -> list[Match]:
        """All matches, overlapping ones included, sorted by position.

        Args:
            doc: The doc.
            bounds: Token bounds of its sentences (computed if not given). An anchored
                pattern is only run on the sentences holding its anchor, which keeps
                the cost independent of the number of patterns times the doc length.
        """
        if not self.entries or len(doc) == 0:
            return []
        if bounds is None:
            bounds = sentence_bounds(doc)
        values = doc.to_array([LOWER, LEMMA]).tolist()
        annotated: dict[str, bool] = {}
        # Per window, the sets of its LOWER and LEMMA hashes (built when first needed).
        present: dict[tuple[int, int], tuple[set[int], set[int]]] = {}
        found: set[tuple[str, int, int]] = set()
        for ident, positions in self._candidates(doc, values).items():
            needs = self._needs[ident]
            for attr in needs:
                if attr not in annotated:
                    annotated[attr] = doc.has_annotation(attr)
            if not all(annotated[attr] for attr in needs):
                continue
            matcher = self._matchers[ident]
            if not positions:
                found.update(
                    (ident, start, end) for _, start, end in matcher(doc, allow_missing=True)
                )
                continue
            musts = self._must_hashes[ident]
            length = self._lengths[ident]
            windows: dict[tuple[int, int], list[int]] = {}
            for i in positions:
                windows.setdefault(bounds[sentence_index(bounds, i)], []).append(i)
            for (w_start, w_end), anchors in windows.items():
                if musts:
                    sets = present.get((w_start, w_end))
                    if sets is None:
                        rows = values[w_start:w_end]
                        sets = ({row[0] for row in rows}, {row[1] for row in rows})
                        present[(w_start, w_end)] = sets
                    if any(hashes.isdisjoint(sets[which]) for which, hashes in musts):
                        continue  # a required token has none of its forms here
                # The Matcher builds two Tokens per token it is given: a bounded pattern
                # only gets the tokens around its anchors, where all its matches lie.
                spans = (
                    [(w_start, w_end)]
                    if length is None
                    else _windows(anchors, length, w_start, w_end)
                )
                for s_start, s_end in spans:
                    found.update(
                        (ident, s_start + start, s_start + end)
                        for _, start, end in matcher(doc[s_start:s_end], allow_missing=True)
                    )
        out = [Match(self.entries[ident], start, end) for ident, start, end in found]
        out.sort(key=lambda m: (m.start, -(m.end - m.start), m.entry.id))
        return out


def non_overlapping(matches: Iterable[Match], key: Callable[[Match], Any]) -> list[Match]:
    """Greedy non-overlapping subset of ``matches``, best first by ``key``."""
    taken: list[Match] = []
    for match in sorted(matches, key=key):
        if all(match.end <= t.start or match.start >= t.end for t in taken):
            taken.append(match)
    return taken


def per_label(matches: Iterable[Match], key: Callable[[Match], Any]) -> list[Match]:
    """:func:`non_overlapping` within each label (matches of different labels may overlap)."""
    by_label: dict[str, list[Match]] = {}
    for match in matches:
        by_label.setdefault(match.label, []).append(match)
    return [m for group in by_label.values() for m in non_overlapping(group, key)]


def longest_first(match: Match) -> tuple[int, float, int, str]:
    """Sort key: longest, then heaviest, then first."""
    return (-(match.end - match.start), -match.entry.weight, match.start, match.entry.id)


def longest_per_label(matches: Iterable[Match]) -> list[Match]:
    """Keep, per label, the longest of overlapping matches (then the heaviest)."""
    return sorted(per_label(matches, longest_first), key=lambda m: (m.start, m.end, m.label))


def load_lexicon(
    vocab: Vocab, resources: str | None, folder: str, kind: str
) -> tuple[dict[str, TaxonomyItem], PatternSet]:
    """A component's ``taxonomy.yaml`` and ``patterns.jsonl`` (from ``resources``, or the
    packaged ``folder``); ``kind`` names the labels in messages (``need``).

    Raises:
        ConfigError: A file is missing or invalid, or a pattern's label is not a taxonomy id.
    """
    taxonomy_path = resource_file(resources, folder, "taxonomy.yaml")
    patterns_path = resource_file(resources, folder, "patterns.jsonl")
    assert taxonomy_path is not None and patterns_path is not None
    taxonomy = load_taxonomy(taxonomy_path)
    entries = load_patterns(patterns_path)
    unknown = sorted({e.label for e in entries} - set(taxonomy))
    if unknown:
        raise ConfigError(
            f"{kind} patterns with labels not in the taxonomy: {', '.join(unknown)}",
            path=patterns_path,
            hint="Add these ids to taxonomy.yaml or fix the labels.",
        )
    return taxonomy, PatternSet(vocab, entries)


def optional_patterns(vocab: Vocab, resources: str | None, folder: str, name: str) -> PatternSet:
    """The pattern set of an optional resource file (empty when the file is absent)."""
    path = resource_file(resources, folder, name, required=False)
    return PatternSet(vocab, load_patterns(path) if path else [])


def resource_file(
    resources: str | Path | None, default_dir: str, name: str, *, required: bool = True
) -> Path | None:
    """Path of resource ``name``: in the override folder if given, else packaged.

    Args:
        resources: Override (a folder holding files of the same names), or None.
        default_dir: Sub-folder of the packaged resources (``needs``).
        name: File name (``patterns.jsonl``).
        required: Raise if the file is missing (else return None).

    Raises:
        ConfigError: Override folder missing, or a required file missing.
    """
    base = Path(resources).expanduser() if resources else RESOURCES_DIR / default_dir
    if resources and not base.is_dir():
        raise ConfigError(
            "resources override is not a folder",
            path=base,
            hint=f"Copy {RESOURCES_DIR / default_dir} and point the component at the copy.",
        )
    path = base / name
    if not path.is_file():
        if required:
            raise ConfigError(
                f"resource file {name} missing",
                path=path,
                hint=f"Copy it from {RESOURCES_DIR / default_dir}.",
            )
        return None
    return path


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """Token bounds of the doc's sentences (the whole doc if it has no boundaries)."""
    if len(doc) == 0:
        return []
    if doc.has_annotation("SENT_START") or doc.has_annotation("DEP"):
        return [(s.start, s.end) for s in doc.sents]
    return [(0, len(doc))]


def sentence_index(bounds: list[tuple[int, int]], token_i: int) -> int:
    """Index of the sentence holding token ``token_i`` (binary search)."""
    lo, hi = 0, len(bounds) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if bounds[mid][0] <= token_i:
            lo = mid
        else:
            hi = mid - 1
    return lo
