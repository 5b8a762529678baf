"""Document-level actors: link mentions into actors, actor types per document, and the
co-occurrence network.

Input is the ``mentions`` table (one row per record of ``doc._.actors`` with ``doc_id``,
``passage_id``; ``start``/``end`` are document offsets; ``roles`` is a JSON string).

Linking, within one document (also across its passages):

* equal normalised names (lower case, no accents, no leading article);
* an acronym and its expansion: introduced in the text (``Nom (SIGLE)``), or an
  acronym whose letters spell the initials of a longer name of the same document
  (``ÉSL`` / ``Économie sociale Laurentides``);
* a surname alone and the full name of a person (``Bidet`` / ``Éric Bidet``);
* a body's name cut before a ``de`` complement and the one longer name that goes on
  with it (``ministère de la Culture`` / ``ministère de la Culture du Manitoba``).

Roles: the strong roles of all mentions; a weak role (a list cue such as ``parmi les
partenaires : X``) only when the actor has no other; a funder's generic support
(``soutenu par``) counts as funding; the organisation a title line at the top of the
document names, with no other role, is its porteur.

Which actors are reported: every linked actor except those made only of *weak*
mentions (a MISC entity that no role, acronym or other mention confirms) and those
named only as the author of the page (``Publié par X``), which describe the web page,
not the social-innovation process.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corpus.nlp.actor_lexicon import ROLES, SECTORS, fold, is_function_word
from corpus.nlp.actor_roles import is_generic_support
from corpus.nlp.actor_spans import acronym_of, is_acronym

if TYPE_CHECKING:
    import networkx as nx

    from corpus.extract.tables import ScoringContext
    from corpus.scorers.model import ScorerSet

logger = logging.getLogger(__name__)

ACTOR_COLUMNS: tuple[str, ...] = (
    "doc_id",
    "actor_id",
    "name",
    "aliases",
    "sector",
    "roles",
    "n_mentions",
    "evidence",
    "kind",
    "first_start",
)
#: Calibrated probabilities (NaN where the rules decided).
SCORE_COLUMNS: tuple[str, ...] = ("confidence", *(f"confidence_{r}" for r in ROLES))
TYPE_COLUMNS: tuple[str, ...] = ("doc_id", "sector", "n_mentions")


def name_key(name: str) -> str:
    """Key under which two names are the same actor (:func:`fold`, no article)."""
    key = fold(str(name)).strip(" \"'«»“”.,;:")
    for article in ("l’", "la ", "le ", "les "):
        if key.startswith(article):
            key = key[len(article) :].strip()
    return " ".join(key.replace("-", " ").split())


def _roles_of(value: Any) -> list[dict[str, Any]]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except json.JSONDecodeError:
            return []
    return [r for r in value if isinstance(r, dict) and r.get("role") in ROLES]


def as_list(value: Any) -> list[Any]:
    """A list from a list, tuple, numpy array (Parquet round trip) or ``None``."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, str):
        return [value]
    try:
        return list(value)
    except TypeError:
        return [value]


def _flag(row: dict[str, Any], key: str) -> bool:
    value = row.get(key)
    return bool(value) and not (isinstance(value, float) and pd.isna(value))


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


@dataclass
class _Cluster:
    rows: list[dict[str, Any]] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)

    def names(self) -> list[str]:
        return [str(r["name"]) for r in self.rows if _text(r.get("name"))]

    def acronyms(self) -> set[str]:
        out = {str(r["acronym"]) for r in self.rows if _text(r.get("acronym"))}
        out |= {n for n in self.names() if is_acronym(n)}
        return out

    def full_names(self) -> list[str]:
        return [n for n in self.names() if not is_acronym(n)]

    def kind(self) -> str:
        return "person" if any(r.get("kind") == "person" for r in self.rows) else "org"


