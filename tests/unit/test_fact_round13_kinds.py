"""Session 14: the closed-class and structural kinds the round-13 blind summary probe missed
(`experiments/summary-probe-r13.md`), one SYNTHETIC sentence per way, each with near-misses that must not
change, and each read alike whoever the writer calls the worker (patient, injured worker, claimant or
applicant).

Written from the annotation protocol (`/work/shared/docs/annotation-protocol.md`) and general clinical
writing, not from any letter. Kinds: completed sessions told by a numbered treatment log, a bullet ("6 visits
done"), a report of one therapy ("Per the physical therapist's discharge summary ..., he completed 16
visits") or another body part's count; durations since a dated operation, started "today" in an earlier
dated note, prescribed but not yet dispensed; crashes told without "collision" or "accident" (a closed class
of crash words, `features/concepts.yaml` `word_classes`) and a fall down a flight of stairs.
"""

from __future__ import annotations

import pytest
from fact_kind_rows import WRITERS, written
from fact_kind_rows import value as read_value


def value(summary: str, name: str, heading: str, writer: str) -> object:
    """Feature `name` of one SYNTHETIC case with one service, `{w}` in the summary written as `writer`."""
    return read_value(written(summary, writer, "he"), name, heading)


def assert_every_writer(summary: str, name: str, heading: str, expected: object) -> None:
    got = {w: value(summary, name, heading, w) for w in WRITERS}
    assert got == dict.fromkeys(WRITERS, expected), got


# ---------------------------------------------------------------- completed sessions
PT_LUMBAR, PT_WRIST, PT_SHOULDER = ("Physical therapy 2x4 lumbar spine", "Physical therapy 2x4 right wrist",
                                    "Physical therapy 2x3 right shoulder")
ACUPUNCTURE = "Acupuncture 1x6 bilateral wrists"


@pytest.mark.parametrize("summary, heading, expected", [
    # a treatment log: numbered, dated entries count the sessions of the therapy named before the log
    ("The acupuncture log for the {w} follows. Nerve studies were normal. Visit 1 (03/04/2016): grip 14 kg. "
     "Visit 6 (04/15/2016): grip 20 kg; the {w} types for two hours.", ACUPUNCTURE, 6.0),
    ("Per the acupuncturist's treatment log, treatment 1 (02/01/2016) to treatment 8 (03/14/2016): pain "
     "improved from 7/10 to 3/10.", "Acupuncture 2x4 lumbar spine", 8.0),
    ("Physical therapy notes: Session 1 on 05/02/2016, session 2 on 05/09/2016, session 3 on 05/16/2016.",
     PT_LUMBAR, 3.0),
    # near-misses: no therapy named before the log; one entry is a visit, not a log; a log after the UR date
    ("Visit 1 (03/04/2016): pain 7/10. Visit 2 (04/01/2016): pain 6/10.", PT_LUMBAR, None),
    ("The {w} saw the acupuncturist. Visit 6 (04/15/2016): grip 20 kg.", ACUPUNCTURE, None),
    ("The acupuncture log follows. Visit 1 (12/04/2016): grip 14 kg. Visit 6 (12/15/2016): grip 20 kg.",
     ACUPUNCTURE, None),
    # the log of another therapy is not this one's
    ("Per the chiropractor's log, visit 1 (02/01/2016) to visit 8 (03/14/2016): pain improved.", PT_LUMBAR,
     None),
])
def test_sessions_from_a_treatment_log(summary: str, heading: str, expected: float | None) -> None:
    assert_every_writer(summary, "prior_sessions", heading, expected)


@pytest.mark.parametrize("summary, heading, expected", [
    # a bullet count "done" was had
    ("- Meds: naproxen since 11/2016. - PT: 6 visits done; the {w} can now reach the top shelf.", PT_SHOULDER,
     6.0),
    ("- Plan: PT, 6 visits to be done.", PT_SHOULDER, None),  # near-miss: planned
    # a report of one therapy: its count is that therapy's, however far from the count its name is
    ("Per the physical therapist's discharge summary of 02/02/2016, the {w} completed 16 visits, shoulder "
     "flexion improved from 110 to 170 degrees.", PT_SHOULDER, 16.0),
    ("Per the physical therapist's discharge summary of 02/02/2016, the physician has requested 16 more "
     "visits.", PT_SHOULDER, None),  # near-miss: requested, not had
    # pain psychology is a psychotherapy by name
    ("The psychologist's report dated 01/18/2016 documents six completed sessions of pain psychology.",
     "Pain psychology, 6 additional sessions", 6.0),
])
def test_sessions_by_bullet_report_and_kind(summary: str, heading: str, expected: float | None) -> None:
    assert_every_writer(summary, "prior_sessions", heading, expected)


