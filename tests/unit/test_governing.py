"""Governing-section selection on SYNTHETIC service descriptions: one case per chapter, the edition in
force at the UR date, the UR's cited chapter as tie-breaker and region, and guideline-line parsing."""

from __future__ import annotations

from datetime import date

import pytest

from features.criteria import load_criteria
from features.criteria_facts import LetterFacts, LetterService, text_regions
from features.governing import cited_chapters, resolve_region, select_section

TABLE = load_criteria()
LATE_2016 = date(2016, 11, 20)
NO_LETTER = LetterFacts(())


@pytest.mark.parametrize(
    ("service_type", "family", "region", "phase", "groups", "chapter", "section_id"),
    [
        ("mri", "imaging", "lumbar", "subacute", (), "Low Back Complaints", "low_back_special_studies"),
        ("mri", "imaging", "cervical", "subacute", (), "Neck and Upper Back Complaints",
         "neck_special_studies"),
        ("arthroscopy", "surgery", "shoulder", "chronic", (), "Shoulder Complaints", "shoulder_surgery"),
        ("mri", "imaging", "elbow", "acute", (), "Elbow Complaints", "elbow_special_studies"),
        ("mri", "imaging", "hand_wrist", "subacute", (), "Forearm, Wrist, and Hand Complaints",
         "hand_wrist_special_studies"),
        ("mri", "imaging", "knee", "subacute", (), "Knee Complaints", "knee_special_studies"),
        ("xray", "imaging", "ankle_foot", "acute", (), "Ankle and Foot Complaints",
         "ankle_foot_special_studies"),
        ("fce", "functional_program", None, "chronic", (), "General Approaches",
         "functional_capacity_evaluation"),
        ("physical_therapy", "physical_medicine", "lumbar", "subacute", (),
         "Chronic Pain Medical Treatment Guidelines", "cpmtg_physical_medicine"),
        ("opioid", "medication", None, "chronic", ("tramadol",), "Opioids Treatment Guidelines",
         "opioids_chronic"),
        ("acupuncture", "physical_medicine", "cervical", "chronic", (),
         "Acupuncture Medical Treatment Guidelines", "acupuncture"),
        ("physical_therapy", "physical_medicine", "shoulder", "post_operative", (),
         "Postsurgical Treatment Guidelines", "postsurgical_therapy"),
        ("ct", "imaging", "head", "acute", (), "Head", "odg_head_imaging"),
        ("mri", "imaging", "hip", "subacute", (), "Hip & Pelvis", "odg_hip_imaging"),
        ("cold_therapy", "dme", "shoulder", "post_operative", (), "Shoulder", "odg_cryotherapy"),
        ("prp", "injection", "knee", "chronic", (), "Knee & Leg", "odg_prp"),
        ("topical", "medication", None, "acute", (), "Chronic Pain Medical Treatment Guidelines",
         "cpmtg_topicals"),
        ("adhesiolysis", "injection", "lumbar", "chronic", (), "Low Back - Lumbar & Thoracic",
         "odg_adhesiolysis"),
        ("partial_hospitalization", "functional_program", None, "acute", (),
         "Chronic Pain Medical Treatment Guidelines", "cpmtg_psychological"),
    ],
)
def test_one_synthetic_service_per_chapter_gets_its_section(
    service_type: str, family: str, region: str | None, phase: str, groups: tuple[str, ...], chapter: str,
    section_id: str,
) -> None:
    sel = select_section(TABLE, service_type=service_type, service_family=family, region=region, phase=phase,
                         groups=groups, ur_denial_date=LATE_2016)
    assert sel is not None
    assert (sel.section.id, sel.citation.chapter) == (section_id, chapter)
    assert sel.in_force is True


def test_a_named_type_beats_its_family_and_a_drug_group_beats_its_type() -> None:
    assistant = select_section(TABLE, service_type="surgical_assistant", service_family="surgery",
                               region="shoulder", phase="pre_operative")
    assert assistant is not None and assistant.section.id == "odg_surgical_assistant"
    soma = select_section(TABLE, service_type="muscle_relaxant", service_family="medication", region=None,
                          phase="chronic", groups=("carisoprodol",))
    assert soma is not None and soma.citation.section == "Carisoprodol (Soma)"
    unknown = select_section(TABLE, service_type="unknown", service_family="other", region=None, phase=None)
    assert unknown is None


