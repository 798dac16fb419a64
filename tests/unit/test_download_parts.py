"""Downloader parts that need no server: form fields, PDF checks, back-off, list parsing, manifest."""

from __future__ import annotations

import csv
import time
from datetime import date
from pathlib import Path

import pytest

from imr_triage import __version__
from letters.download.manifest import LetterRecord, load_manifest, write_manifest
from letters.download.pdf_check import InvalidPdf, check_pdf_bytes, check_pdf_file
from letters.download.polite_client import PoliteClient, RateLimiter
from letters.download.search_form import SearchFilters, form_fields
from letters.download.search_results import ResultRow
from letters.download.settings import FetchSettings, build_settings
from letters.download.targets import letters_from_items, read_list_file
from tests.synthetic_dwc import synthetic_pdf


def test_form_fields_first_and_next_pages() -> None:
    filters = SearchFilters(decision_from=date(2017, 1, 2), decision_to=date(2017, 2, 28), outcome="Upheld")
    first = form_fields(filters, 1)
    assert first["DecStart"] == "01/02/2017" and first["DecEnd"] == "02/28/2017"
    assert first["OutcomeV"] == "Upheld" and first["Caseno"] == "" and first["SubCategoryV"] == ""
    assert first["Submit"] == "Submit" and "newpageno" not in first
    third = form_fields(filters, 3)
    assert third["newpageno"] == "3" and third["Submit"] == "Next"


