"""The blind phrasing probe's rows are well formed (experiments/phrasing_probe.yaml, SYNTHETIC).

Checks the schema only: every field a feature of the spec, every expected value of that feature's type,
ids unique, the coverage the probe promises. Whether the extractors read the rows right is the probe's
result (experiments/phrasing-probe.md), not a test.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from experiment_scripts import load_script

from features.spec import Dtype, load_spec

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def probe() -> ModuleType:
    return load_script("phrasing_probe")


@pytest.fixture(scope="module")
def rows(probe: ModuleType) -> list:
    return probe.load_probe()


def test_rows_are_many_unique_and_synthetic(rows: list) -> None:
    assert len(rows) >= 150
    ids = [r.id for r in rows]
    assert len(ids) == len(set(ids))


def test_every_expected_value_has_its_features_type(rows: list) -> None:
    spec = load_spec()
    for row in rows:
        feature = spec.feature(row.field)
        if feature.dtype == Dtype.CATEGORICAL:
            assert row.expected in feature.levels, row.id
        elif feature.dtype == Dtype.BOOLEAN:
            assert row.expected in (0, 1) and not isinstance(row.expected, str), row.id
        else:
            assert feature.dtype == Dtype.NUMERIC, row.id
            assert row.expected is None or (isinstance(row.expected, float) and row.expected >= 0), row.id


def test_the_probe_covers_the_fields_and_near_misses_it_promises(rows: list) -> None:
    per_field = Counter(r.field for r in rows)
    for field in ("functional_improvement", "failed_conservative_care"):
        assert per_field[field] >= 30, field
    for field in ("prior_surgery", "prior_imaging_same_region", "prior_sessions", "sessions_requested",
                  "duration_of_use_months", "drug_quantity"):
        assert per_field[field] >= 5, field
    flags = [f for f in per_field if f.startswith("red_flag_")]
    assert len(flags) == 6
    for field in ("functional_improvement", "failed_conservative_care"):
        assert {r.expected for r in rows if r.field == field} == {"yes", "no", "not_stated"}, field
    near = sum(r.near_miss for r in rows) / len(rows)
    assert 0.25 <= near <= 0.5


@pytest.mark.parametrize("edit, problem", [
    ({"field": "no_such_feature"}, "not a feature"),
    ({"expected": "maybe"}, "not a level"),
    ({"field": "prior_surgery", "expected": 2}, "must be 0 or 1"),
    ({"field": "prior_surgery", "expected": True}, "not a bool"),
    ({"field": "prior_sessions", "expected": "six"}, "must be a number"),
    ({"unknown_key": 1}, "unknown_key"),
])
def test_a_malformed_row_is_refused_naming_it(probe: ModuleType, tmp_path: Path, edit: dict,
                                              problem: str) -> None:
    good = {"id": "x01", "field": "functional_improvement", "heading": "Physical therapy x 6",
            "summary": "SYNTHETIC. Therapy helped her walk farther.", "expected": "yes", "kind": "affirmed"}
    path = tmp_path / "probe.yaml"
    path.write_text(yaml.safe_dump([good, {**good, "id": "x02", **edit}]))
    with pytest.raises(probe.ProbeError, match=problem):
        probe.load_probe(path)


def test_duplicate_ids_are_refused(probe: ModuleType, tmp_path: Path) -> None:
    row = {"id": "x01", "field": "prior_sessions", "heading": "Physical therapy x 6",
           "summary": "SYNTHETIC. She completed six visits.", "expected": 6, "kind": "completed"}
    path = tmp_path / "probe.yaml"
    path.write_text(f"- {row}\n- {row}\n".replace("'", '"'))
    with pytest.raises(probe.ProbeError, match="duplicate id x01"):
        probe.load_probe(path)


def test_style_variants_change_only_the_writers_words(probe: ModuleType) -> None:
    variants = probe.style_variants("SYNTHETIC. The claimant said his knee gave way; he fell.")
    assert "SYNTHETIC. The patient said his knee gave way; he fell." in variants
    assert "SYNTHETIC. The claimant said her knee gave way; she fell." in variants
    assert "SYNTHETIC. Mx. Roe said his knee gave way; he fell." in variants
    assert all("knee gave way" in v for v in variants)
    assert "SYNTHETIC. The claimant said the injured worker's knee gave way; he fell." in variants
