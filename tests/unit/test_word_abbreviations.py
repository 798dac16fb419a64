"""A clinical abbreviation of a word ("w/o" for "without") is read by the rules written with the word: the
regex rewrite keeps every other part of a pattern as it was (session 33, round-56 kind K1)."""

from __future__ import annotations

import re

import pytest

from features.word_abbreviations import abbreviations, spelled_out, spelled_tokens


def test_the_table_holds_the_closed_class() -> None:
    assert abbreviations()["without"] == ("w/o",) and abbreviations()["with"] == ("w/",)


@pytest.mark.parametrize("pattern, text, found", [
    (r"\bwithout (?:lasting )?relief\b", "PT x 12 w/o lasting relief", True),
    (r"\bwithout (?:lasting )?relief\b", "PT x 12 without relief", True),
    (r"\bwith\b[^.]{0,20}relief", "all w/o relief", False),  # "w/" is no start of "w/o"
    (r"\bwith\b[^.]{0,20}relief", "PT w/ good relief", True),
    (r"\bwithin\b", "w/in", False),  # a longer word is not the table's word
])
def test_a_pattern_written_with_the_word_reads_its_abbreviation(pattern: str, text: str, found: bool) -> None:
    assert (re.search(spelled_out(pattern), text) is not None) is found


@pytest.mark.parametrize("pattern", [r"(?<!without )relief", r"[with]+", r"withs?", r"w/o (?:contrast|dye)"])
def test_lookbehinds_sets_quantified_and_abbreviated_words_are_kept(pattern: str) -> None:
    assert spelled_out(pattern) == pattern


def test_a_token_pattern_takes_the_abbreviations_token() -> None:
    assert spelled_tokens([{"LOWER": "without"}, {"LOWER": {"IN": ["relief", "benefit"]}}]) == [
        {"LOWER": {"IN": ["without", "w/o"]}}, {"LOWER": {"IN": ["relief", "benefit"]}}]
