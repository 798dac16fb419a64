"""Session 24 nurse check, on SYNTHETIC letters: a topical NSAID alone (diclofenac as a gel, patch or
solution) is indicated for joint pain a topical reaches, not neuropathic pain, so the topical section's
neuropathic-signs criterion does not apply to it; it still applies to a lidocaine patch and to a compound
that adds another ingredient, and an oral diclofenac is no topical."""

from __future__ import annotations

from datetime import date

from features.checklist import ServiceChecklist
from tests.unit.synthetic_cases import checklists_of, criterion_status

UR_LINE = "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Topical analgesics."
SUMMARY = ("The injured worker is a 52 year old male who strained his right knee and low back on 08/03/2016. "
           "Treatment has included ibuprofen and physical therapy. On 11/02/2016 he reported knee pain. The "
           "physician requested a topical. The utilization review of 11/20/2016 denied the request. This is "
           "SYNTHETIC test text.")


def _checklist(heading: str) -> ServiceChecklist:
    [checklist] = checklists_of(SUMMARY, [heading], injury=date(2016, 8, 3), ur=date(2016, 11, 20),
                                ur_line=UR_LINE)
    return checklist


def _status(heading: str, criterion: str = "neuropathic_signs") -> str | None:
    return criterion_status(_checklist(heading), criterion)


def test_a_topical_nsaid_alone_is_not_checked_for_neuropathic_signs() -> None:
    for heading in ("Voltaren 1% gel apply four times a day 100 grams", "Diclofenac sodium 1.5% topical "
                    "solution 150 ml", "Flector patch 1.3% #30", "Diclofenac 3% 100 grams"):
        assert _status(heading) == "not_applicable", heading
        assert _status(heading, "topical_ingredients") == "met", heading


def test_a_lidocaine_patch_or_a_compound_keeps_the_criterion_and_an_oral_diclofenac_is_no_topical() -> None:
    assert _status("Lidoderm 5% patch #30") == "not_documented"
    assert _status("Diclofenac 3%/Lidocaine 5% cream 120 grams") == "not_documented"
    assert _checklist("Diclofenac sodium ER 100mg #60").section_id == "cpmtg_nsaids"
