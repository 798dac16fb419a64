"""Compiled phrase tables (`summary_patterns.yaml`, `body_regions.yaml`) and small text helpers.

Loading is cached per process because the tables are immutable package data; compiling ~60
regexes once keeps feature building fast (thousands of services per second).
"""

from __future__ import annotations

import re
import re._constants as _sre
import re._parser as _sre_parse
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from heapq import heapify, heappop, heapreplace
from importlib import resources
from operator import itemgetter
from typing import Any

import yaml

try:  # optional C speed-up of the word-start search (setup.py builds it when a compiler is present)
    from features._wordscan import GramIndex, LiteralSet, WordIndex
except ImportError:  # pragma: no cover - exercised where the extension is not built
    GramIndex = LiteralSet = WordIndex = None

# Patterns are lower-cased and run on ASCII-lower-cased text: several times faster than IGNORECASE,
# and `ascii_lower` keeps every offset so spans still index the original text.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """Lower-case A-Z only, so the result has exactly the same length and offsets as `text`."""
    # str.lower() is the same mapping on ASCII text and runs ~10x faster than translate
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


# Every ASCII character `\w` does not match, as a space: `WordText` turns non-word runs into blanks.
_NONWORD_TO_SPACE = bytes(c if re.match(r"\w", chr(c)) else 32 for c in range(256))
_NONWORD = re.compile(r"\W")
_WORD_RUN = re.compile(r"\w+")
_DIGIT_WORD = re.compile(" [0-9]")  # in `WordText.spaced`: a word starting with a digit, at the blank's index
_DIGIT_LITERALS = tuple(" " + d for d in "0123456789")  # blank-led: a word that starts with this digit
_FIRST_FOUR = itemgetter(slice(0, 4))
_FIRST_TWO = itemgetter(slice(0, 2))
_ASCII_WORD_CHARS = "".join(chr(c) for c in range(128) if re.match(r"\w", chr(c)))


def _blank_nonword(text: str) -> str:
    """`text` with every character `\\W` matches replaced by a space (same length, same offsets)."""
    if text.isascii():
        return text.encode("ascii").translate(_NONWORD_TO_SPACE).decode("ascii")
    return _NONWORD.sub(" ", text)


class WordText:
    """One text prepared once for the `\\b`-led patterns that many extractors run on it.

    `spaced` is the text with every non-word character blanked and one blank in front, so finding
    " " + literal stops only where a word starts with the literal (a plain find also stops inside
    words: 'ct' in 'structure', 'he' in 'the'). `fours` and `twos` hold the first four and first two
    characters of every word (a shorter word: the word), so a literal whose word is absent is skipped
    without a find: most of a pattern's literals are absent from any one summary. With the C extension
    built, `index` (a `WordIndex`) replaces the key sets.
    """

    __slots__ = ("_digit_starts", "fours", "index", "spaced", "text", "twos")

    def __init__(self, text: str, indexed: bool = True) -> None:
        self.text = text
        blanked = _blank_nonword(text)
        self.spaced = " " + blanked
        self._digit_starts: list[int] | None = None
        # The C word index when it is built (`indexed=False` forces the pure-Python search): one pass
        # over the words instead of a `find` per literal or a regex scan per heading, and no key sets.
        self.index = WordIndex(self.spaced, text) if indexed and WordIndex else None
        if self.index is not None:
            return
        fours = self.fours = set(map(_FIRST_FOUR, blanked.split()))  # slicing every word beats hashing it
        twos = set(map(_FIRST_TWO, fours))
        if not text.isascii():  # still found by one-character literals (see `_word_keys`)
            twos = {k if k.isascii() or not k[0].isascii() else k[0] + "_" for k in twos}
        self.twos = twos

    def __reduce__(self) -> tuple[Any, ...]:
        """Rebuilt from its text when unpickled (the C index itself cannot be pickled)."""
        return (WordText, (self.text, self.index is not None))

    def digit_starts(self, pos: int, end: int) -> list[int]:
        """Ascending positions in [pos, end) where a word starting with an ASCII digit starts (found once
        per text: one C-level scan for a blank followed by a digit)."""
        starts = self._digit_starts
        if starts is None:
            starts = self._digit_starts = [m.start() for m in _DIGIT_WORD.finditer(self.spaced)]
        return starts[bisect_left(starts, pos) : bisect_left(starts, end)]  # a new list: callers extend it

    def first_digit_start(self, pos: int, end: int) -> int:
        """The first of `digit_starts(pos, end)`, or -1, without listing them all (a search that ends
        at its first candidate needs no more)."""
        starts = self._digit_starts
        if starts is not None:
            i = bisect_left(starts, pos)
            return starts[i] if i < len(starts) and starts[i] < end else -1
        m = _DIGIT_WORD.search(self.spaced, pos, end + 1)
        return m.start() if m else -1


