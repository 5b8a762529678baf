"""Roles stated in a relative clause or a ``pour`` complement that follows the actor.

``X, qui nous a consenti un prêt``, ``X, dont la subvention a permis l'achat`` and
``merci à X pour son appui`` say what ``X`` did: the verb after ``qui`` or the noun
after ``dont`` or ``pour`` is read as a cue of ``X``. The clause is found from the
words right after the mention rather than from the parse, which often attaches a
participle after a pronoun object (``qui nous a consenti``) to the main verb.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Span

from corpus.nlp.actor_lexicon import RoleCues
from corpus.nlp.role_words import (
    DETERMINERS,
    RoleHit,
    folded_lemma,
    folded_text,
    is_amount,
    verb_role,
)

__all__ = ["relative_cue"]

# Words between "qui" and its verb: object pronouns, auxiliaries, adverbs, negation.
_CLITIC_POS = frozenset(("PRON", "AUX", "ADV"))
_MAX_SKIP = 4
_THANKED_ROLES = frozenset(("bailleur", "partenaire"))
_POSSESSIVES = frozenset(("son", "sa", "ses", "leur", "leurs"))


def relative_cue(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    """``X, qui <verbe>`` / ``X, dont le <nom>``: the clause's cue gives ``X`` a role.

    Args:
        span: The actor mention.
        sent: Its sentence.
        cues: The role cues.

    Yields:
        At most one hit, from the clause's verb (``qui``) or noun (``dont``).
    """
    doc = span.doc
    j = span.end
    if j < sent.end and doc[j].text == ",":
        j += 1
    if j >= sent.end:
        return
    word = folded_text(doc[j])
    if word == "qui":
        yield from _qui_clause(span, j + 1, sent, cues)
    elif word == "dont":
        yield from _noun_clause(span, j + 1, sent, cues, word)
    elif word == "pour":
        # "Merci à X pour la subvention": what X is thanked for (funding or support;
        # "X pour le projet" says nothing of who carries it).
        hits = _noun_clause(span, j + 1, sent, cues, word)
        yield from (h for h in hits if h.role in _THANKED_ROLES)


def _qui_clause(span: Span, j: int, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    doc = span.doc
    skipped = 0
    while j < sent.end and doc[j].pos_ in _CLITIC_POS and skipped < _MAX_SKIP:
        if folded_lemma(doc[j]) == "etre":
            return  # "qui est financée par": a passive says nothing of X's action
        j += 1
        skipped += 1
    if j >= sent.end or doc[j].pos_ not in ("VERB", "NOUN", "ADJ"):
        return
    found = verb_role(cues, doc[j])
    if found is not None:
        yield RoleHit(found[0], f"qui {doc[j].text}")


def _noun_clause(span: Span, j: int, sent: Span, cues: RoleCues, word: str) -> Iterator[RoleHit]:
    """The cue noun after ``word`` (``dont``, ``pour``) and a determiner or possessive."""
    doc = span.doc
    if j < sent.end and (folded_text(doc[j]) in DETERMINERS or folded_text(doc[j]) in _POSSESSIVES):
        j += 1
    if j >= sent.end or doc[j].pos_ != "NOUN":
        return
    noun = doc[j]
    keys: list[tuple[str, ...]] = []
    if j + 1 < sent.end and doc[j + 1].pos_ == "ADJ":
        adj = doc[j + 1]
        keys += [(folded_lemma(noun), folded_lemma(adj)), (folded_text(noun), folded_text(adj))]
    keys += [(folded_lemma(noun),), (folded_text(noun),)]
    role = next((cues.nouns[k] for k in keys if k in cues.nouns), None)
    if role == "partenaire" and any(is_amount(t) for t in doc[j + 1 : min(j + 7, sent.end)]):
        role = "bailleur"  # "dont l'aide de 120 000 $": support counted in money
    if role is not None:
        yield RoleHit(role, f"{word} {noun.text}")
