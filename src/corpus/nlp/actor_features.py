"""Features of one actor mention, for the trained keep/sector/role scorers.

The actors component proposes candidates generously; what decides is a scorer at the
document level (:mod:`corpus.extract.actors`). Each mention record carries a
``features`` dict of JSON scalars describing the mention itself and the parse around
it, so retraining a scorer never re-runs the parse:

* origin and NER label (``origin``, ``ner``), kind, the filter a rule-based run would
  have dropped it for (``filtered``);
* shape: all capitals, title case, acronym, number of tokens and characters, digits;
* lexicon hits: an organisation form word in the name (``form_word``), a legal form
  (``legal_form``), a known first name (``first_name``), a sector keyword, a concept;
* the parse: the dependency and head lemma of the span's root, the preposition that
  introduces it, the verb of its clause and that verb's voice, whether it is its
  clause's subject;
* where it stands: a heading line, a list item, a line mostly in capitals, the first
  person (``nous``, ``notre``) in its sentence, sentence-initial;
* the rule role cues that fired (``cue_<role>`` = 1 strong, 0.5 weak).
"""

from __future__ import annotations

import re
from typing import Any

from spacy.tokens import Span, Token

from corpus.nlp.actor_lexicon import ActorLexicon, fold, is_function_word
from corpus.nlp.actor_spans import abbreviated_by_any, acronym_letters, is_acronym

#: Legal forms written in or next to a name (``SARL``, ``SCIC``, ``ASBL``).
_LEGAL_FORM_TEXT = (
    "sarl sa sas sasu eurl scop scic sci gie asbl aisbl obnl srl sprl scrl inc ltée coop gmbh ong"
)
LEGAL_FORMS = frozenset(fold(w) for w in _LEGAL_FORM_TEXT.split())

#: Organs that statutes and minutes give every association or company: capitalised
#: there ("le Conseil d'Administration"), they name a body of the publisher, not an actor.
STATUTE_BODIES = frozenset(
    fold(w)
    for w in (
        *(
            "assemblée générale",
            "assemblée générale ordinaire",
            "assemblée générale extraordinaire",
        ),
        *("conseil d’administration", "conseil de surveillance", "conseil de gestion"),
        *("comité de direction", "comité directeur", "comité de pilotage", "directoire"),
        *("bureau", "bureau exécutif", "présidence", "trésorerie", "secrétariat", "gérance"),
        "commissaire aux comptes",
    )
)
_DETERMINERS = {
    **dict.fromkeys(("le", "la", "l’", "les"), "definite"),
    **dict.fromkeys(("un", "une", "des"), "indefinite"),
    **dict.fromkeys(("notre", "nos", "son", "sa", "ses", "leur", "leurs", "votre"), "possessive"),
    **dict.fromkeys(("du", "au", "aux", "d’", "de"), "preposition"),
}

#: Common French and francophone first names (written for this module; the scorer
#: reads a hit as one feature among others, never as a decision).
_FIRST_NAME_TEXT = (
    "adèle adrien agnès alain alexandre alice aline amadou amélie annie antoine awa "
    "benoît bernard bruno camille carole caroline catherine cécile charles chantal "
    "christian christine claire claude clément corinne damien daniel david denis "
    "dominique élise élodie émile éric étienne fabrice fanny fatou fatoumata florence "
    "françois françoise frédéric gaëlle geneviève georges gérard gilles guillaume hélène "
    "henri hugo ibrahima isabelle jean jeanne jérôme joëlle josé julie julien karine "
    "laurence laurent léa louis louise lucie luc lucas madeleine mamadou manon marc "
    "marcel marie marine martin martine mathieu maxime michel michèle mireille moussa "
    "nadia nathalie nicolas noël océane olivier oumar pascal patrick paul pauline "
    "philippe pierre raphaël rémi rené richard robert roger romain sandrine sarah "
    "sébastien serge simon sophie stéphane sylvie thierry thomas véronique vincent "
    "virginie yann yves"
)
FIRST_NAMES = frozenset(fold(w) for w in _FIRST_NAME_TEXT.split())

_FIRST_PERSON = frozenset(("nous", "notre", "nos", "on"))
_LIST_MARKS = frozenset(("-", "–", "—", "•", "*", "·", "|"))
_WORD = re.compile(r"\w", re.UNICODE)


