"""What a corpus's corrections remember by name: the actors a researcher kept or struck out.

A refit weighs a few corrected documents against a hundred training ones, so a name the
researcher struck out ("Assemblée générale", a platform's name) may well be proposed and
kept again in the corpus's next document. :func:`actor_memory` lists, for every actor
candidate of the corrected documents, its verdict by normalised name: kept or not, its
roles and its sector when kept. The adapted scorer sets carry it
(:attr:`corpus.scorers.model.ScorerSet.memory`) and give a remembered name the share of
its corrected occurrences that had the label, in place of the scorer's guess.
"""

from __future__ import annotations

from collections import defaultdict

from corpus.extract.evaluate import normalise_name
from corpus.scorers.training import TrainingCorpus

#: Scorer sets that read a memory, and the labels it holds for them.
MEMORY_SETS = ("actors", "roles", "sectors")


def actor_memory(corrections: TrainingCorpus) -> dict[str, dict[str, dict[str, float]]]:
    """Verdicts of the corrected documents' actor candidates, by set, label and name.

    Candidates matching only an optional gold actor (neither right nor wrong) are not
    remembered; roles and sectors are remembered for kept actors only.

    Returns:
        ``{"actors": {"keep": {name: share}}, "roles": {role: {...}}, "sectors": {...}}``
        where ``share`` is the fraction of the name's corrected occurrences with the label.
    """
    from corpus.extract.actors import actor_candidates
    from corpus.scorers.actors import ROLES, SECTORS, gold_actor

    records = corrections.records.get("actors")
    if records is None or len(records) == 0:
        return {}
    counts: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    mentions = corrections.labelled(records)
    for cand in actor_candidates(mentions, corrections.context(), flagged=True):
        gold = corrections.gold.get(cand.doc_id)
        if gold is None:
            continue
        actor = gold_actor(cand.names, gold)
        if actor is not None and actor.optional:
            continue
        keys = {normalise_name(n) for n in cand.names} - {""}
        for key in keys:
            counts[("actors", "keep", key)].append(int(actor is not None))
            if actor is None:
                continue
            for role in ROLES:
                counts[("roles", role, key)].append(int(role in actor.roles))
            if actor.sector in SECTORS:
                for sector in SECTORS:
                    counts[("sectors", sector, key)].append(int(actor.sector == sector))
    out: dict[str, dict[str, dict[str, float]]] = {}
    for (name, label, key), verdicts in sorted(counts.items()):
        out.setdefault(name, {}).setdefault(label, {})[key] = sum(verdicts) / len(verdicts)
    return out
