"""The defined term of a definition: subjects, noun phrases, anaphora, on the parse.

:class:`TermParser` holds the parse helpers of :class:`corpus.nlp.definitions.DefinitionFinder`
(its base class): the subject of a cue verb (from the dependencies, or the noun just
left of the verb group when the parse gives none, kept inside the quotation that holds
the verb), the noun phrase that names the term, the checks that a subject can be a
defined term (not "ce billet", "Groupe SOS", "les jeunes et les familles"), and the
term a pronoun or a word such as "le terme" refers to.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from corpus.nlp.definition_text import (
    _STRIP_TRAIL,
    MODIFIER_DEPS,
    _clean_term,
    _is_name_word,
    _short_infinitive,
    _singular_word,
    doc_comma_before,
    governing_noun,
    quote_regions,
    region_at,
)

#: A defined term longer than this (tokens) is cut to its head and adjectives.
MAX_TERM_TOKENS = 7
#: Words opening a point of view before a dislocated term ("Pour moi, X, c'est ...").
_OPENERS = frozenset(("pour", "selon", "d'après", "d’après"))
#: Verb tenses that make a statement narrative rather than definitional.
_PAST_TENSES = {"Past", "Imp"}
_SUBJECT_DEPS = ("nsubj", "nsubj:pass")
_TERM_DEPS = {"amod", "nmod", "case", "det", "flat", "flat:name", "fixed", "compound"}
_NEGATIONS = {"ne", "n'", "n’", "pas", "jamais", "guère", "nullement", "aucunement"}


class TermParser:
    """Parse helpers finding defined terms; the word lists come from ``terms.yaml``."""

    _lists: dict[str, frozenset[str]]
    _text_doc: Doc | None
    _text_value: str

    def _text(self, doc: Doc) -> str:
        """``doc.text``, computed once per doc (spaCy rebuilds it at each access)."""
        if self._text_doc is not doc:
            self._text_doc, self._text_value = doc, doc.text
        return self._text_value

    def _in(self, key: str, word: str) -> bool:
        return word.lower() in self._lists.get(key, frozenset())

    def _quoted_after(self, doc: Doc, token: Token) -> str | None:
        """A short quoted phrase right after ``token`` ("l'expression « X » désigne")."""
        j = token.i + 1
        if j >= len(doc) or doc[j].text not in ("«", "“", '"'):
            return None
        close = {"«": "»", "“": "”", '"': '"'}[doc[j].text]
        for k in range(j + 1, min(j + 9, len(doc))):
            if doc[k].text == close:
                inner = doc[j + 1 : k].text.strip()
                return _clean_term(inner) if inner else None
        return None

    def _quoted_before(self, doc: Doc, sent: Span, token: Token) -> str | None:
        """The last short quoted phrase before ``token`` in its or the previous sentence."""
        start = sent.start
        if start > 0:
            start = doc[start - 1].sent.start
        text = self._text(doc)[doc[start].idx : token.idx]
        for opened, closed in reversed(quote_regions(text)):
            inner = text[opened + 1 : closed].strip()
            if 0 < len(inner.split()) <= 6 and closed < len(text):
                before = text[:opened].split()
                if before and before[-1].lower() in ("des", "les", "ces", "aux", "nos", "vos"):
                    # "des « community land trusts »": the term in the singular.
                    inner = " ".join(_singular_word(w) for w in inner.split())
                return _clean_term(inner)
        return None

    # -- helpers on the parse ---------------------------------------------------------

    @staticmethod
    def _negated(token: Token) -> bool:
        return any(c.lower_ in _NEGATIONS for c in token.children)

    @staticmethod
    def _present(token: Token) -> bool:
        tense = token.morph.get("Tense", [])
        mood = token.morph.get("Mood", [])
        form = token.morph.get("VerbForm", [])
        if form and "Fin" not in form:
            return False
        if any(t in _PAST_TENSES for t in tense):
            return False
        return not (mood and "Sub" in mood)

    @staticmethod
    def _past(token: Token) -> bool:
        """Imperfect ("était"), or a compound past ("a été", "avait désigné").

        The simple past is not trusted: the tagger gives it to presents such as
        "définit", which have the same form.
        """
        if "Imp" in token.morph.get("Tense", []):
            return True
        for child in token.children:
            if not child.dep_.startswith("aux"):
                continue
            if "Imp" in child.morph.get("Tense", []):
                return True
            if child.lemma_ == "avoir" and "Part" in token.morph.get("VerbForm", []):
                return True
            if child.lower_ == "été":
                return True
        return False

    def _subject(self, doc: Doc, sent: Span, anchor: Token) -> Token | None:
        subject = self._dep_subject(doc, sent, anchor)
        return self._same_quote(doc, sent, anchor, subject)

    def _same_quote(
        self, doc: Doc, sent: Span, anchor: Token, subject: Token | None
    ) -> Token | None:
        """A subject outside the quote holding the verb is a parse error: look inside.

        So is a subject in another sentence (the parser ran a heading into the line).
        """
        if subject is not None and not (sent.start <= subject.i < sent.end):
            subject = self._surface_subject(doc, sent, anchor)
        if subject is None:
            return subject
        regions = quote_regions(sent.text)
        if not regions:
            return subject
        base = sent.start_char
        region = region_at(regions, anchor.idx - base)
        if region is None or region_at(regions, subject.idx - base) == region:
            return subject
        inside = [t for t in sent if region[0] < t.idx - base < anchor.idx - base]
        nouns = [t for t in inside if t.pos_ in ("NOUN", "PROPN") or t.lower_ in ("c'", "c’")]
        if not nouns:
            return None
        return governing_noun(nouns[0], inside[0].i)

    def _dep_subject(self, doc: Doc, sent: Span, anchor: Token) -> Token | None:
        token = anchor
        for _ in range(3):
            subject = next((c for c in token.children if c.dep_ in _SUBJECT_DEPS), None)
            if subject is not None and subject.i < anchor.i:
                return subject
            if token.dep_ in ("xcomp", "aux", "aux:pass", "cop") and token.head != token:
                token = token.head
                continue
            break
        return self._surface_subject(doc, sent, anchor)

    def _surface_subject(self, doc: Doc, sent: Span, anchor: Token) -> Token | None:
        """The noun just left of the verb group when the parse gives no subject."""
        j = anchor.i - 1
        while j >= sent.start and (
            doc[j].pos_ in ("ADV", "AUX")
            or doc[j].dep_.startswith("aux")
            or doc[j].lower_ in ("se", "s'", "s’", "ne", "n'", "n’")
        ):
            j -= 1
        j = _before_incise(doc, sent, j)
        if j < sent.start:
            return None
        token = doc[j]
        if token.pos_ == "PRON":
            return token
        if token.pos_ not in ("NOUN", "PROPN", "ADJ"):
            return None
        token = governing_noun(token, sent.start, MODIFIER_DEPS | {"flat:name", "compound"})
        return token if token.pos_ in ("NOUN", "PROPN") else None

    def _dislocated(self, doc: Doc, sent: Span, pronoun: Token) -> Token | None:
        """ "La rétroaction, c'est ...": the noun before the comma preceding "c'"."""
        j = pronoun.i - 1
        if j <= sent.start or doc[j].text != ",":
            return None
        token = governing_noun(doc[j - 1], sent.start)
        if token.pos_ not in ("NOUN", "PROPN"):
            return None
        # The noun phrase must open the sentence (after bullets and determiners, and after
        # an opening "Pour moi," / "Selon X,").
        opening = sent.start
        if sent[0].lower_ in _OPENERS or (len(sent) > 1 and sent[1].lower_ in _OPENERS):
            comma = next((t.i for t in doc[sent.start : token.i] if t.text == ","), None)
            opening = comma + 1 if comma is not None else opening
        first = next(
            (
                t
                for t in doc[opening : sent.end]
                if not t.is_punct and not t.is_space and t.pos_ != "DET"
            ),
            None,
        )
        left = min([token.i, *(t.i for t in token.subtree if t.i < token.i)])
        if first is None or first.i < left or doc[left].pos_ == "ADP":
            return None
        return token

    def _term_ok(
        self, subject: Token, *, apposition: bool = False, before: int | None = None
    ) -> bool:
        """Whether a subject noun can be a defined term (not "ce billet", "Groupe SOS")."""
        if subject.dep_ == "conj":
            return False  # "les jeunes et les familles sont...": several subjects
        if any(
            c.dep_ in ("appos", "flat:name", "conj", "nmod")
            and c.pos_ == "PROPN"
            and c.i > subject.i
            and doc_comma_before(c)
            for c in subject.children
        ):
            return False  # "La gérante, Marie Tremblay, est...": a person or a body
        for child in subject.children:
            if child.dep_ == "det" and self._in("blocked_determiners", child.lower_):
                return False
            # An apposition is parsed as a conjunct: allow the one after a comma.
            if (
                child.dep_ == "conj"
                and child.pos_ in ("NOUN", "PROPN", "PRON")
                and not (apposition and doc_comma_before(child))
                and (before is None or child.i < before)
            ):
                return False
        named = subject.pos_ == "PROPN" or subject.ent_type_ in ("PER", "LOC", "ORG")
        if named and subject.text[:1].isupper():
            is_acronym = subject.text.isupper() and 2 <= len(subject.text) <= 6
            if not is_acronym:
                return False
        return True

    def _term(self, head: Token, *, until: int | None = None) -> tuple[str, Token | None]:
        """The defined term headed by ``head``: its noun phrase without determiner."""
        doc = head.doc
        keep: set[int] = {head.i}

        def walk(token: Token) -> None:
            for child in token.children:
                if _short_infinitive(child):  # "pouvoir d'agir", "droit au logement"
                    keep.update(t.i for t in child.subtree)
                    continue
                if child.dep_ not in _TERM_DEPS and not (
                    child.dep_ in ("conj", "cc") and child.pos_ in ("ADJ", "CCONJ")
                ):
                    continue
                if child.dep_ == "det" and token is head:
                    continue
                if child.i < head.i and child.pos_ not in ("ADJ",) and token is head:
                    continue
                keep.add(child.i)
                walk(child)

        walk(head)
        lo, hi = min(keep), max(keep)
        hi = max(hi, head.i)
        if until is not None:
            hi = min(hi, until - 1)
        # A term never runs over a line break (a heading above, a list below).
        for i in range(head.i - 1, lo - 1, -1):
            if "\n" in doc[i].text:
                lo = i + 1
                break
        for i in range(head.i + 1, hi + 1):
            if "\n" in doc[i].text:
                hi = i - 1
                break
        # Cut at the first punctuation inside the phrase ("(ESS)", ", ...").
        for i in range(head.i + 1, hi + 1):
            if doc[i].is_punct and doc[i].text not in ("-", "'", "’"):
                hi = i - 1
                break
        # Participles right after the head are part of the term ("entreprise adaptée").
        nxt = head.i + 1
        if (
            nxt < len(doc)
            and doc[nxt].head == head
            and doc[nxt].dep_ == "acl"
            and "Part" in doc[nxt].morph.get("VerbForm", [])
            and not list(doc[nxt].children)
        ):
            keep.add(nxt)
            hi = max(hi, nxt)
        if hi - lo + 1 > MAX_TERM_TOKENS:
            lo = min([head.i, *(c.i for c in head.children if c.dep_ == "amod" and c.i < head.i)])
            hi = head.i
            for token in doc[head.i + 1 :]:
                if token.dep_ == "amod" and token.head == head:
                    hi = token.i
                else:
                    break
        tokens = [t for t in doc[lo : hi + 1]]
        while tokens and (
            tokens[0].pos_ in ("DET", "ADP")
            or (
                tokens[0].pos_ == "ADJ"
                and tokens[0].i < head.i
                and self._in("evaluative_modifiers", tokens[0].lemma_)
            )
        ):
            tokens = tokens[1:]  # "une bonne innovation sociale": the term is the concept
        while tokens and tokens[-1].pos_ in ("DET", "ADP", "CCONJ", "PUNCT"):
            tokens = tokens[:-1]
        if not tokens:
            return "", None
        if any(_is_name_word(t) for t in tokens):
            return "", None  # a name ("Le Repair Café"), not a concept
        text = self._text(doc)[tokens[0].idx : tokens[-1].idx + len(tokens[-1])]
        return _clean_term(text), head

    def _goal_term(self, subject: Token) -> tuple[str, Token | None]:
        """The term a goal noun is about ("le but *de l'innovation sociale*")."""
        nmod = next((c for c in subject.children if c.dep_ == "nmod" and c.i > subject.i), None)
        if nmod is not None and nmod.pos_ in ("NOUN", "PROPN"):
            return self._term(nmod)
        return "", None

    def _previous_term(self, sents: list[Span], si: int) -> tuple[str, Token | None] | None:
        """The noun subject of the previous sentence, for a pronoun subject."""
        if si == 0:
            return None
        previous = sents[si - 1]
        root = previous.root
        subject = next((c for c in root.children if c.dep_ in _SUBJECT_DEPS), None)
        if subject is None or subject.lower_ in ("ce", "c'", "c’"):
            # "L'innovation sociale, ce n'est pas ... . Je la définis comme ..." (the
            # parser may also make the dislocated noun the root)
            ce = next((t for t in previous if t.lower_ in ("ce", "c'", "c’")), None)
            subject = self._dislocated(previous.doc, previous, ce) if ce is not None else None
        if subject is None or subject.pos_ not in ("NOUN", "PROPN"):
            return None
        if not self._term_ok(subject) or self._in("discourse_subjects", subject.lemma_):
            return None
        term, head = self._term(subject)
        return (term, head) if term else None

    def _continues(self, sent: Span, head_lemma: str) -> bool:
        """Whether ``sent`` continues the previous definition (pronoun or "Ces X" subject)."""
        if sent.text.rstrip(_STRIP_TRAIL).endswith("?"):
            return False
        subject = next((t for t in sent if t.dep_ in _SUBJECT_DEPS), None)
        if subject is None:
            return False
        if subject.pos_ == "PRON":
            return self._in("anaphoric_pronouns", subject.lower_)
        if subject.pos_ == "NOUN" and subject.lemma_.lower() == head_lemma:
            return any(
                c.dep_ == "det" and c.lower_ in ("ce", "cet", "cette", "ces")
                for c in subject.children
            )
        return False


def _before_incise(doc: Doc, sent: Span, j: int) -> int:
    """``L'économie solidaire, enfin, renvoie à``: the token before an adverb set off by
    commas (at most three words) that ends at ``j``; ``j`` when there is none."""
    if j < sent.start or doc[j].text != ",":
        return j
    k = j - 1
    while k >= sent.start and j - k <= 4 and doc[k].pos_ == "ADV":
        k -= 1
    if k < j - 1 and k >= sent.start and doc[k].text == ",":
        return k - 1
    return j
