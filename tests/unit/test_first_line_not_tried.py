"""Session 24 (issue #18): a first-line drug the record says was not tried yet ("has not tried NSAIDs", "no
trial of gabapentin": ConText negated) makes "first-line treatment failed" unmet, as care not tried does for
the other kinds; a drug not taken for a reason, a condition, another kind of care or a second-line drug does
not. Every sentence is SYNTHETIC, written for the test, and read for several writers' nouns for the worker."""

from __future__ import annotations

from datetime import date

import pytest
from synthetic_cases import checklists_of

from features.care_kinds import failed_care_of_kinds
from features.criteria import load_criteria
from features.evidence import EvidenceSpan
from features.style import rewrite_style
from letters.records import Section

WRITERS = [("patient", False), ("injured worker", True), ("claimant", False), ("IW", True)]
_OPENING = "SYNTHETIC: The injured worker has had low back pain for a year after lifting a box. "


def _first_line(summary: str, writer: str, swap: bool) -> tuple[str, list[str]]:
    text = rewrite_style(_OPENING + summary, person=writer, swap_pronouns=swap)
    (checklist,) = checklists_of(text, ["Cyclobenzaprine 10mg #30"], injury=date(2015, 8, 19),
                                 ur=date(2016, 12, 1))
    item = next(i for i in checklist.checklist if i.criterion_id == "first_line_failed")
    return item.status, [e.text for e in item.evidence]


@pytest.mark.parametrize("writer, swap", WRITERS)
@pytest.mark.parametrize("statement, status", [
    ("He has not tried NSAIDs.", "unmet"),
    ("There has been no trial of gabapentin.", "unmet"),
    ("He has never taken anti-inflammatory medication.", "unmet"),
    ("He has not had acupuncture. He has not tried naproxen.", "unmet"),
    ("Non-opioid analgesics had not yet been attempted.", "unmet"),
    ("Anti-inflammatory medications were not tried.", "unmet"),
    # a failure not shown is no trial not had (the protocol's "tried and failed" not documented)
    ("There is no evidence that he has trialed and failed NSAIDs.", "not_documented"),
    ("Physical therapy has not been tried.", "not_documented"),
    # a first-line drug that failed is tried, whatever else was not
    ("Gabapentin gave no relief. He has not tried NSAIDs.", "met"),
    # not a first-line drug not tried
    ("He has not tried physical therapy.", "not_documented"),
    ("He has not tried opioids.", "not_documented"),
    ("He has not taken NSAIDs because of his ulcer.", "not_documented"),
    ("If he has not tried NSAIDs, a trial would be reasonable.", "not_documented"),
    ("He has not had any relief with medications.", "not_documented"),
])
def test_a_first_line_drug_not_tried_is_first_line_care_not_tried(
        statement: str, status: str, writer: str, swap: bool) -> None:
    got, evidence = _first_line(statement, writer, swap)
    assert got == status, (statement, got, evidence)
    if status == "unmet":
        said = rewrite_style(statement, person=writer, swap_pronouns=swap)
        assert len(evidence) == 1 and evidence[0] in said, evidence


def test_a_drug_not_tried_is_read_only_for_its_kinds() -> None:
    table = load_criteria()
    untried = [EvidenceSpan(Section.CLINICAL_SUMMARY, 10, 22, "tried NSAIDs")]
    assert failed_care_of_kinds(table, ["first_line_drugs"], "not_stated", [], untried) == ("no", untried)
    other = [EvidenceSpan(Section.CLINICAL_SUMMARY, 10, 26, "tried acupuncture")]
    assert failed_care_of_kinds(table, ["first_line_drugs"], "yes", [], other) == ("not_stated", [])
    assert failed_care_of_kinds(table, ["first_line_drugs"], None, [], untried) == (None, [])
