"""Session 23 (issue #18), on SYNTHETIC letters: after a partial certification the quantity criteria judge the
whole course asked for (the original request the partial-certification sentence names: certified +
disputed), quoting that sentence, while the disputed item's own count stays the protocol's."""

from __future__ import annotations

from datetime import date

from features.criteria import load_criteria
from features.criteria_facts import LetterFacts, derive_facts
from features.extractors.context import CaseContext, ServiceContext
from features.extractors.criteria_level import case_checklists
from features.extractors.service_level import SERVICE_EXTRACTORS
from features.original_request import OriginalRequest, read_original_request
from letters.parser import original_request_bounds
from letters.pre_review import PreReviewCase
from letters.records import Case, GuidelineCitation, ServiceDecision

TABLE = load_criteria()
UR_LINE = "The Claims Administrator did not cite any medical evidence for its decision."
SUMMARY = ("The injured worker is a 47 year old male injured on 03/02/2016 lifting boxes. He reports low "
           "back pain rated 6/10. Lumbar range of motion is reduced. This is SYNTHETIC test text.")


def _partial(original: str, authorized: str, remainder: str) -> ServiceDecision:
    text = f"{original} was the original request. {authorized} was authorized by the Claims Administrator."
    heading = f"{text} The remaining IMR eligible portion of the original request, {remainder} is"
    return ServiceDecision(item_index=0, heading=heading, service=remainder, partial_ur_certification=True,
                           partial_certification_text=text, decision="Upheld",  # type: ignore[arg-type]
                           ur_guideline=GuidelineCitation(raw=UR_LINE))


def _case(service: ServiceDecision, summary: str = SUMMARY) -> Case:
    return Case(letter_id="SYNTH-PARTIAL23", synthetic=True, letter_format="synthetic",
                date_of_injury=date(2016, 3, 2), ur_denial_date=date(2016, 11, 20), clinical_summary=summary,
                services=[service])


def _item(case: Case, criterion: str) -> tuple[str, dict[str, object], list[tuple[str, str]]]:
    item = next(i for i in case_checklists(case)[0].checklist if i.criterion_id == criterion)
    return item.status, item.facts, [(e.section, e.text) for e in item.evidence]


def test_the_original_request_is_read_from_the_partial_certification_text() -> None:
    words = "Chiropractic manipulation 2 times a week for 5 weeks (10 sessions) to the lumbar spine"
    text = f"{words} was the original request. Chiropractic manipulation 6 sessions was authorized by the " \
           "Claims Administrator."
    start, end = original_request_bounds(text) or (0, 0)
    assert text[start:end] == words
    found = read_original_request(text, "physical_medicine")
    assert found is not None and found.sessions == 10 and found.drug_quantity is None
    assert found.span is not None
    where = (found.span.section.value, found.span.start, found.span.end)
    assert where == ("partial_certification", 0, len(words))
    drug = read_original_request("Tizanidine 4mg #75 was the original request. Tizanidine 4mg #30 was "
                                 "authorized by the Claims Administrator.", "medication")
    assert drug is not None and drug.drug_quantity == 75 and drug.sessions is None
    assert read_original_request("partially certified by UR", "medication") is None
    assert read_original_request(None, "medication") is None


def test_whole_course_facts_read_the_original_request() -> None:
    values = {"service_family": "physical_medicine", "service_type": "chiropractic",
              "sessions_requested": 4.0, "prior_sessions": None, "continuation_request": False,
              "partial_ur_certification": True}
    letter = LetterFacts(())
    facts = derive_facts(TABLE, values, service_text="Chiropractic manipulation 4 sessions", item_index=0,
                         letter=letter, original=OriginalRequest("Chiropractic manipulation 10 sessions", 10))
    assert (facts["course_sessions"], facts["total_sessions"], facts["continues_course"]) == (10, 10, False)
    assert "additional_request" not in facts  # session 24: a partial certification alone is no earlier course
    # completed sessions up to the certified part (6) may be the certified ones: only those beyond it add
    for prior, total in [(4.0, 10.0), (6.0, 10.0), (9.0, 13.0)]:
        got = derive_facts(TABLE, {**values, "prior_sessions": prior}, service_text="x", item_index=0,
                           letter=letter, original=OriginalRequest("x", 10.0))
        assert got["total_sessions"] == total, prior
    # no partial certification: the disputed item is the whole request
    plain = derive_facts(TABLE, {**values, "partial_ur_certification": False}, service_text="x",
                         item_index=0, letter=letter)
    assert (plain["course_sessions"], plain["total_sessions"]) == (4.0, 4.0)
    drug = derive_facts(TABLE, {"service_family": "medication", "service_type": "muscle_relaxant",
                                "drug_quantity": 18.0}, service_text="x", item_index=0, letter=letter,
                        original=OriginalRequest("x", None, 60.0))
    assert drug["course_drug_quantity"] == 60.0


