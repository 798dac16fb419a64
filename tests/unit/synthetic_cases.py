"""A SYNTHETIC case written in a test (a summary and its headings) read through the product's own checklist
path (`case_checklists`): what the governing-section and criterion tests check."""

from __future__ import annotations

from datetime import date

from features.checklist import ServiceChecklist
from features.extractors.criteria_level import case_checklists
from letters.records import Case, GuidelineCitation, ServiceDecision

# A UR guideline line citing nothing: the section is chosen from the request alone.
NO_CITATION = "The Claims Administrator did not cite any medical evidence for its decision."


def case_of(summary: str, headings: list[str], *, injury: date, ur: date, ur_line: str | None = None) -> Case:
    """A letter with this summary, date of injury and UR denial date, one disputed service per heading (each
    with the UR's guideline line `ur_line` when given)."""
    citation = None if ur_line is None else GuidelineCitation(raw=ur_line)
    services = [ServiceDecision(item_index=i, heading=h, service=h, ur_guideline=citation)
                for i, h in enumerate(headings)]
    return Case(letter_id="synthetic", letter_format="synthetic", synthetic=True, date_of_injury=injury,
                ur_denial_date=ur, clinical_summary=summary, services=services)


def checklists_of(summary: str, headings: list[str], *, injury: date, ur: date,
                  ur_line: str | None = None) -> list[ServiceChecklist]:
    """Each heading's checklist, for a letter with this summary, date of injury and UR denial date."""
    return case_checklists(case_of(summary, headings, injury=injury, ur=ur, ur_line=ur_line))


def criterion_status(checklist: ServiceChecklist, criterion: str) -> str | None:
    """The status of one criterion of a checklist, None when its section has no such criterion."""
    return next((i.status for i in checklist.checklist if i.criterion_id == criterion), None)


def durations_of(summary: str, headings: list[str], *, injury: date, ur: date,
                 ur_line: str | None = "Decision based on MTUS.") -> list[object]:
    """Each heading's duration_of_use_months, read by the registered extractor as `imr features` reads it: the
    tests of a drug's length that need two services in one letter (a kinds table holds one)."""
    from features.extractors import CaseContext, ServiceContext, registered_extractors
    from letters.pre_review import PreReviewCase

    view = PreReviewCase.from_case(case_of(summary, headings, injury=injury, ur=ur, ur_line=ur_line))
    ctx = CaseContext.build(view)
    read = registered_extractors()["duration_of_use_months"]
    return [read(ServiceContext.build(ctx, s)).value for s in view.services]
