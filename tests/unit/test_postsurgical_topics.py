"""Post-operative therapy cites the Postsurgical Treatment Guidelines' topic of the operation it follows
(carpal tunnel syndrome under Forearm, Wrist, & Hand; a fusion under Low Back), with that topic's initial
course, and a heading that names the operation it follows is post-operative. SYNTHETIC letters only,
through the product's own path (`case_checklists`)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from package_tables import raw_criteria
from synthetic_cases import checklists_of

from features.criteria import CriteriaTable, load_criteria
from features.criteria_facts import service_phase
from features.governing import operation_section

TABLE = load_criteria()
UR = date(2016, 12, 1)  # every letter's UR denial; operations below are dated within 12 weeks of it
HAND = "Forearm, Wrist, & Hand: "


def _checklists(summary: str, headings: list[str], injury: date = date(2015, 3, 2)) -> list[Any]:
    return checklists_of(summary, headings, injury=injury, ur=UR)


# (summary, headings, the therapy's index, the section cited, its initial course, the session-limit status)
AFTER_AN_OPERATION = [
    # the operation dated in the summary makes the request post-operative; its kind names the topic
    ("SYNTHETIC. The injured worker underwent a right carpal tunnel release on 10/20/2016 and has stiffness.",
     ["Occupational therapy 8 sessions right wrist"], 0, HAND + "Carpal tunnel syndrome", 4, "unmet"),
    ("SYNTHETIC. She is 6 weeks post-op from an endoscopic right CTR and still drops objects.",
     ["Hand therapy 2x2"], 0, HAND + "Carpal tunnel syndrome", 4, "met"),
    ("SYNTHETIC. The patient underwent right trigger finger release on 10/25/2016.",
     ["Occupational therapy 6 visits right hand"], 0, HAND + "Trigger finger", 12, "met"),
    ("SYNTHETIC. The patient had a left de Quervain release on 11/02/2016.",
     ["Occupational therapy x6 left wrist"], 0, HAND + "De Quervain's tenosynovitis", 12, "met"),
    ("SYNTHETIC. The claimant underwent ORIF of a right distal radius fracture on 10/10/2016.",
     ["Occupational therapy 12 visits right wrist"], 0, HAND + "Fracture of radius, ulna or carpal bone", 12,
     "met"),
    ("SYNTHETIC. He had a left ulnar nerve transposition at the elbow on 10/12/2016.",
     ["Physical therapy 8 visits left elbow"], 0,
     "Elbow & Upper Arm: Ulnar nerve entrapment (cubital tunnel syndrome)", 12, "met"),
    # one sentence names two operations: the cuff repair wins over the decompression done with it
    ("SYNTHETIC. On 10/01/2016 she underwent right shoulder arthroscopy with rotator cuff repair and "
     "subacromial decompression.", ["Physical therapy 2x6 right shoulder"], 0,
     "Shoulder: Complete rupture of rotator cuff", 20, "met"),
    ("SYNTHETIC. The applicant had a right shoulder subacromial decompression on 10/15/2016.",
     ["Physical therapy 16 visits right shoulder"], 0,
     "Shoulder: Rotator cuff syndrome / impingement syndrome", 12, "unmet"),
    # ... a fusion over the laminectomy done with it; a ligament reconstruction over the meniscus trimmed
    ("SYNTHETIC. He underwent L4-5 laminectomy and posterior fusion on 09/20/2016.",
     ["Physical therapy 12 visits lumbar spine"], 0, "Low Back: Fusion", 17, "met"),
    ("SYNTHETIC. She underwent L5-S1 microdiscectomy on 10/28/2016.",
     ["Physical therapy 12 visits lumbar spine"], 0,
     "Low Back: Intervertebral disc disorders (discectomy, laminectomy)", 8, "unmet"),
    ("SYNTHETIC. The patient underwent C5-6 anterior cervical discectomy and fusion on 10/01/2016.",
     ["Physical therapy 12 visits cervical"], 0,
     "Neck & Upper Back: Displacement of cervical disc (fusion)", 12, "met"),
    ("SYNTHETIC. The worker had a left knee arthroscopic partial meniscectomy on 10/15/2016.",
     ["Physical therapy 12 visits left knee"], 0, "Knee: Tear or derangement of meniscus (meniscectomy)", 6,
     "unmet"),
    ("SYNTHETIC. He underwent left ACL reconstruction with partial medial meniscectomy on 10/01/2016.",
     ["Physical therapy 12 visits left knee"], 0, "Knee: Cruciate ligament of knee (ACL tear)", 12, "met"),
    ("SYNTHETIC. The patient underwent right total knee arthroplasty on 10/10/2016.",
     ["Physical therapy 12 visits"], 0, "Knee: Arthroplasty (knee)", 12, "met"),
    ("SYNTHETIC. She had a left total hip replacement on 10/05/2016.", ["Physical therapy x10 left hip"], 0,
     "Hip, Pelvis and Thigh (femur): Arthroplasty (hip)", 12, "met"),
    ("SYNTHETIC. He had open reduction and internal fixation of a right ankle fracture on 10/03/2016.",
     ["Physical therapy 12 visits right ankle"], 0, "Ankle & Foot: Fracture of ankle or foot", 12, "met"),
    ("SYNTHETIC. She underwent a right Achilles tendon repair on 10/11/2016.",
     ["Physical therapy 12 visits right ankle"], 0, "Ankle & Foot: Achilles tendon rupture", 12, "met"),
    # the heading names the operation it follows (post-operative without a dated operation)
    ("SYNTHETIC. The injured worker has numbness of the right hand.",
     ["Physical therapy after right carpal tunnel release, 8 sessions"], 0, HAND + "Carpal tunnel syndrome",
     4, "unmet"),
    # ... after a marker, by its abbreviation: the heading is the therapy (the operation its context) and the
    # abbreviation names the region
    ("SYNTHETIC. The injured worker has stiffness of the right hand.", ["Hand therapy post CTR x 8"], 0,
     HAND + "Carpal tunnel syndrome", 4, "unmet"),
    ("SYNTHETIC. The injured worker has knee stiffness.", ["Post-op PT s/p TKA"], 0,
     "Knee: Arthroplasty (knee)", 12, "not_documented"),
    ("SYNTHETIC. The injured worker has neck pain.", ["Physical therapy 2x6 s/p ACDF"], 0,
     "Neck & Upper Back: Displacement of cervical disc (fusion)", 12, "met"),
    ("SYNTHETIC. The injured worker has low back pain.", ["Aquatic therapy x 8 status post TLIF"], 0,
     "Low Back: Fusion", 17, "met"),
    # the letter requests the operation too: the therapy is that operation's course
    ("SYNTHETIC. The claimant has right carpal tunnel syndrome confirmed by nerve studies.",
     ["Right carpal tunnel release", "Post-operative occupational therapy x4"], 1,
     HAND + "Carpal tunnel syndrome", 4, "met"),
    # an undated operation the summary names, for a post-operative heading
    ("SYNTHETIC. She is status post left knee arthroscopic meniscectomy and walks with a limp.",
     ["Post-operative physical therapy 6 visits left knee"], 0,
     "Knee: Tear or derangement of meniscus (meniscectomy)", 6, "met"),
    # the operation names no bone; the summary's condition of the region says which fracture it fixed
    ("SYNTHETIC. She fractured the left distal radius in a fall on 09/01/2016. She underwent open reduction "
     "and internal fixation on 09/05/2016.", ["Post-operative occupational therapy 12 visits left wrist"], 0,
     HAND + "Fracture of radius, ulna or carpal bone", 12, "met"),
    # no kind of operation named: the region's name alone, the section's general course
    ("SYNTHETIC. The injured worker had right knee surgery on 10/20/2016.",
     ["Physical therapy 12 visits right knee"], 0, "Knee", 12, "met"),
    # an operation of another region does not name the topic of this region's course
    ("SYNTHETIC. He had a right carpal tunnel release in 2015 and right shoulder surgery on 10/20/2016.",
     ["Physical therapy 12 visits right shoulder"], 0, "Shoulder", 12, "met"),
]


@pytest.mark.parametrize(("summary", "headings", "item", "section", "initial", "status"), AFTER_AN_OPERATION,
                         ids=[row[3] + f"-{i}" for i, row in enumerate(AFTER_AN_OPERATION)])
def test_post_operative_therapy_cites_the_topic_of_its_operation(
    summary: str, headings: list[str], item: int, section: str, initial: float, status: str
) -> None:
    cl = _checklists(summary, headings)[item]
    assert cl.phase == "post_operative"
    assert cl.section_id == "postsurgical_therapy"
    assert cl.governing_guideline.chapter == "Postsurgical Treatment Guidelines"
    assert cl.governing_guideline.section == section
    assert cl.params["max_initial_visits"] == initial
    assert cl.family_status("session_limit") == status


def test_therapy_past_the_window_after_a_carpal_tunnel_release_is_chronic_care_not_the_hand_chapter() -> None:
    """100 days after the release (past the 12-week window for therapy): the Chronic Pain guidelines'
    physical medicine, as for any chronic course; never the hand chapter, which schedules no therapy."""
    cl = _checklists("SYNTHETIC. She underwent a right carpal tunnel release on 08/23/2016.",
                     ["Occupational therapy 8 sessions right wrist"])[0]
    assert (cl.phase, cl.section_id) == ("chronic", "cpmtg_physical_medicine")


@pytest.mark.parametrize(("heading", "post_operative"), [
    ("Physical therapy after right carpal tunnel release, 8 sessions", True),
    ("Occupational therapy following the left trigger finger release x6", True),
    ("Physical therapy s/p TKA x12", True),
    ("Physical therapy status post L4-5 fusion 2x6", True),
    ("Aquatic therapy post right knee arthroscopy x8", True),
    ("Physical therapy after ACDF x12", True),
    ("Physical therapy x 12 post RCR", True),  # the abbreviations body_regions.yaml also names
    ("Physical therapy s/p UKA x12", True),
    ("Hand therapy x8 s/p ECTR", True),
    ("Physical therapy x 12 s/p ACD C5-6", True),
    ("Physical therapy x 12 status post right RTSA", True),
    ("Aquatic therapy after L4-5 OLIF x8", True),
    ("Home health aide after release from the hospital", False),  # a release from somewhere is no operation
    ("Physical therapy after radiofrequency rhizotomy x6", False),  # a needle procedure
    ("Physical therapy after the injury 2x6", False),
    ("Pre-operative medical clearance", False),
])
def test_a_heading_that_names_the_operation_it_follows_is_post_operative(heading: str,
                                                                          post_operative: bool) -> None:
    phase = service_phase(TABLE, heading, 500.0)
    assert (phase == "post_operative") is post_operative


@pytest.mark.parametrize(("text", "region", "kind"), [
    ("L4-5 laminectomy and instrumented fusion", "lumbar", "fusion"),
    ("C5-6 anterior cervical discectomy and fusion", "cervical", "fusion"),
    ("right shoulder arthroscopy, rotator cuff repair, subacromial decompression", "shoulder",
     "rotator_cuff_repair"),
    ("ACL reconstruction and partial meniscectomy", "knee", "cruciate_ligament"),
    ("open reduction internal fixation of a distal radius fracture", "hand_wrist", "wrist_fracture"),
    ("ORIF of a fifth metacarpal fracture", "hand_wrist", "hand_fracture"),
    ("open reduction internal fixation of a bimalleolar fracture", "ankle_foot", "fracture"),
    ("right CTR", "hand_wrist", "carpal_tunnel"),
    ("bunionectomy", "ankle_foot", "bunion"),
    ("subacromial decompression", "lumbar", None),  # a word class of another region names no topic here
    ("right knee arthroscopy", "knee", None),  # an arthroscopy names no kind of its own
])
def test_of_several_operations_a_text_names_the_first_of_the_region_wins(text: str, region: str,
                                                                         kind: str | None) -> None:
    topic = operation_section(TABLE, TABLE.sections["postsurgical_therapy"], region, [text])
    assert (None if topic is None else topic.operation) == kind


def _broken(edit: Any) -> dict[str, Any]:
    data = raw_criteria()
    edit(data)
    return data


def _topics(d: dict[str, Any]) -> list[dict[str, Any]]:
    return d["sections"]["postsurgical_therapy"]["section_by_operation"]


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: _topics(d).append({"region": "knee", "operation": "knee_wizardry", "section": "Knee: magic"}),
     "unknown operation kind 'knee_wizardry'"),
    (lambda d: _topics(d).append({"region": "nose", "operation": "fusion", "section": "Nose: fusion"}),
     "which its region map lacks"),
    (lambda d: _topics(d).append(dict(_topics(d)[0])), "listed twice"),
    (lambda d: _topics(d)[0].update(params={"max_visits_ever": 3}), "sets params the section lacks"),
    (lambda d: d["operations"]["fusion"].update(pattern="(unclosed"), "bad regex"),
])
def test_a_broken_operation_topic_is_refused_with_the_problem_named(edit: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CriteriaTable.model_validate(_broken(edit))
