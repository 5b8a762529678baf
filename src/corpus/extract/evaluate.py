"""Score predictions against gold annotations, exactly as ``shared/eval/FORMAT.md`` says.

* **Definitions.** A prediction matches a gold definition of the same document when the
  terms are equal after :func:`normalise_term` (lower case, no accents, no leading
  article) and at least half of the words of the shorter text occur in the other
  (:func:`text_overlap`: words are lower-case, accent-free ``\\w+`` runs; "the shorter"
  has fewer words; its words are counted with repetition). Each gold item and each
  prediction is matched at most once (a maximum matching that first maximises matches to
  non-optional gold items, then matches to optional ones).
* **Named actors.** A prediction matches when its normalised name (:func:`normalise_name`)
  equals the gold name or one of its aliases, normalised the same way; one-to-one.
* For both: a prediction matched to a non-optional gold item is a true positive; matched
  to an optional gold item it counts nowhere; unmatched it is a false positive. A
  non-optional gold item left unmatched is a false negative; an optional one counts
  nowhere.
* **Role accuracy.** Over the matched actor pairs whose gold actor has at least one role:
  the fraction whose predicted role set equals the gold role set exactly
  (``None`` when there is no such pair). Per-role precision/recall/F1 are also given,
  over all matched pairs (a role in both sets is a TP, predicted only a FP, gold only a
  FN).
* **Needs, stages, actor types.** Sets per document; micro precision, recall and F1
  over all documents.

Precision is 1.0 when nothing was predicted, recall is 1.0 when there is nothing to
find, and F1 is 0.0 when both precision and recall are 0. Documents are paired by file
stem; a gold document without a prediction counts every gold item as missed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from corpus.extract.gold import ROLES, Actor, Annotation, Definition

FIELDS: tuple[str, ...] = ("definitions", "actors", "actor_types", "needs", "stages")

_ARTICLE = re.compile(r"^(?:(?:le|la|les|un|une|des|du)\s+|(?:l|d)'\s*)")
_WORD = re.compile(r"\w+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})


def strip_accents(text: str) -> str:
    """``"Économie"`` -> ``"Economie"`` (also ``œ`` -> ``oe``, ``æ`` -> ``ae``)."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _normalise(text: str) -> str:
    text = strip_accents(text.translate(_APOSTROPHES)).lower()
    text = re.sub(r"\s+", " ", text).strip()
    return text.strip(" \t\"'«»“”.,;:!?()[]")


def normalise_term(term: str) -> str:
    """Lower case, no accents, no leading article: ``"L’Innovation sociale"`` ->
    ``"innovation sociale"``."""
    text = _normalise(term)
    previous = None
    while previous != text:  # "de la", "l'" after "les"... remove every leading article
        previous = text
        text = _ARTICLE.sub("", text).strip()
    return text


def normalise_name(name: str) -> str:
    """Actor names are normalised like terms (lower case, no accents, no article)."""
    return normalise_term(name)


def words(text: str) -> list[str]:
    """Lower-case, accent-free words of ``text`` (punctuation dropped)."""
    return _WORD.findall(strip_accents(text.translate(_APOSTROPHES)).lower())


def text_overlap(a: str, b: str) -> float:
    """Share of the words of the shorter text that occur in the other (0 if empty)."""
    wa, wb = words(a), words(b)
    shorter, other = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    if not shorter:
        return 0.0
    vocabulary = set(other)
    return sum(1 for w in shorter if w in vocabulary) / len(shorter)


def definitions_match(pred: Definition, gold: Definition) -> bool:
    """FORMAT.md's rule: equal normalised terms and at least half the words shared."""
    return normalise_term(pred.term) == normalise_term(gold.term) and (
        text_overlap(pred.text, gold.text) >= 0.5
    )


def actors_match(pred: Actor, gold: Actor) -> bool:
    """The predicted name equals the gold name or an alias, after normalisation."""
    name = normalise_name(pred.name)
    return bool(name) and name in {normalise_name(n) for n in [gold.name, *gold.aliases]}


