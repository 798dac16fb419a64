"""Session 23 nurse check, on SYNTHETIC letters: a requested drug the summary names only as asked for, while
it tells other drugs the worker had, is new to the worker, so the continuing drug's benefit criterion does
not apply, and its short course is the supply asked for; a drug the record tells as taken, or a summary that
tells no drug had, keeps them as they were. A quantity is read as days at the heading's frequency."""

from __future__ import annotations

from datetime import date

from features.criteria import load_criteria
from tests.unit.synthetic_cases import NO_CITATION, checklists_of, criterion_status

TABLE = load_criteria()
HEADING = "Methocarbamol 750mg one tablet three times a day #45"
SUMMARY = ("The injured worker is a 39 year old female who strained her low back lifting a box on "
           "10/03/2016. Treatment has included cyclobenzaprine, naproxen and a home exercise program. On "
           "10/24/2016 she reported low back pain with spasm. The physician requested methocarbamol. The "
           "utilization review of 11/01/2016 denied the request for methocarbamol. This is SYNTHETIC test "
           "text.")


def _status(summary: str, heading: str = HEADING, criterion: str = "medication_benefit") -> str | None:
    [checklist] = checklists_of(summary, [heading], injury=date(2016, 10, 3), ur=date(2016, 11, 1),
                                ur_line=NO_CITATION)
    return criterion_status(checklist, criterion)


def test_a_drug_named_only_as_requested_beside_other_drugs_had_is_new() -> None:
    assert _status(SUMMARY) == "not_applicable"


def test_a_drug_the_record_tells_as_taken_or_no_drug_had_keeps_its_benefit_criterion() -> None:
    taken = SUMMARY.replace("cyclobenzaprine, naproxen", "methocarbamol, naproxen")
    assert _status(taken) == "not_documented"
    by_other_name = SUMMARY.replace("cyclobenzaprine, naproxen", "Robaxin, naproxen")
    assert _status(by_other_name) == "not_documented"
    no_drug_had = SUMMARY.replace("cyclobenzaprine, naproxen and a home exercise program",
                                  "a home exercise program")
    assert _status(no_drug_had) == "not_documented"
    list_missing = SUMMARY.replace("On 10/24/2016",
                                   "Her current medication regimen was not provided. On 10/24/2016")
    assert _status(list_missing) == "not_documented"
    by_class = SUMMARY.replace("cyclobenzaprine, naproxen", "muscle relaxants, naproxen")
    assert _status(by_class) == "not_documented"
    topical = "Ketoprofen 10%, Lidocaine 5% cream, one container"
    creams_had = SUMMARY.replace("cyclobenzaprine, naproxen", "topical creams, naproxen").replace(
        "methocarbamol", "a compounded cream")
    assert _status(creams_had, topical) == "not_documented"
    assert _status(creams_had.replace("topical creams, ", ""), topical) == "not_applicable"


def test_a_quantity_is_read_as_days_at_the_headings_frequency() -> None:
    crit = TABLE.criteria["quantity_short_course"]
    assert crit.status({"supply_days": 15.0, "course_drug_quantity": 45.0}) == "met"  # #45 at three a day
    assert crit.status({"supply_days": 30.0, "course_drug_quantity": 30.0}) == "unmet"  # #30 once a day
    assert crit.status({"supply_days": None, "course_drug_quantity": 45.0}) == "unmet"  # no frequency: count
    assert _status(SUMMARY, criterion="quantity_short_course") == "met"
    assert _status(SUMMARY, HEADING.replace("three times a day", "once a day"),
                   criterion="quantity_short_course") == "unmet"


def test_a_new_drugs_short_course_is_the_supply_asked_for() -> None:
    assert _status(SUMMARY, criterion="short_term_three_weeks") == "met"  # 15 days of a drug new to her
    assert _status(SUMMARY, HEADING.replace("#45", "#90"), criterion="short_term_three_weeks") == "unmet"
    taken = SUMMARY.replace("cyclobenzaprine, naproxen", "methocarbamol, naproxen")
    assert _status(taken, criterion="short_term_three_weeks") == "not_documented"  # in use, for how long?
