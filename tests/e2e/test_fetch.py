"""`imr fetch` end to end against a SYNTHETIC DWC site on 127.0.0.1 (threaded http.server).

Delays are shrunk through the same flags a user has (--rate, --timeout, --backoff), so the whole
module runs in seconds while exercising real HTTP, real timeouts and real PDF verification.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from imr_triage import __version__
from imr_triage.cli import app
from tests.synthetic_dwc import SyntheticSite, serve_site, synthetic_case

pytestmark = pytest.mark.slow

FAST = ["--rate", "500", "--timeout", "1.0", "--retries", "2", "--backoff", "0.01", "--no-progress"]
SEARCH_PATH = "/dwc/imr/IMRDecisionSearch.asp"


def run_fetch(base_url: str, out: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        [
            "fetch",
            "--out",
            str(out),
            "--base-url",
            base_url,
            "--params",
            str(out / "no-params.yaml"),
            *FAST,
            *args,
        ],
    )
    return result.exit_code, result.output


def manifest(out: Path) -> dict[str, dict]:
    return {e["case_number"]: e for e in json.loads((out / "manifest.json").read_text())["letters"]}


@pytest.fixture
def site() -> SyntheticSite:
    """Two result pages; the letters misbehave in every way the downloader must survive."""
    return SyntheticSite(
        pages=[
            [
                synthetic_case("CM16-0000001", 2),
                synthetic_case("CM16-0000002"),
                synthetic_case("CM16-0000003"),
            ],
            [
                synthetic_case("CM16-0000004"),
                synthetic_case("CM16-0000005"),
                synthetic_case("CM16-0000006"),
                synthetic_case("CM16-0000007"),
            ],
        ],
        behaviour={
            "CM16-0000002": "slow",  # first response slower than the client timeout
            "CM16-0000003": "flaky",  # two 500s, then fine
            "CM16-0000004": "down",  # 500 every time
            "CM16-0000005": "truncated",  # complete response of an incomplete PDF
            "CM16-0000007": "cut",  # connection closed before Content-Length bytes
        },
        slow_seconds=2.0,  # well past the 1 s client timeout, so a loaded CI machine cannot blur it
    )


@pytest.fixture
def base_url(site: SyntheticSite) -> Iterator[str]:
    with serve_site(site) as url:
        yield url


def test_search_two_pages_retries_and_reports_failures(site: SyntheticSite, base_url: str, tmp_path: Path):
    code, output = run_fetch(
        base_url, tmp_path, "--decision-from", "2017-01-01", "--decision-to", "2017-02-28"
    )

    assert code == 1, output
    records = manifest(tmp_path)
    status = {case: r["status"] for case, r in records.items()}
    assert status == {
        "CM16-0000001": "downloaded",
        "CM16-0000002": "downloaded",
        "CM16-0000003": "downloaded",
        "CM16-0000004": "failed",
        "CM16-0000005": "failed",
        "CM16-0000006": "downloaded",
        "CM16-0000007": "failed",
    }
    # retried exactly as configured: slow once, flaky twice, permanent 500 1 + 2 retries
    assert site.hits["/letters/CM16-0000002.pdf"] == 2 and records["CM16-0000002"]["attempts"] == 2
    assert site.hits["/letters/CM16-0000003.pdf"] == 3 and records["CM16-0000003"]["attempts"] == 3
    assert site.hits["/letters/CM16-0000004.pdf"] == 3
    assert "HTTP 500" in records["CM16-0000004"]["error"]
    assert "truncated" in records["CM16-0000005"]["error"]
    assert "transport error" in records["CM16-0000007"]["error"]
    # failures are reported, and nothing invalid or half-written is left behind
    for case in ("CM16-0000004", "CM16-0000005", "CM16-0000007"):
        assert case in output
        assert not (tmp_path / f"{case}.pdf").exists()
    assert not [p.name for p in tmp_path.iterdir() if "part" in p.name]
    assert "4 downloaded" in output and "3 failed" in output
    # the form was posted as the site expects, page 2 through 'Next'
    assert len(site.forms) == 2
    assert site.forms[0]["DecStart"] == "01/01/2017" and site.forms[0]["DecEnd"] == "02/28/2017"
    assert site.forms[0]["Submit"] == "Submit"
    assert site.forms[1]["newpageno"] == "2" and site.forms[1]["Submit"] == "Next"
    assert site.user_agents == {
        f"imr-triage/{__version__} (+https://example.org/imr-triage-contact (set IMR_FETCH_CONTACT))"
    }
    # search metadata, per disputed service, lands in the manifest (decision = post-review label)
    assert [s["decision"] for s in records["CM16-0000001"]["services"]] == ["Upheld", "Overturned"]
    assert records["CM16-0000001"]["pages"] == 1 and len(records["CM16-0000001"]["sha256"]) == 64
    csv_lines = (tmp_path / "manifest.csv").read_text().splitlines()
    assert sum(line.startswith("CM16-0000001,downloaded,") for line in csv_lines) == 2  # one per service


def test_second_run_downloads_nothing_and_replaces_a_corrupted_file(
    site: SyntheticSite, base_url: str, tmp_path: Path
):
    cases = tmp_path / "cases.txt"
    cases.write_text("CM16-0000001\nCM16-0000006\n")
    out = tmp_path / "letters"
    code, output = run_fetch(base_url, out, "--case-numbers", str(cases))
    assert code == 0, output
    assert site.search_hits() == 2 and site.pdf_hits() == 2  # one lookup per case number, one PDF each
    assert [s["request_category"] for s in manifest(out)["CM16-0000001"]["services"]] == [
        "Synthetic Category 0",
        "Synthetic Category 1",
    ]

    code, output = run_fetch(base_url, out, "--case-numbers", str(cases))
    assert code == 0, output
    assert site.search_hits() == 2 and site.pdf_hits() == 2  # nothing requested at all
    assert "0 downloaded, 2 already present" in output
    assert manifest(out)["CM16-0000001"]["services"]  # metadata from the first run survives

    good = (out / "CM16-0000006.pdf").read_bytes()
    (out / "CM16-0000006.pdf").write_bytes(good[: len(good) // 2])  # e.g. a copy interrupted by hand
    code, output = run_fetch(base_url, out, "CM16-0000006", "CM16-0000001")
    assert code == 0, output
    assert (out / "CM16-0000006.pdf").read_bytes() == good
    assert (out / "CM16-0000006.pdf.invalid").exists()
    assert "1 downloaded, 1 already present" in output


def test_url_list_fetches_directly_and_does_not_retry_a_404(
    site: SyntheticSite, base_url: str, tmp_path: Path
):
    site.behaviour["CM16-0000009"] = "gone"
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{base_url}/letters/CM16-0000001.pdf\n{base_url}/letters/CM16-0000009.pdf\n")
    code, output = run_fetch(base_url, tmp_path / "out", "--urls", str(urls))
    assert code == 1
    assert site.search_hits() == 0
    assert site.hits["/letters/CM16-0000009.pdf"] == 1
    assert "HTTP 404 (not retried)" in output
    assert (tmp_path / "out" / "CM16-0000001.pdf").exists()


def test_search_rerun_reads_pages_but_requests_no_pdfs(site: SyntheticSite, base_url: str, tmp_path: Path):
    site.pages = [
        [synthetic_case("CM16-0000001"), synthetic_case("CM16-0000006")],
        [synthetic_case("CM16-0000008")],
    ]
    for _ in range(2):
        code, output = run_fetch(base_url, tmp_path, "--decision-from", "2017-01-01")
        assert code == 0, output
    assert site.search_hits() == 4 and site.pdf_hits() == 3
    assert "0 downloaded, 3 already present" in output


def test_unfetchable_url_is_reported_without_stopping_the_batch(base_url: str, tmp_path: Path):
    code, output = run_fetch(
        base_url, tmp_path, "http:///CM16-0000010.pdf", f"{base_url}/letters/CM16-0000001.pdf"
    )
    assert code == 1
    assert "not a fetchable URL" in output and "1 downloaded" in output


def test_unexpected_layout_is_a_clear_error(base_url: str, tmp_path: Path):
    code, output = run_fetch(f"{base_url}/broken", tmp_path, "--decision-from", "2017-01-01")
    assert code == 1
    assert "results page 1" in output and "tabborder" in output
    code, output = run_fetch(f"{base_url}/renamed", tmp_path, "--decision-from", "2017-01-01")
    assert code == 1
    assert "lacks column(s) ['decision']" in output


def test_busy_search_page_is_retried(site: SyntheticSite, base_url: str, tmp_path: Path):
    site.pages = [[synthetic_case("CM16-0000001")]]
    code, output = run_fetch(f"{base_url}/busy", tmp_path, "--decision-from", "2017-01-01")
    assert code == 0, output
    assert site.search_hits() == 2


def test_search_pages_are_bounded(site: SyntheticSite, base_url: str, tmp_path: Path):
    site.endless = True
    site.pages = [[synthetic_case(f"CM16-000001{i}")] for i in range(5)]
    code, output = run_fetch(base_url, tmp_path, "--decision-from", "2017-01-01", "--max-pages", "3")
    assert code == 0, output
    assert site.search_hits() == 3
    assert "stopped at max_pages=3" in output
    assert len(manifest(tmp_path)) == 3


def test_nothing_to_fetch_is_a_usage_error(tmp_path: Path):
    result = CliRunner().invoke(app, ["fetch", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "nothing to fetch" in result.output
