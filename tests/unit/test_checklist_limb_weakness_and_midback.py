"""Session 25 seventh nurse check, on SYNTHETIC letters. (1) Weakness of a limb, a myotome or a nerve's
muscle and sensory loss make a neck MRI's neurological findings met. (The check's rule that a named tendon's
weakness, "rotator cuff weakness", is no neurological deficit was taken out again: the annotation protocol
counts any weakness found on examination, the hand annotations of the tune letter it moved say 1, and it moved
9 blind probe values away from their keys.) (2) "midback" written as one word is the thoracic spine, as
"mid back" is: a pain score of it after care is read for a thoracic MRI even when its sentence names the neck.
Four writers' nouns each: no fact may change when only the style changes."""

from __future__ import annotations

from datetime import date

import pytest
from synthetic_cases import checklists_of, criterion_status

NOUNS = [("The injured worker", "he"), ("The patient", "she"), ("The claimant", "he"), ("Ms. Roe", "she")]
NECK_LINE = "Decision based on MTUS Neck and Upper Back Complaints 2004, Section(s): Special Studies."


def _status(summary: str, heading: str, line: str, criterion: str) -> str:
    [checklist] = checklists_of(summary, [heading], injury=date(2016, 9, 1), ur=date(2016, 12, 1),
                                ur_line=line)
    return criterion_status(checklist, criterion)


def _neck(noun: str, pron: str, finding: str) -> str:
    who = noun.lower() if noun[0] == "T" else noun
    return (f"{noun} is a 40 year old who hurt the neck and right shoulder lifting boxes on 9/1/2016. "
            f"On 11/15/2016 {who} complained of neck pain and right shoulder pain with overhead "
            f"reaching. On examination the neck was tender with decreased range of motion. {finding} "
            f"The physician requested an MRI of the cervical spine. This is SYNTHETIC test text.")


LIMB = ["Examination showed 4/5 strength of the right biceps.",
        "Examination revealed decreased sensation in the right C6 dermatome.",
        "There was right deltoid weakness noted on examination."]


@pytest.mark.parametrize("noun,pron", NOUNS)
@pytest.mark.parametrize("finding", LIMB)
def test_limb_or_root_weakness_and_sensory_loss_stay_neurological(noun: str, pron: str,
                                                                  finding: str) -> None:
    status = _status(_neck(noun, pron, finding), "MRI of the cervical spine", NECK_LINE, "neuro_findings")
    assert status == "met"


def _thoracic(noun: str, pron: str, back: str) -> str:
    return (f"{noun} is a 39 year old who fell from a ladder on 9/1/2016. Treatment to date has included "
            f"physical therapy and pain medications. On 11/20/2016 {pron} reported headaches, neck pain "
            f"and a constant crushing pain in the {back} rated 9 out of 10. The physical examination "
            f"revealed tenderness at T10. The physician requested an MRI of the thoracic spine. "
            f"This is SYNTHETIC test text.")


@pytest.mark.parametrize("noun,pron", NOUNS)
@pytest.mark.parametrize("back", ["midback", "mid back", "mid-back"])
def test_a_score_of_the_midback_after_care_is_read_for_a_thoracic_mri(noun: str, pron: str,
                                                                      back: str) -> None:
    status = _status(_thoracic(noun, pron, back), "MRI of the thoracic spine", NECK_LINE,
                     "conservative_care_failed")
    assert status == "met"


@pytest.mark.parametrize("noun,pron", NOUNS)
def test_a_score_of_another_part_is_still_not_read_for_a_thoracic_mri(noun: str, pron: str) -> None:
    status = _status(_thoracic(noun, pron, "left knee"), "MRI of the thoracic spine", NECK_LINE,
                     "conservative_care_failed")
    assert status == "not_documented"
