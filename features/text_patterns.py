"""Plain-`re` stand-ins for the names `features/service_families.py` still imports (`type_pattern`).

The word index, its C extension and the regex-parser walking `FastPattern` are gone (issue #17: plain
code instead of speed machinery); `FastPattern` is now a compiled regex with the method names the
taxonomy calls. The extractors do not use these.
"""

from __future__ import annotations

import re


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
