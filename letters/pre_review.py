"""A read-only view of a Case holding ONLY pre-review text, the sole input extractors ever see.

Extractors cannot leak the label because the decision, the reviewer's guideline, the rationale and
the decision date are never copied into this view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from letters.records import Case, ServiceDecision


@dataclass(frozen=True, slots=True)
class PreReviewService:
    item_index: int
    heading: str
    service: str
    partial_ur_certification: bool
    partial_certification_text: str
    ur_guideline_raw: str | None
    ur_no_evidence_cited: bool

    @classmethod
    def from_record(cls, s: ServiceDecision) -> PreReviewService:
        ur = s.ur_guideline
        return cls(
            item_index=s.item_index,
            heading=s.heading,
            service=s.service or s.heading,
            partial_ur_certification=s.partial_ur_certification,
            partial_certification_text=s.partial_certification_text or "",
            ur_guideline_raw=ur.raw if ur is not None else None,
            ur_no_evidence_cited=bool(ur.no_evidence_cited) if ur is not None else False,
        )


@dataclass(frozen=True, slots=True)
class PreReviewCase:
    letter_id: str
    date_of_injury: date | None
    ur_denial_date: date | None
    application_received: date | None
    priority: str | None
    patient_age: int | None
    patient_sex: str | None
    clinical_summary: str
    services: tuple[PreReviewService, ...]

    @classmethod
    def from_case(cls, case: Case) -> PreReviewCase:
        return cls(
            letter_id=case.letter_id,
            date_of_injury=case.date_of_injury,
            ur_denial_date=case.ur_denial_date,
            application_received=case.application_received,
            priority=case.priority,
            patient_age=case.patient_age,
            patient_sex=case.patient_sex,
            clinical_summary=case.clinical_summary or "",
            services=tuple(PreReviewService.from_record(s) for s in case.services),
        )
