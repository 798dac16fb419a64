"""The DWC IMR decision-search form: filters in, POST fields out (page 1 and 'Next' pages).

Site knowledge kept here with the parser's: field names, the date format, and `Fname=Tx`, the
per-treatment search whose rows carry each disputed service's category and decision.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

FORM_DATE_FORMAT = "%m/%d/%Y"
FORM_NAME = "Tx"


class SearchFilters(BaseModel):
    """Search criteria; empty ones are sent blank, as the browser form does."""

    case_number: str | None = None
    injury_from: date | None = None
    injury_to: date | None = None
    received_from: date | None = None
    received_to: date | None = None
    decision_from: date | None = None
    decision_to: date | None = None
    specialty: str | None = None
    outcome: str | None = None
    sub_category: str | None = None

    def is_empty(self) -> bool:
        return all(v is None for v in self.model_dump().values())


def _date(value: date | None) -> str:
    return value.strftime(FORM_DATE_FORMAT) if value else ""


def form_fields(filters: SearchFilters, page: int) -> dict[str, str]:
    """POST body for results page `page` (1-based)."""
    fields = {
        "Fname": FORM_NAME,
        "Caseno": filters.case_number or "",
        "DoIStart": _date(filters.injury_from),
        "DoIEnd": _date(filters.injury_to),
        "ReqStart": _date(filters.received_from),
        "ReqEnd": _date(filters.received_to),
        "DecStart": _date(filters.decision_from),
        "DecEnd": _date(filters.decision_to),
        "SpecialtyV": filters.specialty or "",
        "OutcomeV": filters.outcome or "",
        "SubCategoryV": filters.sub_category or "",
    }
    if page > 1:
        fields.update({"newpageno": str(page), "Submit": "Next"})
    else:
        fields["Submit"] = "Submit"
    return fields
