"""A SYNTHETIC case written in a test (a summary and its headings) read through the product's own checklist
path (`case_checklists`): what the governing-section and criterion tests check."""

from __future__ import annotations

from datetime import date

from features.checklist import ServiceChecklist
from features.extractors.criteria_level import case_checklists
from letters.records import Case, ServiceDecision


def checklists_of(summary: str, headings: list[str], *, injury: date, ur: date) -> list[ServiceChecklist]:
    """Each heading's checklist, for a letter with this summary, date of injury and UR denial date."""
    services = [ServiceDecision(item_index=i, heading=h, service=h) for i, h in enumerate(headings)]
    case = Case(letter_id="synthetic", letter_format="synthetic", synthetic=True, date_of_injury=injury,
                ur_denial_date=ur, clinical_summary=summary, services=services)
    return case_checklists(case)
