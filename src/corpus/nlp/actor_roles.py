"""Roles of a named actor in its sentence, from the parse and the words around it.

Four configurations, each giving a role with its cue and the evidence sentence:

* cue words just before the actor: ``en partenariat avec X``, ``financé par X``;
* a cue noun governing the actor: ``l'initiative de X``, ``le financement du X``;
* the actor as agent of a cue verb: ``une formation offerte par X``, ``soutenu par X``;
* the actor as subject of a cue verb, also through control verbs and mandates
  (``X a décidé de lancer``, ``X a pour mission de soutenir``, ``X a mis sur pied``).

A *weak* role comes from a list cue (``parmi les partenaires : X, Y``); the document
level keeps it only for actors without any other role.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc, Span, Token

from corpus.nlp.actor_lexicon import RoleCues, fold

_DETERMINERS = frozenset(fold(w) for w in ("le", "la", "les", "l’", "l'", "un", "une", "des"))
_DE = frozenset(fold(w) for w in ("de", "du", "des", "d’", "d'"))
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
    if any(_text(m) in _PURPOSE for m in child.children if m.dep_ in ("mark", "case")):
        return False
    if child.pos_ == "VERB" and child.dep_ in ("xcomp", "conj"):
        return True
    if child.pos_ == "NOUN" and _lemma(child) in _MANDATE:
        return child.dep_ in ("obj", "obl:arg", "obl:mod", "obl")
    return head.pos_ == "NOUN" and _lemma(head) in _MANDATE and child.dep_ == "acl"


#: A "sentence" never reaches further than this from the mention (text without stops).
MAX_SENTENCE_TOKENS = 120

_TERMINATORS = frozenset((".", "!", "?", ";", "\n"))


_BOUNDS: list[Any] = [None, []]  # (doc, terminator indices) of the last doc seen


def _terminators(doc: Doc) -> list[int]:
    """Indices of the tokens that end a sentence in ``doc`` (computed once per doc)."""
    if _BOUNDS[0] is not doc:
        _BOUNDS[0] = doc
        _BOUNDS[1] = [i for i, t in enumerate(doc) if t.text in _TERMINATORS or "\n" in t.text]
    bounds: list[int] = _BOUNDS[1]
    return bounds


def sentence_of(span: Span) -> Span:
    """The sentence around ``span``, cut at end punctuation and line breaks only.

    The parser's sentence boundaries are unreliable on web text (it may cut
    ``X a mis sur pied ...`` after ``X``); punctuation is what the reader sees.
    """
    doc = span.doc
    stops = _terminators(doc)
    k = bisect.bisect_left(stops, span.start)  # stops before the span: stops[:k]
    start = stops[k - 1] + 1 if k else 0
    start = max(start, span.start - MAX_SENTENCE_TOKENS, 0)
    m = bisect.bisect_left(stops, span.end)  # first stop at or after the span's end
    end = stops[m] + 1 if m < len(stops) else len(doc)
    end = min(end, span.end + MAX_SENTENCE_TOKENS, len(doc))
    return doc[start:end]


def _ends_sentence(token: Token) -> bool:
    return token.text in _TERMINATORS or "\n" in token.text


@dataclass(frozen=True)
class RoleHit:
    """One role found for a mention."""

    role: str
    cue: str
    weak: bool = False


def _lemma(token: Token) -> str:
    return fold(token.lemma_ or token.text)


def _text(token: Token) -> str:
    return fold(token.text)


def _previous_content(span: Span, sent: Span) -> int:
    """Index of the token before ``span``, skipping one determiner (-1 if none)."""
    i = span.start - 1
    if i >= sent.start and _text(span.doc[i]) in _DETERMINERS:
        i -= 1
    return i if i >= sent.start else -1


def _verb_role(cues: RoleCues, verb: Token) -> tuple[str, str] | None:
    """Role of a cue verb; generic verbs need a support or funding noun nearby
    (``offrir une subvention`` -> bailleur, ``une formation offerte par X`` -> partenaire).
    """
    entry = cues.verbs.get(_lemma(verb))
    if entry is None:  # a lemma the lemmatizer got wrong, or a mis-tagged participle
        entry = next(
            (cues.verbs[g] for g in _participle_lemmas(_text(verb)) if g in cues.verbs), None
        )
    if entry is None:
        text = _text(verb)
        stem = next((st for st in cues.stems if text.startswith(st)), None)
        entry = cues.verbs.get(f"{stem}er") if stem and _looks_like_cue_verb(verb, cues) else None
    if entry is None:
        return None
    doc = verb.doc
    window = [
        *doc[max(0, verb.i - 8) : verb.i],
        *doc[verb.i + 1 : min(verb.i + 10, len(doc))],
        verb.head,
        *verb.children,
    ]
    words = {_lemma(t) for t in window} | {_text(t) for t in window}
    if "funding" in entry and words & cues.funding_nouns:
        return entry["funding"], verb.lemma_
    if "default" in entry:
        return entry["default"], verb.lemma_
    if "support" in entry and words & cues.support_nouns:
        return entry["support"], verb.lemma_
    if _lemma(verb) in cues.subject_roles and words & cues.project_nouns:
        # "le projet, conduit par X": leading the project itself
        return cues.subject_roles[_lemma(verb)], verb.lemma_
    return None


def _participle_lemmas(text: str) -> list[str]:
    """Infinitives a participle the tagger missed may come from (``consenti`` ->
    ``consentir``, ``financées`` -> ``financer``)."""
    base = text[:-1] if text.endswith("s") else text
    base = base[:-1] if base.endswith("e") and len(base) > 3 else base
    if base.endswith("e"):  # folded "é"
        return [base[:-1] + "er"]
    if base.endswith("i"):
        return [base + "r"]
    return []


def _phrase_at(cues: RoleCues, token: Token) -> tuple[str, str] | None:
    """A multi-word cue starting at ``token`` (``mettre sur pied``, ``être à l'origine``)."""
    doc = token.doc
    for words, role in cues.phrases.items():
        if _lemma(token) != words[0]:
            continue
        j = token.i + 1
        ok = True
        for n, word in enumerate(words[1:]):
            skipped = 0
            while j < len(doc) and (
                doc[j].pos_ == "ADV"
                or (
                    (n == 0 and skipped < 3 and doc[j].pos_ in ("DET", "NOUN", "ADJ"))
                    and word not in (_text(doc[j]), _lemma(doc[j]))
                )
            ):
                j += 1
                skipped += 1
            if j >= len(doc) or word not in (_text(doc[j]), _lemma(doc[j])):
                ok = False
                break
            j += 1
        if ok:
            return role, " ".join(t.text for t in doc[token.i : j])
    return None


def _before_cues(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    doc = span.doc
    end = span.start
    if end - 1 >= sent.start and _text(doc[end - 1]) in _DETERMINERS:
        end -= 1
    longest = max((len(w) for w in cues.before), default=0)
    window = [_text(t) for t in doc[max(sent.start, end - longest) : end]]
    if not window:
        return
    for words, role in cues.before.items():
        n = len(words)
        if n > len(window):
            continue
        got = window[-n:]
        if got[-1] != words[-1] and not (words[-1] in _DE and got[-1] in _DE):
            continue
        if tuple(got[:-1]) == words[:-1]:
            if words == ("avec",) and _talk_before(doc, end - 1, sent, cues):
                continue  # "en discuter avec X": a conversation, not a partnership
            yield RoleHit(role, doc[end - n : end].text)


def _talk_before(doc: Doc, i: int, sent: Span, cues: RoleCues) -> bool:
    """Whether a verb of talking governs ``avec`` at ``i`` (the nearest verb before it,
    at most eight words back)."""
    for tok in reversed(list(doc[max(sent.start, i - 8) : i])):
        if tok.pos_ == "VERB":
            return _lemma(tok) in cues.talk_verbs
    return False


def _noun_cue(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    """``<nom> de X``: the noun before ``de`` (one or two words) is a cue; a short
    complement may come between (``une subvention d'infrastructure de X``)."""
    doc = span.doc
    i = _previous_content(span, sent)
    if i < 0 or _text(doc[i]) not in _DE:
        return
    for gap in range(7):
        end = i - gap
        if gap and (end - 1 < sent.start or _text(doc[end]) not in _DE):
            continue
        if gap and not all(t.pos_ in _COMPLEMENT_POS or _amount(t) for t in doc[end + 1 : i]):
            continue
        if gap > 3 and not any(_amount(t) for t in doc[end + 1 : i]):
            continue  # a long gap only for an amount: "une subvention de 420 000 $ du X"
        while end - 1 > sent.start and doc[end - 1].pos_ == "ADJ" and doc[end - 1].text.islower():
            # "un financement ponctuel de X"; "appui financier" is matched whole below
            pair = doc[end - 2 : end]
            if cues.nouns.get(tuple(_lemma(t) for t in pair)) or cues.nouns.get(
                tuple(_text(t) for t in pair)
            ):
                break
            end -= 1
        for n in (2, 1):
            start = end - n
            if start < sent.start:
                continue
            words = tuple(_lemma(t) for t in doc[start:end])
            texts = tuple(_text(t) for t in doc[start:end])
            role = cues.nouns.get(words) or cues.nouns.get(texts)
            if role and start - 1 >= sent.start and _text(doc[start - 1]) == "a":
                return  # "l'appel à projets de X": the call's, not the project's
            if role:
                yield RoleHit(role, doc[start : i + 1].text)
                return


_COMPLEMENT_POS = frozenset(("NOUN", "ADJ", "ADP", "NUM", "SYM"))


def _amount(token: Token) -> bool:
    """A number or a currency sign (the tagger may call "420 000" determiners)."""
    return token.like_num or token.pos_ in ("NUM", "SYM") or token.text in ("$", "€", "£")


def _agent_verb(doc: Doc, par: int, sent: Span) -> Token | None:
    """The participle before ``par``: adverbs and a short complement may come between
    (``fondée en 2018 par X``, ``accompagnée depuis 2019 par X``)."""
    j = par - 1
    while j >= sent.start and doc[j].pos_ == "ADV":
        j -= 1
    if j >= sent.start and (
        doc[j].pos_ in ("VERB", "ADJ", "AUX")
        or (doc[j].pos_ == "NOUN" and doc[j].text.islower() and _participle_lemmas(_text(doc[j])))
    ):
        return doc[j]
    for k in range(j, max(sent.start, par - 7) - 1, -1):
        tok = doc[k]
        if tok.pos_ == "VERB" and "Part" in tok.morph.get("VerbForm", []):
            return tok
        if tok.pos_ not in ("ADP", "NUM", "NOUN", "DET", "ADJ", "PROPN", "ADV", "CCONJ"):
            return None
    return None


def _agent_cue(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    """``<participe> par X``, also ``soutenu par Y, ... et par X``."""
    doc = span.doc
    i = _previous_content(span, sent)
    if i >= 0 and _text(doc[i]) in (",", "et", "ou"):
        # "financé par le Département, la Région X et la Fondation Y": a later item of
        # the list of agents.
        for k in range(i - 1, max(sent.start, i - 20) - 1, -1):
            tok = doc[k]
            if _text(tok) == "par":
                i = k
                break
            if tok.pos_ in ("VERB", "AUX") or tok.text in (".", ";", ":", "(", ")"):
                return
            if tok.pos_ == "ADP" and _text(tok) not in _DE:
                return  # "mis en œuvre par X depuis 2022, Y accompagne": Y is no agent
        else:
            return
    if i < 0 or _text(doc[i]) != "par":
        return
    for back in (3, 4):  # "mis en œuvre par X", "mise sur pied en 2019 par X"
        if i - back >= sent.start:
            phrase = _phrase_at(cues, doc[i - back])
            if phrase and doc[i - back].i + len(phrase[1].split()) >= i - 1:
                yield RoleHit(phrase[0], f"{phrase[1]} par")
                return
    verb = _agent_verb(doc, i, sent)
    if verb is None and i - 1 >= sent.start and _text(doc[i - 1]) in (",", "et", "ou", "puis"):
        # A later agent of the same participle: find the first "par" after a verb.
        for k in range(i - 1, sent.start - 1, -1):
            if _text(doc[k]) == "par":
                verb = _agent_verb(doc, k, sent)
                if verb is not None:
                    break
    if verb is None:
        return
    found = _verb_role(cues, verb)
    if found:
        yield RoleHit(found[0], f"{verb.text} par")


def _label_cue(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    """``Porteur du projet : X``, ``Partenaires : X, Y`` at the start of the line."""
    doc = span.doc
    colon = next((k for k in range(sent.start, span.start) if doc[k].text == ":"), None)
    if colon is None or colon - sent.start > 5:
        return
    words = tuple(_text(t) for t in doc[sent.start : colon])
    for n in range(len(words), 0, -1):
        role = cues.labels.get(words[:n])
        if role:
            yield RoleHit(role, doc[sent.start : colon + 1].text)
            return


_VERB_ENDINGS = ("e", "es", "ent", "ons", "ez", "ait", "aient", "é", "ée", "és", "ées", "era")


def _looks_like_cue_verb(token: Token, cues: RoleCues) -> bool:
    """A form of an ``-er`` cue verb the tagger took for an adjective or a noun
    (``La Fondation X finance le projet``)."""
    text = _text(token)
    return any(text.startswith(stem) and text[len(stem) :] in _VERB_ENDINGS for stem in cues.stems)


def _is_passive(verb: Token, skipped: list[Token]) -> bool:
    """``a été mise sur pied``, ``est financé``: the subject is not the agent."""
    if any(c.dep_ in ("aux:pass",) for c in verb.children):
        return True
    reflexive = any(_text(t) in ("se", "s’") for t in skipped)
    return (
        not reflexive
        and any(_lemma(t) == "etre" for t in skipped)
        and "Part" in verb.morph.get("VerbForm", [])
    )


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
    if root.dep_ == "nsubj" and not relative_only and not _is_passive(root.head, []):
        out.append(root.head)
    # Word order: X [a|ont] [adverbs] <verbe>, X a pour mission de <verbe>, X, qui <verbe>.
    j = span.end
    end = sent.end
    if j < end and doc[j].text == "," and j + 1 < end and _text(doc[j + 1]) == "qui":
        j += 2
    elif j < end and _text(doc[j]) == "qui":
        j += 1
    elif relative_only:
        return out
    else:
        j = _after_subject_tail(doc, j, end, cues)
    skipped: list[Token] = []
    while j < end:
        tok = doc[j]
        if (
            tok.pos_ in ("AUX", "ADV")
            or _text(tok) in _CLITICS
            or (_lemma(tok) == "avoir" and j + 1 < end and _text(doc[j + 1]) in ("pour", "comme"))
        ):
            if tok.pos_ == "AUX" and _lemma(tok) == "etre":
                out.append(tok)
            skipped.append(tok)
            j += 1
            continue
        fixed = next(
            (f for f in _FIXED_ADVERBS if tuple(_text(t) for t in doc[j : j + len(f)]) == f),
            None,
        )
        if fixed:
            j += len(fixed)
            continue
        if _text(tok) in ("comme", "pour") and j + 1 < end and _lemma(doc[j + 1]) in _MANDATE:
            j += 2
            if j < end and _text(doc[j]) in _DE:
                j += 1
            continue
        if tok.pos_ == "VERB" or (
            tok.pos_ in ("ADJ", "NOUN") and tok.text.islower() and _looks_like_cue_verb(tok, cues)
        ):
            if _is_passive(tok, skipped):
                # "a été chargée d'évaluer", "est mandaté pour animer": a mandate.
                if _lemma(tok) in ("charger", "mandater") and j + 1 < end:
                    skipped = []
                    j += 2 if _text(doc[j + 1]) in (*_DE, "pour") else 1
                    continue
                break
            if _lemma(tok) in _CONTROL and j + 1 < end and _text(doc[j + 1]) in (*_DE, "a", "à"):
                # "X propose d'accueillir": the role is the infinitive's, not "proposer"'s
                skipped = []
                j += 2
                continue
            out.append(tok)
        break
    return out


_TAIL_POS = frozenset(("DET", "PROPN", "NOUN", "ADJ", "NUM", "CCONJ", "PUNCT"))
_TAIL_ADP = frozenset(fold(w) for w in ("de", "du", "des", "d'", "d’", "pour", "à", "en", "au"))


def _after_subject_tail(doc: Doc, j: int, end: int, cues: RoleCues) -> int:
    """Where the verb of a subject list or an apposition starts (``X, Y et Z l'ont
    adopté``, ``X, l'agence régionale, finance``); ``j`` when the tail is neither."""
    if j >= end or _text(doc[j]) not in (",", "et"):
        return j
    coordinated = False
    k = j
    while k < end and k - j < 20:
        tok = doc[k]
        text = _text(tok)
        if text in (";", ":", ".", "?", "!") or "\n" in tok.text:
            return j
        if text == "et":
            coordinated = True
        if _text(doc[k - 1]) == "," and k > j and _looks_like_cue_verb(tok, cues):
            break  # "X, l'agence régionale, finance": a verb the tagger took for a noun
        if not (tok.pos_ in _TAIL_POS or (tok.pos_ == "ADP" and text in _TAIL_ADP)):
            break
        k += 1
    if k >= end or all(t.pos_ == "PUNCT" or _text(t) == "et" for t in doc[j:k]):
        return j
    closed = _text(doc[k - 1]) == ","  # an apposition closed by a comma
    verb_next = (
        doc[k].pos_ in ("VERB", "AUX", "ADV")
        or _text(doc[k]) in (*_CLITICS, "qui")
        or _looks_like_cue_verb(doc[k], cues)
    )
    if verb_next and (coordinated or closed):
        return k + 1 if _text(doc[k]) == "qui" else k
    return j


def _funding_object(verb: Token, phrase: str, cues: RoleCues) -> bool:
    """Whether a funding noun follows a multi-word cue closely (its object)."""
    start = verb.i + len(phrase.split())
    following = verb.doc[start : min(start + 5, len(verb.doc))]
    return any(_lemma(t) in cues.funding_nouns or _text(t) in cues.funding_nouns for t in following)


def _object_in(verb: Token, nouns: frozenset[str], reach: int = 4) -> bool:
    """Whether one of ``nouns`` comes within ``reach`` words after ``verb`` (its object:
    ``mène une évaluation``, ``bénéficie du soutien``), before any punctuation."""
    doc = verb.doc
    for child in verb.children:
        # "a présidé ce lundi, au Centre X, la cérémonie" (an object the parser may call
        # an oblique: a noun with no preposition)
        bare = child.dep_.startswith("obl") and not any(c.dep_ == "case" for c in child.children)
        if (child.dep_ == "obj" or bare) and _lemma(child) in nouns:
            return True
    for tok in doc[verb.i + 1 : min(verb.i + 1 + reach, len(doc))]:
        if tok.is_punct:
            return False
        if _lemma(tok) in nouns or _text(tok) in nouns:
            return True
    return False


def _subject_cues(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
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
    texts = [_text(t) for t in doc[lo:hi]]
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
        phrase = _phrase_at(cues, verb)
        if phrase and phrase[0] == "porteur" and _funding_object(verb, phrase[1], cues):
            yield RoleHit("bailleur", phrase[1]), verb  # "X a mis en place un fonds de garantie"
        elif phrase:
            yield RoleHit(*phrase), verb
        elif _lemma(verb) in cues.subject_roles:
            # "X a réalisé un portrait": the subject carries it ("réalisé par X" supports);
            # "X mène une évaluation" is expertise.
            default = cues.verbs.get(_lemma(verb), {}).get("default")
            if _object_in(verb, cues.study_nouns):
                yield RoleHit("partenaire", verb.lemma_), verb
            elif default and _object_in(verb, cues.project_nouns, reach=3):
                yield RoleHit(default, verb.lemma_), verb  # "X coordonne le projet"
            else:
                yield RoleHit(cues.subject_roles[_lemma(verb)], verb.lemma_), verb
        elif _lemma(verb) in cues.receiving_verbs and _object_in(verb, cues.funding_nouns):
            yield RoleHit("porteur", verb.lemma_), verb  # "X a reçu une subvention de Y"
        elif _lemma(verb) == "beneficier" and _object_in(
            verb, cues.backing_nouns | cues.funding_nouns
        ):
            # "X bénéficie du soutien financier de Y": X is backed, it carries the project.
            yield RoleHit("porteur", verb.lemma_), verb
        elif verb.pos_ in ("VERB", "AUX") or _looks_like_cue_verb(verb, cues):
            found = _verb_role(cues, verb)
            if found:
                yield RoleHit(*found), verb
        # Predicate nouns: "X est partenaire de", "X est le fondateur de".
        if verb.pos_ in ("NOUN",) and any(c.dep_ == "cop" for c in verb.children):
            role = cues.nouns.get((_lemma(verb),))
            if role:
                yield RoleHit(role, verb.text), verb
        if depth >= 3:
            continue
        if _lemma(verb) in _NO_DESCENT:
            continue  # "X recommande à Y de financer": Y finances, not X
        for child in verb.children:
            if not _descend(verb, child):
                continue
            if any(c.dep_ in _SUBJECT_DEPS for c in child.children):
                continue  # its own subject: another clause
            stack.append((child, depth + 1))


def _appositive_cue(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    """``X, directrice de ...``, ``X, premier client de ...``, ``la présidente X``."""
    doc = span.doc
    j = span.end
    if j < sent.end and doc[j].text == ",":
        j += 1
        origin = tuple(_text(t) for t in doc[j : min(sent.end, j + 4)])
        if origin[:3] in (("a", "l’", "origine"), ("a", "l'", "origine")) and (
            len(origin) > 3 and origin[3] in _DE
        ):
            yield RoleHit("porteur", doc[j : j + 3].text)  # "X, à l'origine du projet,"
            return
        while j < min(sent.end, span.end + 9):
            role = cues.titles.get(_text(doc[j])) or cues.titles.get(_lemma(doc[j]))
            after = _text(doc[j + 1]) if j + 1 < sent.end else ""
            if role and (after in _DE or after == ","):
                if role == "porteur" and _office(doc, j + 1, sent.end, cues):
                    return  # "X, président du Conseil communal": an office, not a project
                yield RoleHit(role, doc[span.end : j + 1].text)
                return
            # Another title first: "X, doctorante et coordonnatrice de ...".
            if doc[j].pos_ not in ("DET", "ADJ", "NOUN", "CCONJ") and _text(doc[j]) != "a":
                break
            j += 1
    i = span.start - 1
    if i >= sent.start:
        role = cues.titles.get(_text(doc[i]))
        if role and doc[i].pos_ == "NOUN":
            yield RoleHit(role, doc[i].text)


def _office(doc: Doc, start: int, end: int, cues: RoleCues) -> bool:
    """Whether the complement of a title (from ``start`` to the next punctuation, at most
    eight words) names an administration or an assembly (``du Conseil communal``)."""
    for tok in doc[start : min(end, start + 8)]:
        if tok.is_punct:
            return False
        if _lemma(tok) in cues.office_bodies or _text(tok) in cues.office_bodies:
            return True
    return False


def _copular_cue(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    """``Les bailleurs sont X, Y et Z``; ``X et Y sont les principaux partenaires``: the
    copula stands between the actor and the cue noun, with no other verb between."""
    doc = span.doc
    if any(t.text in (":", ";") for t in sent):
        return
    for cop in sent:
        if cop.lemma_ != "être" or "Fin" not in cop.morph.get("VerbForm", []):
            continue
        for tok in sent:
            if tok.pos_ != "NOUN" or _lemma(tok) not in cues.label_nouns:
                continue
            role = cues.nouns.get((_lemma(tok),))
            low, high = sorted((tok.i, span.start if span.start > cop.i else span.end - 1))
            if not role or not (low < cop.i < high):
                continue
            between = doc[low + 1 : high]
            if any(t.pos_ == "VERB" and t.i != cop.i and not _modifies(t, tok) for t in between):
                continue  # "Les bailleurs mentionnés sont X": the participle is the noun's
            yield RoleHit(role, tok.text)
            return


def _modifies(participle: Token, noun: Token) -> bool:
    """A participle right after ``noun`` that qualifies it (``les bailleurs retenus``)."""
    return participle.i == noun.i + 1 and "Part" in participle.morph.get("VerbForm", [])


def _diffusion_cue(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    """``l'essaimage du projet vers X``, ``l'extension du service à X``: X takes it up."""
    doc = span.doc
    i = _previous_content(span, sent)
    if i < 0 or _text(doc[i]) not in ("a", "vers", "aupres", "au", "aux"):
        return
    for k in range(i - 1, max(sent.start, i - 5) - 1, -1):
        if _lemma(doc[k]) in cues.diffusion_nouns:
            yield RoleHit("preneur", doc[k : i + 1].text)
            return


def _entrusted_cue(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    """A task entrusted to the actor: ``L'évaluation est confiée à X``, ``confier
    l'accompagnement à X``, ``X a été chargé de l'évaluation``: partenaire."""
    doc = span.doc
    i = _previous_content(span, sent)
    if i >= 0 and _text(doc[i]) in ("a", "au", "aux"):
        for k in range(i - 1, max(sent.start, i - 8) - 1, -1):
            if _lemma(doc[k]) in cues.entrust_verbs or _text(doc[k]).startswith(
                tuple(v[:-2] for v in cues.entrust_verbs if v.endswith("er"))
            ):
                window = doc[max(sent.start, k - 6) : i]
                if any(_lemma(t) in cues.support_nouns for t in window):
                    yield RoleHit("partenaire", doc[k : i + 1].text)
                return
    j = span.end
    while j < sent.end and j - span.end < 4 and doc[j].pos_ in ("AUX", "ADV"):
        j += 1
    if j + 2 < sent.end and _lemma(doc[j]) in ("charger", "mandater") and _text(doc[j + 1]) in _DE:
        k = j + 2 + (_text(doc[j + 2]) in _DETERMINERS)
        if k < sent.end and _lemma(doc[k]) in cues.support_nouns:
            yield RoleHit("partenaire", doc[j : k + 1].text)


def _inverted_subject_cue(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    """``un comité où siègent X, Y et Z``: subjects after their verb in a relative
    clause opened by ``où``; the actor may be a later item of the list."""
    doc = span.doc
    for k in range(span.start - 1, max(sent.start, span.start - 30) - 1, -1):
        tok = doc[k]
        if tok.pos_ in ("VERB", "AUX"):
            if k - 1 >= sent.start and _text(doc[k - 1]) == "ou" and doc[k - 1].pos_ == "PRON":
                found = _verb_role(cues, tok)
                if found:
                    yield RoleHit(found[0], f"où {tok.text}")
            return
        if tok.text in (".", ";", ":", "(", ")") or (
            tok.pos_ not in ("DET", "NOUN", "PROPN", "ADJ", "CCONJ", "PUNCT", "NUM")
            and _text(tok) not in _DE
        ):
            return


def _created_cue(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    """The organisation a text says was created: ``X, créée en 2005 par des habitants``,
    ``X, entreprise d'insertion fondée en 2013``, ``ils ont fondé X``: it carries the project."""
    doc = span.doc
    root = span.root
    if (
        root.dep_ == "obj"
        and _lemma(root.head) in cues.creation_verbs
        and root.head.i < span.start
        and not _is_passive(root.head, [])
    ):
        yield RoleHit("porteur", root.head.text)
        return
    j = span.end
    if j < sent.end and doc[j].text == ",":
        j += 1
    start = j
    while j < sent.end and j - start <= 5:
        tok = doc[j]
        if _lemma(tok) in cues.creation_verbs and (
            tok.pos_ in ("VERB", "ADJ") and "Part" in tok.morph.get("VerbForm", ["Part"])
        ):
            if j == start or doc[span.end].text == ",":
                yield RoleHit("porteur", tok.text)
            return
        if not (tok.pos_ in ("DET", "NOUN", "ADJ") or _text(tok) in _DE):
            return
        j += 1


def _recipient_cue(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    """``Le ministère accorde à X une aide financière``, ``une subvention versée à X``:
    the body that receives funding carries the project."""
    doc = span.doc
    i = _previous_content(span, sent)
    if i < 0 or _text(doc[i]) not in ("a", "au", "aux"):
        return
    for k in range(i - 1, max(sent.start, i - 8) - 1, -1):
        if _lemma(doc[k]) in cues.granting_verbs:
            window = doc[max(sent.start, k - 6) : min(sent.end, span.end + 8)]
            if any(
                _lemma(t) in cues.funding_nouns or _text(t) in cues.funding_nouns for t in window
            ):
                yield RoleHit("porteur", doc[k : i + 1].text)
            return


_BULLETS = frozenset(("-", "–", "—", "•", "·", "*", "+"))


def _description_cue(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    """A list line ``- X : suivi et évaluation`` / ``X (département ...) : financement``:
    the actor opens the line and the words after the colon say what it does."""
    doc = span.doc
    if any(
        not (t.is_punct or _text(t) in _BULLETS or _text(t) in _DETERMINERS or t.is_space)
        for t in doc[sent.start : span.start]
    ):
        return
    colon = next(
        (k for k in range(span.end, min(sent.end, span.end + 8)) if doc[k].text == ":"), None
    )
    if colon is None:
        return
    for tok in doc[colon + 1 : min(sent.end, colon + 4)]:
        if tok.pos_ not in ("NOUN", "PROPN", "ADJ", "VERB"):
            continue
        lemma, text = _lemma(tok), _text(tok)
        if lemma in cues.project_nouns:
            return  # "- Projet X : ce projet ..." describes a project, not a body
        role = cues.nouns.get((lemma,)) or cues.nouns.get((text,))
        if role is None and (lemma in cues.funding_nouns or text in cues.funding_nouns):
            role = "bailleur"
        if role is None and ({lemma, text} & (cues.support_nouns | cues.study_nouns)):
            role = "partenaire"
        if role:
            yield RoleHit(role, doc[colon : tok.i + 1].text)
        return


def _weak_cue(span: Span, sent: Span, cues: RoleCues) -> Iterator[RoleHit]:
    """A list cue earlier in the sentence, then ``:`` or ``(`` before the actor."""
    doc = span.doc
    seen_break = False
    for j in range(span.start - 1, sent.start - 1, -1):
        text = _text(doc[j])
        if text in (":", "("):
            seen_break = True
        elif seen_break and text in cues.weak:
            yield RoleHit("partenaire", doc[j].text, weak=True)
            return


def _governor_spans(span: Span, sent: Span) -> list[Span]:
    """``une équipe de l’Université X``: the noun phrases the actor complements, up to
    three ``de`` links, so their cues count for it."""
    doc = span.doc
    out: list[Span] = []
    start = span.start
    for _ in range(3):
        i = start - 1
        if i >= sent.start and _text(doc[i]) in _DETERMINERS:
            i -= 1
        if i < sent.start or _text(doc[i]) not in _DE:
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
        if not (tok.pos_ in ("NOUN", "ADJ") and tok.text.islower()) and _text(tok) not in _DE:
            return None
        k -= 1
    return None


_STRONG_FINDERS = (
    _label_cue,
    _before_cues,
    _noun_cue,
    _agent_cue,
    _subject_cues,
    _diffusion_cue,
    _entrusted_cue,
    _description_cue,
    _recipient_cue,
    _inverted_subject_cue,
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
    for finder in (*_STRONG_FINDERS, _appositive_cue):
        hits.extend(finder(span, sent, cues))
    if not person:
        hits.extend(_created_cue(span, sent, cues))
    named = None if person else _named_head(span, sent)
    if not hits and named is not None:
        # "assuré par le réseau des incubateurs X"; a title before a person ("la
        # professeure X") is not a body the person stands for.
        for finder in (_before_cues, _agent_cue, _entrusted_cue):
            hits.extend(finder(named, sent, cues))
    if not hits:
        for governor in _governor_spans(span, sent):
            for finder in (_before_cues, _agent_cue, _subject_cues, _entrusted_cue):
                hits.extend(finder(governor, sent, cues))
            if hits:
                break
    if not hits:
        hits.extend(_copular_cue(span, sent, cues))
    if not hits:
        hits.extend(_weak_cue(span, sent, cues))
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
