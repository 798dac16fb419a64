"""The guideline criteria table (features/criteria.yaml) validates and is complete: every reference
resolves, every fact exists in the feature spec, every section has dated editions, every criterion's
rules are unambiguous over all combinations of its facts, and the model columns match the families."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import numpy as np
import pytest
import yaml
from package_tables import raw_criteria
from row_checks import check_rows

from features.criteria import (
    STATUSES,
    CriteriaTable,
    NumericTest,
    clause_holds,
    load_criteria,
)
from features.extractors import registered_extractors
from features.spec import Dtype, load_spec

TABLE = load_criteria()
SPEC = load_spec()


def test_every_fact_is_a_spec_feature_or_a_derived_fact() -> None:
    assert TABLE.fact_errors(SPEC.names) == []


def test_every_section_resolves_to_dated_editions_chapters_and_criteria() -> None:
    for sid, section in TABLE.sections.items():
        for e in section.editions:
            edition = TABLE.editions[e.edition]
            assert isinstance(edition.applies_from, date), sid
            chapter = TABLE.chapters[e.chapter or section.chapter]
            assert chapter.title and chapter.guideline == edition.guideline, (sid, e.edition)
        guideline = TABLE.editions[section.editions[0].edition].guideline
        for key in section.chapter_by_region.values():
            assert TABLE.chapters[key].guideline == guideline, sid
        assert [c.id for c in TABLE.section_criteria(section)] == section.criteria


def test_each_family_has_one_model_column_and_extractor() -> None:
    columns = {f.name for f in SPEC.features if f.name.startswith("crit_")}
    assert columns == set(TABLE.family_columns.values())
    for column in columns:
        feature = SPEC.feature(column)
        assert feature.dtype == Dtype.CATEGORICAL and feature.levels == list(STATUSES)
        assert feature.extractor in registered_extractors()


def _domain(fact: str, tests: list[Any], params: list[dict[str, float]]) -> list[Any]:
    """Values worth trying for a fact: missing, every listed value, an unlisted one, and for numbers
    each threshold and its neighbours."""
    values: list[Any] = [None, "unlisted", True, False]
    for t in tests:
        if isinstance(t, NumericTest):
            for b in t.thresholds:
                for p in params or [{}]:
                    x = float(p[b[1:]]) if isinstance(b, str) else float(b)
                    values += [x - 1, x - 0.25, x, x + 0.25, x + 1]
        else:
            values += list(t)
    kind = TABLE.derived_facts[fact].kind if fact in TABLE.derived_facts else None
    if fact in SPEC.names and SPEC.feature(fact).levels:
        values += SPEC.feature(fact).levels or []
    if kind == "categorical" and TABLE.derived_facts[fact].levels:
        values += TABLE.derived_facts[fact].levels or []
    return list(dict.fromkeys(values, None))


def test_statuses_are_unambiguous_over_all_fact_combinations() -> None:
    check_rows([(criterion_id,) for criterion_id in sorted(TABLE.criteria)], _statuses_are_unambiguous)


def _clause_grid(clause: dict[str, Any], facts: tuple[str, ...], domains: list[list[Any]],
                 params: dict[str, float]) -> np.ndarray:
    """Where a clause holds over the whole grid of fact combinations: a clause is a conjunction of tests,
    each reading its own fact, so it is the outer AND of one truth vector per fact (exactly `clause_holds`
    on every combination, without a million calls)."""
    grid = np.ones([len(d) for d in domains], dtype=bool)
    for axis, (fact, domain) in enumerate(zip(facts, domains, strict=True)):
        if fact in clause:
            truth = np.array([clause_holds({fact: clause[fact]}, {fact: v}, params) for v in domain])
            grid &= truth.reshape([-1 if a == axis else 1 for a in range(len(domains))])
    return grid


def _any_clause(clauses: list[dict[str, Any]], facts: tuple[str, ...], domains: list[list[Any]],
                params: dict[str, float]) -> np.ndarray:
    out = np.zeros([len(d) for d in domains], dtype=bool)
    for clause in clauses:
        out |= _clause_grid(clause, facts, domains, params)
    return out


def _status_grid(crit: Any, domains: list[list[Any]], params: dict[str, float]) -> np.ndarray:
    """`Criterion.evaluate`'s order over the grid (not applicable, met, unmet, not documented); raises when
    a met and an unmet rule both hold for some combination."""
    met = _any_clause(crit.met, crit.facts, domains, params)
    unmet = _any_clause(crit.unmet, crit.facts, domains, params)
    both = np.argwhere(met & unmet)
    if len(both):
        facts = {f: domains[k][i] for k, (f, i) in enumerate(zip(crit.facts, both[0], strict=True))}
        raise AssertionError(f"{crit.id}: met and unmet both hold for {facts}")
    applies = (np.ones_like(met) if crit.applies is None
               else _any_clause(crit.applies, crit.facts, domains, params))
    status = np.full(met.shape, "not_documented", dtype=object)
    status[met] = "met"
    status[unmet] = "unmet"
    status[~applies] = "not_applicable"
    return status


def _criterion_domains(crit: Any) -> tuple[list[dict[str, float]], list[list[Any]]]:
    params = [s.params for s in TABLE.sections.values() if crit.id in s.criteria and s.params]
    tests = {f: [t for c in crit.clauses for k, t in c.items() if k == f] for f in crit.facts}
    return params, [_domain(f, tests[f], params) for f in crit.facts]


def _statuses_are_unambiguous(criterion_id: str) -> None:
    crit = TABLE.criteria[criterion_id]
    params, domains = _criterion_domains(crit)
    reached: set[str] = set()
    for p in params or [{}]:
        reached |= set(np.unique(_status_grid(crit, domains, p)).tolist())
    assert reached <= set(STATUSES)
    assert reached & {"met", "unmet"}, f"{criterion_id}: no combination decides it"
    assert reached & {"not_documented", "not_applicable"}, f"{criterion_id}: always decided"
    missing = crit.status({}, params[0] if params else {})
    assert missing in ("not_documented", "not_applicable"), f"{criterion_id}: decided from no facts"


@pytest.mark.parametrize("criterion_id",
                         ["manipulation_trial_size", "manipulation_region", "short_term_three_weeks"])
def test_the_grid_gives_criterion_status_on_every_combination(criterion_id: str) -> None:
    crit = TABLE.criteria[criterion_id]  # small criteria (hundreds to ~1,300 combinations): loop over each
    params, domains = _criterion_domains(crit)
    for p in params or [{}]:
        grid = _status_grid(crit, domains, p)
        for index in itertools.product(*(range(len(d)) for d in domains)):
            facts = {f: domains[k][i] for k, (f, i) in enumerate(zip(crit.facts, index, strict=True))}
            assert grid[index] == crit.status(facts, p), facts


def test_a_met_and_an_unmet_rule_that_can_both_hold_are_named() -> None:
    crit = TABLE.criteria["manipulation_trial_size"]
    clash = crit.model_copy(update={"unmet": [*crit.unmet, *crit.met]})
    _, domains = _criterion_domains(crit)
    with pytest.raises(AssertionError, match="met and unmet both hold"):
        _status_grid(clash, domains, {})


def test_feature_groups_give_each_feature_to_one_criterion_and_keep_context_apart() -> None:
    names = SPEC.names
    for sid in TABLE.sections:
        groups = TABLE.feature_groups(sid, names)
        flat = [f for fs in groups.values() for f in fs]
        assert sorted(flat) == sorted(names), sid  # every feature exactly once
        for crit in TABLE.section_criteria(sid):
            feats = groups[crit.id]
            assert TABLE.family_columns[crit.family] in feats
            assert not set(feats) & set(TABLE.context_features), sid
    groups = TABLE.feature_groups("cpmtg_physical_medicine", names)
    assert groups["visits_within_course"] == ["crit_session_limit", "sessions_requested", "prior_sessions",
                                              "prior_course_named"]
    assert "functional_improvement" in groups["gains_from_prior_course"]
    assert "partial_ur_certification" in groups["context"]  # applicability, but context by declaration


def _broken(edit: Any) -> dict[str, Any]:
    data = raw_criteria()
    edit(data)
    return data


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["sections"]["acupuncture"]["criteria"].append("no_such_criterion"),
         "unknown criterion 'no_such_criterion'"),
        (lambda d: d["sections"]["acupuncture"].update(chapter="mtus_nowhere"), "unknown chapter"),
        (lambda d: d["sections"]["acupuncture"]["criteria"].append("medication_benefit"),
         "more than one criterion of family ['functional_improvement']"),
        (lambda d: d["editions"]["odg"].update(applies_until="2001-01-01"), "applies_until must come after"),
        (lambda d: d["sections"]["cpmtg_tens"]["editions"][0].update(pages="p. 114"), "pages must look like"),
        (lambda d: d["criteria"]["red_flags"].update(met=[]), "needs a met or an unmet rule"),
        (lambda d: d["sections"]["postsurgical_therapy"].update(params={}),
         "needs params ['max_initial_visits']"),
        (lambda d: d["editions"].pop("mtus_cpmtg_2016"), "unknown edition 'mtus_cpmtg_2016'"),
    ],
)
def test_a_broken_table_is_refused_with_the_problem_named(edit: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        CriteriaTable.model_validate(_broken(edit))


def test_a_fact_the_spec_lacks_is_named() -> None:
    data = _broken(lambda d: d["criteria"]["red_flags"].update(met=[{"red_flag_unicorn": [True]}]))
    errors = CriteriaTable.model_validate(data).fact_errors(SPEC.names)
    assert errors == [
        "criterion red_flags: fact 'red_flag_unicorn' is neither a spec feature nor a derived fact"]
    with pytest.raises(ValueError, match="does not fit the feature spec"):
        CriteriaTable.model_validate(data).check_spec(SPEC.names)


def test_a_bad_file_names_itself(tmp_path: Any) -> None:
    path = tmp_path / "criteria.yaml"
    broken = _broken(lambda d: d["sections"]["acupuncture"].update(chapter="x"))
    path.write_text(yaml.dump(broken, Dumper=yaml.CSafeDumper))  # the C safe dumper: as safe_dump writes it
    with pytest.raises(ValueError, match=str(path)):
        load_criteria(path)
