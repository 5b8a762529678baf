"""Roles of a named actor in its sentence, from the parse and the words around it.

Four configurations, each giving a role with its cue and the evidence sentence:

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
    copular_cue,
    created_cue,
    description_cue,
    entrusted_cue,
    label_cue,
    noun_cue,
    weak_cue,
)
from corpus.nlp.role_relative import relative_cue
from corpus.nlp.role_subject import subject_cues
from corpus.nlp.role_words import DE_WORDS, DETERMINERS, RoleHit, folded_text, sentence_of

__all__ = ["RoleHit", "find_roles", "is_generic_support", "sentence_of"]


def _governor_spans(span: Span, sent: Span) -> list[Span]:
    """``une équipe de l’Université X``: the noun phrases the actor complements, up to
    three ``de`` links, so their cues count for it."""
    doc = span.doc
    out: list[Span] = []
    start = span.start
    for _ in range(3):
        i = start - 1
        if i >= sent.start and folded_text(doc[i]) in DETERMINERS:
            i -= 1
        if i < sent.start or folded_text(doc[i]) not in DE_WORDS:
            break
        # The head noun: the nearest noun before "de" (adjectives may follow it).
        k = i - 1
        while k >= sent.start and doc[k].pos_ in ("ADJ", "NUM"):
            k -= 1
        if k < sent.start or doc[k].pos_ not in ("NOUN", "PROPN"):
            break
        k_start = k
        named = doc[k].pos_ == "PROPN" or doc[k].text[:1].isupper()
        if named and k - 1 >= sent.start and doc[k - 1].pos_ == "NOUN":
            k_start -= 1  # "le programme AccèsLogis de X"
        while k_start - 1 >= sent.start and doc[k_start - 1].pos_ in ("DET", "ADJ", "NUM"):
            k_start -= 1
        start = k_start
        out.append(doc[start : span.end])
    return out


def _named_head(span: Span, sent: Span) -> Span | None:
    """``le réseau des incubateurs régionaux X``: the common noun phrase the name
    follows, so that a cue before it (``assuré par``) counts for the name."""
    doc = span.doc
    k = span.start - 1
    if k < sent.start or doc[k].pos_ not in ("NOUN", "ADJ") or not doc[k].text.islower():
        return None
    while k >= sent.start and span.start - k <= 6:
        tok = doc[k]
        if tok.pos_ == "DET":
            return doc[k : span.end]
        if (
            not (tok.pos_ in ("NOUN", "ADJ") and tok.text.islower())
            and folded_text(tok) not in DE_WORDS
        ):
            return None
        k -= 1
    return None


_STRONG_FINDERS = (
    label_cue,
    before_cues,
    noun_cue,
    agent_cue,
    subject_cues,
    entrusted_cue,
    description_cue,
)


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
    named = None if person else _named_head(span, sent)
    if not hits and named is not None:
        # "assuré par le réseau des incubateurs X"; a title before a person ("la
        # professeure X") is not a body the person stands for.
        for finder in (before_cues, noun_cue, agent_cue, entrusted_cue):
            hits.extend(finder(named, sent, cues))
    if not hits:
        # "X, qui nous a consenti un prêt": only when nothing closer said X's role.
        hits.extend(relative_cue(span, sent, cues))
    if not hits:
        for governor in _governor_spans(span, sent):
            for finder in (before_cues, agent_cue, subject_cues, entrusted_cue):
                hits.extend(finder(governor, sent, cues))
            if hits:
                break
    if not hits:
        hits.extend(copular_cue(span, sent, cues))
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
