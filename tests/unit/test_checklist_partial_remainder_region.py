"""Session 25 nurse check (issue #18), on SYNTHETIC letters: a partial certification's remainder that names no
body part ("Chiropractic treatment 6 visits") is of the original request's regions, so the manipulation's
region criterion reads them: the spine is met, a wrist unmet; a remainder naming its own region keeps it."""

from __future__ import annotations

from datetime import date

import pytest

from features.extractors.criteria_level import case_checklists
from letters.records import Case, GuidelineCitation, ServiceDecision

UR_LINE = "The Claims Administrator did not cite any medical evidence for its decision."


def _summary(noun: str) -> str:
    return (f"{noun} is a 43 year old injured on 10/23/2016 lifting a crate. {noun} reports pain rated 8/10. "
            "Range of motion is decreased and painful. This is SYNTHETIC test text.")


def _case(original: str, authorized: str, remainder: str, noun: str) -> Case:
    text = f"{original} was the original request. {authorized} was authorized by the Claims Administrator."
    heading = f"{text} The remaining IMR eligible portion of the original request, {remainder} is"
    service = ServiceDecision(item_index=0, heading=heading, service=remainder, partial_ur_certification=True,
                              partial_certification_text=text, ur_guideline=GuidelineCitation(raw=UR_LINE))
    return Case(letter_id="SYNTH-PARTIAL25", synthetic=True, letter_format="synthetic",
                date_of_injury=date(2016, 10, 23), ur_denial_date=date(2016, 11, 29),
                clinical_summary=_summary(noun), services=[service])


def _region_status(case: Case) -> str:
    return _region_item(case)[0]


def _region_item(case: Case) -> tuple[str, list[str]]:
    item = next(i for i in case_checklists(case)[0].checklist if i.criterion_id == "manipulation_region")
    return item.status, [e.text for e in item.evidence]


NOUNS = ["The injured worker", "The patient", "He", "Ms. Roe"]


@pytest.mark.parametrize("noun", NOUNS)
@pytest.mark.parametrize(("original", "expected"), [
    ("Chiropractic treatment 12 visits for the cervical spine and back", "met"),
    ("Chiropractic manipulation 12 sessions to the lumbar spine", "met"),
    ("Chiropractic treatment 12 visits for the left wrist", "unmet"),
])
def test_the_remainder_is_of_the_original_requests_regions(noun: str, original: str, expected: str) -> None:
    case = _case(original, "Chiropractic treatment 6 visits", "Chiropractic treatment 6 visits", noun)
    assert _region_status(case) == expected


@pytest.mark.parametrize("noun", NOUNS)
def test_the_original_requests_words_are_quoted(noun: str) -> None:
    original = "Chiropractic treatment 12 visits for the cervical spine and back"
    status, evidence = _region_item(_case(original, "Chiropractic treatment 6 visits",
                                          "Chiropractic treatment 6 visits", noun))
    assert status == "met" and evidence == [f"{original} was the original request."]


@pytest.mark.parametrize("noun", NOUNS)
def test_a_remainder_naming_its_own_region_keeps_it(noun: str) -> None:
    case = _case("Chiropractic treatment 12 visits for the cervical spine and left wrist",
                 "Chiropractic treatment 6 visits for the cervical spine",
                 "Chiropractic treatment 6 visits for the left wrist", noun)
    assert _region_status(case) == "unmet"


@pytest.mark.parametrize("noun", NOUNS)
def test_no_region_anywhere_stays_undecided(noun: str) -> None:
    case = _case("Chiropractic treatment 12 visits", "Chiropractic treatment 6 visits",
                 "Chiropractic treatment 6 visits", noun)
    assert _region_status(case) == "not_documented"
