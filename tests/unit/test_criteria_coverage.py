"""Every service type of the taxonomy has a governing section for a typical request, or is listed in the
criteria table as deliberately section-less with a reason (issue 18 follow-up: coverage). Requests are
SYNTHETIC descriptions (type, a heading, region, phase), never letter text."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from package_tables import raw_criteria
from row_checks import check_rows

from features.criteria import CriteriaTable, load_criteria
from features.criteria_facts import LetterFacts, derive_facts
from features.governing import Selection, select_section
from features.service_families import load_taxonomy

TABLE = load_criteria()
TYPES = load_taxonomy().types  # (family, type) pairs
LATE_2016 = date(2016, 11, 20)
NO_LETTER = LetterFacts(())

# A typical request where the default (the type's name as heading, lumbar region, chronic phase) is not
# one: the drug or device the heading names decides the section for these.
TYPICAL: dict[str, dict[str, Any]] = {
    "intramuscular": {"heading": "SYNTHETIC Toradol 60 mg intramuscular injection"},
    "infusion": {"heading": "SYNTHETIC ketamine infusion"},
    "pre_op_testing": {"phase": "pre_operative"},
    "medical_clearance": {"phase": "pre_operative"},
    "cold_therapy": {"phase": "post_operative", "region": "shoulder"},
    "hearing_aid": {"region": "head"},
    "vestibular_testing": {"region": "head"},
    "eeg": {"region": "head"},
}
MAIN_REGIONS = ("lumbar", "cervical", "shoulder", "elbow", "hand_wrist", "hip", "knee", "ankle_foot")


def _select(family: str, service_type: str, *, heading: str | None = None, region: str | None = "lumbar",
            phase: str = "chronic", table: CriteriaTable = TABLE) -> tuple[Selection | None, set[str]]:
    text = heading or f"SYNTHETIC {service_type.replace('_', ' ')}"
    values = {"service_family": family, "service_type": service_type, "service_region": region,
              "service_phase": phase}
    facts = derive_facts(table, values, service_text=text, item_index=0, letter=NO_LETTER)
    groups = {g for g in (facts["drug_group"], facts["modality_kind"]) if g}
    sel = select_section(table, service_type=service_type, service_family=family, region=region, phase=phase,
                         groups=groups, ur_denial_date=LATE_2016)
    return sel, groups


def _names(sel: Selection, service_type: str, groups: set[str]) -> bool:
    """The section's selectors name the type, or a subgroup its heading names (not a family stand-in)."""
    return any(service_type in (m.types or ()) or groups & set(m.groups or ()) for m in sel.section.match)


def test_every_taxonomy_type_selects_its_section_or_is_section_less_with_a_reason() -> None:
    check_rows(TYPES, _selects_its_section_or_is_section_less, name=lambda _family, type_: type_)


def _selects_its_section_or_is_section_less(family: str, service_type: str) -> None:
    typical = TYPICAL.get(service_type, {})
    sel, groups = _select(family, service_type, **typical)
    if service_type in TABLE.section_less and not typical.get("heading"):
        assert sel is None, f"{service_type} is section-less but {sel and sel.section.id} was chosen"
        return
    assert sel is not None, f"{family}/{service_type}: no section for a typical request and not section-less"
    assert _names(sel, service_type, groups), (
        f"{family}/{service_type} got {sel.section.id} only through its family")
    assert sel.in_force is True, (service_type, sel.section.id)


def test_section_less_types_are_taxonomy_types_and_never_take_a_family_stand_in() -> None:
    known = {t for _, t in TYPES}
    assert set(TABLE.section_less) <= known, sorted(set(TABLE.section_less) - known)
    family_of = {t: f for f, t in TYPES}
    for service_type in TABLE.section_less:
        for region in (*MAIN_REGIONS, None):
            sel, _ = _select(family_of[service_type], service_type, region=region)
            assert sel is None, (service_type, region, sel and sel.section.id)


@pytest.mark.parametrize(
    ("family", "service_type"),
    [("imaging", "mri"), ("imaging", "imaging_other"), ("surgery", "spine_surgery"),
     ("surgery", "surgery_other"), ("surgery", "anesthesia"), ("electrodiagnostics", "emg"),
     ("physical_medicine", "physical_therapy"), ("dme", "brace")],
)
def test_region_dependent_types_select_a_section_in_every_main_region(family: str, service_type: str) -> None:
    for region in MAIN_REGIONS:
        sel, groups = _select(family, service_type, region=region)
        assert sel is not None, (service_type, region)
        assert _names(sel, service_type, groups), (service_type, region, sel.section.id)


@pytest.mark.parametrize(
    ("heading", "family", "service_type", "section_id"),
    [
        ("SYNTHETIC stellate ganglion block", "injection", "nerve_block", "cpmtg_sympathetic_blocks"),
        ("SYNTHETIC ketamine cream 10%", "medication", "topical", "cpmtg_topicals"),
        ("SYNTHETIC ketorolac 10 mg tablets", "medication", "nsaid", "cpmtg_nsaids"),
        ("SYNTHETIC TENS electrodes", "dme", "supplies", "cpmtg_tens"),
        ("SYNTHETIC cold laser therapy", "physical_medicine", "modality", "cpmtg_low_level_laser"),
        ("SYNTHETIC pharmacogenetic testing", "lab", "lab_test", "odg_genetic_testing"),
        ("SYNTHETIC intrathecal pain pump", "surgery", "neurostimulator", "cpmtg_implantable_drug_delivery"),
    ],
)
def test_a_subgroup_the_heading_names_places_the_request_within_its_family(
    heading: str, family: str, service_type: str, section_id: str
) -> None:
    sel, _ = _select(family, service_type, heading=heading)
    assert sel is not None and sel.section.id == section_id


