"""Raw feature rows from structured input (case attributes + service headings), without a letter.

The API can score a request typed into a form: it is turned into a `Case` holding only pre-review
fields and run through the very same extractors as a parsed letter, so both paths agree.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from features.records import Case, GuidelineCitation, ServiceDecision
from features.spec import FeatureSpec
from features.table import FeatureRow, feature_rows


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
        return Case(
            letter_id=self.letter_id,
            date_of_injury=self.date_of_injury,
            ur_denial_date=self.ur_denial_date,
            application_received=self.application_received,
            priority=self.priority,
            patient_age=self.patient_age,
            patient_sex=self.patient_sex,
            clinical_summary=self.clinical_summary,
            source_file="<structured input>",
            services=[
                ServiceDecision(
                    item_index=i,
                    heading=s.heading,
                    service=s.heading,
                    partial_ur_certification=s.partial_ur_certification,
                    partial_certification_text=s.partial_certification_text,
                    ur_guideline=None
                    if s.ur_guideline is None
                    else GuidelineCitation(
                        raw=s.ur_guideline, no_evidence_cited="did not cite" in s.ur_guideline.lower()
                    ),
                )
                for i, s in enumerate(self.services)
            ],
        )


def rows_from_input(request: CaseInput, spec: FeatureSpec | None = None) -> list[FeatureRow]:
    """Feature rows (values + evidence) for a structured request, one per service."""
    return feature_rows(request.to_case(), spec)
