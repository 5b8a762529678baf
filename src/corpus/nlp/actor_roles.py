"""Roles of a named actor in its sentence, from the parse and the words around it.

Four configurations, each giving a role with its cue and the evidence sentence (rarer
ones, such as a task entrusted to the actor, a copula or a relative clause,
are left to the role scorers, which read the parse and the actor's place in its
document):

* cue words just before the actor: ``en partenariat avec X``, ``financé par X``;
* a cue noun governing the actor: ``l'initiative de X``, ``le financement du X``;
* the actor as agent of a cue verb: ``une formation offerte par X``, ``soutenu par X``;
* the actor as subject of a cue verb, also through control verbs and mandates
  (``X a décidé de lancer``, ``X a pour mission de soutenir``, ``X a mis sur pied``).

A *weak* role comes from a list cue (``parmi les partenaires : X, Y``); the document
level keeps it only for actors without any other role.

This module is the entry point: :func:`find_roles` runs the finders and keeps one
hit per role. The finders live in :mod:`corpus.nlp.role_cues` (cues around the
actor) and :mod:`corpus.nlp.role_subject` (verbs the actor is the subject of); the
word-level tools they share, with :func:`sentence_of`, in :mod:`corpus.nlp.role_words`.
"""

from __future__ import annotations

from spacy.tokens import Span

from corpus.nlp.actor_lexicon import RoleCues, fold
from corpus.nlp.role_cues import (
    agent_cue,
    appositive_cue,
    before_cues,
    created_cue,
    label_cue,
    noun_cue,
    weak_cue,
)
from corpus.nlp.role_subject import subject_cues
from corpus.nlp.role_words import RoleHit, sentence_of

__all__ = ["RoleHit", "find_roles", "is_generic_support", "sentence_of"]


_STRONG_FINDERS = (label_cue, before_cues, noun_cue, agent_cue, subject_cues)


def find_roles(span: Span, cues: RoleCues, *, person: bool = False) -> list[RoleHit]:
    """Roles of the actor ``span`` stated or clearly implied by its sentence.

    Args:
        span: The actor mention (its doc must be parsed).
        cues: The role cues.
        person: Whether the actor is a person: only a person carries a project by
            chairing (``X préside la coopérative``); a body that chairs a committee
            (``présidée par le Département``) does not.

    Returns:
        One hit per role (strong hits before weak ones), in a stable order.
    """
    sent = sentence_of(span)
    hits: list[RoleHit] = []
    for finder in (*_STRONG_FINDERS, appositive_cue):
        hits.extend(finder(span, sent, cues))
    if not person:
        hits.extend(created_cue(span, sent, cues))
    if not hits:
        hits.extend(weak_cue(span, sent, cues))
    if not person:
        hits = [h for h in hits if not fold(h.cue).startswith(_CHAIRING)]
    else:
        # "Membres du jury : X, Y": a person listed is not a partner body.
        hits = [h for h in hits if not h.weak]
    out: list[RoleHit] = []
    # Per role, a specific cue ("met à disposition") before a generic one ("soutenu par").
    for hit in sorted(hits, key=lambda h: is_generic_support(h.cue)):
        if all(hit.role != h.role for h in out):
            out.append(hit)
    out.sort(key=lambda h: hits.index(h))
    # "soutenu par X, qui a octroyé un subside": funding is the support meant.
    if any(h.role == "bailleur" for h in out):
        out = [h for h in out if not (h.role == "partenaire" and is_generic_support(h.cue))]
    return out


_CHAIRING = ("presid",)


def is_generic_support(cue: str) -> bool:
    """``soutenu par``, ``le soutien de``: support that may be funding or not."""
    return bool(_words_of(cue) & _GENERIC_SUPPORT)


_GENERIC_SUPPORT = frozenset(
    fold(w)
    for w in (
        "soutenir",
        "soutenu",
        "soutenue",
        "soutenus",
        "soutenues",
        "appuyer",
        "appuyé",
        "appuyée",
        "aider",
        "aidé",
        "aidée",
        "soutien",
        "appui",
        "aide",
        "contribuer",
        "contribue",
        "contribuent",
        "concours",
    )
)


def _words_of(text: str) -> set[str]:
    return {fold(w) for w in text.split()}