def _link(rows: list[dict[str, Any]]) -> list[_Cluster]:
    """Clusters of the mentions of one document (see the module docstring)."""
    clusters: list[_Cluster] = []
    by_key: dict[str, _Cluster] = {}

    def find(key: str) -> _Cluster | None:
        return by_key.get(key)

    def merge(a: _Cluster, b: _Cluster) -> _Cluster:
        if a is b:
            return a
        a.rows.extend(b.rows)
        a.keys |= b.keys
        for key in b.keys:
            by_key[key] = a
        clusters.remove(b)
        return a

    for row in rows:
        keys = {name_key(row["name"]), _content_key(row["name"])}
        keys.discard("")
        if _text(row.get("acronym")):
            keys.add(name_key(row["acronym"]))
        hits = [c for c in (find(k) for k in keys) if c is not None]
        if hits:
            cluster = hits[0]
            for other in hits[1:]:
                cluster = merge(cluster, other)
        else:
            cluster = _Cluster()
            clusters.append(cluster)
        cluster.rows.append(row)
        cluster.keys |= keys
        for key in keys:
            by_key[key] = cluster
    # Acronyms alone <-> longer names whose initials they spell.
    for cluster in list(clusters):
        if cluster not in clusters or cluster.full_names():
            continue
        for acronym in sorted(cluster.acronyms()):
            targets = [
                c
                for c in clusters
                if c is not cluster and any(acronym_of(acronym, n) for n in c.full_names())
            ]
            if len(targets) == 1:
                merge(targets[0], cluster)
                break
    # "ORIE Nord-Pas-de-Calais" <-> the actor whose acronym is ORIE.
    for cluster in list(clusters):
        if cluster not in clusters:
            continue
        first_words = {n.split()[0] for n in cluster.full_names() if " " in n}
        for word in sorted(first_words):
            if not is_acronym(word):
                continue
            targets = [c for c in clusters if c is not cluster and word in c.acronyms()]
            if len(targets) == 1:
                merge(targets[0], cluster)
                break
    # "le Département" <-> "Département de la Gironde": a form word alone names the
    # one body of the document whose name starts with it.
    for cluster in list(clusters):
        names = {name_key(n) for n in cluster.names()}
        if cluster not in clusters or len(names) != 1 or cluster.kind() == "person":
            continue
        (only,) = names
        if " " in only or is_acronym(cluster.names()[0]):
            continue
        targets = [
            c
            for c in clusters
            if c is not cluster
            and any(name_key(n).split()[0] == only and " " in name_key(n) for n in c.names())
        ]
        if len(targets) == 1:
            merge(targets[0], cluster)
    # "ministère de la Culture" <-> "ministère de la Culture du Manitoba": a body's name
    # cut before a "de" complement is the one body whose name goes on with it.
    for cluster in list(clusters):
        if cluster not in clusters or cluster.kind() == "person":
            continue
        shorts = {name_key(n) for n in cluster.full_names() if " " in name_key(n)}
        targets = [
            c
            for c in clusters
            if c is not cluster
            and c.kind() != "person"
            and any(_continues(name_key(n), short) for n in c.full_names() for short in shorts)
        ]
        if len(targets) == 1:
            merge(targets[0], cluster)
    # "Pôle E2s" <-> "E2S Pays de Vannes": two bodies' names that share one coined word
    # (with a digit, or an acronym) are one body when no third name has it.
    for cluster in list(clusters):
        if cluster not in clusters or cluster.kind() == "person":
            continue
        for code in sorted(_codes(cluster)):
            others = [c for c in clusters if c is not cluster and code in _codes(c)]
            if len(others) == 1 and others[0].kind() != "person":
                merge(others[0], cluster)
                break
    # Surnames alone <-> full names of persons ("Mme Ouellet" <-> "Geneviève Ouellet").
    persons = [c for c in clusters if c.kind() == "person"]
    for cluster in list(clusters):
        if cluster not in clusters:
            continue
        names = {name_key(n) for n in cluster.names()}
        if len(names) != 1:
            continue
        (only,) = names
        if any(" " in n.strip() for n in cluster.names()):
            continue  # one written word ("Gagnon-Fraser" is one)
        targets = [
            p
            for p in persons
            if p is not cluster
            and any(name_key(n).endswith(f" {only}") for n in p.names() if " " in n.strip())
        ]
        if not targets and (cluster.kind() == "person" or _sector(cluster) == "autre"):
            # A first name alone ("Julie-Anne", a speaker label "JULIE") <-> the one
            # person of the document whose full name starts with it.
            targets = [
                p
                for p in persons
                if p is not cluster
                and any(name_key(n).startswith(f"{only} ") for n in p.names() if " " in n.strip())
            ]
        if len(targets) == 1 and targets[0] in clusters:
            merge(targets[0], cluster)
    return clusters


