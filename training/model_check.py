"""A fitted model measured on labelled letters it was not fitted on, next to baselines that fit nothing
on them: the published family prior (at its published level) and a constant at the model's training base
rate. Intervals and paired differences come from one letter-level bootstrap (the same resamples for
every predictor), so a difference's interval is paired.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.family_prior import FamilyPrior
from training.letter_bootstrap import Interval, letter_weights, weighted_brier, weighted_ece, weighted_roc_auc

METRICS = {"roc_auc": weighted_roc_auc, "brier": weighted_brier, "ece": weighted_ece}


def published_prior_rates(families: list[str | None]) -> np.ndarray:
    """The published family prior alone: no count of any letter enters (`published_prior` baseline of
    training/candidates.py, without recentring on a fitted base rate)."""
    return FamilyPrior.fit([], [], recentre=False, use_counts=False).rate(families)


def training_base_rate(training_data: dict) -> float | None:
    """Share of overturned services the model was trained on (its metadata's row counts)."""
    n, k = training_data.get("n_services"), training_data.get("n_positive")
    return float(k) / float(n) if n and k is not None else None


@dataclass(frozen=True)
class PredictorFigures:
    """One predictor's figures on the letters, each with its letter-bootstrap interval."""

    name: str
    roc_auc: Interval
    brier: Interval
    ece: Interval
    mean_predicted: Interval

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, **{k: getattr(self, k).as_dict()
                                      for k in ("roc_auc", "brier", "ece", "mean_predicted")}}


def _mean(w: np.ndarray, p: np.ndarray) -> np.ndarray:
    w = np.atleast_2d(w)
    return (w @ np.asarray(p, float)) / w.sum(1)


def _interval(value: float, draws: np.ndarray | None) -> Interval:
    if draws is None:
        return Interval(float(value), math.nan, math.nan)
    return Interval.of(value, draws)


def model_figures(
    y: np.ndarray, predictions: dict[str, np.ndarray], letters: np.ndarray, *, n_bootstrap: int, seed: int
) -> dict[str, object]:
    """ROC-AUC, Brier, ECE and mean prediction of each named predictor, the observed rate, and the paired
    differences of the first predictor minus each other one (ROC-AUC and Brier)."""
    y = np.asarray(y, dtype=float)
    ones = np.ones((1, len(y)))
    w = letter_weights(letters, n_bootstrap, seed) if n_bootstrap > 0 else None
    figures: dict[str, PredictorFigures] = {}
    draws: dict[tuple[str, str], np.ndarray] = {}
    for name, p in predictions.items():
        out = {}
        for metric, fn in {**METRICS, "mean_predicted": lambda w_, _y, p_: _mean(w_, p_)}.items():
            d = fn(w, y, p) if w is not None else None
            if d is not None:
                draws[(name, metric)] = d
            out[metric] = _interval(float(fn(ones, y, p)[0]), d)
        figures[name] = PredictorFigures(name, **out)
    observed = _interval(float(y.mean()), _mean(w, y) if w is not None else None)
    first, *others = list(predictions)
    diffs = {}
    for other in others:
        for metric in ("roc_auc", "brier"):
            value = getattr(figures[first], metric).value - getattr(figures[other], metric).value
            d = draws[(first, metric)] - draws[(other, metric)] if w is not None else None
            diffs[f"{metric}: {first} - {other}"] = _interval(value, d)
    return {"predictors": figures, "observed_rate": observed, "differences": diffs}