@pytest.mark.parametrize(
    ("heading", "region", "phase", "family_type", "section_id"),
    [
        # percutaneous adhesiolysis and epidural neurolysis vs nerve releases, neurotomies and nerve blocks
        ("SYNTHETIC percutaneous lysis of epidural adhesions, L4-5", "lumbar", "chronic",
         "injection/adhesiolysis", "odg_adhesiolysis"),
        ("SYNTHETIC epidural neuroplasty, lumbar", "lumbar", "subacute", "injection/adhesiolysis",
         "odg_adhesiolysis"),
        ("SYNTHETIC injection of a neurolytic agent, lumbar spine", "lumbar", "chronic",
         "injection/adhesiolysis", "odg_adhesiolysis"),
        ("SYNTHETIC neuroplasty of the ulnar nerve at the elbow", "elbow", "chronic", "surgery/nerve_release",
         "elbow_surgery"),
        ("SYNTHETIC radiofrequency ablation of the lumbar medial branches", "lumbar", "chronic",
         "injection/facet", "low_back_initial_care"),
        # round 11: ODG Head's own occipital-block topic in any region; other blocks keep the general one
        ("SYNTHETIC greater occipital nerve block", "head", "chronic", "injection/nerve_block",
         "odg_occipital_nerve_block"),
        ("SYNTHETIC genicular nerve block", "knee", "chronic", "injection/nerve_block", "odg_nerve_blocks"),
        # psychiatric programmes vs pain programmes
        ("SYNTHETIC partial hospitalization program", None, "acute",
         "functional_program/partial_hospitalization", "cpmtg_psychological"),
        ("SYNTHETIC intensive outpatient program, 3 days a week", None, "chronic",
         "functional_program/partial_hospitalization", "cpmtg_psychological"),
        ("SYNTHETIC functional restoration program, 80 hours", None, "chronic",
         "functional_program/functional_restoration", "cpmtg_functional_restoration"),
        # therapeutic ultrasound vs an ultrasound study
        ("SYNTHETIC ultrasound 2 times a week for 4 weeks", None, "acute", "physical_medicine/modality",
         "cpmtg_ultrasound_therapeutic"),
        ("SYNTHETIC ultrasound therapy, right shoulder", "shoulder", "chronic", "physical_medicine/modality",
         "cpmtg_ultrasound_therapeutic"),
        ("SYNTHETIC therapeutic ultrasound, lumbar spine", "lumbar", "acute", "physical_medicine/modality",
         "low_back_physical_methods"),
        ("SYNTHETIC ultrasound of the right shoulder", "shoulder", "subacute", "imaging/ultrasound",
         "shoulder_special_studies"),
        ("SYNTHETIC phonophoresis x 6", "shoulder", "chronic", "physical_medicine/modality",
         "odg_iontophoresis"),
        # chiropractic vs a physician's consultation
        ("SYNTHETIC chiropractic consultation", "cervical", "chronic", "physical_medicine/chiropractic",
         "cpmtg_manipulation"),
        ("SYNTHETIC referral to a chiropractor, twice a week for 3 weeks", "cervical", "subacute",
         "physical_medicine/chiropractic", "cpmtg_manipulation"),
        ("SYNTHETIC chirophysio therapy 2x4", "knee", "chronic", "physical_medicine/chiropractic",
         "cpmtg_manipulation"),
        ("SYNTHETIC orthopedic consultation", "knee", "chronic", "consultation/specialist_consult",
         "consultation_referral"),
        # an examination inside a physical-medicine course vs an office visit
        ("SYNTHETIC physical exam 2 times 8", "lumbar", "acute", "consultation/office_visit",
         "cpmtg_physical_medicine"),
        ("SYNTHETIC re-evaluation twice a week", None, "chronic", "consultation/office_visit",
         "cpmtg_physical_medicine"),
        ("SYNTHETIC initial exam", "lumbar", "acute", "consultation/office_visit", "cpmtg_office_visits"),
        ("SYNTHETIC follow-up visits 1 x 6", None, "chronic", "consultation/office_visit",
         "cpmtg_office_visits"),
        # MTUS first: the Chronic Pain guidelines address topicals in the acute phase too
        ("SYNTHETIC lidocaine 5% ointment", None, "acute", "medication/topical", "cpmtg_topicals"),
    ],
)
def test_a_typical_request_gets_its_type_and_section_and_near_misses_do_not(
    heading: str, region: str | None, phase: str, family_type: str, section_id: str
) -> None:
    """Round 4: heading -> taxonomy type -> governing section, end to end on SYNTHETIC headings."""
    cls = load_taxonomy().classify(heading)
    assert f"{cls.family}/{cls.type}" == family_type, heading
    sel, _ = _select(cls.family, cls.type, heading=heading, region=region, phase=phase)
    assert sel is not None and sel.section.id == section_id, (heading, sel and sel.section.id)


def test_a_named_request_in_a_surgery_letter_keeps_its_pre_operative_section() -> None:
    sel = select_section(TABLE, service_type="lab_test", service_family="lab", region=None, phase="chronic",
                         surgery_in_letter=True, ur_denial_date=LATE_2016)
    assert sel is not None and sel.section.id == "odg_preoperative_testing"


def test_the_table_refuses_a_section_less_type_a_section_names_or_one_without_a_reason() -> None:
    named = raw_criteria()
    named["section_less"]["mri"] = "SYNTHETIC: a reason long enough to pass the length check."
    with pytest.raises(ValueError, match="section_less mri: a section's selector names it"):
        CriteriaTable.model_validate(named)
    bare = raw_criteria()
    bare["section_less"]["dexa"] = ""
    with pytest.raises(ValueError, match="section_less dexa: give the reason"):
        CriteriaTable.model_validate(bare)
