"""Consistency check of a gold set written for this project (``corpora/heldout``,
``corpora/blind``): raw files, metadata rows and gold files agree, every gold definition
text occurs verbatim (after whitespace normalisation) in its document, every actor name
occurs in it, labels are valid and every need and stage label is used.

Run: .venv/bin/python corpora/check_gold.py corpora/heldout corpora/blind
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import yaml

from corpus.extract import gold as gold_labels

# The label sets of FORMAT.md, as the scorer defines them.
NEEDS = set(gold_labels.NEEDS)
STAGES = set(gold_labels.STAGES)
SECTORS = set(gold_labels.SECTORS)
ROLES = set(gold_labels.ROLES)


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def check(folder: Path) -> list[str]:
    """The problems of the gold set in ``folder`` (empty when it is consistent)."""
    errors: list[str] = []
    raw = sorted(p for p in (folder / "raw").iterdir() if p.is_file())
    with (folder / "metadata.csv").open(encoding="utf-8", newline="") as fh:
        rows = {r["file"]: r for r in csv.DictReader(fh)}
    needs_seen: set[str] = set()
    stages_seen: set[str] = set()
    for path in raw:
        if path.name not in rows:
            errors.append(f"{path.name}: no metadata row")
        gold_path = folder / "gold" / f"{path.stem}.yaml"
        if not gold_path.exists():
            errors.append(f"{path.name}: no gold file")
            continue
        gold = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
        if gold.get("document") != path.name:
            errors.append(f"{gold_path.name}: document is {gold.get('document')!r}")
        text = norm(path.read_text(encoding="utf-8"))
        for d in gold.get("definitions") or []:
            if norm(d["text"]) not in text:
                errors.append(f"{path.name}: definition not verbatim: {d['text'][:70]!r}")
            if d["term"] != d["term"].lower():
                errors.append(f"{path.name}: term not lower case: {d['term']!r}")
        for a in gold.get("actors") or []:
            if a["sector"] not in SECTORS or not set(a["roles"]) <= ROLES:
                errors.append(f"{path.name}: bad sector/roles for {a['name']!r}")
            for name in [a["name"], *a["aliases"]]:
                if norm(str(name)).lower() not in text.lower():
                    errors.append(f"{path.name}: actor name/alias not in text: {name!r}")
        if not set(gold["actor_types"]) <= SECTORS:
            errors.append(f"{path.name}: bad actor_types")
        if not set(gold["needs"]) <= NEEDS or not set(gold["stages"]) <= STAGES:
            errors.append(f"{path.name}: bad needs/stages")
        needs_seen |= set(gold["needs"])
        stages_seen |= set(gold["stages"])
        n_words = len(text.split())
        if not 150 <= n_words <= 1200:
            errors.append(f"{path.name}: {n_words} words")
    for name in rows:
        if not (folder / "raw" / name).exists():
            errors.append(f"metadata row without file: {name}")
    for gold_path in (folder / "gold").glob("*.yaml"):
        if not any(p.stem == gold_path.stem for p in raw):
            errors.append(f"gold file without document: {gold_path.name}")
    if NEEDS - needs_seen:
        errors.append(f"needs never used: {sorted(NEEDS - needs_seen)}")
    if STAGES - stages_seen:
        errors.append(f"stages never used: {sorted(STAGES - stages_seen)}")
    return errors


def main(folders: list[str]) -> int:
    failed = False
    for name in folders:
        folder = Path(name)
        errors = check(folder)
        for error in errors:
            print(f"{folder.name}: {error}")
        n_docs = sum(1 for p in (folder / "raw").iterdir() if p.is_file())
        print(f"{folder}: {n_docs} documents, {len(errors)} problems")
        failed = failed or bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["corpora/heldout", "corpora/blind"]))
