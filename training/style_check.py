"""Writer style must not matter: each letter's Clinical Case Summary rewritten the way another writer
would put it (`features.style.rewrite_style`: injured worker <-> patient <-> claimant <-> applicant, with
and without he <-> she, "IW", "employee", "injured employee" with he <-> she, and the worker's name with
its honorific, "Ms. Roe"), re-scored through the same
`Predictor`; no probability and no fact may move.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from features.spec import Dtype, FeatureSpec
from features.style import rewrite_style
from features.table import scoring_rows
from letters.records import Case
from model.predictor import Predictor

PERSONS = ("injured worker", "patient", "claimant", "applicant")
# other writers' names for the worker, each with he <-> she (session 22: facts read "the IW" alike)
OTHER_NAMES = ("IW", "employee", "injured employee")
# the worker by name, as some writers put it ("Ms. Roe underwent ..."): the honorific follows the letter's sex
NAMED = "name"
REWRITES: tuple[tuple[str, bool], ...] = tuple((p, s) for p in PERSONS for s in (False, True)) + tuple(
    (p, True) for p in OTHER_NAMES) + ((NAMED, False),)
TOLERANCE = 0.01  # target: no probability moves by more than this


def named_person(case: Case) -> str:
    """The worker's name with the honorific the letter's sex calls for (a made-up surname): a rewrite to a
    name must not also change the sex the letter states."""
    honorific = {"female": "Ms.", "male": "Mr."}.get(str(case.patient_sex or "").lower(), "Mx.")
    return f"{honorific} Roe"


def rewrite_case(case: Case, person: str, swap: bool) -> Case:
    """The case with its summary rewritten: `person` a rewrite form, or `NAMED` for the worker's name."""
    who = named_person(case) if person == NAMED else person
    summary = rewrite_style(case.clinical_summary, person=who, swap_pronouns=swap)
    return case.model_copy(update={"clinical_summary": summary})


def rewrite_name(person: str, swap: bool) -> str:
    return person.replace(" ", "-") + ("+he/she" if swap else "")


_NAMES = tuple(rewrite_name(*r) for r in REWRITES)


def _same(a: Any, b: Any) -> bool:
    if a is None or (isinstance(a, float) and np.isnan(a)) or a is pd.NA:
        return b is None or (isinstance(b, float) and np.isnan(b)) or b is pd.NA
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


@dataclass
class StyleResult:
    """Over a batch: the largest probability change, the (service, fact) cells that changed under any
    rewrite, and how many summaries each rewrite reached (so a pass is not for want of anything to
    rewrite)."""

    letters: int = 0
    services: int = 0
    max_abs_change: float = 0.0
    max_by_rewrite: dict[str, float] = field(default_factory=lambda: dict.fromkeys(_NAMES, 0.0))
    reached_by_rewrite: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_NAMES, 0))
    changed_cells: set[tuple[str, int, str]] = field(default_factory=set)

    def add_letter(self, case: Case, predictor: Predictor) -> None:
        """Rewrite one letter every way and compare its scores and facts with the original's."""
        spec = predictor.model.input_spec
        facts = _fact_names(spec)
        rows, _ = scoring_rows(case, spec)
        before = predictor.predict_proba(rows)
        self.letters += 1
        self.services += len(rows)
        number = str(case.case_number or case.letter_id)
        for person, swap in REWRITES:
            name = rewrite_name(person, swap)
            other = rewrite_case(case, person, swap)
            if other.clinical_summary != case.clinical_summary:
                self.reached_by_rewrite[name] += 1
            rows_after, _ = scoring_rows(other, spec)
            change = float(np.abs(predictor.predict_proba(rows_after) - before).max()) if rows else 0.0
            self.max_by_rewrite[name] = max(self.max_by_rewrite[name], change)
            self.max_abs_change = max(self.max_abs_change, change)
            for a, b in zip(rows, rows_after, strict=True):
                for f in facts:
                    if not _same(a.get(f), b.get(f)):
                        self.changed_cells.add((number, int(a["item_index"]), f))

    def merge(self, other: StyleResult) -> None:
        """Add another batch's result (one letter's, checked before it joins the batch)."""
        self.letters += other.letters
        self.services += other.services
        self.max_abs_change = max(self.max_abs_change, other.max_abs_change)
        for k, v in other.max_by_rewrite.items():
            self.max_by_rewrite[k] = max(self.max_by_rewrite[k], v)
        for k, c in other.reached_by_rewrite.items():
            self.reached_by_rewrite[k] += c
        self.changed_cells |= other.changed_cells

    def as_dict(self) -> dict[str, object]:
        return {
            "letters": self.letters,
            "services": self.services,
            "rewrites": [rewrite_name(*r) for r in REWRITES],
            "max_abs_probability_change": self.max_abs_change,
            "target_max_abs_probability_change": TOLERANCE,
            "max_abs_probability_change_by_rewrite": self.max_by_rewrite,
            "summaries_changed_by_rewrite": self.reached_by_rewrite,
            "changed_fact_cells": len(self.changed_cells),
            "changed_facts": sorted({f for _, _, f in self.changed_cells}),
            "changed_cells": [f"{c} item {i}: {f}" for c, i, f in sorted(self.changed_cells)],
        }


def _fact_names(spec: FeatureSpec) -> list[str]:
    """Every extracted fact: the features but the raw text the text signal reads (it changes by design)."""
    return [f.name for f in spec.features if f.dtype != Dtype.TEXT]
