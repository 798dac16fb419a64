"""Session 25 nurse check (issue #18), on SYNTHETIC letters: a requested drug the record tells as started now
("the provider noted a trial of nortriptyline", "the plan included for her to receive tramadol") is a first
prescription, new to the worker, even where the summary lists no other drug: a drug already in use continues
only with documented benefit, a criterion that does not apply to it. A start told as past ("was started on a
trial of ... 3 months ago"), a drug continued ("continues to receive"), or the UR's words are not."""

from __future__ import annotations

from datetime import date

import pytest

from tests.unit.synthetic_cases import NO_CITATION, checklists_of, criterion_status

NOUNS = [("The injured worker", "he"), ("The patient", "she"), ("Mr. Doe", "him"), ("Ms. Roe", "her")]


def _benefit(heading: str, told: str, noun: str, pronoun: str) -> str | None:
    summary = (f"{noun} is a 35 year old injured on 11/23/2016 in a fall at work. {noun} reports headaches "
               f"rated 7/10. {told.format(noun=noun, pronoun=pronoun)} This is SYNTHETIC test text.")
    checklist = checklists_of(summary, [heading], injury=date(2016, 11, 23), ur=date(2017, 1, 3),
                              ur_line=NO_CITATION)[0]
    return criterion_status(checklist, "medication_benefit")


@pytest.mark.parametrize(("noun", "pronoun"), NOUNS)
@pytest.mark.parametrize(("heading", "told"), [
    ("Nortriptyline HCL 25mg #30", "The provider noted a trial of Nortriptyline for the headaches."),
    ("Nortriptyline HCL 25mg #30", "The plan is to start nortriptyline at bedtime."),
    ("Tramadol 50mg #60",
     "The treatment plan included for {pronoun} to undergo an MRI and to receive tramadol."),
    ("Gabapentin 300mg #90", "The provider recommended starting gabapentin."),
])
def test_a_drug_told_as_started_now_is_new(noun: str, pronoun: str, heading: str, told: str) -> None:
    assert _benefit(heading, told, noun, pronoun) == "not_applicable"


@pytest.mark.parametrize(("noun", "pronoun"), NOUNS)
@pytest.mark.parametrize(("heading", "told"), [
    ("Nortriptyline HCL 25mg #30", "{noun} was started on a trial of nortriptyline in October."),
    ("Tramadol 50mg #60", "{noun} continues to receive tramadol."),
    ("Nortriptyline HCL 25mg #30", "Utilization review denied a trial of nortriptyline."),
    ("Nortriptyline HCL 25mg #30", "Medications were requested."),
])
def test_a_start_past_a_drug_continued_or_the_urs_words_are_not(noun: str, pronoun: str, heading: str,
                                                                 told: str) -> None:
    assert _benefit(heading, told, noun, pronoun) == "not_documented"
