"""factfix: prior operations named by a noun or verb of removal, excision, revision or release (and the
usual abbreviations), and the protocol's trauma classes (a collision, a fall from height, a crush; not a blow
from a small object, nor a job named by a vehicle). One SYNTHETIC sentence per way, each with near-misses,
negated and family-history variants, each read alike whoever the writer calls the worker.

Written from the annotation protocol (`/work/shared/docs/annotation-protocol.md`) and general clinical
writing, not from any letter. The closed classes are data: `features/concepts.yaml` `word_classes` (`implant`,
`excised_tissue`, `revised_operation`, `released_structure`, `operation_abbrev`, `vehicle_job`,
`height_place`, `fall_feet`, `fall_metres`, `fall_stories`); the two guards are in `features/red_flags.py`.
"""

from __future__ import annotations

from datetime import date

import pytest

from features.extractors import CaseContext, ServiceContext, registered_extractors
from letters.pre_review import PreReviewCase
from letters.records import Case, GuidelineCitation, ServiceDecision

WRITERS = ("patient", "injured worker", "claimant", "applicant")
HEADING = "MRI of the left knee"


def value(summary: str, name: str, writer: str) -> object:
    """Feature `name` of one SYNTHETIC case with one service, `{w}` in the summary written as `writer`."""
    intro = f"SYNTHETIC. The {writer} is a 47 year old who was hurt at work on 03/04/2016. "
    text = intro + summary.format(w=writer)
    service = ServiceDecision(item_index=0, heading=HEADING, service=HEADING,
                              ur_guideline=GuidelineCitation(raw="Decision based on MTUS."))
    case = Case(letter_id="SYN", clinical_summary=text, ur_denial_date=date(2016, 11, 20),
                date_of_injury=date(2016, 3, 4), services=[service])
    view = PreReviewCase.from_case(case)
    ctx = ServiceContext.build(CaseContext.build(view), view.services[0])
    return registered_extractors()[name](ctx).value


def assert_every_writer(summary: str, name: str, expected: object) -> None:
    got = {w: value(summary, name, w) for w in WRITERS}
    assert got == dict.fromkeys(WRITERS, expected), got


# ---------------------------------------------------------------- prior operations
@pytest.mark.parametrize("summary, expected", [
    # removal of an implant or of tissue, as a noun before or after its object, or as a verb
    ("In 2014 the {w} had removal of the retained screws from the left wrist.", True),
    ("The {w} is status post hardware removal from the tibia.", True),
    ("The {w} had implant removal from the elbow in 2013.", True),
    ("The plate and screws in his forearm were removed in 2012.", True),
    ("The {w} had the intramedullary nail taken out in 2015.", True),
    ("A neuroma of the digital nerve was excised in 2011.", True),
    ("The {w} underwent excision of a mucous cyst of the finger.", True),
    ("The {w} had a bone spur removed from the heel.", True),
    ("There was resection of the distal ulna in 2012.", True),
    ("The {w} underwent implantation of a dorsal column stimulator in 2014.", True),
    # revision of an earlier operation
    ("The {w} had a revision of the amputation stump in 2015.", True),
    ("The {w} underwent revision arthroplasty of the right hip.", True),
    ("His lumbar fusion was revised in 2013.", True),
    ("The {w} is status post two revisions.", True),
    ("The {w} underwent a scar revision on the palm.", True),
    # release of a structure, manipulation under anesthesia, the cutting endings
    ("The {w} underwent release of the A1 pulley of the ring finger.", True),
    ("The {w} is status post release of the cubital tunnel.", True),
    ("Her left carpal tunnel was released in 2013.", True),
    ("The {w} had a plantar fascia release in 2012.", True),
    ("The {w} had manipulation of the shoulder under general anesthesia.", True),
    ("The {w} underwent a fasciotomy of the forearm.", True),
    ("The {w} had a proximal tibial osteotomy.", True),
    ("Debridement of the wound was done in the operating room.", True),
    ("The {w} underwent amputation of the distal phalanx of the thumb.", True),
    # the usual abbreviations and a cesarean section
    ("History: s/p L4-5 TLIF 2012.", True),
    ("The {w} is s/p right TKA.", True),
    ("The {w} had an I&D of the index finger.", True),
    ("PMH: two cesarean deliveries.", True),
])
def test_operations_named_by_removal_revision_release(summary: str, expected: bool) -> None:
    assert_every_writer(summary, "prior_surgery", expected)


