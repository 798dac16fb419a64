"""Structured (pre-review) requests -> a `Case`, without a letter: the one converter for every caller.

A request typed into a form (here `CaseInput`, or the scoring API's spec-built `CaseIn`) becomes a
`Case` holding only pre-review fields and runs through the very same extractors as a parsed letter;
guideline lines go through the letter parser's `parse_guideline`, so both paths agree.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from letters.parser import parse_guideline
from letters.records import Case, GuidelineCitation, ServiceDecision

STRUCTURED_SOURCE = "<structured input>"


class ServiceInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    heading: str = Field(min_length=1, description="The disputed item as UR named it, e.g. 'Soma 350mg #90'.")
    ur_guideline: str | None = Field(
        default=None, description="UR's guideline line as written (or 'did not cite any medical evidence')."
    )
    partial_ur_certification: bool = False
    partial_certification_text: str | None = None


class CaseInput(BaseModel):
    """Everything known before IMR review; all optional except the services."""

    model_config = ConfigDict(extra="forbid")

    letter_id: str = "request"
    date_of_injury: date | None = None
    ur_denial_date: date | None = None
    application_received: date | None = None
    priority: str | None = None
    patient_age: int | None = Field(default=None, ge=0, le=120)
    patient_sex: Literal["male", "female"] | None = None
    clinical_summary: str = Field(default="", description="Free-text clinical history, if any.")
    services: list[ServiceInput] = Field(min_length=1)

    def to_case(self) -> Case:
        return case_from_structured(self)


class GuidelineMemo:
    """Parsed guideline lines of one batch: the same few lines recur across its cases, and parsing
    is a dozen regex searches. The citations are shared between cases, so nobody may mutate them."""

    def __init__(self) -> None:
        self._parsed: dict[str, GuidelineCitation] = {}

    def __call__(self, raw: str) -> GuidelineCitation:
        hit = self._parsed.get(raw)
        if hit is None:
            hit = self._parsed[raw] = parse_guideline(raw)
        return hit


def case_from_structured(req: Any, guidelines: GuidelineMemo | None = None) -> Case:
    """A validated structured request as a pre-review `Case`.

    `req` has the case attributes of `CaseInput` and a list of `services`; the API's request also
    carries `case_id` (the letter id and case number) and, per service, `service` (the part in
    dispute when UR partially certified it). Pass one `guidelines` memo for all cases of a batch.
    """
    parse = guidelines if guidelines is not None else GuidelineMemo()
    case_id = getattr(req, "case_id", None)
    services = [
        ServiceDecision(
            item_index=i,
            heading=s.heading,
            service=getattr(s, "service", None) or s.heading,
            partial_ur_certification=s.partial_ur_certification,
            partial_certification_text=s.partial_certification_text,
            ur_guideline=parse(s.ur_guideline) if s.ur_guideline else None,
        )
        for i, s in enumerate(req.services)
    ]
    return Case(
        letter_id=getattr(req, "letter_id", None) or case_id or "request",
        case_number=case_id,
        date_of_injury=req.date_of_injury,
        ur_denial_date=req.ur_denial_date,
        application_received=req.application_received,
        priority=req.priority,
        patient_age=req.patient_age,
        patient_sex=req.patient_sex,
        clinical_summary=req.clinical_summary,
        source_file=STRUCTURED_SOURCE,
        services=services,
    )
