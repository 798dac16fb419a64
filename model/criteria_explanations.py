"""A scored service explained the way a reviewer checks it: one log-odds per criterion of its governing
guideline section, the rest reported apart as context, and what-if rows for the criteria not documented.

A criterion's log-odds is the TreeSHAP contribution of its status column (unmet < not documented < met,
trained with a monotone constraint), so a met criterion never lowers the likelihood and an unmet one never
raises it. A model that also reads the facts behind a criterion on their own (the SYNTHETIC demo recipe reads
sessions requested, failed care ...) learned their effect apart from the guideline's direction: each is a
context item naming the criterion it feeds (`features.criteria.CriteriaTable.feature_groups` says which),
never summed into it. Everything else the model reads (procedural and case factors, facts no criterion of
the section reads, the family prior, a text score) is `context` too, one item per factor, never worded as
a guideline criterion. Which criteria
apply to the request (the applying criteria's baselines and the status columns of criteria that do not
apply or that the section lacks) is one context item, `criteria_that_apply`. Criterion and context
log-odds add up to the raw score minus the expected value. Used by `model.predictor.Predictor.explain`,
the one place that scores.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict

from features.checklist import ServiceChecklist, what_if_met
from features.criteria import CriteriaTable, load_criteria
from model.reasons import ZERO_CONTRIBUTION, display_value
from model.row_columns import RowColumns
from model.text_signal import load_display

NOTES_FILE = "context_notes.yaml"
COUNT_COLUMNS = ("criteria_met", "criteria_unmet", "criteria_not_documented")
APPLICABILITY = "criteria_that_apply"  # the context item of which criteria apply to the request
WHAT_IF_LABEL = "what-if: the likelihood if the letter documented this criterion as met"


class ContextNotes(BaseModel):
    """`context_notes.yaml`: the note of each kind of context factor."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kinds: dict[str, str]
    derived: dict[str, str]


@lru_cache(maxsize=1)
def load_notes() -> ContextNotes:
    text = resources.files("model").joinpath(NOTES_FILE).read_text(encoding="utf-8")
    notes = ContextNotes.model_validate(yaml.safe_load(text))
    needed = {"procedural", "clinical", "behind_criterion", "not_applicable", "no_section", "counts",
              "applicability"}
    missing = sorted(needed - set(notes.kinds)) + ([] if "default" in notes.derived else ["derived.default"])
    if missing:
        raise ValueError(f"model/{NOTES_FILE}: notes missing for {missing}")
    return notes