_ZERO_WIDTH = {_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT}


_MAX_STARTS = 40
_SHORT_TEXT = 250  # below this many characters a plain regex scan beats looking for the starts


def _in_chars(av: Any) -> list[str] | None:
    """Characters of a character class like [0-4] or \\d, when it is small and not negated."""
    chars: list[str] = []
    for o, a in av:
        if o == _sre.LITERAL:
            chars.append(chr(a))
        elif o == _sre.RANGE and a[1] - a[0] <= 10:
            chars.extend(chr(c) for c in range(a[0], a[1] + 1))
        elif o == _sre.CATEGORY and a == _sre.CATEGORY_DIGIT:
            chars.extend("0123456789")
        else:
            return None
    return chars


def _literal_starts(items: Any) -> list[str] | None:
    """Literals one of which every match must start with, or None when the pattern has no such set.

    Walks the parsed pattern: leading zero-width assertions are skipped, a branch contributes the
    starts of all its alternatives, a small character class its characters, a repeat (min >= 1) its
    body; a literal run followed by a branch is extended by the branch's starts (`o(dg|fficial)`), a
    one-character run by a following small class (`l[1-5]`: spinal levels become selective).
    """
    items = list(items)
    i = 0
    while i < len(items) and items[i][0] in _ZERO_WIDTH:
        i += 1
    if i == len(items):
        return None
    op, av = items[i]
    starts: list[str] | None
    if op == _sre.LITERAL:
        chars = []
        while i < len(items) and items[i][0] == _sre.LITERAL:
            chars.append(chr(items[i][1]))
            i += 1
        lit = "".join(chars)
        # a class only extends a one-character run (`l[1-5]`): on longer runs it would only add finds
        extend = (_sre.BRANCH, _sre.SUBPATTERN, _sre.IN) if len(lit) < 2 else (_sre.BRANCH, _sre.SUBPATTERN)
        if i < len(items) and items[i][0] in extend:
            tail = _literal_starts(items[i:])
            if tail:
                return [lit + t for t in tail]
        return [lit]
    if op == _sre.SUBPATTERN:
        starts = _literal_starts(av[-1])
    elif op == _sre.BRANCH:
        starts = []
        for branch in av[1]:
            sub = _literal_starts(branch)
            if sub is None:
                return None
            starts.extend(sub)
    elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and av[0] >= 1:
        starts = _literal_starts(av[2])
    elif op == _sre.IN:
        starts = _in_chars(av)
    else:
        return None
    if starts is None or len(starts) > _MAX_STARTS:
        return None
    return starts


def _boundary_led(items: Any) -> bool:
    """True when every match must start at `\\b` (a leading `\\b`, also inside groups and in every branch)."""
    items = list(items)
    if not items:
        return False
    op, av = items[0]
    if op == _sre.AT:
        return av == _sre.AT_BOUNDARY
    if op == _sre.SUBPATTERN:
        return _boundary_led(av[-1])
    if op == _sre.BRANCH:
        return all(_boundary_led(b) for b in av[1])
    return False


