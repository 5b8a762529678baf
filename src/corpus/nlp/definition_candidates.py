"""High-recall definition candidates: every sentence shaped like a definition, with its term.

The cue patterns of :mod:`corpus.nlp.definitions` find the explicit definitions ("X se
définit comme", "on entend par X"); real documents define far more often without a cue:
a glossary line "Terme : ...", a glossary paragraph opening on its term ("Les entreprises
adaptées permettent ..."), a legal clause "Ont la qualité de X les personnes qui ...", an
apposition "l'aide X (ACR), seule aide ...", a question "Qu'est-ce que X ?" and its
answer. :func:`structure_candidates` proposes every sentence of these shapes with its
candidate term and the features a trained scorer weighs (the structure, the subject's
determiner and shape, the verb, the sentence's place in its paragraph); the scorer of
:mod:`corpus.scorers.definitions` decides which are definitions.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from spacy.tokens import Doc, Span, Token

from corpus.nlp.definition_text import (
    _STRIP_LEAD,
    _clean_term,
    _trim_end,
    _trim_start,
    governing_noun,
)

#: A candidate term longer than this (tokens) is cut at its first complement.
MAX_TERM_TOKENS = 12
#: Subject dependencies.
_SUBJECTS = ("nsubj", "nsubj:pass")
#: Tokens that end a noun phrase when they follow its head.
_RELATIVES = frozenset(("qui", "que", "qu'", "qu’", "dont", "où", "lequel", "laquelle"))
_PHRASE_POS = frozenset(("ADP", "DET", "NOUN", "PROPN", "ADJ", "CCONJ", "NUM"))
_KEEP_PUNCT = frozenset(("-", "'", "’", "·", "/"))
_FIRST_PERSON = frozenset(("nous", "notre", "nos", "je", "j'", "j’", "mon", "ma", "mes"))
_DEFINITE = frozenset(("le", "la", "les", "l'", "l’"))
_INDEFINITE = frozenset(("un", "une", "des"))
_DEMONSTRATIVE = frozenset(("ce", "cet", "cette", "ces"))
_POSSESSIVE = frozenset(
    ("son", "sa", "ses", "leur", "leurs", "notre", "nos", "votre", "vos", "mon", "ma", "mes")
)

#: "Terme : texte" (a glossary line); the term is short and has no verb.
_COLON_LINE = re.compile(r"^\s*(?:[-–—•*·>]\s*)?(?P<term>[^:\n]{2,80}?)\s*:\s+(?P<body>\S.{15,})$")
#: "Ont la qualité de X les ...", "Sont considérées comme X les ...", "Est réputé X ...".
_INVERTED = re.compile(
    r"^\s*(?:ont|a|sont|est|peut|peuvent)\s+(?:(?:être|recevoir)\s+)?"
    r"(?:(?:la\s+qualité|le\s+statut|le\s+titre|l['’]agrément)\s+(?:de\s+|d['’]\s*)?"
    r"|(?:considérée?s?|qualifiée?s?|réputée?s?|dénommée?s?|appelée?s?|reconnue?s?)\s+"
    r"(?:comme\s+|de\s+)?)(?:relevant\s+(?:de\s+|d['’]\s*|du\s+)|poursuivre\s+)?"
    r"(?P<term>[^,;:]{2,80}?)(?<!\bde)(?<!\bdu)(?<!\bdes)(?<!\bà)(?<!\bau)(?<!\baux)"
    r"(?<!\bpar)(?<!\bpour)(?<!\bsur)(?<!\bet)(?<!\bou)(?<!\ben)\s*(?:,[^,]{0,60},)?\s+"
    r"(?:les|la|le|l['’]|toute?s?|tous|ceux|celles|un|une)\b",
    re.IGNORECASE,
)
#: "Sont membres X les personnes qui ...": a bare inverted copula (no comma before).
_INVERTED_BARE = re.compile(
    r"^\s*(?:sont|est)\s+(?P<term>[^,;:]{2,60}?)(?<!\bde)(?<!\bdu)(?<!\bdes)(?<!\bà)"
    r"(?<!\bet)(?<!\bou)(?<!\ben)\s+(?:les|la|le|l['’]|toute?s?|tous|ceux|celles)\s",
    re.IGNORECASE,
)
#: "« X », un N ..." / "« X », c'est-à-dire ...": a quoted term and its apposition.
_QUOTED_APPOSITION = re.compile(
    r"[«“]\s*(?P<term>[^»”]{2,60}?)\s*[»”]\s*,\s*(?:un|une|c['’]est-à-dire|soit)\b",
    re.IGNORECASE,
)
#: Verbs whose object, followed by "comme", is defined ("La loi définit X comme ...").
_DEFINING_VERBS = frozenset(
    ("définir", "considérer", "décrire", "qualifier", "concevoir", "caractériser", "présenter")
)
#: Leading numbering of a list or FAQ item ("3.", "2)", "Q :").
_NUMBERING = re.compile(
    r"^[\s→⇒►▶✓✔•*·>#–—-]*(?:\d+[.)]|[a-z][.)]|q\s*:|question\s*\d*\s*:)?\s*", re.IGNORECASE
)
#: "... la définition (sociologique) du X :" / "Définition de X :".
_DEFINITION_OF = re.compile(
    r"\bdéfinitions?\s+(?:\w+\s+){0,2}?(?:de\s+la\s+|de\s+l['’]\s*|du\s+|des\s+|de\s+|d['’]\s*)"
    r"(?P<term>[^:.;!?\n]{2,60}?)\s*:\s*(?P<body>.*)$",
    re.IGNORECASE,
)
#: Where a "définition de X retenue par Y" heading stops naming X.
ATTRIBUTED = re.compile(
    r"\s+(?:retenue|proposée|donnée|adoptée|formulée|utilisée|selon|par|d['’]après)\b.*$",
    re.IGNORECASE,
)
#: Questions asking what a term is.
_QUESTIONS = (
    re.compile(
        r"^\s*(?P<term>[^?,]{2,80}?)\s*,\s*qu['’]est[- ]ce\s+que\s+c['’]est\s*\?", re.IGNORECASE
    ),
    re.compile(r"qu['’]est[- ]ce\s+(?:que|qu['’])\s*(?P<term>[^?]{2,80}?)\s*\?", re.IGNORECASE),
    re.compile(r"c['’]est\s+quoi\s+(?P<term>[^?]{2,80}?)\s*\?", re.IGNORECASE),
    re.compile(
        r"^\s*(?P<term>[^?,]{2,80}?)\s*,\s*(?:c['’]est|ce\s+sont)\s+(?:quoi|qui)\s*\?",
        re.IGNORECASE,
    ),
    re.compile(r"c['’]est\s+quoi\s*,\s*(?P<term>[^?]{2,80}?)\s*\?", re.IGNORECASE),
    re.compile(r"qu['’]appelle[- ]t[- ]on\s+(?P<term>[^?]{2,80}?)\s*\?", re.IGNORECASE),
    re.compile(r"^\s*(?:que|qu['’])\s*(?:sont|est)\s+(?P<term>[^?]{2,80}?)\s*\?", re.IGNORECASE),
)
_ARTICLE = re.compile(
    r"^(?:(?:le|la|les|un|une|des|du|de la|de l['’]|de|d['’])\s+|l['’]\s*|d['’]\s*)",
    re.IGNORECASE,
)
_PAREN = re.compile(r"\s*\([^)]*\)")
_ACRONYM = re.compile(r"^[A-ZÉÈ][A-Za-zÉÈé]{0,2}[A-Z]{1,6}s?$")


def strip_article(term: str) -> str:
    """``"les entreprises adaptées"`` -> ``"entreprises adaptées"`` (lower case)."""
    term = _clean_term(term)
    previous = None
    while previous != term:
        previous = term
        term = _ARTICLE.sub("", term).strip()
    return term


def question_term(text: str) -> str | None:
    """The term a question asks the definition of ("Qu'est-ce qu'une SCIC ?" -> "scic")."""
    text = _NUMBERING.sub("", text)
    for pattern in _QUESTIONS:
        found = pattern.search(text)
        if found:
            term = strip_article(_PAREN.sub("", found.group("term")))
            if term and len(term.split()) <= 8 and term not in ("c'est", "c’est", "ça", "cela"):
                return term
    return None


def is_acronym(word: str) -> bool:
    """``ESS``, ``SCIC``, ``Geiq``-like short upper-case words (an optional final s)."""
    return bool(_ACRONYM.match(word)) and len(word) <= 8


def term_shape(term: str, surface: str) -> dict[str, Any]:
    """Features of a candidate term: length, acronym, capitals in the surface form."""
    words = surface.split()
    return {
        "term_words": min(len(term.split()), 10),
        "term_acronym": len(words) == 1 and is_acronym(words[0].strip("()")),
        "term_capitals": sum(1 for w in words[1:] if w[:1].isupper()),
        "term_first_capital": bool(words) and words[0][:1].isupper(),
        "term_has_de": any(w.lower() in ("de", "du", "des", "d'", "d’") for w in term.split())
        or "d'" in term
        or "d’" in term,
    }


def noun_phrase(head: Token, *, until: int | None = None, greedy: bool = False) -> tuple[str, str]:
    """The noun phrase ``head`` heads, without determiner: ``(term, surface)``.

    It stops at a relative pronoun, a verb, a parenthesis or punctuation after the head,
    at a line break and at ``until``, and never runs over :data:`MAX_TERM_TOKENS`.
    ``greedy``: run to ``until`` even past the head's subtree (the parser often hangs
    the complements of a long subject elsewhere: "les réseaux de l'insertion par ...").
    """
    doc = head.doc
    subtree = list(head.subtree)
    if greedy and until is not None and until > subtree[-1].i + 1:
        for token in doc[subtree[-1].i + 1 : until]:
            if token.pos_ not in _PHRASE_POS and token.text not in _KEEP_PUNCT:
                break
            subtree.append(token)
    lo = head.i
    for token in reversed(subtree):
        if token.i < head.i and token.i == lo - 1:
            if "\n" in token.text or (token.is_punct and token.text not in _KEEP_PUNCT):
                break
            lo = token.i
    hi = head.i
    for token in doc[head.i + 1 : subtree[-1].i + 1]:
        if until is not None and token.i >= until:
            break
        if token.is_punct and token.text not in _KEEP_PUNCT:
            break
        if "\n" in token.text or token.lower_ in _RELATIVES:
            break
        if token.pos_ in ("VERB", "AUX") and not (
            "Part" in token.morph.get("VerbForm", []) and token.i == hi + 1
        ):
            break
        hi = token.i
    tokens = list(doc[lo : hi + 1])
    verbs = [k for k, t in enumerate(tokens) if t.i < head.i and t.pos_ in ("VERB", "AUX", "PRON")]
    if verbs:
        tokens = tokens[verbs[-1] + 1 :]  # "Sont éligibles les projets": the phrase after
    while tokens and (tokens[0].pos_ in ("DET", "ADP", "PUNCT") or tokens[0].is_space):
        tokens = tokens[1:]
    while tokens and tokens[-1].pos_ in ("DET", "ADP", "CCONJ", "PUNCT", "SCONJ"):
        tokens = tokens[:-1]
    if len(tokens) > MAX_TERM_TOKENS:
        tokens = [t for t in tokens if t.i <= head.i or (t.dep_ == "amod" and t.head == head)]
    if not tokens:
        return "", ""
    text = doc[tokens[0].i : tokens[-1].i + 1].text  # not doc.text: it joins the whole doc
    return strip_article(text), text


def _determiner(head: Token) -> str:
    dets = [c.lower_ for c in head.children if c.dep_ == "det" and c.i < head.i]
    if not dets:
        return "none"
    det = dets[0]
    if det in _DEFINITE:
        return "definite"
    if det in _INDEFINITE:
        return "indefinite"
    if det in _DEMONSTRATIVE:
        return "demonstrative"
    if det in _POSSESSIVE:
        return "possessive"
    return "other"


def _first_content(sent: Span) -> Token | None:
    for token in sent:
        if token.is_space or (token.is_punct and token.text in _STRIP_LEAD + "()"):
            continue
        return token
    return None


def _tense(verb: Token) -> str:
    tense = verb.morph.get("Tense", [])
    if any(
        c.dep_.startswith("aux") and c.lower_ in ("été", "a", "ont", "avait") for c in verb.children
    ):
        return "past"
    if "Fut" in tense:
        return "future"
    if "Imp" in tense or "Past" in tense:
        return "past"
    if "Cnd" in verb.morph.get("Mood", []):
        return "conditional"
    return "present"


def sentence_features(sent: Span, index: int, n_sents: int) -> dict[str, Any]:
    """Features of a sentence: place in its passage, length, shape."""
    text = sent.text.strip()
    words = [t for t in sent if t.is_alpha]
    return {
        "sent_index": min(index, 5),
        "sent_first": index == 0,
        "sent_only": n_sents == 1,
        "sent_words": min(len(words), 80) / 10.0,
        "sent_question": text.rstrip(' »"”').endswith("?"),
        "sent_bullet": text[:1] in "-–—•*·>",
        "sent_first_person": any(t.lower_ in _FIRST_PERSON for t in sent),
        "sent_quote": any(t.text in ("«", "“", '"') for t in sent),
        "sent_colon": any(t.text == ":" for t in sent),
        "sent_digits": sum(1 for t in sent if t.like_num) > 2,
    }


class CandidateMaker:
    """Builds the structural candidates of one doc (see :func:`structure_candidates`)."""

    def __init__(self, doc: Doc, sents: list[Span], lists: Mapping[str, Collection[str]]) -> None:
        """Args:
        doc: The parsed passage.
        sents: Its sentences (line breaks end sentences).
        lists: The word lists of ``terms.yaml``.
        """
        self.doc = doc
        self.text = doc.text
        self.sents = sents
        self.lists = lists

    def _in(self, key: str, word: str) -> bool:
        return word.lower() in self.lists.get(key, ())

    def record(
        self,
        si: int,
        structure: str,
        term: str,
        surface: str,
        *,
        chars: tuple[int, int] | None = None,
        **features: Any,
    ) -> dict[str, Any] | None:
        """A candidate record for sentence ``si`` (its text the sentence, trimmed, or the
        characters ``chars``)."""
        if not term or len(term) < 2 or not any(c.isalpha() for c in term):
            return None
        sent = self.sents[si]
        first, last = chars if chars is not None else (sent.start_char, sent.end_char)
        start = _trim_start(self.text, first, last)
        end = _trim_end(self.text, start, last)
        if end - start < 10:
            return None
        head_word = term.split()[0]
        base = {
            "structure": structure,
            "head_concept": self._in("concept_heads", head_word),
            "head_discourse": self._in("discourse_subjects", head_word),
            "head_specific": self._in("specific_subjects", head_word),
            "head_goal": self._in("goal_nouns", head_word),
            **term_shape(term, surface),
            **sentence_features(sent, si, len(self.sents)),
            **features,
        }
        return {
            "term": term,
            "text": self.text[start:end],
            "start": start,
            "end": end,
            "cue": structure,
            "source": None,
            "year": None,
            "features": base,
        }

    def _openings(self, sent: Span) -> dict[int, str]:
        """Where a defined noun phrase may open: the sentence start, after an opening
        adverbial and its comma ("Selon X, ", "Au sens de la loi, "), after a colon or an
        opening quote, after a complementiser ("a rappelé que")."""
        first = _first_content(sent)
        if first is None:
            return {}
        out = {first.i: "start"}
        for token in sent:
            if token.i + 1 >= sent.end:
                break
            nxt = self.doc[token.i + 1]
            if token.text == "," and token.i - sent.start <= 25:
                out.setdefault(nxt.i, "comma")
            elif token.text in (":", "«", "“"):
                out.setdefault(nxt.i, "colon")
            elif token.lower_ in ("que", "qu'", "qu’") and token.pos_ == "SCONJ":
                out.setdefault(nxt.i, "que")
        for i in list(out):
            if i < sent.end and self.doc[i].text in ("«", "“", '"'):
                out.setdefault(i + 1, out[i])
        return out

    def subjects(self, si: int) -> list[dict[str, Any]]:
        """Sentences or clauses opening on the subject noun phrase of their verb."""
        sent = self.sents[si]
        if sent.text.rstrip(' »"”').endswith("?"):
            return []  # a question asks what a term is; its answer may define it
        openings = self._openings(sent)
        out = []
        for subject in sent:
            if subject.dep_ not in _SUBJECTS or subject.pos_ not in ("NOUN", "PROPN", "X"):
                continue
            left = min(x.i for x in subject.subtree)
            opening = openings.get(left) or openings.get(left - 1)
            if opening is None:
                continue
            record = self._subject(si, subject, opening)
            if record is not None:
                out.append(record)
            if len(out) == 3:
                break
        root = sent.root
        if (
            not out
            and root.pos_ in ("NOUN", "PROPN")
            and sent.start
            in (
                min(x.i for x in root.subtree) - 1,
                min(x.i for x in root.subtree),
            )
        ):
            # The parser made the subject the root ("Le mot X recoupe", "Les X de Y sont
            # des Z"): the verb is the first verb or copula after it.
            verb = next(
                (t for t in self.doc[root.i + 1 : sent.end] if t.pos_ in ("VERB", "AUX")), None
            )
            if verb is not None:
                record = self._subject(si, root, "start", verb=verb)
                if record is not None:
                    record["features"]["subject_root"] = True
                    out.append(record)
        return out

    def _subject(
        self, si: int, subject: Token, opening: str, verb: Token | None = None
    ) -> dict[str, Any] | None:
        if verb is None:
            predicate = subject.head
            copula = next((c for c in predicate.children if c.dep_ == "cop"), None)
            verb = copula if copula is not None else predicate
        else:
            copula = verb if verb.dep_ == "cop" else None
            predicate = verb.head if copula is not None else verb
        if verb.i < subject.i:
            return None
        metalinguistic = self._in("metalinguistic_subjects", subject.lemma_)
        if metalinguistic and subject.i + 1 < verb.i:
            # "Le mot travail recoupe", "la notion de « communs » désigne": the word named.
            named = [  # any word: the tagger often takes the word spoken of for a verb
                t
                for t in self.doc[subject.i + 1 : verb.i]
                if t.is_alpha and t.pos_ not in ("DET", "ADP")
            ]
            if not named:
                return None
            term, surface = noun_phrase(named[0], until=verb.i)
        else:
            term, surface = noun_phrase(subject, until=verb.i, greedy=True)
            words = term.split(" ", 1)
            if len(words) == 2 and self._in("metalinguistic_subjects", words[0]):
                # "le mot travail", "la notion de communs": the word spoken of
                term = strip_article(words[1]).strip(' «»"“”')
        negated = any(c.lower_ in ("ne", "n'", "n’", "pas") for c in predicate.children)
        passive = any(c.dep_ == "aux:pass" for c in predicate.children)
        between = self.text[subject.idx : verb.idx]
        adverb = next((t.lower_ for t in self.doc[verb.i + 1 : predicate.i] if t.pos_ == "ADV"), "")
        return self.record(
            si,
            "subject",
            term,
            surface,
            opening=opening,
            predicate_adverb=adverb if copula is not None else "",
            predicate_same_head=copula is not None and predicate.lemma_ == subject.lemma_,
            subject_relative=any(t.lower_ in _RELATIVES for t in subject.subtree),
            np_case=any(c.dep_ == "case" and c.i < subject.i for c in subject.children),
            metalinguistic=metalinguistic,
            verb=(verb.lemma_.lower() if copula is None else "être") + ("_pass" if passive else ""),
            copula=copula is not None,
            predicate=predicate.lemma_.lower() if copula is not None else "",
            predicate_pos=predicate.pos_ if copula is not None else "",
            predicate_det=_determiner(predicate) if copula is not None else "",
            predicate_classifier=copula is not None
            and self._in("classifier_nouns", predicate.lemma_),
            predicate_evaluative=copula is not None
            and self._in("evaluative_predicates", predicate.lemma_),
            determiner=_determiner(subject),
            plural="Plur" in subject.morph.get("Number", []),
            negated=negated,
            tense=_tense(verb),
            subject_paren="(" in between,
            subject_comma="," in between,
            subject_propn=subject.pos_ == "PROPN",
        )

    def dislocations(self, si: int) -> list[dict[str, Any]]:
        """ "L'économie solidaire, c'est ...": the noun phrase before ", c'est"."""
        sent = self.sents[si]
        if sent.text.rstrip(' »"”').endswith("?"):
            return []
        openings = self._openings(sent)
        out = []
        for token in sent:
            if token.lower_ not in ("c'", "c’", "ce") or token.i < sent.start + 2:
                continue
            comma = self.doc[token.i - 1]
            if comma.text in ("«", "“"):
                comma = self.doc[token.i - 2]
            if comma.text != "," or comma.i <= sent.start:
                continue
            head = governing_noun(self.doc[comma.i - 1], sent.start)
            if head.pos_ not in ("NOUN", "PROPN"):
                continue
            left = min([head.i, *(t.i for t in head.subtree if t.i < head.i)])
            opening = openings.get(left) or openings.get(left - 1)
            if opening is None:
                continue
            term, surface = noun_phrase(head, until=comma.i)
            nxt = self.doc[token.i + 2] if token.i + 2 < sent.end else None
            record = self.record(
                si,
                "dislocation",
                term,
                surface,
                opening=opening,
                determiner=_determiner(head),
                np_case=any(c.dep_ == "case" and c.i < head.i for c in head.children),
                subject_relative=any(t.lower_ in _RELATIVES for t in head.subtree),
                verb="être",
                predicate_pos=nxt.pos_ if nxt is not None else "",
            )
            if record is not None:
                out.append(record)
        return out

    def defined_object(self, si: int) -> dict[str, Any] | None:
        """ "La loi définit X (ACR) comme ...": the object of a defining verb."""
        sent = self.sents[si]
        for verb in sent:
            if verb.lemma_.lower() not in _DEFINING_VERBS or verb.pos_ != "VERB":
                continue
            obj = next(
                (c for c in verb.children if c.dep_ == "obj" and c.pos_ in ("NOUN", "PROPN")),
                None,
            )
            if obj is None:
                continue
            comme = next(
                (t for t in self.doc[obj.i + 1 : min(obj.i + 14, sent.end)] if t.lower_ == "comme"),
                None,
            )
            if comme is None:
                continue
            stop = next(
                (t.i for t in self.doc[obj.i + 1 : comme.i] if t.text in ("(", ",")), comme.i
            )
            term, surface = noun_phrase(obj, until=stop)
            return self.record(
                si, "defined_object", term, surface, verb=verb.lemma_.lower(), tense=_tense(verb)
            )
        return None

    def quoted_apposition(self, si: int) -> dict[str, Any] | None:
        """ "... la « facilitation », un soutien qui ...": a quoted term and its gloss."""
        sent = self.sents[si]
        line_end = self.text.find("\n", sent.start_char)
        line_end = len(self.text) if line_end < 0 else line_end
        found = _QUOTED_APPOSITION.search(self.text, sent.start_char, line_end)
        if not found or found.start() >= sent.end_char:
            return None  # found in a later sentence: that sentence proposes it
        term = strip_article(found.group("term"))
        # the parser cuts sentences inside quotes: run to the end of the real sentence
        stop = self.text.find(". ", found.end(), line_end)
        end = line_end if stop < 0 else stop + 1
        return self.record(
            si, "quoted_apposition", term, found.group("term"), chars=(sent.start_char, end)
        )

    def _line(self, si: int) -> tuple[int, int] | None:
        """The line sentence ``si`` opens (character range), or None when it opens none."""
        sent = self.sents[si]
        line_start = self.text.rfind("\n", 0, sent.start_char) + 1
        if self.text[line_start : sent.start_char].strip():
            return None
        line_end = self.text.find("\n", sent.start_char)
        return line_start, len(self.text) if line_end < 0 else line_end

    def colon_line(self, si: int) -> dict[str, Any] | None:
        """ "Terme : texte": a glossary line (the parser may cut it)."""
        line = self._line(si)
        if line is None:
            return None
        text = self.text[line[0] : line[1]]
        found = _COLON_LINE.match(text)
        if not found:
            return None
        head = found.group("term")
        offset = line[0] + found.start("term")
        span = self.doc.char_span(offset, offset + len(head), alignment_mode="expand")
        tokens = list(span) if span is not None else []
        if any(
            t.pos_ in ("VERB", "AUX") and "Part" not in t.morph.get("VerbForm", []) for t in tokens
        ):
            return None
        term = strip_article(_PAREN.sub("", head))
        if not term or len(term.split()) > 8 or term.startswith("définition"):
            return None  # "Définition de X retenue par Y :" names X otherwise
        body = found.group("body")
        first_words = body.split()[:4]
        body_start = self.text.find(body, line[0])
        return self.record(
            si,
            "glossary",
            term,
            _PAREN.sub("", head).strip(),
            chars=line,
            glossary_paren=_PAREN.search(head) is not None,
            glossary_body_words=min(len(body.split()), 60) / 10.0,
            glossary_body_det=body.split()[0].lower() in _INDEFINITE | _DEFINITE,
            glossary_body_capital=body[:1].isupper(),
            glossary_body_repeats=strip_article(" ".join(first_words)).startswith(
                term.split()[0][:5]
            ),
            glossary_body_verb=any(
                t.pos_ in ("VERB", "AUX")
                for t in self.doc.char_span(
                    body_start, body_start + len(" ".join(first_words)), alignment_mode="expand"
                )
                or ()
            ),
            glossary_lines=sum(1 for row in self.text.split("\n") if _COLON_LINE.match(row)),
        )

    def worded(self, si: int) -> list[dict[str, Any]]:
        """Sentences whose wording names the term: an inverted legal copula ("Ont la
        qualité de X les personnes qui ...", "Sont considérées comme X ..."), "... la
        définition du X : texte", and the answer after "Qu'est-ce que X ?"."""
        sent = self.sents[si]
        out = []
        found = _INVERTED.match(sent.text) or _INVERTED_BARE.match(sent.text)
        if found:
            offset = sent.start_char + found.start("term")
            words = [t for t in sent if offset <= t.idx < sent.start_char + found.end("term")]
            # "Sont éligibles les projets ...": an adjective, not a term
            if any(t.pos_ in ("NOUN", "PROPN") for t in words):
                term = strip_article(found.group("term"))
                out.append(self.record(si, "inverted", term, found.group("term")))
        found = _DEFINITION_OF.search(sent.text)
        if found:
            term = strip_article(_PAREN.sub("", ATTRIBUTED.sub("", found.group("term"))))
            if term and len(term.split()) <= 8:
                body_words = min(len(found.group("body").split()), 60) / 10.0
                out.append(
                    self.record(
                        si, "definition_of", term, found.group("term"),
                        definition_body_words=body_words,
                    )
                )  # fmt: skip
        asked = question_term(self.sents[si - 1].text) if si > 0 else None
        if asked is not None and not sent.text.rstrip().endswith("?"):
            out.append(self.record(si, "answer", asked, asked))
        return [r for r in out if r is not None]

    def apposition(self, si: int) -> list[dict[str, Any]]:
        """ "l'aide X (ACR), seule aide ...": a noun phrase, its acronym, then what it is."""
        out = []
        sent = self.sents[si]
        for token in sent:
            if token.text != "(" or token.i + 3 >= sent.end:
                continue
            acronym, close, comma = self.doc[token.i + 1 : token.i + 4]
            if close.text != ")" or comma.text != "," or not is_acronym(acronym.text):
                continue
            if token.i == sent.start:
                continue
            head = self.doc[token.i - 1]
            for _ in range(6):
                if head.head.i >= head.i:
                    break
                if head.dep_ in ("amod", "flat", "fixed") or (
                    # "prime d'activité": a compound; "lacunes de l'aide": a complement
                    head.dep_ == "nmod"
                    and not any(c.dep_ == "det" for c in head.children)
                    and any(
                        c.dep_ == "case" and c.lower_ in ("de", "d'", "d’") for c in head.children
                    )
                ):
                    head = head.head
                else:
                    break
            if head.pos_ not in ("NOUN", "PROPN"):
                continue
            term, surface = noun_phrase(head, until=token.i)
            after = self.doc[comma.i + 1] if comma.i + 1 < sent.end else None
            record = self.record(
                si,
                "apposition_acronym",
                term,
                surface,
                appos_next=after.lower_
                if after is not None and after.pos_ in ("DET", "ADJ")
                else "",
                appos_next_pos=after.pos_ if after is not None else "",
                determiner=_determiner(head),
            )
            if record is not None:
                out.append(record)
        return out


def structure_candidates(
    doc: Doc, sents: list[Span], lists: Mapping[str, Collection[str]]
) -> list[dict[str, Any]]:
    """Every sentence of ``doc`` shaped like a definition, with its candidate term.

    Args:
        doc: A parsed passage.
        sents: Its sentences.
        lists: The word lists of ``terms.yaml`` (concept heads, discourse subjects...).

    Returns:
        Records (``term``, ``text``, ``start``, ``end``, ``cue``, ``source``, ``year``,
        ``features``), several per sentence when several structures fire.
    """
    maker = CandidateMaker(doc, sents, lists)
    out: list[dict[str, Any]] = []
    for si in range(len(sents)):
        found = [
            maker.colon_line(si),
            *maker.worded(si),
            maker.defined_object(si),
            maker.quoted_apposition(si),
            *maker.subjects(si),
            *maker.dislocations(si),
            *maker.apposition(si),
        ]
        out.extend(r for r in found if r is not None)
    return out


def merge_candidates(
    rules: list[dict[str, Any]], candidates: list[dict[str, Any]], sents: list[Span]
) -> list[dict[str, Any]]:
    """The cue rules' definitions and the structural candidates, as one candidate list.

    A structural candidate of the same term as a rule's definition it overlaps is merged
    into it (the rule's text, source and confidence, the structure's features); every
    record gets ``features`` with ``rule`` (whether a cue rule found it), ``rule_cue``,
    ``rule_conf`` and ``rule_kept`` (the rules' own decision: a rule record carrying
    ``kept``). A structural candidate no rule found has ``confidence`` 0.
    """
    starts = [s.start_char for s in sents]
    out: list[dict[str, Any]] = []
    used: set[int] = set()
    for rule in rules:
        term = strip_article(str(rule.get("term") or ""))
        features: dict[str, Any] = {}
        for k, candidate in enumerate(candidates):
            same = candidate["term"] == term or (
                # the rule cut a long subject short ("les réseaux" of "les réseaux de X")
                bool(term) and candidate["term"].startswith(term + " ")
            )
            if (
                k not in used
                and same
                and candidate["start"] < rule["end"]
                and rule["start"] < candidate["end"]
            ):
                used.add(k)
                features = dict(candidate["features"])
                rule = {**rule, "term": candidate["term"]}
                break
        if not features:
            si = max(0, sum(1 for s in starts if s <= int(rule["start"])) - 1)
            features = {
                "structure": "rule",
                **term_shape(term, term),
                **sentence_features(sents[si], si, len(sents)),
            }
        features.update(
            rule=True,
            rule_cue=str(rule.get("cue") or ""),
            rule_conf=float(rule["confidence"]),
            rule_kept=bool(rule.pop("kept", True)),
        )
        out.append({**rule, "features": features})
    for k, candidate in enumerate(candidates):
        if k in used:
            continue
        features = {
            **candidate["features"],
            "rule": False,
            "rule_cue": "",
            "rule_conf": 0.0,
            "rule_kept": False,
        }
        out.append({**candidate, "confidence": 0.0, "dimensions": None, "features": features})
    out.sort(key=lambda r: (int(r["start"]), -int(r["end"])))
    return out