class CriteriaExplainer:
    """Built once per model: which encoded columns make each context factor, the criteria table and a
    cache of each section's criterion -> features grouping over the model's features."""

    def __init__(
        self,
        features: Sequence[str],
        encoded_columns: Sequence[str],
        feature_of_column: Sequence[str],
        derived: Sequence[Any] = (),
        table: CriteriaTable | None = None,
        *,
        status_baselines: Mapping[str, float] | None = None,
    ) -> None:
        self.table = table or load_criteria()
        self.features = list(features)
        self.notes = load_notes()
        self.text_display = load_display()
        derived_by_name = {d.name: d for d in derived}
        # A factor is a spec feature's own columns, or one derived column (the family prior, a text score)
        # on its own, so a prior computed from `service_family` is never summed into anything else.
        self.units: list[str] = list(self.features)
        self.derived: dict[int, Any] = {}  # unit index -> derived column
        unit_of_column: list[int] = []
        index = {f: j for j, f in enumerate(self.features)}
        for col, owner in zip(encoded_columns, feature_of_column, strict=True):
            d = derived_by_name.get(col)
            if d is None:
                unit_of_column.append(index[owner])
            else:
                self.derived[len(self.units)] = d
                unit_of_column.append(len(self.units))
                self.units.append(col)
        self.matrix = np.zeros((len(unit_of_column), len(self.units)))
        self.matrix[np.arange(len(unit_of_column)), unit_of_column] = 1.0
        self.unit_index = {u: j for j, u in enumerate(self.units[: len(self.features)])}
        # a status column's mean share over the services its criterion applied to (Predictor.status_baselines)
        baselines = status_baselines or {}
        self.baseline = {self.unit_index[f]: b for f, b in baselines.items() if f in self.unit_index}
        self._status_columns = frozenset(self.table.family_columns.values())
        self._groups: dict[str, tuple[dict[str, list[int]], dict[int, str]]] = {}

    def groups(self, section_id: str) -> dict[str, list[int]]:
        """Criterion id -> the factor indices summed into it: its status column, the one feature whose
        direction the guideline fixes (session 22: summing the facts behind it too gave the demo model 18
        sign contradictions on 451 met or unmet tune criteria)."""
        return self._grouping(section_id)[0]

    def fed_by(self, section_id: str) -> dict[int, str]:
        """Factor index -> the criterion id whose facts it holds (reported as context naming it)."""
        return self._grouping(section_id)[1]

    def _grouping(self, section_id: str) -> tuple[dict[str, list[int]], dict[int, str]]:
        found = self._groups.get(section_id)
        if found is None:
            groups = self.table.feature_groups(section_id, self.features)
            status: dict[str, list[int]] = {}
            facts: dict[int, str] = {}
            for cid, fs in groups.items():
                if cid == "context":
                    continue
                status[cid] = [self.unit_index[f] for f in fs if f in self._status_columns]
                facts.update({self.unit_index[f]: cid for f in fs if f not in self._status_columns})
            found = self._groups[section_id] = (status, facts)
        return found

    # ---- explanations --------------------------------------------------------------------------
    def explain(
        self,
        values: np.ndarray,
        columns: RowColumns,
        checklists: Sequence[ServiceChecklist | None],
    ) -> list[dict[str, Any] | None]:
        """Per row: `governing_guideline`, `summary`, `checklist` (criteria with their log-odds) and
        `context`, shaped like `ServiceExplanation`; None for a row without a checklist."""
        if len(checklists) != columns.n:
            raise ValueError(f"{len(checklists)} checklists for {columns.n} rows")
        per_unit = np.asarray(values, dtype=np.float64) @ self.matrix
        derived_values = {j: d.values(columns) for j, d in self.derived.items()} if self.derived else {}
        cache: dict[str, list[Any]] = {}

        def value(j: int, i: int) -> Any:
            if j in derived_values:
                v = float(derived_values[j][i])
                kind = getattr(self.derived[j], "kind", None)
                return 1.0 / (1.0 + math.exp(-v)) if kind == "family_prior" else v
            name = self.units[j]
            if name not in cache:
                cache[name] = columns.values(name)
            return display_value(cache[name][i])

        out: list[dict[str, Any] | None] = []
        for i, cl in enumerate(checklists):
            if cl is None:
                out.append(None)
                continue
            row = per_unit[i]
            groups = self.groups(cl.section_id) if cl.section_id else {}
            fed = self.fed_by(cl.section_id) if cl.section_id else {}
            names = {item.criterion_id: item.criterion for item in cl.checklist}
            used: set[int] = set()
            inapplicable: dict[int, str] = {}
            items = []
            # which criteria apply (what kind of request this is), one context item: the applying criteria's
            # baselines plus the shares of the status columns of criteria that do not apply or that the
            # section lacks
            applies = 0.0
            for item in cl.checklist:
                members = groups.get(item.criterion_id, [])
                if item.status == "not_applicable":
                    inapplicable.update(dict.fromkeys(members, item.criterion))
                    log_odds = 0.0
                else:
                    base = sum(self.baseline.get(m, 0.0) for m in members)
                    used.update(members)
                    applies += base
                    log_odds = (float(row[members].sum()) - base) if members else 0.0
                items.append({
                    "criterion_id": item.criterion_id,
                    "criterion": item.criterion,
                    "citation": item.citation.model_dump(),
                    "status": item.status,
                    "evidence": [e.model_dump() for e in item.evidence],
                    "log_odds": log_odds,
                })
            context = []
            for j in np.flatnonzero(np.abs(row) > ZERO_CONTRIBUTION):
                if j in used:
                    continue
                if self.units[j] in self._status_columns:  # the status column of a criterion that does not
                    applies += float(row[j])  # apply here or of a family the section lacks: which apply
                    continue
                context.append({
                    "feature": self.units[j],
                    "value": value(j, i),
                    "log_odds": float(row[j]),
                    "note": self._note(j, cl, inapplicable.get(j), float(row[j]),
                                       feeds=names.get(fed.get(j, ""))),
                })
            if abs(applies) > ZERO_CONTRIBUTION:
                context.append({
                    "feature": APPLICABILITY,
                    "value": sum(item["status"] != "not_applicable" for item in items),
                    "log_odds": applies,
                    "note": self.notes.kinds["applicability"],
                })
            context.sort(key=lambda c: -abs(c["log_odds"]))
            out.append({
                "governing_guideline": (
                    None if cl.governing_guideline is None else cl.governing_guideline.model_dump()
                ),
                "summary": cl.summary,
                "checklist": items,
                "context": context,
            })
        return out

    def _note(self, j: int, cl: ServiceChecklist, criterion: str | None, log_odds: float,
              feeds: str | None = None) -> str:
        kinds = self.notes.kinds
        name = self.units[j]
        if name == self.text_display.feature:
            said = self.text_display.raises if log_odds > 0 else self.text_display.lowers
            return f"{self.text_display.phrase}: {said}; context, not a guideline criterion"
        if j in self.derived:
            kind = getattr(self.derived[j], "kind", "")
            return self.notes.derived.get(kind, self.notes.derived["default"])
        if criterion is not None:
            return kinds["not_applicable"].format(criterion=criterion)
        if cl.section_id is None:
            return kinds["no_section"]
        if name in self.table.context_features:
            return kinds["procedural"]
        if name in COUNT_COLUMNS:
            return kinds["counts"]
        if feeds is not None:
            return kinds["behind_criterion"].format(criterion=feeds)
        return kinds["clinical"]

    # ---- what-ifs ------------------------------------------------------------------------------
    def what_if_rows(
        self, rows: pd.DataFrame | Sequence[Mapping[str, Any]], checklists: Sequence[ServiceChecklist | None]
    ) -> list[tuple[int, str, str, dict[str, Any]]]:
        """(row index, criterion id, criterion, feature row as if documented as met) for every criterion
        not documented that has a met rule, for the predictor to score as a what-if."""
        out = []
        for i, cl in enumerate(checklists):
            if cl is None or cl.section_id is None:
                continue
            pending = [c for c in cl.checklist if c.status == "not_documented"]
            if not pending:
                continue
            row = rows.iloc[i].to_dict() if isinstance(rows, pd.DataFrame) else dict(rows[i])
            for item in pending:
                changed = what_if_met(self.table, row, cl, item.criterion_id)
                if changed is not None:
                    out.append((i, item.criterion_id, item.criterion, changed))
        return out

