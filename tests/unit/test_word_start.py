"""The `(?=\\w)` guard that lets concept and lexicon patterns skip spaces and punctuation changes no match.

That every concept finds what its plain alternation finds is tests/unit/test_concept_join.py's.
"""

from __future__ import annotations

import re

import pytest

from features.analysis import join_patterns
from features.word_start import begins_at_boundary, starts_at_word_char, word_guarded


@pytest.mark.parametrize("pattern", [
    r"\bfoo", r"foo|bar", r"(?<![\d/.-])[0-4]/5", r"[a-z]+ly", r"\b(?:x)?y", r"(?:a|b)c", r"\d+",
    r"\w", r"(?i:Knee)", r"(?<=had )(?:the )?screws?", r"_x", r"(?>ab)c", r"[0-9_]x",
])
def test_patterns_that_begin_with_a_word_character(pattern: str) -> None:
    assert starts_at_word_char(pattern)


@pytest.mark.parametrize("pattern", [
    r"\+", r"\b(?:positive|\+)", r"[\w-]+", r".x", r"a?", r"\s*x", r"x|", r"[^a]b", r"(?:x|\W)",
    r"(?:[,;]\s*)?(\d+)", r"-?\d", r"'s\b", r"[\W]", r"(", r"x*",
])
def test_patterns_that_may_begin_elsewhere_or_match_nothing(pattern: str) -> None:
    assert not starts_at_word_char(pattern)


def test_the_guard_is_added_once_and_only_where_it_is_safe() -> None:
    assert word_guarded(r"\bknee\b") == r"\b(?=\w)(?:\bknee\b)"  # at a boundary: the \b tested first
    assert word_guarded(r"(?<![\d/])5/5") == r"(?=\w)(?:(?<![\d/])5/5)"  # a letter may stand before
    assert word_guarded(word_guarded(r"\bknee\b")) == word_guarded(r"\bknee\b")
    assert word_guarded(r"\+\d") == r"\+\d"


def test_a_run_is_split_where_a_pattern_may_begin_with_punctuation() -> None:
    joined = join_patterns([r"\bfoo", r"\b(?:\+|plus)", r"\bbar"])
    assert joined.count(r"(?=\w)") == 2
    assert [m.group() for m in re.finditer(joined, "x+ foo plus bar")] == ["+", "foo", "plus", "bar"]


@pytest.mark.parametrize("pattern, at_boundary", [
    (r"\bknee", True),
    (r"(?<!function )(?<!ADLs )\b(?:did|has) not", True),  # zero-width assertions before the \b
    (r"(?-i:\bCA) of", True),  # inside a group
    (r"(?:\ba|\bb)c", True),
    (r"(?:\ba|b)c", False),
    (r"(?<![\w/+.-])(?:0|1\+)", True),  # no word character before, a word character first
    (r"(?<!\w)x", True),
    (r"(?<![^\w])x", False),  # a negated class: a word character may stand before
    (r"(?<![\d/.-])5/5", False),  # a letter may stand before
    (r"(?<=had )(?:the\s|his\s)?screws", True),
    (r"(?<=ha)d", False),
    (r"(?<=had )\s", False),  # the match begins with a space
    (r"(?<![\w/])(?:x|)", False),  # may match nothing
    (r"x\b", False),
])
def test_begins_at_boundary(pattern: str, at_boundary: bool) -> None:
    assert begins_at_boundary(pattern) is at_boundary
