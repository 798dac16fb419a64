"""The `(?=\\w)` guard that lets concept and lexicon patterns skip spaces and punctuation changes no match.

SYNTHETIC text only (the project's generator and hand-written phrasings).
"""

from __future__ import annotations

import re

import pytest

from features.analysis import concept_patterns, concept_regexes, join_patterns
from features.casefold import lower_pattern, lower_text
from features.word_start import starts_at_word_char, word_guarded
from synthetic.corpus import iter_letters
from synthetic.generative_model import GeneratorSettings


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
    assert word_guarded(r"\bknee\b") == r"(?=\w)(?:\bknee\b)"
    assert word_guarded(word_guarded(r"\bknee\b")) == word_guarded(r"\bknee\b")
    assert word_guarded(r"\+\d") == r"\+\d"


def _texts() -> list[str]:
    letters = [text for _, text in iter_letters(40, GeneratorSettings(seed=11))]
    edge = ("Babinski +, + Babinski, reflexes 3+/4, strength 4/5, x+ y, -4/5, 4-/5 grip, had the screws out. "
            "Reflex+ Babinski. He is s/p L4-5 fusion; he'd no weakness.  "
            "The worker's knee-MRI (02/2019) showed a tear.")
    return [lower_text(t) for t in [*letters, edge]]


def test_every_concept_finds_what_its_plain_alternation_finds() -> None:
    """The joined, guarded concept pattern against the plain `|` of its patterns, match by match."""
    texts = _texts()
    for name, patterns in concept_regexes().items():
        plain = re.compile(lower_pattern("|".join(f"(?:{p})" for p in patterns)))
        served = concept_patterns()[name]
        for text in texts:
            assert [m.span() for m in served.finditer(text)] == [m.span() for m in plain.finditer(text)], name


def test_a_run_is_split_where_a_pattern_may_begin_with_punctuation() -> None:
    joined = join_patterns([r"\bfoo", r"\b(?:\+|plus)", r"\bbar"])
    assert joined.count(r"(?=\w)") == 2
    assert [m.group() for m in re.finditer(joined, "x+ foo plus bar")] == ["+", "foo", "plus", "bar"]
