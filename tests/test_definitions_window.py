"""The definitions Matcher's window: how far a triggered cue pattern can reach."""

from __future__ import annotations

from spacy.parts_of_speech import IDS

from corpus.nlp.definition_text import _length_bound, _longest_run


def test_length_bound_reads_fixed_tokens_and_pos_stars() -> None:
    pattern = [{"LEMMA": "être"}, {"POS": "ADV", "OP": "*"}, {"LOWER": "de", "OP": "?"}]
    assert _length_bound(pattern) == (2, {IDS["ADV"]: 1})
    assert _length_bound([{"ORTH": ","}, {"OP": "{0,8}"}, {"LOWER": "x"}]) == (10, {})


def test_length_bound_gives_up_on_other_unbounded_tokens() -> None:
    assert _length_bound([{"LOWER": "a"}, {"LOWER": "b", "OP": "*"}]) is None
    assert _length_bound([{"LOWER": "a"}, {"POS": "ADV", "OP": "+"}]) is None
    assert _length_bound([{"LOWER": "a"}, {"OP": "{2,}"}]) is None


def test_longest_run() -> None:
    assert _longest_run([1, 2, 2, 3, 2, 2, 2], 2) == 3
    assert _longest_run([], 2) == 0
    assert _longest_run([1, 3], 2) == 0
