"""A dated operation reads the same whoever the writer names: "the patient", "Ms. Roe" or "Mr. Roe", and a
surgeon named "Dr. Lee" between the operation and its date (session 25: the honorific's full stop ended the
stretch the date patterns read, so the operation lost its date). SYNTHETIC sentences."""

from __future__ import annotations

from datetime import date

import pytest

from features.criteria import load_criteria
from features.criteria_facts import dated_operations
from features.style import rewrite_style

UR = date(2016, 12, 1)
BEFORE = "On 11/10/2016, the patient underwent a right knee arthroscopy."
AFTER = "The patient underwent a right knee arthroscopy by Dr. Lee on 11/10/2016."


def _days_since(summary: str) -> list[int]:
    start = summary.index("arthroscopy")
    mention = (start, start + len("arthroscopy"), 0, len(summary))
    return [op.days_before_ur for op in dated_operations(load_criteria(), summary, [mention], UR)]


@pytest.mark.parametrize("summary", [BEFORE, AFTER])
@pytest.mark.parametrize("person", [None, "Ms. Roe", "Mr. Roe", "injured worker", "claimant"])
def test_the_operation_keeps_its_date_whatever_the_worker_is_called(summary: str, person: str | None) -> None:
    text = summary if person is None else rewrite_style(summary, person=person)
    assert text != summary or person is None
    assert _days_since(text) == [21]


def test_the_rewrite_to_a_name_takes_the_place_of_the_article() -> None:
    expected = "On 11/10/2016, Ms. Roe underwent a right knee arthroscopy."
    assert rewrite_style(BEFORE, person="Ms. Roe") == expected
    assert rewrite_style("The injured worker's knee.", person="Mr. Roe") == "Mr. Roe's knee."
    assert rewrite_style("The patient's knee.", person="claimant") == "The claimant's knee."
    with pytest.raises(ValueError, match="a name"):
        rewrite_style(BEFORE, person="Roe")


def test_a_full_stop_that_ends_a_clause_still_ends_the_stretch() -> None:
    # the date belongs to the visit, not to the operation told after the full stop
    summary = "She was seen on 11/10/2016. later she underwent a right knee arthroscopy."
    assert _days_since(summary) == []


def test_an_honorific_spacy_does_not_know_ends_no_sentence() -> None:
    from features.sentences import pipeline

    text = "Per the UR, Mx. Roe is a 38 year old cashier. She has MS. It is stable."
    sentences = [s.text for s in pipeline()(text).sents]
    assert sentences == ["Per the UR, Mx. Roe is a 38 year old cashier.", "She has MS.", "It is stable."]
