"""Roles of an actor in its document: document-level structure, the role set, the trainer.

Real pages are written by the organisation that carries the project: it names itself in
the title, the menu and the footer, writes "nous" and is the most mentioned actor; the
funders and partners come once each, often in a list or a logos line. So besides the
cues around each mention (:func:`corpus.scorers.actors.actor_features`), the role scorers
read where the actor stands in its document (:func:`role_context`): its rank by
mentions against the document's other actors, whether it is the first organisation, in
the first line, in the closing lines, only in lists, whether the document has a dominant
organisation it is not.

The role *set* is decided jointly (:func:`role_set`): every role whose probability
passes its threshold; when none does, a fifth scorer, :data:`ANY_ROLE` (does the text
give this actor any role?), decides whether the role nearest its threshold is given.
Without that step an actor named with no cue nearby (a partner in a logos line, a funder
thanked once) gets no role at all, although real pages mostly imply one.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from corpus.extract.gold import Actor
from corpus.scorers.actors import (
    ROLES,
    _fit_binary,
    gold_actor,
    mention_features,
    out_of_fold,
)
from corpus.scorers.model import Scorer, ScorerSet
from corpus.scorers.training import TrainingCorpus, register_trainer

logger = logging.getLogger(__name__)

#: Label of the scorer that decides whether an actor has any role at all.
ANY_ROLE = "any_role"
#: Share of the document (from its end) read as its closing zone (footer, contacts).
CLOSING_ZONE = 0.1


def _in_list(features: Mapping[str, Any]) -> bool:
    return bool(features.get("list_item") or features.get("table_cell"))


def role_context(
    clusters: Sequence[Sequence[Mapping[str, Any]]], text: str
) -> list[dict[str, Any]]:
    """Where each actor of one document stands in it (features for the role scorers).

    Args:
        clusters: The mention rows of each linked actor (``start``, ``kind``,
            ``features``), in order of first mention.
        text: The document's text (mention offsets index it); may be empty.

    Returns:
        One flat mapping per actor, keys prefixed ``doc_``.
    """
    if not clusters:
        return []
    counts = [len(rows) for rows in clusters]
    top = max(counts)
    length = max(len(text), max(int(r["end"]) for rows in clusters for r in rows), 1)
    first_line = text.find("\n") if text else -1
    first_line = first_line if first_line > 0 else min(length, 120)
    orgs = [i for i, rows in enumerate(clusters) if all(r.get("kind") != "person" for r in rows)]
    first_org = orgs[0] if orgs else -1
    org_counts = sorted((counts[i] for i in orgs), reverse=True)
    # A dominant organisation: the most mentioned one, clearly ahead of the next.
    dominant = -1
    if org_counts and (len(org_counts) == 1 or org_counts[0] >= 2 * org_counts[1]):
        dominant = max(orgs, key=lambda i: (counts[i], -i))
    n_persons = len(clusters) - len(orgs)
    lines = [{_line_of(text, int(r["start"])) for r in rows} for rows in clusters]
    cued = [
        {role for r in rows for role in ROLES if float(mention_features(r).get(f"cue_{role}") or 0)}
        for rows in clusters
    ]
    out: list[dict[str, Any]] = []
    for i, rows in enumerate(clusters):
        feats = [mention_features(r) for r in rows]
        person = i not in orgs
        rank = sum(1 for c in counts if c > counts[i])
        listed = [_in_list(f) for f in feats]
        starts = [int(r["start"]) for r in rows]
        # Actors named on the same lines: list mates tend to share a role ("nos
        # partenaires : A, B et C", a logos line of funders).
        mates = [j for j in range(len(clusters)) if j != i and lines[j] & lines[i]]
        out.append(
            {
                "doc_rank_mentions": min(rank, 5) / 5.0,
                "doc_top_mentioned": counts[i] == top and top > 1,
                "doc_relative_mentions": counts[i] / top,
                "doc_first_org": i == first_org,
                "doc_dominant": i == dominant,
                "doc_has_dominant_other": dominant >= 0 and i != dominant,
                "doc_first_line": min(starts) < first_line,
                "doc_closing": max(starts) >= (1 - CLOSING_ZONE) * length,
                "doc_only_listed": all(listed),
                "doc_some_listed": any(listed),
                "doc_person_with_dominant": person and dominant >= 0,
                "doc_persons": min(n_persons, 10) / 10.0,
                "doc_we_subject": any(
                    bool(f.get("first_person")) and bool(f.get("subject")) for f in feats
                )
                and i == dominant,
                "doc_line_mates": math.log1p(len(mates)),
                **{
                    f"doc_mates_{role}": sum(role in cued[j] for j in mates) / max(len(mates), 1)
                    for role in ROLES
                },
            }
        )
    return out


def _line_of(text: str, offset: int) -> int:
    """Number of the line ``offset`` stands on (0 without a text)."""
    return text.count("\n", 0, offset) if text else 0


def role_set(
    probabilities: Mapping[str, float],
    thresholds: Mapping[str, float],
    any_role: float | None = None,
) -> list[str]:
    """The roles of one actor (see the module docstring).

    Args:
        probabilities: P(role) for the roles scored.
        thresholds: Threshold per role, and per :data:`ANY_ROLE` when scored.
        any_role: P(the actor has a role), ``None`` when not scored.

    Returns:
        Role ids in :data:`ROLES` order.
    """
    roles = [r for r in ROLES if r in probabilities]
    chosen = [r for r in roles if probabilities[r] >= thresholds[r]]
    if chosen or not roles or any_role is None or any_role < thresholds[ANY_ROLE]:
        return chosen
    return [max(roles, key=lambda r: (probabilities[r] / thresholds[r], -ROLES.index(r)))]


@dataclass
class RoleExample:
    """One linked actor of a training document matched to a gold actor."""

    group: str
    features: dict[str, Any]
    gold: Actor
    weight: float
    corpus: str = ""


def role_target(role: str, gold_roles: Iterable[str]) -> int:
    """1 when the gold roles hold ``role`` (any role at all for :data:`ANY_ROLE`)."""
    roles = set(gold_roles)
    return int(bool(roles)) if role == ANY_ROLE else int(role in roles)


def examples(corpora: Sequence[TrainingCorpus]) -> list[RoleExample]:
    """Every linked actor of every labelled document that a gold actor names, with the
    actor features and its :func:`role_context`."""
    from corpus.extract.actors import actor_candidates

    out: list[RoleExample] = []
    for corpus in corpora:
        records = corpus.records.get("actors")
        if records is None or len(records) == 0:
            continue
        for cand in actor_candidates(corpus.labelled(records), corpus.context()):
            gold = corpus.gold.get(cand.doc_id)
            actor = gold_actor(cand.names, gold) if gold is not None else None
            if actor is None:
                continue
            out.append(
                RoleExample(
                    group=f"{corpus.name}/{cand.doc_id}",
                    features=cand.role_features,
                    gold=actor,
                    weight=float(corpus.weight),
                    corpus=corpus.name,
                )
            )
    return out


def set_accuracy(
    proba: Mapping[str, np.ndarray],
    thresholds: Mapping[str, float],
    gold: Sequence[Sequence[str]],
    *,
    with_roles_only: bool = False,
) -> float:
    """Share of actors whose :func:`role_set` equals the gold set (all actors, or only
    those with gold roles, as FORMAT.md's role accuracy)."""
    hits = total = 0
    for k, roles in enumerate(gold):
        if with_roles_only and not roles:
            continue
        scored = {r: float(proba[r][k]) for r in ROLES if r in proba}
        any_role = float(proba[ANY_ROLE][k]) if ANY_ROLE in proba else None
        hits += set(role_set(scored, thresholds, any_role)) == set(roles)
        total += 1
    return hits / total if total else 0.0


@register_trainer("roles")
def train_roles(corpora: list[TrainingCorpus], *, random_state: int = 0) -> ScorerSet:
    """One scorer per role over the candidates that match a gold actor, then the fill
    ratio of the joint decision (:func:`role_set`)."""
    data = examples(corpora)
    X = [e.features for e in data]
    groups = [e.group for e in data]
    weights = np.array([e.weight for e in data])
    gold = [list(e.gold.roles) for e in data]
    scorers: dict[str, Scorer] = {}
    thresholds: dict[str, float] = {}
    cv: dict[str, Any] = {}
    oof: dict[str, np.ndarray] = {}
    # No sentence embeddings: they raised grouped CV on the training corpora but not
    # eval-real role accuracy (0.372 without, 0.349 with, 7 Dec) and cost CPU.
    for role in (*ROLES, ANY_ROLE):
        y = np.array([role_target(role, g) for g in gold])
        scorer, threshold, meta = _fit_binary(X, y, groups, weights, random_state=random_state)
        scorers[role], thresholds[role], cv[role] = scorer, threshold, meta
        oof[role] = out_of_fold(X, y, groups, weights, C=meta["C"], random_state=random_state)
        logger.info("role %s: %s", role, meta)
    alone = {r: oof[r] for r in ROLES}
    cv["set"] = {
        "cv_set_accuracy": round(set_accuracy(oof, thresholds, gold), 4),
        "cv_set_accuracy_without_any": round(set_accuracy(alone, thresholds, gold), 4),
        "cv_role_accuracy": round(set_accuracy(oof, thresholds, gold, with_roles_only=True), 4),
        "cv_role_accuracy_without_any": round(
            set_accuracy(alone, thresholds, gold, with_roles_only=True), 4
        ),
    }
    logger.info("role sets: %s", cv["set"])
    return ScorerSet("roles", scorers, thresholds, {"cv": cv})
