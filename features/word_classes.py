"""Closed word classes kept as data: a list of regex fragments per name, written `${name}` inside a pattern,
so a class grows without touching the patterns that name it (concepts, lexicons, value patterns)."""

from __future__ import annotations

import re

_REFERENCE = re.compile(r"\$\{(\w+)\}")


def add_classes(classes: dict[str, str], words_by_name: dict[str, list[str]], source: str) -> dict[str, str]:
    """`classes` with each class of `words_by_name` added as one regex alternation; a name defined twice is
    an error of `source`."""
    for name, words in words_by_name.items():
        if name in classes:
            raise ValueError(f"{source}: word class {name!r} is defined twice")
        classes[name] = "(?:" + "|".join(words) + ")"
    return classes


def expand(pattern: str, classes: dict[str, str], source: str) -> str:
    """`pattern` with every `${name}` replaced by that class; an unknown name is an error of `source`."""
    unknown = set(_REFERENCE.findall(pattern)) - set(classes)
    if unknown:
        raise ValueError(f"{source}: unknown word class {sorted(unknown)} in {pattern!r}")
    return _REFERENCE.sub(lambda m: classes[m.group(1)], pattern)
