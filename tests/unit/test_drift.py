"""PSI per column (known values), the drift report's flags, and its markdown (tiny synthetic tables)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from training_tables import tiny_table

from training.drift import (
    MISSING_LEVEL,
    DriftParams,
    column_drift,
    compute_drift,
    drift_markdown,
    numeric_edges,
    psi_from_shares,
)


def test_psi_known_values() -> None:
    assert psi_from_shares(np.array([0.5, 0.5]), np.array([0.5, 0.5])) == 0.0
    # (0.25 - 0.5) ln(0.25/0.5) + (0.75 - 0.5) ln(0.75/0.5) = 0.25 ln 2 + 0.25 ln 1.5
    assert psi_from_shares(np.array([0.5, 0.5]), np.array([0.25, 0.75])) == pytest.approx(
        0.25 * math.log(2) + 0.25 * math.log(1.5)
    )
    # symmetric in its arguments, and counts work like shares
    assert psi_from_shares(np.array([1, 3]), np.array([2, 2])) == pytest.approx(
        psi_from_shares(np.array([2, 2]), np.array([1, 3]))
    )


def test_empty_bin_is_floored_not_infinite() -> None:
    value = psi_from_shares(np.array([0.5, 0.5]), np.array([1.0, 0.0]), epsilon=1e-4)
    assert np.isfinite(value) and value > 4  # a whole bin vanished: far past any alert threshold


def test_numeric_bins_follow_reference_quantiles() -> None:
    p = DriftParams(bins=10)
    ref = pd.Series(np.arange(100, dtype=float))
    assert numeric_edges(ref, 10).size == 9
    same = column_drift("x", ref, ref.copy(), True, p)
    assert same.psi == pytest.approx(0.0) and same.status == "ok"
    assert sum(same.reference_share) == pytest.approx(1.0)
    top = column_drift("x", ref, pd.Series(np.arange(50, 100, dtype=float)), True, p)
    # current fills the 5 upper deciles (0.2 each), the 5 lower ones are empty (floored at 1e-4)
    c = np.array([1e-4] * 5 + [0.2] * 5)
    c = c / c.sum()
    expected = float(np.sum((c - 0.1) * np.log(c / 0.1)))
    assert top.psi == pytest.approx(expected, rel=1e-6) and top.status == "alert"


def test_categorical_levels_and_missing_level() -> None:
    p = DriftParams(warn=0.1, alert=0.25)
    ref = pd.Series(["a"] * 50 + ["b"] * 50)
    cur = pd.Series(["a"] * 25 + ["b"] * 50 + [None] * 25, dtype="object")
    d = column_drift("cat", ref, cur, False, p)
    assert d.bins == [MISSING_LEVEL, "a", "b"]
    assert d.current_share == [0.25, 0.25, 0.5]
    assert d.psi == pytest.approx(psi_from_shares(np.array([0, 0.5, 0.5]), np.array([0.25, 0.25, 0.5])))
    assert d.status == "alert"


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="alert"):
        DriftParams(warn=0.3, alert=0.2)


def test_report_flags_moved_feature_score_and_other_share() -> None:
    ref = tiny_table(300, seed=0)
    cur = tiny_table(300, seed=1)
    p = DriftParams()
    rng = np.random.default_rng(0)
    calm = compute_drift(ref, cur, _spec(), p, rng.uniform(size=len(ref)), rng.uniform(size=len(cur)))
    assert not calm.drifted, calm.as_dict()["alerts"]
    moved = cur.copy()
    moved["patient_age"] = moved["patient_age"] + 20  # everyone older: every row in the top bin
    moved["service_family"] = "other"
    report = compute_drift(ref, moved, _spec(), p, rng.uniform(size=len(ref)), rng.uniform(0.8, 1, len(cur)))
    d = report.as_dict()
    assert d["drifted"]
    assert {"patient_age", "score", "other family share"} <= set(d["alerts"])
    assert d["features"][0]["psi"] >= d["features"][-1]["psi"]  # ranked, largest first
    assert d["other_share_current"] == 1.0
    md = drift_markdown(d)
    assert "Drift flagged: yes" in md and "| patient_age | numeric |" in md


def test_empty_current_is_a_clear_error() -> None:
    ref = tiny_table(20)
    with pytest.raises(ValueError, match="current table is empty"):
        compute_drift(ref, ref.iloc[:0], _spec(), DriftParams())


def _spec():  # noqa: ANN202 - the project's spec
    from features.spec import load_spec

    return load_spec()
