"""Score calibrators that map LightGBM's raw log-odds to probabilities, stored as plain numbers.

Kept as arrays/coefficients (not pickled sklearn objects) so a saved model reloads to bit-identical
probabilities and serving needs no training code. Fitted on out-of-fold raw scores only.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

CalibrationMethod = Literal["isotonic", "sigmoid", "none"]


class ScoreCalibrator(BaseModel):
    """Monotone map raw score -> probability: isotonic (step table), sigmoid (Platt: a * raw + b, fitted)
    or scaled (a * raw + b with a fixed scale toward the training base rate: `shrink_toward_base`)."""

    method: CalibrationMethod | Literal["scaled"]
    x: list[float] = Field(default_factory=list, description="isotonic: raw-score knots (ascending)")
    y: list[float] = Field(default_factory=list, description="isotonic: probability at each knot")
    a: float = 1.0
    b: float = 0.0
    clip: float = Field(
        default=1e-4,
        description="isotonic: keep probabilities in [clip, 1-clip]; a hard 0 or 1 from a "
        "step function would make log loss infinite for one surprising service",
    )

    def apply(self, raw: np.ndarray) -> np.ndarray:
        raw = np.asarray(raw, dtype=float)
        if self.method == "isotonic":
            p = np.interp(raw, np.asarray(self.x), np.asarray(self.y))
            return np.clip(p, self.clip, 1.0 - self.clip)
        z = self.a * raw + self.b if self.method in ("sigmoid", "scaled") else raw
        return 1.0 / (1.0 + np.exp(-z))


def shrink_toward_base(scale: float, base_rate: float) -> ScoreCalibrator:
    """Log-odds pulled toward the training base rate by a fixed `scale` (1: unchanged).

    A boosted model fitted on a few hundred rows ranks better than it sizes its odds; a fixed scale,
    chosen once by cross-validation, tempers it without fitting anything per fold (a fitted Platt slope
    moved whole folds against each other there). Monotone, so rankings are unchanged."""
    if not 0 < scale <= 1:
        raise ValueError(f"logit_shrink must be in (0, 1], got {scale}")
    if not 0 < base_rate < 1:
        raise ValueError(f"base rate must be strictly between 0 and 1, got {base_rate}")
    centre = float(np.log(base_rate / (1.0 - base_rate)))
    return ScoreCalibrator(method="scaled", a=float(scale), b=(1.0 - float(scale)) * centre)


def fit_calibrator(
    raw: np.ndarray, y: np.ndarray, method: CalibrationMethod, shrink: float = 1.0
) -> ScoreCalibrator:
    """Fit a calibrator on out-of-fold raw scores `raw` with labels `y` (0/1). With method none, a
    `shrink` below 1 gives the fixed `shrink_toward_base` map centred on the base rate of `y`."""
    raw = np.asarray(raw, dtype=float)
    y = np.asarray(y, dtype=float)
    if shrink != 1.0 and method != "none":
        raise ValueError(f"a shrink needs method none: a fitted {method} calibrator sets its own scale")
    if method == "none":
        if shrink != 1.0:
            return shrink_toward_base(shrink, float(y.mean()))
        return ScoreCalibrator(method="none")
    if method == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip", increasing=True)
        iso.fit(raw, y)
        return ScoreCalibrator(
            method="isotonic",
            x=[float(v) for v in iso.X_thresholds_],
            y=[float(v) for v in iso.y_thresholds_],
        )
    if method == "sigmoid":
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=1e6, max_iter=1000)
        lr.fit(raw.reshape(-1, 1), y.astype(int))
        return ScoreCalibrator(method="sigmoid", a=float(lr.coef_[0, 0]), b=float(lr.intercept_[0]))
    raise ValueError(f"unknown calibration method {method!r}; use isotonic, sigmoid or none")
