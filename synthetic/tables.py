"""Loads the generator's data tables (YAML next to this module) and applies a period shift.

The numbers live in YAML so that the documented model and the code cannot drift apart: the doc
quotes the tables, the code only reads them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from importlib import resources
from itertools import accumulate
from typing import Any

from features.package_data import parse_yaml


def _load(name: str) -> dict[str, Any]:
    text = resources.files("synthetic").joinpath(name).read_text(encoding="utf-8")
    return parse_yaml(text)


def cumulative(weights: list[float]) -> list[float]:
    return list(accumulate(float(w) for w in weights))


@dataclass(frozen=True)
class Choice:
    """Options with cumulative weights, ready for `Stream.weighted`."""

    options: list[Any]
    cum: list[float]

    @classmethod
    def of(cls, mapping: dict[Any, float]) -> Choice:
        return cls(list(mapping.keys()), cumulative(list(mapping.values())))


@dataclass(frozen=True)
class SynthTables:
    """Everything the generator reads: regions, service catalog, phrases, outcome model."""

    shift: str
    regions: dict[str, dict[str, Any]]
    region_choice: Choice
    families: dict[str, dict[str, Any]]
    family_choice: Choice
    item_choice: dict[str, Choice]
    associated: dict[str, Any]
    medication_headings: Choice
    continuation_templates: frozenset[str]
    phrases: dict[str, Any]
    specialty_choice: Choice
    licensure_choice: Choice
    mix: dict[str, Any]
    outcome: dict[str, Any]
    shift_description: str

    @classmethod
    def load(cls, shift: str = "none") -> SynthTables:
        regions = _load("regions.yaml")
        catalog = _load("catalog.yaml")
        phrases = _load("phrases.yaml")
        model = _load("outcome_model.yaml")
        shifts = model.get("shifts", {})
        if shift not in shifts:
            raise ValueError(f"unknown shift {shift!r}; known shifts: {', '.join(sorted(shifts))}")
        spec = shifts[shift] or {}
        mix = copy.deepcopy(model["case_mix"])
        mix.update(spec.get("case_mix", {}))
        outcome = copy.deepcopy(model["outcome"])
        outcome["intercept"] = float(outcome["intercept"]) + float(spec.get("intercept_delta", 0.0))
        outcome["coef"].update(spec.get("coef", {}))
        outcome["family_base"].update(spec.get("family_base", {}))
        for family, statuses in spec.get("criteria", {}).items():
            if family not in outcome["criteria"]:
                raise ValueError(f"outcome_model.yaml: shift {shift!r} changes unknown criterion family "
                                 f"{family!r}")
            outcome["criteria"][family].update(statuses)
        families = catalog["families"]
        factor = spec.get("family_weight_factor", {})
        fam_weights = {f: float(d["weight"]) * float(factor.get(f, 1.0)) for f, d in families.items()}
        licensure = phrases["licensure"]
        return cls(
            shift=shift,
            regions=regions,
            region_choice=Choice.of({k: v["weight"] for k, v in regions.items()}),
            families=families,
            family_choice=Choice.of(fam_weights),
            item_choice={
                f: Choice([it for it in d["items"]], cumulative([it["weight"] for it in d["items"]]))
                for f, d in families.items()
            },
            associated=catalog["associated"],
            medication_headings=Choice(
                [h for h, _ in catalog["medication_headings"]],
                cumulative([w for _, w in catalog["medication_headings"]]),
            ),
            continuation_templates=frozenset(catalog.get("continuation_templates", ())),
            phrases=phrases,
            specialty_choice=Choice.of(phrases["specialties"]),
            licensure_choice=Choice(
                [k.split(",") for k in licensure],
                cumulative(list(licensure.values())),
            ),
            mix=mix,
            outcome=outcome,
            shift_description=str(spec.get("description", "")).strip(),
        )

    def study_name(self, item_key: str) -> tuple[str, str]:
        """How the summary names an earlier study of an imaging item's kind: with its article, and alone."""
        with_article, alone = self.phrases["study_names"][item_key]
        return str(with_article), str(alone)

    @staticmethod
    def known_shifts() -> list[str]:
        return sorted(_load("outcome_model.yaml").get("shifts", {}))
