"""Which scorers are in force: the shipped ones, or a corpus's adapted ones.

Shipped scorers live in the package (``corpus/scorers/models/<name>.json``), written by
``corpus train``. ``corpus learn`` writes adapted scorers into a corpus's store
(``<store>/scorers/<name>.json``); from then on they win for that corpus, until
``corpus learn --reset`` removes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus.store import fingerprint, sha256_file

if TYPE_CHECKING:  # scikit-learn: loaded with a scorer, not by a staleness check
    from corpus.scorers.model import ScorerSet

SHIPPED_DIR = Path(__file__).resolve().parent / "models"
ADAPTED_SUBDIR = "scorers"
# The decisions a trained scorer can take; a field without a file keeps its rules' decision.
SCORER_NAMES = ("definitions", "actors", "sectors", "roles", "needs", "stages")


def adapted_dir(store_root: Path) -> Path:
    """Where a corpus's adapted scorers live (``<store>/scorers``)."""
    return Path(store_root) / ADAPTED_SUBDIR


def scorer_path(name: str, *, store_root: Path | None = None) -> Path | None:
    """The file in force for ``name``: adapted first, then shipped; ``None`` if neither."""
    if store_root is not None:
        adapted = adapted_dir(store_root) / f"{name}.json"
        if adapted.is_file():
            return adapted
    shipped = SHIPPED_DIR / f"{name}.json"
    return shipped if shipped.is_file() else None


_CACHE: dict[tuple[str, str], ScorerSet] = {}


def load_scorer_set(name: str, *, store_root: Path | None = None) -> ScorerSet | None:
    """The scorer set in force for ``name`` (cached by file content), or ``None``.

    Args:
        name: One of :data:`SCORER_NAMES`.
        store_root: A corpus's store, whose adapted scorers win over the shipped ones.

    Raises:
        ScorerError: The file in force is unreadable.
    """
    path = scorer_path(name, store_root=store_root)
    if path is None:
        return None
    key = (str(path), sha256_file(path))
    if key not in _CACHE:
        from corpus.scorers.model import ScorerSet

        scorer_set = ScorerSet.load(path)
        scorer_set.meta.setdefault("origin", "shipped" if path.parent == SHIPPED_DIR else "adapted")
        _CACHE[key] = scorer_set
    return _CACHE[key]


def load_all(
    *, store_root: Path | None = None, names: Iterable[str] = SCORER_NAMES
) -> dict[str, ScorerSet | None]:
    """Every scorer set in force, by name (``None`` where no file exists)."""
    return {name: load_scorer_set(name, store_root=store_root) for name in names}


def scorers_fingerprint(*, store_root: Path | None = None) -> str:
    """Hash of the scorer files in force: part of the extraction tables' staleness key."""
    parts = []
    for name in SCORER_NAMES:
        path = scorer_path(name, store_root=store_root)
        parts.append((name, sha256_file(path) if path else None))
    return fingerprint(parts)


def provenance(*, store_root: Path | None = None) -> dict[str, Any]:
    """What ran, for manifests and reports: per scorer, its origin, file hash and training."""
    out: dict[str, Any] = {}
    for name in SCORER_NAMES:
        path = scorer_path(name, store_root=store_root)
        if path is None:
            out[name] = {"origin": "rules"}
            continue
        scorer_set = load_scorer_set(name, store_root=store_root)
        meta = scorer_set.meta if scorer_set else {}
        out[name] = {
            "origin": "adapted" if path.parent != SHIPPED_DIR else "shipped",
            "sha256": sha256_file(path),
            "training_fingerprint": meta.get("training_fingerprint"),
            "version": meta.get("version"),
        }
    return out
