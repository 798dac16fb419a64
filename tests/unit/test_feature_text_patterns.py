"""FastPattern must find exactly what the plain regex finds: it only skips positions that cannot start a
match (literal-start prefilter), so every speed change to it is checked here against `re` itself."""

from __future__ import annotations

import re
from typing import Any

import pytest

from features.synth.corpus import iter_letters
from features.synth.generative_model import GeneratorSettings
from features.text_patterns import FastPattern, _without_extensions, ascii_lower, load_patterns


def _all_patterns(node: Any) -> list[FastPattern]:
    if isinstance(node, FastPattern):
        return [node]
    if isinstance(node, dict):
        return [p for v in node.values() for p in _all_patterns(v)]
    return []


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Synthetic letter texts (lower-cased like the summaries) plus edge cases around spinal levels."""
    letters = [ascii_lower(t) for _, t in iter_letters(25, GeneratorSettings(seed=5))]
    edge = "l5-s1 and l4 l5, c5-6 c7-t1 t12 xl5 l55 4/5 strength, no relief from therapy. " * 5
    return letters + [edge, edge[:120], ""]


def _patterns() -> list[FastPattern]:
    p = load_patterns()
    return _all_patterns(p.p) + list(p.regions.values())


def test_search_and_finditer_equal_plain_regex(texts: list[str]) -> None:
    pats = _patterns()
    assert sum(p.starts is not None for p in pats) > 40  # the prefilter is actually exercised
    for fp in pats:
        plain = re.compile(fp.pattern)
        for text in texts:
            for pos in (0, 7):
                want = plain.search(text, pos)
                got = fp.search(text, pos)
                assert (got and got.span()) == (want and want.span()), fp.pattern
                want_all = [m.span() for m in plain.finditer(text, pos) if m.end() > m.start()]
                got_all = [m.span() for m in fp.finditer(text, pos)]
                assert got_all == want_all, fp.pattern


def test_lazy_finditer_stops_early_with_the_same_first_match(texts: list[str]) -> None:
    fp = load_patterns()["request_cue"]
    text = max(texts, key=len)
    first = next(fp.finditer(text), None)
    assert first is not None and first.span() == re.search(fp.pattern, text).span()


def test_spinal_levels_get_two_character_starts() -> None:
    lumbar = load_patterns().regions["lumbar"]
    assert lumbar.starts is not None and "l5" in lumbar.starts and "l" not in lumbar.starts
    assert FastPattern(r"\bc[2-7]\b").starts == [f"c{i}" for i in range(2, 8)]


def test_starts_extended_by_a_shorter_start_are_dropped() -> None:
    assert _without_extensions(["not", "no", "nor", "absent", "absence", "no evidence"]) == [
        "absence", "absent", "no"]
