"""The value-reading patterns of `value_patterns.yaml`, compiled once (case-insensitive), and number words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from features.casefold import ASCII_WORDS
from features.package_data import read_yaml
from features.style import person_class, possessive_class, the_person_class
from features.word_classes import add_classes, expand
from features.word_start import word_guarded
from features.written_dates import month_name_class, month_words


@dataclass(frozen=True)
class ValuePatterns:
    patterns: dict[str, Any]  # name -> compiled regex, or a dict of them (sex, ur_chapters)
    number_words: dict[str, float]
    dose_frequencies: dict[str, float]  # a drug's frequency as written ("bid", "twice a day") -> doses a day

    def __getitem__(self, name: str) -> Any:
        return self.patterns[name]

    def number(self, token: str | None) -> float | None:
        """'12' -> 12.0, 'twelve' -> 12.0, 'two and a half' -> 2.5, anything else -> None."""
        if token is None:
            return None
        token = " ".join(token.strip().lower().split())
        if token.endswith(" and a half"):
            whole = self.number(token.removesuffix(" and a half"))
            return None if whole is None else whole + 0.5
        if token.replace(".", "", 1).isdigit():
            return float(token)
        return self.number_words.get(token)

    def doses_a_day(self, token: str) -> float | None:
        """'B.I.D.' -> 2.0, 'three times a day' -> 3.0: the written frequency without dots, spaces joined."""
        key = " ".join(token.lower().replace(".", "").split())
        return self.dose_frequencies.get(key) or self.dose_frequencies.get(key.replace(" ", ""))


def _compile(value: Any, classes: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _compile(v, classes) for k, v in value.items()}
    return re.compile(word_guarded(expand(value, classes, "value_patterns.yaml")),
                      re.IGNORECASE | ASCII_WORDS)


@lru_cache(maxsize=1)
def value_patterns() -> ValuePatterns:
    """Every pattern compiled, each `${name}` in it replaced by that closed word class of the file's
    `word_classes` (a list of regex fragments, joined as alternatives: a class grows without touching a
    pattern)."""
    raw = read_yaml("value_patterns.yaml")
    words = {str(k).lower(): float(v) for k, v in raw.pop("number_words").items()}
    doses = {str(k).lower(): float(v) for k, v in raw.pop("dose_frequencies").items()}
    # the writer's words for the worker; the months' names, and with their abbreviations (style_words.yaml)
    person = {"person": person_class(), "the_person": the_person_class(), "possessive": possessive_class(),
              "month_name": month_name_class(), "month": "(?:" + "|".join(month_words()) + ")"}
    # the classes several facts share (word_classes.yaml: `cause_word`, session 34), then the file's own
    shared = add_classes(person, read_yaml("word_classes.yaml")["word_classes"], "word_classes.yaml")
    classes = add_classes(shared, raw.pop("word_classes", {}), "value_patterns.yaml")
    return ValuePatterns({k: _compile(v, classes) for k, v in raw.items()}, words, doses)