@dataclass
class Counts:
    """True positives, false positives and false negatives, with P/R/F1."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        """Add ``other``'s counts to these."""
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        """TP / (TP + FP); 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN); 1.0 when there was nothing to find."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall (0.0 if both are 0)."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Counts and rounded scores, for JSON."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def match_items(
    preds: Sequence[Any], golds: Sequence[Any], matches: Any
) -> tuple[list[tuple[int, int]], Counts]:
    """One-to-one matching of predictions to gold items and its counts.

    Args:
        preds: Predicted items.
        golds: Gold items (with an ``optional`` attribute).
        matches: ``(pred, gold) -> bool``.

    Returns:
        The matched ``(pred index, gold index)`` pairs (sorted) and the counts, where
        optional gold items are neither needed nor false positives.
    """
    graph = nx.Graph()
    for i, pred in enumerate(preds):
        for j, gold in enumerate(golds):
            if matches(pred, gold):
                # Non-optional matches weigh more: they remove a FP and a FN.
                graph.add_edge(("p", i), ("g", j), weight=1 if gold.optional else 2)
    pairs: list[tuple[int, int]] = []
    if graph.number_of_edges():
        for a, b in nx.max_weight_matching(graph):
            p, g = (a, b) if a[0] == "p" else (b, a)
            pairs.append((p[1], g[1]))
    pairs.sort()
    matched_gold = {g for _, g in pairs}
    counts = Counts()
    counts.tp = sum(1 for _, g in pairs if not golds[g].optional)
    counts.fp = len(preds) - len(pairs)
    counts.fn = sum(1 for j, g in enumerate(golds) if not g.optional and j not in matched_gold)
    return pairs, counts


def set_counts(pred: Iterable[str], gold: Iterable[str], optional: Iterable[str] = ()) -> Counts:
    """Counts of two label sets; an ``optional`` label is never missed nor a false positive."""
    p, o = set(pred), set(optional)
    g = set(gold) - o
    return Counts(tp=len(p & g), fp=len(p - g - o), fn=len(g - p))


@dataclass
class Evaluation:
    """Scores of a prediction folder against a gold folder.

    Attributes:
        fields: Micro counts per field (definitions, actors, actor_types, needs, stages).
        role_accuracy: Exact role-set accuracy on matched actors with gold roles.
        role_pairs: Number of such pairs (the accuracy's denominator).
        roles: Per-role counts over all matched actor pairs.
        documents: Per-document counts per field.
        missing_predictions: Gold documents without a prediction file.
        extra_predictions: Prediction files without a gold file (ignored).
    """

    fields: dict[str, Counts] = field(default_factory=lambda: {f: Counts() for f in FIELDS})
    role_accuracy: float | None = None
    role_pairs: int = 0
    roles: dict[str, Counts] = field(default_factory=lambda: {r: Counts() for r in ROLES})
    documents: dict[str, dict[str, Counts]] = field(default_factory=dict)
    missing_predictions: list[str] = field(default_factory=list)
    extra_predictions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable scores (what ``corpus eval --json`` prints)."""
        return {
            "fields": {name: c.to_dict() for name, c in self.fields.items()},
            "role_accuracy": None if self.role_accuracy is None else round(self.role_accuracy, 4),
            "role_pairs": self.role_pairs,
            "roles": {name: c.to_dict() for name, c in self.roles.items()},
            "documents": {
                doc: {name: c.to_dict() for name, c in per.items()}
                for doc, per in self.documents.items()
            },
            "missing_predictions": self.missing_predictions,
            "extra_predictions": self.extra_predictions,
        }


def evaluate_document(pred: Annotation, gold: Annotation) -> tuple[dict[str, Counts], list]:
    """Counts per field for one document, and its matched ``(pred, gold)`` actor pairs."""
    _, definitions = match_items(pred.definitions, gold.definitions, definitions_match)
    actor_pairs, actors = match_items(pred.actors, gold.actors, actors_match)
    counts = {
        "definitions": definitions,
        "actors": actors,
        "actor_types": set_counts(pred.actor_types, gold.actor_types, gold.actor_types_optional),
        "needs": set_counts(pred.needs, gold.needs, gold.needs_optional),
        "stages": set_counts(pred.stages, gold.stages, gold.stages_optional),
    }
    return counts, [(pred.actors[p], gold.actors[g]) for p, g in actor_pairs]


def evaluate(predictions: dict[str, Annotation], golds: dict[str, Annotation]) -> Evaluation:
    """Score ``predictions`` against ``golds`` (both keyed by file stem).

    Returns:
        Micro scores per field, role accuracy, per-role and per-document counts.
    """
    result = Evaluation()
    correct = 0
    for stem in sorted(golds):
        gold = golds[stem]
        pred = predictions.get(stem)
        if pred is None:
            result.missing_predictions.append(stem)
            pred = Annotation(document=gold.document)
        counts, pairs = evaluate_document(pred, gold)
        result.documents[stem] = counts
        for name, c in counts.items():
            result.fields[name].add(c)
        for p_actor, g_actor in pairs:
            p_roles, g_roles = set(p_actor.roles), set(g_actor.roles)
            for role in ROLES:
                result.roles[role].add(
                    Counts(
                        tp=int(role in p_roles and role in g_roles),
                        fp=int(role in p_roles and role not in g_roles),
                        fn=int(role in g_roles and role not in p_roles),
                    )
                )
            if g_roles:
                result.role_pairs += 1
                correct += int(p_roles == g_roles)
    result.extra_predictions = sorted(set(predictions) - set(golds))
    if result.role_pairs:
        result.role_accuracy = correct / result.role_pairs
    return result


def evaluate_folders(gold_dir: Any, pred_dir: Any) -> Evaluation:
    """Read two folders of FORMAT.md YAML files and score them (paired by file stem)."""
    from corpus.extract.gold import read_annotations

    return evaluate(read_annotations(pred_dir), read_annotations(gold_dir))


def summary(result: Evaluation) -> dict[str, float | None]:
    """Flat headline scores: ``<field>_f1`` (and P, R) plus ``role_accuracy``."""
    out: dict[str, float | None] = {}
    for name, c in result.fields.items():
        out[f"{name}_precision"] = c.precision
        out[f"{name}_recall"] = c.recall
        out[f"{name}_f1"] = c.f1
    out["role_accuracy"] = result.role_accuracy
    return out
