"""Shortcuts the feature readers take for speed (issue #17) must find exactly what the plain search finds:
the activity list searched lower-cased in ASCII text instead of with IGNORECASE (`function_change`), and body
regions tried only where one joined scan finds a region word (`body_regions.BodyRegions.find`, session 32)."""

from __future__ import annotations

import dataclasses
import random
import re
from pathlib import Path

import pytest

from features.body_regions import RegionMention, body_regions
from features.casefold import lower_text
from features.function_change import function_lexicon
from features.package_data import parse_yaml

# one round (42 SYNTHETIC summaries) keeps the check near a second
PROBE = Path(__file__).resolve().parents[2] / "experiments" / "summary_probe_r14.yaml"


def _summaries() -> list[str]:
    data = parse_yaml(PROBE.read_text())  # libyaml: the same data as yaml.safe_load, ~10x sooner
    letters = data["letters"] if isinstance(data, dict) else data
    return [letter["summary"] for letter in letters]


def _mixed_case_words(n: int) -> list[str]:
    """Strings of the activity list's words in random case, with endings and punctuation after them."""
    rng = random.Random(17)
    words = re.findall(r"[a-z]+", function_lexicon().activity.pattern)
    return [" ".join("".join(c.upper() if rng.random() < 0.3 else c for c in rng.choice(words))
                     + rng.choice(["", "ing", "s", "-", ".", ","]) for _ in range(rng.randint(1, 12)))
            for _ in range(n)]


def test_folded_activity_list_finds_what_ignorecase_finds_in_ascii_text() -> None:
    lex = function_lexicon()
    texts = [t for t in [*_summaries(), *_mixed_case_words(2000)] if t.isascii()]
    assert len(texts) > 2000
    for text in texts:
        assert [m.span() for m in lex.activity_folded.finditer(text.lower())] == \
            [m.span() for m in lex.activity.finditer(text)], text


def _every_region(text: str, start: int, end: int) -> list[RegionMention]:
    """`BodyRegions.find` as it was: every region's pattern scanned over the whole window."""
    regions = body_regions()
    out = [RegionMention(name, regions.side_of(text, m.start(), m.end(), start, end), m.start(), m.end())
           for name, pat in regions.regions.items() for m in pat.finditer(text, start, end)]
    return sorted(out, key=lambda r: r.start)


def test_regions_from_the_first_region_word_are_every_region() -> None:
    regions = body_regions()
    edge = "left knee, lumbar spine; thoracolumbar L4-5, s/p ACDF, right shoulder, femoral neck, both hands"
    for text in [lower_text(t) for t in [*_summaries(), edge]]:
        windows = [(0, len(text))]
        windows += [(i, min(len(text), i + w)) for i in range(0, len(text), 37) for w in (20, 90)]
        for start, end in windows:
            assert regions.find(text, start, end) == _every_region(text, start, end), (start, end)


def test_a_region_pattern_that_matches_no_text_is_refused() -> None:
    """Session 32: `find` tries each region where the joined scan finds one, as a region's own scan would
    there; a region pattern matching nothing (a lexicon error: regions are words) would make its own scan go
    on differently, so it stops the reading instead of giving other mentions."""
    regions = body_regions()
    empty = re.compile(r"(?:knee)?")
    broken = dataclasses.replace(regions, regions={**regions.regions, "knee": empty},
                                 any_region=re.compile(f"{regions.any_region.pattern}|{empty.pattern}"))
    with pytest.raises(ValueError, match="knee"):
        broken.find("the worker had no elbow pain")
