"""The blind summary probe's letters are well formed (experiments/summary_probe.yaml, SYNTHETIC).

Checks the schema only: every probed field a feature of the spec with a value of its type on every service,
case-level fields repeated alike on every service of a letter, ids unique, the size and mix the probe
promises. Whether the extractors read the letters right is the probe's result
(experiments/summary-probe.md), not a test.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from experiment_scripts import load_script

from features.spec import Dtype, Role, load_spec

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def probe() -> ModuleType:
    return load_script("summary_probe")


@pytest.fixture(scope="module")
def letters(probe: ModuleType) -> list:
    return probe.load_probe()


def test_letters_are_many_unique_and_synthetic(letters: list) -> None:
    assert len(letters) >= 40
    assert len({x.id for x in letters}) == len(letters)
    assert all(x.summary.startswith("SYNTHETIC.") for x in letters)
    sizes = Counter(len(x.services) for x in letters)
    assert set(sizes) <= {1, 2, 3, 4} and sizes[3] + sizes[4] >= 5
    assert 0.3 <= sum(x.hard for x in letters) / len(letters) <= 0.6


def test_every_service_has_every_probed_field_of_its_type(probe: ModuleType, letters: list) -> None:
    spec = load_spec()
    for letter in letters:
        for service in letter.services:
            assert set(service.expected) == set(probe.PROBED_FIELDS), letter.id
            for name, value in service.expected.items():
                feature = spec.feature(name)
                assert not isinstance(value, bool), (letter.id, name)
                if feature.dtype == Dtype.CATEGORICAL:
                    assert value in feature.levels, (letter.id, name)
                elif feature.dtype == Dtype.BOOLEAN:
                    assert value in (0, 1), (letter.id, name)
                else:
                    assert feature.dtype == Dtype.NUMERIC, (letter.id, name)
                    assert value is None or (not isinstance(value, str) and value >= 0), (letter.id, name)


def test_case_fields_repeat_and_every_level_occurs(probe: ModuleType, letters: list) -> None:
    spec = load_spec()
    case_fields = [f for f in probe.PROBED_FIELDS if spec.feature(f).role == Role.CASE]
    assert {"functional_improvement", "failed_conservative_care", "prior_surgery"} <= set(case_fields)
    for letter in letters:
        assert len({tuple(s.expected[f] for f in case_fields) for s in letter.services}) == 1, letter.id
    for field in ("functional_improvement", "failed_conservative_care"):
        assert {x.services[0].expected[field] for x in letters} == {"yes", "no", "not_stated"}, field
    for field in ("red_flag_neuro_deficit", "red_flag_trauma", "red_flag_fracture", "prior_surgery",
                  "prior_imaging_same_region"):
        assert {s.expected[field] for x in letters for s in x.services} == {0, 1}, field


@pytest.mark.parametrize("edit, problem", [
    (lambda x: x["services"][0]["expected"].update(no_such_feature=1), "unknown"),
    (lambda x: x["services"][0]["expected"].pop("prior_sessions"), "missing"),
    (lambda x: x["services"][0]["expected"].update(functional_improvement="maybe"), "not a level"),
    (lambda x: x["services"][0]["expected"].update(prior_surgery=2), "must be 0 or 1"),
    (lambda x: x["services"][0]["expected"].update(prior_surgery=True), "is a bool"),
    (lambda x: x["services"][0]["expected"].update(prior_sessions="six"), "must be a number"),
    (lambda x: x["services"][1]["expected"].update(prior_surgery=1), "case fields repeat"),
    (lambda x: x.update(borderline={"prior_sessions": "why"}), "case-level probed field"),
    (lambda x: x.update(summary="No marker. " + x["summary"]), "SYNTHETIC"),
    (lambda x: x.update(unknown_key=1), "unknown_key"),
])
def test_a_malformed_letter_is_refused_naming_it(probe: ModuleType, tmp_path: Path, edit,
                                                problem: str) -> None:
    expected = {f: None for f in probe.PROBED_FIELDS} | {
        "functional_improvement": "yes", "failed_conservative_care": "not_stated",
        "red_flag_neuro_deficit": 0, "red_flag_trauma": 0, "red_flag_fracture": 0, "prior_surgery": 0,
        "prior_imaging_same_region": 0}
    good = {"id": "s01", "date_of_injury": "2016-01-02", "ur_denial_date": "2016-12-01",
            "summary": "SYNTHETIC. " + "The patient walks farther since therapy. " * 8,
            "services": [{"heading": "Physical therapy x 6", "expected": dict(expected)},
                         {"heading": "Norco 10/325 #60", "expected": dict(expected)}]}
    bad = yaml.safe_load(yaml.safe_dump(good))
    bad["id"] = "s02"
    edit(bad)
    path = tmp_path / "probe.yaml"
    path.write_text(yaml.safe_dump([good, bad]))
    with pytest.raises(probe.ProbeError, match=problem):
        probe.load_probe(path)


def test_a_round_may_key_the_rarer_red_flags_on_every_service_and_they_are_graded(
    probe: ModuleType, tmp_path: Path
) -> None:
    """The optional fields (EXTRA_FIELDS) are graded where a round keys them, and refused where only some
    services key them (a half-keyed letter would grade its fields on part of the services)."""
    expected = {f: None for f in probe.PROBED_FIELDS} | {
        "functional_improvement": "not_stated", "failed_conservative_care": "not_stated",
        "red_flag_neuro_deficit": 0, "red_flag_trauma": 0, "red_flag_fracture": 0, "prior_surgery": 0,
        "prior_imaging_same_region": 0, "red_flag_infection": 0, "red_flag_cancer": 1,
        "red_flag_cauda_equina": 0}
    letter = {"id": "s01", "date_of_injury": "2016-01-02", "ur_denial_date": "2016-12-01",
              "summary": "SYNTHETIC. He was treated for colon cancer in 2014 and has low back pain. " * 4,
              "services": [{"heading": "Physical therapy x 6", "expected": dict(expected)},
                           {"heading": "Norco 10/325 #60", "expected": dict(expected)}]}
    path = tmp_path / "probe.yaml"
    path.write_text(yaml.safe_dump([letter]))
    cells = probe.evaluate(probe.load_probe(path))
    graded = {c["field"] for c in cells}
    assert {"red_flag_cancer", "red_flag_infection", "red_flag_cauda_equina"} <= graded
    assert "pain_score" not in graded  # not keyed by this round
    cancer = [c for c in cells if c["field"] == "red_flag_cancer"]
    assert all(c["correct"] for c in cancer), cancer
    del letter["services"][1]["expected"]["red_flag_cancer"]
    path.write_text(yaml.safe_dump([letter]))
    with pytest.raises(probe.ProbeError, match="on every service or none"):
        probe.load_probe(path)
