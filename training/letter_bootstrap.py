"""Letter-level bootstrap as weights: every resample is a row of letter multiplicities, so a metric
over many models, CV repeats and resamples is a few matrix products instead of a Python loop.

Services of one letter share a patient, a treating doctor and a reviewer; resampling letters (not
services) keeps intervals honest. Weighted ROC-AUC counts a pair of resampled services once per
copy of each, which is what computing the metric on the resampled rows would give.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd


def letter_weights(groups: np.ndarray, n_bootstrap: int, seed: int) -> np.ndarray:
    """(n_bootstrap x rows) copies of each row: its letter's count in a resample of whole letters."""
    codes, uniques = pd.factorize(pd.Series(np.asarray(groups).astype(str)), sort=False)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(uniques), size=(n_bootstrap, len(uniques)))
    counts = np.zeros((n_bootstrap, len(uniques)))
    np.add.at(counts, (np.arange(n_bootstrap)[:, None], draws), 1.0)
    return counts[:, codes]


def weighted_roc_auc(w: np.ndarray, y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """ROC-AUC for each row of weights `w` (ties count half); NaN where a class has no weight."""
    w = np.atleast_2d(w)
    y = np.asarray(y, dtype=bool)
    _, group = np.unique(np.asarray(p, dtype=float), return_inverse=True)
    n_groups = int(group.max()) + 1 if group.size else 0
    onehot = np.zeros((y.size, n_groups))
    onehot[np.arange(y.size), group] = 1.0
    pos = (w * y) @ onehot  # resamples x score groups, ascending score
    neg = (w * ~y) @ onehot
    below = np.cumsum(neg, axis=1) - neg
    n_pos, n_neg = pos.sum(1), neg.sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (pos * (below + 0.5 * neg)).sum(1) / (n_pos * n_neg)
    return np.where((n_pos > 0) & (n_neg > 0), out, np.nan)


def weighted_brier(w: np.ndarray, y: np.ndarray, p: np.ndarray) -> np.ndarray:
    w = np.atleast_2d(w)
    return (w @ (np.asarray(p, float) - np.asarray(y, float)) ** 2) / w.sum(1)


def weighted_log_loss(w: np.ndarray, y: np.ndarray, p: np.ndarray) -> np.ndarray:
    w = np.atleast_2d(w)
    q = np.clip(np.asarray(p, float), 1e-15, 1 - 1e-15)
    y = np.asarray(y, float)
    return (w @ -(y * np.log(q) + (1 - y) * np.log(1 - q))) / w.sum(1)


def weighted_ece(w: np.ndarray, y: np.ndarray, p: np.ndarray, n_bins: int = 10) -> np.ndarray:
    """Expected calibration error (equal-width bins) for each row of weights."""
    w = np.atleast_2d(w)
    p = np.asarray(p, float)
    bins = np.minimum((p * n_bins).astype(int), n_bins - 1)
    onehot = np.zeros((p.size, n_bins))
    onehot[np.arange(p.size), bins] = 1.0
    gap = np.abs((w * p) @ onehot - (w * np.asarray(y, float)) @ onehot).sum(1)
    return gap / w.sum(1)


METRICS = {
    "roc_auc": weighted_roc_auc,
    "brier": weighted_brier,
    "log_loss": weighted_log_loss,
    "ece": weighted_ece,
}
HIGHER_IS_BETTER = {"roc_auc": True, "brier": False, "log_loss": False, "ece": False}


@dataclass(frozen=True)
class Interval:
    """A point value and the 2.5 / 97.5 percentiles of its bootstrap draws."""

    value: float
    low: float
    high: float

    @classmethod
    def of(cls, value: float, draws: np.ndarray) -> Interval:
        d = draws[np.isfinite(draws)]
        if d.size == 0:
            return cls(float(value), float("nan"), float("nan"))
        return cls(float(value), float(np.percentile(d, 2.5)), float(np.percentile(d, 97.5)))

    def as_dict(self) -> dict[str, float]:
        return {"value": self.value, "low": self.low, "high": self.high}


def repeat_mean(
    metric: str, w: np.ndarray, y: np.ndarray, predictions: np.ndarray
) -> tuple[float, np.ndarray]:
    """The metric averaged over CV repeats (rows of `predictions`): its value and bootstrap draws.

    The same letter resample applies to every repeat, so the draws describe the uncertainty of the
    repeat-averaged metric that comes from which letters we happen to hold."""
    fn = METRICS[metric]
    ones = np.ones((1, len(y)))
    value = float(np.mean([fn(ones, y, p)[0] for p in predictions]))
    draws = np.mean([fn(w, y, p) for p in predictions], axis=0)
    return value, draws


def ratio_interval(
    num: Iterable[float], den: Iterable[float], *, n: int, seed: int
) -> tuple[float, float, float]:
    """A pooled ratio sum(num)/sum(den) and its 95% interval over letters resampled (one value each)."""
    a, b = np.asarray(list(num), float), np.asarray(list(den), float)
    value = float(a.sum() / b.sum()) if b.sum() else math.nan
    if n <= 0 or not len(a):
        return value, math.nan, math.nan
    idx = np.random.default_rng(seed).integers(0, len(a), size=(n, len(a)))
    with np.errstate(invalid="ignore", divide="ignore"):
        draws = a[idx].sum(1) / b[idx].sum(1)
    draws = draws[np.isfinite(draws)]
    if not len(draws):
        return value, math.nan, math.nan
    return value, float(np.percentile(draws, 2.5)), float(np.percentile(draws, 97.5))
