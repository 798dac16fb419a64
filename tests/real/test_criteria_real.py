"""Guideline checklists on every shared real letter: each service gets a governing section and a
decided or not-documented criterion, every evidence text is a whole sentence of the pre-review text,
and rewriting post-review text changes no checklist (read from ../shared; skipped without it)."""

from __future__ import annotations

import pytest

from features.checklist import sentence_bounds
from features.extractors.criteria_level import case_checklists
from letters.ingest import IngestResult
from letters.pre_review import PreReviewCase
from letters.records import Case
from tests.feature_leakage import rewrite_post_review_record

pytestmark = [pytest.mark.real, pytest.mark.slow]  # every real letter checklisted: the full suite runs it


@pytest.fixture(scope="module")
def real_cases(real_letters_parsed: IngestResult) -> list[Case]:
    assert not real_letters_parsed.failures
    return [c.model_copy(deep=True) for c in real_letters_parsed.cases]  # parsed once per session


@pytest.fixture(scope="module")
def checklists(real_cases: list[Case]) -> dict[str, list]:
    """Each real letter's checklists, read once for both tests."""
    return {case.letter_id: case_checklists(case) for case in real_cases}


def test_every_real_service_has_a_section_and_whole_sentence_evidence(
    real_cases: list[Case], checklists: dict[str, list]
) -> None:
    services = with_status = evidence = 0
    for case in real_cases:
        view = PreReviewCase.from_case(case)
        by_index = {s.item_index: s for s in view.services}
        for cl in checklists[case.letter_id]:
            services += 1
            with_status += any(i.status != "not_applicable" for i in cl.checklist)
            svc = by_index[cl.item_index]
            texts = {"clinical_summary": view.clinical_summary, "service_heading": svc.service,
                     "partial_certification": svc.partial_certification_text}
            for item in cl.checklist:
                for ev in item.evidence:
                    evidence += 1
                    text = texts[ev.section]
                    assert ev.start is not None and ev.end is not None, (case.letter_id, item.criterion_id)
                    assert text[ev.start:ev.end] == ev.text, (case.letter_id, item.criterion_id)
                    assert sentence_bounds(text, ev.start, ev.end) == (ev.start, ev.end), ev.text[:40]
    assert services == 292
    assert with_status / services >= 0.9
    assert evidence > 200


def test_rewriting_post_review_text_changes_no_checklist(
    real_cases: list[Case], checklists: dict[str, list]
) -> None:
    assert len(checklists) == len(real_cases)  # one entry per letter (ids are unique)
    for case in real_cases:
        before = [c.model_dump() for c in checklists[case.letter_id]]
        after = [c.model_dump() for c in case_checklists(rewrite_post_review_record(case))]
        assert before == after, case.letter_id
