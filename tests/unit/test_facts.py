"""Pre-review facts on SYNTHETIC summaries: each value comes from a sentence with its assertion, author,
section and offsets; negated, requested, family and UR-quoted statements are told apart."""

from __future__ import annotations

from datetime import date

import pytest

from features.analysis import AnalysedText
from features.authors import load_author_rules
from features.sentences import chunks
from features.table import feature_rows
from letters.records import Case, GuidelineCitation, Section, ServiceDecision

INTRO = "SYNTHETIC. The injured worker is a 45 year old male who was hurt at work on 01/02/2016. "


def facts(summary: str, *headings: str, ur_denial: date = date(2016, 12, 1)) -> list[dict]:
    """Feature values (with spans) of a SYNTHETIC case: one row per heading."""
    services = [ServiceDecision(item_index=i, heading=h, service=h,
                                ur_guideline=GuidelineCitation(raw="Decision based on MTUS."))
                for i, h in enumerate(headings or ("MRI of the left knee",))]
    case = Case(letter_id="SYN", clinical_summary=INTRO + summary, ur_denial_date=ur_denial,
                date_of_injury=date(2016, 1, 2), services=services)
    return [{k: v for k, v in r.values.items()} for r in feature_rows(case)]


def value(summary: str, name: str, *headings: str, **kw) -> object:
    return facts(summary, *headings, **kw)[0][name].value


# ---------------------------------------------------------------- red flags
@pytest.mark.parametrize("summary, expected", [
    ("Examination showed 4/5 weakness of the left quadriceps.", True),
    ("Leg strength graded 5-/5 on both sides.", True),
    ("Sensation was decreased over the L5 dermatome.", True),
    ("He denied weakness or numbness.", False),
    ("There was no motor weakness in either leg.", False),
    ("He reported weakness in the leg.", False),  # the patient's report, not an exam finding
    ("Imaging would be indicated if weakness develops.", False),
    ("His father had weakness after a stroke.", False),
    # the word weakness is a finding only where its sentence reports an examination or an observation
    ("The worker was concerned about numbness and weakness in the right arm.", False),
    ("She is being treated for numbness and weakness of both hands.", False),
    ("Symptoms included neck pain, stiffness and weakness.", False),
    ("There was weakness of the left ankle dorsiflexors.", True),
    ("Examination revealed weakness of the right grip.", True),
    ("Rotator cuff weakness was noted.", True),
    ("On exam there was no weakness.", False),
])
def test_neuro_deficit_is_an_affirmed_exam_finding(summary: str, expected: bool) -> None:
    assert value(summary, "red_flag_neuro_deficit") is expected


@pytest.mark.parametrize("summary, flag, expected", [
    ("X-rays showed a nondisplaced fracture of the radius.", "red_flag_fracture", True),
    ("Imaging showed a possible fracture of the rib.", "red_flag_fracture", True),  # suspected counts
    ("An MRI was requested to rule out a stress fracture.", "red_flag_fracture", False),  # only asked about
    ("X-rays were negative for fracture.", "red_flag_fracture", False),
    ("She wore a fracture boot for comfort.", "red_flag_fracture", False),
    ("The injury followed a fall of about 12 feet from a ladder.", "red_flag_trauma", True),
    ("The injury occurred in a motor vehicle collision.", "red_flag_trauma", True),
    ("He slipped and fell on a wet floor.", "red_flag_trauma", False),
    ("There is a family history of cancer in his mother.", "red_flag_cancer", False),
    ("He denied fever or chills.", "red_flag_infection", False),
    ("The wound was draining with cellulitis.", "red_flag_infection", True),
])
def test_red_flags(summary: str, flag: str, expected: bool) -> None:
    assert value(summary, flag) is expected


def test_neuro_deficit_quotes_the_exam_not_an_earlier_complaint() -> None:
    summary = ("She has pain and weakness in the right arm. Examination revealed tenderness of the shoulder. "
               "Grip strength was 4/5 on the right.")
    assert facts(summary)[0]["red_flag_neuro_deficit"].span.sentence == "Grip strength was 4/5 on the right."


def test_a_value_keeps_its_whole_sentence_section_offsets_author_and_assertion() -> None:
    row = facts("The physician documented 4/5 weakness of the left ankle. Pain was 6/10.")[0]
    span = row["red_flag_neuro_deficit"].span
    text = INTRO + "The physician documented 4/5 weakness of the left ankle. Pain was 6/10."
    assert span.section == Section.CLINICAL_SUMMARY and span.author == "treating_physician"
    assert span.sentence == "The physician documented 4/5 weakness of the left ankle."
    assert text[span.sentence_start : span.sentence_end] == span.sentence
    assert text[span.start : span.end] == span.text and span.assertion == "affirmed"
    d = span.to_dict()
    assert list(d)[:4] == ["section", "start", "end", "text"] and d["author"] == "treating_physician"


