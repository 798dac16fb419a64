"""Session 26, on SYNTHETIC letters: two criterion-level neurological readings beside the protocol's facts.

(1) Weakness of a named tendon or its muscle ("rotator cuff weakness", "4/5 supraspinatus strength") stays the
protocol's `red_flag_neuro_deficit` (the annotations key it 1), but is no nerve finding of a region for the
criteria (`neuro_deficit_of_region`): it meets no neck MRI's neurological findings. It is still an objective
finding of the shoulder itself (a shoulder MRI's `exam_findings`). The deltoid, the biceps, a dermatome stay.
(2) A normal neurological examination counts for a request only when its sentence names the request's region,
the spine or the limbs its nerve roots serve, or no region at all (`neuro_exam_normal_of_region`): a normal
neck and arm examination documents no lumbar MRI's neurological findings absent; a plain "neurologically
intact" does. The letter's `neuro_exam_normal` stays as it was.
Four writers' nouns and he/she each: no fact may change when only the style changes."""

from __future__ import annotations

from datetime import date

import pytest
from synthetic_cases import case_of, checklists_of, criterion_status

from features.facts import CaseFacts
from letters.pre_review import PreReviewCase

NOUNS = [("The injured worker", "he"), ("The patient", "she"), ("The claimant", "he"), ("Ms. Roe", "she")]
NECK_LINE = "Decision based on MTUS Neck and Upper Back Complaints 2004, Section(s): Special Studies."
BACK_LINE = "Decision based on MTUS Low Back Complaints 2004, Section(s): Special Studies."
INJURY, UR = date(2016, 9, 1), date(2016, 12, 1)


def _status(summary: str, heading: str, line: str | None, criterion: str) -> str | None:
    [checklist] = checklists_of(summary, [heading], injury=INJURY, ur=UR, ur_line=line)
    return criterion_status(checklist, criterion)


def _case_facts(summary: str, heading: str) -> CaseFacts:
    return CaseFacts(PreReviewCase.from_case(case_of(summary, [heading], injury=INJURY, ur=UR)))


def _who(noun: str) -> str:
    return noun.lower() if noun.startswith("The") else noun


def _neck(noun: str, pron: str, finding: str) -> str:
    return (f"{noun} is a 41 year old who strained the neck and right shoulder lifting crates on 9/1/2016. "
            f"On 11/14/2016 {_who(noun)} complained of neck pain and right shoulder pain, worse when {pron} "
            f"reached overhead. On examination the neck was tender with decreased range of motion. {finding} "
            f"The physician requested an MRI of the cervical spine. This is SYNTHETIC test text.")


def _spine(noun: str, pron: str, normal: str, study: str) -> str:
    return (f"{noun} is a 36 year old who hurt the neck and low back in a fall at work on 9/1/2016. "
            f"On 11/18/2016 {_who(noun)} reported neck pain and low back pain, and {pron} had tried physical "
            f"therapy without relief. The cervical and lumbar paraspinal muscles were tender. {normal} "
            f"The physician requested an MRI of the {study}. This is SYNTHETIC test text.")


TENDON = ["There was also rotator cuff weakness noted.",
          "Examination showed 4/5 supraspinatus strength on the right.",
          "Examination revealed weakness of the right rotator cuff.",
          "Manual muscle testing showed infraspinatus strength of 4/5."]


@pytest.mark.parametrize("noun,pron", NOUNS)
@pytest.mark.parametrize("finding", TENDON)
def test_tendon_weakness_is_no_neurological_finding_for_a_neck_mri(noun: str, pron: str,
                                                                   finding: str) -> None:
    status = _status(_neck(noun, pron, finding), "MRI of the cervical spine", NECK_LINE, "neuro_findings")
    assert status == "not_documented"


@pytest.mark.parametrize("noun,pron", NOUNS)
@pytest.mark.parametrize("finding", TENDON)
def test_tendon_weakness_stays_the_protocols_neuro_deficit(noun: str, pron: str, finding: str) -> None:
    facts = _case_facts(_neck(noun, pron, finding), "MRI of the cervical spine")
    assert facts.red_flag("neuro_deficit").value is True
    assert facts.nerve_deficits == [] and len(facts.tendon_weaknesses) == 1


