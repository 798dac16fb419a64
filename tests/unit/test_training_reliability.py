"""The model carries a reliability curve from training so the dashboard can show its calibration."""

from __future__ import annotations

import numpy as np

from training.train import reliability_curve


def test_reliability_curve_bins_mean_predicted_and_observed() -> None:
    p = np.array([0.05, 0.05, 0.15, 0.95, 0.95, 0.95, 0.95])
    y = np.array([0, 0, 1, 1, 1, 0, 1])
    curve = reliability_curve(y, p, n_bins=10)
    assert [c["count"] for c in curve] == [2, 1, 4]
    assert curve[0] == {"predicted": 0.05, "observed": 0.0, "count": 2}
    assert curve[2]["observed"] == 0.75
    assert sum(c["count"] for c in curve) == len(p)


def test_reliability_curve_puts_probability_one_in_last_bin() -> None:
    curve = reliability_curve(np.array([1, 0]), np.array([1.0, 0.0]), n_bins=5)
    assert [c["predicted"] for c in curve] == [0.0, 1.0]