def _content_key(name: str) -> str:
    """:func:`name_key` without function words (``E2S du Pays de Vannes`` and
    ``E2S Pays de Vannes`` are one name)."""
    words = [w for w in name_key(name).replace("’", "’ ").split() if not is_function_word(w)]
    return " ".join(words) if len(words) > 1 else ""


def _codes(cluster: _Cluster) -> set[str]:
    """Coined words of a cluster's multi-word names, in capitals: letters with a digit
    (``E2S``) anywhere, or an acronym opening the name (``ORIE Nord``)."""
    out: set[str] = set()
    for name in cluster.full_names():
        words = name.split()
        if len(words) < 2:
            continue
        for i, word in enumerate(words):
            word = word.strip(".,;:()«»\"'")
            if (
                len(word) >= 2
                and any(c.isalpha() for c in word)
                and (any(c.isdigit() for c in word) or (i == 0 and is_acronym(word)))
            ):
                out.add(word.upper())
    return out


def _continues(name: str, short: str) -> bool:
    """``name`` is ``short`` followed by a ``de`` complement (both :func:`name_key`)."""
    if not name.startswith(short + " "):
        return False
    rest = name[len(short) + 1 :]
    return rest.split()[0] in _DE_KEYS or rest.startswith(("d’", "d'"))


_DE_KEYS = frozenset(("de", "du", "des"))


def _best_name(cluster: _Cluster) -> str:
    full = cluster.full_names() or cluster.names()
    counts = Counter(full)
    return max(counts, key=lambda n: (len(n.split()) > 1, counts[n], len(n), n))


def _sector(cluster: _Cluster) -> str:
    trusted = [
        r["sector"]
        for r in cluster.rows
        if r.get("origin") in ("gazetteer", "pattern") and r.get("sector") in SECTORS
    ]
    pool = trusted or [r.get("sector") for r in cluster.rows if r.get("sector") in SECTORS]
    specific = [s for s in pool if s != "autre"] or pool
    if not specific:
        return "autre"
    counts = Counter(specific)
    return max(counts, key=lambda s: (counts[s], -SECTORS.index(s)))


_FUNDER_WORDS = frozenset(("fondation", "fonds", "caisse", "banque"))


def _roles(cluster: _Cluster, sector: str) -> tuple[list[str], list[dict[str, Any]]]:
    hits = [h for r in cluster.rows for h in _roles_of(r.get("roles"))]
    strong = [h for h in hits if not h.get("weak")]
    chosen = strong or hits
    # A funder's "support" is its funding: a public body, a foundation or fund, or an
    # actor the document shows funding (``Le Fonds X ... soutient les projets``).
    words = {w for n in cluster.names() for w in name_key(n).split()}
    funder = (
        sector == "public"
        or bool(words & _FUNDER_WORDS)
        or any(h["role"] == "bailleur" for h in chosen)
    )
    specific_partner = any(
        h["role"] == "partenaire" and not is_generic_support(str(h.get("cue") or ""))
        for h in chosen
    )
    if funder and not specific_partner:
        chosen = [
            {**h, "role": "bailleur"}
            if h["role"] == "partenaire" and is_generic_support(str(h.get("cue") or ""))
            else h
            for h in chosen
        ]
    roles = [role for role in ROLES if any(h["role"] == role for h in chosen)]
    evidence: list[dict[str, Any]] = []
    seen: set[tuple[str, Any]] = set()
    for hit in sorted(chosen, key=lambda h: (h.get("evidence_start") or 0, h["role"])):
        key = (hit["role"], hit.get("evidence_start"))
        if key in seen:
            continue
        seen.add(key)
        evidence.append(
            {
                "role": hit["role"],
                "cue": hit.get("cue"),
                "evidence": hit.get("evidence"),
                "evidence_start": hit.get("evidence_start"),
                "evidence_end": hit.get("evidence_end"),
            }
        )
    return roles, evidence


#: A heading mention this close to the start of the document names its subject.
TITLE_ZONE = 400


def _title_body(cluster: _Cluster, sector: str) -> bool:
    """The organisation the document's title names (a project sheet, a call, a press
    release about it): its porteur, unless it is a research body writing about others
    or a body of unknown kind (often the site or magazine publishing the page)."""
    return (
        cluster.kind() == "org"
        and sector not in ("recherche", "autre")  # not a research body, a site or a medium
        and any(_flag(r, "heading") and int(r["start"]) < TITLE_ZONE for r in cluster.rows)
    )