def _split_starts(items: Any) -> tuple[list[str], list[str]] | None:
    """(literals that start a word, literals that may start anywhere) one of which every match starts
    with: a top-level alternation is split per branch, so `\\b`-led branches still go by word starts."""
    items = list(items)
    if len(items) == 1 and items[0][0] == _sre.SUBPATTERN:
        return _split_starts(items[0][1][-1])
    if len(items) == 1 and items[0][0] == _sre.BRANCH:
        word: list[str] = []
        anywhere: list[str] = []
        for alt in items[0][1][1]:
            sub = _split_starts(alt)
            if sub is None:
                return None
            word += sub[0]
            anywhere += sub[1]
        return word, anywhere
    starts = _literal_starts(items)
    if starts is None:
        return None
    if _boundary_led(items) and all(_WORD_RUN.match(s) and s.isascii() for s in starts):
        return starts, []
    return [], starts


def _word_keys(lit: str) -> tuple[bool, list[str]]:
    """The keys of the words `lit` can start: (True, keys in `WordText.fours`) or (False, keys in
    `WordText.twos`). A literal that ends its word ('x-ray', 'no ') or is four characters or more goes by its
    first four; a shorter one ('mri', 'no') by its first two; a single word character ('4' from `\\d`)
    by itself and followed by any word character (non-ASCII ones are filed under '_')."""
    run = _WORD_RUN.match(lit).group()  # type: ignore[union-attr]
    if len(run) >= 4 or len(lit) > len(run):
        return True, [run[:4]]
    if len(run) >= 2:
        return False, [run[:2]]
    return False, [run] + [run + c for c in _ASCII_WORD_CHARS]


_WordLiterals = dict[str, tuple[str, ...]]


def _word_literals(parsed: Any) -> tuple[_WordLiterals, _WordLiterals, tuple[str, ...], bool] | None:
    """How `WordText` finds a pattern's candidate starts: for `fours` and for `twos`, word key -> the
    literals (non-word characters blanked and a blank in front, as `WordText.spaced` holds them),
    the literals of branches not led by `\\b` (found in the text itself), and whether every word
    that starts with a digit is a candidate too (a number can start the match: `WordText.digit_starts`);
    None when not every match starts with one of them."""
    split = _split_starts(parsed)
    if split is None or not split[0]:
        return None
    word, anywhere = _without_extensions(split[0]), _without_extensions(split[1]) if split[1] else []
    if any(len(s) < 2 for s in anywhere):  # one character found anywhere: as slow as the plain scan
        return None
    # every word that starts with any digit is a candidate then, so digit-led literals need no finds
    digits = any(len(s) == 1 and s.isdigit() for s in word)
    if digits:
        word = [s for s in word if not s[0].isdigit()]
    four: dict[str, list[str]] = {}
    two: dict[str, list[str]] = {}
    for lit in word:
        long, keys = _word_keys(lit)
        for key in keys:
            (four if long else two).setdefault(key, []).append(" " + _blank_nonword(lit))
    return ({k: tuple(v) for k, v in four.items()}, {k: tuple(v) for k, v in two.items()}, tuple(anywhere),
            digits)


def _tail_anchor(items: Any, state: Any) -> tuple[str, frozenset[int]] | None:
    """(c, widths) when every match consumes a fixed-width run that ends with the literal c, of one of
    `widths` characters (zero-width assertions around it allowed): a match can then only start
    width - 1 characters before an occurrence of c (`neuro_grade`: '4/5', '4 over 5')."""
    consuming = [it for it in items if it[0] not in _ZERO_WIDTH]
    if not consuming:
        return None
    *head, (op, av) = consuming
    before = 0
    for it in head:
        lo, hi = _sre_parse.SubPattern(state, [it]).getwidth()
        if lo != hi:
            return None
        before += lo
    tail: tuple[str, frozenset[int]] | None
    if op == _sre.LITERAL:
        tail = (chr(av), frozenset((1,)))
    elif op == _sre.SUBPATTERN:
        tail = _tail_anchor(av[-1], state)
    elif op == _sre.BRANCH:
        subs = [_tail_anchor(alt, state) for alt in av[1]]
        if any(sub is None for sub in subs) or len({sub[0] for sub in subs}) != 1:  # type: ignore[index]
            return None
        tail = (subs[0][0], frozenset(w for sub in subs for w in sub[1]))  # type: ignore[index]
    else:
        return None
    if tail is None:
        return None
    return tail[0], frozenset(before + w for w in tail[1])