def test_a_manipulation_trial_is_judged_on_the_original_request() -> None:
    asked = "Chiropractic manipulation to the lumbar spine 2 times a week for 5 weeks (10 sessions)"
    case = _case(_partial(asked, "Chiropractic manipulation to the lumbar spine 6 sessions",
                          "Chiropractic manipulation to the lumbar spine 4 sessions"))
    status, facts, evidence = _item(case, "manipulation_trial_size")
    assert status == "unmet"
    assert facts["course_sessions"] == 10.0
    assert ("partial_certification", f"{asked} was the original request.") in evidence
    # the protocol column keeps the disputed remainder
    svc = case.services[0]
    view = PreReviewCase.from_case(case)
    ctx = ServiceContext.build(CaseContext.build(view), view.services[0])
    assert SERVICE_EXTRACTORS["sessions_requested"](ctx).value == 4.0 and svc.service.endswith("4 sessions")
    # an original request within the trial stays met
    small = _case(_partial("Chiropractic manipulation to the lumbar spine 6 sessions",
                           "Chiropractic manipulation to the lumbar spine 4 sessions",
                           "Chiropractic manipulation to the lumbar spine 2 sessions"))
    assert _item(small, "manipulation_trial_size")[0] == "met"


def test_a_drug_quantity_limit_is_judged_on_the_original_request() -> None:
    case = _case(_partial("Cyclobenzaprine 10mg #60", "Cyclobenzaprine 10mg #40", "Cyclobenzaprine 10mg #20"))
    status, facts, evidence = _item(case, "quantity_short_course")
    assert (status, facts["course_drug_quantity"]) == ("unmet", 60.0)
    assert evidence == [("partial_certification", "Cyclobenzaprine 10mg #60 was the original request.")]
    heading = "Cyclobenzaprine 10mg #20"
    whole = _case(ServiceDecision(item_index=0, heading=heading, service=heading,
                                  decision="Upheld", ur_guideline=GuidelineCitation(raw=UR_LINE)))
    assert _item(whole, "quantity_short_course")[0] == "met"


def test_supply_days_are_the_whole_course_at_the_headings_frequency() -> None:
    """Merged from two helpers' rules: the supply in days (a frequency written) is that of the original
    request after a partial certification, so #90 asked for at three a day (30 days) is no short course
    although the disputed #30 alone would be 10 days."""
    drug = "Methocarbamol 750mg three times a day"
    service = _partial(f"{drug} #90", f"{drug} #60", f"{drug} #30")
    status, facts, _ = _item(_case(service), "quantity_short_course")
    assert (status, facts["supply_days"]) == ("unmet", 30.0)


def test_a_partial_certification_alone_asks_no_gains_from_a_course_not_yet_given() -> None:
    """Session 24 (issue #18): the remainder of a first course UR certified part of is no further course, so
    gains from the certified part (which the worker has not had at UR time) are not asked for; completed
    sessions or a continuation still make it one."""
    asked = "Chiropractic manipulation to the lumbar spine 2 times a week for 6 weeks (12 sessions)"
    first = _case(_partial(asked, "Chiropractic manipulation to the lumbar spine 6 sessions",
                           "Chiropractic manipulation to the lumbar spine 6 sessions"))
    status, facts, _ = _item(first, "gains_from_prior_course")
    # session 26: the facts deciding applicability also name evaluation_only (false: a course, no evaluation)
    assert (status, facts) == ("not_applicable", {"continues_course": False, "evaluation_only": False})
    given = _case(_partial(asked, "Chiropractic manipulation to the lumbar spine 6 sessions",
                           "Chiropractic manipulation to the lumbar spine 6 sessions"),
                  f"{SUMMARY} He has completed 8 sessions of chiropractic care with no lasting benefit.")
    assert _item(given, "gains_from_prior_course")[0] != "not_applicable"
    more = _case(_partial("Additional chiropractic manipulation to the lumbar spine 12 sessions",
                          "Additional chiropractic manipulation to the lumbar spine 6 sessions",
                          "Additional chiropractic manipulation to the lumbar spine 6 sessions"))
    assert _item(more, "gains_from_prior_course")[0] != "not_applicable"


def test_a_partial_certification_alone_asks_no_device_trial_before_its_rental() -> None:
    """Session 24: a device rental UR certified part of (30 of 60 days) asks for no earlier trial's gains."""
    facts = derive_facts(TABLE, {"service_family": "dme", "service_type": "tens", "prior_sessions": None,
                                 "continuation_request": False, "partial_ur_certification": True},
                         service_text="TENS unit rental 30 days", item_index=0, letter=LetterFacts(()),
                         original=OriginalRequest("TENS unit rental 60 days"))
    crit = TABLE.criteria["device_trial_benefit"]
    assert facts["continues_course"] is False
    assert crit.status({**facts, "functional_improvement": "not_stated"}) == "not_applicable"
