"""The outcome model: the governing section's criterion statuses plus a few context terms, then the
decision.

logit = intercept + family base + the sum of the active terms' contributions;
p = sigmoid(logit + e), e ~ N(0, noise_sd); the decision is a Bernoulli(p) draw from the letter's own
outcome stream (post-review).
Criterion terms: one per criterion of the service's governing section (`synthetic/latent_criteria.py`
finds the section and the statuses with the rules of `features/criteria.yaml`), worth
`outcome.criteria[<criterion family>][<status>]` in `outcome_model.yaml`: met raises the overturn
likelihood, unmet lowers it, not documented lies in between, not applicable adds nothing. Context
terms (UR cited no evidence, partial certification, priority, pain) are worth `outcome.coef`.
docs/synthetic-corpus.md explains each number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from synthetic.stream import Stream
from synthetic.tables import SynthTables

if TYPE_CHECKING:
    from synthetic.generative_model import SynthCase, SynthService
    from synthetic.latent_criteria import LatentChecklist

MEDICATION_FAMILIES = frozenset(
    {"opioids", "muscle_relaxants", "nsaids", "hypnotics", "topicals", "antidepressants",
     "anticonvulsants", "ppis"}
)
CONTEXT_TERMS = ("ur_no_evidence", "partial_certification", "expedited", "pain_per_point_over_6")
FOLLOWS_UPHELD_SURGERY = "associated_upheld_surgery"  # a marker: upheld whatever the logit


def criterion_terms(
    checklist: LatentChecklist | None, coefficients: Mapping[str, Mapping[str, float]]
) -> dict[str, float]:
    """Criterion family -> its status's contribution to the logit, for every applicable criterion of
    the governing section (a section has at most one criterion per family)."""
    if checklist is None:
        return {}
    out: dict[str, float] = {}
    for family, status in checklist.by_family().items():
        if status == "not_applicable":
            continue
        if family not in coefficients:
            raise KeyError(f"outcome_model.yaml: no coefficients for criterion family {family!r}")
        out[family] = float(coefficients[family][status])
    return out


def context_terms(case: SynthCase, svc: SynthService, coef: Mapping[str, float]) -> dict[str, float]:
    """The procedural and clinical-context terms (never guideline criteria)."""
    t: dict[str, float] = {}
    if case.ur_no_evidence:
        t["ur_no_evidence"] = float(coef["ur_no_evidence"])
    if svc.partial:
        t["partial_certification"] = float(coef["partial_certification"])
    if case.priority == "Expedited":
        t["expedited"] = float(coef["expedited"])
    t["pain_per_point_over_6"] = float(coef["pain_per_point_over_6"]) * (case.pain - 6)
    return t


def outcome_terms(case: SynthCase, svc: SynthService, outcome: Mapping[str, Any]) -> dict[str, float]:
    """Every active term of one service with its contribution to the logit. Associated services of
    a surgery take no criterion terms: they follow the surgery's decision (`decide`)."""
    terms = context_terms(case, svc, outcome["coef"])
    if not svc.associated:
        terms.update(criterion_terms(svc.checklist, outcome["criteria"]))
    return terms


def decide(case: SynthCase, s: Stream, tables: SynthTables) -> None:
    """Draw every service's decision from the logistic model (its own stream: post-review)."""
    out = tables.outcome
    surgery_decision: str | None = None
    for svc in case.services:
        terms = outcome_terms(case, svc, out)
        logit = out["intercept"] + out["family_base"].get(svc.family, 0.0) + sum(terms.values())
        follows_upheld_surgery = svc.associated and surgery_decision == "Upheld"
        if svc.associated and surgery_decision == "Overturned":
            terms["associated_follow"] = float(out["coef"]["associated_follow"])
            logit += terms["associated_follow"]
        # An unobserved per-service random effect, then a Bernoulli draw: irreducible noise.
        z = logit + s.normal(0.0, out["noise_sd"])
        u = s.uniform()
        if follows_upheld_surgery:  # no surgery, so nothing to associate with: always upheld
            terms, z = {FOLLOWS_UPHELD_SURGERY: 1.0}, -math.inf
        svc.terms = terms
        svc.logit = logit
        svc.p_overturn = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
        svc.decision = "Overturned" if u < svc.p_overturn else "Upheld"
        if svc.family == "surgery" and not svc.associated and surgery_decision is None:
            surgery_decision = svc.decision