def test_the_edition_follows_the_ur_denial_date() -> None:
    def pt(day: date | None):
        return select_section(TABLE, service_type="physical_therapy", service_family="physical_medicine",
                              region="lumbar", phase="chronic", ur_denial_date=day)

    old, new, unknown = pt(date(2015, 5, 1)), pt(LATE_2016), pt(None)
    assert old is not None and new is not None and unknown is not None
    assert (old.citation.edition, old.citation.section, old.citation.pages) == (
        "2009", "Physical Medicine", "98-99")
    assert (new.citation.edition, new.citation.section, new.citation.pages) == (
        "2016", "Physical medicine treatment", None)
    assert unknown.citation.edition == "2016" and unknown.in_force is None

    def opioid(day: date):
        return select_section(TABLE, service_type="opioid", service_family="medication", region=None,
                              phase="chronic", ur_denial_date=day)

    before, after = opioid(date(2016, 3, 1)), opioid(LATE_2016)
    assert before is not None and after is not None
    assert (before.citation.chapter, before.citation.pages) == (
        "Chronic Pain Medical Treatment Guidelines", "78-80")
    assert after.citation.chapter == "Opioids Treatment Guidelines" and after.chapter_key == "mtus_opioids"
    late = select_section(TABLE, service_type="mri", service_family="imaging", region="knee", phase="chronic",
                          ur_denial_date=date(2018, 6, 1))
    assert late is not None and late.in_force is False  # the ACOEM 2004 chapters ended 2017-12-01


def test_the_ur_cited_chapter_breaks_a_tie_and_places_an_odg_topic() -> None:
    args = dict(service_type="mobility_aid", service_family="dme", phase="subacute")
    by_region = select_section(TABLE, region="knee", **args)  # type: ignore[arg-type]
    assert by_region is not None and by_region.citation.chapter == "Knee & Leg"
    region = resolve_region(TABLE, "none", (), item_index=0, letter=NO_LETTER, ur_chapters=["odg_shoulder"])
    assert region == "shoulder"
    sel = select_section(TABLE, region=region, ur_chapters=["odg_shoulder"], **args)  # type: ignore[arg-type]
    assert sel is not None and sel.citation.chapter == "Shoulder" and "chapter UR cited" in sel.reason


@pytest.mark.parametrize(
    ("service_type", "groups", "mtus_section", "odg_section"),
    [("topical", (), "cpmtg_topicals", "odg_topicals"),
     ("topical", ("lidocaine_patch",), "cpmtg_lidoderm", "odg_lidoderm"),
     ("benzodiazepine", (), "cpmtg_benzodiazepines", "odg_benzodiazepines")],
)
@pytest.mark.parametrize("phase", ["acute", "chronic"])
def test_mtus_first_for_drugs_the_chronic_pain_guidelines_address_in_every_phase(
    service_type: str, groups: tuple[str, ...], mtus_section: str, odg_section: str, phase: str
) -> None:
    """The MTUS evidence search comes first: an acute-phase topical or benzodiazepine is governed by the
    Chronic Pain section; the ODG Pain section only wins the tie when the UR cited the ODG Pain chapter."""
    args = dict(service_type=service_type, service_family="medication", region=None, phase=phase,
                groups=groups, ur_denial_date=LATE_2016)
    plain = select_section(TABLE, **args)  # type: ignore[arg-type]
    assert plain is not None and plain.section.id == mtus_section
    cited_odg = select_section(TABLE, ur_chapters=["odg_pain"], **args)  # type: ignore[arg-type]
    assert cited_odg is not None and cited_odg.section.id == odg_section
    cited_mtus = select_section(TABLE, ur_chapters=["mtus_chronic_pain"], **args)  # type: ignore[arg-type]
    assert cited_mtus is not None and cited_mtus.section.id == mtus_section


