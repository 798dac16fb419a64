"""SYNTHETIC scored services for the dashboard benchmark, demo screenshots and tests.

These rows are fabricated (no letter, no model): they exist to fill the scores database at the
scale the dashboard must handle. Every row is flagged `synthetic=True` and letter ids start with
`SYNTH-`, so they can never be mistaken for real scores.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from features.package_data import parse_yaml
from model.predictor import RiskBands
from serving.scores_db import CalibrationPoint, ModelRunRow, ScoreRow

SPEC_FILE = "synthetic_scores.yaml"


def _load_spec() -> dict[str, Any]:
    text = resources.files("serving").joinpath("data", SPEC_FILE).read_text(encoding="utf-8")
    return parse_yaml(text)


def synthetic_score_rows(
    n_services: int,
    *,
    seed: int = 0,
    model_name: str = "imr-overturn",
    model_version: str = "1",
    bands: RiskBands | None = None,
    scored_at: datetime | None = None,
    checklist: bool = False,
) -> list[ScoreRow]:
    """`n_services` SYNTHETIC scored services in letters of 1-4 services each (deterministic per seed);
    with `checklist`, each also carries a SYNTHETIC per-criterion checklist (issue #18's shape)."""
    import numpy as np

    spec = _load_spec()
    rng = np.random.default_rng(seed)
    bands = bands or RiskBands()

    def pick(name: str, size: int) -> tuple[list[str], np.ndarray]:
        levels = list(spec[name])
        w = np.array([spec[name][k]["weight"] for k in levels], dtype=float)
        idx = rng.choice(len(levels), size=size, p=w / w.sum())
        shifts = np.array([spec[name][k]["shift"] for k in levels])[idx]
        return [levels[i] for i in idx], shifts

    families, s_fam = pick("service_families", n_services)
    regions, s_reg = pick("body_regions", n_services)
    guides, s_gui = pick("ur_guideline_sources", n_services)
    start, end = spec["denial_date_start"], spec["denial_date_end"]
    span = (end - start).days
    rows: list[ScoreRow] = []
    i = 0
    letter = 0
    while i < n_services:
        k = int(min(rng.integers(1, 5), n_services - i))
        denial = start + timedelta(days=int(rng.integers(0, span + 1)))
        priority, s_pri = pick("priorities", 1)
        trend = spec["time_trend_log_odds"] * (denial - start).days / max(span, 1)
        for item in range(k):
            j = i + item
            z = spec["base_log_odds"] + s_fam[j] + s_reg[j] + s_gui[j] + s_pri[0] + trend + rng.normal(0, 0.9)
            p = float(1.0 / (1.0 + np.exp(-z)))
            reasons = [
                {
                    "feature": feat,
                    "value": val,
                    "direction": "raises" if lo >= 0 else "lowers",
                    "log_odds": lo,
                    "probability_effect": p - float(1.0 / (1.0 + np.exp(lo - z))),
                }
                for feat, val, lo in (
                    ("service_family", families[j], float(s_fam[j])),
                    ("ur_guideline_source", guides[j], float(s_gui[j])),
                    ("service_region", regions[j], float(s_reg[j])),
                )
            ]
            reasons.sort(key=lambda r: -abs(r["log_odds"]))
            rows.append(
                ScoreRow(
                    letter_id=f"SYNTH-{seed:02d}-{letter:07d}",
                    item_index=item,
                    service_heading=f"SYNTHETIC {families[j].replace('_', ' ')} request ({regions[j]})",
                    service_family=families[j],
                    body_region=regions[j],
                    ur_guideline_source=guides[j],
                    ur_denial_date=denial,
                    priority=priority[0],
                    probability=p,
                    risk_band=bands.label(p),
                    top_reasons=reasons,
                    model_name=model_name,
                    model_version=model_version,
                    scored_at=scored_at,
                    synthetic=True,
                    **(_explained(spec, rng, regions[j], priority[0]) if checklist else {}),
                )
            )
        i += k
        letter += 1
    return rows


def _explained(spec: dict[str, Any], rng: Any, region: str, priority: str) -> dict[str, Any]:
    """A SYNTHETIC checklist with its summary line and one context factor (the ScoreRow fields)."""
    items = _checklist(spec, rng, region)
    c = spec["checklist_citation"]
    counts = {st: sum(i["status"] == st for i in items) for st in ("not_documented", "unmet", "met")}
    parts = [f"{k} {st.replace('_', ' ')}" for st, k in counts.items() if k]
    summary = f"{c['guideline']} {c['chapter']}, {c['section']}: {len(items)} criteria: " + ", ".join(parts)
    context = [{"feature": "priority", "value": priority, "log_odds": float(rng.normal(0, 0.1)),
                "note": "SYNTHETIC context factor; not a guideline criterion"}]  # fmt: skip
    return {"checklist": items, "summary": summary, "context": context}


def _checklist(spec: dict[str, Any], rng: Any, region: str) -> list[dict[str, Any]]:
    """Criteria in the contract's shape (ids, citation, met / unmet / not documented, log-odds of the sign
    the status says); a not-documented one carries a SYNTHETIC what-if likelihood."""
    statuses = spec["checklist_statuses"]
    out = []
    for criterion_id, criterion in spec["checklist_criteria"].items():
        status = statuses[int(rng.integers(0, len(statuses)))]
        noise = abs(float(rng.normal(0, 0.05)))
        lo = {"met": 0.3 + noise, "unmet": -0.4 - noise}.get(status, float(rng.normal(0, 0.05)))
        evidence = (
            []
            if status == "not_documented"
            else [{"text": f"SYNTHETIC note on the {region} region.", "section": "clinical_summary",
                   "start": 0, "end": 30, "author": None}]
        )  # fmt: skip
        item = {"criterion_id": criterion_id, "criterion": criterion, "citation": spec["checklist_citation"],
                "status": status, "evidence": evidence, "log_odds": lo}  # fmt: skip
        if status == "not_documented":
            item["likelihood_if_met"] = float(rng.uniform(0.05, 0.6))
        out.append(item)
    return out


def synthetic_model_run(model_name: str = "imr-overturn", model_version: str = "1") -> ModelRunRow:
    """A SYNTHETIC, slightly over-confident reliability curve for the demo model."""
    points = []
    for b in range(10):
        predicted = (b + 0.5) / 10
        observed = min(1.0, max(0.0, 0.05 + 0.85 * predicted))
        points.append(CalibrationPoint(predicted=predicted, observed=observed, count=200 - 15 * b))
    return ModelRunRow(
        model_name=model_name,
        model_version=model_version,
        calibration=points,
        metrics={"roc_auc": 0.71, "brier": 0.21, "synthetic": 1.0},
    )
