"""A course authorised and not yet attended is 0 sessions had whoever the writer names: "the patient", "the
injured worker" or the worker by name with an honorific (session 32, blind round 54: "but Mx. Roe has not yet
attended any sessions" lost the 0, because the honorific's full stop stopped the words before "has not").
SYNTHETIC sentences."""

from __future__ import annotations

import pytest
from fact_kind_rows import value

from features.style import rewrite_style

SUMMARY = ("SYNTHETIC. The patient is a 31 year old who was hurt at work on 01/02/2016. Physical therapy was "
           "authorized in July but the patient has not yet attended any sessions because of transport.")
HEADING = "Physical therapy 8 sessions for the lumbar spine"


@pytest.mark.parametrize("person", [None, "Mx. Roe", "Ms. Roe", "Mr. Roe", "injured worker", "claimant"])
def test_a_course_not_yet_attended_is_none_had_whatever_the_worker_is_called(person: str | None) -> None:
    text = SUMMARY if person is None else rewrite_style(SUMMARY, person=person)
    assert text != SUMMARY or person is None
    assert value(text, "prior_sessions", HEADING) == 0


def test_a_course_attended_is_not_read_as_none() -> None:
    attended = SUMMARY.replace("has not yet attended any sessions", "has attended 4 sessions")
    assert value(rewrite_style(attended, person="Mx. Roe"), "prior_sessions", HEADING) != 0