def _reported(cluster: _Cluster, roles: list[str]) -> bool:
    if all(_flag(r, "byline") for r in cluster.rows):
        return False
    weak = all(_flag(r, "weak") for r in cluster.rows)
    return not (weak and not roles)


def _empty_actors() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series([], dtype="object") for c in ACTOR_COLUMNS})
    frame["n_mentions"] = frame["n_mentions"].astype("int64")
    frame["first_start"] = frame["first_start"].astype("int64")
    for column in SCORE_COLUMNS:
        frame[column] = pd.Series([], dtype="float64")
    return frame


@dataclass
class ActorCandidate:
    """A linked actor of one document before the decision: the rules' verdict and the
    features the trained scorers read."""

    doc_id: str
    cluster: _Cluster
    sector: str
    roles: list[str]
    evidence: list[dict[str, Any]]
    kept: bool
    features: dict[str, Any]
    context: str = ""
    #: Where the actor stands in its document (:func:`corpus.scorers.roles.role_context`).
    structure: dict[str, Any] = field(default_factory=dict)

    @property
    def role_features(self) -> dict[str, Any]:
        """What the role scorers read: the actor features and its place in the document."""
        return {**self.features, **self.structure}

    @property
    def names(self) -> list[str]:
        """Every surface form: names, acronyms, gazetteer names."""
        canonical = [str(r["canonical"]) for r in self.cluster.rows if _text(r.get("canonical"))]
        return [*self.cluster.names(), *sorted(self.cluster.acronyms()), *canonical]


def _document_texts(context: ScoringContext | None) -> dict[str, str]:
    """Each document's text rebuilt from its passages at their document offsets (gaps
    become newlines), so mention offsets index it."""
    if context is None or context.passages is None or len(context.passages) == 0:
        return {}
    passages = context.passages
    if not {"doc_id", "text", "start"} <= set(passages.columns):
        return {}
    out: dict[str, str] = {}
    for doc, group in passages.sort_values(["doc_id", "start"], kind="stable").groupby(
        "doc_id", sort=False
    ):
        parts: list[str] = []
        length = 0
        for start, text in zip(group["start"], group["text"], strict=True):
            start = int(start)
            if start > length:
                parts.append("\n" * (start - length))
                length = start
            elif start < length:
                continue  # overlapping passage: the first one stands
            parts.append(str(text))
            length += len(str(text))
        out[str(doc)] = "".join(parts)
    return out


#: Characters of context an actor's sentence window keeps on each side of a mention.
WINDOW = 160


def context_text(text: str, rows: list[dict[str, Any]], *, mentions: int = 2) -> str:
    """The sentences around an actor's first mentions (what the embedding reads)."""
    pieces: list[str] = []
    for row in sorted(rows, key=lambda r: int(r["start"]))[:mentions]:
        start, end = int(row["start"]), int(row["end"])
        if not text or end > len(text):
            pieces.append(str(row.get("text") or ""))
            continue
        left = max(text.rfind(c, max(0, start - WINDOW), start) for c in ".!?\n")
        rights = [i for i in (text.find(c, end, end + WINDOW) for c in ".!?\n") if i >= 0]
        right = min(rights) + 1 if rights else min(len(text), end + WINDOW)
        pieces.append(text[left + 1 if left >= 0 else max(0, start - WINDOW) : right].strip())
    return " … ".join(dict.fromkeys(p for p in pieces if p))


