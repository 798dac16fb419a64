"""Patterns that can only match from a word character, told apart so the search skips other positions.

Python's `re` tries every alternative of a joined concept pattern at every position where its leading `\\b`
holds, the ends of words included. When every match must begin with a word character, a leading `(?=\\w)`
changes no match but fails at once at spaces and punctuation: about a third less regex time on the summaries
(benchmarks/features.py). Whether a pattern begins with a word character is read from its parse tree,
conservatively: anything not provably a word character (`.`, a negated class, a back-reference) says no.
"""

from __future__ import annotations

import re
from functools import lru_cache
from re import _constants as _c  # type: ignore[attr-defined]  # Python 3.11's parser (sre_parse's home)
from re import _parser as _p  # type: ignore[attr-defined]

_WORD_CHAR = re.compile(r"\w")
_ZERO_WIDTH = {_c.AT, _c.ASSERT, _c.ASSERT_NOT}
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT}
_WORD_CATEGORIES = {_c.CATEGORY_WORD, _c.CATEGORY_DIGIT, _c.CATEGORY_UNI_WORD, _c.CATEGORY_UNI_DIGIT}


def word_guarded(pattern: str) -> str:
    """`pattern` behind `(?=\\w)` when every match of it begins with a word character, else unchanged; behind
    `\\b(?=\\w)` when every match also begins at a word boundary (`begins_at_boundary`): the same matches,
    but `re` tests the `\\b` in place and fails most positions before it runs the lookahead (a quarter less
    time on a pattern searched through a summary)."""
    if pattern.startswith(("(?=\\w)", "\\b(?=\\w)")) or not starts_at_word_char(pattern):
        return pattern
    return f"\\b(?=\\w)(?:{pattern})" if begins_at_boundary(pattern) else f"(?=\\w)(?:{pattern})"


def starts_at_word_char(pattern: str) -> bool:
    """Whether every match of `pattern` (compiled without flags) begins with a word character; False when
    unsure, and for a pattern that can match the empty string."""
    return _opening(pattern)[0]


@lru_cache(maxsize=4096)
def _opening(pattern: str) -> tuple[bool, bool]:
    """(`starts_at_word_char`, `begins_at_boundary`) of `pattern` from one parse: both are asked of the same
    patterns (`word_guarded`, `analysis.join_patterns`), and the pure-Python parse is what they cost (about
    0.4 s of a fresh process parsed each pattern twice)."""
    try:
        items = list(_p.parse(pattern, 0))
    except re.error:
        return False, False
    word, can_be_empty = _first(items)
    return word and not can_be_empty, _at_boundary(items)


def _first(items: list) -> tuple[bool, bool]:
    """(every first character is a word character, the sequence can match nothing) of a parsed sequence."""
    for op, av in items:
        word, empty = _item(op, av)
        if not word:
            return False, False
        if not empty:
            return True, False
    return True, True


def _item(op, av) -> tuple[bool, bool]:
    if op in _ZERO_WIDTH:
        return True, True  # consumes nothing: the next item decides
    if op is _c.LITERAL:
        return bool(_WORD_CHAR.match(chr(av))), False
    if op is _c.IN:
        return _class_is_word(av), False
    if op is _c.CATEGORY:
        return av in _WORD_CATEGORIES, False
    if op is _c.SUBPATTERN:
        return _first(list(av[3]))
    if op is _c.ATOMIC_GROUP:
        return _first(list(av))
    if op is _c.BRANCH:
        results = [_first(list(alt)) for alt in av[1]]
        return all(w for w, _ in results), any(e for _, e in results)
    if op in _REPEATS:
        lo, _hi, sub = av
        word, empty = _first(list(sub))
        return word, empty or lo == 0
    return False, False  # ANY, NOT_LITERAL, GROUPREF, conditionals ...: not provably a word character


def _class_is_word(items: list) -> bool:
    for op, av in items:
        if op is _c.LITERAL:
            ok = bool(_WORD_CHAR.match(chr(av)))
        elif op is _c.RANGE:
            ok = all(_WORD_CHAR.match(chr(c)) for c in range(av[0], av[1] + 1))
        elif op is _c.CATEGORY:
            ok = av in _WORD_CATEGORIES
        else:  # NEGATE and anything else
            ok = False
        if not ok:
            return False
    return True


def begins_at_boundary(pattern: str) -> bool:
    """Whether every match of `pattern` (compiled without flags) begins at a word boundary, so that one shared
    `\\b` may stand before it: it opens with `\\b` (behind other zero-width assertions or inside a group), or
    with a lookbehind that rules out a word character before it (`(?<![\\w/])`, `(?<=had )`) where every match
    begins with a word character. False when unsure."""
    return _opening(pattern)[1]


def _at_boundary(items: list) -> bool:
    for i, (op, av) in enumerate(items):
        if op is _c.AT:
            if av is _c.AT_BOUNDARY:
                return True
            continue
        if op in (_c.ASSERT, _c.ASSERT_NOT):
            direction, sub = av
            if direction < 0 and _no_word_char_before(op, list(sub)):
                word, can_be_empty = _first(items[i + 1:])
                if word and not can_be_empty:
                    return True
            continue  # another zero-width assertion: the next item decides
        if op is _c.SUBPATTERN:
            return _at_boundary(list(av[3]))
        if op is _c.BRANCH:
            return all(_at_boundary(list(alt)) for alt in av[1])
        return False
    return False


def _no_word_char_before(op, sub: list) -> bool:
    """Whether a lookbehind proves the character before (if any) is no word character: a negative one of a
    class holding `\\w`, or a positive one ending in a literal non-word character."""
    if op is _c.ASSERT_NOT:
        return len(sub) == 1 and sub[0][0] is _c.IN and all(o is not _c.NEGATE for o, _ in sub[0][1]) and any(
            o is _c.CATEGORY and a in (_c.CATEGORY_WORD, _c.CATEGORY_UNI_WORD) for o, a in sub[0][1])
    return bool(sub) and sub[-1][0] is _c.LITERAL and not _WORD_CHAR.match(chr(sub[-1][1]))
