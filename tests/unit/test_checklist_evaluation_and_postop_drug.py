"""Session 26 nurse check (issue #18), on SYNTHETIC letters.

(1) A therapy's evaluation alone ("Physical therapy evaluation", "Chiropractic evaluation, lumbar spine") is
the visit that opens a course: the visit limits and the gains from an earlier course judge courses, so they do
not apply to it, whatever earlier course the record names. An evaluation with treatment, or with a count of
sessions, asks for a course and keeps them.
(2) A drug the heading asks for after an operation not yet done ("Post-op Norco ... #60") is not in use: the
acute opioid's short course reads the supply asked for. After an operation the summary dates as done, the
drug may be taken already, so its use stays unknown. No fact may change with the worker's name or pronoun."""

from __future__ import annotations

from datetime import date

import pytest

from tests.unit.synthetic_cases import NO_CITATION, checklists_of, criterion_status

NOUNS = [("The injured worker", "his"), ("The patient", "her"), ("The claimant", "their"), ("She", "her")]
SESSION_CRITERIA = ("visits_within_course", "manipulation_trial_size", "acupuncture_trial_size",
                    "gains_from_prior_course")


def _therapy_summary(noun: str, pronoun: str) -> str:
    return (f"{noun} is a 39 year old who hurt {pronoun} low back lifting crates on 09/12/2016. Treatment to "
            f"date has included physical therapy, chiropractic care, acupuncture and medications. {noun} "
            "reports low back pain of 6/10. Lumbar flexion is limited. The plan is a therapy evaluation. "
            "This is SYNTHETIC test text.")


def _statuses(heading: str, summary: str, *, ur: date = date(2016, 12, 1)) -> dict[str, str]:
    [checklist] = checklists_of(summary, [heading], injury=date(2016, 9, 12), ur=ur, ur_line=NO_CITATION)
    return {i.criterion_id: i.status for i in checklist.checklist}


@pytest.mark.parametrize(("noun", "pronoun"), NOUNS)
@pytest.mark.parametrize("heading", [
    "Physical therapy evaluation, lumbar spine",
    "Chiropractic evaluation for the low back",
    "PT eval lumbar spine",
    "Acupuncture assessment, lumbar",
])
def test_an_evaluation_alone_is_no_course(noun: str, pronoun: str, heading: str) -> None:
    statuses = _statuses(heading, _therapy_summary(noun, pronoun))
    judged = {c: statuses[c] for c in SESSION_CRITERIA if c in statuses}
    assert judged, heading  # the section has session criteria, and none applies to an evaluation
    assert set(judged.values()) == {"not_applicable"}, (heading, judged)


@pytest.mark.parametrize(("noun", "pronoun"), NOUNS)
@pytest.mark.parametrize("heading", [
    "Physical therapy evaluation and treatment, lumbar spine",
    "Physical therapy evaluation and 6 visits for the lumbar spine",
    "Chiropractic evaluation with manipulation twice a week for 3 weeks, low back",
    "Physical therapy 6 sessions, lumbar spine",
])
def test_an_evaluation_with_a_course_keeps_the_course_criteria(noun: str, pronoun: str,
                                                               heading: str) -> None:
    statuses = _statuses(heading, _therapy_summary(noun, pronoun))
    judged = {c: statuses[c] for c in SESSION_CRITERIA if c in statuses}
    assert any(s != "not_applicable" for s in judged.values()), (heading, judged)


def _surgery_summary(noun: str, pronoun: str, operation: str) -> str:
    return (f"{noun} is a 61 year old who strained {pronoun} abdomen lifting boxes on 09/12/2016. {noun} "
            "has an "
            f"umbilical hernia with pain of 7/10. {operation} The physician requested post-operative "
            "medication. This is SYNTHETIC test text.")


NORCO = "Post-op Norco 5/325mg #40, 1-2 tablets every 4-6 hours as needed"