# ---------------------------------------------------------------- surgery
@pytest.mark.parametrize("summary, expected", [
    ("She is status post L4-5 fusion in 2012.", True),
    ("He underwent arthroscopic rotator cuff repair in 2015.", True),
    ("The treatment plan included surgery of the shoulder.", False),
    ("The surgeon recommended a lumbar fusion.", False),
    ("No surgical history was reported for him.", False),
    ("His father had knee surgery years ago.", False),
    ("Utilization review denied the request for shoulder arthroscopy.", False),
])
def test_prior_surgery(summary: str, expected: bool) -> None:
    assert value(summary, "prior_surgery") is expected


# ---------------------------------------------------------------- function and conservative care
@pytest.mark.parametrize("summary, expected", [
    ("With physical therapy she reports improved function, walking 30 minutes.", "yes"),
    ("Her therapy helped with flexibility of the knee.", "yes"),
    ("Six sessions were given without documentation of functional improvement.", "no"),
    ("The claimant did not seem to improve with the exercises.", "no"),
    ("Therapy helped with pain.", "not_stated"),  # pain relief alone is not function
    ("Continued use requires documentation of functional improvement.", "not_stated"),
    ("Utilization review cited missing documentation of functional improvement.", "no"),
])
def test_functional_improvement_is_tri_state(summary: str, expected: str) -> None:
    assert value(summary, "functional_improvement") == expected


def test_the_record_outranks_what_the_ur_reviewer_said_and_both_are_kept() -> None:
    summary = ("The patient reported that the medications helped his functional mobility. "
               "The request was denied because objective functional improvement was not shown.")
    row = facts(summary)[0]
    assert row["functional_improvement"].value == "yes"
    assert row["ur_states_no_functional_improvement"].value is True
    assert row["ur_states_no_functional_improvement"].span.author == "ur_reviewer"


@pytest.mark.parametrize("summary, expected", [
    ("He has tried physical therapy and medications, which failed to control the symptoms.", "yes"),
    ("Pain persists despite physical therapy.", "yes"),
    ("Eight therapy visits had not proven especially beneficial.", "yes"),
    ("He has not yet tried physical therapy or other conservative measures.", "no"),
    ("The claimant is still awaiting the start of physical therapy.", "no"),
    ("UR denied the request since no conservative care was documented.", "no"),
    ("UR denied it because no record showed conservative care had been tried and had failed.",
     "not_stated"),  # a lack of documented failure alone
    ("A trial of physical therapy was required before imaging.", "not_stated"),  # a requirement
])
def test_failed_conservative_care_is_tri_state(summary: str, expected: str) -> None:
    assert value(summary, "failed_conservative_care") == expected


def test_ur_statements_are_facts_of_their_own() -> None:
    summary = ("Utilization review denied the request because red flags and neurological deficits were not "
               "documented. Guidelines do not support compounded creams. "
               "UR also noted that he had never attempted conservative treatment.")
    row = facts(summary)[0]
    assert row["ur_states_no_red_flags"].value is True
    assert row["ur_states_not_recommended"].value is True
    assert row["ur_states_inadequate_conservative_care"].value is True
    assert row["failed_conservative_care"].value == "no"
    assert row["red_flag_neuro_deficit"].value is False


# ---------------------------------------------------------------- regions, sides, prior imaging
@pytest.mark.parametrize("summary, heading, expected", [
    ("An MRI of the left knee dated 10/01/2016 showed a meniscal tear.", "MRI of the left knee", True),
    ("An MRI of the right knee dated 10/01/2016 showed a meniscal tear.", "MRI of the left knee", False),
    ("An MRI of the right shoulder dated 10/01/2016 showed a tear.", "MRI of the left knee", False),
    ("Bilateral knee x-rays dated 10/01/2016 were normal.", "MRI of the left knee", True),
    ("An MRI of the left knee was requested.", "MRI of the left knee", False),
    ("No prior imaging of the knee was found in the records.", "MRI of the left knee", False),
    ("An MRI of the lumbar spine dated 10/01/2016 showed a bulge.", "Norco 10/325mg #60", True),  # no region
    ("A CT of the thoracic spine was unremarkable.", "MRI of the lumbar spine", False),
])
def test_prior_imaging_of_the_same_region_and_side(summary: str, heading: str, expected: bool) -> None:
    assert value(summary, "prior_imaging_same_region", heading) is expected


def test_service_region_and_side() -> None:
    left, both, none = facts("Pain in the knees.", "MRI of the left knee", "X-rays of bilateral knees",
                             "Norco 10/325mg #60")
    assert (left["service_region"].value, left["service_side"].value, left["limbs_count"].value) == \
        ("knee", "left", 1.0)
    assert both["service_side"].value == "bilateral" and both["limbs_count"].value == 2.0
    assert none["service_side"].value == "none" and none["service_region"].value == "none"


