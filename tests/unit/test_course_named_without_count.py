"""Session 24 (issue #18, branch `course`), on SYNTHETIC letters: a course of the request's own therapy the
record names as given without a count ("treatment to date has included physical therapy", "she has had
acupuncture") is an earlier course: the request continues it (gains from it are asked, a first course's trial
size does not apply) and its sessions are unknown (a total within a limit is not documented, not met; a course
alone above it is unmet), quoting the sentence. Another kind of care, another body part, care not had,
planned or requested, and a post-operative request are not."""

from __future__ import annotations

from datetime import date

import pytest

from features.extractors.context import CaseContext, ServiceContext
from features.extractors.criteria_level import case_checklists
from features.extractors.service_level import SERVICE_EXTRACTORS
from letters.pre_review import PreReviewCase
from letters.records import Case
from tests.unit.synthetic_cases import NO_CITATION, case_of

PT = "Physical therapy 2 times a week for 4 weeks for the lumbar spine"
ACUPUNCTURE = "Acupuncture 6 sessions for the lumbar spine"
# the writer's words for the worker, as four writers put them (style must not move a fact)
NOUNS = [("The injured worker", "The injured worker"), ("The patient", "The patient"), ("She", "She"),
         ("Mr. Doe", "Mr. Doe")]


def _summary(noun: str, told: str) -> str:
    return (f"{noun} is a 47 year old who was injured on 03/02/2016 lifting boxes. {told} {noun} reports low "
            "back pain rated 6/10. Lumbar range of motion is reduced. This is SYNTHETIC test text.")


def _case(heading: str, summary: str) -> Case:
    return case_of(summary, [heading], injury=date(2016, 3, 2), ur=date(2016, 11, 20), ur_line=NO_CITATION)


def _items(case: Case) -> dict[str, tuple[str, list[str]]]:
    return {i.criterion_id: (i.status, [e.text for e in i.evidence])
            for i in case_checklists(case)[0].checklist}


def _named(case: Case) -> tuple[object, str | None]:
    view = PreReviewCase.from_case(case)
    ctx = ServiceContext.build(CaseContext.build(view), view.services[0])
    got = SERVICE_EXTRACTORS["prior_course_named"](ctx)
    return got.value, None if got.span is None else got.span.text


@pytest.mark.parametrize("noun", [n for n, _ in NOUNS])
@pytest.mark.parametrize("told", [
    "Treatment to date has included physical therapy, medications and activity modification.",
    "Prior treatment included chiropractic care, physical therapy and a home exercise program.",
    "{noun} has had physical therapy for the low back.",
    "{noun} underwent physical therapy and took ibuprofen.",
    # lead, session 24: care "with" or "including" the therapy, after a list that holds activity modification
    # or modified duty (care, not the UR's modification of a request): the generator writes it
    "Conservative care with activity modification, modified duty and physical therapy has not resolved "
    "the pain.",
    "Conservative treatment including modified work and physical therapy has not helped.",
])
def test_the_same_therapy_named_without_a_count_is_an_earlier_course(noun: str, told: str) -> None:
    case = _case(PT, _summary(noun, told.format(noun=noun)))
    items = _items(case)
    # 8 visits asked: within the first course's 10, but the earlier sessions are unknown
    assert items["visits_within_course"][0] == "not_documented"
    assert items["gains_from_prior_course"][0] == "not_documented"
    value, quoted = _named(case)
    assert value is True and quoted is not None and "physical therapy" in quoted.lower()


@pytest.mark.parametrize("noun", [n for n, _ in NOUNS])
def test_gains_quote_the_sentence_that_names_the_earlier_course(noun: str) -> None:
    told = (f"Treatment to date has included acupuncture and medications. {noun} reports improved function, "
            "now able to walk 30 minutes and do household chores after the acupuncture.")
    items = _items(_case(ACUPUNCTURE, _summary(noun, told)))
    assert items["acupuncture_trial_size"][0] == "not_applicable"
    status, evidence = items["gains_from_prior_course"]
    assert status == "met"
    assert "Treatment to date has included acupuncture and medications." in evidence


@pytest.mark.parametrize("noun", [n for n, _ in NOUNS])
@pytest.mark.parametrize("told", [
    # another kind of care: chiropractic is no physical therapy's course
    "Treatment to date has included chiropractic care and medications.",
    # another body part's therapy is another course
    "{noun} has had physical therapy for the right knee.",
    # care not had, planned or requested
    "{noun} has not had physical therapy.",
    "The treatment plan included physical therapy and medications.",
    "Physical therapy was requested on 10/30/2016.",
    # a bare "therapy" of another kind names no physical therapy course
    "Treatment to date has included injection therapy and medications.",
])
def test_what_is_no_earlier_course_of_the_request(noun: str, told: str) -> None:
    case = _case(PT, _summary(noun, told.format(noun=noun)))
    items = _items(case)
    assert items["visits_within_course"][0] == "met"
    assert items["gains_from_prior_course"][0] == "not_applicable"
    assert _named(case)[0] is not True


def test_a_course_asked_for_above_the_limit_is_above_it_whatever_came_before() -> None:
    """The earlier sessions unknown, the total is at least the course asked for: 12 visits are above 10."""
    told = "Treatment to date has included physical therapy for the low back."
    items = _items(_case("Physical therapy 12 visits for the lumbar spine", _summary("She", told)))
    status, evidence = items["visits_within_course"]
    assert status == "unmet"
    assert told in evidence


def test_a_stated_count_still_gives_the_total() -> None:
    told = ("Treatment to date has included physical therapy. She has completed 6 sessions of physical "
            "therapy.")
    items = _items(_case(PT, _summary("She", told)))
    assert items["visits_within_course"][0] == "unmet"  # 6 had + 8 asked


def test_a_course_before_the_operation_is_no_post_operative_course() -> None:
    told = "Treatment to date has included physical therapy. She underwent a lumbar fusion on 09/01/2016."
    case = _case("Post-operative physical therapy 2 times a week for 4 weeks for the lumbar spine",
                 _summary("She", told))
    assert _named(case)[0] is not True


def test_the_fact_reads_the_same_under_every_writers_noun() -> None:
    told = "{noun} has had acupuncture and physical therapy in the past."
    got = {_named(_case(ACUPUNCTURE, _summary(n, told.format(noun=n))))[0] for n, _ in NOUNS}
    assert got == {True}
