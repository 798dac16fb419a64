"""Session 24 nurse check, on SYNTHETIC letters: a fracture the summary names only on another body part than
the request's (a thumb fracture beside a shoulder MRI) is no red flag for that request; a fracture of the
request's own part, one whose words name no part, or a major trauma (of the whole worker) still is."""

from __future__ import annotations

from datetime import date

from synthetic_cases import checklists_of, criterion_status

from features.evidence import EvidenceSpan
from features.regional_red_flags import finding_phrase
from letters.records import Section

UR_LINE = "Decision based on MTUS Shoulder Complaints 2004, Section(s): Special Studies."
HEADING = "MRI of the left shoulder without contrast"
SUMMARY = ("The injured worker is a 46 year old male who caught his left arm in a door on 10/10/2016. "
           "Diagnoses include left shoulder impingement syndrome, possible rotator cuff tear and a fracture "
           "of the left thumb. On 11/11/2016 he reported left shoulder pain with overhead work. The "
           "physician requested an MRI of the left shoulder. This is SYNTHETIC test text.")


def _red_flags(summary: str) -> str:
    [checklist] = checklists_of(summary, [HEADING], injury=date(2016, 10, 10), ur=date(2016, 11, 18),
                                ur_line=UR_LINE)
    return criterion_status(checklist, "red_flags")


def test_a_fracture_of_another_body_part_is_no_red_flag_for_the_request() -> None:
    assert _red_flags(SUMMARY) == "not_documented"
    foot = SUMMARY.replace("a fracture of the left thumb",
                           "fracture of a tarsal bone of the right foot")
    assert _red_flags(foot) == "not_documented"


def test_a_fracture_of_the_requests_part_or_of_no_named_part_or_major_trauma_stays_a_red_flag() -> None:
    assert _red_flags(SUMMARY.replace("left thumb", "left humerus")) == "met"
    unnamed = SUMMARY.replace("a fracture of the left thumb", "a nondisplaced fracture")
    assert _red_flags(unnamed) == "met"
    crash = SUMMARY.replace("caught his left arm in a door", "was injured in a motor vehicle accident")
    assert _red_flags(crash) == "met"


def test_a_findings_phrase_is_its_item_of_the_sentences_list() -> None:
    sentence = "Diagnoses include shoulder impingement, a left thumb fracture and neck strain."
    start = sentence.index("fracture")
    span = EvidenceSpan(Section.CLINICAL_SUMMARY, 100 + start, 100 + start + 8, "fracture", sentence, 100)
    assert finding_phrase(span) == " a left thumb fracture "
