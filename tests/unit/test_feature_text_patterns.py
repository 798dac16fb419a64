"""FastPattern must find exactly what the plain regex finds: it only skips positions that cannot start a
match (literal-start prefilter), so every speed change to it is checked here against `re` itself."""

from __future__ import annotations

import re
from typing import Any

import pytest

from features.synth.corpus import iter_letters
from features.synth.generative_model import GeneratorSettings
from features.text_patterns import FastPattern, WordText, _without_extensions, ascii_lower, load_patterns


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


# ---- WordText: patterns found through word starts -------------------------------------------
_ADVERSARIAL = [
    "",
    "fracture",  # match at text start and end
    "no fracture.",
    "Fracture of the L5 in 2015; 5/5 strength, x-ray, s/p repair, MVA, pt, PT.",  # upper case stays upper
    "infracture structure the he xfx fx_ 5fx l55 l5-s1 l4 l5",  # candidates inside words
    "no not nor no evidence of fracture; nono nofracture",  # overlapping literal starts
    "a\u2014fracture caf\u00e9 \u00e9fx \u00a0mri\u00a0ct",  # non-ASCII non-word and word characters
    "ct ct ct mri mris MRI's x-ray xray x rays",
    "40 year old male aged 40, age: 40; 5-year-old",
]


def _word_led(pats: list[FastPattern]) -> list[FastPattern]:
    return [p for p in pats if p.word_keys is not None]


def test_word_text_lists_every_word_start_under_its_first_two_characters() -> None:
    for text in _ADVERSARIAL + ["  double  blanks\t\nand_under_scores 12ab", "\u00e9t\u00e9 4\u00e9 x"]:
        w = WordText(text)
        assert w.blanked == re.sub(r"\W", " ", text)
        four: dict[str, list[int]] = {}
        two: dict[str, list[int]] = {}
        for m in re.finditer(r"\w+", text):
            four.setdefault(m.group()[:4], []).append(m.start())
            key = m.group()[:2]
            if not key.isascii() and key[0].isascii():
                key = key[0] + "_"
            two.setdefault(key, []).append(m.start())
        assert (w.by_four, w.by_two) == (four, two)


def test_search_in_and_findall_in_equal_plain_regex(texts: list[str]) -> None:
    pats = _word_led(_patterns())
    assert len(pats) > 40  # most summary patterns go through word starts
    docs = texts + [ascii_lower(t) for t in _ADVERSARIAL] + _ADVERSARIAL
    for fp in pats:
        plain = re.compile(fp.pattern)
        for text in docs:
            w = WordText(text)
            n = len(text)
            for pos, end in ((0, n), (7, n), (0, n // 2), (n // 3, n - 5), (n, n)):
                if end < pos:
                    continue
                want = plain.search(text, pos, end)
                got = fp.search_in(w, pos, end)
                assert (got and got.span()) == (want and want.span()), (fp.pattern, text[:40], pos, end)
                want_all = [(m.span(), m.groups()) for m in plain.finditer(text, pos, end)]
                got_all = [(m.span(), m.groups()) for m in fp.findall_in(w, pos, end)]
                assert got_all == want_all, (fp.pattern, text[:40], pos, end)


def test_patterns_that_are_not_word_led_fall_back_to_the_plain_scan() -> None:
    p = load_patterns()
    assert p["pain_score"].word_keys is None  # starts with a look-behind, not \b
    assert p["age"].word_keys is not None and "ag" in p["age"].word_keys  # \b in every branch
    text = "pain 7/10 at 11/2015, 3 out of 10"
    w = WordText(text)
    assert [m.span() for m in p["pain_score"].findall_in(w)] == [
        m.span() for m in re.finditer(p["pain_score"].pattern, text)]


def test_single_character_starts_only_hit_word_starts() -> None:
    fp = FastPattern(r"\b(\d{2})[- ]year")
    assert fp.word_keys is not None and set("0123456789") <= fp.word_keys
    w = WordText("in 2015 a 45-year old, x45-year, 145 year")
    assert [m.span() for m in fp.findall_in(w)] == [(10, 17)]
