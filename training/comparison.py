"""Paired comparison of two models on the same rows: the gain in a metric and how sure we are of it.

A challenger trained on more letters usually scores a little better even when nothing changed; a
letter-level paired bootstrap of the gain tells an improvement we can trust from resampling noise,
so the retraining job promotes on evidence rather than on a lucky holdout.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from training.metrics import HIGHER_IS_BETTER
from training.registry import METRIC_FNS


@dataclass(frozen=True)
class PairedGain:
    """Gain of the challenger over the reference (positive = better, whatever the metric's direction)."""

    metric: str
    challenger_value: float
    reference_value: float
    gain: float
    gain_lower: float  # one-sided lower bound at `confidence`
    gain_upper: float  # the matching upper bound (same tail size)
    confidence: float
    n_bootstrap: int
    n_rows: int
    n_letters: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _signed_gain(metric: str, challenger: float, reference: float) -> float:
    return challenger - reference if HIGHER_IS_BETTER[metric] else reference - challenger


def paired_gain(
    y: np.ndarray,
    challenger: np.ndarray,
    reference: np.ndarray,
    letters: np.ndarray,
    metric: str,
    n_bootstrap: int,
    confidence: float,
    seed: int,
) -> PairedGain:
    """Resample whole letters (both models see the same resample) and take the gain's quantiles."""
    fn = METRIC_FNS[metric]
    y = np.asarray(y)
    codes, uniques = pd.factorize(pd.Series(np.asarray(letters).astype(str)), sort=False)
    n_groups = len(uniques)
    rows = np.arange(codes.size)
    rng = np.random.default_rng(seed)
    gains = []
    for _ in range(n_bootstrap):
        counts = np.bincount(rng.integers(0, n_groups, n_groups), minlength=n_groups)
        idx = np.repeat(rows, counts[codes])
        g = _signed_gain(metric, fn(y[idx], challenger[idx]), fn(y[idx], reference[idx]))
        if np.isfinite(g):
            gains.append(g)
    tail = 100 * (1 - confidence)
    lo, hi = np.percentile(gains, [tail, 100 - tail]) if gains else (float("nan"), float("nan"))
    c_val, r_val = fn(y, challenger), fn(y, reference)
    return PairedGain(
        metric,
        float(c_val),
        float(r_val),
        float(_signed_gain(metric, c_val, r_val)),
        float(lo),
        float(hi),
        confidence,
        len(gains),
        int(y.size),
        n_groups,
    )