def actor_candidates(
    mentions: pd.DataFrame, context: ScoringContext | None = None, *, flagged: bool = True
) -> list[ActorCandidate]:
    """The linked actors of every document with the rules' decision and their features.

    Args:
        mentions: The mentions table.
        context: The scoring context (its passages give the documents' text).
        flagged: Also link the candidates the rules' filters flag (``filtered``).

    Returns:
        Candidates by document and first mention.
    """
    from corpus.scorers.actors import actor_features, document_stats
    from corpus.scorers.roles import role_context

    if mentions is None or len(mentions) == 0:
        return []
    texts = _document_texts(context)
    frame = mentions.sort_values(["doc_id", "start"], kind="stable")
    by_doc: dict[Any, list[dict[Any, Any]]] = {}
    for record in frame.to_dict("records"):
        if not pd.isna(record["doc_id"]):
            by_doc.setdefault(record["doc_id"], []).append(record)
    out: list[ActorCandidate] = []
    for doc_id, group in by_doc.items():
        rows = [
            {str(k): v for k, v in r.items()}
            for r in group
            if _text(r.get("name")) and (flagged or not _text(r.get("filtered")))
        ]
        clusters = _link(rows)
        clusters.sort(key=lambda c: min(int(r["start"]) for r in c.rows))
        stats = document_stats(rows, len(clusters), texts.get(str(doc_id)))
        structure = role_context([c.rows for c in clusters], texts.get(str(doc_id), ""))
        for rank, cluster in enumerate(clusters):
            sector = _sector(cluster)
            roles, evidence = _roles(cluster, sector)
            kept = _reported(cluster, roles) and not all(
                _text(r.get("filtered")) for r in cluster.rows
            )
            if kept and not roles and _title_body(cluster, sector):
                first = min(cluster.rows, key=lambda r: int(r["start"]))
                roles = ["porteur"]
                evidence = [
                    {
                        "role": "porteur",
                        "cue": "titre du document",
                        "evidence": first.get("text"),
                        "evidence_start": int(first["start"]),
                        "evidence_end": int(first["end"]),
                    }
                ]
            features = actor_features(
                cluster.rows, stats, rank=rank, sector=sector, rule_roles=roles, rule_kept=kept
            )
            window = context_text(texts.get(str(doc_id), ""), cluster.rows)
            out.append(
                ActorCandidate(
                    str(doc_id),
                    cluster,
                    sector,
                    roles,
                    evidence,
                    kept,
                    features,
                    window,
                    structure[rank],
                )
            )
    return out


def _decide(
    candidates: list[ActorCandidate], context: ScoringContext | None
) -> list[tuple[ActorCandidate, str, list[str], dict[str, float]]]:
    """Which candidates are reported, with sector, roles and confidences."""
    from corpus.scorers.roles import ANY_ROLE, role_set

    keep = context.scorer("actors") if context is not None else None
    sectors = context.scorer("sectors") if context is not None else None
    roles_set = context.scorer("roles") if context is not None else None
    X = [c.features for c in candidates]
    names = [c.names for c in candidates]  # a corpus's corrections may remember them
    nan = float("nan")

    def rows_of(scorer_set: ScorerSet | None, index: list[int]) -> np.ndarray | None:
        # e5 costs about 50 ms of CPU a text: embed only the candidates a scorer that
        # reads embeddings decides on (the roles scorers see the kept ones only).
        if context is None or scorer_set is None or not scorer_set.uses_embeddings:
            return None
        todo = [i for i in dict.fromkeys(index) if i not in embedded]
        if todo:
            fresh = np.asarray(context.embed([candidates[i].context for i in todo]))
            embedded.update(zip(todo, fresh, strict=True))
        if not index:
            return np.zeros((0, 0))
        return np.vstack([embedded[i] for i in index])

    embedded: dict[int, np.ndarray] = {}

    if keep is not None and X:
        p_keep = keep.proba("keep", X, embeddings=rows_of(keep, list(range(len(X)))), names=names)
        chosen = [i for i, p in enumerate(p_keep) if p >= keep.threshold("keep")]
    else:
        p_keep = np.full(len(X), nan)
        chosen = [i for i, c in enumerate(candidates) if c.kept]
    out: list[tuple[ActorCandidate, str, list[str], dict[str, float]]] = []
    kept_X = [X[i] for i in chosen]
    role_X = [candidates[i].role_features for i in chosen]
    kept_names = [names[i] for i in chosen]
    kept_vectors = rows_of(roles_set, chosen)
    p_roles = {
        role: roles_set.proba(role, role_X, embeddings=kept_vectors, names=kept_names)
        if roles_set is not None and role in roles_set.scorers and role_X
        else None
        for role in (*ROLES, ANY_ROLE)
    }
    p_sector = (
        np.vstack([sectors.proba(s, kept_X, names=kept_names) for s in SECTORS])
        if sectors is not None and kept_X
        else None
    )
    for k, i in enumerate(chosen):
        cand = candidates[i]
        scores: dict[str, float] = {"confidence": float(p_keep[i])}
        roles = cand.roles
        if roles_set is not None:
            probabilities: dict[str, float] = {}
            for role in ROLES:
                proba = p_roles[role]
                scores[f"confidence_{role}"] = float(proba[k]) if proba is not None else nan
                if proba is not None:
                    probabilities[role] = float(proba[k])
            p_any = p_roles[ANY_ROLE]
            thresholds = {r: roles_set.threshold(r) for r in [*probabilities, ANY_ROLE]}
            roles = role_set(probabilities, thresholds, None if p_any is None else float(p_any[k]))
        sector = cand.sector
        if p_sector is not None:
            sector = SECTORS[int(p_sector[:, k].argmax())]
        out.append((cand, sector, roles, scores))
    return out


