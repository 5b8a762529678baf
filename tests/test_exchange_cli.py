"""``corpus export`` / ``corpus import`` end to end on real extraction tables (slow).

Three documents of the demo corpus are extracted once (module fixture); their export is
valid against the REFI-QDA schema and imports back to the predictions ``corpus extract``
writes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from corpus.extract.gold import read_annotations

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CORPUS_SHARED", REPO.parent / "shared"))
CORPUS_BIN = Path(sys.executable).parent / "corpus"
FILES = (
    "qc-2009-rapport-vieillir-chez-soi.txt",
    "fr-2017-communique-tiers-lieu-la-fabrique.txt",
    "qc-2012-projet-covoiturage-rural.txt",
)

pytestmark = pytest.mark.slow


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CORPUS_BIN), *args], capture_output=True, text=True, check=False, env=os.environ
    )


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory, demo_path: Path) -> Path:
    if not CORPUS_BIN.exists():
        pytest.skip("the corpus script is not installed in this environment")
    root = tmp_path_factory.mktemp("qda") / "petit"
    (root / "raw").mkdir(parents=True)
    for name in FILES:
        shutil.copy2(demo_path / "raw" / name, root / "raw" / name)
    shutil.copy2(demo_path / "corpus.yaml", root / "corpus.yaml")
    lines = (demo_path / "metadata.csv").read_text(encoding="utf-8").splitlines()
    kept = [lines[0], *(line for line in lines[1:] if line.split(",", 1)[0] in FILES)]
    (root / "metadata.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    done = _run("extract", str(root), "--out", str(root.parent / "pred"))
    assert done.returncode == 0, done.stderr
    return root


def test_export_is_valid_and_imports_back_to_the_predictions(extracted: Path) -> None:
    out = extracted.parent / "petit.qdpx"
    done = _run("export", str(extracted), "--to", "qdpx", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "3 document(s)" in done.stderr
    if (SHARED / "schemas" / "refi-qda" / "Project.xsd").is_file():
        xmlschema = pytest.importorskip("xmlschema")
        schema = xmlschema.XMLSchema(str(SHARED / "schemas" / "refi-qda" / "Project.xsd"))
        with zipfile.ZipFile(out) as archive:
            schema.validate(archive.read("project.qde").decode("utf-8"))
    imported = extracted.parent / "imported"
    done = _run("import", str(out), "--out", str(imported))
    assert done.returncode == 0, done.stderr
    for name in FILES:
        assert (imported / "raw" / name).is_file()
    gold = read_annotations(imported / "gold")
    predicted = read_annotations(extracted.parent / "pred")
    assert set(gold) == set(predicted)
    for stem, want in predicted.items():
        got = gold[stem]
        assert got.definitions == want.definitions, stem

        def actors(annotation):
            return sorted(
                (a.name, a.sector or "", sorted(a.roles), sorted(a.aliases))
                for a in annotation.actors
            )

        assert actors(got) == actors(want), stem
        for field in ("needs", "stages", "actor_types"):
            assert set(getattr(got, field)) == set(getattr(want, field)), (stem, field)


def test_where_and_table_exports_on_real_tables(extracted: Path) -> None:
    out = extracted.parent / "tables"
    done = _run(
        "export", str(extracted), "--to", "csv", "--out", str(out), "--where", "genre=report"
    )
    assert done.returncode == 0, done.stderr
    assert "1 document(s)" in done.stderr
    import pandas as pd

    dictionary = pd.read_csv(out / "data_dictionary.csv")
    generic = dictionary[dictionary["meaning"].str.startswith("a field added")]
    assert generic.empty, generic[["table", "column"]].to_dict("records")
    bad = _run("export", str(extracted), "--to", "csv", "--out", str(out), "--where", "x=1")
    assert bad.returncode == 2 and "[E-EXPORT-WHERE]" in bad.stderr
