"""The synthetic outcome model's conjunctive guideline rules (outcome_model.yaml `rules:`)."""

from __future__ import annotations

import pytest

from synthetic.generative_model import (
    STREAM_POST_TEXT,
    STREAM_PRE_TEXT,
    CaseGenerator,
    GeneratorSettings,
    SynthCase,
)
from synthetic.outcome import rule_terms
from synthetic.render import LetterRenderer
from synthetic.tables import SynthTables


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


def test_every_rule_has_a_reason_in_the_direction_of_its_coefficient():
    """A rule without reason text would make the rationale fall back to the generic sentence."""
    for shift in SynthTables.known_shifts():
        tables = SynthTables.load(shift)
        reasons = tables.phrases["reasons"]
        for name in tables.outcome["rules"]:
            assert name in reasons, f"phrases.yaml reasons: has no entry for rule {name!r}"
            direction = "overturned" if tables.outcome["coef"][name] > 0 else "upheld"
            assert reasons[name].get(direction, "").strip(), (shift, name, direction)


def test_rule_reasons_appear_only_in_the_post_review_rationale():
    gen = CaseGenerator(GeneratorSettings(seed=77))
    renderer = LetterRenderer(gen.tables)
    reasons = gen.tables.phrases["reasons"]
    texts = {reasons[r][d] for r in gen.tables.outcome["rules"] for d in ("overturned", "upheld")
             if reasons[r][d]}
    used: set[str] = set()
    for i in range(1500):
        case = gen.case(i)
        letter = renderer.render(case, gen.stream(i, STREAM_PRE_TEXT), gen.stream(i, STREAM_POST_TEXT))
        pre_review, post_review = letter.split("IMR ISSUES, DECISIONS AND RATIONALES")
        flat_pre, flat_post = " ".join(pre_review.split()), " ".join(post_review.split())
        assert not any(t in flat_pre for t in texts), case.case_number
        used |= {t for t in texts if t in flat_post}
    assert len(used) >= 5, used  # rule reasons reach the rationales (not the generic fallback)
