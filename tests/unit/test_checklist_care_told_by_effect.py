"""Session 25 nurse check (issue #18), on SYNTHETIC letters: care the record tells only through its effect.

(1) A course of the request's own therapy told by what it did ("overall improvement with physical therapy",
"no relief from acupuncture", "chiropractic treatment was noted to improve symptoms") is a course given: the
request continues it, so gains from it are asked and its sessions are unknown. An effect wished for ("hoping
for relief from physical therapy") or a plan ("physical therapy to improve strength") is no course given.
(2) Care the record says relieved symptoms, no failure stated, has not failed, for a study that would follow
failed care (session 22's rule read only a gain in function). Every fact must hold whatever the writer calls
the worker."""

from __future__ import annotations

from datetime import date

import pytest

from tests.unit.synthetic_cases import NO_CITATION, checklists_of, criterion_status

PT = "Physical therapy 2 times a week for 2 weeks for the lumbar spine"
ACUPUNCTURE = "Acupuncture 6 sessions for the lumbar spine"
EMG = "EMG/NCV of the bilateral lower extremities"
NOUNS = ["The injured worker", "The patient", "She", "Mr. Doe"]


def _summary(noun: str, told: str) -> str:
    return (f"{noun} is a 47 year old who was injured on 03/02/2016 lifting boxes. {told.format(noun=noun)} "
            f"{noun} reports numbness of the toes. Lumbar range of motion is reduced. SYNTHETIC text.")


def _items(heading: str, summary: str) -> dict[str, tuple[str, list[str]]]:
    checklist = checklists_of(summary, [heading], injury=date(2016, 3, 2), ur=date(2016, 11, 20),
                              ur_line=NO_CITATION)[0]
    return {i.criterion_id: (i.status, [e.text for e in i.evidence]) for i in checklist.checklist}


@pytest.mark.parametrize("noun", NOUNS)
@pytest.mark.parametrize(("heading", "told"), [
    (PT, "{noun} reported overall improvement with physical therapy and the pain is now 3/10."),
    (PT, "Physical therapy was noted to improve the pain."),
    (PT, "Physical therapy did not help the pain."),
    (ACUPUNCTURE, "{noun} had no relief from acupuncture."),
    (ACUPUNCTURE, "{noun} did not get any benefit from acupuncture."),
])
def test_a_course_told_by_its_effect_is_a_course_given(noun: str, heading: str, told: str) -> None:
    items = _items(heading, _summary(noun, told))
    assert items["gains_from_prior_course"][0] != "not_applicable"
    if heading == PT:  # 4 visits after a course of unknown length: the total is not known
        assert items["visits_within_course"][0] == "not_documented"
    else:  # a first course's trial size does not apply to a second one
        assert items["acupuncture_trial_size"][0] == "not_applicable"


@pytest.mark.parametrize("noun", NOUNS)
@pytest.mark.parametrize("told", [
    "{noun} is hoping for improvement with physical therapy.",
    "Physical therapy to improve strength was recommended.",
    "{noun} is expected to improve with physical therapy.",
    "Physical therapy for the neck helped.",  # another body part's course
])
def test_an_effect_wished_planned_or_of_another_part_is_no_course(noun: str, told: str) -> None:
    items = _items(PT, _summary(noun, told))
    assert items["gains_from_prior_course"][0] == "not_applicable"
    assert items["visits_within_course"][0] == "met"


@pytest.mark.parametrize("noun", NOUNS)
@pytest.mark.parametrize("told", [
    "Treatment to date includes activity modification and medications. Chiropractic therapy received was "
    "noted to improve symptoms. Pain was rated 4 out of 10.",
    "{noun} says the chiropractic treatment was found to relieve the pain.",
])
def test_care_that_relieved_symptoms_has_not_failed_before_a_study(noun: str, told: str) -> None:
    status, evidence = _items(EMG, _summary(noun, told))["conservative_care_failed"]
    assert status == "unmet"
    assert any("chiropractic" in e.lower() for e in evidence)


@pytest.mark.parametrize("noun", NOUNS)
@pytest.mark.parametrize("told", [
    "{noun} is hoping for relief from physical therapy.",  # wished for
    "Physical therapy is planned to improve symptoms.",  # planned
    "{noun} had physical therapy with no relief from the physical therapy.",  # a failure, not help
    # help told, but the pain after it is still as high as failed care's mark: not enough relief
    "Treatment to date includes chiropractic. Chiropractic therapy was noted to improve symptoms. Pain is "
    "rated 9 out of 10.",
    # help told beside a failure: a mixed record
    "Treatment to date includes physical therapy. {noun} has not improved much; however, physical "
    "therapy was noted to help.",
])
def test_care_wished_planned_or_failed_is_no_care_that_helped(noun: str, told: str) -> None:
    status, _ = _items(EMG, _summary(noun, told))["conservative_care_failed"]
    assert status != "unmet"


def test_care_that_helped_is_no_reason_against_more_of_another_treatment() -> None:
    """Session 22's limit holds: the care's help decides only a study or an operation that would follow failed
    care (a TENS unit after therapy that helped stays not documented)."""
    summary = _summary("The patient", "Chiropractic therapy received was noted to improve symptoms.")
    checklist = checklists_of(summary, ["TENS unit rental for 30 days"], injury=date(2016, 3, 2),
                              ur=date(2016, 11, 20), ur_line=NO_CITATION)[0]
    assert criterion_status(checklist, "conservative_care_failed") in ("not_documented", None)