def test_region_of_a_heading_without_one_comes_from_the_letter() -> None:
    letter = LetterFacts((LetterService(0, "surgery", "arthroscopy", ("knee",)),
                          LetterService(1, "dme", "cold_therapy", ())),
                         summary="SYNTHETIC: low back pain, then a knee injury.")
    assert resolve_region(TABLE, "none", (), item_index=1, letter=letter) == "knee"
    assert resolve_region(TABLE, "multiple", text_regions("MRI of the left shoulder and neck"),
                          item_index=0, letter=NO_LETTER) == "shoulder"
    lone = LetterFacts((), summary="SYNTHETIC: pain in the right wrist.")
    assert resolve_region(TABLE, "none", (), item_index=0, letter=lone) == "hand_wrist"
    two = LetterFacts((), summary="SYNTHETIC: low back pain, then a knee injury.")
    assert resolve_region(TABLE, "none", (), item_index=0, letter=two) is None


@pytest.mark.parametrize(
    ("line", "chapters"),
    [
        ("Decision based on MTUS Low Back Complaints 2004, Section(s): Special Studies. Decision based on "
         "Non-MTUS Citation Official Disability Guidelines (ODG), Knee and Leg Chapter (SYNTHETIC line).",
         ["mtus_low_back", "odg_knee"]),
        ("Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Physical medicine "
         "treatment, and Opioid Treatment 2016 (SYNTHETIC line).", ["mtus_chronic_pain", "mtus_opioids"]),
        ("SYNTHETIC: based on MTUS Neck and Upper Back Complaints 2004.", ["mtus_neck"]),
        ("The SYNTHETIC reviewer based the decision outside the MTUS. Decision based on Non-MTUS Citation "
         "ACOEM Pain, Suffering chapter; Official Disability Guidelines, Shoulder.", ["odg_shoulder"]),
        ("The Claims Administrator did not cite any medical evidence for its decision.", []),
        (None, []),
    ],
)
def test_cited_chapters_reads_mtus_before_non_mtus_and_odg_after(
    line: str | None, chapters: list[str]
) -> None:
    assert cited_chapters(TABLE, line) == chapters


@pytest.mark.parametrize(
    ("service_type", "family", "region", "phase", "groups", "section_id"),
    [
        # SYNTHETIC kinds from the blind governing probe (experiments/governing-probe.md)
        ("physical_therapy", "physical_medicine", "knee", "post_operative", (), "postsurgical_therapy"),
        ("brace", "dme", "lumbar", "post_operative", (), "odg_postoperative_back_brace"),
        ("brace", "dme", "cervical", "post_operative", (), "odg_postoperative_collar"),
        ("joint", "injection", "hip", "chronic", (), "odg_hip_injection"),
        ("antiemetic_laxative", "medication", None, "chronic", ("laxative",), "cpmtg_constipation"),
        ("hospital_stay", "surgery", "lumbar", "post_operative", (), "odg_hospital_stay"),
        ("epidural", "injection", "cervical", "chronic", (), "cpmtg_epidural"),
        ("epidural", "injection", "cervical", "acute", (), "neck_initial_care"),  # near-miss: the first weeks
        # near-misses: the same requests where the earlier sections still govern
        ("physical_therapy", "physical_medicine", "knee", "chronic", (), "knee_initial_care_therapy"),
        ("brace", "dme", "shoulder", "post_operative", (), "odg_postoperative_sling"),
        ("joint", "injection", "knee", "chronic", (), "knee_initial_care"),
        ("antiemetic_laxative", "medication", None, "chronic", (), "cpmtg_antiemetics"),
    ],
)
def test_phase_region_and_drug_group_pick_the_section_a_reviewer_cites(
    service_type: str, family: str, region: str | None, phase: str, groups: tuple[str, ...], section_id: str,
) -> None:
    sel = select_section(TABLE, service_type=service_type, service_family=family, region=region, phase=phase,
                         groups=groups, ur_denial_date=LATE_2016)
    assert sel is not None and sel.section.id == section_id
