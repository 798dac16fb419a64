"""Scoring requests -> raw feature rows with evidence, through the same extractors as training.

Structured cases become a pre-review `Case` through `letters.structured` (no decision fields
exist on the request models), so the letter path and the JSON path share the extractors; values the
caller states explicitly override what the extractors read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from features.spec import FeatureSpec
from features.table import scoring_rows
from letters.records import Case
from letters.structured import GuidelineMemo, case_from_structured


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
    rows, evidence = scoring_rows(case, spec, case_id)
    for row, spans, override in zip(rows, evidence, overrides or [None] * len(rows), strict=True):
        if override:
            row.update(override)
            for k in override:
                spans.pop(k, None)
        row["letter_id"] = case_id
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
    from letters.parser import parse_text

    case = parse_text(text, source)
    if not case.services:
        raise ValueError(f"{source}: no disputed services found in the text")
    return prepare_case(case, spec, case_id or case.case_number or case.letter_id)
