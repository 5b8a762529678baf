"""Role cues around an actor other than its verbs: the words before it, a governing
noun, a passive agent, a line label, an apposition, its creation and list cues. Rarer
wordings (a copula, a task entrusted to it, a description line, funding received, an
employer) are left to the role scorers, which read the parse around every mention and
the actor's place in its document.

Each finder takes the mention, its sentence and the role cues and yields
:class:`~corpus.nlp.role_words.RoleHit` objects.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Span, Token

from corpus.nlp.actor_lexicon import RoleCues
from corpus.nlp.role_words import (
    DE_WORDS,
    DETERMINERS,
    RoleHit,
    folded_lemma,
    folded_text,
    is_amount,
    is_passive,
    participle_lemmas,
    phrase_at,
    previous_content,
    verb_role,
)


def before_cues(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    doc = span.doc
    end = span.start
    if end - 1 >= sent.start and folded_text(doc[end - 1]) in DETERMINERS:
        end -= 1
    longest = max((len(w) for w in cues.before), default=0)
    window = [folded_text(t) for t in doc[max(sent.start, end - longest) : end]]
    if not window:
        return
    for words, role in cues.before.items():
        n = len(words)
        if n > len(window):
            continue
        got = window[-n:]
        if got[-1] != words[-1] and not (words[-1] in DE_WORDS and got[-1] in DE_WORDS):
            continue
        if tuple(got[:-1]) == words[:-1]:
            if words == ("avec",) and _talk_before(doc, end - 1, sent, cues):
                continue  # "en discuter avec X": a conversation, not a partnership
            if words == ("avec",) and _carried_with(doc, end - 1, sent, cues):
                # "un projet porté avec X", "fondée avec X": X carries it too
                yield RoleHit("porteur", doc[end - 2 : end].text)
                return
            yield RoleHit(role, doc[end - n : end].text)


def _carried_with(doc: Doc, i: int, sent: Span, cues: RoleCues) -> bool:
    """Whether the word before ``avec`` at ``i`` (adverbs skipped) is a participle of a
    carrying verb (``porté``, ``cofondée``, ``lancé``)."""
    j = i - 1
    while j >= sent.start and doc[j].pos_ == "ADV":
        j -= 1
    if j < sent.start or doc[j].pos_ not in ("VERB", "ADJ"):
        return False
    if "Part" not in doc[j].morph.get("VerbForm", []) and not participle_lemmas(
        folded_text(doc[j])
    ):
        return False
    if any(c.dep_ == "aux:tense" and c.lemma_ == "avoir" for c in doc[j].children):
        return False  # "nous avons développé avec X": X works with the carrier
    found = verb_role(cues, doc[j])
    return found is not None and found[0] == "porteur"


def _talk_before(doc: Doc, i: int, sent: Span, cues: RoleCues) -> bool:
    """Whether a verb of talking governs ``avec`` at ``i`` (the nearest verb before it,
    at most eight words back)."""
    for tok in reversed(list(doc[max(sent.start, i - 8) : i])):
        if tok.pos_ == "VERB":
            return folded_lemma(tok) in cues.talk_verbs
    return False


def noun_cue(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    """``<nom> de X``: the noun before ``de`` (one or two words) is a cue; a short
    complement may come between (``une subvention d'infrastructure de X``)."""
    doc = span.doc
    i = previous_content(span, sent)
    if i < 0 or folded_text(doc[i]) not in DE_WORDS:
        return
    for gap in range(7):
        end = i - gap
        if gap and (end - 1 < sent.start or folded_text(doc[end]) not in DE_WORDS):
            continue
        if gap and not all(t.pos_ in _COMPLEMENT_POS or is_amount(t) for t in doc[end + 1 : i]):
            continue
        if gap > 3 and not any(is_amount(t) for t in doc[end + 1 : i]):
            continue  # a long gap only for an amount: "une subvention de 420 000 $ du X"
        while end - 1 > sent.start and doc[end - 1].pos_ == "ADJ" and doc[end - 1].text.islower():
            # "un financement ponctuel de X"; "appui financier" is matched whole below
            pair = doc[end - 2 : end]
            if cues.nouns.get(tuple(folded_lemma(t) for t in pair)) or cues.nouns.get(
                tuple(folded_text(t) for t in pair)
            ):
                break
            end -= 1
        for n in (2, 1):
            start = end - n
            if start < sent.start:
                continue
            words = tuple(folded_lemma(t) for t in doc[start:end])
            texts = tuple(folded_text(t) for t in doc[start:end])
            role = cues.nouns.get(words) or cues.nouns.get(texts)
            if not role and n == 2 and doc[start + 1].text.islower():
                # "un prêt hypothécaire de X": a qualifier the tagger took for a noun
                role = cues.nouns.get(words[:1]) or cues.nouns.get(texts[:1])
            if role and start - 1 >= sent.start and folded_text(doc[start - 1]) == "a":
                return  # "l'appel à projets de X": the call's, not the project's
            if role:
                yield RoleHit(role, doc[start : i + 1].text)
                return


_COMPLEMENT_POS = frozenset(("NOUN", "ADJ", "ADP", "NUM", "SYM"))


def _agent_verb(doc: Doc, par: int, sent: Span) -> Token | None:
    """The participle before ``par``: adverbs and a short complement may come between
    (``fondée en 2018 par X``, ``accompagnée depuis 2019 par X``)."""
    j = par - 1
    while j >= sent.start and doc[j].pos_ == "ADV":
        j -= 1
    if j >= sent.start and (
        doc[j].pos_ in ("VERB", "ADJ", "AUX")
        or (
            doc[j].pos_ == "NOUN"
            and doc[j].text.islower()
            and participle_lemmas(folded_text(doc[j]))
        )
    ):
        return doc[j]
    for k in range(j, max(sent.start, par - 7) - 1, -1):
        tok = doc[k]
        if tok.pos_ == "VERB" and "Part" in tok.morph.get("VerbForm", []):
            return tok
        if tok.pos_ not in ("ADP", "NUM", "NOUN", "DET", "ADJ", "PROPN", "ADV", "CCONJ"):
            return None
    return None


def agent_cue(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    """``<participe> par X``, also ``soutenu par Y, ... et par X``."""
    doc = span.doc
    i = previous_content(span, sent)
    if i >= 0 and folded_text(doc[i]) in (",", "et", "ou"):
        # "financé par le Département, la Région X et la Fondation Y": a later item of
        # the list of agents.
        for k in _back_over_items(doc, i - 1, sent, floor=max(sent.start, i - 30)):
            tok = doc[k]
            if folded_text(tok) == "par":
                i = k
                break
            if tok.pos_ in ("VERB", "AUX") or tok.text in (".", ";", ":", "("):
                return
            if tok.pos_ == "ADP" and folded_text(tok) not in DE_WORDS:
                return  # "mis en œuvre par X depuis 2022, Y accompagne": Y is no agent
        else:
            return
    if i < 0 or folded_text(doc[i]) != "par":
        return
    for back in (3, 4):  # "mis en œuvre par X", "mise sur pied en 2019 par X"
        if i - back >= sent.start:
            phrase = phrase_at(cues, doc[i - back])
            if phrase and doc[i - back].i + len(phrase[1].split()) >= i - 1:
                yield RoleHit(phrase[0], f"{phrase[1]} par")
                return
    verb = _agent_verb(doc, i, sent)
    if (
        verb is None
        and i - 1 >= sent.start
        and folded_text(doc[i - 1]) in (",", "et", "ou", "puis")
    ):
        # A later agent of the same participle: find the first "par" after a verb.
        for k in range(i - 1, sent.start - 1, -1):
            if folded_text(doc[k]) == "par":
                verb = _agent_verb(doc, k, sent)
                if verb is not None:
                    break
    found = verb_role(cues, verb) if verb is not None else None
    if found is None:
        # "repris l'an dernier par X", "soutenu en Région wallonne par X": a complement
        # between the participle and "par"; the parse links the agent to its verb.
        verb = _parsed_agent_verb(doc[i], sent)
        found = verb_role(cues, verb) if verb is not None else None
    if found and verb is not None:
        if _active_past(verb):
            return  # "X a cédé le bâtiment par bail et Y...": "par" is no agent here
        if found[0] == "preneur" and _adopted_document(verb, cues):
            return  # "Plan adopté par le conseil de X": X passed a text, it takes up nothing
        yield RoleHit(found[0], f"{verb.text} par")


def _active_past(verb: Token) -> bool:
    """``a cédé``, ``ont fourni``: a participle right after a form of *avoir* is active."""
    j = verb.i - 1
    while j >= 0 and verb.doc[j].pos_ == "ADV":
        j -= 1
    return j >= 0 and folded_lemma(verb.doc[j]) == "avoir"


def _adopted_document(verb: Token, cues: RoleCues) -> bool:
    """Whether the participle qualifies, or has as passive subject, a document noun."""
    nouns = [verb.head] if verb.dep_ == "acl" else []
    nouns += [c for c in verb.children if c.dep_ == "nsubj:pass"]
    return any(folded_lemma(n) in cues.document_nouns for n in nouns)


def _back_over_items(doc: Doc, start: int, sent: Span, *, floor: int) -> Iterator[int]:
    """Token indices from ``start`` back to ``floor``, over the items of a list.

    A short parenthesis of an earlier item (an amount, an acronym: ``financé par A
    (620 000 €), B (540 000 €) et C``) is jumped over; an unclosed one ends the walk.
    """
    k = start
    while k >= floor:
        if doc[k].text == ")":
            opening = _opening_paren(doc, k, sent)
            if opening is None:
                return
            k = opening - 1
            continue
        yield k
        k -= 1


def _opening_paren(doc: Doc, close: int, sent: Span) -> int | None:
    """The ``(`` that opens the parenthesis closed at ``close``: at most six words
    back, none of them a finite verb (``(postes aidés)`` is skipped)."""
    for k in range(close - 1, max(sent.start, close - 7) - 1, -1):
        if doc[k].text == "(":
            return k
        finite = doc[k].pos_ == "AUX" or "Fin" in doc[k].morph.get("VerbForm", [])
        if finite or doc[k].text in (")", ".", ";", ":"):
            return None
    return None


def _parsed_agent_verb(par: Token, sent: Span) -> Token | None:
    """The verb the parser attaches the agent of ``par`` to (``obl:agent``), if it is a
    participle before ``par`` in the same sentence."""
    agent = par.head
    verb = agent.head
    if (
        agent.dep_ == "obl:agent"
        and verb.pos_ in ("VERB", "ADJ")
        and sent.start <= verb.i < par.i
        and par.i - verb.i <= 8
    ):
        return verb
    return None


def label_cue(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    """``Porteur du projet : X``, ``Partenaires : X, Y`` at the start of the line."""
    doc = span.doc
    colon = next((k for k in range(sent.start, span.start) if doc[k].text == ":"), None)
    if colon is None or colon - sent.start > 5:
        return
    words = tuple(folded_text(t) for t in doc[sent.start : colon])
    for n in range(len(words), 0, -1):
        role = cues.labels.get(words[:n])
        if role:
            yield RoleHit(role, doc[sent.start : colon + 1].text)
            return


def appositive_cue(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    """``X, directrice de ...``, ``X, premier client de ...``, ``la présidente X``."""
    doc = span.doc
    j = span.end
    if j < sent.end and doc[j].text == ",":
        j += 1
        origin = tuple(folded_text(t) for t in doc[j : min(sent.end, j + 4)])
        if origin[:3] in (("a", "l’", "origine"), ("a", "l'", "origine")) and (
            len(origin) > 3 and origin[3] in DE_WORDS
        ):
            yield RoleHit("porteur", doc[j : j + 3].text)  # "X, à l'origine du projet,"
            return
        while j < min(sent.end, span.end + 9):
            role = cues.titles.get(folded_text(doc[j])) or cues.titles.get(folded_lemma(doc[j]))
            after = folded_text(doc[j + 1]) if j + 1 < sent.end else ""
            if role and (after in DE_WORDS or after == ","):
                if role == "porteur" and _office(doc, j + 1, sent.end, cues):
                    return  # "X, président du Conseil communal": an office, not a project
                yield RoleHit(role, doc[span.end : j + 1].text)
                return
            # Another title first: "X, doctorante et coordonnatrice de ...".
            if doc[j].pos_ not in ("DET", "ADJ", "NOUN", "CCONJ") and folded_text(doc[j]) != "a":
                break
            j += 1
    i = span.start - 1
    if i >= sent.start:
        role = cues.titles.get(folded_text(doc[i]))
        if role and doc[i].pos_ == "NOUN":
            yield RoleHit(role, doc[i].text)


def _office(doc: Doc, start: int, end: int, cues: RoleCues) -> bool:
    """Whether the complement of a title (from ``start`` to the next punctuation, at most
    eight words) names an administration or an assembly (``du Conseil communal``)."""
    for tok in doc[start : min(end, start + 8)]:
        if tok.is_punct:
            return False
        if folded_lemma(tok) in cues.office_bodies or folded_text(tok) in cues.office_bodies:
            return True
    return False


def created_cue(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    """The organisation a text says was created: ``X, créée en 2005 par des habitants``,
    ``X, entreprise d'insertion fondée en 2013``, ``ils ont fondé X``: it carries the project."""
    doc = span.doc
    root = span.root
    if (
        root.dep_ == "obj"
        and folded_lemma(root.head) in cues.creation_verbs
        and root.head.i < span.start
        and not is_passive(root.head, [])
    ):
        yield RoleHit("porteur", root.head.text)
        return
    j = span.end
    if j < sent.end and doc[j].text == ",":
        j += 1
    start = j
    while j < sent.end and j - start <= 5:
        tok = doc[j]
        if folded_lemma(tok) in cues.creation_verbs and (
            tok.pos_ in ("VERB", "ADJ") and "Part" in tok.morph.get("VerbForm", ["Part"])
        ):
            if j == start or doc[span.end].text == ",":
                yield RoleHit("porteur", tok.text)
            return
        if not (tok.pos_ in ("DET", "NOUN", "ADJ") or folded_text(tok) in DE_WORDS):
            return
        j += 1


def weak_cue(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    """A list cue earlier in the sentence, then ``:`` or ``(`` before the actor."""
    doc = span.doc
    seen_break = False
    for j in range(span.start - 1, sent.start - 1, -1):
        text = folded_text(doc[j])
        if text in (":", "("):
            seen_break = True
        elif seen_break and text in cues.weak:
            yield RoleHit("partenaire", doc[j].text, weak=True)
            return
