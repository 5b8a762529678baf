"""Roles of an actor from the verbs it is the subject of.

Finds the verbs governed by the actor (by the parse or by word order, through
subject lists, appositions, relative clauses ``X, qui ...``, control verbs and
mandates such as ``X a pour mission de soutenir``) and reads a role from each.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Span, Token

from corpus.nlp.actor_lexicon import RoleCues, fold
from corpus.nlp.role_words import (
    DE_WORDS,
    RoleHit,
    folded_lemma,
    folded_text,
    is_passive,
    looks_like_cue_verb,
    phrase_at,
    verb_role,
)

_CLITICS = frozenset(
    fold(w)
    for w in (
        "se",
        "s’",
        "s'",
        "y",
        "en",
        "ne",
        "n’",
        "n'",
        "leur",
        "lui",
        "l’",
        "l'",
        "nous",
        "vous",
        "les",
        "me",
        "te",
        "m’",
        "t’",
    )
)
_FIXED_ADVERBS = (("par", "ailleurs"), ("en", "outre"), ("de", "plus"), ("à", "son", "tour"))
_NO_DESCENT = frozenset(
    fold(w)
    for w in (
        "permettre",
        "recommander",
        "demander",
        "inviter",
        "appeler",
        "encourager",
        "exhorter",
        "inciter",
        "pousser",
        "obliger",
        "autoriser",
        "conseiller",
    )
)
_CONTROL = frozenset(
    fold(w)
    for w in (
        "décider",
        "entreprendre",
        "choisir",
        "vouloir",
        "chercher",
        "continuer",
        "commencer",
        "accepter",
        "engager",
        "tenter",
        "souhaiter",
        "pouvoir",
        "devoir",
        "venir",
        "aller",
        "proposer",
        "s’engager",
    )
)
_MANDATE = frozenset(
    fold(w) for w in ("mandat", "mission", "rôle", "objectif", "vocation", "ambition", "but")
)
_SUBJECT_DEPS = ("nsubj", "nsubj:pass")
_PURPOSE = frozenset(fold(w) for w in ("pour", "afin", "sans", "avant", "après", "si", "quand"))


def _descend(head: Token, child: Token) -> bool:
    """Whether a cue under ``child`` still has the subject of ``head`` as its agent.

    Control and coordinated verbs (``a décidé de lancer``, ``crée et anime``) and
    mandate nouns (``a pour mission de soutenir``) pass; purpose clauses (``pour
    expérimenter``) and objects do not.
    """
    if any(folded_text(m) in _PURPOSE for m in child.children if m.dep_ in ("mark", "case")):
        return False
    if child.pos_ == "VERB" and child.dep_ in ("xcomp", "conj"):
        return True
    if child.pos_ == "NOUN" and folded_lemma(child) in _MANDATE:
        return child.dep_ in ("obj", "obl:arg", "obl:mod", "obl")
    return head.pos_ == "NOUN" and folded_lemma(head) in _MANDATE and child.dep_ == "acl"


def _governing_verbs(
    span: Span, sent: Span, cues: RoleCues, *, relative_only: bool = False
) -> list[Token]:
    """Verbs whose subject the span is (by the parse, or by word order).

    Also the verb of a relative clause on the actor (``X, qui a financé ...``).
    """
    doc = span.doc
    out: list[Token] = []
    root = span.root
    seen = 0
    while root.dep_ in ("conj", "flat:name", "flat", "appos") and root.head.i != root.i:
        if seen > 4 or not (sent.start <= root.head.i < sent.end):
            break
        root = root.head
        seen += 1
    if root.dep_ == "nsubj" and not relative_only and not is_passive(root.head, []):
        out.append(root.head)
    # Word order: X [a|ont] [adverbs] <verbe>, X a pour mission de <verbe>, X, qui <verbe>.
    j = span.end
    end = sent.end
    if j < end and doc[j].text == "," and j + 1 < end and folded_text(doc[j + 1]) == "qui":
        j += 2
    elif j < end and folded_text(doc[j]) == "qui":
        j += 1
    elif relative_only:
        return out
    else:
        j = _after_place(doc, j, end)
        j = _after_subject_tail(doc, j, end, cues)
    skipped: list[Token] = []
    while j < end:
        tok = doc[j]
        if (
            tok.pos_ in ("AUX", "ADV")
            or folded_text(tok) in _CLITICS
            or (
                folded_lemma(tok) == "avoir"
                and j + 1 < end
                and folded_text(doc[j + 1]) in ("pour", "comme")
            )
        ):
            if tok.pos_ == "AUX" and folded_lemma(tok) == "etre":
                out.append(tok)
            skipped.append(tok)
            j += 1
            continue
        fixed = next(
            (f for f in _FIXED_ADVERBS if tuple(folded_text(t) for t in doc[j : j + len(f)]) == f),
            None,
        )
        if fixed:
            j += len(fixed)
            continue
        if (
            folded_text(tok) in ("comme", "pour")
            and j + 1 < end
            and folded_lemma(doc[j + 1]) in _MANDATE
        ):
            j += 2
            if j < end and folded_text(doc[j]) in DE_WORDS:
                j += 1
            continue
        if tok.pos_ == "VERB" or (
            tok.pos_ in ("ADJ", "NOUN") and tok.text.islower() and looks_like_cue_verb(tok, cues)
        ):
            if is_passive(tok, skipped):
                # "a été chargée d'évaluer", "est mandaté pour animer": a mandate.
                if folded_lemma(tok) in ("charger", "mandater") and j + 1 < end:
                    skipped = []
                    j += 2 if folded_text(doc[j + 1]) in (*DE_WORDS, "pour") else 1
                    continue
                break
            if (
                folded_lemma(tok) in _CONTROL
                and j + 1 < end
                and folded_text(doc[j + 1]) in (*DE_WORDS, "a", "à")
            ):
                # "X propose d'accueillir": the role is the infinitive's, not "proposer"'s
                skipped = []
                j += 2
                continue
            out.append(tok)
        break
    return out


def _after_place(doc: Doc, j: int, end: int) -> int:
    """After ``à <lieu>`` following the subject (``la coopérative X à Mons expérimente``):
    where the verb may start; ``j`` when no place follows."""
    if j + 1 >= end or folded_text(doc[j]) != "a":
        return j
    k = j + 1
    if doc[k].ent_iob_ != "B" or doc[k].ent_type_ != "LOC":
        return j
    k += 1
    while k < end and doc[k].ent_iob_ == "I":
        k += 1
    return k


_TAIL_POS = frozenset(("DET", "PROPN", "NOUN", "ADJ", "NUM", "CCONJ", "PUNCT"))
_TAIL_ADP = frozenset(fold(w) for w in ("de", "du", "des", "d'", "d’", "pour", "à", "en", "au"))


def _after_subject_tail(doc: Doc, j: int, end: int, cues: RoleCues) -> int:
    """Where the verb of a subject list or an apposition starts (``X, Y et Z l'ont
    adopté``, ``X, l'agence régionale, finance``); ``j`` when the tail is neither."""
    if j >= end or folded_text(doc[j]) not in (",", "et"):
        return j
    coordinated = False
    k = j
    while k < end and k - j < 20:
        tok = doc[k]
        text = folded_text(tok)
        if text in (";", ":", ".", "?", "!") or "\n" in tok.text:
            return j
        if text == "et":
            coordinated = True
        if folded_text(doc[k - 1]) == "," and k > j and looks_like_cue_verb(tok, cues):
            break  # "X, l'agence régionale, finance": a verb the tagger took for a noun
        if not (tok.pos_ in _TAIL_POS or (tok.pos_ == "ADP" and text in _TAIL_ADP)):
            break
        k += 1
    if k >= end or all(t.pos_ == "PUNCT" or folded_text(t) == "et" for t in doc[j:k]):
        return j
    closed = folded_text(doc[k - 1]) == ","  # an apposition closed by a comma
    verb_next = (
        doc[k].pos_ in ("VERB", "AUX", "ADV")
        or folded_text(doc[k]) in (*_CLITICS, "qui")
        or looks_like_cue_verb(doc[k], cues)
    )
    if verb_next and (coordinated or closed):
        return k + 1 if folded_text(doc[k]) == "qui" else k
    return j


def _funding_object(verb: Token, phrase: str, cues: RoleCues) -> bool:
    """Whether a funding noun follows a multi-word cue closely (its object)."""
    start = verb.i + len(phrase.split())
    following = verb.doc[start : min(start + 5, len(verb.doc))]
    return any(
        folded_lemma(t) in cues.funding_nouns or folded_text(t) in cues.funding_nouns
        for t in following
    )


def _object_in(verb: Token, nouns: frozenset[str], reach: int = 4) -> bool:
    """Whether one of ``nouns`` comes within ``reach`` words after ``verb`` (its object:
    ``mène une évaluation``, ``bénéficie du soutien``), before any punctuation."""
    doc = verb.doc
    for child in verb.children:
        # "a présidé ce lundi, au Centre X, la cérémonie" (an object the parser may call
        # an oblique: a noun with no preposition)
        bare = child.dep_.startswith("obl") and not any(c.dep_ == "case" for c in child.children)
        if (child.dep_ == "obj" or bare) and folded_lemma(child) in nouns:
            return True
    for tok in doc[verb.i + 1 : min(verb.i + 1 + reach, len(doc))]:
        if tok.is_punct:
            return False
        if folded_lemma(tok) in nouns or folded_text(tok) in nouns:
            return True
    return False


def _counted_object(verb: Token) -> bool:
    """Whether the verb's object is a number of people (``six mécaniciens``, ``onze de
    nos diplômées``, ``en ... six autres``)."""
    for child in verb.children:
        if child.dep_ != "obj":
            continue
        if child.like_num or any(c.dep_ == "nummod" for c in child.children):
            return True
    return False


def subject_cues(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    """Roles from the verbs the actor is the subject of; ``X a lancé à son tour un
    service semblable`` takes up a model (preneur) rather than carrying a new one."""
    for hit, verb in _subject_hits(span, sent, cues):
        if hit.role == "porteur" and _in_turn(verb, sent):
            yield RoleHit("preneur", f"{hit.cue} à son tour")
        elif hit.role == "porteur" and _object_in(verb, cues.similar_words, reach=5):
            continue  # "X gère déjà un service semblable": another project, its experience
        else:
            yield hit


_IN_TURN = (("a", "son", "tour"), ("a", "leur", "tour"))


def _in_turn(verb: Token, sent: Span) -> bool:
    """``à son tour`` / ``à leur tour`` next to ``verb`` (a few words around it)."""
    doc = verb.doc
    lo, hi = max(sent.start, verb.i - 4), min(sent.end, verb.i + 10)
    texts = [folded_text(t) for t in doc[lo:hi]]
    return any(tuple(texts[k : k + 3]) in _IN_TURN for k in range(len(texts) - 2))


def _subject_hits(span: Span, sent: Span, cues: RoleCues) -> Iterator[tuple[RoleHit, Token]]:
    doc = span.doc
    i = span.start - 1
    if i >= sent.start and doc[i].pos_ == "DET":
        i -= 1
    # "par X", "de X", "avec X" are not subjects, but "par X, qui a financé" is.
    relative_only = i >= sent.start and doc[i].pos_ == "ADP"
    seen: set[int] = set()
    stack = [(verb, 0) for verb in _governing_verbs(span, sent, cues, relative_only=relative_only)]
    while stack:
        verb, depth = stack.pop()
        if verb.i in seen or verb.i in range(span.start, span.end):
            continue
        seen.add(verb.i)
        if verb.i > span.end and any(t.text in (":", ";") for t in doc[span.end : verb.i]):
            continue  # "X est une coopérative : ses membres participent" is not about X
        if _object_in(verb, cues.procedural_objects, reach=3):
            continue  # "X soutient le préavis", "X a présidé la séance": no project role
        phrase = phrase_at(cues, verb)
        if phrase and phrase[0] == "porteur" and _funding_object(verb, phrase[1], cues):
            yield RoleHit("bailleur", phrase[1]), verb  # "X a mis en place un fonds de garantie"
        elif phrase:
            yield RoleHit(*phrase), verb
        elif folded_lemma(verb) in cues.subject_roles:
            # "X a réalisé un portrait": the subject carries it ("réalisé par X" supports);
            # "X mène une évaluation" is expertise.
            default = cues.verbs.get(folded_lemma(verb), {}).get("default")
            if _object_in(verb, cues.study_nouns):
                yield RoleHit("partenaire", verb.lemma_), verb
            elif default and _object_in(verb, cues.project_nouns, reach=3):
                yield RoleHit(default, verb.lemma_), verb  # "X coordonne le projet"
            else:
                yield RoleHit(cues.subject_roles[folded_lemma(verb)], verb.lemma_), verb
        elif folded_lemma(verb) in cues.study_verbs and _object_in(verb, cues.study_nouns):
            yield RoleHit("partenaire", verb.lemma_), verb  # "X a fait une étude"
        elif folded_lemma(verb) in cues.hiring_verbs and _counted_object(verb):
            yield RoleHit("preneur", verb.lemma_), verb  # "X a embauché onze diplômées"
        elif folded_lemma(verb) in cues.receiving_verbs and _object_in(verb, cues.funding_nouns):
            yield RoleHit("porteur", verb.lemma_), verb  # "X a reçu une subvention de Y"
        elif folded_lemma(verb) == "beneficier" and _object_in(
            verb, cues.backing_nouns | cues.funding_nouns
        ):
            # "X bénéficie du soutien financier de Y": X is backed, it carries the project.
            yield RoleHit("porteur", verb.lemma_), verb
        elif verb.pos_ in ("VERB", "AUX") or looks_like_cue_verb(verb, cues):
            found = verb_role(cues, verb)
            if found:
                yield RoleHit(*found), verb
        # Predicate nouns: "X est partenaire de", "X est le fondateur de".
        if verb.pos_ in ("NOUN",) and any(c.dep_ == "cop" for c in verb.children):
            role = cues.nouns.get((folded_lemma(verb),))
            if role:
                yield RoleHit(role, verb.text), verb
        if depth >= 3:
            continue
        if folded_lemma(verb) in _NO_DESCENT:
            continue  # "X recommande à Y de financer": Y finances, not X
        for child in verb.children:
            if not _descend(verb, child):
                continue
            if any(c.dep_ in _SUBJECT_DEPS for c in child.children):
                continue  # its own subject: another clause
            stack.append((child, depth + 1))
