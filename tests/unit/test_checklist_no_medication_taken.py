"""Session 24 nurse check, on SYNTHETIC letters: a summary that says the worker takes no medication (in the
record's words, the generic word negated) makes a requested drug new, so the continuing drug's benefit
criterion does not apply; a summary that says its medication list is missing, or the UR's account, does
not."""

from __future__ import annotations

from datetime import date

from tests.unit.synthetic_cases import NO_CITATION, checklists_of, criterion_status

HEADING = "Celecoxib 200mg #60"
SUMMARY = ("The injured worker is a 41 year old female who hurt her right wrist lifting a tray on "
           "10/03/2016. She is not using any medications at present. On 10/24/2016 she reported wrist "
           "pain. The treatment plan included celecoxib and a wrist brace. The utilization review of "
           "11/01/2016 denied the request for celecoxib. This is SYNTHETIC test text.")


def _status(summary: str, heading: str = HEADING, criterion: str = "medication_benefit") -> str | None:
    [checklist] = checklists_of(summary, [heading], injury=date(2016, 10, 3), ur=date(2016, 11, 1),
                                ur_line=NO_CITATION)
    return criterion_status(checklist, criterion)


def test_a_summary_saying_no_medication_is_taken_makes_the_requested_drug_new() -> None:
    assert _status(SUMMARY) == "not_applicable"
    for said in ("She is not taking any medications.", "She takes no medication.",
                 "She is currently on no medications."):
        assert _status(SUMMARY.replace("She is not using any medications at present.", said)) \
            == "not_applicable", said


def test_a_missing_list_a_drug_taken_or_the_urs_words_keep_the_benefit_criterion() -> None:
    for said in ("Her medications were not documented.", "No medications were listed.",
                 "She is taking medications."):
        assert _status(SUMMARY.replace("She is not using any medications at present.", said)) \
            == "not_documented", said
    taken = SUMMARY.replace("She is not using any medications at present.",
                            "She is not taking any medications other than celecoxib.")
    assert _status(taken) == "not_documented"
    ur_only = SUMMARY.replace("She is not using any medications at present. ", "").replace(
        "denied the request for celecoxib.", "denied the request for celecoxib, as she is not taking any "
        "medications.")
    assert _status(ur_only) == "not_documented"
