"""Parser for one DWC IMR decision-search results page: the only module that knows its layout.

If the site changes, fix it here: `COLUMN_ALIASES` says which header words identify each column,
`RESULTS_TABLE_CLASS` which table holds results, `_has_next_page` how "Next" is recognised.
Each table row is one disputed service; continuation rows (first cells blank or spanned) inherit
the case-level cells of the row above. `decision` is the IMR outcome, a post-review label.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from pydantic import BaseModel

from letters.download.html_tree import Node, parse_html

RESULTS_TABLE_CLASS = "tabborder"
# Field -> header phrases (lower case, words separated by single spaces); first matching field wins,
# so the more specific fields come first.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "case_number": ("case number", "case no", "case"),
    "decision_date": ("decision date",),
    "date_of_injury": ("date of injury", "injury date"),
    "received_date": ("received date", "received"),
    "reviewer_specialty": ("specialty", "speciality"),
    "sub_category": ("subcategory", "sub category", "drug"),
    "request_category": ("request category", "category"),
    "decision": ("request decision", "decision", "outcome"),
}
REQUIRED_COLUMNS: tuple[str, ...] = tuple(COLUMN_ALIASES)
CASE_LEVEL_FIELDS: tuple[str, ...] = (
    "case_number",
    "decision_date",
    "date_of_injury",
    "received_date",
    "reviewer_specialty",
)
NO_RESULTS_PATTERN = re.compile(r"\bno\s+(?:records?|results?|matches|decisions?)\b[^.]{0,40}\bfound\b", re.I)
TOTAL_PATTERN = re.compile(r"(?:total\D{0,20})?(\d[\d,]*)\s+(?:results?|records?|matches)\b", re.I)


class ResultsLayoutError(ValueError):
    """The page does not look like a results page; the message names what was missing."""


class ResultRow(BaseModel):
    """One disputed service as listed by the search (strings as shown; dates as written)."""

    case_number: str
    pdf_url: str | None = None
    decision_date: str = ""
    date_of_injury: str = ""
    received_date: str = ""
    reviewer_specialty: str = ""
    request_category: str = ""
    sub_category: str = ""
    decision: str = ""  # post-review label: never a feature


class ResultsPage(BaseModel):
    rows: list[ResultRow]
    has_next: bool
    total_results: int | None = None


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _contains_phrase(header: str, phrase: str) -> bool:
    return f" {phrase} " in f" {header} "


def _map_headers(headers: list[str]) -> dict[str, int]:
    """Column index per field, from header text."""
    mapping: dict[str, int] = {}
    for index, raw in enumerate(headers):
        header = _norm(raw)
        for name, phrases in COLUMN_ALIASES.items():
            if name not in mapping and any(_contains_phrase(header, p) for p in phrases):
                mapping[name] = index
                break
    return mapping


def _expanded_cells(row: Node) -> list[Node | None]:
    """Cells by column position; a colspan cell occupies its first slot, the rest are None."""
    cells: list[Node | None] = []
    for cell in row.children:
        if isinstance(cell, Node) and cell.tag in ("td", "th"):
            cells.append(cell)
            try:
                span = max(1, min(int(cell.attrs.get("colspan", "1") or 1), 50))
            except ValueError:
                span = 1
            cells.extend([None] * (span - 1))
    return cells


def _own_rows(table: Node) -> list[Node]:
    """Rows of this table only, not of tables nested in its cells."""
    rows: list[Node] = []

    def walk(node: Node) -> None:
        for child in node.children:
            if isinstance(child, Node):
                if child.tag == "tr":
                    rows.append(child)
                elif child.tag in ("thead", "tbody", "tfoot"):
                    walk(child)

    walk(table)
    return rows


def _has_next_page(doc: Node) -> bool:
    for form in doc.iter("form"):
        if _norm(form.attrs.get("name", "") + " " + form.attrs.get("id", "")).replace(" ", "") == "nextpage":
            return True
    for control in list(doc.iter("input")) + list(doc.iter("button")):
        if control.attrs.get("name", "").lower() == "submit" and control.attrs.get("value", "") == "Next":
            return True
    return False


def _total_results(doc: Node) -> int | None:
    match = TOTAL_PATTERN.search(doc.text())
    return int(match.group(1).replace(",", "")) if match else None


def _describe(doc: Node) -> str:
    titles = [t.text() for t in doc.iter("title")]
    tables = [t.attrs.get("class", "") or "(no class)" for t in doc.iter("table")]
    title = f"page title {titles[0]!r}" if titles else "no <title>"
    return f"{title}; tables found: {tables or 'none'}"


def parse_results_page(html: str, page_url: str) -> ResultsPage:
    """Rows, whether a next page exists, and the total shown; raise ResultsLayoutError if unreadable."""
    doc = parse_html(html)
    table = next((t for t in doc.iter("table") if t.has_class(RESULTS_TABLE_CLASS)), None)
    if table is None:
        if NO_RESULTS_PATTERN.search(doc.text()):
            return ResultsPage(rows=[], has_next=False, total_results=0)
        raise ResultsLayoutError(
            f"{page_url}: no <table class='{RESULTS_TABLE_CLASS}'> and no 'no results' message "
            f"({_describe(doc)})"
        )
    rows = _own_rows(table)
    if not rows:
        raise ResultsLayoutError(f"{page_url}: results table has no rows (not even a header row)")
    headers = [c.text() if c is not None else "" for c in _expanded_cells(rows[0])]
    columns = _map_headers(headers)
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ResultsLayoutError(
            f"{page_url}: results table lacks column(s) {missing}; header row was {headers}"
        )
    parsed: list[ResultRow] = []
    previous: ResultRow | None = None
    for number, row in enumerate(rows[1:], start=2):
        cells = _expanded_cells(row)
        if not any(c is not None and c.text() for c in cells):
            continue
        values: dict[str, str] = {}
        for name, index in columns.items():
            cell = cells[index] if index < len(cells) else None
            values[name] = cell.text() if cell is not None else ""
        case_cell = cells[columns["case_number"]] if columns["case_number"] < len(cells) else None
        link = next(case_cell.iter("a"), None) if case_cell is not None else None
        href = link.attrs.get("href", "").strip() if link is not None else ""
        if values["case_number"]:
            parsed.append(ResultRow(pdf_url=urljoin(page_url, href) if href else None, **values))
        elif previous is not None:
            inherited = {f: values[f] or getattr(previous, f) for f in CASE_LEVEL_FIELDS}
            parsed.append(previous.model_copy(update={**values, **inherited}))
        else:
            raise ResultsLayoutError(f"{page_url}: table row {number} has no case number and no row above")
        previous = parsed[-1]
    return ResultsPage(rows=parsed, has_next=_has_next_page(doc), total_results=_total_results(doc))
