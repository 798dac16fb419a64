"""Scoring requests -> raw feature rows with evidence, through the same extractors as training.

Structured cases become a pre-review `Case` (no decision fields exist on the request models), so
the letter path and the JSON path share `features.table.feature_rows`; values the caller states
explicitly override what the extractors read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from features.records import Case, ServiceDecision
from features.spec import FeatureSpec


@dataclass
class PreparedCase:
    """One case ready to score: rows (raw features + ids) and per-row evidence spans."""

    case_id: str | None
    rows: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    ur_denial_date: date | None = None
    priority: str | None = None
    synthetic: bool = False


def case_from_request(req: Any) -> Case:
    """A validated `CaseIn` as a pre-review `Case` record."""
    from features.letters import parse_guideline

    services = [
        ServiceDecision(
            item_index=i,
            heading=s.heading,
            service=s.service or s.heading,
            partial_ur_certification=s.partial_ur_certification,
            partial_certification_text=s.partial_certification_text,
            ur_guideline=parse_guideline(s.ur_guideline) if s.ur_guideline else None,
        )
        for i, s in enumerate(req.services)
    ]
    return Case(
        letter_id=req.case_id or "request",
        case_number=req.case_id,
        date_of_injury=req.date_of_injury,
        ur_denial_date=req.ur_denial_date,
        application_received=req.application_received,
        priority=req.priority,
        patient_age=req.patient_age,
        patient_sex=req.patient_sex,
        clinical_summary=req.clinical_summary,
        services=services,
    )


def prepare_case(
    case: Case, spec: FeatureSpec, case_id: str | None, overrides: list[dict[str, Any]] | None = None
) -> PreparedCase:
    """Rows and evidence for every service of `case`; `overrides[i]` replaces values of service i."""
    from features.table import feature_extractions

    rows: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    by_index = {s.item_index: s for s in case.services}
    for i, (item_index, heading, values) in enumerate(feature_extractions(case, spec)):
        svc = by_index.get(item_index)
        row: dict[str, Any] = {k: e.value for k, e in values.items()}
        spans = {k: e.span for k, e in values.items() if e.span is not None}
        if overrides is not None and overrides[i]:
            row.update(overrides[i])
            for k in overrides[i]:
                spans.pop(k, None)
        row["letter_id"] = case_id
        row["item_index"] = item_index
        row["service"] = (svc.service if svc is not None else None) or heading
        rows.append(row)
        evidence.append(spans)
    return PreparedCase(
        case_id, rows, evidence, list(case.parse_warnings), case.ur_denial_date, case.priority, case.synthetic
    )


def prepare_structured(req: Any, spec: FeatureSpec) -> PreparedCase:
    overrides = [
        s.features.model_dump(exclude_unset=True) if s.features is not None else {} for s in req.services
    ]
    return prepare_case(case_from_request(req), spec, req.case_id, overrides)


def prepare_text(text: str, spec: FeatureSpec, case_id: str | None, source: str = "request") -> PreparedCase:
    """Parse letter text; raises `LetterParseError` (a ValueError) with a reason a caller can act on."""
    from features.letters import parse_text

    case = parse_text(text, source)
    if not case.services:
        raise ValueError(f"{source}: no disputed services found in the text")
    return prepare_case(case, spec, case_id or case.case_number or case.letter_id)
