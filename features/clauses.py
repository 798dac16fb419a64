"""Clauses of a sentence and word-list patterns: what the function and failed-care readers share (and where
a clause starts, which every fact reader asks).

Both read a statement inside one clause (a care mention and its outcome, an activity and its change), and
both keep their word lists as data, compiled here into one alternation each.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from features.casefold import ASCII_WORDS
from features.word_start import word_guarded

if TYPE_CHECKING:  # a type only: reading clauses needs no spaCy, which features.sentences imports
    from features.sentences import Sentence


def alternatives(items: list[str]) -> re.Pattern[str]:
    """One case-insensitive pattern matching any of `items` (regular expressions) as whole words."""
    return re.compile(alternatives_source(items), re.IGNORECASE | ASCII_WORDS)


def alternatives_source(items: list[str]) -> str:
    """The source `alternatives` compiles, for a list read only by its lower-cased twin (`compile_folded`)."""
    return word_guarded(r"\b(?:" + "|".join(f"(?:{i})" for i in items) + r")\b")


def clauses(s: Sentence, clause_break: re.Pattern[str]) -> Iterator[tuple[int, str]]:
    """(offset in the sentence, text) of each clause of `s`, split where `clause_break` matches."""
    start = 0
    for b in clause_break.finditer(s.text):
        yield start, s.text[start:b.start()]
        start = b.end()
    yield start, s.text[start:]


def clause_start(text: str, sentence_start: int, pos: int) -> int:
    """Where the clause holding `pos` starts: after the last comma, semicolon or colon before it."""
    return max(sentence_start, *(text.rfind(c, sentence_start, pos) + 1 for c in ",;:"))


def clause_end(text: str, pos: int, sentence_end: int) -> int:
    """Where the clause holding `pos` ends: at the first comma or semicolon after it, else the sentence's end
    (the words told of a mention: its count's noun, side or region)."""
    return min((i for i in (text.find(c, pos, sentence_end) for c in ",;") if i != -1), default=sentence_end)


def clause_start_at(text: str, clause_break: re.Pattern[str], pos: int, start: int = 0) -> int:
    """Where the clause holding `pos` starts when a reader's own `clause_break` splits `text` from `start`:
    the end of the last break between `start` and `pos`, else `start` (`clause_start` splits at punctuation
    only)."""
    last = start
    for b in clause_break.finditer(text, start, pos):
        last = b.end()
    return last
