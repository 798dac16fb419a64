"""Per-criterion status logic on SYNTHETIC fact values, the reviewer-style summary line, whole-sentence
evidence, and the checklist of a SYNTHETIC letter end to end (model columns agree with it; writer
style and post-review text change nothing)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from row_checks import check_rows

from features.checklist import CheckItem, sentence_bounds, summary_line, what_if_met
from features.criteria import Citation, load_criteria
from features.criteria_facts import LetterFacts, derive_facts
from features.extractors.criteria_level import case_checklists
from features.table import build_feature_table
from letters.records import Case, GuidelineCitation, ServiceDecision

TABLE = load_criteria()


STATUS_ROWS = [
    ("conservative_care_failed", {"failed_conservative_care": "yes"}, {}, "met"),
    ("conservative_care_failed", {"failed_conservative_care": "no"}, {}, "unmet"),
    ("conservative_care_failed", {"failed_conservative_care": "not_stated"}, {}, "not_documented"),
    ("symptoms_four_weeks", {"days_injury_to_ur_denial": 28.0}, {}, "met"),
    ("symptoms_four_weeks", {"days_injury_to_ur_denial": 27.0}, {}, "unmet"),
    ("pain_three_months", {"days_injury_to_ur_denial": None}, {}, "not_documented"),
    ("red_flags", {"red_flag_any": True}, {}, "met"),
    ("red_flags", {"red_flag_any": False}, {}, "not_documented"),  # not found is not "absent"
    ("no_repeat_imaging", {"prior_imaging_same_modality": True}, {}, "unmet"),
    ("no_repeat_imaging", {"prior_imaging_same_modality": False}, {}, "met"),
    ("no_repeat_imaging", {"prior_imaging_same_modality": None}, {}, "not_documented"),
    ("visits_within_course", {"total_sessions": 10.0}, {}, "met"),
    ("visits_within_course", {"total_sessions": 10.5}, {}, "unmet"),
    ("visits_within_course", {"total_sessions": None}, {}, "not_documented"),
    ("gains_from_prior_course", {"continues_course": False, "functional_improvement": "no"}, {},
     "not_applicable"),
    ("gains_from_prior_course", {"continues_course": True, "functional_improvement": "yes"}, {}, "met"),
    ("gains_from_prior_course", {"continues_course": True, "functional_improvement": "no"}, {},
     "unmet"),
    # session 23: the trial sizes read the whole course (continues_course, course_sessions)
    ("manipulation_trial_size", {"continues_course": None, "course_sessions": 6.0}, {}, "met"),
    ("manipulation_trial_size", {"continues_course": False, "course_sessions": 8.0}, {}, "unmet"),
    ("manipulation_trial_size", {"continues_course": True, "total_sessions": 18.0}, {}, "met"),
    ("manipulation_trial_size", {"continues_course": True, "total_sessions": 20.0}, {}, "unmet"),
    ("acupuncture_trial_size", {"continues_course": True, "course_sessions": 12.0}, {},
     "not_applicable"),
    ("postop_initial_course", {"course_sessions": 12.0}, {"max_initial_visits": 12}, "met"),
    ("postop_initial_course", {"course_sessions": 13.0}, {"max_initial_visits": 12}, "unmet"),
    ("nerve_conduction_legs", {"service_region": "lower_extremity", "service_type": "emg_ncv"}, {},
     "unmet"),
    ("nerve_conduction_legs", {"service_region": "lower_extremity", "service_type": "emg"}, {}, "met"),
    ("nerve_conduction_legs", {"service_region": "upper_extremity", "service_type": "ncv"}, {},
     "not_applicable"),
    ("short_term_three_weeks", {"duration_of_use_months": 0.5}, {}, "met"),
    ("short_term_three_weeks", {"duration_of_use_months": 2.0}, {}, "unmet"),
    ("quantity_short_course", {"course_drug_quantity": 90.0}, {}, "unmet"),
    ("medication_benefit", {"ongoing_use": False, "functional_improvement": "no"}, {}, "not_applicable"),
    ("medication_benefit", {"ongoing_use": None, "functional_improvement": "not_stated"}, {},
     "not_documented"),
    ("topical_ingredients", {"topical_not_recommended": True}, {}, "unmet"),
    ("manipulation_region", {"service_region": "knee"}, {}, "unmet"),
    ("manipulation_region", {"service_region": "none"}, {}, "not_documented"),
    ("manipulation_region", {"service_region": "multiple", "heading_regions": ("cervical", "lumbar"),
                             "heading_spinal_only": True}, {}, "met"),
    ("manipulation_region", {"service_region": "multiple", "heading_regions": ("lumbar", "knee"),
                             "heading_spinal_only": False}, {}, "unmet"),
    ("manipulation_region", {"service_region": "multiple", "heading_regions": ("shoulder", "hip"),
                             "heading_spinal_only": False}, {}, "not_documented"),
    ("operation_authorised", {"surgery_in_letter": True}, {}, "unmet"),
    ("operation_authorised", {"surgery_in_letter": False}, {}, "not_documented"),
    ("cryotherapy_after_surgery", {"phase": "post_operative"}, {}, "met"),
    ("cryotherapy_after_surgery", {"phase": "chronic"}, {}, "unmet"),
    ("gi_risk", {"patient_age": 66.0}, {}, "met"),
    ("perioperative_risk", {"patient_age": 66.0}, {}, "met"),
    ("perioperative_risk", {"patient_age": 58.0}, {}, "not_documented"),  # age alone, under 65: routine
    ("moderate_severe_pain", {"pain_score": 3.0}, {}, "unmet"),
    ("mobility_need", {"red_flag_fracture": False, "prior_surgery": True}, {}, "met"),
]


def test_status_of_each_criterion_follows_its_facts() -> None:
    check_rows(STATUS_ROWS, _status_follows_its_facts)


def test_manipulation_region_reads_every_region_a_multi_region_heading_names() -> None:
    crit = TABLE.criteria["manipulation_region"]
    for heading, status in [
        ("SYNTHETIC chiropractic care for the left elbow and left knee, 8 visits", "unmet"),
        ("SYNTHETIC chiropractic care for the cervical, thoracic and lumbar spine, 6 visits", "met"),
        ("SYNTHETIC manipulation of the lumbar spine and right ankle, 6 visits", "unmet"),
    ]:
        values = {"service_family": "physical_medicine", "service_type": "chiropractic",
                  "service_region": "multiple", "service_phase": "subacute"}
        facts = {**values, **derive_facts(TABLE, values, service_text=heading, item_index=0,
                                          letter=LetterFacts(()))}
        assert crit.status(facts) == status, heading


def _status_follows_its_facts(criterion: str, facts: dict[str, Any], params: dict[str, float],
                              status: str) -> None:
    assert TABLE.criteria[criterion].status(facts, params) == status


def _items(*statuses: str) -> list[CheckItem]:
    cite = Citation(guideline="MTUS", edition="2016", chapter="Opioids Treatment Guidelines", section="3.3")
    return [CheckItem(criterion_id=f"c{i}", criterion="A SYNTHETIC criterion phrase.", family="indication",
                      citation=cite, status=s) for i, s in enumerate(statuses)]  # type: ignore[arg-type]


def test_summary_line_counts_applicable_criteria_like_a_reviewer() -> None:
    cite = _items("met")[0].citation
    line = summary_line(cite, _items("not_documented", "met", "not_documented", "unmet", "not_applicable"))
    assert line == "MTUS Opioids Treatment Guidelines, 3.3: 2 of 4 criteria not documented, 1 unmet, 1 met"
    assert summary_line(cite, _items("met")) == "MTUS Opioids Treatment Guidelines, 3.3: 1 of 1 criterion met"
    assert summary_line(cite, _items("unmet", "met")).endswith(": 1 of 2 criteria unmet, 1 met")
    assert summary_line(cite, _items("not_applicable")).endswith(": no criterion applies")
    assert summary_line(None, []) == "No governing guideline section found for this request."


def test_sentence_bounds_cover_whole_sentences_across_abbreviations() -> None:
    text = ("SYNTHETIC. Dr. Lee saw the patient on 11.02.2016 at 9 a.m. and noted 4.5 cm swelling. "
            "Strength was 4/5. Pain is 7/10!")
    start = text.index("4.5 cm")
    s, e = sentence_bounds(text, start, start + 6)
    assert text[s:e] == "Dr. Lee saw the patient on 11.02.2016 at 9 a.m. and noted 4.5 cm swelling."
    s, e = sentence_bounds(text, text.index("swelling"), text.index("Strength") + 3)
    assert text[s:e] == ("Dr. Lee saw the patient on 11.02.2016 at 9 a.m. and noted 4.5 cm swelling. "
                         "Strength was 4/5.")
    s, e = sentence_bounds(text, len(text) - 3, len(text))
    assert text[s:e] == "Pain is 7/10!"
    assert sentence_bounds(text, s, e) == (s, e)  # a whole sentence is its own bounds


SUMMARY = (
    "The injured worker is a 47 year old male who was hurt at work on a ladder. He reports low back pain "
    "rated 8/10 that spreads to the left leg. On examination there was weakness of the left ankle at 4/5 and "
    "decreased sensation in the L5 dermatome. He completed 6 sessions of physical therapy. An MRI of the "
    "lumbar spine on 10/01/2016 showed a disc protrusion at L4-5. This summary is SYNTHETIC test text."
)


def _case(
    summary: str = SUMMARY, *, decision: str = "Upheld", rationale: str = "SYNTHETIC rationale."
) -> Case:
    def svc(i: int, heading: str, ur: str) -> ServiceDecision:
        return ServiceDecision(item_index=i, heading=heading, service=heading,
                               ur_guideline=GuidelineCitation(raw=ur), decision=decision,  # type: ignore[arg-type]
                               reviewer_guideline=GuidelineCitation(raw="Decision based on ODG, Head."),
                               rationale=rationale)

    return Case(
        letter_id="SYNTH-CRITERIA-1", synthetic=True, letter_format="synthetic",
        date_of_injury=date(2016, 9, 1), ur_denial_date=date(2016, 11, 20), clinical_summary=summary,
        services=[
            svc(0, "MRI of the lumbar spine without contrast",
                "Decision based on MTUS Low Back Complaints 2004."),
            svc(1, "Additional physical therapy 2 times a week for 4 weeks for the lumbar spine",
                "Decision based on MTUS Chronic Pain Medical Treatment 2016."),
            svc(2, "Cyclobenzaprine 7.5mg #90",
                "The Claims Administrator did not cite any medical evidence."),
            svc(3, "Electrical stimulation unit rental for 30 days", "Decision based on Non-MTUS Citation "
                "Official Disability Guidelines, Knee and Leg."),
        ],
    )


def test_synthetic_letter_gets_a_checklist_per_service_with_whole_sentence_evidence() -> None:
    case = _case()
    checklists = case_checklists(case)
    assert [c.section_id for c in checklists] == [
        "low_back_special_studies", "cpmtg_physical_medicine", "cpmtg_cyclobenzaprine", "cpmtg_tens"]
    mri, pt, flexeril, _ = checklists
    assert mri.governing_guideline is not None and mri.governing_guideline.pages == "303-305"
    assert mri.phase == "subacute" and mri.region == "lumbar"
    status = {i.criterion_id: i.status for i in mri.checklist}
    assert status["symptoms_four_weeks"] == "met" and status["no_repeat_imaging"] == "unmet"
    assert {i.criterion_id: i.status for i in pt.checklist}["visits_within_course"] == "unmet"  # 6 + 8 > 10
    assert {i.criterion_id: i.status for i in flexeril.checklist}["quantity_short_course"] == "unmet"
    assert mri.summary.startswith("MTUS Low Back Complaints, Special Studies")
    texts = {"clinical_summary": SUMMARY}
    n_evidence = 0
    for cl in checklists:
        texts["service_heading"] = cl.service
        for item in cl.checklist:
            assert len({i.criterion_id for i in cl.checklist}) == len(cl.checklist)  # once per service
            for ev in item.evidence:
                n_evidence += 1
                text = texts[ev.section]
                assert ev.start is not None and ev.end is not None and text[ev.start:ev.end] == ev.text
                assert sentence_bounds(text, ev.start, ev.end) == (ev.start, ev.end)
    assert n_evidence >= 4


def test_model_columns_are_the_checklist() -> None:
    case = _case()
    table = build_feature_table([case])
    for row, cl in zip(table.to_dict("records"), case_checklists(case), strict=True):
        counts = cl.counts()
        assert row["criteria_met"] == counts["met"] and row["criteria_unmet"] == counts["unmet"]
        assert row["criteria_not_documented"] == counts["not_documented"]
        for family, column in TABLE.family_columns.items():
            assert row[column] == cl.family_status(family)
        assert row["service_phase"] == cl.phase


def _statuses(case: Case) -> list[tuple[str | None, list[tuple[str, str]]]]:
    return [(c.section_id, [(i.criterion_id, i.status) for i in c.checklist]) for c in case_checklists(case)]


def test_writer_style_and_post_review_text_change_nothing() -> None:
    base = _statuses(_case())
    restyled = SUMMARY.replace("The injured worker is", "The claimant is").replace(" He ", " She ")
    assert _statuses(_case(restyled)) == base
    changed = _case(decision="Overturned", rationale="A different SYNTHETIC rationale citing ODG Knee.")
    before = [c.model_dump() for c in case_checklists(_case())]
    assert [c.model_dump() for c in case_checklists(changed)] == before


def test_what_if_documents_a_missing_criterion_as_met() -> None:
    case = _case()
    row = build_feature_table([case], with_target=False).to_dict("records")[2]  # the muscle relaxant
    flexeril = case_checklists(case)[2]
    assert {i.criterion_id: i.status for i in flexeril.checklist}["first_line_failed"] == "not_documented"
    changed = what_if_met(TABLE, row, flexeril, "first_line_failed")
    assert changed is not None
    assert changed["failed_conservative_care"] == "yes" and changed["crit_conservative_care"] == "met"
    assert changed["criteria_met"] == row["criteria_met"] + 1
    assert changed["criteria_not_documented"] == row["criteria_not_documented"] - 1
    assert {k for k in row if changed[k] != row[k] and not (pd.isna(changed[k]) and pd.isna(row[k]))} == {
        "failed_conservative_care", "crit_conservative_care", "criteria_met", "criteria_not_documented"}
    assert what_if_met(TABLE, row, flexeril, "quantity_short_course") is None  # already decided (unmet)
