"""Case-insensitive matching without `re.IGNORECASE`: text and patterns are lower-cased once.

Python's `re` runs about 40% slower with IGNORECASE on these alternation-heavy patterns, so concept and
region patterns are compiled lower-cased and searched in lower-cased text. `lower_text` keeps every
character offset, so a match's offsets still index the original text (and evidence quotes it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from features.word_start import word_guarded

ASCII_WORDS = re.ASCII
r"""The flag the lexicons' patterns are compiled with: `\w`, `\b`, `\d`, `\s` and IGNORECASE as ASCII
defines them. Unicode's own tests look each character up in its tables (session 44: about 13% of building
a SYNTHETIC letter's features); a text with no non-ASCII letter, digit or space (the letters' ° and × are
neither) is read the same either way."""

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# ... and the only non-ASCII characters `re.IGNORECASE` takes for an ASCII letter (all of Unicode checked,
# Python 3.11): dotted and dotless I, long s, Kelvin sign, written as that letter (`folded_text`)
_ASCII_FOLD = {**_ASCII_LOWER, **str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})}
# a character written as an escape in a pattern: \xhh, \uhhhh, \Uhhhhhhhh, \N{NAME}
_CHAR_ESCAPE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|N\{([^}]*)\})")


def lower_text(text: str) -> str:
    """A-Z lower-cased, nothing else changed: same length and offsets as `text` (str.lower can change
    the length of some non-ASCII characters)."""
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


_ESCAPE = re.compile(r"(\\.)", re.DOTALL)  # a backslash and the character it escapes


def lower_pattern(pattern: str) -> str:
    """`pattern` with its literal letters lower-cased; escapes (\\B, \\W, \\S, \\D, ...) are kept. Split at
    the escapes, so the text between them is lower-cased by one `translate`, not a character at a time."""
    parts = _ESCAPE.split(pattern)  # text, escape, text, ...
    parts[::2] = [p.translate(_ASCII_LOWER) for p in parts[::2]]
    return "".join(parts)


def compile_folded(pattern: str) -> re.Pattern[str]:
    """The lower-cased pattern, compiled: search it in `lower_text(...)`."""
    return re.compile(word_guarded(lower_pattern(pattern)), ASCII_WORDS)


def folded_text(text: str) -> str:
    """`text` as a caseless ASCII pattern compiled with IGNORECASE reads it, for that pattern's lower-cased
    twin (`compile_folded`) to find the same spans in any text, not only an ASCII one: A-Z lower-cased and
    the four non-ASCII letters IGNORECASE matches to an ASCII one written as it. Same length and offsets."""
    return text.lower() if text.isascii() else text.translate(_ASCII_FOLD)


def names_no_cased_non_ascii(pattern: str) -> bool:
    """Whether `pattern` is ASCII and every character it writes as an escape has no case: what `folded_text`
    needs for its twin to find what IGNORECASE finds (an escaped "\\u00c9" would match "é", "\\x4b" "k")."""
    if not pattern.isascii():
        return False
    for m in _CHAR_ESCAPE.finditer(pattern):
        hx = m.group(1) or m.group(2) or m.group(3)
        c = chr(int(hx, 16)) if hx else unicodedata.lookup(m.group(4))
        if c.lower() != c.upper():
            return False
    return True


def folded_spans(folded: re.Pattern[str], plain: re.Pattern[str], text: str,
                 lower: str | None = None) -> list[tuple[int, int]]:
    """Spans of `plain` (compiled with IGNORECASE) in `text`, found by its lower-cased twin `folded`
    (`compile_folded`) when `text` is ASCII (`lower`: the text lower-cased, when the caller has it): the same
    spans, in half to a third of the time on long word lists."""
    if text.isascii():
        return [m.span() for m in folded.finditer(text.lower() if lower is None else lower)]
    return [m.span() for m in plain.finditer(text)]


@dataclass(frozen=True)
class FoldedSearch:
    """Whether a pattern compiled with IGNORECASE (`plain`) is found in a text: in an ASCII text by its
    lower-cased twin (`compile_folded`) in the lower-cased text, as `folded_spans` finds spans; another text
    is searched as written. Session 31: a letter's claim kinds in about 70% of the time."""

    plain: re.Pattern[str]
    folded: re.Pattern[str]

    @classmethod
    def of(cls, plain: re.Pattern[str]) -> FoldedSearch:
        return cls(plain, compile_folded(plain.pattern))

    def spans(self, text: str) -> list[tuple[int, int]]:
        """The spans of `plain` in `text` (`folded_spans`)."""
        return folded_spans(self.folded, self.plain, text)

    def found_in(self, text: str, lower: str | None) -> bool:
        """`lower`: `text` lower-cased when it is ASCII, else None."""
        return (self.plain.search(text) if lower is None else self.folded.search(lower)) is not None