@pytest.mark.parametrize("summary", [
    # negated, family history, requested or planned
    "The {w} denies any hardware removal.",
    "The {w} has never had a revision of the fusion.",
    "The {w}'s sister had a ganglion cyst excised.",
    "Her father had a revision of his hip replacement.",
    "Removal of the symptomatic hardware is requested.",
    "The surgeon recommends release of the first dorsal compartment.",
    "Excision of the mass will be considered if it enlarges.",
    "The UR reviewer non-certified the requested hardware removal.",
    "The {w} would like the screws removed.",
    # removal that is no operation, a release that is therapy or paperwork, a diagnostic procedure
    "The sutures were removed at ten days.",
    "Her cast was removed and a splint was applied.",
    "The staples were taken out in the office.",
    "Myofascial release of the plantar fascia was done in therapy.",
    "The therapist performed soft tissue release of the hamstring tendons.",
    "The {w} signed a release of records.",
    "The {w} was released to modified duty.",
    "The {w} had chiropractic manipulation of the lumbar spine.",
    "The {w} had an excisional biopsy of an axillary node.",
    "A CT-guided biopsy of the lesion was benign.",
    "The {w} had a shoulder arthrogram and a lumbar discogram.",
    "The {w} had coronary stenting in 2010.",
    "The {w} underwent a genicular nerve radiofrequency ablation.",
    "The {w} had a medial branch block and a neurotomy.",
    "The treatment plan was revised at the last visit.",
    "A spinal cord stimulator trial was done in 2015; the trial leads were removed after a week.",
    "There is tenderness at the insertion of the patellar tendon on the bone.",
    # an amputation the injury made
    "The {w} sustained a traumatic amputation of the tip of the middle finger.",
    "The {w} suffered a crush amputation of the small finger in the press.",
])
def test_not_an_operation_done(summary: str) -> None:
    assert_every_writer(summary, "prior_surgery", False)


def test_an_amputation_undergone_after_the_injury_is_an_operation() -> None:
    summary = "The {w} sustained a crush injury to the hand and underwent amputation of the finger."
    assert_every_writer(summary, "prior_surgery", True)


# ---------------------------------------------------------------- significant trauma
@pytest.mark.parametrize("summary, expected", [
    # a job named by a vehicle is no vehicle; a blow from a small object is no listed mechanism
    ("The {w} is a truck driver who was hit by a box falling from a shelf.", False),
    ("A delivery van driver, the {w} was struck on the head by a falling carton.", False),
    ("The {w}, a forklift operator, was hit by a tote that slid off a rack.", False),
    ("While unloading a trailer the {w} was hit in the shoulder by a falling case of water.", False),
    ("The {w} was loading a bus and a suitcase struck his knee.", False),
    ("The {w} was struck by a brick that fell from the scaffold above.", False),
    ("A bus mechanic, the {w} was struck by a wrench.", False),
    # struck, run over, pinned or crushed by a vehicle or a load is a collision or a crush
    ("The {w} was hit from behind by a forklift in the warehouse.", True),
    ("The {w} was struck head-on by a delivery van in the parking lot.", True),
    ("A reversing truck knocked him down.", True),
    ("The forklift ran over her right foot.", True),
    ("The {w} was trapped under a collapsed pallet rack.", True),
    ("The {w} was caught between a trailer and the loading dock.", True),
    ("The {w} was pinned against the wall by a pallet jack.", True),
    ("The {w} was driving a patrol car on 03/04/2016 when it was struck by another vehicle.", True),
    # negated and someone else's
    ("The {w} denies being struck by a vehicle.", False),
    ("The {w}'s coworker was run over by a forklift.", False),
])
def test_struck_by_a_vehicle_or_a_thing(summary: str, expected: bool) -> None:
    assert_every_writer(summary, "red_flag_trauma", expected)


@pytest.mark.parametrize("summary, expected", [
    # from a place above the ground (`height_place`), however the place is qualified
    ("The {w} fell from an extension ladder while painting.", True),
    ("The {w} fell off the back of a flatbed trailer.", True),
    ("The {w} slipped off the edge of a mezzanine.", True),
    ("The {w} fell from a third-story balcony.", True),
    ("The {w} fell from the top of a scissor lift.", True),
    ("The {w} fell while climbing down from the roof.", True),
    ("The {w} was injured in a fall from a catwalk.", True),
    # a stated height of 3 feet / 1 metre or more; any number of stories
    ("The {w} fell about 4 feet onto concrete.", True),
    ("The {w} fell roughly 2 meters into a trench.", True),
    ("The {w} fell two stories.", True),
    ("The {w} had an eight-foot fall.", True),
    # a seat or a floor-level perch, a stated height under 3 feet, a simple slip, trip or fall
    ("The {w} fell from a chair while reaching for a file.", False),
    ("The {w} fell off a rolling stool.", False),
    ("The {w} fell from a step stool, about 18 inches.", False),
    ("The {w} fell from her desk chair, about 2 feet, landing on her hip.", False),
    ("The {w} fell 2.5 feet from a bench.", False),
    ("The {w} tripped on a pallet and fell onto her knees.", False),
    ("The {w} slipped on ice in the parking lot.", False),
    ("The {w} had a fall from standing height onto the knee.", False),
    ("The {w} slipped on oil while walking from the loading dock to his truck.", False),
    ("After the fall the {w} could walk only 30 feet.", False),
    # a thing that fell is not the worker's fall
    ("The {w} was hit by a pipe falling from a scaffold.", False),
    ("The {w} was struck by a tool that had fallen from a ladder.", False),
    # negated, family history, a requirement
    ("The {w} denies a fall from a ladder.", False),
    ("His brother fell from a roof last year.", False),
    ("Imaging would be indicated after a fall from a ladder.", False),
])
def test_fall_from_height(summary: str, expected: bool) -> None:
    assert_every_writer(summary, "red_flag_trauma", expected)
