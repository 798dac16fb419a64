"""Session 24 (issue #18): the objective-findings criteria read a neurological deficit of the request's own
region (or of the spine or limbs its nerve roots join), not one of any body part: a rotator cuff's weakness is
no finding for a hand MRI, an arm's sensory loss none for a lumbar MRI. The red flags stay the case's. Every
sentence is SYNTHETIC, written for the test, and read for several writers' nouns for the worker."""

from __future__ import annotations

from datetime import date

import pytest
from synthetic_cases import checklists_of

from features.style import rewrite_style

WRITERS = [("patient", False), ("injured worker", True), ("claimant", False), ("IW", True)]
_OPENING = "SYNTHETIC: The injured worker has had pain for a year after lifting a box. "
_SHOULDER_DEFICIT = "Examination of the right shoulder showed 4/5 weakness of the rotator cuff. "
_ARM_DEFICIT = "There was decreased sensation in the right C6 dermatome. "
_LEG_DEFICIT = "There was decreased sensation in the left L5 dermatome of the lower extremity. "


def _statuses(summary: str, heading: str, writer: str = "injured worker",
              swap: bool = False) -> dict[str, str]:
    text = rewrite_style(summary, person=writer, swap_pronouns=swap)
    (checklist,) = checklists_of(text, [heading], injury=date(2015, 8, 19), ur=date(2016, 12, 1))
    return {c.criterion_id: c.status for c in checklist.checklist}


@pytest.mark.parametrize("writer, swap", WRITERS)
@pytest.mark.parametrize("summary, heading, criterion, status", [
    # another part's deficit: the hand's own examination decides (stated full: unmet; untold: not documented)
    (_SHOULDER_DEFICIT + "The right hand had full range of motion and a negative Phalen test.",
     "MRI of the right hand", "exam_findings", "unmet"),
    (_SHOULDER_DEFICIT, "MRI of the right hand", "exam_findings", "not_documented"),
    (_SHOULDER_DEFICIT, "MRI of the right shoulder", "exam_findings", "met"),
    # a cervical root's deficit speaks for the shoulder (ACOEM: cervical root problems presenting as shoulder
    # pain)
    (_ARM_DEFICIT, "MRI of the right shoulder", "exam_findings", "met"),
    # an arm's deficit is no finding for a lumbar study; the legs' normal examination makes it unmet
    (_ARM_DEFICIT + "Lower extremity strength was 5/5 and sensation was intact.", "MRI of the lumbar spine",
     "neuro_findings", "unmet"),
    (_ARM_DEFICIT, "MRI of the lumbar spine", "neuro_findings", "not_documented"),
    (_ARM_DEFICIT, "MRI of the cervical spine", "neuro_findings", "met"),
    (_LEG_DEFICIT, "MRI of the lumbar spine", "neuro_findings", "met"),
    # a leg's radicular signs do not make a cervical facet injection's pain radicular; the arm's do
    (_LEG_DEFICIT + "Upper extremity strength was 5/5 and sensation was intact.",
     "Cervical facet medial branch block at C5-6", "no_radicular_findings", "met"),
    (_ARM_DEFICIT, "Cervical facet medial branch block at C5-6", "no_radicular_findings", "unmet"),
])
def test_the_findings_criteria_read_a_deficit_of_the_requests_region(
        summary: str, heading: str, criterion: str, status: str, writer: str, swap: bool) -> None:
    statuses = _statuses(_OPENING + summary, heading, writer, swap)
    assert statuses[criterion] == status, (heading, statuses)


def test_a_region_less_request_reads_a_deficit_of_any_region() -> None:
    """A drug treats the worker, not a part: a leg's deficit meets its objective-findings criterion."""
    statuses = _statuses(_OPENING + _LEG_DEFICIT, "Medrol dose pack")
    assert statuses.get("neuro_findings") == "met", statuses


def test_a_red_flag_stays_the_cases() -> None:
    """Cauda equina signs are a red flag whatever part the request is for (the guideline's case-wide flag)."""
    summary = _OPENING + "He has new urinary incontinence and saddle anesthesia. The right knee is swollen."
    assert _statuses(summary, "MRI of the right knee")["red_flags"] == "met"
