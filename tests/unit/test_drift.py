"""PSI per column (known values), the drift report's flags, and its markdown (tiny synthetic tables)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from training_tables import tiny_table

from features.spec import Dtype
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
    same = column_drift("x", ref, ref.copy(), Dtype.NUMERIC, p)
    assert same.psi == pytest.approx(0.0) and same.status == "ok"
    assert sum(same.reference_share) == pytest.approx(1.0)
    top = column_drift("x", ref, pd.Series(np.arange(50, 100, dtype=float)), Dtype.NUMERIC, p)
    # current fills the 5 upper deciles (0.2 each), the 5 lower ones are empty (floored at 1e-4)
    c = np.array([1e-4] * 5 + [0.2] * 5)
    c = c / c.sum()
    expected = float(np.sum((c - 0.1) * np.log(c / 0.1)))
    assert top.psi == pytest.approx(expected, rel=1e-6) and top.status == "alert"


def test_categorical_levels_and_missing_level() -> None:
    p = DriftParams(warn=0.1, alert=0.25)
    ref = pd.Series(["a"] * 50 + ["b"] * 50)
    cur = pd.Series(["a"] * 25 + ["b"] * 50 + [None] * 25, dtype="object")
    d = column_drift("cat", ref, cur, Dtype.CATEGORICAL, p)
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


def test_levels_are_read_as_the_encoder_reads_them() -> None:
    """'Standard' vs 'standard' (the letter's spelling vs the feature's) is no drift; nor is yes/True/1."""
    p = DriftParams()
    ref = pd.Series(["standard"] * 80 + ["expedited"] * 20)
    cur = pd.Series(["Standard"] * 40 + [" standard "] * 40 + ["EXPEDITED"] * 20)
    same = column_drift("priority", ref, cur, Dtype.CATEGORICAL, p)
    assert same.psi == pytest.approx(0.0) and same.bins == ["expedited", "standard"]
    flags = column_drift(
        "prior_surgery",
        pd.Series([True] * 30 + [False] * 70 + [None] * 10, dtype="object"),
        pd.Series(["yes"] * 10 + [1] * 20 + ["no"] * 30 + [0.0] * 40 + ["unclear"] * 10, dtype="object"),
        Dtype.BOOLEAN,
        p,
    )
    assert flags.psi == pytest.approx(0.0) and flags.bins == [MISSING_LEVEL, "false", "true"]
    assert flags.kind == "boolean"


def test_same_distribution_no_alert_every_feature_compared() -> None:
    spec = _spec()
    compared = [f.name for f in spec.features if f.dtype.value != "text"]
    report = compute_drift(tiny_table(400, seed=0), tiny_table(400, seed=1), spec, DriftParams()).as_dict()
    assert not report["drifted"] and report["alerts"] == []
    assert report["n_features_compared"] == len(compared)  # every feature but the raw text
    assert sorted(f["name"] for f in report["features"]) == sorted(compared) and report["not_compared"] == []


def test_shifted_categorical_and_boolean_alert_and_a_missing_column_is_named() -> None:
    ref, cur = tiny_table(400, seed=0), tiny_table(400, seed=1)
    cur["priority"] = "Expedited"  # every case now expedited (spelled as a letter spells it)
    cur["prior_surgery"] = "yes"
    cur = cur.drop(columns=["pain_score"])
    report = compute_drift(ref, cur, _spec(), DriftParams()).as_dict()
    assert {"priority", "prior_surgery"} <= set(report["alerts"])
    assert report["not_compared"] == ["pain_score"]
    assert any("pain_score" in n for n in report["notes"])


def _many_levels(n: int, seed: int, levels: int = 50) -> pd.DataFrame:
    """A table whose service_type has `levels` levels, a few common and many rare (like the real one)."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, levels + 1)
    kinds = rng.choice([f"type_{i}" for i in range(levels)], size=n, p=weights / weights.sum())
    return pd.DataFrame({"service_type": kinds, "patient_age": rng.normal(50, 10, n)})


def test_a_small_window_without_drift_is_not_flagged() -> None:
    """PSI grows with sampling noise: 150 services drawn from the very distribution of the training
    data gave service_type (50 levels) a PSI near 0.4, an alert every time, so a weekly `imr drift
    --fail-on-alert` on a small window cried drift with none there. A PSI within what a sample of
    that size shows without drift (its `noise_psi`) is not flagged, and a note says so."""
    params = DriftParams()
    ref = _many_levels(5000, seed=0)
    for seed in range(1, 6):
        report = compute_drift(ref, _many_levels(150, seed=seed), _spec(), params).as_dict()
        column = next(f for f in report["features"] if f["name"] == "service_type")
        assert column["psi"] >= params.alert, column  # the raw PSI would have alerted
        assert column["psi"] <= column["noise_psi"] and column["status"] == "ok", column
        assert not report["drifted"], report["alerts"]
        assert any("service_type" in n and "sampling noise" in n for n in report["notes"]), report["notes"]


def test_a_small_window_with_real_drift_is_still_flagged() -> None:
    ref, cur = _many_levels(5000, seed=0), _many_levels(150, seed=1)
    cur["service_type"] = np.where(np.arange(150) % 2 == 0, "type_40", cur["service_type"])  # a rare kind
    cur["patient_age"] = cur["patient_age"] + 15
    report = compute_drift(ref, cur, _spec(), DriftParams()).as_dict()
    assert {"service_type", "patient_age"} <= set(report["alerts"]), report["alerts"]


def _letters(n_letters: int, seed: int, age_shift: float = 0.0) -> pd.DataFrame:
    """Letters of 1 to 6 services (SYNTHETIC); the patient's age is the letter's, on each of its services."""
    rng = np.random.default_rng(seed)
    items = rng.choice([1, 1, 1, 2, 2, 3, 4, 6], size=n_letters)
    ages = rng.normal(50, 10, n_letters) + age_shift
    ids = np.repeat([f"SYN-{seed}-{i}" for i in range(n_letters)], items)
    per_service = {"patient_age": np.repeat(ages, items), "items_in_letter": np.repeat(items, items)}
    return pd.DataFrame({"letter_id": ids, **per_service})


def test_a_window_of_a_few_letters_without_drift_is_not_flagged() -> None:
    """A letter's own values repeat on each of its services, so 60 letters are 60 draws of them, not their
    ~130 services. The noise level drew services one by one: of 20 windows of 60 letters drawn from the
    reference itself, 8 alerted (on the demo corpus's features, 20 of 20). It now draws whole letters; a
    99% noise rule on two features leaves a false alert in about one window of 20."""
    ref = _letters(4000, seed=0)
    flagged, notes = [], []
    for seed in range(1, 21):
        pick = np.random.default_rng(seed).choice(ref["letter_id"].unique(), 60, replace=False)
        report = compute_drift(ref, ref[ref["letter_id"].isin(pick)], _spec(), DriftParams()).as_dict()
        flagged += report["alerts"]
        notes += report["notes"]
    assert len(flagged) <= 2, flagged
    assert any("from 60 letters" in n and "sampling noise" in n for n in notes), notes


def test_a_window_of_a_few_letters_with_a_real_shift_is_still_flagged() -> None:
    ref, cur = _letters(4000, seed=0), _letters(60, seed=1, age_shift=25)
    report = compute_drift(ref, cur, _spec(), DriftParams()).as_dict()
    assert "patient_age" in report["alerts"], report["features"][:2]