def test_pdf_check_accepts_valid_and_names_each_failure(tmp_path: Path) -> None:
    good = synthetic_pdf("CM16-0000001", pages=2)
    assert check_pdf_bytes(good) == 2
    with pytest.raises(InvalidPdf, match="truncated"):
        check_pdf_bytes(good[: len(good) // 2])
    with pytest.raises(InvalidPdf, match="does not start with %PDF"):
        check_pdf_bytes(b"<html>error page</html>")
    garbage = b"%PDF-1.4\n" + b"x" * 100 + b"\n%%EOF\n"
    with pytest.raises(InvalidPdf, match="pdfium cannot open"):
        check_pdf_bytes(garbage)
    path = tmp_path / "CM16-0000001.pdf"
    path.write_bytes(good[:-40])
    with pytest.raises(InvalidPdf, match="CM16-0000001.pdf"):
        check_pdf_file(path)


def test_backoff_doubles_is_capped_and_honours_retry_after() -> None:
    client = PoliteClient(FetchSettings(backoff_base_s=1.0, backoff_max_s=5.0))
    assert [client.backoff(k) for k in range(4)] == [1.0, 2.0, 4.0, 5.0]
    assert client.backoff(0, retry_after="3") == 3.0
    assert client.backoff(0, retry_after="120") == 5.0
    assert client.backoff(0, retry_after="Wed, 21 Oct 2015 07:28:00 GMT") == 1.0


def test_rate_limiter_spaces_requests() -> None:
    limiter = RateLimiter(requests_per_second=50)  # 20 ms apart
    start = time.monotonic()
    for _ in range(6):
        limiter.wait()
    assert time.monotonic() - start >= 5 * 0.02 * 0.9


def test_user_agent_names_project_version_and_contact() -> None:
    settings = FetchSettings(contact="mailto:someone@example.test")
    assert settings.user_agent == f"imr-triage/{__version__} (+mailto:someone@example.test)"


def test_settings_precedence_cli_over_env_over_params(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMR_FETCH_TIMEOUT_S", "7")
    params = {"timeout_s": 99, "max_pages": 3, "seed": 1}  # `seed` comes from base: and is ignored
    settings = build_settings(params, {"base_url": "http://127.0.0.1:9", "max_retries": None})
    assert settings.timeout_s == 7 and settings.max_pages == 3
    assert settings.base_url == "http://127.0.0.1:9" and settings.max_retries == 4
    assert settings.search_url == "http://127.0.0.1:9/dwc/imr/IMRDecisionSearch.asp"


def test_list_file_and_items_keep_good_rows_and_name_bad_ones(tmp_path: Path) -> None:
    listing = tmp_path / "cases.txt"
    listing.write_text("# synthetic list\nCM16-0000001\n\ncm16-0000002  # lower case ok\n../etc/passwd\n")
    items = read_list_file(listing) + [
        "https://x.test/a/CM16-0000003.pdf",
        "CM16-0000001",
        "http://[bad/x.pdf",
    ]
    letters, bad = letters_from_items(items)
    assert [(x.case_number, x.source) for x in letters] == [
        ("CM16-0000001", "case_number"),
        ("CM16-0000002", "case_number"),
        ("CM16-0000003", "url"),
    ]
    assert [b.item for b in bad] == ["../etc/passwd", "http://[bad/x.pdf"]
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        read_list_file(tmp_path / "missing.txt")


def test_manifest_merges_runs_and_flattens_services(tmp_path: Path) -> None:
    services = [
        ResultRow(case_number="CM16-0000001", request_category="Synthetic A", decision="Upheld"),
        ResultRow(case_number="CM16-0000001", request_category="Synthetic B", decision="Overturned"),
    ]
    first = LetterRecord(
        case_number="CM16-0000001",
        status="downloaded",
        fetched_at="2017-01-01T00:00:00+00:00",
        attempts=2,
        services=services,
    )
    write_manifest(tmp_path, [first, LetterRecord(case_number="CM16-0000002", status="failed", error="x")])
    rerun = LetterRecord(case_number="CM16-0000001", status="present")  # e.g. from a URL list: no services
    _, csv_path = write_manifest(tmp_path, [rerun])
    merged = load_manifest(tmp_path)
    assert merged["CM16-0000001"].status == "present"
    assert merged["CM16-0000001"].fetched_at == "2017-01-01T00:00:00+00:00"
    assert [s.decision for s in merged["CM16-0000001"].services] == ["Upheld", "Overturned"]
    assert merged["CM16-0000002"].status == "failed"
    rows = list(csv.DictReader(csv_path.open()))
    assert [(r["case_number"], r["decision"]) for r in rows] == [
        ("CM16-0000001", "Upheld"),
        ("CM16-0000001", "Overturned"),
        ("CM16-0000002", ""),
    ]
    assert not list(tmp_path.glob(".*part*"))


def test_fetch_options_from_cli_values_and_params(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command's option values (as click hands them over) become one FetchOptions object."""
    from datetime import datetime

    from letters.download.options import FetchOptions

    monkeypatch.setenv("IMR_FETCH_TIMEOUT_S", "7")
    listing = tmp_path / "cases.txt"
    listing.write_text("CM16-0000009\n", encoding="utf-8")
    cli = {
        "out": tmp_path / "out", "items": ["CM16-0000001"], "case_numbers": listing, "urls": None,
        "decision_from": datetime(2017, 1, 2), "decision_to": None, "outcome": "Upheld", "rate": 5.0,
        "retries": None, "max_pages": None, "progress": False,
    }
    opts = FetchOptions.from_cli(cli, {"max_pages": 3, "timeout_s": 99, "requests_per_second": 0.1})
    assert opts.items == ["CM16-0000001", "CM16-0000009"] and opts.progress is False
    assert opts.search == SearchFilters(decision_from=date(2017, 1, 2), outcome="Upheld")
    s = opts.settings
    assert (s.requests_per_second, s.timeout_s, s.max_pages, s.max_retries) == (5.0, 7, 3, 4)
    only_listed = FetchOptions.from_cli({"out": tmp_path, "items": ["CM16-0000001"]}, {})
    assert only_listed.search is None
    with pytest.raises(FileNotFoundError, match="absent.txt: list file not found"):
        FetchOptions.from_cli({"out": tmp_path, "urls": tmp_path / "absent.txt"}, {})