@pytest.mark.parametrize("summary, heading, expected", [
    # another body region's count gives way to the record's "this region has had no therapy" (as the other
    # side's does since round 12); alone it still counts, as the probe writers disagree there
    ("The {w} completed 24 physical therapy visits for the wrist, after which typing was easier. The {w} has "
     "never had therapy for the back.", PT_LUMBAR, 0.0),
    ("The {w} completed 24 physical therapy visits for the wrist.", PT_LUMBAR, 24.0),
    # a region after the count that is not what the count was for changes nothing
    ("The {w} completed 6 physical therapy visits and could turn the head again. The {w} has never had "
     "therapy for the back.", "Physical therapy 2x3 cervical spine", 6.0),
    ("The {w} completed 24 physical therapy visits for the wrist, after which typing was easier.", PT_WRIST,
     24.0),
    ("The {w} completed 12 physical therapy visits for the low back without benefit.", PT_LUMBAR, 12.0),
    ("The {w} completed 12 physical therapy visits without benefit.", PT_LUMBAR, 12.0),  # no region: kept
    # a bullet's side label is the side of the count after it
    ("- Right knee: three Synvisc injections in 2015 with six months of relief. - Left knee: cortisone.",
     "Synvisc-One injection, left knee", None),
    ("- Right knee: three Synvisc injections in 2015 with six months of relief. - Left knee: cortisone.",
     "Synvisc-One injection, right knee, repeat", 3.0),
])
def test_sessions_of_another_body_part(summary: str, heading: str, expected: float | None) -> None:
    assert_every_writer(summary, "prior_sessions", heading, expected)


# ---------------------------------------------------------------- duration of use (UR denial 12/01/2016)
@pytest.mark.parametrize("summary, heading, expected", [
    # "since that surgery": the operation dated elsewhere (February 2016, the 15th, to 12/01/2016)
    ("The {w} underwent a right total hip arthroplasty in February 2016 and has been on tramadol since that "
     "surgery.", "Tramadol ER 100mg #30", 9.5),
    # the operation's own date, not the injury's in the same sentence (03/15/2016, not 01/02/2016)
    ("The {w} fell 12 feet on 01/02/2016, fracturing the calcaneus, which was repaired with ORIF in 03/2016. "
     "The {w} has taken tramadol since the surgery.", "Tramadol 50mg #90", 8.6),
    ("The {w} has taken tramadol since his surgery in 03/2016 and zolpidem since 06/2016.",
     "Tramadol 50mg #90", 8.6),
    # a date nearer a study's words than the operation's is the study's ("a post-fusion CT in 06/2016")
    ("The {w} underwent a lumbar fusion in 02/2016. A post-fusion CT in 06/2016 showed a solid fusion. "
     "The {w} has taken Norco since the fusion.", "Norco 10/325mg #120", 9.5),
    # a tear the record says was repaired is an operation "the surgery" names
    ("An MRI showed a rotator cuff tear, repaired in 03/2016. The {w} has used Norco since the surgery.",
     "Norco 5/325mg #60", 8.6),
    # "started today" in a note dated weeks before the UR: from the note's date (09/05/2016, 87 days)
    ("PR-2 09/05/2016: back pain 6/10; motor 5/5; methocarbamol started today; plan therapy.",
     "Methocarbamol 750mg #60", 2.9),
    ("PR-2 11/20/2016: back pain 6/10; methocarbamol started today.", "Methocarbamol 750mg #60", 0.0),
    ("The {w} was newly prescribed methocarbamol.", "Methocarbamol 750mg #60", 0.0),  # no note date: 0
    # prescribed but not yet dispensed: not started yet, newly started (0) since round 15 (null in session 14)
    ("Naloxone has been prescribed but not yet dispensed.", "Naloxone 4mg nasal spray #2", 0.0),
    ("Orphenadrine was prescribed but has not been filled.", "Orphenadrine ER 100mg #60", 0.0),
    ("Naloxone was prescribed on 06/01/2016 and dispensed the same day.", "Naloxone 4mg nasal spray #2", 6.0),
])
def test_duration_round13_kinds(summary: str, heading: str, expected: float | None) -> None:
    assert_every_writer(summary, "duration_of_use_months", heading, expected)


# ---------------------------------------------------------------- trauma
@pytest.mark.parametrize("summary, expected", [
    # crashes told by what happened to the vehicle (a closed class of crash words)
    ("The {w}, a truck driver, was hurt when the rig jackknifed on the highway.", True),
    ("The {w}'s company van was hit at an intersection.", True),
    ("The {w} was T-boned while driving a patrol car.", True),
    ("The {w}'s pickup rolled over on an embankment.", True),
    ("The {w}'s car hit a utility pole.", True),
    ("The {w} rolled his forklift on a loading ramp.", True),
    ("The {w} was struck by a car in the crosswalk.", True),
    ("The {w} was run over by a reversing forklift.", True),
    ("The {w}'s legs were crushed between two trucks.", True),
    # a fall down a flight of stairs is a fall from height
    ("The {w} fell down a flight of stairs at work.", True),
    ("The {w} fell down the stairs carrying a box.", True),
    # near-misses: vehicles named without a crash, simple falls on stairs or steps
    ("The {w}, a bus driver, slipped on the bus steps.", False),
    ("The {w} fell down two steps and twisted an ankle.", False),
    ("The {w} slipped on the stairs.", False),
    ("The {w} twisted a knee on the stairs to the storeroom.", False),
    ("The {w} fell on the stairs.", False),
    ("The {w} has driven a van for ten years and lifted a box.", False),
    ("The {w}, a forklift operator, strained his back.", False),
    ("The {w} rolled an ankle stepping out of the van.", False),
])
def test_trauma_round13_kinds(summary: str, expected: bool) -> None:
    assert_every_writer(summary, "red_flag_trauma", "MRI of the left knee", expected)
