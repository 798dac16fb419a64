"""Session 24 nurse check, on SYNTHETIC letters: a topical NSAID alone (diclofenac as a gel, patch or
solution) is indicated for joint pain a topical reaches, not neuropathic pain, so the topical section's
neuropathic-signs criterion does not apply to it; it still applies to a lidocaine patch and to a compound
that adds another ingredient, and an oral diclofenac is no topical."""

from __future__ import annotations

from datetime import date

from features.extractors.criteria_level import case_checklists
from letters.records import Case, GuidelineCitation, ServiceDecision

UR_LINE = "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Topical analgesics."
SUMMARY = ("The injured worker is a 52 year old male who strained his right knee and low back on 08/03/2016. "
           "Treatment has included ibuprofen and physical therapy. On 11/02/2016 he reported knee pain. The "
           "physician requested a topical. The utilization review of 11/20/2016 denied the request. This is "
           "SYNTHETIC test text.")


def _checklist(heading: str):  # type: ignore[no-untyped-def]
    case = Case(letter_id="SYNTH-NURSE24-TOPICAL", synthetic=True, letter_format="synthetic",
                date_of_injury=date(2016, 8, 3), ur_denial_date=date(2016, 11, 20), clinical_summary=SUMMARY,
                services=[ServiceDecision(item_index=0, heading=heading, service=heading,
                                          decision="Upheld",  # type: ignore[arg-type]
                                          ur_guideline=GuidelineCitation(raw=UR_LINE))])
    return case_checklists(case)[0]


def _status(heading: str, criterion: str = "neuropathic_signs") -> str | None:
    item = next((i for i in _checklist(heading).checklist if i.criterion_id == criterion), None)
    return None if item is None else item.status


def test_a_topical_nsaid_alone_is_not_checked_for_neuropathic_signs() -> None:
    for heading in ("Voltaren 1% gel apply four times a day 100 grams", "Diclofenac sodium 1.5% topical "
                    "solution 150 ml", "Flector patch 1.3% #30", "Diclofenac 3% 100 grams"):
        assert _status(heading) == "not_applicable", heading
        assert _status(heading, "topical_ingredients") == "met", heading


def test_a_lidocaine_patch_or_a_compound_keeps_the_criterion_and_an_oral_diclofenac_is_no_topical() -> None:
    assert _status("Lidoderm 5% patch #30") == "not_documented"
    assert _status("Diclofenac 3%/Lidocaine 5% cream 120 grams") == "not_documented"
    assert _checklist("Diclofenac sodium ER 100mg #60").section_id == "cpmtg_nsaids"
