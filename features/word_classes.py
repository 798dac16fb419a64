"""Closed word classes kept as data: a list of regex fragments per name, written `${name}` inside a pattern,
so a class grows without touching the patterns that name it (concepts, lexicons, value patterns)."""

from __future__ import annotations

import re

from features.word_abbreviations import spelled_out

_REFERENCE = re.compile(r"\$\{(\w+)\}")
_NESTING = 4


def add_classes(classes: dict[str, str], words_by_name: dict[str, list[str]], source: str) -> dict[str, str]:
    """`classes` with each class of `words_by_name` added as one regex alternation; a name defined twice is
    an error of `source`."""
    for name, words in words_by_name.items():
        if name in classes:
            raise ValueError(f"{source}: word class {name!r} is defined twice")
        classes[name] = "(?:" + "|".join(words) + ")"
    return classes


def expand(pattern: str, classes: dict[str, str], source: str) -> str:
    """`pattern` with every `${name}` replaced by that class, and a class's own `${name}` in turn (a lexicon's
    class may name `${possessive}`); an unknown name is an error of `source`. A word with a clinical
    abbreviation ("without": "w/o", `word_abbreviations.yaml`) then matches it too, as letters write it."""
    for _ in range(_NESTING + 1):
        names = set(_REFERENCE.findall(pattern))
        if not names:
            return spelled_out(pattern)
        if names - set(classes):
            raise ValueError(f"{source}: unknown word class {sorted(names - set(classes))} in {pattern!r}")
        pattern = _REFERENCE.sub(lambda m: classes[m.group(1)], pattern)
    raise ValueError(f"{source}: word classes nested deeper than {_NESTING} in {pattern!r}")
