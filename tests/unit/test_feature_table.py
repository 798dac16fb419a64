"""Feature table and extractors on small hand-written cases (no real letter text), plus the
synthetic-letter leakage check."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from features.spec import load_spec
from features.table import build_feature_table, feature_rows
from letters.parser import parse_text
from letters.records import Case, GuidelineCitation, ServiceDecision
from letters.structured import CaseInput, ServiceInput
from synthetic.corpus import iter_letters
from synthetic.generative_model import GeneratorSettings
from tests.feature_leakage import rewrite_post_review_record, rewrite_post_review_text

SUMMARY = (
    "The injured worker is a 52-year-old female who injured her low back lifting boxes. "
    "She is status post L4-5 fusion in 2012. Examination showed 4/5 strength of the left ankle "
    "dorsiflexion and decreased sensation over the left L5 dermatome. Pain was rated 7-8/10. "
    "She has completed 12 sessions of physical therapy without lasting relief. "
    "She has been taking Soma for about 8 months. An MRI of the lumbar spine dated 10/01/2016 showed a "
    "disc protrusion. There is no documentation of objective functional improvement. "
    "There was no evidence of fracture or infection."
)


def _case() -> Case:
    def svc(i: int, heading: str, ur: str, decision: str) -> ServiceDecision:
        return ServiceDecision(
            item_index=i, heading=heading, service=heading, decision=decision,
            ur_guideline=GuidelineCitation(raw=ur, no_evidence_cited="did not cite" in ur),
            reviewer_guideline=GuidelineCitation(raw="Decision based on MTUS."), rationale="Because.",
        )

    return Case(
        letter_id="UNIT-1", case_number="UNIT-1", date_of_injury=date(2016, 1, 10),
        ur_denial_date=date(2016, 11, 1), application_received=date(2016, 11, 15), priority="Standard",
        clinical_summary=SUMMARY, decision_date=date(2016, 12, 20),
        services=[
            svc(0, "Soma 350mg #90 with 2 refills", "Decision based on MTUS Chronic Pain Medical Treatment "
                "2016, Section(s): Carisoprodol.", "Upheld"),
            svc(1, "MRI of the lumbar spine without contrast", "The Claims Administrator did not cite any "
                "medical evidence for its decision.", "Overturned"),
            svc(2, "Additional physical therapy 2 times a week for 6 weeks for the lumbar spine",
                "Decision based on MTUS Low Back Complaints 2004. Decision based on Non-MTUS Citation "
                "Official Disability Guidelines (ODG), Low Back.", "Upheld"),
        ],
    )


def test_extractors_read_the_expected_values_with_spans():
    rows = feature_rows(_case())
    soma, mri, pt = (r.values for r in rows)
    assert soma["patient_age"].value == 52.0 and soma["patient_sex"].value == "female"
    assert soma["days_injury_to_ur_denial"].value == (date(2016, 11, 1) - date(2016, 1, 10)).days
    assert soma["days_ur_denial_to_application"].value == 14.0
    surgery = soma["prior_surgery"].span
    assert soma["prior_surgery"].value is True
    assert surgery.sentence == "She is status post L4-5 fusion in 2012." and surgery.text == "fusion"
    assert (surgery.assertion, surgery.section.value) == ("historical", "clinical_summary")
    assert SUMMARY[surgery.sentence_start : surgery.sentence_end] == surgery.sentence
    assert soma["red_flag_neuro_deficit"].value is True
    assert soma["red_flag_fracture"].value is False and soma["red_flag_infection"].value is False
    assert soma["pain_score"].value == 8.0
    assert soma["functional_improvement"].value == "no"
    assert soma["failed_conservative_care"].value == "yes"
    assert soma["region_low_back"].value is True and soma["region_neck"].value is False
    assert (soma["service_family"].value, soma["service_type"].value) == ("medication", "muscle_relaxant")
    assert soma["drug_strength_mg"].value == 350.0 and soma["drug_quantity"].value == 90.0
    assert soma["refills"].value == 2.0
    assert soma["duration_of_use_months"].value == 8.0
    assert soma["ur_guideline_source"].value == "mtus"
    assert soma["ur_guideline_chapter"].value == "chronic_pain"
    assert mri["ur_guideline_source"].value == "none_cited"
    assert mri["imaging_contrast"].value is False and mri["service_region"].value == "lumbar"
    assert mri["prior_imaging_same_region"].value is True
    assert pt["sessions_requested"].value == 12.0 and pt["prior_sessions"].value == 12.0
    assert pt["continuation_request"].value is True and pt["ur_guideline_source"].value == "mtus_odg"
    span = soma["pain_score"].span
    assert SUMMARY[span.start : span.end] == span.text


def test_table_layout_target_and_types():
    spec = load_spec()
    df = build_feature_table([_case()])
    assert list(df.columns) == spec.table_columns
    assert df["overturned"].tolist() == [0, 1, 0]
    assert df["patient_age"].dtype == "float64"
    no_target = build_feature_table([_case()], with_target=False)
    assert "overturned" not in no_target.columns and len(no_target) == 3
    first = _case().services[0].model_copy(update={"decision": None})
    unknown = _case().model_copy(update={"services": [first]})
    assert build_feature_table([unknown])["overturned"].isna().all()


def test_unknown_heading_is_other_and_kept():
    odd = ServiceDecision(item_index=0, heading="Teleportation", service="Teleportation")
    case = _case().model_copy(update={"services": [odd]})
    df = build_feature_table([case])
    assert df.loc[0, "service_family"] == "other" and df.loc[0, "service_type"] == "unknown"


def test_structured_input_gives_the_same_row_as_the_letter_record():
    case = _case()
    request = CaseInput(
        letter_id=case.letter_id, date_of_injury=case.date_of_injury, ur_denial_date=case.ur_denial_date,
        application_received=case.application_received, priority=case.priority,
        clinical_summary=case.clinical_summary,
        services=[ServiceInput(heading=s.heading, ur_guideline=s.ur_guideline.raw) for s in case.services],
    )
    assert [r.raw() for r in feature_rows(request.to_case())] == [r.raw() for r in feature_rows(case)]
    model = load_spec().request_model()
    for row in feature_rows(request.to_case()):
        model(**row.raw())  # every raw row validates against the API request model


def test_post_review_record_changes_do_not_change_features():
    case = _case()
    before = build_feature_table([case], with_target=False)
    after = build_feature_table([rewrite_post_review_record(case)], with_target=False)
    pd.testing.assert_frame_equal(before, after)


@pytest.fixture(scope="module")
def synthetic_texts() -> list[str]:
    return [text for _, text in iter_letters(60, GeneratorSettings(seed=3))]


def test_synthetic_letters_leak_nothing_from_post_review_text(synthetic_texts):
    spec = load_spec()
    cols = spec.id_columns + spec.names
    cases = [parse_text(t, f"syn{i}.synthetic.txt") for i, t in enumerate(synthetic_texts)]
    rewritten = [
        parse_text(rewrite_post_review_text(text), f"syn{i}.synthetic.txt")
        for i, text in enumerate(synthetic_texts)
    ]
    decisions = [s.decision for c in cases for s in c.services]
    assert decisions != [s.decision for c in rewritten for s in c.services]
    before = build_feature_table(cases, with_target=False)[cols]
    pd.testing.assert_frame_equal(before, build_feature_table(rewritten, with_target=False)[cols])
    records = build_feature_table([rewrite_post_review_record(c) for c in cases], with_target=False)[cols]
    pd.testing.assert_frame_equal(before, records)