# ---------------------------------------------------------------- sessions, doses, durations
@pytest.mark.parametrize("summary, expected", [
    ("She has completed 12 sessions of physical therapy.", 12.0),
    ("Care so far included at least seven (7) physical therapy sessions. Six (6) physical therapy sessions "
     "were completed.", 6.0),
    ("The claims administrator authorized 6 sessions of physical therapy.", None),
    ("He has not had any physical therapy for this injury.", 0.0),
    ("She has completed 8 sessions of chiropractic care.", None),  # another therapy
])
def test_prior_sessions_of_the_same_therapy(summary: str, expected: float | None) -> None:
    assert value(summary, "prior_sessions", "Physical therapy 2 times a week for 4 weeks") == expected


@pytest.mark.parametrize("heading, expected", [
    ("Physical therapy 2 times a week for 6 weeks", 12.0),
    ("Physical therapy 2-3 times per week for 4 weeks", 12.0),
    ("Physical therapy additional 3 visits per week for 2 weeks", 6.0),
    ("Eight sessions of acupuncture", 8.0),
    ("Daily home health nursing for 4 weeks", 28.0),
])
def test_sessions_requested(heading: str, expected: float) -> None:
    assert value("Pain.", "sessions_requested", heading) == expected


@pytest.mark.parametrize("summary, expected", [
    ("He has been taking Norco for about 8 months.", 8.0),
    ("She has been taking hydrocodone since 06/01/2016.", 6.0),  # whole months of use
    ("She has been taking hydrocodone since June 2016.", 5.6),  # a month without its day: from the 15th
    ("Norco was newly prescribed at the last visit.", 0.0),
    ("On 10/01/2016 the physician prescribed Norco.", 2.0),
    ("On 11/20/2016 the physician prescribed Norco.", 0.0),  # started within the month: newly started
    ("The request for a 1 month supply of Norco was modified.", None),
    ("Norco one tablet three times a day was continued.", None),
])
def test_duration_of_use_of_the_requested_drug(summary: str, expected: float | None) -> None:
    assert value(summary, "duration_of_use_months", "Norco 10/325mg #60") == expected


@pytest.mark.parametrize("summary", [
    "He has taken Norco and Soma since March 2016.",
    "Meds: Norco and Soma since March 2016.",
    "He has been taking Norco 10/325 mg and Soma 350 mg since 03/2016.",
])
def test_a_start_shared_by_two_requested_drugs_gives_both_their_duration(summary: str) -> None:
    """SYNTHETIC. One start date said of two drugs ("Norco and Soma since March 2016") is each drug's start:
    the protocol counts a stated start of the requested drug, and both are requested in one letter (from
    the month's 15th, round 15)."""
    rows = facts(summary, "Norco 10/325mg #60", "Soma 350mg #60", "Prilosec 20mg #30")
    assert [r["duration_of_use_months"].value for r in rows] == [8.6, 8.6, None]



@pytest.mark.parametrize("compound", [
    "Gabapentin 10%/Amitriptyline 5%/Capsaicin 0.025% cream",
    "Flurbiprofen 20%/Gabapentin 6% cream",
    "Gabapentin 10% / Lidocaine 5% topical",
])
def test_a_compound_naming_the_drug_among_its_parts_does_not_date_the_drug(compound: str) -> None:
    """SYNTHETIC. A compounded topical that lists the requested drug with its strength before a slash is
    another product: its start ("started <compound> on 11/25/2016") is not the oral drug's (the
    generator's letter SYN16-0000031 of seed 5 read 0 months for gabapentin taken about 4 weeks)."""
    summary = (f"The provider started {compound} on 11/25/2016. He has used Gabapentin for about 4 weeks.")
    assert value(summary, "duration_of_use_months", "Gabapentin 300mg #60") == 0.92  # 4 weeks

# ---------------------------------------------------------------- sentences, chunks, authors
def test_long_texts_are_cut_into_chunks_that_rejoin_to_the_text() -> None:
    text = "SYNTHETIC sentence one is here. " * 2000
    pieces = chunks(text, size=1000)
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 1000 for _, p in pieces) and all(text[o:].startswith(p) for o, p in pieces)
    assert chunks("a" * 3000, size=1000)[0][1] == "a" * 1000  # no space at all: a hard cut


def test_sentence_offsets_index_the_section_text_across_chunks(monkeypatch) -> None:
    import features.analysis as analysis

    monkeypatch.setattr(analysis, "CHUNK_CHARS", 300)
    text = " ".join(f"SYNTHETIC sentence {i} has 4/5 weakness." for i in range(60))
    a = AnalysedText(text, Section.CLINICAL_SUMMARY)
    assert len(a.sentences) == 60
    assert all(text[s.start : s.end] == s.text for s in a.sentences)
    assert len(a.mentions("neuro_deficit")) == 60 and len(a.mentions("weakness")) == 60


