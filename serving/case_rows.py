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
from features.table import letter_scoring_rows
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
    # Row i's guideline checklist (features.checklist.ServiceChecklist), None where there is none: the
    # predictor turns it into the per-criterion explanation (`Predictor.explain(checklists=...)`).
    checklists: list[Any] | None = None


def prepare_case(
    case: Case, spec: FeatureSpec, case_id: str | None, overrides: list[dict[str, Any]] | None = None
) -> PreparedCase:
    """Rows, evidence and guideline checklists for every service of `case`; `overrides[i]` replaces
    values of service i (and leaves out its checklist when it states a value the checklist reads)."""
    from model.explanations import checklists_for

    scored = letter_scoring_rows(case, spec, case_id)  # one analysis of the letter: rows and checklists
    rows, evidence, checklists = scored.rows, scored.evidence, checklists_for(scored)
    warnings = list(case.parse_warnings)
    for i, (row, spans, override) in enumerate(zip(rows, evidence, overrides or [None] * len(rows),
                                                   strict=True)):  # fmt: skip
        if override:
            row.update(override)
            for k in override:
                spans.pop(k, None)
            stated = sorted(set(override) & checklist_inputs(checklists[i]))
            if stated:
                checklists[i] = None
                warnings.append(f"item_index {row['item_index']}: no guideline checklist: the stated "
                                f"{', '.join(stated)} "
                                "would contradict the checklist read from the text")  # fmt: skip
        row["letter_id"] = case_id
    return PreparedCase(
        case_id, rows, evidence, warnings, case.ur_denial_date, case.priority, case.synthetic, checklists
    )


def checklist_inputs(checklist: Any) -> set[str]:
    """The features a checklist reads (statuses, counts, the facts behind its criteria and the section
    choice): a stated value for any of them would make the checklist disagree with the scored row."""
    from features.checklist import SELECTION_FACTS
    from features.criteria import load_criteria

    if checklist is None:
        return set()
    table = load_criteria()
    out = set(SELECTION_FACTS) | set(table.family_columns.values())
    out |= {"criteria_met", "criteria_unmet", "criteria_not_documented", "service_phase"}
    if checklist.section_id is not None:
        for crit in table.section_criteria(checklist.section_id):
            for fact in crit.facts:
                out.update(table.feature_sources(fact))
    return out


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
