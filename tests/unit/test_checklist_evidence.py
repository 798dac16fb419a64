"""Which sentence a checklist item quotes (session 19): the record's own before the UR's account of its
decision, and for a regional finding a sentence about the request's region (and side) before one about
another. SYNTHETIC letters written here; statuses and feature values never depend on the choice."""

from __future__ import annotations

from datetime import date

import pytest

from features.body_regions import body_regions
from features.checklist import ServiceChecklist
from features.extractors.context import CaseContext, ServiceContext
from features.extractors.criteria_level import case_checklists
from features.table import build_feature_table
from letters.pre_review import PreReviewCase
from letters.records import Case, GuidelineCitation, ServiceDecision

OPENING = "The injured worker is a 48 year old female hurt lifting boxes at work (SYNTHETIC test text). "
UR_THEN_RECORD = OPENING + (
    "The request for an MRI of the lumbar spine was denied because the patient has not undergone "
    "conservative care. On 10/15/2016, the treating physician noted that she has not yet started "
    "physical therapy. Pain was rated 7/10.")
UR_ONLY = OPENING + (
    "The request for an MRI of the lumbar spine was denied because the patient has not undergone "
    "conservative care. Pain was rated 7/10.")
SHOULDER_PASSAGE_THEN_HAND = OPENING + (
    "On 11/18/2016 she reported ongoing right shoulder pain. Moderate weakness was noted. On examination "
    "there was decreased sensation in the left thumb and index finger.")
SHOULDER_THEN_HAND = OPENING + (
    "There was rotator cuff weakness on the right. On examination there was decreased sensation in the left "
    "thumb and index finger.")
UR_REPEAT_THEN_STUDY = OPENING + (
    "The request for an MRI of the right knee was denied because there were no red flags that would warrant "
    "repeat imaging. On 05/02/2016, an MRI of the right knee showed a tear of the medial meniscus.")


def _case(summary: str, *headings: str) -> Case:
    services = [ServiceDecision(item_index=i, heading=h, service=h, decision="Upheld",  # type: ignore[arg-type]
                                ur_guideline=GuidelineCitation(raw="Decision based on MTUS."),
                                reviewer_guideline=GuidelineCitation(raw="Decision based on ODG."),
                                rationale="SYNTHETIC rationale.") for i, h in enumerate(headings)]
    return Case(letter_id="SYNTH-EVIDENCE-1", synthetic=True, letter_format="synthetic",
                date_of_injury=date(2016, 3, 1), ur_denial_date=date(2016, 11, 20), clinical_summary=summary,
                services=services)


def _quoted(checklist: ServiceChecklist, criterion: str) -> list[tuple[str | None, str]]:
    item = next(i for i in checklist.checklist if i.criterion_id == criterion)
    return [(e.author, e.text) for e in item.evidence]


def test_the_records_own_sentence_is_quoted_before_the_urs_account_of_its_denial() -> None:
    (mri,) = case_checklists(_case(UR_THEN_RECORD, "MRI of the lumbar spine without contrast"))
    assert _quoted(mri, "conservative_care_failed") == [
        ("treating_physician", "On 10/15/2016, the treating physician noted that she has not yet started "
                               "physical therapy.")]


def test_the_urs_account_is_quoted_and_named_as_the_urs_when_nothing_else_gives_the_value() -> None:
    (mri,) = case_checklists(_case(UR_ONLY, "MRI of the lumbar spine without contrast"))
    assert _quoted(mri, "conservative_care_failed") == [
        ("ur_reviewer", "The request for an MRI of the lumbar spine was denied because the patient has not "
                        "undergone conservative care.")]


def test_a_record_study_is_quoted_before_the_urs_words_about_repeat_imaging() -> None:
    (mri,) = case_checklists(_case(UR_REPEAT_THEN_STUDY, "MRI of the right knee"))
    item = next(i for i in mri.checklist if i.criterion_id == "no_repeat_imaging")
    assert item.status == "unmet"
    assert [e.text for e in item.evidence] == [
        "On 05/02/2016, an MRI of the right knee showed a tear of the medial meniscus."]


@pytest.mark.parametrize(("summary", "heading"), [
    (SHOULDER_PASSAGE_THEN_HAND, "EMG of the left upper extremity"),  # weakness in a shoulder passage
    (SHOULDER_THEN_HAND, "NCV of the left hand"),  # the weakness names the shoulder
])
def test_a_finding_of_the_requests_region_is_quoted_before_one_of_another_region(summary: str,
                                                                                 heading: str) -> None:
    (emg,) = case_checklists(_case(summary, heading))
    assert _quoted(emg, "neuro_findings") == [
        ("treating_physician", "On examination there was decreased sensation in the left thumb and index "
                               "finger.")]


