"""DMHC benchmark: the training pipeline on 19k real health-plan IMR decisions, validated by time.

Train on report years up to `train_max_year`, test on the later years (how the model would be used),
plus grouped K-fold CV over Reference IDs. The LightGBM model (the project's own `train_model`) is
compared on the same rows with a base rate, a per-treatment rate, a service-family rate and logistic
regression, with bootstrap intervals; the markdown report goes to `experiments/`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from features.spec import FeatureSpec
from model.predictor import Predictor
from training import metrics as M
from training.baselines import BaseRate, FamilyRate, LogisticBaseline
from training.evaluation import LABELS as EVAL_LABELS
from training.evaluation import METRIC_LABELS as EVAL_METRIC_LABELS
from training.evaluation import MODEL_KEY, model_table
from training.splits import grouped_folds
from training.train import TrainParams, labelled_rows, train_model

ORDER = [MODEL_KEY, "logistic_regression", "treatment_rate", "family_rate", "base_rate"]
LABELS = {**EVAL_LABELS, "treatment_rate": "Per-treatment rate"}
METRICS = ["accuracy", "roc_auc", "pr_auc", "brier", "ece", "log_loss"]
METRIC_LABELS = {"accuracy": "Accuracy", **EVAL_METRIC_LABELS}


class DmhcBenchmarkParams(BaseModel):
    """params.yaml `dmhc:` section."""

    model_config = ConfigDict(extra="ignore")

    train_max_year: int = 2013
    test_min_year: int = 2014
    cv_folds: int = Field(default=5, ge=2)
    seed: int = 0
    n_bootstrap: int = 500
    ece_bins: int = 10
    threshold: float = Field(default=0.5, gt=0, lt=1)
    treatment_column: str = "service"
    family_column: str = "service_family"
    prior_strength: float = 10.0
    lr_C: float = 1.0
    lr_max_iter: int = 2000
    model_name: str = "imr-overturn-dmhc"
    experiment: str = "imr-dmhc"
    train: TrainParams = Field(default_factory=TrainParams)

    def metric_config(self) -> M.MetricConfig:
        return M.MetricConfig(self.n_bootstrap, self.seed, self.ece_bins)


@dataclass
class SplitResult:
    """Metrics of every model on one evaluation set (the year holdout, or pooled CV out-of-fold)."""

    name: str
    reports: dict[str, M.MetricReport]
    diffs: dict[str, dict[str, M.Estimate]]
    n_train: int
    context: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "n_train": self.n_train,
            "context": self.context,
            "models": {k: v.as_dict() for k, v in self.reports.items()},
            "paired_differences": {k: {m: e.as_dict() for m, e in d.items()} for k, d in self.diffs.items()},
        }


def _accuracy_fn(threshold: float) -> M.MetricFn:
    def accuracy(y: np.ndarray, p: np.ndarray) -> float:
        return float(np.mean((np.asarray(p) >= threshold) == np.asarray(y, dtype=bool)))

    return accuracy


def fit_predict_all(
    train: pd.DataFrame, test: pd.DataFrame, spec: FeatureSpec, p: DmhcBenchmarkParams
) -> tuple[dict[str, np.ndarray], Any]:
    """Fit LightGBM and every baseline on `train`; probabilities on `test` (and the fitted model)."""
    y = train[spec.target].to_numpy(dtype=int)
    result = train_model(train, spec, p.train)
    baselines: dict[str, Any] = {
        "base_rate": BaseRate().fit(train, y),
        "treatment_rate": FamilyRate(p.treatment_column, p.prior_strength, name="treatment_rate").fit(
            train, y
        ),
        "family_rate": FamilyRate(p.family_column, p.prior_strength).fit(train, y),
        "logistic_regression": LogisticBaseline(
            spec, p.lr_C, p.lr_max_iter, p.train.encoder.min_frequency
        ).fit(train, y),
    }
    preds = {MODEL_KEY: Predictor(result.model).predict_proba(test)}
    preds.update({k: b.predict_proba(test) for k, b in baselines.items()})
    return preds, result


def _evaluate(
    name: str,
    y: np.ndarray,
    preds: dict[str, np.ndarray],
    groups: np.ndarray,
    n_train: int,
    p: DmhcBenchmarkParams,
) -> SplitResult:
    """The project's metrics with bootstrap CIs, plus accuracy on the same resamples (same seed)."""
    cfg = p.metric_config()
    reports, diffs = M.evaluate_predictions(y, preds, groups, cfg, reference=MODEL_KEY)
    acc = _accuracy_fn(p.threshold)
    boots = M._bootstrap_indices(np.asarray(groups), cfg)  # the resamples evaluate_predictions used
    draws = {k: np.array([acc(y[i], v[i]) for i in boots]) for k, v in preds.items()}
    for k, v in preds.items():
        low, high = M._interval(draws[k])
        reports[k].metrics = {"accuracy": M.Estimate(acc(y, v), low, high), **reports[k].metrics}
    for key, d in diffs.items():
        other = key.split("_vs_", 1)[1]
        low, high = M._interval(draws[MODEL_KEY] - draws[other])
        point = reports[MODEL_KEY].metrics["accuracy"].value - reports[other].metrics["accuracy"].value
        diffs[key] = {"accuracy": M.Estimate(point, low, high), **d}
    return SplitResult(name, reports, diffs, n_train)


