"""The guideline criteria table (features/criteria.yaml) validates and is complete: every reference
resolves, every fact exists in the feature spec, every section has dated editions, every criterion's
rules are unambiguous over all combinations of its facts, and the model columns match the families."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

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


def _statuses_are_unambiguous(criterion_id: str) -> None:
    crit = TABLE.criteria[criterion_id]
    params = [s.params for s in TABLE.sections.values() if criterion_id in s.criteria and s.params]
    tests = {f: [t for c in crit.clauses for k, t in c.items() if k == f] for f in crit.facts}
    domains = [_domain(f, tests[f], params) for f in crit.facts]
    reached: set[str] = set()
    for p in params or [{}]:
        for combo in itertools.product(*domains):
            facts = dict(zip(crit.facts, combo, strict=True))
            met = any(clause_holds(c, facts, p) for c in crit.met)
            unmet = any(clause_holds(c, facts, p) for c in crit.unmet)
            assert not (met and unmet), f"{criterion_id}: met and unmet both hold for {facts}"
            reached.add(crit.status(facts, p))
    assert reached <= set(STATUSES)
    assert reached & {"met", "unmet"}, f"{criterion_id}: no combination decides it"
    assert reached & {"not_documented", "not_applicable"}, f"{criterion_id}: always decided"
    missing = crit.status({}, params[0] if params else {})
    assert missing in ("not_documented", "not_applicable"), f"{criterion_id}: decided from no facts"


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
