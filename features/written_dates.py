"""Dates as a summary writes them ("2024-03-04", "03/04/2024", "March 4, 2024", "05/2022", "2019"), read to a
`date`: shared by the fact readers of durations, operations and treatment logs."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from features.style import load_style_words

_DATE_FORMATS = ("%Y-%m-%d", "%B %d %Y", "%B %Y", "%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y", "%m-%d-%y", "%m/%Y",
                 "%m-%Y", "%Y", "%b %d %Y", "%b %Y")


def _separators_in(fmt: str, token: str) -> bool:
    """Whether `token` holds every separator `fmt` writes between its fields: `strptime` reads a "/" or "-" of
    the format only as itself and a space as a run of whitespace, so a token lacking one fails that format.
    Not trying it saves a failed `strptime` (an exception) per format (session 32: the dates of 200
    SYNTHETIC letters read in half the time)."""
    return ("/" not in fmt or "/" in token) and ("-" not in fmt or "-" in token) \
        and (" " not in fmt or any(c.isspace() for c in token))


@lru_cache(maxsize=1)
def month_names() -> tuple[str, ...]:
    """The twelve months' names, lower-case, January first: the first twelve of style_words.yaml's `months`,
    the one list every reader of a written month takes its words from (checked as `parse_date` reads them)."""
    names = load_style_words().months[:12]
    if [datetime.strptime(n, "%B").month for n in names] != list(range(1, 13)):
        raise ValueError(f"style_words.yaml months: the first twelve must be the months in order: {names}")
    return names


def month_words() -> tuple[str, ...]:
    """Every written month word, names then abbreviations ("sept" too): style_words.yaml's `months`."""
    month_names()  # the names checked
    return load_style_words().months


def month_number(word: str) -> int:
    """The month a name or abbreviation names, by its first three letters ("Sept." is 9); KeyError if none."""
    return {n[:3]: i for i, n in enumerate(month_names(), start=1)}[word[:3].lower()]


def month_name_class() -> str:
    """The twelve names as one regex alternation: `${month_name}` of the value patterns."""
    return "(?:" + "|".join(month_names()) + ")"


_SPACED_SEPARATOR = re.compile(r"\s*([/-])\s*")


@lru_cache(maxsize=4096)
def parse_date(token: str) -> date | None:
    """The date a written token names (a month-only or year-only token: its first day), None if none. Kept
    per token: the fact readers parse the same dates again (360 tokens, 173 distinct, in 100 letters)."""
    token = token.replace(".", "").replace(",", "").replace(" of ", " ")
    token = _SPACED_SEPARATOR.sub(r"\1", token).strip()
    for fmt in _DATE_FORMATS:
        if not _separators_in(fmt, token):
            continue
        try:
            return datetime.strptime(token, fmt).date()
        except ValueError:
            continue
    return None
