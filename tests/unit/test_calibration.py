"""Calibrators fitted on raw scores: monotone, improve a miscalibrated score, survive JSON."""

from __future__ import annotations

import numpy as np
import pytest

from model.calibration import ScoreCalibrator, fit_calibrator, shrink_toward_base
from training.metrics import ece


@pytest.mark.parametrize("method", ["isotonic", "sigmoid"])
def test_calibrator_fixes_a_shifted_score(method: str) -> None:
    rng = np.random.default_rng(0)
    true_logit = rng.normal(-2, 1.5, 20000)
    y = (rng.random(true_logit.size) < 1 / (1 + np.exp(-true_logit))).astype(int)
    raw = 2.0 * true_logit + 3.0  # what a class-weighted booster does to log-odds
    before = ece(y, 1 / (1 + np.exp(-raw)))
    cal = fit_calibrator(raw[:10000], y[:10000], method)
    after = ece(y[10000:], cal.apply(raw[10000:]))
    assert before > 0.1 and after < 0.02
    grid = np.linspace(-10, 10, 50)
    assert np.all(np.diff(cal.apply(grid)) >= 0)
    again = ScoreCalibrator.model_validate_json(cal.model_dump_json())
    assert np.array_equal(again.apply(raw), cal.apply(raw))


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown calibration"):
        fit_calibrator(np.zeros(3), np.zeros(3), "platt")  # type: ignore[arg-type]


def test_shrink_toward_base_halves_log_odds_around_the_base_rate() -> None:
    cal = shrink_toward_base(0.5, 0.2)
    raw = np.linspace(-6, 3, 40)
    p = cal.apply(raw)
    assert np.all(np.diff(p) > 0)  # monotone: rankings unchanged
    centre = np.log(0.2 / 0.8)
    assert cal.apply(np.array([centre]))[0] == pytest.approx(0.2)  # the base rate is a fixed point
    assert np.allclose(np.log(p / (1 - p)) - centre, 0.5 * (raw - centre))
    again = ScoreCalibrator.model_validate_json(cal.model_dump_json())
    assert np.array_equal(again.apply(raw), p)
    assert np.array_equal(shrink_toward_base(1.0, 0.2).apply(raw), 1 / (1 + np.exp(-raw)))
    for bad in (0.0, 1.5):
        with pytest.raises(ValueError, match="logit_shrink"):
            shrink_toward_base(bad, 0.2)
