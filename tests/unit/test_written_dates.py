"""Dates as a summary writes them, read to a `date` (`features.written_dates`), on SYNTHETIC tokens: a format
whose separators a token lacks is not tried, and skipping it changes no date read (session 32). The month
words have one source (style_words.yaml, read here) that the other readers take."""

from __future__ import annotations

import re
from datetime import date, datetime
from importlib import resources

import pytest

from features.style import load_style_words
from features.written_dates import (
    _DATE_FORMATS,
    _separators_in,
    month_name_class,
    month_names,
    month_number,
    month_words,
    parse_date,
)

TOKENS = ["2024-03-04", "03/04/2024", "3/4/24", "03-04-2024", "3-4-24", "March 4, 2024", "march 4 2024",
          "Mar. 4, 2024", "Sept 2019", "May of 2022", "05/2022", "5-2022", "2019", "12 / 01 / 2016",
          "March\u20034 2024", "March\t2024", "13/45/2016", "02/30/2016", "sometime", "", "04/2024/01",
          "2024 - 03 - 04", "Dec 2016", "December 25 2016"]


@pytest.mark.parametrize("token", TOKENS)
def test_a_format_whose_separators_a_token_lacks_cannot_read_it(token: str) -> None:
    for fmt in _DATE_FORMATS:
        if not _separators_in(fmt, token):
            with pytest.raises(ValueError):
                datetime.strptime(token, fmt)


def test_dates_read_as_every_format_tried_in_turn_reads_them() -> None:
    def every_format(token: str) -> date | None:  # parse_date before session 32
        token = token.replace(".", "").replace(",", "").replace(" of ", " ")
        token = re.sub(r"\s*([/-])\s*", r"\1", token).strip()
        for fmt in _DATE_FORMATS:
            try:
                return datetime.strptime(token, fmt).date()
            except ValueError:
                continue
        return None

    assert parse_date("03/04/2024") == date(2024, 3, 4)
    assert parse_date("March 4, 2024") == date(2024, 3, 4)
    assert parse_date("05/2022") == date(2022, 5, 1)
    assert parse_date("12 / 01 / 2016") == date(2016, 12, 1)
    for token in TOKENS:
        assert parse_date(token) == every_format(token), token


def test_the_month_words_come_from_style_words_yaml_in_order() -> None:
    assert month_names() == load_style_words().months[:12] and month_names()[0] == "january"
    assert month_words() == load_style_words().months and "sept" in month_words()
    assert [month_number(w) for w in ("January", "Sept.", "dec", "may")] == [1, 9, 12, 5]
    assert re.fullmatch(month_name_class(), "november") and not re.fullmatch(month_name_class(), "nov")


def test_no_packaged_reader_writes_the_month_names_out_again() -> None:
    """value_patterns.yaml and context_rules.yaml read `${month}` / `${month_name}` (written_dates.py), and
    authors.yaml `{month_name}`, not a copy of their own (features/drug_durations.py, authors.yaml's `date`
    and criteria.yaml write other forms still)."""
    twelve = re.compile(r"\W+".join(month_names()))  # all twelve, in order
    assert twelve.search(resources.files("features").joinpath("style_words.yaml").read_text(encoding="utf-8"))
    readers = ("value_patterns.yaml", "context_rules.yaml", "authors.yaml", "visits.py", "criteria_facts.py")
    for name in readers:
        text = resources.files("features").joinpath(name).read_text(encoding="utf-8").lower()
        assert not twelve.search(text), name
