"""Wrapped text -> one line: the single normalisation of every text a `Case` holds, however it arrived.

A PDF's text layer breaks sentences at line ends and splits words with a hyphen there ("nega-" / "tive");
the letter parser joins a block's lines with `join_lines`, and a `Case` built from text (a structured case,
the scoring API, a probe's summary) runs its clinical summary through `unwrap`, the same join, so the
features read one text, and evidence offsets index that stored text, whatever the input was.
"""

from __future__ import annotations

import re

# First parts of hyphenated compounds a line may end on: there the hyphen is the word's own ("follow-up",
# "non-surgical", "x-ray"), kept; after any other lower-case fragment a hyphen before a lower-case line is
# the typesetter's word split ("nega-" / "tive", "thera-" / "py"), dropped.
# Round 27: a list, not a rule. Telling "foul-" / "smelling" from "radi-" / "ating" needs to know that "foul"
# is a word and "radi" is not, which takes a dictionary; the second part does not tell either ("smelling",
# "ating", "related" after "cor-"). So the list also holds the heads of the medical compounds letters write
# with a hyphen (foul-smelling, weight-bearing, age-related, evidence-based, opioid-induced, drug-seeking,
# job-related, range-of-motion, extended-release, first-line, ultrasound-guided), each a whole word that
# begins no common word a line end could split after it: "pain" (painful), "ill" (illness), "life"
# (lifestyle), "wheel" (wheelchair), "open" (opening), "second" (secondary), "immediate" (immediately) stay
# off it.
_COMPOUND_FIRSTS = frozenset(
    "follow non self well low high left right long short full part x t two three four one half semi multi "
    "anti post pre co sub mid over under re work day home year month week time in out up down side "
    "foul weight age evidence opioid drug job range extended sustained first third double single ultrasound"
    .split()
)
_LAST_WORD = re.compile(r"([A-Za-z]+)-$")


def _norm(text: str) -> str:
    return " ".join(text.split())


def _word_split(line: str, following: str) -> bool:
    """`line` ends on a fragment of a word the next line finishes (both lower-case, no compound's head)."""
    m = _LAST_WORD.search(line)
    return (m is not None and m.group(1)[-1].islower() and following[:1].islower()
            and m.group(1).lower() not in _COMPOUND_FIRSTS)


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines with spaces, except after a hyphen that ends a line inside a word or date
    ("10-30-" + "2016", "follow-" + "up"), which the PDF wrapped there; a word split at the line end
    ("nega-" + "tive") loses its hyphen."""
    if not any(line.rstrip().endswith("-") for line in lines):
        return _norm(" ".join(lines))
    parts: list[str] = []
    for raw in lines:
        line = raw.strip()
        last = parts[-1] if parts else ""
        if len(last) > 1 and last.endswith("-") and last[-2].isalnum():
            parts[-1] = (last[:-1] if _word_split(last, line) else last) + line
        else:
            parts.append(line)
    return _norm(" ".join(parts))


# Unicode's spaces other than " " (no-break, en, em, thin, ideographic ...): a summary typed or pasted
# with them is read as with plain spaces (the lexicons' patterns read ASCII `\s`, features/casefold.py
# `ASCII_WORDS`); one character for one, so offsets hold
_UNICODE_SPACES = str.maketrans({c: " " for c in "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                                 "\u2007\u2008\u2009\u200a\u202f\u205f\u3000"})


def plain_spaces(text: str) -> str:
    """`text` with Unicode's other spaces written as " "."""
    return text if text.isascii() else text.translate(_UNICODE_SPACES)


def unwrap(text: str) -> str:
    """`text` as one line: its line breaks joined as `join_lines` joins a PDF's, runs of spaces made one."""
    return join_lines(text.split("\n")) if text else text
