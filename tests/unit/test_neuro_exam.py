"""A normal neurological examination stated by the record (`features/neuro_exam.py`) makes "objective
neurological findings" unmet, not undocumented, as a triage nurse reads it (session 18's check: four of 106
statuses). Every sentence here is SYNTHETIC, written for the test in several writers' styles."""

from __future__ import annotations

from datetime import date

import pytest
from synthetic_cases import checklists_of

from features.analysis import AnalysedText
from features.neuro_exam import neuro_exam_normal_in
from letters.records import Section

WRITERS = [("The patient", "He"), ("The injured worker", "She"), ("The claimant", "He"),
           ("The applicant", "She")]

NORMAL = [
    "On examination, sensation to light touch and pinprick was intact in all dermatomes of the legs.",
    "Motor strength was rated 5/5 bilaterally.",
    "{Who} had 5/5 muscle strength in the lower extremities.",
    "Deep tendon reflexes were 2+ and symmetrical at the knees and ankles.",
    "Reflexes, sensation and strength were within normal limits.",
    "{Who} was neurologically intact.",
    "The neurological examination was nonfocal.",
    "{Who} exhibited intact strength and sensation about both hands.",
    "There was no weakness in the lower extremities.",
    "There were no focal neurological deficits.",
    "Sensory examination showed no deficit in any dermatome of the arms.",
    "{He} denied numbness and tingling in the arms.",
    "There was no sensory loss, motor weakness or reflex asymmetry in either leg.",
    # the kinds a blind probe found (session 19): an examination's labels, segments and cranial nerves,
    # negative upper-motor-neuron signs, a deficit the record denies, a list before "reflexes"
    "Neuro: grossly intact.",
    "Motor: normal bulk and tone throughout. Sensation: intact. Reflexes: 2+ at both knees.",
    "Objective: motor 5/5 in both legs, SILT in the feet.",
    "Myotomes C5 through T1 were 5/5 on both sides.",
    "Cranial nerves were intact.",
    "Babinski was negative bilaterally and the toes were downgoing.",
    "There was no clonus at either ankle.",
    "Reflexes were brisk and equal at the knees.",
    "{Who} had intact patellar, Achilles and hamstring reflexes.",
]

NOT_NORMAL = [
    "{Who} reports numbness and tingling in the right hand.",  # a symptom affirmed
    "There was no improvement in the numbness of the right hand.",  # the change is denied, not the sign
    "The utilization reviewer noted there were no neurological deficits.",  # the UR's words
    "An EMG is requested to rule out weakness of the leg.",  # a purpose, not a finding
    "{His} mother has numbness in both feet.",  # someone else's
    "Strength testing caused pain, and gait was normal.",  # gait is no neurological grade
    "Range of motion of the shoulder was within normal limits.",
    "Full range of motion and strength could not be tested because of pain.",
    "A prior peer reviewer wrote that the neurological examination was normal.",  # the UR's words
]


def _normal(text: str) -> bool:
    return bool(neuro_exam_normal_in(AnalysedText(text, Section.CLINICAL_SUMMARY)).value)


def _fill(template: str, who: str, he: str) -> str:
    his = "His" if he == "He" else "Her"
    return template.format(Who=who, He=he, His=his)


@pytest.mark.parametrize("who, he", WRITERS)
@pytest.mark.parametrize("template", NORMAL)
def test_a_normal_finding_or_a_sign_denied_is_a_normal_examination(template: str, who: str, he: str) -> None:
    text = f"{who} hurt the low back lifting a box. {_fill(template, who, he)}"
    assert _normal(text), text


@pytest.mark.parametrize("who, he", WRITERS)
@pytest.mark.parametrize("template", NOT_NORMAL)
def test_a_symptom_a_change_the_urs_words_a_purpose_or_another_person_are_not(
        template: str, who: str, he: str) -> None:
    text = f"{who} hurt the low back lifting a box. {_fill(template, who, he)}"
    assert not _normal(text), text


@pytest.mark.parametrize("finding", ["There was an absent right ankle jerk.",
                                     "Examination showed a diminished left knee jerk."])
def test_a_lost_jerk_named_after_its_finding_is_a_deficit(finding: str) -> None:
    """A blind probe's kind (session 19): the protocol's reflex change, written finding first."""
    from features.red_flags import red_flag_in

    text = f"SYNTHETIC: the worker hurt the low back. {finding}"
    assert red_flag_in(AnalysedText(text, Section.CLINICAL_SUMMARY), "neuro_deficit").value is True


def test_the_evidence_is_the_sentence_that_says_it() -> None:
    text = "SYNTHETIC: the worker hurt the back. Motor strength was 5/5 and sensation was intact throughout."
    found = neuro_exam_normal_in(AnalysedText(text, Section.CLINICAL_SUMMARY))
    assert found.value is True and found.span is not None
    assert found.span.sentence == "Motor strength was 5/5 and sensation was intact throughout."


def _statuses(summary: str, heading: str) -> dict[str, str]:
    (checklist,) = checklists_of(summary, [heading], injury=date(2015, 8, 19), ur=date(2016, 12, 1))
    return {c.criterion_id: c.status for c in checklist.checklist}


_BACK = "SYNTHETIC: {who} has had low back pain for a year after lifting a box at work. "


@pytest.mark.parametrize("who, he", WRITERS)
@pytest.mark.parametrize("finding, status", [
    ("Strength was 5/5 and sensation was intact in both legs.", "unmet"),
    ("{He} denied numbness, tingling or weakness of the legs.", "unmet"),
    ("There was decreased sensation in the left L5 dermatome.", "met"),
    # a deficit found wins over a normal grade elsewhere in the examination
    ("Strength was 5/5, but the left ankle reflex was absent.", "met"),
    ("The low back was tender to palpation.", "not_documented"),
])
def test_objective_neurological_findings_for_a_lumbar_mri(finding: str, status: str, who: str,
                                                          he: str) -> None:
    summary = _BACK.format(who=who.lower()) + _fill(finding, who, he)
    statuses = _statuses(summary, "MRI of the lumbar spine")
    assert statuses["neuro_findings"] == status, (summary, statuses)


@pytest.mark.parametrize("finding, status", [
    ("Strength was 5/5 and sensation was intact in both legs.", "met"),
    ("There was decreased sensation in the left L5 dermatome.", "unmet"),
    ("The low back was tender to palpation.", "not_documented"),
])
def test_radicular_signs_absent_for_trigger_point_injections(finding: str, status: str) -> None:
    """Trigger point injections ask that radicular signs be absent: a normal examination meets it."""
    heading = "Trigger point injections to the lumbar paraspinal muscles"
    statuses = _statuses(_BACK.format(who="the patient") + finding, heading)
    assert statuses.get("no_radicular_findings") == status, statuses
