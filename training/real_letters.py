"""Experiments on real DWC letters: (a) grouped CV trained on real letters only, (b) the model trained
on synthetic letters scored on real ones, (c) both beside the same baselines.

With ~300 real services and a few dozen overturned, intervals are wide; the report says so. Every
feature comes from the spec, which refuses post-review sections, so none of these is leaky.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from features.spec import FeatureSpec
from model.artifact import TriageModel
from model.predictor import Predictor
from training import metrics as M
from training.baselines import BaselineParams, fit_baselines
from training.boosting import LgbmParams, TrainParams
from training.evaluation import LABELS, METRIC_LABELS, MODEL_KEY, ORDER, _fmt
from training.splits import grouped_folds
from training.train import train_model


class RealLettersParams(BaseModel):
    """params.yaml `evaluate_real:` (small-data LightGBM settings; CV repeats for stabler estimates)."""

    model_config = ConfigDict(extra="ignore")

    cv_folds: int = 5
    repeats: int = 3
    seed: int = 0
    n_bootstrap: int = 1000
    min_precision: float = 0.5
    inner_cv_folds: int = 3
    lgbm: LgbmParams = Field(
        default_factory=lambda: LgbmParams(
            num_boost_round=200, num_leaves=4, min_data_in_leaf=10, learning_rate=0.05
        )
    )
    baselines: BaselineParams = Field(default_factory=lambda: BaselineParams(family_prior_strength=5.0))
    min_frequency: int = 2


@dataclass
class Experiment:
    name: str
    description: str
    reports: dict[str, M.MetricReport]
    diffs: dict[str, dict[str, M.Estimate]]
    extra: dict[str, Any]


def _metric_cfg(p: RealLettersParams) -> M.MetricConfig:
    return M.MetricConfig(n_bootstrap=p.n_bootstrap, seed=p.seed, min_precision=p.min_precision)


def real_only_cv(real: pd.DataFrame, spec: FeatureSpec, p: RealLettersParams) -> Experiment:
    """(a) Repeated grouped K-fold on real letters; model and baselines refitted in every fold."""
    y = real[spec.target].to_numpy(dtype=int)
    groups = real["letter_id"].astype(str).to_numpy()
    names = [MODEL_KEY, "logistic_regression", "family_rate", "base_rate"]
    per_repeat: list[dict[str, M.MetricReport]] = []
    pooled = {n: np.zeros(len(y)) for n in names}
    chosen: list[str] = []
    for r in range(p.repeats):
        oof = {n: np.zeros(len(y)) for n in names}
        for tr, te in grouped_folds(y, groups, p.cv_folds, p.seed + r):
            train, test = real.iloc[tr], real.iloc[te]
            params = TrainParams(
                seed=p.seed + r,
                cv_folds=p.inner_cv_folds,
                lgbm=p.lgbm,
                encoder={"min_frequency": p.min_frequency, "max_levels": 50},
            )
            result = train_model(train, spec, params)
            cal = result.model.metadata.calibration
            chosen.append(f"{cal['weighting']}+{cal['method']}")
            oof[MODEL_KEY][te] = Predictor(result.model).predict_proba(test)
            base = fit_baselines(train, y[tr], spec, p.baselines, p.min_frequency)
            for n, b in base.items():
                oof[n][te] = b.predict_proba(test)
        reps, _ = M.evaluate_predictions(y, oof, groups, M.MetricConfig(n_bootstrap=0))
        per_repeat.append(reps)
        for n in names:  # every row is out-of-fold in every repeat: average over repeats
            pooled[n] += oof[n] / p.repeats
    reports, diffs = M.evaluate_predictions(y, pooled, groups, _metric_cfg(p), reference=MODEL_KEY)
    spread = {
        n: {m: [rep[n].metrics[m].value for rep in per_repeat] for m in ("roc_auc", "brier")} for n in names
    }
    return Experiment(
        "a_real_only_cv",
        f"LightGBM and baselines trained on real letters only; {p.cv_folds}-fold cross-validation grouped "
        f"by letter, repeated {p.repeats} times with different fold assignments; the table scores each "
        "service's out-of-fold prediction averaged over the repeats (per-repeat values listed below).",
        reports,
        diffs,
        {"repeat_values": spread, "calibration_choices": sorted(set(chosen))},
    )


def synthetic_to_real(
    model: TriageModel,
    synthetic_train: pd.DataFrame,
    real: pd.DataFrame,
    spec: FeatureSpec,
    p: RealLettersParams,
) -> Experiment:
    """(b) The synthetic-trained model and synthetic-trained baselines, all scored on every real service."""
    y = real[spec.target].to_numpy(dtype=int)
    groups = real["letter_id"].astype(str).to_numpy()
    base = fit_baselines(
        synthetic_train, synthetic_train[spec.target].to_numpy(dtype=int), spec, BaselineParams(), 5
    )
    preds = {MODEL_KEY: Predictor(model).predict_proba(real)}
    preds.update({n: b.predict_proba(real) for n, b in base.items()})
    reports, diffs = M.evaluate_predictions(y, preds, groups, _metric_cfg(p), reference=MODEL_KEY)
    return Experiment(
        "b_synthetic_to_real",
        "LightGBM and baselines trained on the synthetic corpus (the pipeline's model and its training "
        "rows), tested on all real services; nothing was fitted on real letters.",
        reports,
        diffs,
        {
            "model_version": model.metadata.model_version,
            "mean_predicted": float(np.mean(preds[MODEL_KEY])),
            "observed_rate": float(np.mean(y)),
        },
    )


def markdown_tables(experiments: list[Experiment], header: dict[str, Any]) -> str:
    lines = ["# Real letters: real-only cross-validation and synthetic-to-real transfer", ""]
    lines += [
        f"Real letters: {header['n_letters']} letters, {header['n_services']} labelled services, "
        f"{header['n_positive']} overturned (prevalence {header['prevalence']:.3f}); source "
        f"`{header['source']}`. Labels are the parsed IMR decisions (post-review text used only as the "
        "target). Features come from the feature spec, which refuses post-review sections: **none of "
        "these experiments is leaky**. Intervals: 95% bootstrap over letters.",
        "",
    ]
    metric_names = list(METRIC_LABELS)
    for exp in experiments:
        lines += [f"## {exp.name}", "", exp.description, ""]
        lines += [
            "| Model | " + " | ".join(METRIC_LABELS[m] for m in metric_names) + " |",
            "|" + "---|" * (len(metric_names) + 1),
        ]
        for name in [n for n in ORDER if n in exp.reports]:
            rep = exp.reports[name]
            lines.append(
                f"| {LABELS[name]} | " + " | ".join(_fmt(rep.metrics[m]) for m in metric_names) + " |"
            )
        lines += ["", "| LightGBM minus | ROC-AUC diff | Brier diff |", "|---|---|---|"]
        for key, d in exp.diffs.items():
            other = key.split("_vs_", 1)[1]
            lines.append(f"| {LABELS.get(other, other)} | {_fmt(d['roc_auc'], 3)} | {_fmt(d['brier'], 4)} |")
        if "repeat_values" in exp.extra:
            lines += ["", "ROC-AUC / Brier per CV repeat:", ""]
            for n, vals in exp.extra["repeat_values"].items():
                auc = ", ".join(f"{v:.3f}" for v in vals["roc_auc"])
                bri = ", ".join(f"{v:.4f}" for v in vals["brier"])
                lines.append(f"- {LABELS[n]}: ROC-AUC {auc}; Brier {bri}")
            lines.append(f"- weighting+calibration chosen inside folds: {exp.extra['calibration_choices']}")
        if "mean_predicted" in exp.extra:
            lines += [
                "",
                f"Mean predicted overturn probability on real services "
                f"{exp.extra['mean_predicted']:.3f} vs observed rate {exp.extra['observed_rate']:.3f}.",
            ]
        lines.append("")
    return "\n".join(lines) + "\n"