def _required_literals(items: Any) -> list[str] | None:
    """Literals one of which every match contains, or None when none is known: a literal run, or the
    union over a branch's alternatives; of a sequence's items, the set whose shortest literal is longest.
    A text holding none of them cannot match (`sessions_count` needs 'sessions', 'visits' or
    'treatments'), which one `str.find` each tells faster than the regex scan."""
    found: list[list[str]] = []
    run: list[str] = []
    for op, av in [*items, (None, None)]:
        if op == _sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            found.append(["".join(run)])
            run = []
        sub: list[str] | None = None
        if op == _sre.SUBPATTERN and not av[1] & _sre.SRE_FLAG_IGNORECASE:
            sub = _required_literals(av[-1])
        elif op == _sre.BRANCH:
            alts = [_required_literals(alt) for alt in av[1]]
            if all(alts):
                sub = sorted({lit for alt in alts for lit in alt})  # type: ignore[union-attr]
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and av[0] >= 1:
            sub = _required_literals(av[2])
        if sub:
            found.append(sub)
    return max(found, key=lambda lits: (min(map(len, lits)), -len(lits)), default=None)


def _without_extensions(starts: list[str]) -> list[str]:
    """The distinct starts, sorted, less those that begin with another start ('no' covers 'not')."""
    kept: list[str] = []
    for s in sorted(set(starts)):  # a prefix sorts right before the strings it begins
        if not (kept and s.startswith(kept[-1])):
            kept.append(s)
    return kept


