"""The joined concept regexes (`features.analysis.join_patterns`): patterns that start at a word boundary are
written behind one shared `\\b` (and `(?=\\w)` where every match begins with a word character,
features.word_start) for speed, and the join must find exactly what the plain alternation finds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from features.analysis import _top_level_alternatives, concept_regexes, join_patterns, leading_group
from features.casefold import compile_folded, lower_pattern, lower_text

# one round (42 SYNTHETIC summaries) keeps the check near a second
PROBES = [Path(__file__).resolve().parents[2] / "experiments" / "summary_probe_r14.yaml"]


def _summaries() -> list[str]:
    """The SYNTHETIC summaries of a blind probe round (hundreds of sentences of varied writing)."""
    texts = []
    for path in PROBES:
        data = yaml.safe_load(path.read_text())
        letters = data["letters"] if isinstance(data, dict) else data
        texts += [lower_text(letter["summary"]) for letter in letters]
    # signs that begin with punctuation after a word ("reflex+ babinski"), which a `(?=\w)` guard would miss
    edge = ("Babinski +, + Babinski, reflexes 3+/4, strength 4/5, x+ y, -4/5, 4-/5 grip, had the screws out. "
            "Reflex+ Babinski. He is s/p L4-5 fusion; he'd no weakness.  "
            "The worker's knee-MRI (02/2019) showed a tear.")
    return [*texts, lower_text(edge)]


@pytest.mark.parametrize("pattern, alternatives", [
    (r"\ba|\bb", [r"\ba", r"\bb"]),
    (r"\ba(?:b|c)d|e", [r"\ba(?:b|c)d", "e"]),
    (r"[|]x|\by", ["[|]x", r"\by"]),
    (r"[]|]x|[^]|]y", ["[]|]x", "[^]|]y"]),
    (r"\|x|\by", [r"\|x", r"\by"]),
])
def test_top_level_alternatives(pattern: str, alternatives: list[str]) -> None:
    assert _top_level_alternatives(pattern) == alternatives


def test_only_patterns_all_of_whose_alternatives_start_at_a_word_boundary_share_it() -> None:
    joined = join_patterns([r"\ba", r"\bb|\bc", r"(?<!x)d", r"\be|f", r"\bg"])
    assert joined == (r"\b(?=\w)(?:(?:\ba)|(?:\bb)|(?:\bc))|(?:(?=\w)(?:(?<!x)d))|\b(?=\w)(?:(?:\be))"
                      r"|(?:(?=\w)(?:f))|\b(?=\w)(?:(?:\bg))")
    plain = "|".join(f"(?:{p})" for p in [r"\ba", r"\bb|\bc", r"(?<!x)d", r"\be|f", r"\bg"])
    text = "xd ad f e g of"
    assert re.findall(joined, text) == re.findall(plain, text) == ["a", "d", "f", "e", "g", "f"]


def test_every_concept_finds_what_the_plain_alternation_finds() -> None:
    texts = _summaries()
    assert len(texts) >= 40
    for name, patterns in concept_regexes().items():
        plain = re.compile(lower_pattern("|".join(f"(?:{p})" for p in patterns)))  # unguarded
        shared = compile_folded(join_patterns(patterns))
        for text in texts:
            assert [m.span() for m in shared.finditer(text)] == [m.span() for m in plain.finditer(text)], name


def test_a_lookbehind_that_rules_out_a_word_character_before_joins_the_boundary_run() -> None:
    patterns = [r"\bknee", r"(?<![\w/])3\+", r"(?<=had )(?:the )?screws", r"(?<![\d/])4/5", r"(?<=ha)d"]
    joined = join_patterns(patterns)
    assert joined.startswith(r"\b(?=\w)(?:(?:\bknee)|(?:\b(?<![\w/])3\+)|(?:\b(?<=had )(?:the )?screws))|")
    plain = "|".join(f"(?:{p})" for p in patterns)
    text = "knee x3+ 3+ /3+ had the screws, hadscrews had screws 4/5 a4/5 /4/5 had"
    assert [m.span() for m in re.finditer(joined, text)] == [m.span() for m in re.finditer(plain, text)]


@pytest.mark.parametrize("pattern, group", [
    (r"\b(?:car|bus) hit", "(?:car|bus)"),
    (r"\b(?:a(?:b|c)|[)(])d", "(?:a(?:b|c)|[)(])"),
    (r"\b(?:car|bus)? hit", None),
    (r"\b(?:car|bus){2}", None),
    (r"\bcar (?:hit)", None),
    (r"(?:car|bus) hit", None),
])
def test_leading_group(pattern: str, group: str | None) -> None:
    assert leading_group(pattern) == group


def test_alternatives_next_to_each_other_that_open_alike_share_one_lookahead() -> None:
    patterns = [r"\b(?:cars?|bus) (?:hit|struck)", r"\b(?:cars?|bus) crash", r"\bfell",
                r"\b(?:cars?|bus) rolled"]
    joined = join_patterns(patterns)
    assert joined.count(r"(?=(?:cars?|bus))") == 1  # the last one is not next to the others: kept as it is
    plain = "|".join(f"(?:{p})" for p in patterns)
    text = "cars hit, car crash, bus struck him, a bus rolled, he fell, car rolled, busy crash, scar hit"
    assert [m.span() for m in re.finditer(joined, text)] == [m.span() for m in re.finditer(plain, text)]
