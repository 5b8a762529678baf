"""Exact and near duplicates, reported as pairs; nothing is dropped.

* Exact: two files whose clean texts are equal share a ``doc_id``; every pair of their
  paths is reported with ``kind="exact"`` and similarity 1.0.
* Near: MinHash signatures (datasketch, 128 permutations, CRC-32 shingle hashes) of
  each document's set of word 5-shingles (lower-cased words), candidate pairs from
  MinHash LSH at the threshold, then kept if the estimated Jaccard similarity is at
  least the threshold (``corpus.yaml`` ``ingest.near_duplicate_threshold``, default
  0.8: four fifths of the shingles shared, e.g. the same article with another header
  or a few edits).
"""

from __future__ import annotations

import hashlib
import itertools
import re
import zlib
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SHINGLE = 5
SCHEME = "affine32"
COLUMNS = ["doc_id_a", "doc_id_b", "path_a", "path_b", "kind", "similarity"]

_WORD = re.compile(r"\w+")


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> Any:
    """The permutations of the MinHash family (computed once, shared by all signatures)."""
    return MinHash(num_perm=num_perm, seed=1, scheme=SCHEME).permutations


def signature(text: str, *, num_perm: int = NUM_PERM, shingle: int = SHINGLE) -> np.ndarray:
    """MinHash signature (uint64 array) of ``text``'s word shingles."""
    words = _WORD.findall(text.lower())
    if len(words) < shingle:
        grams = {" ".join(words).encode("utf-8")}
    else:
        grams = {
            " ".join(words[i : i + shingle]).encode("utf-8")
            for i in range(len(words) - shingle + 1)
        }
    minhash = MinHash(
        num_perm=num_perm,
        seed=1,
        scheme=SCHEME,
        hashfunc=zlib.crc32,
        permutations=_permutations(num_perm),
    )
    minhash.update_batch(list(grams))
    return minhash.hashvalues.astype(np.uint64)


def _band_key(band: bytes) -> bytes:
    """Short, stable key of one LSH band."""
    return hashlib.blake2b(band, digest_size=8).digest()


def _minhash(values: np.ndarray) -> MinHash:
    return MinHash(
        num_perm=NUM_PERM,
        seed=1,
        hashvalues=values,
        scheme=SCHEME,
        permutations=_permutations(NUM_PERM),
    )


def find_duplicates(
    docs: Iterable[tuple[str, str]],
    signatures: dict[str, np.ndarray],
    *,
    threshold: float = 0.8,
) -> pd.DataFrame:
    """Pairs of exact and near duplicates.

    Args:
        docs: ``(doc_id, path)`` of every document.
        signatures: MinHash signature per ``doc_id``.
        threshold: Near-duplicate Jaccard threshold.

    Returns:
        The duplicates table (:data:`COLUMNS`), sorted.
    """
    paths: dict[str, list[str]] = defaultdict(list)
    for doc_id, path in docs:
        paths[doc_id].append(path)
    rows: list[dict[str, object]] = []
    for doc_id, group in paths.items():
        for a, b in itertools.combinations(sorted(group), 2):
            rows.append(
                {
                    "doc_id_a": doc_id,
                    "doc_id_b": doc_id,
                    "path_a": a,
                    "path_b": b,
                    "kind": "exact",
                    "similarity": 1.0,
                }
            )
    ids = sorted(d for d in paths if d in signatures)
    if len(ids) > 1:
        # bands hashed to 8 bytes and MinHash objects made on the fly: the memory per
        # document stays near its signature (a band collision only adds a candidate,
        # which the Jaccard check below filters)
        lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, hashfunc=_band_key)
        for doc_id in ids:
            lsh.insert(doc_id, _minhash(signatures[doc_id]))
        seen: set[tuple[str, str]] = set()
        for doc_id in ids:
            for other in lsh.query(_minhash(signatures[doc_id])):
                pair = (min(doc_id, other), max(doc_id, other))
                if other == doc_id or pair in seen:
                    continue
                seen.add(pair)
                first_sig, second_sig = signatures[pair[0]], signatures[pair[1]]
                similarity = float(np.count_nonzero(first_sig == second_sig)) / len(first_sig)
                if similarity < threshold:
                    continue
                for a, b in itertools.product(sorted(paths[pair[0]]), sorted(paths[pair[1]])):
                    first, second = (pair, (a, b)) if a <= b else ((pair[1], pair[0]), (b, a))
                    rows.append(
                        {
                            "doc_id_a": first[0],
                            "doc_id_b": first[1],
                            "path_a": second[0],
                            "path_b": second[1],
                            "kind": "near",
                            "similarity": round(similarity, 4),
                        }
                    )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    if len(frame):
        frame = frame.sort_values(["kind", "path_a", "path_b"], ignore_index=True)
    else:
        frame = frame.astype({column: "str" for column in COLUMNS[:5]})
    return frame.astype({"similarity": "float64"})