def test_a_ur_paragraph_keeps_its_author_until_a_new_visit() -> None:
    a = AnalysedText(
        "SYNTHETIC. Utilization review denied the request for an MRI. Additionally, the guidelines do "
        "not support it. On 12/01/2016, the patient reported knee pain. The knee was swollen.",
        Section.CLINICAL_SUMMARY)
    assert [s.author for s in a.sentences] == [None, "ur_reviewer", "ur_reviewer", "patient", None]


@pytest.mark.parametrize("header", [
    "UR summary: 53-year-old female with low back pain after lifting a tote.",
    "Summary of the UR reviewer: 53-year-old female with low back pain after lifting a tote.",
    "UR determination summary.",
    "The UR nurse summarised the file as follows.",
    "The UR reviewer summarized: 53-year-old female with low back pain after lifting a tote.",
    "Per the UR report dated 01/05/2017, the patient is a 53-year-old female with low back pain.",
])
def test_a_summary_recounting_the_record_through_the_ur_keeps_the_records_facts(header: str) -> None:
    """SYNTHETIC. What follows a UR sentence that introduces the UR's account of the record is the record:
    its failed care counts (under a carried UR author it was the UR's, and lost; session 14)."""
    summary = (f"{header} A lumbar MRI in 2021 showed an L5-S1 protrusion. Physical therapy and NSAIDs "
               "failed to relieve her pain.")
    a = AnalysedText(summary, Section.CLINICAL_SUMMARY)
    assert [s.author for s in a.sentences] == ["ur_reviewer", None, None]
    assert value(summary, "failed_conservative_care", "Physical therapy x 6 lumbar spine") == "yes"


@pytest.mark.parametrize("opening", [
    "The request for a compound cream was denied due to no documentation of failed first-line therapy.",
    # near-misses of a summary header: a summarised decision, a closing "in summary"
    "The UR reviewer summarized that the compound cream was not supported.",
    "In summary, the request for a compound cream was denied by utilization review.",
])
def test_a_ur_paragraph_that_argues_the_denial_keeps_its_author(opening: str) -> None:
    """SYNTHETIC. The UR's argument goes on after its cue ("Additionally, ..."): still the UR's words."""
    summary = f"{opening} Additionally, the guidelines do not recommend compound creams."
    a = AnalysedText(summary, Section.CLINICAL_SUMMARY)
    assert [s.author for s in a.sentences] == ["ur_reviewer", "ur_reviewer"]
    assert value(summary, "ur_states_not_recommended", "Compound cream") is True


def test_recounts_are_refused_for_an_author_that_carries_nothing(monkeypatch) -> None:
    import features.authors as authors

    data = {"worker": "patient", "new_visit": "^on", "authors": {
        "qme": {"cues": [r"\bQME\b"], "recounts": [r"\bsummary\b"]}}}
    monkeypatch.setattr(authors, "read_yaml", lambda name: data)
    with pytest.raises(ValueError, match="recounts but carries nothing"):
        authors.load_author_rules.__wrapped__()


@pytest.mark.parametrize("worker", ["The patient", "The injured worker", "The claimant", "The applicant",
                                    "She", "He"])
def test_the_patient_author_does_not_depend_on_how_the_writer_names_the_worker(worker: str) -> None:
    assert load_author_rules().author_of(f"{worker} reported weakness of the left leg.") == "patient"


def test_a_letters_requests_are_typed_together_in_the_feature_table() -> None:
    rows = facts("He has a torn rotator cuff.", "Right shoulder arthroscopy", "Pre-operative labs: CBC",
                 "EKG", "Urine drug screen")
    assert [r["service_type"].value for r in rows] == ["arthroscopy", "pre_op_testing", "pre_op_testing",
                                                       "drug_screen"]
    alone = facts("He has a torn rotator cuff.", "EKG")
    assert alone[0]["service_type"].value == "lab_test"


def test_a_repeat_of_the_letters_imaging_request_is_prior_imaging_of_its_region() -> None:
    summary = ("She had imaging at the hospital after the fall. The request for an MRI was denied because "
               "nothing warranted repeat imaging.")
    rows = facts(summary, "MRI of the right knee", "Physical therapy right knee 2 times a week for 3 weeks",
                 "Physical therapy left shoulder 2 times a week for 3 weeks")
    assert [r["prior_imaging_same_region"].value for r in rows] == [True, True, False]
    alone = facts(summary, "Physical therapy right knee 2 times a week for 3 weeks")
    assert alone[0]["prior_imaging_same_region"].value is False  # no imaging request names the knee
