"""Pages in the criteria table only where they are established: the tune letters' guideline lines give none
for the sections below (experiments/guideline_line_pages.py counts them), so those citations carry no page
rather than a guessed one; every edition says what its pages rest on and which public sources were looked at
(`page_sources`, session 24); and the counting script reads pages and section names per chapter correctly
(SYNTHETIC lines)."""

from __future__ import annotations

from typing import Any

import pytest
from experiment_scripts import load_script
from package_tables import raw_criteria

from features.criteria import CriteriaTable, load_criteria
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


def test_every_edition_says_what_its_pages_rest_on() -> None:
    assert set(TABLE.page_sources) == set(TABLE.editions)
    for key, src in TABLE.page_sources.items():
        assert src.pages_rest_on or src.not_found, key  # a basis, or what was sought and not found
    assert {k for k, src in TABLE.page_sources.items() if src.pages_rest_on} >= PAGINATED
    assert not TABLE.page_sources["odg"].paginated


def test_the_2016_chronic_pain_edition_never_repeats_a_2009_page() -> None:
    """The 2016 update is a new adaptation of ODG's Pain chapter (its page source says so): a 2009 page copied
    onto the 2016 edition would be a guess."""
    for sid, section in TABLE.sections.items():
        pages = {e.edition: e.pages for e in section.editions}
        if pages.get("mtus_cpmtg_2016") is not None:
            assert pages["mtus_cpmtg_2016"] != pages.get("mtus_cpmtg_2009"), sid


def _with(edit: Any) -> dict[str, Any]:
    data = raw_criteria()
    edit(data)
    return data


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d["sections"]["odg_postoperative_imaging"]["editions"][0].update(pages="12"),
     "edition odg has no pages, yet p.12 is given"),
    (lambda d: d["sections"]["acupuncture"]["editions"][0].update(pages="3"),
     "p.3 of mtus_acupuncture_2007, whose pages_rest_on is not named"),
    (lambda d: d["page_sources"].pop("mtus_elbow_2007"), "edition 'mtus_elbow_2007' is missing"),
    (lambda d: d["page_sources"].update(acoem_1997={"paginated": True}), "unknown edition 'acoem_1997'"),
    (lambda d: d["page_sources"]["odg"].update(sources=[{"url": "odg online", "kind": "guideline_copy",
                                                          "shows": "a topic list without pages"}]),
     "String should match pattern"),
])
def test_a_page_without_its_basis_is_refused(edit: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CriteriaTable.model_validate(_with(edit))


def test_an_edition_whose_pages_rest_on_nothing_takes_no_page() -> None:
    data = _with(lambda d: d["sections"]["elbow_initial_care"]["editions"][0].update(pages="21"))
    with pytest.raises(ValueError, match="p.21 of mtus_elbow_2007, whose pages_rest_on is not named"):
        CriteriaTable.model_validate(data)
