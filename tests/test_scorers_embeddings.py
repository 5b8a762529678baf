"""e5 sentence embeddings: shape, unit rows, determinism across runs and thread counts, cache."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from corpus.scorers import embeddings
from corpus.scorers.embeddings import DIM, MODEL_KEY, encode

TEXTS = [
    "L'association accompagne les jeunes sans emploi vers une formation qualifiante.",
    "Le projet en est encore à sa phase d'expérimentation dans trois quartiers.",
    "Une épicerie solidaire ouvre ses portes aux familles à faibles revenus.",
]

_SCRIPT = """
import sys
from corpus.scorers.embeddings import encode
texts = sys.stdin.read().split("\\n")
sys.stdout.buffer.write(encode(texts).tobytes())
"""


def _encode_in_subprocess(texts: list[str], threads: int) -> bytes:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        input="\n".join(texts).encode("utf-8"),
        capture_output=True,
        env=env,
        check=True,
    )
    return done.stdout


def test_unit_rows_in_input_order() -> None:
    vectors = encode(TEXTS)
    assert vectors.shape == (3, DIM)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    reordered = encode([TEXTS[2], TEXTS[0]])
    assert reordered.tobytes() == vectors[[2, 0]].tobytes()
    # Equal texts give equal rows; a text's row does not depend on its batch neighbours.
    assert encode([TEXTS[1]]).tobytes() == vectors[1:2].tobytes()


def test_empty_input() -> None:
    assert encode([]).shape == (0, DIM)
    assert encode([], cache_dir=None).dtype == np.float32


def test_similar_meanings_are_closer() -> None:
    emploi, insertion, recette = encode(
        [
            "Trouver un emploi durable après une longue période de chômage.",
            "L'insertion professionnelle des demandeurs d'emploi de longue durée.",
            "Faire fondre le beurre puis ajouter la farine et le sucre.",
        ]
    )
    assert float(emploi @ insertion) > float(emploi @ recette)


def test_cache_hit_returns_identical_bytes(tmp_path: Path, monkeypatch) -> None:
    first = encode(TEXTS, cache_dir=tmp_path)
    shards = list((tmp_path / MODEL_KEY).glob("shard-*.safetensors"))
    assert len(shards) == 1

    def no_model(_texts: object) -> np.ndarray:
        raise AssertionError("the model ran although every text was cached")

    monkeypatch.setattr(embeddings, "_embed", no_model)
    again = encode([*reversed(TEXTS), TEXTS[0]], cache_dir=tmp_path)
    assert again.tobytes() == first[[2, 1, 0, 0]].tobytes()
    assert list((tmp_path / MODEL_KEY).glob("shard-*.safetensors")) == shards


def test_cache_embeds_only_new_texts(tmp_path: Path, monkeypatch) -> None:
    encode(TEXTS[:2], cache_dir=tmp_path)
    seen: list[str] = []
    real = embeddings._embed

    def counting(texts: list[str]) -> np.ndarray:
        seen.extend(texts)
        return real(texts)

    monkeypatch.setattr(embeddings, "_embed", counting)
    both = encode(TEXTS, cache_dir=tmp_path)
    assert seen == [TEXTS[2]]
    assert both.tobytes() == encode(TEXTS).tobytes()


@pytest.mark.slow
def test_identical_bytes_across_runs_and_thread_counts() -> None:
    texts = [*TEXTS, " ".join(TEXTS) * 12]  # the last one spans several 512-token windows
    one_thread = _encode_in_subprocess(texts, 1)
    two_threads = _encode_in_subprocess(texts, 2)
    assert len(one_thread) == len(texts) * DIM * 4
    assert one_thread == two_threads
    assert one_thread == _encode_in_subprocess(texts, 1)
    assert one_thread == encode(texts).tobytes()
