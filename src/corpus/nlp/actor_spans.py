"""Candidate named-actor spans of one passage and the filters that clean them.

Sources, in order of trust: the gazetteer of known bodies, organisation forms
(``Fondation X``, ``Réseau québécois en ...``) extended to the right over the name's
words, spaCy's entities (ORG, PER; MISC kept as *weak* candidates) and stand-alone
acronyms. Filters drop what NER gets wrong on web pages: capitalised page headers,
concepts (``Innovation sociale``), sentence-initial capitalised words, menu and table
fragments, URLs. Acronym introductions (``Nom complet (SIGLE)``, ``SIGLE (Nom
complet)``) attach the acronym to the name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from spacy.attrs import ORTH
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token

from corpus.nlp.actor_lexicon import ActorLexicon, KnownBody, fold, is_function_word
from corpus.nlp.actor_roles import sentence_of

#: Longest name kept, in tokens.
MAX_TOKENS = 16

_ACRONYM = re.compile(r"^[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ0-9&\-\.]{1,11}$")
_ROMAN = re.compile(r"^[IVXLCDM]+[Ee]?$")
_URLISH = re.compile(r"(www\.|https?:|@|\.(org|com|net|fr|ca|be|ch|qc)\b)", re.I)
_NAME_PREPS = frozenset(
    fold(w) for w in ("de", "du", "des", "d’", "en", "pour", "sur", "et", "à", "aux")
)
_NAME_DETS = frozenset(fold(w) for w in ("l’", "la", "le", "les"))
_DE_WORDS = frozenset(fold(w) for w in ("de", "du", "des", "d'", "d’"))
#: Elided words written against the next one ("l’Association", "d’Entraide").
_ELISIONS = frozenset(("l", "d", "qu", "jusqu", "lorsqu", "puisqu", "s", "n", "c", "j", "m", "t"))
_EN_STOP = frozenset(fold(w) for w in ("partenariat", "collaboration", "lien", "tant", "charge"))
_BREAK = frozenset(
    ("|", "\n", "«", "»", "“", "”", '"', "(", ")", "[", "]", ":", ";", "/", "•", "·")
)
_LIST_MARKS = frozenset(("-", "–", "—", "•", ":", "|", "*", "·"))


def token_texts(doc: Doc) -> list[str]:
    """The text of each token of ``doc``, read from the ORTH array (no Token objects)."""
    strings = doc.vocab.strings
    return [strings[orth] for orth in doc.to_array(ORTH).tolist()]


@dataclass(frozen=True)
class Candidate:
    """A candidate actor span (token offsets) with what is known about it."""

    start: int
    end: int
    origin: str  # gazetteer, pattern, ner, acronym
    label: str = ""  # NER label, or "" for other origins
    sector: str | None = None
    inherent_role: str | None = None
    kind: str = "org"
    acronym: str | None = None
    weak: bool = False
    canonical: str | None = None  # gazetteer name
    lead: int | None = None  # start of a lower-case form word before the name
    filtered: str = ""  # the soft filter that would drop it ("" when kept)


_PRIORITY = {"gazetteer": 3, "pattern": 2, "ner": 1, "shape": 1, "acronym": 0}


def _caps_word(text: str) -> bool:
    """A word in capitals of at least two letters (``MARTIN``, ``LE-GALL``)."""
    letters = text.replace("-", "")
    return len(letters) >= 2 and letters.isalpha() and letters.isupper()


def is_acronym(text: str) -> bool:
    """``RQIS``, ``ÉSL``, ``R&D`` (2-12 capitals, digits or ``&-.``; not roman numerals)."""
    letters = [c for c in text if c.isalpha()]
    return (
        bool(_ACRONYM.match(text))
        and len(letters) >= 2
        and not _ROMAN.match(text)
        and len(set(letters)) > 1
        and all(c.isupper() for c in letters)
    )


def _is_title(token: Token) -> bool:
    return bool(token.text) and token.text[0].isupper()


def sentence_initial(token: Token) -> bool:
    """First word of its sentence, line, list item or heading (after ``:``, ``-``...)."""
    doc = token.doc
    i = token.i - 1
    while i >= token.sent.start and (doc[i].is_space or doc[i].text in ("«", "“", '"', "(")):
        i -= 1
    if i < token.sent.start:
        return True
    prev = doc[i]
    return prev.text in _LIST_MARKS or prev.text in (".", "!", "?", "…") or "\n" in prev.text


@lru_cache(maxsize=4096)
def _acronym_fits(letters: str, words: tuple[tuple[str, bool], ...]) -> bool:
    """``letters`` spelled by word prefixes in order.

    ``words`` are ``(folded word, optional)``: function words and lower-case content
    words may give no letter (``Solidarités nouvelles face au chômage`` -> SNC);
    capitalised content words give at least one.
    """
    if not words:
        return not letters
    (word, optional), rest = words[0], words[1:]
    if optional and _acronym_fits(letters, rest):
        return True
    for k in range(1, min(len(word), len(letters)) + 1):
        if word[:k] != letters[:k]:
            break
        if _acronym_fits(letters[k:], rest):
            return True
    return False


def acronym_letters(acronym: str) -> str:
    """The folded letters of ``acronym`` (``C.A.E.`` -> ``cae``)."""
    return "".join(c for c in fold(acronym) if c.isalpha())


def acronym_of(acronym: str, name: str) -> bool:
    """Whether ``acronym`` abbreviates ``name`` (``RQIS`` / ``Réseau québécois en
    innovation sociale``); names of one content word never match."""
    return abbreviated_by_any((acronym_letters(acronym),), name)


def abbreviated_by_any(letter_sets: Iterable[str], name: str) -> bool:
    """Whether one of ``letter_sets`` (from :func:`acronym_letters`) abbreviates ``name``.

    The name is split once for all of them (the category-expansion feature tries every
    known acronym on every candidate).
    """
    raw = [w for w in re.split(r"[\s\-]+", name.replace("’", "’ ").replace("'", "’ ")) if w]
    words: list[tuple[str, bool]] = []
    for word in raw:
        folded = fold(word)
        if not folded[0].isalnum():
            continue
        function = is_function_word(folded) or folded.endswith("’")
        words.append((folded, function or word[0].islower()))
    content = [w for w, optional in words if not is_function_word(w) and not w.endswith("’")]
    if len(content) < 2:
        return False
    initial, shape = content[0][0], tuple(words)
    return any(
        len(letters) >= 2 and letters[0] == initial and _acronym_fits(letters, shape)
        for letters in letter_sets
    )


def _place_at(doc: Doc, i: int) -> bool:
    """Whether a place entity (LOC) starts at token ``i``."""
    return doc[i].ent_iob_ == "B" and doc[i].ent_type_ == "LOC"


class SpanFinder:
    """Finds and cleans candidate actor spans in a parsed doc."""

    def __init__(
        self, lexicon: ActorLexicon, gazetteer: PhraseMatcher, forms: PhraseMatcher
    ) -> None:
        self.lexicon = lexicon
        self.gazetteer = gazetteer  # PhraseMatcher over names and aliases
        self.forms = forms  # PhraseMatcher over form words
        self.form_index = {form.words: form for form in lexicon.forms}
        self.body_index: dict[str, tuple[KnownBody, str]] = {}
        for body in lexicon.bodies:
            for alias in (body.name, *body.aliases):
                self.body_index[fold(alias)] = (body, alias)

    # -- sources ------------------------------------------------------------------------
    def _gazetteer(self, doc: Doc) -> Iterable[Candidate]:
        for _, start, end in self.gazetteer(doc):
            matched = doc[start:end].text
            found = self.body_index.get(fold(matched))
            if found is None:
                continue
            body, alias = found
            if is_acronym(alias) and matched != alias:
                continue  # an acronym of the gazetteer must be written in capitals
            if not (matched[0].isupper() or matched[0].isdigit()):
                continue
            yield Candidate(
                start,
                end,
                "gazetteer",
                sector=body.sector,
                inherent_role=body.role,
                canonical=body.name,
            )

    def _extend(self, doc: Doc, start: int, end: int) -> int:
        """Extend a form match over the rest of the name; returns the new end."""
        sent_end = sentence_of(doc[start:end]).end
        j = end
        while j < sent_end and j - start < MAX_TOKENS:
            tok = doc[j]
            text = fold(tok.text)
            if tok.text in _BREAK or tok.is_space or tok.like_num or tok.like_url:
                break
            if tok.pos_ in ("PROPN",) or (_is_title(tok) and tok.pos_ in ("NOUN", "ADJ", "X")):
                j += 1
                continue
            if tok.text in ("-", "–") and j + 1 < sent_end and _is_title(doc[j + 1]):
                j += 2
                continue
            if tok.pos_ == "ADJ" and tok.text.islower():
                if any(t.pos_ == "PROPN" or _is_title(t) for t in doc[end:j]) and (
                    (j + 1 < sent_end and doc[j + 1].pos_ in ("DET", "PRON", "ADV", "NUM"))
                    or self._cue_verb_form(text)
                ):
                    break  # "Fondation Berthier finance le": a verb tagged ADJ after the name
                j += 1
                continue
            # "Carrefour jeunesse-emploi", "Coud’Pouce": glued to the previous word.
            if j > start and doc[j - 1].whitespace_ == "" and (tok.is_alpha or tok.text[0] in "-–"):
                j += 1
                continue
            # "ministère de l’Agriculture, des Pêcheries et de l’Alimentation"
            if (
                tok.text == ","
                and j + 2 < sent_end
                and fold(doc[j + 1].text) in ("de", "des", "du")
                and self._title_after(doc, j + 2, sent_end)
                and any(fold(t.text) == "et" for t in doc[j + 2 : min(j + 9, sent_end)])
                and not any((fold(t.text),) in self.form_index for t in doc[j + 2 : j + 5])
            ):
                j += 2
                continue
            # "Coopérative d'habitation Les Jardins de ...": an article starting a name.
            if (
                text in _NAME_DETS
                and j + 1 < sent_end
                and _is_title(doc[j + 1])
                and not doc[j + 1].text.isupper()
            ):
                j += 1
                continue
            if text in _NAME_PREPS:
                k = j + 1
                if text == "et":
                    nxt = doc[k] if k < sent_end else None
                    if nxt is not None and nxt.pos_ == "ADJ" and nxt.text.islower():
                        j = k
                        continue
                    # "de la solidarité et l’inclusion": a second lower-case complement.
                    if (
                        nxt is not None
                        and fold(nxt.text) in _NAME_DETS
                        and k + 1 < sent_end
                        and doc[k + 1].pos_ == "NOUN"
                        and doc[k + 1].text.islower()
                        and doc[j - 1].pos_ == "NOUN"
                        and doc[j - 1].text.islower()
                    ):
                        j = k + 2
                        continue
                    # "de l’Emploi et de la Solidarité": another capitalised complement
                    # (only after a first one: "la Région et de l’État" are two bodies).
                    if (
                        j == end
                        or nxt is None
                        or fold(nxt.text) not in _NAME_PREPS
                        or not (
                            self._title_after(doc, k + 1, sent_end)
                            or doc[j - 1].text.islower()  # "de la santé et du social"
                        )
                    ):
                        break
                    j = k
                    continue
                if k < sent_end and (
                    fold(doc[k].text) in _NAME_DETS
                    or (text == "pour" and fold(doc[k].text) in ("un", "une"))
                ):
                    k += 1
                if k >= sent_end:
                    break
                nxt = doc[k]
                if nxt.like_num or nxt.pos_ not in ("NOUN", "PROPN", "ADJ", "X"):
                    break
                if _is_title(nxt) and (fold(nxt.text),) in self.form_index:
                    break  # "Chaire X de l’Université Y": two bodies
                proper_seen = any(t.pos_ == "PROPN" for t in doc[end:j])
                if proper_seen and not _is_title(nxt):
                    break
                if text == "en" and (fold(nxt.text) in _EN_STOP or doc[j - 1].pos_ == "PROPN"):
                    break
                if text == "aux" and (
                    any(_is_title(t) for t in doc[start + 1 : j]) or fold(nxt.text) == "cotes"
                ):
                    break  # "Fonds d'appui aux radios" is a name; "Fondation X aux côtés" not
                if nxt.text.islower() and nxt.pos_ not in ("NOUN", "ADJ"):
                    break
                j = k + 1
                # "de la petite enfance": a noun after a prenominal adjective.
                if nxt.pos_ == "ADJ" and j < sent_end and doc[j].pos_ == "NOUN":
                    j += 1
                continue
            # "Carrefour jeunesse-emploi", "Comité logement X": a noun right after the form.
            if j == end and tok.pos_ == "NOUN" and tok.text.islower():
                j += 1
                continue
            # "Centre d'entraide bénévole X": a lower-case qualifier the tagger calls a
            # noun, then the proper part of the name.
            if (
                tok.pos_ == "NOUN"
                and tok.text.islower()
                and j + 1 < sent_end
                and doc[j + 1].pos_ == "PROPN"
                and _is_title(doc[j + 1])
                and not any(_is_title(t) for t in doc[start + 1 : j])
            ):
                j += 1
                continue
            break
        # Never end on a preposition or article.
        while j > end and (fold(doc[j - 1].text) in _NAME_PREPS | _NAME_DETS):
            j -= 1
        return j

    def _cue_verb_form(self, text: str) -> bool:
        """``finance``, ``soutient``: a cue verb the tagger took for an adjective."""
        return any(
            text.startswith(stem) and text[len(stem) :] in ("e", "ent", "ait", "é", "ée")
            for stem in self.lexicon.roles.stems
        )

    @staticmethod
    def _title_after(doc: Doc, k: int, end: int) -> bool:
        """A capitalised word at ``k`` (after an optional article)."""
        if k < end and fold(doc[k].text) in _NAME_DETS:
            k += 1
        return k < end and _is_title(doc[k]) and not doc[k].text.isupper()

    @staticmethod
    def _proper_follows(doc: Doc, end: int) -> bool:
        """[adjectives] ``de``/``du``/``d'`` [article] + a capitalised word after ``end``
        (the ``de`` may end the form, ``la commune de Valmont``, or be left out,
        ``la communauté de communes Val Vert``)."""
        k = end
        if k < len(doc) and _is_title(doc[k]) and not doc[k].text.isupper():
            return True
        while k < len(doc) and doc[k].pos_ == "ADJ" and doc[k].text.islower():
            k += 1
        if k < len(doc) and fold(doc[k].text) in ("de", "du", "des", "d’"):
            k += 1
            if k < len(doc) and fold(doc[k].text) in _NAME_DETS:
                k += 1
            return k < len(doc) and _is_title(doc[k]) and not doc[k].text.isupper()
        return False

    def _described_name(self, doc: Doc, end: int) -> tuple[int, int] | None:
        """``la chaire Handicap et Travail``: the capitalised name after a lower-case form
        word (one lower-case adjective may come between)."""
        sent_end = sentence_of(doc[end - 1 : end]).end
        k = end
        if k < sent_end and doc[k].pos_ == "ADJ" and doc[k].text.islower():
            k += 1
        # "la coopérative de soins X", "le bailleur social X"
        if (
            k + 1 < sent_end
            and fold(doc[k].text) in ("de", "d’")
            and doc[k + 1].pos_ == "NOUN"
            and doc[k + 1].text.islower()
        ):
            k += 2
        if k >= sent_end or not _is_title(doc[k]) or (doc[k].text.isupper() and len(doc[k]) > 5):
            return None
        if (fold(doc[k].text),) in self.form_index:
            return None  # "l’association Fondation X": the form pattern finds it
        start = k
        j = k + 1
        while j < sent_end and j - start < MAX_TOKENS:
            tok = doc[j]
            if (_is_title(tok) and not tok.text.isupper()) or tok.pos_ == "PROPN":
                if (fold(tok.text),) in self.form_index and j > start + 1:
                    break
                j += 1
            elif doc[j - 1].whitespace_ == "" and (tok.is_alpha or tok.text[0] in "-–’"):
                j += 1
            elif fold(tok.text) in _NAME_PREPS | _NAME_DETS and self._title_after(
                doc, j + 1, sent_end
            ):
                if fold(tok.text) == "a" and _place_at(doc, j + 1):
                    break  # "l'épicerie X à Lorient": where it is, not its name
                nxt = j + 1 if fold(doc[j + 1].text) not in _NAME_DETS else j + 2
                if (fold(doc[nxt].text),) in self.form_index:
                    break
                j = nxt
            else:
                break
        return start, j

    def _forms(self, doc: Doc) -> Iterable[Candidate]:
        for _, start, end in self.forms(doc):
            first = doc[start]
            if (
                start
                and doc[start - 1].whitespace_ == ""
                and any(c.isalpha() for c in doc[start - 1].text)
                and doc[start - 1].text.lower().rstrip("’'") not in _ELISIONS
            ):
                continue  # inside a word: "Médi’Coop", tokenised "Médi’" + "Coop"
            words = tuple(fold(t.text) for t in doc[start:end])
            form = self.form_index.get(words)
            if form is None or (first.text.isupper() and len(first.text) > 3):
                continue
            if not _is_title(first):
                if form.lowercase and self._proper_follows(doc, end):
                    pass
                else:
                    named = self._described_name(doc, end)
                    if named is not None:
                        yield Candidate(*named, "pattern", sector=form.sector, lead=start)
                    continue
            if ("Plur" in first.morph.get("Number", []) and not words[0].endswith(("s", "x"))) or (
                first.text.endswith(("s", "x")) and not form.words[0].endswith(("s", "x"))
            ):
                continue
            new_end = self._extend(doc, start, end)
            if new_end == end:
                if len(words) == 1 and start and doc[start - 1].pos_ == "DET":
                    # "la Région", "l’État": a body named by its capitalised form word
                    # alone; the scorer decides (statutes' "l’Association" is not one).
                    yield Candidate(
                        start, end, "pattern", sector=form.sector, weak=True, filtered="bare_form"
                    )
                continue
            extension = doc[end:new_end]
            if sentence_initial(first) and not (
                any(_is_title(t) or t.pos_ == "PROPN" for t in extension)
                or extension[0].pos_ == "ADJ"
            ):
                continue
            yield Candidate(start, new_end, "pattern", sector=form.sector, inherent_role=form.role)

    def _entities(self, doc: Doc) -> Iterable[Candidate]:
        for ent in doc.ents:
            if ent.label_ not in ("ORG", "PER", "MISC", "LOC"):
                continue
            if ent.label_ == "LOC" and len(ent) < 2:
                continue
            # "Avise / Mouves": one candidate per part.
            pieces: list[tuple[int, int]] = []
            start = ent.start
            for tok in ent:
                if tok.text in ("/", "|", "•", "·", ",", ";"):
                    pieces.append((start, tok.i))
                    start = tok.i + 1
            pieces.append((start, ent.end))
            # "Institut X de l’Université Y": two bodies in one entity.
            cut: list[tuple[int, int]] = []
            for a, b in pieces:
                for k in range(a + 1, b - 1):
                    nxt = k + 1 if fold(doc[k + 1].text) in _NAME_DETS and k + 2 < b else k
                    if (
                        fold(doc[k].text) in ("de", "du", "d’", "des")
                        and nxt + 1 < b
                        and (fold(doc[nxt + 1].text),) in self.form_index
                        and _is_title(doc[nxt + 1])
                    ):
                        cut.extend([(a, k), (nxt + 1, b)])
                        break
                else:
                    cut.append((a, b))
            pieces = cut
            for a, b in pieces:
                a, b = self._trim(doc, a, b)
                if b <= a:
                    continue
                while (
                    b - a > 1
                    and doc[b - 1].text.islower()
                    and self._cue_verb_form(fold(doc[b - 1].text))
                ):
                    b -= 1  # "Fondation X finance" (a verb inside the entity)
                # NER often stops inside a name: "Juan-" | "Luis Klein".
                while (
                    b < len(doc)
                    and b - a < MAX_TOKENS
                    and (
                        (doc[b - 1].text.endswith("-") and _is_title(doc[b]))
                        or (
                            ent.label_ == "PER"
                            and doc[b].pos_ == "PROPN"
                            and _is_title(doc[b])
                            and doc[b].ent_type_ in ("", "PER")
                        )
                    )
                ):
                    b += 1
                kind = "org"
                if (
                    ent.label_ == "PER"
                    and b - a >= 2
                    and all(_is_title(t) for t in doc[a:b] if t.is_alpha)
                ):
                    kind = "person"
                yield Candidate(
                    a, b, "ner", label=ent.label_, kind=kind, weak=ent.label_ in ("MISC", "LOC")
                )

    def _caps_names(self, doc: Doc) -> Iterable[Candidate]:
        """``Adeline MARTIN``: a capitalised word then a surname in capitals (members and
        contacts listed one a line), which NER often cuts to the surname."""
        texts = token_texts(doc)
        for i in range(1, len(doc)):
            if not _caps_word(texts[i]) or self.stop_acronym(texts[i]):
                continue
            first = texts[i - 1]
            if (
                not (
                    first[:1].isupper()
                    and first[1:2].islower()
                    and first.replace("-", "").isalpha()
                )
                or doc[i - 1].pos_ in ("DET", "ADP")
                or "\n" in doc[i - 1].whitespace_
                or (fold(first),) in self.form_index
                or (i > 1 and _caps_word(texts[i - 2]))
            ):
                continue
            end = i + 1
            while end < len(doc) and end - i < 3 and _caps_word(texts[end]):
                end += 1
            yield Candidate(i - 1, end, "shape", label="PER", kind="person")

    def stop_acronym(self, text: str) -> bool:
        """A concept or category acronym (``ESS``, ``D.E.S.S.``, ``COVID-19``)."""
        key = re.sub(r"[-\s]?\d+$", "", fold(text).replace(".", ""))
        return key in self.lexicon.acronyms

    def _acronyms(self, doc: Doc) -> Iterable[Candidate]:
        for i, text in enumerate(token_texts(doc)):
            if not text[:2].isupper() and not (text[:1].isupper() and text[1:2] in "&.-"):
                continue
            if is_acronym(text) and not self.stop_acronym(text):
                yield Candidate(i, i + 1, "acronym")

    @staticmethod
    def _in_capitals_run(doc: Doc, start: int, end: int) -> bool:
        """Next to another word in capitals: part of a page header, not an acronym."""
        for i in (start - 1, end):
            if 0 <= i < len(doc):
                tok = doc[i]
                if tok.is_alpha and tok.text.isupper() and tok.text not in ("A", "Y"):
                    return True
        return False

    # -- cleaning -----------------------------------------------------------------------
    @staticmethod
    def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
        while start < end and (
            doc[start].pos_ in ("DET", "ADP", "PUNCT", "CCONJ", "SPACE")
            or fold(doc[start].text) in _NAME_DETS
        ):
            start += 1
        while end > start and (
            (
                doc[end - 1].pos_ in ("PUNCT", "ADP", "DET", "CCONJ", "SPACE")
                and doc[end - 1].text not in (".",)
            )
            or doc[end - 1].text in (".", "…", "–", "—", "·")
        ):
            end -= 1
        return start, end

    def drop_reason(self, doc: Doc, cand: Candidate) -> str | None:
        """Why the filters drop a candidate (``None``: kept).

        Reasons starting with ``soft:`` name shapes that are sometimes actors (a name in
        capitals, a sentence-initial word): the component still proposes them, flagged,
        and the trained scorer decides. Other reasons are final.
        """
        span = doc[cand.start : cand.end]
        if cand.origin == "gazetteer":
            return None
        text = span.text
        if not text or len(span) > MAX_TOKENS or _URLISH.search(text):
            return "shape"
        if any(t.text in _BREAK or "\n" in t.text for t in span):
            return "break"
        first = span[0]
        if not (first.text[0].isupper() or first.text[0].isdigit() or cand.origin == "pattern"):
            return "lower"
        alpha = [t for t in span if t.is_alpha or any(c.isalpha() for c in t.text)]
        if not alpha or sum(c.isalpha() for c in text) < 2:
            return "shape"
        folded = [fold(t.text) for t in alpha]
        if all(w in self.lexicon.concepts or is_function_word(w) for w in folded):
            return "concept"
        if all(
            w in self.lexicon.honorifics or w in self.lexicon.job_titles or is_function_word(w)
            for w in folded
        ):
            return "title"  # "M. le Président", "Madame la Ministre": a title, no name
        if len(alpha) == 1:
            word = alpha[0]
            if fold(word.text) in self.lexicon.header_words:
                return "soft:header_word"
            if is_acronym(word.text):
                if self.stop_acronym(word.text):
                    return "stop_acronym"
                if self._in_capitals_run(doc, cand.start, cand.end):
                    return "soft:capitals_run"
                return None
            if sentence_initial(word):
                return "soft:sentence_initial"
            if word.pos_ in ("VERB", "ADJ", "ADV", "ADP", "PRON", "DET", "AUX"):
                return "pos"
        elif all(t.text.isupper() for t in alpha) and not all(is_acronym(t.text) for t in alpha):
            return "soft:caps"
        return None

    def _without_honorific(self, doc: Doc, cand: Candidate) -> Candidate:
        """``Mme Léa Pittet`` -> ``Léa Pittet`` (a person): the civility is not the name."""
        start = cand.start
        while start < cand.end - 1 and fold(doc[start].text) in self.lexicon.honorifics:
            start += 1
            if doc[start].text == "." and start < cand.end - 1:
                start += 1
        if start == cand.start or not _is_title(doc[start]):
            return cand
        return replace(cand, start=start, kind="person")

    def _position(self, doc: Doc, cand: Candidate) -> bool:
        """``Directrice de l'ESS``, ``Ministre de la Microfinance``: a job title."""
        if cand.origin == "gazetteer" or cand.end - cand.start < 3:
            return False
        first, second = doc[cand.start], doc[cand.start + 1]
        return fold(first.text) in self.lexicon.job_titles and fold(second.text) in _DE_WORDS

    # -- resolution ---------------------------------------------------------------------
    def candidates(self, doc: Doc) -> list[Candidate]:
        """The kept, non-overlapping candidates of ``doc`` in text order."""
        raw: list[Candidate] = [
            *self._gazetteer(doc),
            *self._forms(doc),
            *self._entities(doc),
            *self._acronyms(doc),
            *self._caps_names(doc),
        ]
        raw = [self._without_honorific(doc, c) for c in raw]
        soft: list[Candidate] = []
        kept: list[Candidate] = []
        for cand in raw:
            reason = self.drop_reason(doc, cand)
            if reason is None and not self._position(doc, cand):
                kept.append(cand)
            elif reason is not None and reason.startswith("soft:"):
                soft.append(replace(cand, filtered=reason[5:], weak=True))
        raw = kept
        raw.sort(key=lambda c: (-(c.end - c.start), -_PRIORITY[c.origin], c.start))
        taken: list[Candidate] = []
        used: set[int] = set()
        for cand in raw:
            tokens = set(range(cand.start, cand.end))
            if tokens & used:
                # A PER/ORG label inside a longer pattern span still says "organisation".
                continue
            used |= tokens
            taken.append(cand)
        # Flagged candidates only where nothing kept stands, so the kept ones are what
        # the rules alone would give.
        soft.sort(key=lambda c: (-(c.end - c.start), -_PRIORITY[c.origin], c.start))
        for cand in soft:
            tokens = set(range(cand.start, cand.end))
            if not tokens & used:
                used |= tokens
                taken.append(cand)
        taken.sort(key=lambda c: c.start)
        taken = self._attach_places(doc, taken)
        taken = self._names_before_acronyms(doc, taken)
        return self._acronym_introductions(doc, taken)

    def _names_before_acronyms(self, doc: Doc, cands: list[Candidate]) -> list[Candidate]:
        """``Solidarités nouvelles face au chômage (SNC)`` where NER cut the name: the
        nearest capitalised words whose initials spell the acronym become the name."""
        out = list(cands)
        ends = {c.end: c for c in cands}
        texts = token_texts(doc)
        for i in range(2, len(doc) - 1):
            if texts[i - 1] != "(" or texts[i + 1] != ")" or not is_acronym(texts[i]):
                continue
            if self.stop_acronym(doc[i].text):
                continue
            before = ends.get(i - 1)
            if before is not None and (
                acronym_of(doc[i].text, doc[before.start : before.end].text)
                or before.origin == "gazetteer"
            ):
                continue
            sent_start = doc[i].sent.start
            for a in range(i - 3, max(sent_start, i - 1 - MAX_TOKENS) - 1, -1):
                if not _is_title(doc[a]) or any(
                    t.text in _BREAK or t.text == "," for t in doc[a : i - 1]
                ):
                    continue  # a name spans no comma: "du marché A, l'association X (AX)"
                if not acronym_of(doc[i].text, doc[a : i - 1].text):
                    continue
                if sentence_initial(doc[a]) and doc[a].pos_ not in ("PROPN", "NOUN"):
                    break
                out = [c for c in out if c.end <= a or c.start >= i - 1]
                out.append(Candidate(a, i - 1, "pattern"))
                break
        out.sort(key=lambda c: c.start)
        return out

    def _attach_places(self, doc: Doc, cands: list[Candidate]) -> list[Candidate]:
        """``URSCOP`` + ``Languedoc-Roussillon`` (a place right after a short name)."""
        locs = {ent.start: ent for ent in doc.ents if ent.label_ == "LOC"}
        out: list[Candidate] = []
        taken_starts = {c.start for c in cands if c.label != "LOC"}
        absorbed: set[int] = set()
        for cand in cands:
            if cand.start in absorbed:
                continue
            loc = locs.get(cand.end)
            if (
                loc is not None
                and cand.kind == "org"
                and cand.end - cand.start <= 2
                and cand.origin in ("ner", "acronym")
                and cand.label != "MISC"
                and loc.start not in taken_starts
            ):
                cand = replace(cand, end=loc.end)
                absorbed.add(loc.start)
            elif cand.kind == "org" and cand.origin in ("ner", "pattern"):
                # "Table régionale de développement social" + "du" + "Saguenay–Lac-Saint-Jean"
                after = cand.end + 1
                loc = locs.get(after)
                if (
                    loc is not None
                    and fold(doc[cand.end].text) in _DE_WORDS
                    and loc.start not in taken_starts
                    and loc.end - cand.start <= MAX_TOKENS
                ):
                    cand = replace(cand, end=loc.end)
                    absorbed.add(loc.start)
            out.append(cand)
        return [c for c in out if c.start not in absorbed]

    def _acronym_introductions(self, doc: Doc, cands: list[Candidate]) -> list[Candidate]:
        by_start = {c.start: c for c in cands}
        drop: set[int] = set()
        out: list[Candidate] = []
        for cand in cands:
            if cand.start in drop:
                continue
            end = cand.end
            following = by_start.get(end + 1)
            if (
                cand.origin == "gazetteer"
                and following is not None
                and following.canonical == cand.canonical
                and end + 2 < len(doc)
                and doc[end].text == "("
                and doc[end + 2].text == ")"
            ):
                cand = replace(cand, acronym=doc[end + 1].text)
                drop.add(end + 1)
            # Nom complet (SIGLE)
            elif (
                end + 2 < len(doc)
                and doc[end].text == "("
                and doc[end + 2].text == ")"
                and is_acronym(doc[end + 1].text)
                and cand.kind == "org"
                and len(doc[cand.start : cand.end]) >= 2
                and (
                    acronym_of(doc[end + 1].text, doc[cand.start : cand.end].text)
                    # "l'association Mami Wata (AMW)": the form word gives a letter
                    or (
                        cand.lead is not None
                        and acronym_of(doc[end + 1].text, doc[cand.lead : cand.end].text)
                    )
                )
            ):
                cand = replace(cand, acronym=doc[end + 1].text, weak=False)
                drop.add(end + 1)
            # SIGLE (Nom complet)
            elif (
                cand.end - cand.start == 1
                and is_acronym(doc[cand.start].text)
                and end < len(doc)
                and doc[end].text == "("
            ):
                close = next(
                    (
                        k
                        for k in range(end + 1, min(end + MAX_TOKENS + 2, len(doc)))
                        if doc[k].text == ")"
                    ),
                    None,
                )
                if close is not None and close > end + 2 and _is_title(doc[end + 1]):
                    inner = doc[end + 1 : close]
                    if acronym_of(doc[cand.start].text, inner.text):
                        drop.update(range(end + 1, close))
                        cand = replace(
                            cand,
                            start=end + 1,
                            end=close,
                            origin="pattern",
                            acronym=doc[cand.start].text,
                            weak=False,
                        )
            # lower-case expansion before an acronym: a category ("centres ... (CLT)").
            if (
                cand.end - cand.start == 1
                and not cand.acronym
                and self._category_acronym(doc, cand, by_start)
            ):
                continue
            out.append(cand)
        return [c for c in out if c.start not in drop or c.acronym]

    @staticmethod
    def _category_acronym(doc: Doc, cand: Candidate, by_start: dict[int, Candidate]) -> bool:
        i = cand.start
        if i < 2 or i + 1 >= len(doc) or doc[i - 1].text != "(" or doc[i + 1].text != ")":
            return False
        for back in range(2, MAX_TOKENS):
            a = i - 1 - back
            if a < doc[i].sent.start:
                break
            phrase = doc[a : i - 1].text
            if acronym_of(doc[i].text, phrase):
                return not _is_title(doc[a])
        return False
