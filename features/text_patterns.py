"""Plain-`re` stand-ins for the names `features/service_families.py` still imports.

The word index, its C extension and the regex-parser walking `FastPattern` are gone (issue #17: plain
code instead of speed machinery). `service_families.py` belongs to the taxonomy rework, which replaces
these imports; until it lands, these keep its `classify` working with a plain compiled regex.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator


def ascii_lower(text: str) -> str:
    """Lower-case A-Z only, so the result has the same length and offsets as `text`."""
    return text.lower() if text.isascii() else "".join(c.lower() if "A" <= c <= "Z" else c for c in text)


class FastPattern:
    """A compiled lower-case regex with the search method names the taxonomy calls."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.regex = re.compile(pattern)

    def search_in(self, text: str) -> re.Match[str] | None:
        return self.regex.search(text)

    def search(self, text: str) -> re.Match[str] | None:
        return self.regex.search(text)


def compile_lower(pattern: str) -> FastPattern:
    return FastPattern(pattern.lower())


def heading_words(text: str) -> str:
    """The text itself: patterns search it directly."""
    return text


class PatternIndex:
    """Every rule is a candidate, in order."""

    def __init__(self, patterns: Iterable[FastPattern]) -> None:
        self.n = len(list(patterns))

    def candidates(self, _text: str) -> Iterator[int]:
        return iter(range(self.n))
