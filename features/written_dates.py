"""Dates as a summary writes them ("2024-03-04", "03/04/2024", "March 4, 2024", "05/2022", "2019"), read to a
`date`: shared by the fact readers of durations, operations and treatment logs."""

from __future__ import annotations

import re
from datetime import date, datetime

_DATE_FORMATS = ("%Y-%m-%d", "%B %d %Y", "%B %Y", "%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y", "%m-%d-%y", "%m/%Y",
                 "%m-%Y", "%Y", "%b %d %Y", "%b %Y")


def parse_date(token: str) -> date | None:
    """The date a written token names (a month-only or year-only token: its first day), None if none."""
    token = token.replace(".", "").replace(",", "").replace(" of ", " ")
    token = re.sub(r"\s*([/-])\s*", r"\1", token).strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(token, fmt).date()
        except ValueError:
            continue
    return None
