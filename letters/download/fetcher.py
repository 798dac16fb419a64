"""Run a fetch: gather letters (search pages, case numbers, URLs), download each once, verify, record.

Resumable by construction: a letter whose PDF is already on disk and verifies is never requested
again; an invalid one is set aside as `<name>.invalid` and fetched afresh.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from letters.download.manifest import LetterRecord, write_atomic, write_manifest
from letters.download.options import FetchOptions
from letters.download.pdf_check import InvalidPdf, check_pdf_bytes, check_pdf_file
from letters.download.polite_client import FetchFailed, PoliteClient
from letters.download.search_form import SearchFilters, form_fields
from letters.download.search_results import ResultRow, ResultsLayoutError, ResultsPage, parse_results_page
from letters.download.targets import BadItem, Letter, letters_from_items, letters_from_rows

log = logging.getLogger(__name__)


@dataclass
class SearchOutcome:
    rows: list[ResultRow] = field(default_factory=list)
    pages: int = 0
    error: str | None = None
    note: str | None = None


@dataclass
class FetchReport:
    records: list[LetterRecord] = field(default_factory=list)
    bad_items: list[BadItem] = field(default_factory=list)
    search: SearchOutcome | None = None
    requests: int = 0
    manifest_paths: tuple[Path, ...] = ()

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.records)

    @property
    def failures(self) -> list[str]:
        lines = [f"{b.item}: {b.reason}" for b in self.bad_items]
        lines += [f"{r.case_number}: {r.error}" for r in self.records if r.status == "failed"]
        if self.search is not None and self.search.error:
            lines.insert(0, f"search: {self.search.error}")
        return lines

    @property
    def ok(self) -> bool:
        return not self.failures


def decode_page(content: bytes) -> str:
    """Old ASP pages are often Windows-1252; try UTF-8 first."""
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _search_page(client: PoliteClient, filters: SearchFilters, page: int) -> ResultsPage:
    url = client.settings.search_url
    return client.fetch(
        url,
        lambda content: parse_results_page(decode_page(content), url),
        method="POST",
        data=form_fields(filters, page),
    ).value


def search_rows(client: PoliteClient, filters: SearchFilters, max_pages: int) -> SearchOutcome:
    """Walk result pages up to `max_pages`; stop early on the last page or a page seen before."""
    outcome = SearchOutcome()
    seen: set[tuple[tuple[str, str, str], ...]] = set()
    for page in range(1, max_pages + 1):
        try:
            result = _search_page(client, filters, page)
        except (FetchFailed, ResultsLayoutError) as exc:
            outcome.error = f"results page {page}: {exc}"
            break
        outcome.pages = page
        key = tuple((r.case_number, r.request_category, r.sub_category) for r in result.rows)
        if key in seen:
            outcome.note = f"results page {page} repeats an earlier page; stopped there"
            break
        seen.add(key)
        outcome.rows.extend(result.rows)
        if not result.has_next or not result.rows:
            break
    else:
        outcome.note = f"stopped at max_pages={max_pages}; the site reports more pages"
    return outcome


def _resolve_url(client: PoliteClient, letter: Letter) -> Letter:
    """Fill in `pdf_url` for a bare case number (template, else a search by case number)."""
    if letter.pdf_url:
        return letter
    settings = client.settings
    if settings.pdf_url_template:
        url = settings.pdf_url_template.format(
            base_url=settings.base_url.rstrip("/"), case_number=letter.case_number
        )
        return letter.model_copy(update={"pdf_url": url})
    result = _search_page(client, SearchFilters(case_number=letter.case_number), page=1)
    rows = [r for r in result.rows if r.case_number.upper() == letter.case_number]
    found, _ = letters_from_rows(rows)
    if not found or not found[0].pdf_url:
        raise FetchFailed("case number not found by the search (or listed without a PDF link)")
    return letter.model_copy(update={"pdf_url": found[0].pdf_url, "services": found[0].services})


def _existing_valid(path: Path) -> int | None:
    """Page count of a valid file already there; an invalid one is renamed aside."""
    if not path.exists():
        return None
    try:
        return check_pdf_file(path)
    except InvalidPdf as exc:
        aside = path.with_name(path.name + ".invalid")
        path.replace(aside)
        log.warning("%s; moved to %s and fetching again", exc, aside.name)
        return None


def fetch_letter(client: PoliteClient, out_dir: Path, letter: Letter) -> LetterRecord:
    """Make sure `<out_dir>/<case_number>.pdf` is a verified PDF; never raises for one letter's problem."""
    path = out_dir / f"{letter.case_number}.pdf"
    base = {
        "case_number": letter.case_number,
        "file": path.name,
        "pdf_url": letter.pdf_url,
        "source": letter.source,
        "services": letter.services,
    }
    pages = _existing_valid(path)
    if pages is not None:
        data = path.read_bytes()
        return LetterRecord(
            status="present", pages=pages, bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), **base
        )
    try:
        letter = _resolve_url(client, letter)
        base.update(pdf_url=letter.pdf_url, services=letter.services)
        fetched = client.fetch(letter.pdf_url or "", check_pdf_bytes, retry_on=(InvalidPdf,))
    except (FetchFailed, ResultsLayoutError) as exc:
        return LetterRecord(status="failed", error=str(exc), **{**base, "file": None})
    write_atomic(path, fetched.content)
    return LetterRecord(
        status="downloaded",
        pages=fetched.value,
        bytes=len(fetched.content),
        sha256=hashlib.sha256(fetched.content).hexdigest(),
        attempts=fetched.attempts,
        fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        **base,
    )


def run_fetch(options: FetchOptions, console: Console | None = None) -> FetchReport:
    """Gather letters from a search and/or listed items, fetch each, and write the manifest."""
    settings, out_dir, filters = options.settings, options.out, options.search
    out_dir.mkdir(parents=True, exist_ok=True)
    report = FetchReport()
    letters, report.bad_items = letters_from_items(options.items)
    console = console or Console(stderr=True, soft_wrap=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    progress = Progress(*columns, console=console, disable=not options.progress)
    with PoliteClient(settings) as client, progress as bar:
        if filters is not None:
            task = bar.add_task("search pages", total=None)
            report.search = search_rows(client, filters, settings.max_pages)
            bar.update(task, completed=report.search.pages, total=report.search.pages)
            found, bad = letters_from_rows(report.search.rows)
            report.bad_items += bad
            known = {letter.case_number for letter in letters}
            letters += [letter for letter in found if letter.case_number not in known]
        task = bar.add_task("letters", total=len(letters))
        for letter in letters:
            bar.update(task, description=f"letters ({letter.case_number})")
            report.records.append(fetch_letter(client, out_dir, letter))
            bar.advance(task)
        bar.update(task, description="letters")
        report.requests = client.requests_made
    if report.records:
        report.manifest_paths = write_manifest(out_dir, report.records)
    return report
