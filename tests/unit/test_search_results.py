"""The results-page parser on SYNTHETIC pages: normal, odd-but-valid, empty and unexpected layouts."""

from __future__ import annotations

import pytest

from letters.download.search_results import ResultsLayoutError, parse_results_page
from tests.synthetic_dwc import (
    no_results_html,
    renamed_columns_html,
    results_page_html,
    synthetic_case,
    unexpected_layout_html,
)

PAGE_URL = "https://dwc.example.test/dwc/imr/IMRDecisionSearch.asp"


def test_rows_per_service_with_continuation_rows_inheriting_case_fields() -> None:
    first, second = synthetic_case("CM16-0000001", 3), synthetic_case("CM16-0000002")
    second.decision_date, second.specialty = "02/28/2017", "Internal Medicine"
    page = parse_results_page(results_page_html([first, second], has_next=True, total=4), PAGE_URL)

    assert [r.case_number for r in page.rows] == ["CM16-0000001"] * 3 + ["CM16-0000002"]
    assert [r.decision for r in page.rows] == ["Upheld", "Overturned", "Upheld", "Upheld"]
    assert [r.sub_category for r in page.rows[:3]] == [f"Synthetic Drug {i}" for i in range(3)]
    continuation = page.rows[2]
    assert continuation.decision_date == "01/05/2017"
    assert continuation.reviewer_specialty == "Orthopedic Surgery"
    assert continuation.pdf_url == "https://dwc.example.test/letters/CM16-0000001.pdf"
    assert page.rows[3].decision_date == "02/28/2017"
    assert page.rows[3].reviewer_specialty == "Internal Medicine"
    assert page.has_next is True
    assert page.total_results == 4


def test_last_page_has_no_next_and_absolute_links_are_kept() -> None:
    case = synthetic_case("CM17-0000003")
    case.href = "https://files.example.test/pdfs/CM17-0000003.pdf"
    page = parse_results_page(results_page_html([case], has_next=False, total=1), PAGE_URL)
    assert page.has_next is False
    assert page.rows[0].pdf_url == "https://files.example.test/pdfs/CM17-0000003.pdf"


def test_columns_are_found_by_header_not_position() -> None:
    html = """<html><body><table class="TabBorder other">
      <tr><th>Request Decision</th><th>SubCategory/Drug</th><th>Request Category</th>
          <th>Received Date</th><th>Date of Injury</th><th>IMRO Reviewer Specialty</th>
          <th>Decision Date</th><th>Case Number</th></tr>
      <tr><td>Overturned</td><td>Synthetic Drug</td><td>Synthetic Category</td><td>12/01/2016</td>
          <td>10/20/2016</td><td>Chiropractor</td><td>01/05/2017</td>
          <td><a href="letters/CM16-0000009.pdf">CM16-0000009</a></td></tr>
    </table></body></html>"""
    (row,) = parse_results_page(html, PAGE_URL).rows
    assert row.case_number == "CM16-0000009"
    assert row.decision == "Overturned"
    assert row.decision_date == "01/05/2017"
    assert row.reviewer_specialty == "Chiropractor"
    assert row.pdf_url == "https://dwc.example.test/dwc/imr/letters/CM16-0000009.pdf"


def test_nested_table_in_a_cell_adds_no_rows() -> None:
    case = synthetic_case("CM16-0000004")
    case.specialty = "<table><tr><td>Pain Medicine</td></tr><tr><td>x</td></tr></table>"
    page = parse_results_page(results_page_html([case], has_next=False, total=1), PAGE_URL)
    assert len(page.rows) == 1
    assert page.rows[0].reviewer_specialty == "Pain Medicine x"


def test_no_results_message_is_an_empty_page_not_an_error() -> None:
    page = parse_results_page(no_results_html(), PAGE_URL)
    assert page.rows == [] and page.has_next is False


def test_redesigned_page_raises_naming_the_missing_table() -> None:
    with pytest.raises(ResultsLayoutError) as info:
        parse_results_page(unexpected_layout_html(), PAGE_URL)
    message = str(info.value)
    assert "tabborder" in message
    assert "SYNTHETIC redesigned search" in message  # says which page it was looking at
    assert PAGE_URL in message


def test_missing_column_raises_naming_it_and_the_headers_seen() -> None:
    with pytest.raises(ResultsLayoutError) as info:
        parse_results_page(renamed_columns_html(synthetic_case("CM16-0000005")), PAGE_URL)
    message = str(info.value)
    assert "['decision']" in message
    assert "Notes" in message


def test_continuation_row_without_a_case_above_is_a_layout_error() -> None:
    html = results_page_html([synthetic_case("CM16-0000006", 2)], has_next=False, total=1)
    head, _, rest = html.partition("<tr><td><a ")
    orphaned = head + rest.split("\n", 1)[1]  # drop the case row, keep its continuation row
    with pytest.raises(ResultsLayoutError, match="row 2 has no case number"):
        parse_results_page(orphaned, PAGE_URL)
