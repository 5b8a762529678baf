"""Cleaning: Unicode NFC, white space, and web boilerplate removed by rules.

French typography is kept: apostrophes (’), guillemets (« »), dashes. Spaces of every
kind (no-break, narrow no-break, thin) become plain spaces, runs of spaces collapse,
zero-width characters and soft hyphens go. Boilerplate blocks (comment prompts, "À lire
aussi", share and author boxes, cookie notices, footers, contact blocks) are removed by
the rules of ``resources/boilerplate.yaml`` (a researcher can add rules there without
code); each removal is recorded as ``{"rule": ..., "text": ...}``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from corpus.errors import ConfigError
from corpus.ingest.readers.base import Block

_SPACES = re.compile(r"[^\S\n]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SENTENCE_END = re.compile(r"[.!?…]\s*$")


@dataclass(frozen=True)
class Rule:
    """One boilerplate rule (see ``resources/boilerplate.yaml``)."""

    name: str
    pattern: re.Pattern[str]
    action: str = "drop"
    max_words: int = 30


def _compile(items: list[dict[str, Any]], source: str) -> tuple[Rule, ...]:
    rules = []
    for item in items:
        try:
            rules.append(
                Rule(
                    name=str(item["name"]),
                    pattern=re.compile(str(item["pattern"]), re.IGNORECASE),
                    action=str(item.get("action", "drop")),
                    max_words=int(item.get("max_words", 30)),
                )
            )
        except (KeyError, re.error, TypeError, ValueError) as exc:
            raise ConfigError(
                f"bad boilerplate rule {item!r} ({exc})",
                path=source,
                hint="Each rule needs a name and a valid regular expression pattern.",
            ) from exc
        if rules[-1].action not in ("drop", "drop_after", "drop_short_after"):
            raise ConfigError(f"unknown action {rules[-1].action!r}", path=source)
    return tuple(rules)


@lru_cache(maxsize=8)
def load_rules(path: str | None = None) -> tuple[Rule, ...]:
    """Load boilerplate rules from ``path`` (default: the packaged resource file)."""
    if path is None:
        text = (resources.files("corpus.ingest") / "resources" / "boilerplate.yaml").read_text(
            encoding="utf-8"
        )
        source = "corpus/ingest/resources/boilerplate.yaml"
    else:
        text = Path(path).read_text(encoding="utf-8")
        source = path
    data = yaml.safe_load(text) or {}
    return _compile(list(data.get("rules") or []), source)


def rules_text() -> str:
    """The packaged rule file's text (part of the ingest fingerprint)."""
    return (resources.files("corpus.ingest") / "resources" / "boilerplate.yaml").read_text(
        encoding="utf-8"
    )


def normalize_text(text: str) -> str:
    """NFC, plain spaces, no invisible or control characters, trimmed lines."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _CONTROLS.sub("", text)
    text = _SPACES.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def _match(rule: Rule, text: str, n_words: int) -> bool:
    return n_words <= rule.max_words and rule.pattern.match(text) is not None


def clean_blocks(
    blocks: list[Block], *, rules: tuple[Rule, ...] | None = None
) -> tuple[list[Block], list[dict[str, str]]]:
    """Normalise blocks and drop boilerplate.

    Args:
        blocks: The reader's blocks.
        rules: Boilerplate rules (default: :func:`load_rules`).

    Returns:
        The kept blocks (normalised, non-empty) and the removals as
        ``{"rule": name, "text": block text}`` in document order.
    """
    rules = load_rules() if rules is None else rules
    normal: list[Block] = []
    for block in blocks:
        text = normalize_text(block.text)
        if text:
            normal.append(Block(text, block.kind, block.level))
    kept: list[Block] = []
    removed: list[dict[str, str]] = []
    index = 0
    total = len(normal)
    while index < total:
        block = normal[index]
        n_words = len(block.text.split())
        rule = next((r for r in rules if _match(r, block.text, n_words)), None)
        if rule is None:
            kept.append(block)
            index += 1
            continue
        removed.append({"rule": rule.name, "text": block.text})
        index += 1
        if rule.action == "drop_after" and index > total * 2 / 3:
            for rest in normal[index:]:
                removed.append({"rule": rule.name, "text": rest.text})
            index = total
        elif rule.action == "drop_short_after":
            while index < total:
                nxt = normal[index].text
                if len(nxt.split()) >= 12 or _SENTENCE_END.search(nxt):
                    break
                removed.append({"rule": rule.name, "text": nxt})
                index += 1
    return kept, removed