class FastPattern:
    """A compiled regex that, when every match must start with one of a few literals, only tries
    `match` where those literals occur (found with C-speed `str.find`).

    Python's `re` scans alternations of words position by position, which made feature building
    ~30x slower than needed; this keeps the exact regex semantics (leftmost, non-overlapping).
    """

    __slots__ = ("anywhere_literals", "anywhere_set", "digit_words", "four_keys", "four_literals",
                 "pattern", "regex", "required", "scan_literals", "starts", "tail", "two_keys",
                 "two_literals", "word_keys")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.regex = re.compile(pattern)
        parsed = _sre_parse.parse(pattern)
        starts = _literal_starts(parsed)
        # `\b`-led patterns whose literals start words: found through `WordText` (one-character
        # starts included, since only word starts count there: ' 5' does not stop inside '2015')
        words = _word_literals(parsed)
        self.four_literals, self.two_literals, self.anywhere_literals, self.digit_words = (
            words or ({}, {}, (), False))
        self.four_keys = frozenset(self.four_literals)
        self.two_keys = frozenset(self.two_literals)
        self.word_keys = (self.four_keys | self.two_keys) if words else None
        # one-character starts (digits, 'l' of L5) match too often for the Python-level loop to win
        selective = starts is not None and min(len(x) for x in starts) >= 2
        # a start that another start is a prefix of adds no candidate position: drop it (one find less)
        self.starts = _without_extensions(starts) if selective else None
        # no literal start: maybe a literal the match ends with, at a fixed distance from its start
        tail = None if self.starts is not None else _tail_anchor(parsed.data, parsed.state)
        self.tail = (tail[0], tuple(sorted(tail[1], reverse=True))) if tail else None
        # neither: the plain scan, skipped on texts that hold none of the literals a match contains
        caseless = parsed.state.flags & _sre.SRE_FLAG_IGNORECASE
        plain = self.starts is None and self.tail is None and not caseless
        required = _required_literals(parsed.data) if plain else None
        # a one-character literal is in nearly every text: checking for it would only add a call
        self.required = tuple(required) if required and min(map(len, required)) >= 2 else ()
        # What the C `WordIndex` looks for, when it is built: the word literals (a word starting with any
        # digit: one literal per digit) and those found anywhere; a pattern not led by `\b` that has
        # literal starts goes by those alone. None: the regex scan (`search` / `finditer`).
        self.scan_literals = self.anywhere_set = None
        if LiteralSet is not None and words:
            literals = tuple(sorted({lit for by_key in (self.four_literals, self.two_literals)
                                     for lits in by_key.values() for lit in lits}))
            self.scan_literals = LiteralSet(literals + (_DIGIT_LITERALS if self.digit_words else ()))
            if self.anywhere_literals:
                self.anywhere_set = LiteralSet(self.anywhere_literals, anywhere=True)
        elif LiteralSet is not None and self.starts is not None and not caseless and all(
                s.isascii() for s in self.starts):
            self.scan_literals = LiteralSet(())
            self.anywhere_set = LiteralSet(tuple(self.starts), anywhere=True)

    def __reduce__(self) -> tuple[Any, ...]:
        """Recompiled from the pattern when unpickled (its C literal sets cannot be pickled)."""
        return (FastPattern, (self.pattern,))

    def _lacks_required(self, text: str, pos: int, end: int) -> bool:
        """True when `text[pos:end]` holds none of the literals every match contains (so none matches)."""
        find = text.find
        for lit in self.required:
            if find(lit, pos, end) >= 0:
                return False
        return True

    def _tail_starts(self, text: str, pos: int, end: int) -> list[int]:
        """Ascending positions in [pos, end) where a match ending with the tail literal can start."""
        char, widths = self.tail  # type: ignore[misc]
        find = text.find
        found: list[int] = []
        q = find(char, pos, end)
        while q >= 0:
            for w in widths:  # widest first: ascending starts
                i = q - w + 1
                if i >= pos:
                    found.append(i)
            q = find(char, q + 1, end)
        if len(found) > 1:
            found = sorted(set(found))
        return found

    def _candidates(self, text: str, pos: int, endpos: int) -> Iterator[int]:
        """Start positions of the literals, ascending and without repeats, found lazily: callers that
        stop at the first match (`first_affirmed`, yes/no statements) do not pay for listing them all."""
        find = text.find
        heap = []
        for lit in self.starts or ():
            i = find(lit, pos, endpos)
            if i >= 0:
                heap.append((i, lit))
        heapify(heap)
        prev = -1
        while heap:
            i, lit = heap[0]
            j = find(lit, i + 1, endpos)
            if j >= 0:
                heapreplace(heap, (j, lit))
            else:
                heappop(heap)
            if i != prev:
                prev = i
                yield i

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        end = len(text) if endpos is None else endpos
        starts = self.starts
        if starts is None or end - pos < _SHORT_TEXT:
            if self.tail is not None and end - pos >= _SHORT_TEXT:
                return self._first_match(text, self._tail_starts(text, pos, end), end)
            if self.required and self._lacks_required(text, pos, end):
                return None
            return self.regex.search(text, pos, end)
        # Most searches end at the first literal found (or find none): look for each literal's first
        # occurrence only, and list every later start only when that first candidate fails.
        first = -1
        for lit in starts:
            i = text.find(lit, pos, end)
            if i >= 0 and (first < 0 or i < first):
                first = i
        if first < 0:
            return None
        m = self.regex.match(text, first, end)
        if m:
            return m
        return self._first_match(text, self._candidates(text, first + 1, end), end)

    def _first_match(self, text: str, starts: Iterable[int], end: int) -> re.Match[str] | None:
        """The match at the first of the ascending `starts` where the pattern matches (that is the
        leftmost match when every match begins at one of them)."""
        match = self.regex.match
        for i in starts:
            m = match(text, i, end)
            if m:
                return m
        return None

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        end = len(text) if endpos is None else endpos
        if self.starts is None or end - pos < _SHORT_TEXT:
            if self.tail is None or end - pos < _SHORT_TEXT:
                if self.required and self._lacks_required(text, pos, end):
                    return
                yield from self.regex.finditer(text, pos, end)
                return
            candidates: Iterator[int] | list[int] = self._tail_starts(text, pos, end)
        else:
            candidates = self._candidates(text, pos, end)
        last = pos
        for i in candidates:
            if i < last:
                continue
            m = self.regex.match(text, i, end)
            if m:
                yield m
                last = max(m.end(), i + 1)

    def match(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        return self.regex.match(text, pos, len(text) if endpos is None else endpos)

    def search_line(self, text: str) -> re.Match[str] | None:
        """`search(text)` on a short text that recurs (a UR guideline line): through its cached word
        index when the C extension is built; else the regex scan, cheaper than building key sets."""
        if WordIndex is None:
            return self.search(text)
        return self.search_in(heading_words(text))

    def _word_starts(self, words: WordText, pos: int, end: int) -> list[int]:
        """Ascending positions in [pos, end) where a word starts with one of the literals (that fits
        before `end`); may repeat a position, which callers tolerate."""
        hit4 = self.four_keys & words.fours
        hit2 = self.two_keys & words.twos
        anywhere = self.anywhere_literals
        if not (hit4 or hit2 or anywhere or self.digit_words):  # the common case: none of its words is here
            return []
        found: list[int] = words.digit_starts(pos, end) if self.digit_words else []
        find = words.spaced.find
        stop = end + 1  # `spaced` is one longer: " " + literal fits before stop iff literal fits before end
        for hit, by_key in ((hit4, self.four_literals), (hit2, self.two_literals)):
            for key in hit:
                for lit in by_key[key]:
                    j = find(lit, pos, stop)
                    while j >= 0:
                        found.append(j)
                        j = find(lit, j + 1, stop)
        if anywhere:
            found += self._anywhere_starts(words.text, pos, end)
        if len(found) > 1:
            found.sort()
        return found

    def _anywhere_starts(self, text: str, pos: int, end: int) -> list[int]:
        """Where the literals of branches not led by `\\b` occur in `text[pos:end]` (unsorted)."""
        found: list[int] = []
        find = text.find
        for lit in self.anywhere_literals:
            j = find(lit, pos, end)
            while j >= 0:
                found.append(j)
                j = find(lit, j + 1, end)
        return found

    def search_in(self, words: WordText, pos: int = 0, end: int | None = None) -> re.Match[str] | None:
        """`search(words.text, pos, end)`, trying only the word starts (same match)."""
        text = words.text
        n = len(text) if end is None else end
        unicode_digits = self.digit_words and not text.isascii()  # \\d: any Unicode digit, not only 0-9
        index = words.index
        if index is not None and self.scan_literals is not None and not unicode_digits:  # the C word index
            first = index.first(self.scan_literals, pos, n + 1, self.anywhere_set)
            if first < 0:
                return None
            m = self.regex.match(text, first, n)
            if m:
                return m
            later = index.starts(self.scan_literals, first + 1, n + 1, self.anywhere_set)
            return self._first_match(text, later, n)
        if self.word_keys is None or unicode_digits:
            return self.search(text, pos, n)
        if len(text) < _SHORT_TEXT:  # a heading: one set test rules most patterns out, else a plain scan
            if self.anywhere_literals or self.digit_words or not (
                self.four_keys.isdisjoint(words.fours) and self.two_keys.isdisjoint(words.twos)
            ):
                return self.regex.search(text, pos, n)
            return None
        # as in `search`: most searches end at the first candidate, so find each literal's first
        # occurrence only, and list the later candidates only when that one fails
        first = self._first_word_start(words, pos, n)
        if first < 0:
            return None
        m = self.regex.match(text, first, n)
        if m:
            return m
        return self._first_match(text, self._word_starts(words, first + 1, n), n)

    def _first_word_start(self, words: WordText, pos: int, end: int) -> int:
        """The least of `_word_starts(words, pos, end)`, or -1 when there is none (pure-Python search)."""
        first = -1
        if self.digit_words:
            first = words.first_digit_start(pos, end)
        find = words.spaced.find
        stop = end + 1
        for hit, by_key in ((self.four_keys & words.fours, self.four_literals),
                            (self.two_keys & words.twos, self.two_literals)):
            for key in hit:
                for lit in by_key[key]:
                    j = find(lit, pos, stop)
                    if j >= 0 and (first < 0 or j < first):
                        first = j
        find = words.text.find
        for lit in self.anywhere_literals:
            j = find(lit, pos, end)
            if j >= 0 and (first < 0 or j < first):
                first = j
        return first

    def iter_in(self, words: WordText, pos: int = 0, end: int | None = None) -> Iterator[re.Match[str]]:
        """`finditer(words.text, pos, end)` trying only the word starts, lazily (callers that stop at the
        first acceptable match do not pay for matching the rest)."""
        text = words.text
        n = len(text) if end is None else end
        unicode_digits = self.digit_words and not text.isascii()  # \\d: any Unicode digit, not only 0-9
        index = words.index
        if index is not None and self.scan_literals is not None and not unicode_digits:
            starts = index.starts(self.scan_literals, pos, n + 1, self.anywhere_set)
        elif self.word_keys is None or unicode_digits or len(text) < _SHORT_TEXT:  # as `search_in`: a
            yield from self.finditer(text, pos, n)  # heading is scanned faster than its starts are listed
            return
        else:
            starts = self._word_starts(words, pos, n)
        match = self.regex.match
        last = pos
        for i in starts:
            if i < last:
                continue
            m = match(text, i, n)
            if m:
                yield m
                last = m.end()  # never empty: every match starts with a literal

    def findall_in(self, words: WordText, pos: int = 0, end: int | None = None) -> list[re.Match[str]]:
        """`list(finditer(words.text, pos, end))`, trying only the word starts (same matches)."""
        return list(self.iter_in(words, pos, end))


_GRAM = 3  # characters of a literal's start that `PatternIndex` files it under


def _blanked_starts(pattern: FastPattern) -> list[str] | None:
    """What every match of `pattern` starts with, as `WordText.spaced` holds it (non-word characters
    blanked; word-led literals with their leading blank), or None when that is not known."""
    if pattern.regex.flags & re.IGNORECASE:
        return None
    if pattern.digit_words:  # a word starting with any digit can start a match
        return None
    if pattern.word_keys is not None:
        word = {lit for by_key in (pattern.four_literals, pattern.two_literals) for lits in by_key.values()
                for lit in lits}
        return sorted(word) + [_blank_nonword(lit) for lit in pattern.anywhere_literals]
    if pattern.starts is not None:
        return [_blank_nonword(lit) for lit in pattern.starts]
    return None


class PatternIndex:
    """Which of an ordered list of patterns can match a short text (a heading), from the first three
    characters of what their matches start with: one look-up per three-character slice of the text
    instead of one search per pattern (a heading against the 65 taxonomy rules: 24 -> 14 us).

    `candidates` never leaves out a pattern that matches: every match starts with one of the pattern's
    literals (word-led ones at a word start, with the blank before it), and blanking non-word
    characters maps an occurrence in the text to one in `WordText.spaced`.
    """

    __slots__ = ("always", "by_gram", "compiled", "patterns")

    def __init__(self, patterns: Iterable[FastPattern]) -> None:
        by_gram: dict[str, set[int]] = {}
        always: list[int] = []
        patterns = self.patterns = tuple(patterns)
        for i, pattern in enumerate(patterns):
            starts = _blanked_starts(pattern)
            if not starts or min(map(len, starts)) < _GRAM:
                always.append(i)
                continue
            for lit in starts:
                by_gram.setdefault(lit[:_GRAM], set()).add(i)
        self.by_gram = {gram: frozenset(found) for gram, found in by_gram.items()}
        self.always = frozenset(always)
        # the same table in C when the extension is built: one call instead of a loop over the slices
        ascii_grams = all(g.isascii() for g in by_gram)
        self.compiled = (GramIndex({g: tuple(sorted(f)) for g, f in by_gram.items()}, tuple(always),
                                   len(patterns)) if GramIndex is not None and ascii_grams else None)

    def __reduce__(self) -> tuple[Any, ...]:
        """Rebuilt from its patterns when unpickled (the C table cannot be pickled)."""
        return (PatternIndex, (self.patterns,))

    def candidates(self, words: WordText) -> list[int]:
        """Indices, ascending, of the patterns that may match `words.text` (a superset of those that do)."""
        if self.compiled is not None and words.index is not None:
            return self.compiled.candidates(words.spaced)
        spaced = words.spaced
        get = self.by_gram.get
        found = set(self.always)
        for i in range(len(spaced) - _GRAM + 1):
            hit = get(spaced[i : i + _GRAM])
            if hit is not None:
                found |= hit
        return sorted(found)


@lru_cache(maxsize=16384)
def heading_words(text: str) -> WordText:
    """The `WordText` of a lower-cased heading, built once and shared by classification, heading
    regions and the heading extractors (three builds per new heading before)."""
    return WordText(text)


def compile_lower(pattern: str) -> FastPattern:
    """Compile a YAML pattern for matching against `ascii_lower`-ed text."""
    return _compile_cached(ascii_lower(pattern))


@lru_cache(maxsize=512)
def _compile_cached(pattern: str) -> FastPattern:
    return FastPattern(pattern)


def _read_yaml(name: str) -> dict[str, Any]:
    return yaml.safe_load(resources.files("features").joinpath(name).read_text(encoding="utf-8"))


def _compile_tree(node: Any) -> Any:
    if isinstance(node, str):
        return compile_lower(node)
    if isinstance(node, dict):
        return {k: _compile_tree(v) for k, v in node.items()}
    return node


@dataclass(frozen=True, eq=False)
class TextPatterns:
    """All extractor regexes, compiled. Attribute names follow the YAML keys."""

    p: dict[str, Any]
    number_words: dict[str, int]
    regions: dict[str, FastPattern]
    summary_groups: dict[str, list[str]]

    def __getitem__(self, key: str) -> Any:
        return self.p[key]

    def all(self) -> list[FastPattern]:
        """Every compiled pattern (the phrase tree and the regions)."""
        return _all_patterns(self.p) + list(self.regions.values())


def _all_patterns(node: Any) -> list[FastPattern]:
    if isinstance(node, FastPattern):
        return [node]
    if isinstance(node, dict):
        return [p for v in node.values() for p in _all_patterns(v)]
    return []


@lru_cache(maxsize=1)
def load_patterns() -> TextPatterns:
    raw = _read_yaml("summary_patterns.yaml")
    words = {str(k).lower(): int(v) for k, v in raw.pop("number_words").items()}
    regions_raw = _read_yaml("body_regions.yaml")
    regions = {k: compile_lower(v) for k, v in regions_raw["regions"].items()}
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


# The punctuation comes first so `re` skips ahead to it; the look-behinds then include it.
_SENTENCE_END = re.compile(r"[.;!?](?<!\bDr.)(?<!\bvs.)(?<!\bNo.)(?<!\bno.)(?=\s+[A-Z(\"]|\s*$)")


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


def is_negated(text: str, start: int, sentence_start: int, negation: FastPattern) -> bool:
    """True when a negation cue precedes the match in its own sentence (within ~45 characters)."""
    return negation.search(text[max(sentence_start, start - 60) : start]) is not None