def year_split(
    table: pd.DataFrame, spec: FeatureSpec, p: DmhcBenchmarkParams
) -> tuple[SplitResult, Any, pd.DataFrame, pd.DataFrame]:
    """Train on report years <= train_max_year, test on years >= test_min_year."""
    data = labelled_rows(table, spec)
    years = data["report_year"].astype(float)
    train = data.loc[years <= p.train_max_year].reset_index(drop=True)
    test = data.loc[years >= p.test_min_year].reset_index(drop=True)
    preds, result = fit_predict_all(train, test, spec, p)
    y = test[spec.target].to_numpy(dtype=int)
    res = _evaluate("year", y, preds, test["letter_id"].astype(str).to_numpy(), len(train), p)
    res.context = {
        "train_years": f"{int(years.min())}-{p.train_max_year}",
        "test_years": f"{p.test_min_year}-{int(years.max())}",
        "train_prevalence": float(train[spec.target].mean()),
        "calibration": result.model.metadata.calibration.get("reason", ""),
        "best_rounds": result.best_rounds,
    }
    return res, result, train, test


def grouped_cv(table: pd.DataFrame, spec: FeatureSpec, p: DmhcBenchmarkParams) -> SplitResult:
    """K folds grouped by Reference ID; metrics on the pooled out-of-fold predictions."""
    data = labelled_rows(table, spec)
    y = data[spec.target].to_numpy(dtype=int)
    groups = data["letter_id"].astype(str).to_numpy()
    oof: dict[str, np.ndarray] = {}
    for tr, te in grouped_folds(y, groups, p.cv_folds, p.seed):
        preds, _ = fit_predict_all(data.iloc[tr].reset_index(drop=True), data.iloc[te], spec, p)
        for k, v in preds.items():
            oof.setdefault(k, np.zeros(len(y)))[te] = v
    res = _evaluate("grouped_cv", y, oof, groups, len(data), p)
    res.context = {"folds": p.cv_folds, "grouped_by": "Reference ID"}
    return res


# ---- report ------------------------------------------------------------------------------------
def split_table(res: SplitResult) -> list[str]:
    model = res.reports[MODEL_KEY]
    lines = [
        f"{model.n_services} test services ({model.n_positive} overturned, prevalence "
        f"{model.prevalence:.3f}); {res.n_train} training services.",
        "",
        *model_table(res.reports, METRICS, ORDER, LABELS, METRIC_LABELS),
        "",
        "Paired differences, LightGBM minus baseline on the same bootstrap resamples:",
        "",
        "| vs | Accuracy | ROC-AUC | Brier |",
        "|---|---|---|---|",
    ]
    for key, d in res.diffs.items():
        other = key.split("_vs_", 1)[1]
        lines.append(
            f"| {LABELS.get(other, other)} | {d['accuracy'].text(4)} | {d['roc_auc'].text(4)} | "
            f"{d['brier'].text(4)} |"
        )
    return lines + [""]


def markdown(year: SplitResult, cv: SplitResult | None, meta: dict[str, Any]) -> str:
    lines = [
        "## Results (generated by the benchmark; do not edit by hand)",
        "",
        f"Data: `{meta['csv_name']}`: {meta['n_rows']} rows read, {meta['n_errors']} malformed rows "
        f"reported and skipped, overturn rate {meta['prevalence']:.3f}. Intervals: 95% bootstrap "
        f"({meta['n_bootstrap']} resamples of Reference IDs). Accuracy at threshold {meta['threshold']}.",
        "",
        f"### Year split: train {year.context['train_years']}, test {year.context['test_years']}",
        "",
        *split_table(year),
        f"Training overturn rate {year.context['train_prevalence']:.3f}. LightGBM boosting rounds "
        f"(inner grouped CV): {year.context['best_rounds']}. Calibration: {year.context['calibration']}",
        "",
    ]
    if cv is not None:
        lines += [
            f"### Grouped {cv.context['folds']}-fold CV (by Reference ID, all years)",
            "",
            *split_table(cv),
        ]
    lines += [f"Run time: {meta['seconds']:.0f} s on {meta['threads']} LightGBM thread(s).", ""]
    return "\n".join(lines)


def write_report(
    out_dir: Path, year: SplitResult, cv: SplitResult | None, meta: dict[str, Any]
) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "dmhc_benchmark.json", "markdown": out_dir / "dmhc_benchmark.md"}
    body = {"meta": meta, "year_split": year.as_dict(), "grouped_cv": cv.as_dict() if cv else None}
    paths["json"].write_text(json.dumps(body, indent=1, default=str), encoding="utf-8")
    paths["markdown"].write_text(markdown(year, cv, meta), encoding="utf-8")
    return paths
