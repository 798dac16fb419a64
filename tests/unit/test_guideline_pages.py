"""Pages in the criteria table only where they are established: the tune letters' guideline lines give none
for the sections below (experiments/guideline_line_pages.py counts them), so those citations carry no page
rather than a guessed one; and the counting script reads pages and section names per chapter correctly
(SYNTHETIC lines)."""

from __future__ import annotations

import pytest
from experiment_scripts import load_script

from features.criteria import load_criteria
from letters.parser import parse_guideline

TABLE = load_criteria()
PAGES = load_script("guideline_line_pages")
# editions whose pagination the table relies on (ACOEM 2nd edition as adopted in the MTUS; Chronic Pain 2009)
PAGINATED = {"mtus_acoem_2004", "mtus_cpmtg_2009"}
# sections whose page no tune line gives and no source at hand establishes: left empty (govfix, session 15)
NO_PAGE_ESTABLISHED = ["postsurgical_therapy", "elbow_initial_care", "elbow_special_studies", "elbow_surgery",
                       "elbow_epicondylalgia_supports", "stress_referral", "neck_initial_care",
                       "shoulder_initial_care", "hand_wrist_initial_care", "knee_initial_care",
                       "ankle_foot_initial_care"]


def test_pages_are_given_only_for_paginated_editions_or_with_their_source_named() -> None:
    for sid, section in TABLE.sections.items():
        for e in section.editions:
            if e.pages is not None and e.edition not in PAGINATED:
                assert section.note and "page" in section.note, (sid, e.edition, e.pages)


@pytest.mark.parametrize("section_id", NO_PAGE_ESTABLISHED)
def test_a_section_whose_page_is_not_established_cites_none(section_id: str) -> None:
    section = TABLE.sections[section_id]
    assert all(e.pages is None for e in section.editions)
    from features.governing import citation_for, pick_edition

    edition, _ = pick_edition(TABLE, section, None)
    citation, _ = citation_for(TABLE, section, edition, "knee")
    assert "p." not in citation.text()


@pytest.mark.parametrize(("line", "pages"), [
    ("Decision based on MTUS Low Back Complaints 2004, Section(s): Special Studies, Page(s): 303-305.",
     ["303-305"]),
    ("Decision based on Non-MTUS Citation ACOEM Guidelines, Chapter 7, Independent Medical Examinations and "
     "Consultations, page 137.", ["137"]),
    ("Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Physical medicine treatment.",
     []),
])
def test_the_pages_of_a_line_are_read(line: str, pages: list[str]) -> None:
    assert PAGES.line_pages(line, parse_guideline(line).pages) == pages


def test_section_names_are_read_per_chapter() -> None:
    line = ("Decision based on MTUS Shoulder Complaints 2004, Section(s): Initial Care, Follow-up Visits, "
            "and Elbow Complaints 2007, Section(s): Diagnostic Criteria, and Postsurgical Treatment 2009, "
            "Section(s): Shoulder. Decision based on Non-MTUS Citation ODG Shoulder, Manipulation.")
    parts = PAGES.chapter_parts(TABLE, line)
    names = {key: PAGES.section_names(text) for key, text in parts.items()}
    assert names == {"mtus_shoulder": ["Initial Care", "Follow-up Visits"],
                     "mtus_elbow": ["Diagnostic Criteria"], "mtus_postsurgical": ["Shoulder"]}
