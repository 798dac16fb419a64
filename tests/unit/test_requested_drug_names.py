"""Round-66 kind K6 (session 36): another name of a heading's active ("Lidoderm" of the lidocaine in a
compounded cream) that is the own name of another drug the same letter requests names that drug, so a length
told of it is not the cream's (features/drug_durations.py `DurationsOfUse.names`). The kinds tables read one
service per case, so the two-service letter is built here. Every summary is SYNTHETIC, invented for it."""

from __future__ import annotations

from datetime import date

import pytest

from tests.unit.synthetic_cases import durations_of

CREAM = "Flurbiprofen/Lidocaine cream 180gm"
SUMMARY = ("SYNTHETIC. The {w} is a 45 year old who was hurt at work on 01/02/2016. {He} has right knee "
           "pain. Current medications include a Lidoderm 5% patch since 09/01/2016.")


def _durations(summary: str, headings: list[str]) -> list[object]:
    return durations_of(summary, headings, injury=date(2016, 1, 2), ur=date(2016, 12, 1))


WRITERS = [("patient", "He"), ("applicant", "She"), ("injured worker", "She"), ("claimant", "He")]


@pytest.mark.parametrize("writer, pronoun", WRITERS)
def test_a_brand_asked_for_under_its_own_heading_keeps_its_length(writer: str, pronoun: str) -> None:
    summary = SUMMARY.format(w=writer, He=pronoun)
    cream, patch = _durations(summary, [CREAM, "Lidoderm 5% patch #30"])
    assert cream is None
    assert patch == pytest.approx(3.0, abs=0.05)


def test_a_brand_not_asked_for_still_names_the_heading_active() -> None:
    """Near-miss: with no Lidoderm heading, "Lidoderm" is read for the cream's lidocaine as before."""
    (cream,) = _durations(SUMMARY.format(w="claimant", He="He"), [CREAM])
    assert cream == pytest.approx(3.0, abs=0.05)
