"""Typed records parsed from IMR Final Determination letters: one case, many disputed services.

These models are the contract between ingestion, features, training and serving. Every field
says which letter section it comes from (see `Section`) so that leakage can be checked by code:
features may only read pre-review sections.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from letters.wrapped_text import plain_spaces, unwrap


class Section(StrEnum):
    """Letter sections; the post-review ones are written by the IMR reviewer after review."""

    HEADER = "header"  # case number, dates known before review, priority
    CLINICAL_SUMMARY = "clinical_summary"
    SERVICE_HEADING = "service_heading"  # the disputed item's heading (without the decision word)
    UR_GUIDELINE = "ur_guideline"  # "Claims Administrator guideline:" line
    PARTIAL_CERTIFICATION = "partial_certification"  # UR's partial authorisation sentence
    REVIEWER_META = "reviewer_meta"  # licensure and specialty of the IMR reviewer (pre-review assignment)
    # --- post-review: never read by features ---
    DECISION = "decision"
    REVIEWER_GUIDELINE = "reviewer_guideline"  # "MAXIMUS guideline:" line
    RATIONALE = "rationale"  # "Decision rationale:"
    DECISION_DATE = "decision_date"


POST_REVIEW_SECTIONS: frozenset[Section] = frozenset(
    {Section.DECISION, Section.REVIEWER_GUIDELINE, Section.RATIONALE, Section.DECISION_DATE}
)

Decision = Literal["Overturned", "Upheld"]


class GuidelineCitation(BaseModel):
    """A guideline line as cited by UR (claims administrator) or by the IMR reviewer."""

    raw: str = Field(description="Whitespace-normalised text of the guideline line.")
    sources: list[str] = Field(default_factory=list, description="e.g. MTUS, ACOEM, ODG, Non-MTUS.")
    chapter: str | None = Field(default=None, description="e.g. 'Chronic Pain Medical Treatment'.")
    year: int | None = None
    pages: list[str] = Field(default_factory=list, description="Page numbers or ranges as written.")
    sections: list[str] = Field(default_factory=list, description="'Section(s):' names as written.")
    no_evidence_cited: bool = Field(
        default=False, description="True for 'did not cite any medical evidence'."
    )


class ServiceDecision(BaseModel):
    """One disputed item/service of a letter, in letter order."""

    item_index: int = Field(ge=0, description="0-based order in the letter.")
    heading: str = Field(description="The item heading as written, whitespace-normalised.")
    service: str = Field(
        description="The part IMR decided: equals `heading` unless UR partially certified it."
    )
    partial_ur_certification: bool = False
    partial_certification_text: str | None = None
    ur_guideline: GuidelineCitation | None = None
    # --- post-review fields (labels and reviewer text), never features ---
    decision: Decision | None = None
    reviewer_guideline: GuidelineCitation | None = None
    rationale: str = ""


class Case(BaseModel):
    """One IMR Final Determination letter."""

    letter_id: str = Field(description="Case number, or the file stem when the letter has none.")
    case_number: str | None = None
    letter_format: Literal["dwc-2016", "legacy-2014", "synthetic", "dmhc-trend"] = "dwc-2016"
    synthetic: bool = Field(default=False, description="True for letters made by `imr synth`.")
    date_assigned: date | None = None
    date_of_injury: date | None = None
    ur_denial_date: date | None = None
    application_received: date | None = None
    priority: str | None = None
    reviewer_licensure: list[str] = Field(default_factory=list)
    reviewer_specialty: str | None = None
    patient_age: int | None = None
    patient_sex: Literal["male", "female"] | None = None
    clinical_summary: str = ""
    source_file: str = ""
    parse_warnings: list[str] = Field(default_factory=list)
    # --- post-review header field ---
    decision_date: date | None = None
    services: list[ServiceDecision] = Field(default_factory=list)

    @field_validator("clinical_summary")
    @classmethod
    def _one_line(cls, text: str) -> str:
        """A summary that arrives as text (a structured case, the API, a probe) is joined as the parser joins
        a PDF's wrapped lines, its no-break and other spaces plain, so features and evidence offsets read the
        same text whatever the input."""
        text = plain_spaces(text)
        return unwrap(text) if "\n" in text or "\r" in text else text


def dates_out_of_order(
    date_of_injury: date | None, ur_denial_date: date | None, application_received: date | None
) -> list[str]:
    """Each pair of pre-review dates that runs backwards, named by field: swapped dates become negative
    claim ages no letter holds. The letter parser warns with these, the scoring API refuses with them."""
    pairs = (
        ("date_of_injury", date_of_injury, "ur_denial_date", ur_denial_date),
        ("ur_denial_date", ur_denial_date, "application_received", application_received),
    )
    return [
        f"{early_name} ({early}) is after {late_name} ({late})"
        for early_name, early, late_name, late in pairs
        if early is not None and late is not None and early > late
    ]


class ParseFailure(BaseModel):
    """A file that could not be turned into a Case, with a reason a user can act on."""

    source_file: str
    reason: str
