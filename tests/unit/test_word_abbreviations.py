"""A clinical abbreviation of a word ("w/o" for "without") is read by the rules written with the word: the
regex rewrite keeps every other part of a pattern as it was (session 33, round-56 kind K1); a phrase's
abbreviation ("d/t" for "due to") is read where a rule writes the phrase (session 36, round-66 kind K1)."""

from __future__ import annotations

import re

import pytest

from features.sentences import pipeline
from features.word_abbreviations import abbreviations, spelled_out, spelled_token_patterns, spelled_tokens


def test_the_table_holds_the_closed_class() -> None:
    assert abbreviations()["without"] == ("w/o",) and abbreviations()["with"] == ("w/",)
    assert abbreviations()["due to"] == ("d/t", "2/2") and "d/c'd" in abbreviations()["discontinued"]


@pytest.mark.parametrize("pattern, text, found", [
    (r"\bwithout (?:lasting )?relief\b", "PT x 12 w/o lasting relief", True),
    (r"\bwithout (?:lasting )?relief\b", "PT x 12 without relief", True),
    (r"\bwith\b[^.]{0,20}relief", "all w/o relief", False),  # "w/" is no start of "w/o"
    (r"\bwith\b[^.]{0,20}relief", "PT w/ good relief", True),
    (r"\bwithin\b", "w/in", False),  # a longer word is not the table's word
    (r"\bstopped (?:due to|because of) nausea", "stopped d/t nausea", True),
    (r"\bstopped due\s+to\b nausea", "stopped d/t nausea", True),
    (r"\b(?:discontinued|stopped) for nausea", "Norco d/c'd for nausea", True),
    (r"\b(?:discontinued|stopped) for nausea", "Norco dc'd for nausea", True),
    (r"\bdiscontinued\b", "d/c'd", True),
    (r"\bdiscontinued for\b", "d/c'd for", True),
    (r"\bdue tomorrow\b", "d/t tomorrow", False),  # the phrase's words, not a longer one
])
def test_a_pattern_written_with_the_word_reads_its_abbreviation(pattern: str, text: str, found: bool) -> None:
    assert (re.search(spelled_out(pattern), text) is not None) is found


@pytest.mark.parametrize("pattern", [r"(?<!without )relief", r"[with]+", r"withs?", r"w/o (?:contrast|dye)",
                                     r"(?<!due to )pain", r"due to?", r"due tomorrow"])
def test_lookbehinds_sets_quantified_and_abbreviated_words_are_kept(pattern: str) -> None:
    assert spelled_out(pattern) == pattern


def test_a_token_pattern_takes_the_abbreviations_token() -> None:
    assert spelled_tokens([{"LOWER": "without"}, {"LOWER": {"IN": ["relief", "benefit"]}}]) == [
        {"LOWER": {"IN": ["without", "w/o"]}}, {"LOWER": {"IN": ["relief", "benefit"]}}]


def test_a_token_pattern_with_a_phrase_takes_the_phrases_one_token() -> None:
    due = [{"LOWER": {"IN": ["due", "owing"]}}, {"LOWER": {"IN": ["to", "of"]}, "OP": "?"}]
    assert spelled_token_patterns(due) == [due, [{"LOWER": {"IN": ["d/t", "2/2"]}}]]
    assert spelled_token_patterns([{"LOWER": "because"}, {"LOWER": "of"}]) == [
        [{"LOWER": "because"}, {"LOWER": "of"}]]


def test_every_abbreviation_is_one_token() -> None:
    text = "Norco was d/c'd d/t nausea, Tramadol dc'd w/o relief, D/C home."
    tokens = [t.text for t in pipeline().tokenizer(text)]
    assert {"d/c'd", "d/t", "dc'd", "w/o", "D/C"} <= set(tokens)


def test_two_slash_two_is_one_token_and_a_date_keeps_its_own() -> None:
    """ "2/2" ("secondary to", session 39) is one token; a date that starts with it is not cut there."""
    tokens = [t.text for t in pipeline().tokenizer("Tramadol d/c'd 2/2 drowsiness; seen 2/2/2016.")]
    assert "2/2" in tokens and "2/2/2016" in tokens