def test_the_choice_changes_no_feature_value_nor_status() -> None:
    """The deciding span is the first of the spans `supporting` lists, and the model row reads the same
    value whichever sentence the checklist quotes (the evidence is chosen after the status)."""
    for summary, heading in [(UR_THEN_RECORD, "MRI of the lumbar spine without contrast"),
                             (SHOULDER_PASSAGE_THEN_HAND, "EMG of the left upper extremity"),
                             (UR_REPEAT_THEN_STUDY, "MRI of the right knee")]:
        view = PreReviewCase.from_case(_case(summary, heading))
        ctx = ServiceContext.build(CaseContext.build(view), view.services[0])
        facts = ctx.facts
        for name, got in [("failed_conservative_care", facts.case.failed_conservative_care()),
                          ("red_flag_neuro_deficit", facts.case.red_flag("neuro_deficit")),
                          ("prior_imaging_same_region", facts.prior_imaging_same_region()),
                          ("prior_surgery", facts.case.prior_surgery())]:
            spans = facts.supporting(name)
            assert (spans[0] if spans else None) == got.span, (heading, name)
        row = build_feature_table([_case(summary, heading)], with_target=False).to_dict("records")[0]
        (checklist,) = case_checklists(_case(summary, heading))
        for item in checklist.checklist:
            assert row[f"crit_{item.family}"] == item.status


def test_a_limb_finding_speaks_for_a_spinal_request_and_a_side_must_agree() -> None:
    from features.evidence_choice import EvidenceRanker

    regions = body_regions()
    assert regions.finding_of("hand_wrist", "cervical") and regions.finding_of("cervical", "hand_wrist")
    assert regions.finding_of("knee", "lumbar") and not regions.finding_of("knee", "cervical")
    assert not regions.finding_of("shoulder", "hand_wrist")
    ranker = EvidenceRanker(frozenset({"hand_wrist"}), "left", lambda _: [])

    class Sentence:
        def __init__(self, text: str) -> None:
            self.text, self.section, self.author = text, "clinical_summary", None

    assert ranker.region_rank(Sentence("Numbness of the left thumb (SYNTHETIC).")) == 0
    assert ranker.region_rank(Sentence("Numbness of the right thumb (SYNTHETIC).")) == 4
    assert ranker.region_rank(Sentence("Weakness was noted (SYNTHETIC).")) == 2


def test_the_screen_names_the_urs_account_where_it_is_quoted() -> None:
    from serving.plain_reasons import plain_checklist

    (mri,) = case_checklists(_case(UR_ONLY, "MRI of the lumbar spine without contrast"))
    rows = [{**i.model_dump(), "log_odds": 0.0} for i in mri.checklist]
    plain = plain_checklist(rows)
    assert plain is not None
    quoted = {c.criterion: [e.where for e in c.evidence] for c in plain.criteria}
    care = next(i.criterion for i in mri.checklist if i.criterion_id == "conservative_care_failed")
    assert quoted[care] == ["clinical case summary, the UR's account of its decision"]
    (record,) = case_checklists(_case(UR_THEN_RECORD, "MRI of the lumbar spine without contrast"))
    plain = plain_checklist([{**i.model_dump(), "log_odds": 0.0} for i in record.checklist])
    assert plain is not None
    assert {c.criterion: [e.where for e in c.evidence] for c in plain.criteria}[care] == [
        "clinical case summary"]


def test_a_letters_sentence_regions_are_read_once_per_sentence(monkeypatch) -> None:
    """Session 32: `SentenceRegions` gives what `named_regions` gives, reading each sentence once however
    many items rank it; a ranker reads a sentence's regions through it."""
    from features import evidence_choice
    from features.evidence_choice import EvidenceRanker, SentenceRegions, named_regions

    texts = ["Numbness of the left thumb and right knee pain (SYNTHETIC).", "Weakness was noted (SYNTHETIC)."]
    read: list[str] = []
    monkeypatch.setattr(evidence_choice, "named_regions", lambda t: read.append(t) or named_regions(t))
    regions = SentenceRegions()
    for _ in range(3):
        assert [regions(t) for t in texts] == [named_regions(t) for t in texts]
    assert read == texts

    class Sentence:
        def __init__(self, text: str) -> None:
            self.text, self.section, self.author = text, "clinical_summary", None

    ranker = EvidenceRanker(frozenset({"hand_wrist"}), "left", lambda _: [], regions_of=regions)
    assert ranker.region_rank(Sentence(texts[0])) == 0
    assert ranker.region_rank(Sentence(texts[1])) == 2
    assert read == texts