@pytest.mark.parametrize(("noun", "pronoun"), NOUNS)
def test_a_post_operative_opioid_before_the_operation_reads_its_supply(noun: str, pronoun: str) -> None:
    summary = _surgery_summary(noun, pronoun, "Umbilical hernia repair is being scheduled.")
    [checklist] = checklists_of(summary, [NORCO], injury=date(2016, 9, 12), ur=date(2016, 12, 1),
                                ur_line=NO_CITATION)
    assert checklist.section_id == "opioids_postoperative"
    assert criterion_status(checklist, "acute_opioid_short_course") == "met"  # 40 at 12 a day: 3 days
    long = NORCO.replace("#40", "#400")  # 400 at 12 a day: 34 days, past the short course
    [checklist] = checklists_of(summary, [long], injury=date(2016, 9, 12), ur=date(2016, 12, 1),
                                ur_line=NO_CITATION)
    assert criterion_status(checklist, "acute_opioid_short_course") == "unmet"


@pytest.mark.parametrize(("noun", "pronoun"), NOUNS)
def test_a_post_operative_opioid_after_a_dated_operation_stays_unknown(noun: str, pronoun: str) -> None:
    summary = _surgery_summary(noun, pronoun, f"On 11/10/2016, {noun} underwent umbilical hernia repair.")
    [checklist] = checklists_of(summary, [NORCO], injury=date(2016, 9, 12), ur=date(2016, 12, 1),
                                ur_line=NO_CITATION)
    assert checklist.section_id == "opioids_postoperative"
    assert criterion_status(checklist, "acute_opioid_short_course") == "not_documented"


def test_a_drug_without_post_operative_words_stays_unknown() -> None:
    summary = _surgery_summary("The patient", "her", "Umbilical hernia repair is being scheduled.")
    [checklist] = checklists_of(summary, [NORCO.replace("Post-op ", "")], injury=date(2016, 9, 12),
                                ur=date(2016, 12, 1), ur_line=NO_CITATION)
    assert criterion_status(checklist, "acute_opioid_short_course") != "met"


# (3) Care listed as given, then the record says the complaints have not changed, with no pain score: care
# tried without relief, as a high score after it would be (session 23's rule), before a study.
MRI = "MRI of the lumbar spine without contrast"


def _unchanged_summary(noun: str, pronoun: str, told: str) -> str:
    return (f"{noun} is a 44 year old who strained {pronoun} low back lifting pallets on 08/01/2016. "
            "Treatment "
            f"to date has included physical therapy, heat, work restrictions and medications. {told} On "
            f"11/02/2016 the lumbar spine was tender with limited flexion. {noun} remains on modified duty. "
            "This is SYNTHETIC test text.")


def _care_item(summary: str) -> tuple[str, list[str]]:
    [checklist] = checklists_of(summary, [MRI], injury=date(2016, 8, 1), ur=date(2016, 11, 20),
                                ur_line=NO_CITATION)
    item = next(i for i in checklist.checklist if i.criterion_id == "conservative_care_failed")
    return item.status, [e.text for e in item.evidence]


@pytest.mark.parametrize(("noun", "pronoun"), NOUNS)
@pytest.mark.parametrize("told", [
    "Records also indicate no changes in complaints or condition.",
    "There were no changes in {pronoun} complaints.",
    "The condition remains unchanged.",
    "The progress note of 10/20/2016 reports no change in symptoms.",
])
def test_complaints_unchanged_after_care_is_care_that_failed(noun: str, pronoun: str, told: str) -> None:
    told = told.format(noun=noun.lower() if noun != "She" else "the worker", pronoun=pronoun)
    status, evidence = _care_item(_unchanged_summary(noun, pronoun, told))
    assert status == "met", told
    assert any(e.startswith(told[:12]) for e in evidence), evidence  # the statement is quoted


@pytest.mark.parametrize(("noun", "pronoun"), NOUNS)
@pytest.mark.parametrize("told", [
    "If there is no change in symptoms, an injection will be considered.",  # a plan, not a finding
    "Records of the right shoulder also indicate no changes in complaints.",  # another part
    "Physical therapy has helped. Records also indicate no changes in complaints.",  # care that helped
    "Pain was rated 4/10. Records also indicate no changes in complaints.",  # a low score decides
    "The utilization reviewer noted no changes in complaints or condition.",  # the UR's account
    "The work restrictions were unchanged.",  # restrictions, not complaints
])
def test_no_change_that_is_a_plan_another_part_or_beside_help_or_a_low_score_is_not(
        noun: str, pronoun: str, told: str) -> None:
    status, _ = _care_item(_unchanged_summary(noun, pronoun, told))
    assert status != "met", told
