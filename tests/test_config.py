"""Locating corpora: corpus folders, plain folders, corpus.yaml settings and their errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from corpus.config import locate
from corpus.errors import EXIT_USAGE, ConfigError, CorpusNotFoundError


def make_corpus(root: Path, config: str) -> Path:
    (root / "raw").mkdir(parents=True)
    (root / "raw" / "a.txt").write_text("Un texte.", encoding="utf-8")
    (root / "corpus.yaml").write_text(config, encoding="utf-8")
    return root


def test_corpus_folder_reads_its_settings(tmp_path: Path) -> None:
    folder = make_corpus(
        tmp_path / "chaire",
        "name: chaire\nlanguage: fr\ningest:\n  max_file_size_mb: 2\n"
        "  near_duplicate_threshold: 0.9\ndefaults:\n  seed: 7\n",
    )
    location = locate(folder)
    assert not location.is_plain_folder
    assert location.raw_dir == folder.resolve() / "raw"
    assert location.store_dir == folder.resolve() / ".corpus"
    assert location.config.name == "chaire"
    assert location.config.max_file_size_mb == 2.0
    assert location.config.near_duplicate_threshold == 0.9
    assert location.config.defaults == {"seed": 7}


def test_top_level_ingest_settings_are_still_read(tmp_path: Path) -> None:
    folder = make_corpus(tmp_path / "ancien", "max_file_size_mb: 3\n")
    config = locate(folder).config
    assert config.max_file_size_mb == 3.0
    assert config.name == "ancien"  # the folder name when corpus.yaml names none


def test_store_setting_and_override(tmp_path: Path) -> None:
    folder = make_corpus(tmp_path / "c", "store: derived\n")
    assert locate(folder).store_dir == folder.resolve() / "derived"
    assert locate(folder, store=tmp_path / "elsewhere").store_dir == tmp_path / "elsewhere"


def test_plain_folder_store_goes_to_corpus_home(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Un texte.", encoding="utf-8")
    location = locate(folder)
    assert location.is_plain_folder
    assert location.raw_dir == folder.resolve()
    home = Path(os.environ["CORPUS_HOME"])
    assert location.store_dir.parent == home / "stores"
    assert location.store_dir.name.startswith("docs-")
    # Nothing is written into a plain folder of the user's files.
    assert not (folder / ".corpus").exists()


def test_two_plain_folders_of_one_name_get_two_stores(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "docs", tmp_path / "b" / "docs"
    first.mkdir(parents=True)
    second.mkdir(parents=True)
    assert locate(first).store_dir != locate(second).store_dir


def test_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusNotFoundError, match=r"E-CORPUS-NOT-FOUND.*no such corpus folder"):
        locate(tmp_path / "absent")
    file = tmp_path / "a.txt"
    file.write_text("x", encoding="utf-8")
    with pytest.raises(CorpusNotFoundError, match="not a folder") as caught:
        locate(file)
    assert caught.value.exit_code == EXIT_USAGE


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("name: [unclosed\n", "invalid YAML"),
        ("- a list\n- not a mapping\n", "expected a mapping"),
        ("ingest:\n  max_file_size_mb: beaucoup\n", "wrong type"),
    ],
)
def test_bad_corpus_yaml_names_the_file(tmp_path: Path, config: str, message: str) -> None:
    folder = make_corpus(tmp_path / "c", config)
    with pytest.raises(ConfigError, match=message) as caught:
        locate(folder)
    assert str(folder / "corpus.yaml") in str(caught.value)
    assert caught.value.exit_code == EXIT_USAGE
