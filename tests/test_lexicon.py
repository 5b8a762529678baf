"""Lexicon helpers: phrase syntax, pattern files, taxonomies, matching (blank French)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from corpus.errors import ConfigError
from corpus.nlp.lexicon import (
    Match,
    PatternEntry,
    PatternSet,
    entry_from_dict,
    inflections,
    load_lexicon,
    load_patterns,
    load_taxonomy,
    longest_first,
    longest_per_label,
    non_overlapping,
    optional_patterns,
    per_label,
    phrase_to_pattern,
    resource_file,
)


@pytest.fixture(scope="module")
def blank():
    return spacy.blank("fr")


def test_inflections_cover_plural_feminine_and_aux() -> None:
    assert {"social", "sociale", "sociaux", "sociales"} <= set(inflections("social"))
    assert {"âgé", "âgée", "âgés", "âgées"} <= set(inflections("âgé"))
    assert "personne" in inflections("personne") and "personnes" in inflections("personne")
    assert "personnee" not in inflections("personne")
    assert "mise en oeuvre" not in inflections("œuvre")
    assert "oeuvre" in inflections("œuvre")


def test_phrase_syntax() -> None:
    pattern = phrase_to_pattern("~lutter contre [DET] pauvreté|précarité [*2] =x")
    assert pattern[0] == {"LEMMA": {"IN": ["lutter"]}}
    assert pattern[2] == {"POS": "DET", "OP": "?"}
    assert "précarités" in pattern[3]["LOWER"]["IN"]
    assert pattern[4] == {"OP": "{0,2}"}
    assert pattern[5] == {"LOWER": {"IN": ["x"]}}
    with pytest.raises(ConfigError):
        phrase_to_pattern("[FOO] mot")
    with pytest.raises(ConfigError):
        phrase_to_pattern("[DET]")


def test_pattern_set_matches_inflected_forms(blank) -> None:
    entries = [
        entry_from_dict({"id": "a", "label": "logement", "phrase": "logement social"}),
        entry_from_dict({"id": "b", "label": "logement", "phrase": "logement", "weight": 0.5}),
        entry_from_dict({"id": "c", "label": "sante", "pattern": [{"LOWER": "santé"}]}),
    ]
    patterns = PatternSet(blank.vocab, entries)
    doc = blank("Les logements sociaux et la santé.")
    found = longest_per_label(patterns(doc))
    assert [(m.entry.id, m.span(doc).text) for m in found] == [
        ("a", "logements sociaux"),
        ("c", "santé"),
    ]
    assert found[0].entry.weight == 1.0


def test_load_patterns_and_errors(tmp_path: Path) -> None:
    good = tmp_path / "p.jsonl"
    good.write_text(
        "# comment\n\n"
        + json.dumps({"id": "x", "label": "l", "phrase": "mot", "weight": 0.5})
        + "\n",
        encoding="utf-8",
    )
    entries = load_patterns(good)
    assert len(entries) == 1 and entries[0].weight == 0.5
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 1"):
        load_patterns(bad)
    dup = tmp_path / "dup.jsonl"
    line = json.dumps({"id": "x", "label": "l", "phrase": "mot"})
    dup.write_text(line + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="duplicate"):
        load_patterns(dup)
    with pytest.raises(ConfigError):
        entry_from_dict({"id": "x", "label": "l"})
    with pytest.raises(ConfigError):
        load_patterns(tmp_path / "missing.jsonl")


def test_load_taxonomy(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("items:\n  - id: a\n    label: A\n  - id: b\n", encoding="utf-8")
    taxonomy = load_taxonomy(path)
    assert list(taxonomy) == ["a", "b"]
    assert taxonomy["a"].label == "A" and taxonomy["b"].label == "b"
    path.write_text("items:\n  - id: a\n  - id: a\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="duplicate"):
        load_taxonomy(path)
    path.write_text("foo: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_taxonomy(path)


def test_packaged_resources_are_valid(blank) -> None:
    for kind in ("needs", "stages"):
        taxonomy = load_taxonomy(resource_file(None, kind, "taxonomy.yaml"))
        entries = load_patterns(resource_file(None, kind, "patterns.jsonl"))
        assert {e.label for e in entries} == set(taxonomy)  # every item has patterns
        PatternSet(blank.vocab, entries)  # spaCy validates every pattern
        context = resource_file(None, kind, "context.jsonl")
        PatternSet(blank.vocab, load_patterns(context))


def test_resource_override_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        resource_file(tmp_path / "nope", "needs", "patterns.jsonl")
    with pytest.raises(ConfigError):
        resource_file(tmp_path, "needs", "patterns.jsonl")
    assert resource_file(tmp_path, "needs", "free.jsonl", required=False) is None
    (tmp_path / "patterns.jsonl").write_text("", encoding="utf-8")
    assert resource_file(tmp_path, "needs", "patterns.jsonl") == tmp_path / "patterns.jsonl"


def test_anchor_prefilter_finds_what_a_full_matcher_finds(blank) -> None:
    from spacy.matcher import Matcher

    entries = load_patterns(resource_file(None, "needs", "patterns.jsonl"))
    lower_only = [
        e for e in entries if all(set(t) <= {"LOWER", "OP"} for t in e.pattern)
    ]  # blank docs have no lemmas or POS
    patterns = PatternSet(blank.vocab, lower_only)
    full = Matcher(blank.vocab)
    for entry in lower_only:
        full.add(entry.id, [entry.pattern])
    text = (
        "Le logement social, la petite enfance et les personnes âgées isolées ; "
        "l'économie circulaire et le chômage. Des épiceries solidaires contre la précarité."
    )
    doc = blank(text)
    expected = sorted((blank.vocab.strings[k], s, e) for k, s, e in full(doc))
    got = sorted((m.entry.id, m.start, m.end) for m in patterns(doc))
    assert got == expected and len(got) >= 6


def test_required_token_precheck_keeps_every_match(blank) -> None:
    # Each entry has required tokens besides its anchor; windows lacking one are skipped
    # before the Matcher runs, and the matches must be those of a Matcher run on every
    # sentence (optional, negated and zero-minimum tokens are never required).
    from spacy.matcher import Matcher

    raw = [
        {"id": "a", "label": "x", "phrase": "besoin|besoins en logement"},
        {"id": "b", "label": "x", "pattern": [{"LOWER": "aide"}, {"ORTH": "Sociale"}]},
        {"id": "c", "label": "x", "pattern": [{"LOWER": "très", "OP": "+"}, {"LOWER": "isolées"}]},
        {"id": "d", "label": "x", "pattern": [{"LOWER": "lutte"}, {"LOWER": "pas", "OP": "!"}]},
        {
            "id": "e",
            "label": "x",
            "pattern": [{"LOWER": "accès"}, {"OP": "{0,2}"}, {"LOWER": "soins"}],
        },
        {
            "id": "f",
            "label": "x",
            "pattern": [{"LOWER": "petite"}, {"LOWER": "enfance", "OP": "?"}],
        },
        {
            "id": "g",
            "label": "x",
            "pattern": [{"LOWER": "emploi"}, {"LOWER": "local", "OP": "{1,2}"}],
        },
    ]
    entries = [entry_from_dict(obj) for obj in raw]
    patterns = PatternSet(blank.vocab, entries)
    full = Matcher(blank.vocab)
    for entry in entries:
        full.add(entry.id, [entry.pattern])
    sentences = [
        "Des besoins en logement pressants .",
        "Un besoin de logement , une aide sociale .",
        "Les Aide Sociale et aide aux personnes très très isolées .",
        "Personnes isolées et très seules .",
        "La lutte contre la pauvreté ; la lutte pas finie .",
        "Un accès aux soins , un accès rapide et gratuit aux soins .",
        "La petite enfance , la petite .",
        "Un emploi local local , un emploi régional , un emploi .",
    ]
    doc = blank(" ".join(sentences))
    bounds, at = [], 0
    for sentence in sentences:
        n = len(blank(sentence))
        bounds.append((at, at + n))
        at += n
    assert at == len(doc)
    expected = sorted(
        (blank.vocab.strings[k], a + s, a + e) for a, b in bounds for k, s, e in full(doc[a:b])
    )
    got = sorted((m.entry.id, m.start, m.end) for m in patterns(doc, bounds))
    assert got == expected
    assert {ident for ident, _, _ in got} == set("abcdefg")


def test_max_length_of_patterns() -> None:
    from corpus.nlp.lexicon import _max_length

    assert _max_length([{"LOWER": "a"}, {"LOWER": "b", "OP": "?"}, {"OP": "!"}]) == 3
    assert _max_length([{"LOWER": "a"}, {"OP": "{0,8}"}, {"LOWER": "b", "OP": "{2}"}]) == 11
    assert _max_length([{"LOWER": "a"}, {"POS": "ADV", "OP": "*"}]) is None
    assert _max_length([{"LOWER": "a", "OP": "+"}]) is None
    assert _max_length([{"LOWER": "a", "OP": "{1,}"}]) is None


def test_anchor_windows_find_what_a_sentence_run_finds(blank) -> None:
    # Bounded patterns run on the tokens around their anchors only: anchors far apart
    # in one long sentence, at its edges, and close enough for windows to merge.
    from spacy.matcher import Matcher

    raw = [
        ("e", [{"LOWER": "accès"}, {"OP": "{0,2}"}, {"LOWER": "soins"}]),
        ("f", [{"LOWER": "petite"}, {"LOWER": "enfance", "OP": "?"}]),
        ("h", [{"LOWER": "les", "OP": "?"}, {"LOWER": "aînés"}]),
    ]
    entries = [entry_from_dict({"id": i, "label": "x", "pattern": p}) for i, p in raw]
    patterns = PatternSet(blank.vocab, entries)
    full = Matcher(blank.vocab)
    for entry in entries:
        full.add(entry.id, [entry.pattern])
    filler = " ".join(["mot"] * 30)
    text = (
        f"aînés accès aux soins {filler} petite enfance petite {filler} les aînés "
        f"accès rapide aux soins accès soins {filler} petite"
    )
    doc = blank(text)
    expected = sorted((blank.vocab.strings[k], s, e) for k, s, e in full(doc))
    got = sorted((m.entry.id, m.start, m.end) for m in patterns(doc, [(0, len(doc))]))
    assert got == expected and len(got) >= 8


def test_load_lexicon_checks_labels_against_the_taxonomy(blank, tmp_path: Path) -> None:
    (tmp_path / "taxonomy.yaml").write_text("items:\n  - id: logement\n", encoding="utf-8")
    patterns = tmp_path / "patterns.jsonl"
    patterns.write_text(
        json.dumps({"id": "l", "label": "logement", "phrase": "logement"}) + "\n",
        encoding="utf-8",
    )
    taxonomy, found = load_lexicon(blank.vocab, str(tmp_path), "needs", "need")
    assert list(taxonomy) == ["logement"] and len(found) == 1
    # An optional file that is absent gives an empty set, not an error.
    assert len(optional_patterns(blank.vocab, str(tmp_path), "needs", "context.jsonl")) == 0
    patterns.write_text(
        json.dumps({"id": "s", "label": "sante", "phrase": "santé"}) + "\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="need patterns with labels not in the taxonomy: sante"):
        load_lexicon(blank.vocab, str(tmp_path), "needs", "need")


def test_non_overlapping_keeps_the_best_by_key() -> None:
    short = Match(PatternEntry("short", "a", [{"LOWER": "mise"}], weight=1.0), 0, 1)
    long = Match(PatternEntry("long", "a", [{"LOWER": "mise"}], weight=0.5), 0, 3)
    other = Match(PatternEntry("other", "b", [{"LOWER": "mise"}]), 0, 1)
    assert [m.entry.id for m in non_overlapping([short, long], longest_first)] == ["long"]
    kept = per_label([short, long, other], lambda m: (-m.entry.weight, m.start))
    assert sorted(m.entry.id for m in kept) == ["other", "short"]
