"""Session 25 (issue 18, section choice), on SYNTHETIC letters: an acupuncture request is governed by the
MTUS Acupuncture guidelines whatever technique its heading names (electrical stimulation, infrared, heat),
in any phase; the same modality asked for without acupuncture keeps its own section."""

from __future__ import annotations

from datetime import date

import pytest

from tests.unit.synthetic_cases import NO_CITATION, checklists_of

INJURY = date(2016, 10, 3)
SUMMARY = ("The claimant is a 52 year old female who hurt her low back lifting a box on 10/03/2016. On "
           "10/24/2016 she reported low back pain rated 7/10 despite medications. This is SYNTHETIC "
           "test text.")


def _section(heading: str, ur: date) -> str | None:
    [checklist] = checklists_of(SUMMARY, [heading], injury=INJURY, ur=ur, ur_line=NO_CITATION)
    return checklist.section_id


@pytest.mark.parametrize("ur", [date(2016, 10, 20), date(2016, 11, 28), date(2017, 2, 20)])
@pytest.mark.parametrize("heading", [
    "Acupuncture with electrical stimulation 2 times a week for 3 weeks for the lumbar spine",
    "Infrared acupuncture 6 visits",
    "Acupuncture with infrared heat 6 visits for the low back",
    "Acupuncture 6 visits for the low back",
])
def test_acupuncture_is_the_acupuncture_guidelines_whatever_its_technique(heading: str, ur: date) -> None:
    assert _section(heading, ur) == "acupuncture"


@pytest.mark.parametrize(("heading", "section_id"), [
    ("Electrical stimulation 6 sessions for the lumbar spine", "cpmtg_tens"),
    ("Infrared therapy 6 sessions for the low back", "cpmtg_thermography"),
])
def test_the_modality_without_acupuncture_keeps_its_section(heading: str, section_id: str) -> None:
    assert _section(heading, date(2017, 2, 20)) == section_id
