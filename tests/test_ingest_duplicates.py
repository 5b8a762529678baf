"""Near duplicates: compact signatures and numpy banded LSH, checked against datasketch."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from datasketch import MinHash, MinHashLSH

from corpus.ingest import duplicates

WORDS = [
    "coopérative", "logement", "quartier", "habitants", "association", "emploi", "insertion",
    "jeunes", "aînés", "mobilité", "transport", "repas", "solidarité", "fondation",
    "financement", "projet", "territoire", "santé", "enfance", "crèche", "réseau", "bénévoles",
    "municipalité", "région", "formation", "recherche", "université", "accompagnement",
    "alimentation", "jardin", "collectif", "énergie", "citoyens", "partenaires",
]  # fmt: skip


def _variants(seed: int = 7) -> dict[str, str]:
    """Texts in families: each family's variants differ by a few to many substituted words."""
    rng = random.Random(seed)
    texts = {}
    for family in range(8):
        base = [rng.choice(WORDS) + str(rng.randint(0, 50)) for _ in range(150)]
        for variant, edits in enumerate((0, 1, 2, 2, 3, 4, 6, 9)):
            words = list(base)
            for position in rng.sample(range(len(words)), edits):
                words[position] = "autre" + str(rng.randint(0, 10**6))
            texts[f"{family:02d}{variant:02d}{'x' * 12}"] = " ".join(words)
    return texts


def _reference_pairs(
    signatures: dict[str, np.ndarray], threshold: float
) -> dict[tuple[str, str], float]:
    """The pairs datasketch's MinHashLSH finds, kept at the same Jaccard estimate."""

    def minhash(values: np.ndarray) -> MinHash:
        return MinHash(num_perm=duplicates.NUM_PERM, seed=1, hashvalues=values, scheme="affine32")

    lsh = MinHashLSH(threshold=threshold, num_perm=duplicates.NUM_PERM)
    for doc_id, values in signatures.items():
        lsh.insert(doc_id, minhash(values))
    pairs = {}
    for doc_id, values in signatures.items():
        for other in lsh.query(minhash(values)):
            if other == doc_id:
                continue
            similarity = float(np.mean(values == signatures[other]))
            if similarity >= threshold:
                pairs[(min(doc_id, other), max(doc_id, other))] = round(similarity, 4)
    return pairs


@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.9])
def test_near_pairs_are_those_of_datasketch_lsh(threshold: float) -> None:
    texts = _variants()
    signatures = {doc_id: duplicates.signature(text) for doc_id, text in texts.items()}
    held = duplicates.Signatures()
    for doc_id, values in signatures.items():
        held.add(doc_id, values)
    frame = duplicates.find_duplicates(
        pd.DataFrame({"doc_id": list(texts), "path": [f"{doc_id}.txt" for doc_id in texts]}),
        held,
        threshold=threshold,
    )
    found = {(r.doc_id_a, r.doc_id_b): r.similarity for r in frame.itertuples()}
    expected = _reference_pairs(signatures, threshold)
    assert found == expected
    assert len(expected) >= 5 and min(expected.values()) < 1.0
    assert set(frame["kind"]) == {"near"}


def test_exact_duplicates_pair_every_path_and_near_pairs_every_copy() -> None:
    texts = _variants()
    first, second = sorted(texts)[:2]  # same family, no edit apart from one word
    held = duplicates.Signatures()
    for doc_id in (first, second, first):  # ``first`` twice: two files, one text
        held.add(doc_id, duplicates.signature(texts[doc_id]))
    docs = pd.DataFrame({"doc_id": [first, first, second], "path": ["a.txt", "c.txt", "b.txt"]})
    frame = duplicates.find_duplicates(docs, held, threshold=0.8)
    rows = [(r.kind, r.path_a, r.path_b) for r in frame.itertuples()]
    assert rows == [
        ("exact", "a.txt", "c.txt"),
        ("near", "a.txt", "b.txt"),
        ("near", "b.txt", "c.txt"),
    ]
    near = frame[frame["kind"] == "near"].iloc[1]
    assert (near["doc_id_a"], near["doc_id_b"]) == (second, first)  # ids follow the paths


def test_signatures_are_uint32_records_and_round_trip(tmp_path: Path) -> None:
    texts = _variants()
    held = duplicates.Signatures()
    for doc_id, text in texts.items():
        held.add(doc_id, duplicates.signature(text))
    path = tmp_path / "minhash.npy"
    wanted = sorted(texts)[::2]
    held.write(path, wanted)
    stored = np.load(path)  # a plain .npy file of records
    assert stored.dtype == duplicates.RECORD and stored["signature"].dtype == np.uint32
    assert stored.nbytes == len(wanted) * (duplicates.ID_BYTES + duplicates.NUM_PERM * 4)
    again = duplicates.Signatures()
    again.read(path)
    ids, positions = again.select()
    assert [i.decode() for i in ids] == wanted  # ids come back sorted
    expected = np.stack([duplicates.signature(texts[doc_id]) for doc_id in wanted])
    assert np.array_equal(again.rows(positions), expected)


def test_spilled_and_stored_signatures_give_the_pairs_of_held_ones(tmp_path: Path) -> None:
    """Signatures spilled block by block and read back from a store find the same pairs."""
    texts = _variants()
    docs = pd.DataFrame({"doc_id": list(texts), "path": [f"{d}.txt" for d in texts]})
    held = duplicates.Signatures()
    for doc_id, text in texts.items():
        held.add(doc_id, duplicates.signature(text))
    expected = duplicates.find_duplicates(docs, held, threshold=0.8)

    spill = tmp_path / "spill"
    spill.mkdir()
    first_half = sorted(texts)[: len(texts) // 2]
    stored = duplicates.Signatures(spill_dir=spill)
    for doc_id in first_half:
        stored.add(doc_id, duplicates.signature(texts[doc_id]))
    stored.write(tmp_path / "minhash.npy")
    mixed = duplicates.Signatures(spill_dir=spill)
    mixed.read(tmp_path / "minhash.npy")  # the last run's, then this run's, spilled
    for doc_id in sorted(texts)[len(texts) // 2 :]:
        mixed.add(doc_id, duplicates.signature(texts[doc_id]))
    mixed.add(first_half[0], duplicates.signature(texts[first_half[0]]))  # an id twice
    assert len(mixed) == len(texts) + 1 and (spill / "signatures.records").exists()
    pd.testing.assert_frame_equal(duplicates.find_duplicates(docs, mixed, threshold=0.8), expected)
    assert len(expected) >= 5


def test_a_stored_file_of_another_layout_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "minhash.npy"
    np.save(path, np.zeros((3, 64), dtype=np.uint32))
    signatures = duplicates.Signatures()
    signatures.read(path)
    assert len(signatures) == 0
    path.write_bytes(b"not numpy")
    signatures.read(path)
    assert len(signatures) == 0
