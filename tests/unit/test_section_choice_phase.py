"""Session 25 (issue 18, section choice), on SYNTHETIC letters: in the first three months after the injury
(acute or subacute) electrical stimulation and a TENS unit for the spine are ACOEM's Physical Methods of the
spinal region, and physical or occupational therapy of the elbow the Elbow Disorders chapter's (chiropractic
keeps the Chronic Pain guidelines' manual therapy); past three months the Chronic Pain guidelines' topics
govern, as before. An opioid past the first month is judged by the Opioid guideline's chronic-treatment
recommendations (3.3). Interferential and H-wave units keep their own Chronic Pain topics. No fact may depend
on the writing style (worker, patient or claimant; he or she)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.unit.synthetic_cases import NO_CITATION, checklists_of

INJURY = date(2016, 10, 3)
SUBACUTE_UR = date(2016, 11, 28)  # 56 days after the injury
ACUTE_UR = date(2016, 10, 20)  # 17 days
CHRONIC_UR = date(2017, 2, 20)  # 140 days

SUMMARY = ("The injured worker is a 44 year old male who hurt his neck, low back and right elbow moving "
           "a crate on 10/03/2016. On 10/24/2016 he reported neck pain, low back pain and elbow pain rated "
           "6/10. He has attended physical therapy. The treatment plan included the requests below. This is "
           "SYNTHETIC test text.")
STYLES = [
    SUMMARY,
    SUMMARY.replace("The injured worker is a 44 year old male", "The patient is a 44 year old female")
    .replace(" his ", " her ").replace(" he ", " she ").replace("He has", "She has"),
    SUMMARY.replace("The injured worker", "The claimant"),
]


def _section(heading: str, ur: date, summary: str = SUMMARY) -> str | None:
    [checklist] = checklists_of(summary, [heading], injury=INJURY, ur=ur, ur_line=NO_CITATION)
    return checklist.section_id


@pytest.mark.parametrize("summary", STYLES)
@pytest.mark.parametrize(
    ("heading", "section_id"),
    [
        ("TENS unit purchase for the lumbar spine", "low_back_physical_methods_tens"),
        ("TENS unit, 30 day trial, cervical spine", "neck_physical_methods_tens"),
        ("Electrical stimulation to the lumbar spine times 6", "low_back_physical_methods"),
        ("Electrical stimulation to the cervical spine times 6", "neck_physical_methods"),
        ("Physical therapy 2 times a week for 4 weeks for the right elbow", "elbow_physical_methods"),
        ("Occupational therapy 6 visits for the right elbow", "elbow_physical_methods"),
        ("Tramadol 50mg #60", "opioids_chronic"),
    ],
)
def test_the_first_three_months_take_the_body_part_chapter(summary: str, heading: str,
                                                           section_id: str) -> None:
    assert _section(heading, SUBACUTE_UR, summary) == section_id


@pytest.mark.parametrize(
    ("heading", "section_id"),
    [
        ("Electrical stimulation to the cervical spine times 6", "neck_physical_methods"),
        ("TENS unit purchase for the lumbar spine", "low_back_physical_methods_tens"),
        ("Tramadol 50mg #20", "opioids_acute"),
    ],
)
def test_the_acute_phase_takes_the_same_sections_and_its_own_opioid_one(heading: str,
                                                                         section_id: str) -> None:
    assert _section(heading, ACUTE_UR) == section_id


@pytest.mark.parametrize(
    ("heading", "section_id"),
    [
        ("TENS unit purchase for the lumbar spine", "cpmtg_tens"),
        ("Electrical stimulation to the cervical spine times 6", "cpmtg_tens"),
        ("Physical therapy 2 times a week for 4 weeks for the right elbow", "cpmtg_physical_medicine"),
        ("Chiropractic treatment 6 visits for the right elbow", "cpmtg_manipulation"),
        ("Tramadol 50mg #60", "opioids_chronic"),
    ],
)
def test_past_three_months_the_chronic_pain_topics_govern(heading: str, section_id: str) -> None:
    assert _section(heading, CHRONIC_UR) == section_id


@pytest.mark.parametrize(
    ("heading", "section_id"),
    [
        ("Interferential unit for the lumbar spine", "cpmtg_interferential"),
        ("H-wave unit for the lumbar spine", "cpmtg_h_wave"),
        ("TENS unit", "cpmtg_tens"),  # no region named, none in a summary of several: the CPMTG topic
        ("Physical therapy 2 times a week for 4 weeks for the lumbar spine", "cpmtg_physical_medicine"),
        ("Physical therapy 2 times a week for 4 weeks for the right shoulder", "cpmtg_physical_medicine"),
        ("Chiropractic treatment 6 visits for the right elbow", "cpmtg_manipulation"),
    ],
)
def test_other_units_and_other_regions_keep_their_sections(heading: str, section_id: str) -> None:
    assert _section(heading, SUBACUTE_UR) == section_id


def test_the_early_sections_cite_their_chapters() -> None:
    checklists = checklists_of(SUMMARY, ["TENS unit purchase for the lumbar spine",
                                         "Electrical stimulation to the cervical spine times 6",
                                         "Physical therapy 2 times a week for 4 weeks for the right elbow"],
                               injury=INJURY, ur=SUBACUTE_UR, ur_line=NO_CITATION)
    assert [c.chapter_key for c in checklists] == ["mtus_low_back", "mtus_neck", "mtus_elbow"]
    assert all(c.checklist for c in checklists)  # each section has criteria with a status
