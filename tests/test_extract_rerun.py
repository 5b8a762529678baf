"""A re-run of ``corpus extract`` on an unchanged corpus costs nothing: no spaCy at all.

Each check runs in a fresh process (this test process has spaCy imported already).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "ingest"))

import ingest_builders as b

#: Runs ``corpus ARGS`` in-process, then prints what it imported as JSON.
CLI_CHILD = r"""
import json, sys
from corpus.cli import main
sys.argv = ["corpus", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"exit": code, "spacy": "spacy" in sys.modules}))
"""


def run_child(code: str, *args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_staleness_check_and_an_unchanged_ingest_import_no_heavy_library() -> None:
    code = (
        "import json, sys\n"
        "import corpus, corpus.cli, corpus.cli.extract, corpus.extract.run, corpus.nlp\n"
        "import corpus.ingest.pipeline\n"
        "from corpus.extract.tables import TABLE_NAMES\n"
        "from corpus.nlp.pipeline import expected_fingerprint\n"
        "from corpus.scorers.registry import scorers_fingerprint\n"
        "expected_fingerprint(), scorers_fingerprint(store_root=None)\n"
        "libraries = ('spacy', 'sklearn', 'scipy', 'trafilatura', 'pypdf', 'datasketch')\n"
        "heavy = [m for m in libraries if m in sys.modules]\n"
        "print(json.dumps({'heavy': heavy, 'tables': len(TABLE_NAMES)}))\n"
    )
    result = run_child(code)
    assert result["heavy"] == [] and result["tables"]


@pytest.mark.slow
def test_an_unchanged_rerun_loads_no_model_and_rewrites_only_edited_files(
    tmp_path: Path,
) -> None:
    root = b.make_corpus(tmp_path / "c")
    for number, paragraph in enumerate(b.PARAGRAPHS):
        b.write(root / "raw" / f"doc{number}.txt", paragraph + "\n\n" + b.PARAGRAPHS[0])
    out = tmp_path / "out"
    cold = run_child(CLI_CHILD, "extract", str(root), "--out", str(out))
    assert cold == {"exit": 0, "spacy": True}
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(out.glob("*.yaml"))}
    assert len(files) == len(b.PARAGRAPHS)

    (out / "doc1.yaml").write_text("edited by hand\n", encoding="utf-8")
    (out / "doc2.yaml").unlink()
    untouched = (out / "doc0.yaml").stat().st_mtime_ns
    again = run_child(CLI_CHILD, "extract", str(root), "--out", str(out))
    assert again == {"exit": 0, "spacy": False}
    assert {p.name: p.read_text(encoding="utf-8") for p in sorted(out.glob("*.yaml"))} == files
    assert (out / "doc0.yaml").stat().st_mtime_ns == untouched

    b.write(root / "raw" / "doc3.txt", "Une phrase nouvelle sur le jardin partagé du quartier.")
    assert run_child(CLI_CHILD, "ingest", "-q", str(root))["exit"] == 0
    changed = run_child(CLI_CHILD, "extract", str(root), "--out", str(out))
    assert changed == {"exit": 0, "spacy": True}
    assert (out / "doc3.yaml").is_file()