@pytest.mark.parametrize("noun,pron", NOUNS)
@pytest.mark.parametrize("finding", TENDON[:1] + TENDON[2:3])
def test_tendon_weakness_is_still_a_finding_of_the_shoulder(noun: str, pron: str, finding: str) -> None:
    summary = _neck(noun, pron, finding).replace("of the cervical spine", "of the right shoulder")
    line = "Decision based on MTUS Shoulder Complaints 2004, Section(s): Special Studies."
    assert _status(summary, "MRI of the right shoulder", line, "exam_findings") == "met"


@pytest.mark.parametrize("noun,pron", NOUNS)
@pytest.mark.parametrize("finding", ["Examination showed 4/5 strength of the right deltoid.",
                                     "There was right biceps weakness noted on examination.",
                                     "Grip strength was decreased on the right.",
                                     "Examination revealed decreased sensation in the right C6 dermatome."])
def test_deltoid_biceps_grip_and_dermatome_findings_stay_neurological(noun: str, pron: str,
                                                                      finding: str) -> None:
    status = _status(_neck(noun, pron, finding), "MRI of the cervical spine", NECK_LINE, "neuro_findings")
    assert status == "met"


@pytest.mark.parametrize("noun,pron", NOUNS)
@pytest.mark.parametrize("finding", ["There was 4/5 weakness of the left foot dorsiflexion.",
                                     "Examination showed weakness of the left great toe extensor at 4/5.",
                                     "Strength was 4/5 in the left L5 myotome."])
def test_a_legs_myotomal_weakness_stays_neurological_for_a_lumbar_mri(noun: str, pron: str,
                                                                      finding: str) -> None:
    summary = _spine(noun, pron, finding, "lumbar spine")
    assert _status(summary, "MRI of the lumbar spine", BACK_LINE, "neuro_findings") == "met"


# ---------------------------------------------------------------- a normal examination by region
ARMS_NORMAL = ["Sensation to light touch was intact in the C5 through T1 dermatomes bilaterally.",
               "Motor strength was 5/5 in the bilateral upper extremities.",
               "Upper extremity neurological examination was normal.",
               "Reflexes of the biceps and triceps were 2+ and symmetric in both arms."]
LEGS_NORMAL = ["Motor strength was 5/5 in the bilateral lower extremities.",
               "Sensation was intact in the L4, L5 and S1 dermatomes of both legs."]
PLAIN_NORMAL = ["Neurologically intact.", "Sensation and strength were normal throughout.",
                "There were no focal neurological deficits."]


SPINE_LINES = {"lumbar spine": BACK_LINE, "cervical spine": NECK_LINE}
# (a normal examination of one pair of limbs, the spine whose MRI it says nothing of, the spine whose roots
# it tests)
LIMB_CASES = [(n, "lumbar spine", "cervical spine") for n in ARMS_NORMAL] + [
    (n, "cervical spine", "lumbar spine") for n in LEGS_NORMAL]


def _neuro_findings(noun: str, pron: str, normal: str, study: str) -> str | None:
    summary = _spine(noun, pron, normal, study)
    return _status(summary, f"MRI of the {study}", SPINE_LINES[study], "neuro_findings")


@pytest.mark.parametrize("noun,pron", NOUNS)
@pytest.mark.parametrize("normal,other,own", LIMB_CASES)
def test_a_normal_limb_examination_documents_only_its_own_spines_finding_absent(
    noun: str, pron: str, normal: str, other: str, own: str
) -> None:
    """A normal arm examination documents no lumbar MRI's neurological findings absent, and a normal leg
    examination none of a cervical MRI's; each is the finding documented absent for its own spine."""
    assert _neuro_findings(noun, pron, normal, other) == "not_documented"
    assert _neuro_findings(noun, pron, normal, own) == "unmet"


@pytest.mark.parametrize("noun,pron", NOUNS)
@pytest.mark.parametrize("normal", PLAIN_NORMAL)
def test_a_normal_examination_naming_no_region_counts_for_every_request(noun: str, pron: str,
                                                                        normal: str) -> None:
    for study in SPINE_LINES:
        assert _neuro_findings(noun, pron, normal, study) == "unmet", study


