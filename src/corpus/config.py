"""Corpus folders and their ``corpus.yaml``.

A corpus is a folder holding ``corpus.yaml`` and ``raw/`` (the files, never modified),
optionally ``metadata.csv`` and ``gold/``. A plain folder of files is accepted too: its
files are the raw files, and since we never write into a user's folder of sources its
store lives under the user cache (``$CORPUS_HOME`` or ``~/.cache/corpus``).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from corpus.errors import ConfigError, CorpusNotFoundError

CONFIG_NAME = "corpus.yaml"
RAW_DIR_NAME = "raw"
DEFAULT_STORE_NAME = ".corpus"


@dataclass(frozen=True)
class CorpusConfig:
    """Settings read from ``corpus.yaml`` (all optional).

    Attributes:
        name: Short name of the corpus (defaults to the folder name).
        description: Free text.
        language: Expected language code; documents in another language are flagged.
        max_file_size_mb: Files larger than this are rejected.
        near_duplicate_threshold: Jaccard similarity (MinHash estimate) above which two
            documents are reported as near duplicates.
        defaults: Free defaults for analyses (seed, thresholds...), read by notebooks.
        store: Store folder, relative to the corpus folder unless absolute.
    """

    name: str
    description: str = ""
    language: str = "fr"
    max_file_size_mb: float = 50.0
    near_duplicate_threshold: float = 0.8
    defaults: dict[str, Any] = field(default_factory=dict)
    store: str | None = None


def _user_store_home() -> Path:
    home = os.environ.get("CORPUS_HOME")
    if home:
        return Path(home)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "corpus"


@dataclass(frozen=True)
class CorpusLocation:
    """Where a corpus's raw files, config and store are.

    Attributes:
        path: The folder the user named.
        raw_dir: The folder of raw files.
        config_path: ``corpus.yaml`` if present, else ``None`` (a plain folder).
        store_dir: The derived-data store folder.
        config: The parsed settings.
    """

    path: Path
    raw_dir: Path
    config_path: Path | None
    store_dir: Path
    config: CorpusConfig

    @property
    def is_plain_folder(self) -> bool:
        """True for a folder of files without ``corpus.yaml``."""
        return self.config_path is None

    @property
    def metadata_csv(self) -> Path | None:
        """The sidecar ``metadata.csv`` (corpus root first, then ``raw/``), if any."""
        for candidate in (self.path / "metadata.csv", self.raw_dir / "metadata.csv"):
            if candidate.is_file():
                return candidate
        return None


def load_config(path: Path) -> CorpusConfig:
    """Parse ``corpus.yaml`` at ``path``.

    Raises:
        ConfigError: The file is not valid YAML or has a field of the wrong type.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"invalid YAML ({exc})", path=path, hint="Fix the syntax of corpus.yaml."
        ) from exc
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping of settings", path=path)
    ingest: dict[str, Any] = data.get("ingest") or {}
    known = {f for f in CorpusConfig.__dataclass_fields__}
    # Settings may sit under `ingest:` or at the top level (older corpus.yaml files).
    max_size: Any = ingest.get("max_file_size_mb", data.get("max_file_size_mb", 50))
    threshold: Any = ingest.get(
        "near_duplicate_threshold", data.get("near_duplicate_threshold", 0.8)
    )
    try:
        return CorpusConfig(
            name=str(data.get("name") or path.parent.name),
            description=str(data.get("description") or ""),
            language=str(data.get("language") or "fr"),
            max_file_size_mb=float(max_size),
            near_duplicate_threshold=float(threshold),
            defaults=dict(data.get("defaults") or {}),
            store=str(data["store"]) if data.get("store") else None,
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"a setting has the wrong type ({exc}); known settings: {sorted(known)}", path=path
        ) from exc


def locate(path: str | Path, *, store: str | Path | None = None) -> CorpusLocation:
    """Resolve a corpus folder or a plain folder of files.

    Args:
        path: The folder the user named.
        store: Overrides the store folder.

    Raises:
        CorpusNotFoundError: ``path`` does not exist or is not a folder.
    """
    folder = Path(path).expanduser()
    if not folder.exists():
        raise CorpusNotFoundError(
            "no such corpus folder", path=folder, hint="Check the path (corpus_path)."
        )
    if not folder.is_dir():
        raise CorpusNotFoundError(
            "not a folder", path=folder, hint="Give the folder that holds the documents."
        )
    folder = folder.resolve()
    config_path = folder / CONFIG_NAME
    if config_path.is_file():
        config = load_config(config_path)
        raw_dir = folder / RAW_DIR_NAME if (folder / RAW_DIR_NAME).is_dir() else folder
        store_dir = folder / (config.store or DEFAULT_STORE_NAME)
        return CorpusLocation(folder, raw_dir, config_path, Path(store or store_dir), config)
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:12]
    default_store = _user_store_home() / "stores" / f"{folder.name}-{digest}"
    return CorpusLocation(
        folder, folder, None, Path(store or default_store), CorpusConfig(name=folder.name)
    )
