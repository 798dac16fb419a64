"""The outcome model: which guideline-logic terms are active for a service, then the decision.

logit = intercept + family base + sum(coef * term); p = sigmoid(logit + e), e ~ N(0, noise_sd);
the decision is a Bernoulli(p) draw from the letter's own outcome stream (post-review).
Two kinds of term: single-condition terms coded below, and conjunctive guideline rules declared as
data (`outcome.rules` in `outcome_model.yaml`), which fire only when ALL their conditions hold, as
real guideline criteria do. Coefficients of both live in `outcome.coef` (so a period shift can
change either); docs/synthetic-corpus.md explains each term.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from synthetic.stream import Stream
from synthetic.tables import SynthTables

if TYPE_CHECKING:
    from synthetic.generative_model import SynthCase, SynthService

MEDICATION_FAMILIES = frozenset(
    {"opioids", "muscle_relaxants", "nsaids", "hypnotics", "topicals", "antidepressants",
     "anticonvulsants", "ppis"}
)

def _value(case: SynthCase, svc: SynthService, var: str) -> Any:
    """A latent variable by name: the service's own first, then the letter's."""
    if hasattr(svc, var):
        return getattr(svc, var)
    if hasattr(case, var):
        return getattr(case, var)
    raise KeyError(f"outcome rule refers to unknown latent variable {var!r}")


def _holds(value: Any, cond: Any) -> bool:
    """One rule condition: a scalar means equality, a list membership, a mapping a range
    (`min`/`max`, inclusive; a missing value never satisfies it) or `not_in`."""
    if isinstance(cond, dict):
        if "not_in" in cond:
            return value not in cond["not_in"]
        if value is None:
            return False
        return cond.get("min", -math.inf) <= value <= cond.get("max", math.inf)
    if isinstance(cond, list):
        return value in cond
    return value == cond


def rule_terms(case: SynthCase, svc: SynthService, rules: dict[str, dict[str, Any]]) -> dict[str, float]:
    """The conjunctive guideline rules that fire for a service (all conditions hold). Associated
    services of a surgery follow the surgery's decision instead."""
    if svc.associated:
        return {}
    return {
        name: 1.0
        for name, conds in rules.items()
        if all(_holds(_value(case, svc, var), cond) for var, cond in conds.items())
    }


def outcome_terms(
    case: SynthCase, svc: SynthService, rules: dict[str, dict[str, Any]] | None = None
) -> dict[str, float]:
    """The active terms of the logistic outcome model for one service (value 1 unless stated):
    the single-condition terms below plus the conjunctive `rules` (from `outcome_model.yaml`)."""
    t: dict[str, float] = {}
    fam = svc.family
    if case.ur_no_evidence:
        t["ur_no_evidence"] = 1.0
    if svc.partial:
        t["partial_certification"] = 1.0
    if case.priority == "Expedited":
        t["expedited"] = 1.0
    t["pain_per_point_over_6"] = float(case.pain - 6)
    if fam == "imaging":
        if case.neuro_deficit and not svc.prior_imaging:
            t["imaging_neuro_no_prior"] = 1.0
        if svc.prior_imaging:
            t["imaging_prior_same_region"] = 1.0
        if case.red_flag:
            t["imaging_red_flag"] = 1.0
        elif case.days_injury_to_ur < 28:
            t["imaging_early_no_flag"] = 1.0
    if fam == "electrodiagnostics" and case.neuro_deficit:
        t["edx_neuro_deficit"] = 1.0
    if fam in ("electrodiagnostics", "injections", "surgery", "functional_restoration"):
        if case.failed_conservative == "yes":
            t["failed_conservative_yes"] = 1.0
        elif case.failed_conservative == "no":
            t["failed_conservative_no"] = 1.0
    if fam == "surgery" and case.red_flag in ("fracture", "trauma", "infection", "cauda_equina"):
        t["surgery_red_flag"] = 1.0
    continuing = False
    if fam == "physical_medicine" and svc.prior_sessions is not None:
        if svc.prior_sessions == 0:
            t["pm_initial_course"] = 1.0
        else:
            continuing = True
            if svc.prior_sessions > 12:
                t["pm_many_prior"] = 1.0
    if fam in MEDICATION_FAMILIES and svc.drug_months:
        continuing = True
        if fam == "muscle_relaxants" and svc.drug_months > 1:
            t["relaxant_long_use"] = 1.0
        if fam == "opioids" and svc.drug_months > 3:
            t["opioid_long_use"] = 1.0
        if fam == "hypnotics" and svc.drug_months > 1:
            t["hypnotic_long_use"] = 1.0
    if continuing and not svc.associated:
        if case.functional_improvement == "yes":
            t["continuation_function_yes"] = 1.0
        elif case.functional_improvement == "no":
            t["continuation_function_no"] = 1.0
    if svc.item_key == "carisoprodol":
        t["carisoprodol"] = 1.0
    if svc.compound:
        t["compound_topical"] = 1.0
    if rules:
        t.update(rule_terms(case, svc, rules))
    return t


def decide(case: SynthCase, s: Stream, tables: SynthTables) -> None:
    """Draw every service's decision from the logistic model (its own stream: post-review)."""
    out = tables.outcome
    coef = out["coef"]
    surgery_decision: str | None = None
    for svc in case.services:
        terms = outcome_terms(case, svc, out.get("rules"))
        logit = out["intercept"] + out["family_base"].get(svc.family, 0.0)
        logit += sum(coef[k] * v for k, v in terms.items())
        follows_upheld_surgery = svc.associated and surgery_decision == "Upheld"
        if svc.associated and surgery_decision == "Overturned":
            logit += coef["associated_follow"]
            terms["associated_follow"] = 1.0
        # An unobserved per-service random effect, then a Bernoulli draw: irreducible noise.
        z = logit + s.normal(0.0, out["noise_sd"])
        u = s.uniform()
        if follows_upheld_surgery:  # no surgery, so nothing to associate with: always upheld
            terms, z = {"associated_upheld_surgery": 1.0}, -math.inf
        svc.terms = terms
        svc.logit = logit
        svc.p_overturn = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
        svc.decision = "Overturned" if u < svc.p_overturn else "Upheld"
        if svc.family == "surgery" and not svc.associated and surgery_decision is None:
            surgery_decision = svc.decision


