"""What to download: letters gathered from search rows, case-number lists or PDF URL lists.

Case numbers become file names, so they are checked against a filename-safe pattern; a bad item is
reported by itself and never stops the rest of the batch.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

from pydantic import BaseModel, Field

from letters.download.search_results import ResultRow

CASE_NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,39}$")


class Letter(BaseModel):
    """One PDF to have on disk; `pdf_url` None means 'look it up by case number first'."""

    case_number: str
    pdf_url: str | None = None
    source: str = Field(description="search | case_number | url")
    services: list[ResultRow] = Field(default_factory=list)


class BadItem(BaseModel):
    item: str
    reason: str


def read_list_file(path: Path) -> list[str]:
    """Items one per line; blank lines and '#' comments ignored."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: list file not found")
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            items.append(text)
    return items


def is_url(item: str) -> bool:
    return item.lower().startswith(("http://", "https://"))


def case_number_from_url(url: str) -> str:
    """The PDF file name's stem, e.g. '.../CM16-0213037.pdf' -> 'CM16-0213037'."""
    return PurePosixPath(unquote(urlparse(url).path)).stem


def letters_from_items(items: list[str]) -> tuple[list[Letter], list[BadItem]]:
    """Case numbers and URLs mixed, in order, first occurrence of a case number kept."""
    letters: dict[str, Letter] = {}
    bad: list[BadItem] = []
    for item in items:
        if is_url(item):
            try:
                case_number, source, url = case_number_from_url(item), "url", item
            except ValueError as exc:  # e.g. a malformed IPv6 host
                bad.append(BadItem(item=item, reason=f"malformed URL: {exc}"))
                continue
        else:
            case_number, source, url = item, "case_number", None
        if not CASE_NUMBER_PATTERN.match(case_number):
            bad.append(BadItem(item=item, reason=f"{case_number!r} is not a usable case number / file name"))
            continue
        key = case_number.upper()
        letters.setdefault(key, Letter(case_number=key, pdf_url=url, source=source))
    return list(letters.values()), bad


def letters_from_rows(rows: list[ResultRow]) -> tuple[list[Letter], list[BadItem]]:
    """Group search rows (one per disputed service) into letters, in first-seen order."""
    letters: dict[str, Letter] = {}
    bad: list[BadItem] = []
    for row in rows:
        key = row.case_number.upper()
        if not CASE_NUMBER_PATTERN.match(key):
            reason = "search row's case number is not a usable file name"
            bad.append(BadItem(item=row.case_number, reason=reason))
            continue
        letter = letters.setdefault(key, Letter(case_number=key, pdf_url=row.pdf_url, source="search"))
        letter.pdf_url = letter.pdf_url or row.pdf_url
        if row not in letter.services:
            letter.services.append(row)
    return list(letters.values()), bad