# The region is read in the finding's own phrase, not its whole sentence (session 25's sentence-level try got
# three tune statuses wrong): a whole-body finding joined to an arm's, strength beside another part's deficit,
# and a sentence's lead ("In the upper extremities, ...") that heads every finding after it.
@pytest.mark.parametrize("noun,pron", NOUNS)
@pytest.mark.parametrize("sentence, lumbar, cervical", [
    ("{Pron} kept 5/5 strength of the arms and normal motor power throughout the body.", "unmet", "unmet"),
    ("Motor strength was 5/5 with diminished sensation over the right thumb.", "unmet", "met"),
    ("In the upper extremities, strength and sensation were intact.", "not_documented", "unmet"),
    ("Upper extremities: sensation was intact and strength was 5/5.", "not_documented", "unmet"),
    ("Sensation was intact in both legs; reflexes were 2+ and symmetric throughout.", "unmet", "unmet"),
])
def test_the_region_of_a_normal_finding_is_read_in_its_phrase(noun: str, pron: str, sentence: str,
                                                               lumbar: str, cervical: str) -> None:
    normal = sentence.format(Pron=pron.capitalize())
    for study, line, want in (("lumbar spine", BACK_LINE, lumbar), ("cervical spine", NECK_LINE, cervical)):
        status = _status(_spine(noun, pron, normal, study), f"MRI of the {study}", line, "neuro_findings")
        assert status == want, study


@pytest.mark.parametrize("noun,pron", NOUNS)
@pytest.mark.parametrize("normal", ARMS_NORMAL[:2])
def test_a_normal_arm_examination_shows_no_sacroiliac_pain_non_radicular(noun: str, pron: str,
                                                                         normal: str) -> None:
    summary = _spine(noun, pron, normal, "lumbar spine")
    status = _status(summary, "Right sacroiliac joint injection", None, "no_radicular_findings")
    assert status == "not_documented"
    plain = _spine(noun, pron, PLAIN_NORMAL[0], "lumbar spine")
    assert _status(plain, "Right sacroiliac joint injection", None, "no_radicular_findings") == "met"


@pytest.mark.parametrize("noun,pron", NOUNS)
@pytest.mark.parametrize("normal", ARMS_NORMAL + LEGS_NORMAL + PLAIN_NORMAL)
def test_the_letters_normal_examination_fact_is_unchanged(noun: str, pron: str, normal: str) -> None:
    facts = _case_facts(_spine(noun, pron, normal, "lumbar spine"), "MRI of the lumbar spine")
    assert facts.neuro_exam_normal().value is True


def _topical(noun: str, pron: str, finding: str) -> str:
    return (f"{noun} is a 48 year old who injured the right shoulder and neck pulling a pallet on 9/1/2016. "
            f"On 11/10/2016 {_who(noun)} reported burning shoulder pain, and {pron} had tried ibuprofen and "
            f"gabapentin without relief. {finding} The physician requested Lidoderm 5% patches #30. "
            f"This is SYNTHETIC test text.")


CPMTG_LINE = "Decision based on MTUS Chronic Pain Medical Treatment Guidelines 2009, Section(s): Lidoderm."
PATCH = "Lidoderm 5% patches #30"


@pytest.mark.parametrize("noun,pron", NOUNS)
@pytest.mark.parametrize("finding", TENDON)
def test_tendon_weakness_is_no_nerve_sign_for_a_lidocaine_patch(noun: str, pron: str, finding: str) -> None:
    """The topical's indication (neuropathic pain, nerve signs on examination) reads the criteria's nerve
    finding, not the protocol's any-weakness red flag (CM16-0234464#5's kind)."""
    status = _status(_topical(noun, pron, finding), PATCH, CPMTG_LINE, "neuropathic_signs")
    assert status == "not_documented"


@pytest.mark.parametrize("noun,pron", NOUNS)
def test_a_dermatomal_sensory_loss_is_a_nerve_sign_for_a_lidocaine_patch(noun: str, pron: str) -> None:
    finding = "Sensation was decreased in the right C6 dermatome."
    status = _status(_topical(noun, pron, finding), PATCH, CPMTG_LINE, "neuropathic_signs")
    assert status == "met"
