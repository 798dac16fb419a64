"""Classification metrics with letter-grouped bootstrap intervals, overall and per service family.

Services of one letter share a patient and a reviewer, so the bootstrap resamples letters, not
rows; otherwise the intervals would be too narrow. Paired differences (model minus baseline on the
same resample) say whether a win is real even when the two marginal intervals overlap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

EPS = 1e-15

MetricFn = Callable[[np.ndarray, np.ndarray], float]

# Direction per metric: True when larger is better (used by promotion and by "beats" statements).
HIGHER_IS_BETTER: dict[str, bool] = {
    "roc_auc": True,
    "pr_auc": True,
    "brier": False,
    "log_loss": False,
    "ece": False,
    "recall_at_precision": True,
}


def roc_auc(y: np.ndarray, p: np.ndarray) -> float:
    """Mann-Whitney form of ROC-AUC (ties count half); NaN when one class is absent."""
    y = np.asarray(y, dtype=bool)
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = pd.Series(np.asarray(p, dtype=float)).rank(method="average").to_numpy()
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def pr_auc(y: np.ndarray, p: np.ndarray) -> float:
    """Average precision (step-wise area under the precision-recall curve)."""
    y = np.asarray(y, dtype=bool)
    n_pos = int(y.sum())
    if n_pos == 0:
        return float("nan")
    order = np.argsort(-np.asarray(p, dtype=float), kind="mergesort")
    ys = y[order]
    ps = np.asarray(p, dtype=float)[order]
    tp = np.cumsum(ys)
    # evaluate only at the last index of each run of tied scores
    last = np.r_[ps[1:] != ps[:-1], True]
    tp = tp[last]
    k = np.flatnonzero(last) + 1
    precision = tp / k
    recall = tp / n_pos
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((np.asarray(p, dtype=float) - np.asarray(y, dtype=float)) ** 2))


def log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    y = np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def ece(y: np.ndarray, p: np.ndarray, n_bins: int = 10) -> float:
    """Expected calibration error with equal-width bins: sum over bins of |mean p - rate| * share."""
    p = np.asarray(p, dtype=float)
    y = np.asarray(y, dtype=float)
    if p.size == 0:
        return float("nan")
    bins = np.minimum((p * n_bins).astype(int), n_bins - 1)
    count = np.bincount(bins, minlength=n_bins)
    sum_p = np.bincount(bins, weights=p, minlength=n_bins)
    sum_y = np.bincount(bins, weights=y, minlength=n_bins)
    mask = count > 0
    return float(np.sum(np.abs(sum_p[mask] - sum_y[mask])) / p.size)


def recall_at_precision(y: np.ndarray, p: np.ndarray, min_precision: float = 0.5) -> float:
    """Largest recall reachable by a threshold whose precision is at least `min_precision`."""
    y = np.asarray(y, dtype=bool)
    n_pos = int(y.sum())
    if n_pos == 0:
        return float("nan")
    order = np.argsort(-np.asarray(p, dtype=float), kind="mergesort")
    ps = np.asarray(p, dtype=float)[order]
    tp = np.cumsum(y[order])
    last = np.r_[ps[1:] != ps[:-1], True]
    tp = tp[last]
    k = np.flatnonzero(last) + 1
    ok = tp / k >= min_precision
    return float((tp[ok] / n_pos).max()) if ok.any() else 0.0


@dataclass(frozen=True)
class MetricConfig:
    """What to compute: bootstrap size and seed, ECE bins, the precision for recall@precision."""

    n_bootstrap: int = 500
    seed: int = 0
    ece_bins: int = 10
    min_precision: float = 0.5
    min_family_services: int = 30


def metric_functions(cfg: MetricConfig) -> dict[str, MetricFn]:
    return {
        "roc_auc": roc_auc,
        "pr_auc": pr_auc,
        "brier": brier,
        "log_loss": log_loss,
        "ece": lambda y, p: ece(y, p, cfg.ece_bins),
        "recall_at_precision": lambda y, p: recall_at_precision(y, p, cfg.min_precision),
    }


@dataclass
class Estimate:
    """A point estimate with its bootstrap 95% interval."""

    value: float
    low: float
    high: float

    def as_dict(self) -> dict[str, float]:
        return {"value": self.value, "ci_low": self.low, "ci_high": self.high}

    def text(self, digits: int = 3) -> str:
        """`value [low, high]` to `digits` places, as the reports print it; `n/a` for a missing value."""
        if not np.isfinite(self.value):
            return "n/a"
        return f"{self.value:.{digits}f} [{self.low:.{digits}f}, {self.high:.{digits}f}]"


@dataclass
class MetricReport:
    """Metrics for one model on one set of services."""

    n_services: int
    n_letters: int
    n_positive: int
    prevalence: float
    metrics: dict[str, Estimate] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "n_services": self.n_services,
            "n_letters": self.n_letters,
            "n_positive": self.n_positive,
            "prevalence": self.prevalence,
            "metrics": {k: v.as_dict() for k, v in self.metrics.items()},
        }


def _bootstrap_indices(groups: np.ndarray, cfg: MetricConfig) -> list[np.ndarray]:
    """Row indices for each bootstrap resample of whole letters (the same list serves every model)."""
    return letter_resamples(groups, cfg.n_bootstrap, cfg.seed)


def letter_resamples(groups: np.ndarray, n: int, seed: int) -> list[np.ndarray]:
    """Row indices of `n` resamples of whole letters (`groups`: each row's letter), drawn with replacement:
    services of one letter are not independent, so they are drawn together."""
    codes, uniques = pd.factorize(pd.Series(groups), sort=False)
    n_groups = len(uniques)
    rows = np.arange(codes.size)
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n if n_groups else 0):
        counts = np.bincount(rng.integers(0, n_groups, n_groups), minlength=n_groups)
        out.append(np.repeat(rows, counts[codes]))
    return out


def _interval(values: np.ndarray) -> tuple[float, float]:
    v = values[np.isfinite(values)]
    if v.size == 0:
        return float("nan"), float("nan")
    return float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))


def evaluate_predictions(
    y: np.ndarray,
    predictions: dict[str, np.ndarray],
    groups: np.ndarray,
    cfg: MetricConfig,
    reference: str | None = None,
) -> tuple[dict[str, MetricReport], dict[str, dict[str, Estimate]]]:
    """Metrics with CIs for several models on the same rows, plus paired differences vs `reference`.

    Returns (reports by model, differences by "<model>_vs_<other>" then metric: reference minus other).
    """
    y = np.asarray(y, dtype=int)
    groups = np.asarray(groups)
    fns = metric_functions(cfg)
    boots = _bootstrap_indices(groups, cfg)
    reports: dict[str, MetricReport] = {}
    samples: dict[str, dict[str, np.ndarray]] = {}
    for name, p in predictions.items():
        p = np.asarray(p, dtype=float)
        rep = MetricReport(
            n_services=int(y.size),
            n_letters=int(pd.Series(groups).nunique()),
            n_positive=int(y.sum()),
            prevalence=float(y.mean()) if y.size else float("nan"),
        )
        samples[name] = {}
        for mname, fn in fns.items():
            point = fn(y, p)
            draws = np.array([fn(y[idx], p[idx]) for idx in boots]) if boots else np.array([])
            samples[name][mname] = draws
            low, high = _interval(draws)
            rep.metrics[mname] = Estimate(point, low, high)
        reports[name] = rep
    diffs: dict[str, dict[str, Estimate]] = {}
    if reference is not None and reference in predictions:
        for other in predictions:
            if other == reference:
                continue
            key = f"{reference}_vs_{other}"
            diffs[key] = {}
            for mname in fns:
                point = reports[reference].metrics[mname].value - reports[other].metrics[mname].value
                low, high = _interval(samples[reference][mname] - samples[other][mname])
                diffs[key][mname] = Estimate(point, low, high)
    return reports, diffs


def per_family_reports(
    y: np.ndarray,
    predictions: dict[str, np.ndarray],
    groups: np.ndarray,
    families: Sequence[str],
    cfg: MetricConfig,
) -> dict[str, dict[str, MetricReport]]:
    """The same metrics within each service family with at least `min_family_services` services."""
    fam = pd.Series(np.asarray(families, dtype=object)).fillna("unknown").to_numpy()
    out: dict[str, dict[str, MetricReport]] = {}
    for family in sorted(pd.unique(fam)):
        mask = fam == family
        if mask.sum() < cfg.min_family_services:
            continue
        reports, _ = evaluate_predictions(
            np.asarray(y)[mask],
            {k: np.asarray(v)[mask] for k, v in predictions.items()},
            np.asarray(groups)[mask],
            cfg,
        )
        out[str(family)] = reports
    return out