def _alpha(span: Span) -> list[Token]:
    return [t for t in span if any(c.isalpha() for c in t.text)]


def _line_of(span: Span) -> str:
    text = span.doc.text
    start = text.rfind("\n", 0, span.start_char) + 1
    end = text.find("\n", span.end_char)
    return text[start : end if end >= 0 else len(text)]


def _clause_verb(span: Span) -> Token | None:
    """The verb the mention depends on, climbing through nouns and prepositions."""
    token = span.root
    for _ in range(6):
        if token.pos_ in ("VERB", "AUX") and token is not span.root:
            return token
        if token.head is token:
            return token if token.pos_ in ("VERB", "AUX") else None
        token = token.head
    return None


def shape_features(span: Span) -> dict[str, Any]:
    """Shape of the mention's words."""
    alpha = _alpha(span)
    text = span.text
    upper = [t for t in alpha if t.text.isupper() and len(t.text) > 1]
    content = [t for t in alpha if not is_function_word(fold(t.text))]
    return {
        "n_tokens": min(len(span), 12),
        "n_chars": min(len(text), 80) / 80,
        "all_caps": bool(alpha) and all(t.text.isupper() for t in alpha),
        "some_caps_word": bool(upper) and len(upper) < len(alpha),
        "title_case": bool(content) and all(t.text[:1].isupper() for t in content),
        "lower_word": any(
            t.text[:1].islower() and not is_function_word(fold(t.text)) for t in alpha
        ),
        "has_digit": any(c.isdigit() for c in text),
        "one_word": len(alpha) == 1,
    }


_GENERIC: dict[int, frozenset[str]] = {}


def _generic_words(lexicon: ActorLexicon) -> frozenset[str]:
    """Words of forms, categories, concepts, titles: what a generic name is made of."""
    cached = _GENERIC.get(id(lexicon))
    if cached is not None:
        return cached
    words: set[str] = set()
    for form in lexicon.forms:
        words.update(form.words)
    for phrase in lexicon.categories:
        words.update(fold(phrase).split())
    for phrase in (*lexicon.concepts, *lexicon.job_titles, *lexicon.header_words):
        words.update(fold(phrase).split())
    _GENERIC[id(lexicon)] = frozenset(words)
    return _GENERIC[id(lexicon)]


def lexicon_features(span: Span, lexicon: ActorLexicon) -> dict[str, Any]:
    """Hits of the mention's words in the actors lexicon and the lists above."""
    alpha = _alpha(span)
    words = [fold(t.text) for t in alpha]
    first = words[0] if words else ""
    forms = {form.words[0] for form in lexicon.forms}
    name = f" {' '.join(words)} "
    content = [t for t in alpha if not is_function_word(fold(t.text))]
    generic = _generic_words(lexicon)
    vocab = span.doc.vocab
    return {
        "acronym": len(alpha) == 1 and is_acronym(alpha[0].text),
        # Common words (with a vector in lower case) vs made-up names ("Movilab").
        "common_share": sum(vocab.has_vector(t.lower_) for t in content) / max(len(content), 1),
        "propn_share": sum(t.pos_ == "PROPN" for t in content) / max(len(content), 1),
        "generic": bool(content) and all(fold(t.text) in generic for t in content),
        "form_word": first in forms,
        "form_word_inside": any(w in forms for w in words[1:]),
        "legal_form": any(w.strip(".") in LEGAL_FORMS for w in words)
        or any(fold(t.text).strip(".") in LEGAL_FORMS for t in _next_tokens(span, 2)),
        "first_name": first in FIRST_NAMES,
        "keyword_sector": next(
            (s for k, s in lexicon.keywords.items() if f" {k} " in name), "none"
        ),
        "concept": bool(words) and all(w in lexicon.concepts or is_function_word(w) for w in words),
        "header_word": first in lexicon.header_words,
        "statute_body": " ".join(words).replace("’ ", "’") in STATUTE_BODIES,
        # "Société Coopérative d’Intérêt Collectif": the expansion of a legal form or a
        # category acronym, not a body's name.
        "category_expansion": len(content) >= 2
        and abbreviated_by_any(_category_acronyms(lexicon), span.text),
    }