def build_actors(mentions: pd.DataFrame, context: ScoringContext | None = None) -> pd.DataFrame:
    """One row per actor of each document, from the mentions table.

    Without trained scorers (``context`` is ``None`` or holds none) the rules decide
    (see the module docstring); with them, every linked candidate (flagged ones too) is
    scored: ``actors`` keeps or drops it, ``sectors`` gives its sector, ``roles`` its
    roles, each against its threshold.

    Args:
        mentions: Rows of ``doc._.actors`` records with ``doc_id`` and ``passage_id``.
        context: The scoring context (scorers in force, passages).

    Returns:
        Columns ``doc_id, actor_id, name, aliases, sector, roles, n_mentions, evidence,
        kind, first_start, confidence`` and ``confidence_<role>`` per role: ``name`` the
        best full form, ``aliases`` the other forms (acronyms first), ``roles`` a list of
        role ids, ``evidence`` a JSON list of ``{role, cue, evidence, evidence_start,
        evidence_end}``, ``confidence`` the calibrated probability that it is a named
        actor (NaN where the rules decided), ``confidence_<role>`` that it has the role.
        Ordered by document and first mention.
    """
    if mentions is None or len(mentions) == 0:
        return _empty_actors()
    scored = context is not None and context.scorer("actors") is not None
    candidates = actor_candidates(mentions, context, flagged=scored)
    rows_out: list[dict[str, Any]] = []
    numbers: Counter[str] = Counter()
    for cand, sector, roles, scores in _decide(candidates, context):
        cluster = cand.cluster
        evidence = [e for e in cand.evidence if e["role"] in roles]
        for role in roles:
            if not any(e["role"] == role for e in evidence):
                first = min(cluster.rows, key=lambda r: int(r["start"]))
                evidence.append(
                    {
                        "role": role,
                        "cue": "scorer",
                        "evidence": first.get("text"),
                        "evidence_start": int(first["start"]),
                        "evidence_end": int(first["end"]),
                    }
                )
        name = _best_name(cluster)
        acronyms = sorted(cluster.acronyms() - {name})
        canonical = {str(r["canonical"]) for r in cluster.rows if _text(r.get("canonical"))}
        others = sorted(
            {n for n in [*cluster.names(), *canonical] if n != name and n not in acronyms}
        )
        aliases = [*acronyms, *[n for n in others if name_key(n) != name_key(name)]]
        numbers[cand.doc_id] += 1
        row = {
            "doc_id": cand.doc_id,
            "actor_id": f"{cand.doc_id}-a{numbers[cand.doc_id]:03d}",
            "name": name,
            "aliases": aliases,
            "sector": sector,
            "roles": roles,
            "n_mentions": len(cluster.rows),
            "evidence": json.dumps(evidence, ensure_ascii=False, sort_keys=True),
            "kind": cluster.kind(),
            "first_start": min(int(r["start"]) for r in cluster.rows),
        }
        row.update({c: scores.get(c, float("nan")) for c in SCORE_COLUMNS})
        rows_out.append(row)
    if not rows_out:
        return _empty_actors()
    return pd.DataFrame(rows_out, columns=[*ACTOR_COLUMNS, *SCORE_COLUMNS])


