"""Compiled phrase tables (`summary_patterns.yaml`, `body_regions.yaml`) and small text helpers.

Loading is cached per process because the tables are immutable package data; compiling ~60
regexes once keeps feature building fast (thousands of services per second).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

_FLAGS = re.IGNORECASE


def _read_yaml(name: str) -> dict[str, Any]:
    return yaml.safe_load(resources.files("features").joinpath(name).read_text(encoding="utf-8"))


def _compile_tree(node: Any) -> Any:
    if isinstance(node, str):
        return re.compile(node, _FLAGS)
    if isinstance(node, dict):
        return {k: _compile_tree(v) for k, v in node.items()}
    return node


@dataclass(frozen=True)
class TextPatterns:
    """All extractor regexes, compiled. Attribute names follow the YAML keys."""

    p: dict[str, Any]
    number_words: dict[str, int]
    regions: dict[str, re.Pattern[str]]
    summary_groups: dict[str, list[str]]

    def __getitem__(self, key: str) -> Any:
        return self.p[key]


@lru_cache(maxsize=1)
def load_patterns() -> TextPatterns:
    raw = _read_yaml("summary_patterns.yaml")
    words = {str(k).lower(): int(v) for k, v in raw.pop("number_words").items()}
    regions_raw = _read_yaml("body_regions.yaml")
    # Region patterns are case-sensitive for level codes (L5, C6) but not for words: compile per region
    # with IGNORECASE; short codes are anchored by \b so lower-case prose rarely matches them.
    regions = {k: re.compile(v, _FLAGS) for k, v in regions_raw["regions"].items()}
    return TextPatterns(
        p=_compile_tree(raw),
        number_words=words,
        regions=regions,
        summary_groups=regions_raw["summary_groups"],
    )


def to_number(token: str | None, words: dict[str, int]) -> float | None:
    """'12' -> 12.0, 'twelve' -> 12.0, unknown -> None."""
    if token is None:
        return None
    t = token.strip().lower()
    if not t:
        return None
    if t in words:
        return float(words[t])
    try:
        return float(t)
    except ValueError:
        return None


_SENTENCE_END = re.compile(r"(?<!\bDr)(?<!\bvs)(?<!\bno)[.;!?](?=\s+[A-Z(\"]|\s*$)")


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets; good enough for negation scope and co-mention checks."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        bounds.append((start, m.end()))
        start = m.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds


def sentence_of(bounds: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    lo, hi = 0, len(bounds) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        s, e = bounds[mid]
        if pos < s:
            hi = mid - 1
        elif pos >= e:
            lo = mid + 1
        else:
            return s, e
    return (0, 0)


def is_negated(text: str, start: int, sentence_start: int, negation: re.Pattern[str]) -> bool:
    """True when a negation cue precedes the match in its own sentence (within ~45 characters)."""
    return negation.search(text[max(sentence_start, start - 60) : start]) is not None