def _category_acronyms(lexicon: ActorLexicon) -> tuple[str, ...]:
    key = -id(lexicon)
    if key not in _GENERIC_ACRONYMS:
        pool = {a for a in (*lexicon.acronyms, *LEGAL_FORMS) if len(a) >= 2 and a.isalpha()}
        _GENERIC_ACRONYMS[key] = tuple(acronym_letters(a) for a in sorted(a.upper() for a in pool))
    return _GENERIC_ACRONYMS[key]


_GENERIC_ACRONYMS: dict[int, tuple[str, ...]] = {}


def _next_tokens(span: Span, n: int) -> list[Token]:
    doc = span.doc
    return [doc[i] for i in range(span.end, min(len(doc), span.end + n))]


def parse_features(span: Span, sent: Span) -> dict[str, Any]:
    """The parse around the mention: dependency, head, preposition, clause verb, voice."""
    root = span.root
    case = next((c for c in root.children if c.dep_ == "case"), None)
    before = span.doc[span.start - 1] if span.start > sent.start else None
    prep = (
        case.lower_
        if case is not None
        else (before.lower_ if before is not None and before.pos_ == "ADP" else "none")
    )
    det = span.doc[span.start - 1] if span.start > 0 else None
    verb = _clause_verb(span)
    passive = verb is not None and any(c.dep_ in ("aux:pass", "nsubj:pass") for c in verb.children)
    return {
        "dep": root.dep_ or "none",
        "head_lemma": fold(root.head.lemma_) if root.head is not root else "root",
        "head_pos": root.head.pos_ if root.head is not root else "ROOT",
        "prep": fold(prep),
        "verb": fold(verb.lemma_) if verb is not None else "none",
        "passive": passive,
        "subject": root.dep_ in ("nsubj", "nsubj:pass"),
        "agent": passive and fold(prep) == "par",
        "det": _DETERMINERS.get(fold(det.text), "none") if det is not None else "none",
    }


def position_features(span: Span, sent: Span, *, heading: bool) -> dict[str, Any]:
    """Where the mention stands in its passage and line."""
    line = _line_of(span).strip()
    words = [w for w in line.split() if _WORD.search(w)]
    caps = [w for w in words if w.isupper() and len(w) > 1]
    sent_words = {t.lower_ for t in sent}
    first = span[0]
    prev = span.doc[span.start - 1] if span.start > sent.start else None
    return {
        "heading": heading,
        "list_item": line[:1] in _LIST_MARKS or line[:2].rstrip(".)").isdigit(),
        "table_cell": "|" in line,
        "caps_line": len(caps) >= 3 and len(caps) >= 0.6 * max(len(words), 1),
        "short_line": len(words) <= 6,
        "line_is_name": line.strip(" -–•*·:") == span.text,
        "first_person": bool(sent_words & _FIRST_PERSON),
        "sentence_initial": prev is None or prev.text in _LIST_MARKS or first.i == sent.start,
        "in_parens": prev is not None and prev.text == "(",
        "passage_start": min(span.start_char, 2000) / 2000,
    }


def role_cue_features(roles: list[dict[str, Any]]) -> dict[str, Any]:
    """The rule role cues that fired: ``cue_<role>`` 1.0 strong, 0.5 weak."""
    out: dict[str, Any] = {}
    for hit in roles:
        key = f"cue_{hit['role']}"
        out[key] = max(out.get(key, 0.0), 0.5 if hit.get("weak") else 1.0)
    return out


def mention_features(
    span: Span,
    sent: Span,
    lexicon: ActorLexicon,
    *,
    origin: str,
    label: str,
    kind: str,
    filtered: str,
    heading: bool,
    roles: list[dict[str, Any]],
) -> dict[str, Any]:
    """All the features of one mention (JSON scalars; see the module docstring)."""
    return {
        "origin": origin,
        "ner": label or "none",
        "kind": kind,
        "filtered": filtered or "none",
        **shape_features(span),
        **lexicon_features(span, lexicon),
        **parse_features(span, sent),
        **position_features(span, sent, heading=heading),
        **role_cue_features(roles),
    }