def document_actor_types(actor_types: pd.DataFrame, *, min_mentions: int = 1) -> pd.DataFrame:
    """Sectors of the unnamed actor categories each document discusses.

    Args:
        actor_types: Rows of ``doc._.actor_types`` records with ``doc_id``.
        min_mentions: Mentions a sector needs in a document to count.

    Returns:
        Columns ``doc_id, sector, n_mentions``, sectors in FORMAT.md's order.
    """
    if actor_types is None or len(actor_types) == 0:
        return pd.DataFrame(
            {
                "doc_id": pd.Series([], dtype="object"),
                "sector": pd.Series([], dtype="object"),
                "n_mentions": pd.Series([], dtype="int64"),
            }
        )
    counts: Counter[tuple[str, str]] = Counter(
        zip(actor_types["doc_id"].astype(str), actor_types["sector"].astype(str), strict=True)
    )
    rows: list[dict[str, Any]] = [
        {"doc_id": doc_id, "sector": sector, "n_mentions": n}
        for (doc_id, sector), n in counts.items()
        if n >= min_mentions and sector in SECTORS
    ]
    order = {doc: i for i, doc in enumerate(dict.fromkeys(actor_types["doc_id"].astype(str)))}
    rows.sort(key=lambda r: (order[str(r["doc_id"])], SECTORS.index(str(r["sector"]))))
    return pd.DataFrame(rows, columns=list(TYPE_COLUMNS)).astype({"n_mentions": "int64"})


def _mention_actor(mentions: pd.DataFrame, actors: pd.DataFrame) -> list[tuple[str, str, str]]:
    """``(doc_id, passage_id, actor_id)`` for every mention linked to a reported actor."""
    lookup: dict[tuple[str, str], str] = {}
    for row in actors.to_dict("records"):
        for alias in [row["name"], *as_list(row.get("aliases"))]:
            lookup.setdefault((str(row["doc_id"]), name_key(alias)), str(row["actor_id"]))
    out: list[tuple[str, str, str]] = []
    for row in mentions.to_dict("records"):
        doc_id = str(row["doc_id"])
        keys = [name_key(row["name"])] if _text(row.get("name")) else []
        if _text(row.get("acronym")):
            keys.append(name_key(row["acronym"]))
        actor = next((lookup[(doc_id, k)] for k in keys if (doc_id, k) in lookup), None)
        if actor is not None:
            out.append((doc_id, str(row["passage_id"]), actor))
    return out


def cooccurrence_network(
    mentions: pd.DataFrame, actors: pd.DataFrame, *, across_documents: bool = True
) -> nx.Graph:
    """Actors linked when they are named in the same passage.

    Args:
        mentions: The mentions table.
        actors: :func:`build_actors` of those mentions.
        across_documents: One node per actor name over the whole corpus (the same body
            named in several documents is one node); ``False`` keeps one node per actor
            of each document (node ids are ``actor_id``).

    Returns:
        An undirected graph. Node attributes: ``name``, ``sector``, ``roles`` (sorted
        list), ``n_mentions``, ``n_documents``; edge attribute ``weight``: number of
        passages where both are named.
    """
    import networkx as nx  # imported here: extraction runs never need it (0.3 s)

    graph = nx.Graph()
    if actors is None or len(actors) == 0 or mentions is None or len(mentions) == 0:
        return graph
    node_of: dict[str, str] = {}
    for row in actors.to_dict("records"):
        node = name_key(row["name"]) if across_documents else str(row["actor_id"])
        node_of[str(row["actor_id"])] = node
        if node not in graph:
            graph.add_node(
                node,
                name=str(row["name"]),
                sector=str(row["sector"]),
                roles=[],
                n_mentions=0,
                n_documents=0,
                sectors=Counter(),
            )
        data = graph.nodes[node]
        data["n_mentions"] += int(row["n_mentions"])
        data["n_documents"] += 1
        data["roles"] = [r for r in ROLES if r in set(data["roles"]) | set(as_list(row["roles"]))]
        data["sectors"][str(row["sector"])] += int(row["n_mentions"])
    for node, data in graph.nodes(data=True):
        sectors: Counter[str] = data.pop("sectors")
        data["sector"] = max(sectors, key=lambda s: (sectors[s], s != "autre", s))
        del node
    passages: dict[str, set[str]] = {}
    for _, passage_id, actor_id in _mention_actor(mentions, actors):
        passages.setdefault(passage_id, set()).add(node_of[actor_id])
    for nodes in passages.values():
        for a, b in combinations(sorted(nodes), 2):
            if graph.has_edge(a, b):
                graph[a][b]["weight"] += 1
            else:
                graph.add_edge(a, b, weight=1)
    return graph
