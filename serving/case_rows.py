"""Scoring requests -> raw feature rows with evidence, through the same extractors as training.

Structured cases become a pre-review `Case` through `features.structured_input` (no decision fields
exist on the request models), so the letter path and the JSON path share the extractors; values the
caller states explicitly override what the extractors read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from features.records import Case
from features.spec import FeatureSpec
from features.structured_input import GuidelineMemo, case_from_structured


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
        row: dict[str, Any] = {}
        spans: dict[str, Any] = {}
        for k, e in values.items():
            row[k] = e.value
            if e.span is not None:
                spans[k] = e.span
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


def prepare_structured(req: Any, spec: FeatureSpec, guidelines: GuidelineMemo | None = None) -> PreparedCase:
    """A validated `CaseIn`; pass one `guidelines` memo for all cases of a batch."""
    overrides = [
        s.features.model_dump(exclude_unset=True) if s.features is not None else {} for s in req.services
    ]
    return prepare_case(case_from_structured(req, guidelines), spec, req.case_id, overrides)


def prepare_text(text: str, spec: FeatureSpec, case_id: str | None, source: str = "request") -> PreparedCase:
    """Parse letter text; raises `LetterParseError` (a ValueError) with a reason a caller can act on."""
    from features.letters import parse_text

    case = parse_text(text, source)
    if not case.services:
        raise ValueError(f"{source}: no disputed services found in the text")
    return prepare_case(case, spec, case_id or case.case_number or case.letter_id)
