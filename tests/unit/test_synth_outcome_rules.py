"""The synthetic outcome model's conjunctive guideline rules (outcome_model.yaml `rules:`)."""

from __future__ import annotations

import pytest

from features.synth.generative_model import CaseGenerator, GeneratorSettings, SynthCase
from features.synth.outcome import rule_terms
from features.synth.tables import SynthTables


@pytest.fixture(scope="module")
def cases() -> list[SynthCase]:
    gen = CaseGenerator(GeneratorSettings(seed=77))
    return [gen.case(i) for i in range(4000)]


def _mean_p(services) -> float:
    services = list(services)
    assert len(services) > 30, len(services)
    return sum(s.p_overturn for s in services) / len(services)


def test_every_rule_has_a_coefficient_and_names_real_variables(cases):
    out = SynthTables.load().outcome
    assert out["rules"], "the outcome model declares conjunctive rules"
    assert set(out["rules"]) <= set(out["coef"])
    svc, case = cases[0].services[0], cases[0]
    for conds in out["rules"].values():
        assert all(hasattr(svc, v) or hasattr(case, v) for v in conds), conds


def test_imaging_rule_fires_only_when_every_criterion_holds(cases):
    rules = SynthTables.load().outcome["rules"]
    seen = {True: 0, False: 0}
    for c in cases:
        for s in c.services:
            want = (s.family == "imaging" and s.item_key in ("mri", "ct") and c.neuro_deficit
                    and s.prior_imaging is False and c.failed_conservative == "yes" and not s.associated)
            assert ("imaging_criteria_met" in rule_terms(c, s, rules)) == want
            assert ("imaging_criteria_met" in s.terms) == want
            seen[want] += 1
    assert seen[True] > 20 and seen[False] > 1000


def test_one_missing_criterion_loses_the_rule_effect(cases):
    """PT continuation: few prior visits AND documented improvement beats either one alone."""
    pm = [(c, s) for c in cases for s in c.services
          if s.family == "physical_medicine" and not s.associated and s.prior_sessions]
    both = [s for c, s in pm if s.prior_sessions <= 10 and c.functional_improvement == "yes"]
    few_only = [s for c, s in pm if s.prior_sessions <= 10 and c.functional_improvement != "yes"]
    assert _mean_p(both) > _mean_p(few_only) + 0.08


def test_rule_naming_an_unknown_variable_is_refused(cases):
    c = cases[0]
    with pytest.raises(KeyError, match="no_such_variable"):
        rule_terms(c, c.services[0], {"bad": {"no_such_variable": 1}})


def test_range_conditions_never_match_a_missing_value(cases):
    c = next(c for c in cases if any(s.family == "imaging" and not s.associated for s in c.services))
    s = next(s for s in c.services if s.family == "imaging" and not s.associated)
    assert s.prior_sessions is None
    assert rule_terms(c, s, {"r": {"prior_sessions": {"min": 0}}}) == {}
    not_in = {"r": {"prior_sessions": {"not_in": [1, 2]}, "family": ["imaging"]}}
    assert rule_terms(c, s, not_in) == {"r": 1.0}
