"""Repeat imaging means a study of the same kind (session 22): films before an MRI are the usual work-up,
not a repeat. The kind of a request comes from its service type, of an earlier study from its words
(`features/imaging_modalities.yaml`); a study of unknown kind still counts as a possible repeat. SYNTHETIC
letters written here."""

from __future__ import annotations

from datetime import date

import pytest
from row_checks import check_rows

from features.checklist import ServiceChecklist
from features.criteria import load_criteria
from features.criteria_facts import LetterFacts, derive_facts
from features.extractors.criteria_level import case_checklists
from features.imaging_modalities import imaging_kinds
from letters.records import Case, GuidelineCitation, ServiceDecision

OPENING = "The injured worker is a 51 year old male who twisted his knee at work (SYNTHETIC test text). "
FILMS = "X-rays of the right knee on 04/02/2016 were negative."
KNEE_MRI = "An MRI of the right knee on 06/10/2016 showed a tear of the medial meniscus."
OTHER_KNEE_MRI = "An MRI of the left knee on 06/10/2016 showed a tear of the medial meniscus."
KNEE_CT = "A CT scan of the right knee on 05/01/2016 showed no fracture."
UNKNOWN_KIND = "Imaging of the right knee on 06/10/2016 showed an effusion."

STUDY_WORDS = [
    ("MRI", "mri"), ("MR arthrogram", "mri"), ("magnetic resonance imaging", "mri"),
    ("x-rays", "radiograph"), ("plain films", "radiograph"), ("films of", "radiograph"),
    ("x-rayed", "radiograph"), ("radiographs", "radiograph"), ("radiographic films", "radiograph"),
    ("CAT scan", "ct"), ("CT", "ct"), ("bone scan", "nuclear"), ("scintigraphy", "nuclear"),
    ("sonogram", "ultrasound"), ("knee ultrasound", "ultrasound"), ("arthrogram", "contrast_study"),
    ("imaging", None), ("imaging studies", None), ("imaged", None), ("radiographic findings", None),
    ("radiographically", None),
]


def _kind_is(words: str, kind: str | None) -> None:
    assert imaging_kinds().of_study(words) == kind


def test_a_studys_words_name_its_kind_or_none() -> None:
    check_rows(STUDY_WORDS, _kind_is)


def _case(summary: str, heading: str) -> Case:
    service = ServiceDecision(item_index=0, heading=heading, service=heading, decision="Upheld",  # type: ignore[arg-type]
                              ur_guideline=GuidelineCitation(raw="Decision based on MTUS."),
                              reviewer_guideline=GuidelineCitation(raw="Decision based on ODG."),
                              rationale="SYNTHETIC rationale.")
    return Case(letter_id="SYNTH-MODALITY-1", synthetic=True, letter_format="synthetic",
                date_of_injury=date(2016, 3, 1), ur_denial_date=date(2016, 11, 20),
                clinical_summary=OPENING + summary, services=[service])


def _repeat(checklist: ServiceChecklist) -> tuple[str, list[str]]:
    item = next(i for i in checklist.checklist if i.criterion_id == "no_repeat_imaging")
    return item.status, [e.text for e in item.evidence]


@pytest.mark.parametrize(("summary", "heading", "status", "quoted"), [
    # films first, then an MRI: no earlier MRI, the films are what the record shows
    (FILMS, "MRI of the right knee", "met", FILMS),
    # an MRI of the other knee is no study of this knee; the films are of another kind
    (f"{FILMS} {OTHER_KNEE_MRI}", "MRI of the right knee", "met", FILMS),
    # a CT shows bone, an MRI soft tissue: another kind of study, not a repeat
    (KNEE_CT, "MRI of the right knee", "met", KNEE_CT),
    # the same kind again: unmet, quoting the earlier MRI rather than the films
    (f"{FILMS} {KNEE_MRI}", "MRI of the right knee", "unmet", KNEE_MRI),
    # a study of unknown kind may be an MRI: a possible repeat, and it is what is quoted
    (f"{FILMS} {UNKNOWN_KIND}", "MRI of the right knee", "unmet", UNKNOWN_KIND),
])
def test_a_repeat_is_an_earlier_study_of_the_requests_kind(summary: str, heading: str, status: str,
                                                            quoted: str) -> None:
    (checklist,) = case_checklists(_case(summary, heading))
    assert checklist.section_id == "knee_special_studies"
    assert _repeat(checklist) == (status, [quoted])


def test_an_eeg_after_a_head_ct_repeats_no_study() -> None:
    """An EEG takes ODG's head imaging topic; a CT of the head before it is a study of another kind."""
    summary = "He struck his head on a beam. A CT scan of the head on 04/02/2016 was normal."
    (checklist,) = case_checklists(_case(summary, "Electroencephalogram"))
    assert checklist.section_id == "odg_head_imaging"
    assert _repeat(checklist) == ("met", ["A CT scan of the head on 04/02/2016 was normal."])


def test_the_kind_is_decided_conservatively_when_the_studies_are_not_known() -> None:
    """Without the studies' words (a structured case), an earlier study of the region counts as a
    possible repeat, and so does any study for a request of unknown kind; no study of the region is no
    repeat; an unknown region's imaging is not documented."""
    table = load_criteria()

    def fact(same_region: object, studies: list[str] | None, service_type: str = "mri") -> object:
        values = {"service_family": "imaging", "service_type": service_type,
                  "prior_imaging_same_region": same_region}
        return derive_facts(table, values, service_text="SYNTHETIC MRI of the knee", item_index=0,
                            letter=LetterFacts(()), prior_studies=studies)["prior_imaging_same_modality"]

    assert fact(True, None) is True
    assert fact(True, ["x-rays"]) is False
    assert fact(True, ["x-rays"], service_type="xray") is True
    assert fact(True, ["x-rays", "MRI"]) is True
    assert fact(True, ["x-rays"], service_type="imaging_other") is True  # a request of unknown kind
    assert fact(False, None) is False
    assert fact(None, None) is None
