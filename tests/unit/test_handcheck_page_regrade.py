"""The hand-check page re-grade counts a page miss as newly paged only when the product's citation for the
same probe row now carries a page, per guideline (SYNTHETIC rows)."""

from __future__ import annotations

from experiment_scripts import load_script

REGRADE = load_script("handcheck_page_regrade")
CPMTG = "MTUS 2016, Chronic Pain Medical Treatment Guidelines, Topical analgesics"
ODG = "ODG online, Knee & Leg, Knee brace (post-operative), pages ?"


def _row(key: str, citation: str, right: str = "") -> dict[str, str]:
    return {"id": key, "item": "0", "selected_citation": citation, "right": right}


def test_a_page_miss_that_now_carries_a_page_is_counted_by_guideline() -> None:
    judged = {("x01", "0"): _row("x01", f"{CPMTG}, pages ?", "section"),
              ("x02", "0"): _row("x02", f"{CPMTG}, pages ?", "section"),
              ("x03", "0"): _row("x03", ODG, "yes")}
    now = {("x01", "0"): _row("x01", f"{CPMTG}, pages 111-113"),
           ("x02", "0"): _row("x02", f"{CPMTG}, pages ?"),
           ("x03", "0"): _row("x03", ODG)}
    counts = REGRADE.regrade(judged, now)
    guideline = "Chronic Pain Medical Treatment Guidelines"
    assert counts["page_misses"] == {guideline: 2}
    assert counts["now_paged"] == {guideline: 1}
    assert counts["changed"] == {guideline: 1}
    assert not counts["missing"]


def test_a_row_missing_from_the_fresh_sample_is_reported_not_graded() -> None:
    judged = {("x01", "0"): _row("x01", f"{CPMTG}, pages ?", "section")}
    counts = REGRADE.regrade(judged, {})
    assert counts["missing"] == {"Chronic Pain Medical Treatment Guidelines": 1}
    assert not counts["page_misses"] and not counts["now_paged"]
