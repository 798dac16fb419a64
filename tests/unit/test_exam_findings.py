"""Objective examination findings of the part as a criterion (session 23, issues #23 and #18): "the
examination documents objective findings of the part" is met by a finding of the request's region or a
neurological deficit, unmet when the record states that region's examination normal and finds nothing, else
not documented; it stands in the extremity studies and operations whose guideline asks for it. Every
sentence is SYNTHETIC, written for the test; each is read for several writers' nouns for the worker ("IW"
among them) and must give the same statuses."""

from __future__ import annotations

from datetime import date

import pytest
from synthetic_cases import checklists_of

from features.criteria import load_criteria
from features.style import rewrite_style

WRITERS = [("patient", False), ("injured worker", True), ("claimant", False), ("IW", True)]
_SHOULDER = "SYNTHETIC: The injured worker has had right shoulder pain for a year after lifting a box. "


def _statuses(summary: str, heading: str) -> dict[str, str]:
    (checklist,) = checklists_of(summary, [heading], injury=date(2015, 8, 19), ur=date(2016, 12, 1))
    return {c.criterion_id: c.status for c in checklist.checklist}


@pytest.mark.parametrize("writer, swap", WRITERS)
@pytest.mark.parametrize("finding, status", [
    ("Range of motion of the right shoulder was limited to 90 degrees of flexion.", "met"),
    ("He had a positive Neer and Hawkins sign of the right shoulder.", "met"),
    ("There was decreased sensation in the right C6 dermatome.", "met"),  # a neurological deficit
    ("The right shoulder had full range of motion and the impingement test was negative.", "unmet"),
    ("There was no swelling, effusion or instability of the right shoulder.", "unmet"),
    ("There was tenderness to palpation of the right shoulder.", "not_documented"),
    ("The utilization reviewer noted decreased range of motion of the right shoulder.", "not_documented"),
    ("Range of motion of the left knee was restricted.", "not_documented"),  # another region
    ("Range of motion of the left knee was restricted. The right shoulder had full motion.", "unmet"),
])
def test_objective_findings_of_the_part_for_a_shoulder_mri(finding: str, status: str, writer: str,
                                                           swap: bool) -> None:
    summary = rewrite_style(_SHOULDER + finding, person=writer, swap_pronouns=swap)
    statuses = _statuses(summary, "MRI of the right shoulder")
    assert statuses["exam_findings"] == status, (summary, statuses)
    assert "neuro_findings" not in statuses


@pytest.mark.parametrize("heading", ["Right knee arthroscopy with partial medial meniscectomy",
                                     "MRI of the left ankle", "MRI of the right wrist"])
def test_extremity_studies_and_operations_read_the_parts_examination(heading: str) -> None:
    region = heading.split()[-1] if heading.startswith("MRI") else "knee"
    side = "right" if "right" in heading.lower() else "left"
    found = _statuses(f"SYNTHETIC: Examination of the {side} {region} revealed a joint effusion.", heading)
    normal = _statuses(f"SYNTHETIC: The {side} {region} had full range of motion without effusion.", heading)
    assert found["exam_findings"] == "met" and normal["exam_findings"] == "unmet", (found, normal)


def test_a_section_lists_one_criterion_of_the_objective_findings_family() -> None:
    table = load_criteria()
    for section in table.sections.values():
        families = [table.criteria[c].family for c in section.criteria]
        assert families.count("objective_findings") <= 1, section.id
    with_it = {s.id for s in table.sections.values() if "exam_findings" in s.criteria}
    assert {"shoulder_special_studies", "knee_special_studies", "knee_surgery", "shoulder_surgery",
            "hand_wrist_surgery"} <= with_it


def test_the_evidence_is_the_sentence_of_the_requests_region() -> None:
    """A finding of another region said first is not quoted: the item quotes the request's region's."""
    summary = (_SHOULDER + "Range of motion of the left knee was restricted. "
               "The right shoulder had a positive Hawkins sign.")
    (checklist,) = checklists_of(summary, ["MRI of the right shoulder"], injury=date(2015, 8, 19),
                                 ur=date(2016, 12, 1))
    item = checklist.item("objective_findings")
    assert item is not None and item.status == "met"
    assert [e.text for e in item.evidence] == ["The right shoulder had a positive Hawkins sign."]
