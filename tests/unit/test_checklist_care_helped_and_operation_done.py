"""Session 22 nurse check, on SYNTHETIC letters: care that helped makes a study's or an operation's
failed-care criterion unmet, and an operation the summary dates as done makes a post-operative item's
operation authorised (met, quoting the operation's sentence)."""

from __future__ import annotations

from datetime import date

from features.criteria import load_criteria
from features.extractors.criteria_level import case_checklists
from letters.records import Case, GuidelineCitation, ServiceDecision

TABLE = load_criteria()


UR_LINE = "The Claims Administrator did not cite any medical evidence for its decision."


def _case(summary: str, headings: list[str], injury: date, ur: date) -> Case:
    services = [ServiceDecision(item_index=i, heading=h, service=h, decision="Upheld",  # type: ignore[arg-type]
                                ur_guideline=GuidelineCitation(raw=UR_LINE)) for i, h in enumerate(headings)]
    return Case(letter_id="SYNTH-NURSE22", synthetic=True, letter_format="synthetic", date_of_injury=injury,
                ur_denial_date=ur, clinical_summary=summary, services=services)


def _item(case: Case, index: int, criterion: str) -> tuple[str, list[str]]:
    item = next(i for i in case_checklists(case)[index].checklist if i.criterion_id == criterion)
    return item.status, [e.text for e in item.evidence]


def test_failed_care_is_unmet_for_a_study_or_an_operation_when_care_helped() -> None:
    facts = {"failed_conservative_care": "not_stated", "functional_improvement": "yes",
             "continues_course": None}
    crit = TABLE.criteria["conservative_care_failed"]
    for family, status in [("imaging", "unmet"), ("electrodiagnostics", "unmet"), ("surgery", "unmet"),
                           ("physical_medicine", "not_documented"), ("injection", "not_documented")]:
        assert crit.status({**facts, "service_family": family}) == status, family
    # more of a course already given: its own gains are the request's, not a reason against it
    assert crit.status({**facts, "service_family": "imaging", "continues_course": True}) == "not_documented"
    # a stated failure still decides
    assert crit.status({**facts, "service_family": "imaging", "failed_conservative_care": "yes"}) == "met"


def test_a_summary_telling_that_therapy_helped_makes_an_emg_request_unmet() -> None:
    summary = ("The injured worker is a 41 year old female injured on 10/03/2016 typing. She reports "
               "tingling in the right hand. She has had 6 acupuncture treatments, which have helped, and she "
               "is now able to type for longer with less pain. Phalen's test was positive on the right. "
               "This is SYNTHETIC test text.")
    case = _case(summary, ["EMG of the right upper extremity"], date(2016, 10, 3), date(2016, 12, 1))
    status, evidence = _item(case, 0, "conservative_care_failed")
    assert status == "unmet"
    assert any("have helped" in e for e in evidence)
    unhelped = summary.replace("which have helped, and she is now able to type for longer with less pain",
                               "and she types as before")
    assert _item(_case(unhelped, ["EMG of the right upper extremity"], date(2016, 10, 3),
                       date(2016, 12, 1)), 0, "conservative_care_failed")[0] == "not_documented"


def test_an_operation_dated_done_makes_its_post_operative_item_authorised() -> None:
    facts = {"operation_done": True, "surgery_in_letter": False}
    crit = TABLE.criteria["operation_authorised"]
    assert crit.status(facts) == "met"
    assert crit.status({**facts, "surgery_in_letter": True}) == "unmet"  # another operation still disputed
    assert crit.status({"operation_done": None, "surgery_in_letter": False}) == "not_documented"

    summary = ("The injured worker is a 58 year old male who fell from a scaffold on 11/01/2016 and broke "
               "his right ankle. He underwent open reduction and internal fixation of the right ankle on "
               "11/08/2016. Pain is rated 7/10. This is SYNTHETIC test text.")
    case = _case(summary, ["Norco 10/325mg #30"], date(2016, 11, 1), date(2016, 11, 20))
    status, evidence = _item(case, 0, "operation_authorised")
    assert status == "met"
    assert evidence == ["He underwent open reduction and internal fixation of the right ankle on 11/08/2016."]
    # the heading alone says post-operative; no operation dated done: still not documented
    undated = summary.replace(" on 11/08/2016", "")
    case = _case(undated, ["Post-operative physical therapy 2 times a week for 4 weeks for the right ankle"],
                 date(2016, 11, 1), date(2016, 11, 20))
    assert _item(case, 0, "operation_authorised")[0] == "not_documented"
