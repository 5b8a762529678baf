"""Regenerate the reference classes of IRaMuTeQ and rainette kept in tests/data/reinert_reference.

The matrices are those of ``tests/lexico_reference.py`` (planted classes drawn from a
seed, and the demo corpus's stored matrix). Each is written as Matrix Market and
classified by the references' own R code, run by ``iramuteq_chd.R`` and
``rainette_chd.R`` beside this file (they take the path of a local checkout; nothing of
either program is kept in this repository). Needs R with the Debian packages
``r-base-core r-cran-matrix r-cran-ape r-cran-irlba`` (IRaMuTeQ) and ``r-cran-rcpp
r-cran-rspectra r-cran-purrr r-cran-progressr`` (rainette), and a C++ compiler.

Usage::

    .venv/bin/python tests/reference/reinert_reference.py \\
        --iramuteq PATH/TO/iramuteq --rainette PATH/TO/rainette [--matrices demo ...] \\
        [--iramuteq-origin URL --rainette-origin URL]

The stored files were made from github.com/emilienschultz/webiramuteq (a public copy
of IRaMuTeQ 0.8 with its Rscripts; IRaMuTeQ's own repository is on Huma-Num's GitLab)
and github.com/juba/rainette, at the commits their headers give.
    .venv/bin/python tests/reference/reinert_reference.py --rebuild-demo

``--rebuild-demo`` rebuilds ``demo.mtx`` from ``corpora/demo`` (our segments and spaCy
lemmas, active lemmas in 3 segments or more, segments without one dropped); the
reference classes of the demo must then be regenerated too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import scipy.io
import scipy.sparse as sp

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))

from lexico_reference import (  # noqa: E402
    DATA,
    DEMO,
    MATRICES,
    PLANTED,
    load_matrix,
    matrix_sha,
)

CALLS = {
    "iramuteq": (
        "CHD(data1, x = k - 1, mode.patate = FALSE, svd.method = '{svd}') after set.seed({seed});"
        " mincl = round(nrow(chd1$n1) / k); find.terminales(chd1$n1, chd1$list_mere,"
        " chd1$list_fille, mincl); make.classes(...) (as PrintRScript.RchdTxt writes for"
        " classif_mode = 1)"
    ),
    "rainette": (
        "rainette(dtm, k = k, min_segment_size = 0, min_split_members = 5, cc_test = 0.3,"
        " tsj = 3) (quanteda's dfm replaced by a dgCMatrix, see rainette_chd.R)"
    ),
}
SCRIPTS = {"iramuteq": ("Rscripts/CHD.R", "Rscripts/chdtxt.R", "Rscripts/anacor.R"),
           "rainette": ("R/rainette.R", "src/Rcpp_functions.cpp")}  # fmt: skip


def _run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


def _describe_checkout(path: Path, files: tuple[str, ...], origin: str | None) -> list[str]:
    try:
        commit = _run(["git", "-C", str(path), "rev-parse", "HEAD"])
        remote = origin or _run(["git", "-C", str(path), "config", "--get", "remote.origin.url"])
    except (SystemExit, OSError):
        commit, remote = "unknown", origin or "unknown"
    lines = [f"checkout: {remote} commit {commit}"]
    for name in files:
        digest = hashlib.sha256((path / name).read_bytes()).hexdigest()[:16]
        lines.append(f"file: {name} sha256 {digest}")
    return lines


def _r_versions(packages: list[str]) -> str:
    code = "cat(R.version.string);" + "".join(
        f"cat('; {p}', as.character(packageVersion('{p}')));" for p in packages
    )
    return _run(["Rscript", "-e", code])


def run_reference(
    method: str,
    checkout: Path,
    name: str,
    *,
    svd: str,
    seed: int,
    workdir: Path,
    origin: str | None = None,
) -> None:
    """Classify one matrix with one reference and write its classes file."""
    matrix, k = load_matrix(name)
    mtx = workdir / f"{name}.mtx"
    scipy.io.mmwrite(mtx, sp.coo_matrix(matrix.astype(np.int64)), field="integer")
    raw = workdir / f"{name}.{method}.raw.csv"
    if method == "iramuteq":
        command = ["Rscript", str(HERE / "iramuteq_chd.R"), str(checkout), str(mtx), str(k),
                   str(raw), svd, str(seed)]  # fmt: skip
        packages = ["Matrix", "ape", "irlba"]
    else:
        command = ["Rscript", str(HERE / "rainette_chd.R"), str(checkout), str(mtx), str(k),
                   str(raw)]  # fmt: skip
        packages = ["Matrix", "Rcpp", "RSpectra", "purrr", "progressr"]
    summary = _run(command)
    header = [
        f"matrix: {name} ({matrix.shape[0]} rows x {matrix.shape[1]} terms, "
        f"{matrix.nnz} ones, sha {matrix_sha(matrix)})",
        f"k: {k}",
        f"reference: {'IRaMuTeQ' if method == 'iramuteq' else 'rainette'}",
        *_describe_checkout(checkout, SCRIPTS[method], origin),
        f"call: {CALLS[method].format(svd=svd, seed=seed)}",
        f"runner: tests/reference/{command[1].rsplit('/', 1)[-1]}",
        f"R: {_r_versions(packages)}",
        f"reference said: {summary}",
        f"produced: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by "
        "tests/reference/reinert_reference.py",
    ]
    target = DATA / f"{name}.{method}.csv"
    body = raw.read_text("utf-8")
    target.write_text("".join(f"# {line}\n" for line in header) + body, "utf-8")
    print(f"{target.relative_to(REPO)}: {summary}")


def rebuild_demo() -> None:
    """Write demo.mtx: the demo corpus's segments × active lemmas (our pipeline)."""
    import corpus

    with tempfile.TemporaryDirectory() as store:
        handle = corpus.open(REPO / "corpora" / "demo", store=store)
        matrix, terms = handle.lexico().matrix(min_frequency=3)
    matrix = matrix[np.diff(matrix.indptr) > 0].tocsr()
    DATA.mkdir(parents=True, exist_ok=True)
    scipy.io.mmwrite(
        DATA / "demo.mtx",
        sp.coo_matrix(matrix.astype(np.int64)),
        field="integer",
        comment=(
            "corpora/demo: segments (40 words, IRaMuTeQ's cut) x active lemmas present in "
            f"3 segments or more (spaCy fr_core_news_md); segments without one dropped; "
            f"{matrix.shape[0]} x {len(terms)}; columns: sorted lemmas; "
            "written by tests/reference/reinert_reference.py --rebuild-demo"
        ),
    )
    print(f"demo.mtx: {matrix.shape}, sha {matrix_sha(matrix)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iramuteq", type=Path, help="a checkout of IRaMuTeQ")
    parser.add_argument("--rainette", type=Path, help="a checkout of rainette")
    parser.add_argument("--iramuteq-origin", help="where the IRaMuTeQ checkout comes from")
    parser.add_argument("--rainette-origin", help="where the rainette checkout comes from")
    parser.add_argument("--matrices", nargs="+", choices=MATRICES, default=list(MATRICES))
    parser.add_argument("--svd", default="irlba", choices=["irlba", "svdR"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild-demo", action="store_true")
    args = parser.parse_args(argv)
    if args.rebuild_demo:
        rebuild_demo()
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.matrices:
            for method, checkout, origin in (
                ("iramuteq", args.iramuteq, args.iramuteq_origin),
                ("rainette", args.rainette, args.rainette_origin),
            ):
                if checkout is not None:
                    run_reference(
                        method,
                        checkout,
                        name,
                        svd=args.svd,
                        seed=args.seed,
                        workdir=Path(tmp),
                        origin=origin,
                    )
    return 0


if __name__ == "__main__":
    assert set(PLANTED) | {DEMO} == set(MATRICES)
    raise SystemExit(main())
