"""Holdout evaluation of the model beside its baselines: metrics JSON, markdown table and plots.

Baselines are fitted on exactly the rows the model was trained on and scored on the same holdout
letters, so every number in the report is comparable across rows of the table.
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
from model.artifact import TriageModel
from model.predictor import Predictor
from training import metrics as M
from training.baselines import BaselineParams, fit_baselines

MODEL_KEY = "lightgbm"
ORDER = [MODEL_KEY, "logistic_regression", "family_rate", "base_rate"]
LABELS = {
    MODEL_KEY: "LightGBM (calibrated)",
    "logistic_regression": "Logistic regression",
    "family_rate": "Service-family rate",
    "base_rate": "Base rate",
}
METRIC_LABELS = {
    "roc_auc": "ROC-AUC",
    "pr_auc": "PR-AUC",
    "brier": "Brier",
    "log_loss": "Log loss",
    "ece": "ECE",
    "recall_at_precision": "Recall@P",
}


class EvaluateParams(BaseModel):
    """params.yaml `evaluate:` section."""

    model_config = ConfigDict(extra="ignore")

    n_bootstrap: int = 500
    seed: int = 0
    ece_bins: int = 10
    min_precision: float = 0.5
    min_family_services: int = 30
    shap_sample: int = 2000
    baselines: BaselineParams = Field(default_factory=BaselineParams)

    def metric_config(self) -> M.MetricConfig:
        return M.MetricConfig(
            self.n_bootstrap, self.seed, self.ece_bins, self.min_precision, self.min_family_services
        )


@dataclass
class EvaluationResult:
    reports: dict[str, M.MetricReport]
    diffs: dict[str, dict[str, M.Estimate]]
    families: dict[str, dict[str, M.MetricReport]]
    predictions: dict[str, np.ndarray]
    y: np.ndarray
    context: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "context": self.context,
            "models": {k: v.as_dict() for k, v in self.reports.items()},
            "paired_differences": {k: {m: e.as_dict() for m, e in d.items()} for k, d in self.diffs.items()},
            "per_family": {
                fam: {k: v.as_dict() for k, v in reps.items()} for fam, reps in self.families.items()
            },
        }

    def summary_metrics(self) -> dict[str, Any]:
        """Flat numbers for DVC `metrics:` and MLflow (model_metric and baseline_metric keys)."""
        out: dict[str, Any] = {}
        for name, rep in self.reports.items():
            prefix = "" if name == MODEL_KEY else f"{name}."
            for m, e in rep.metrics.items():
                out[f"{prefix}{m}"] = round(e.value, 6)
                if name == MODEL_KEY:
                    out[f"{m}_ci_low"] = round(e.low, 6)
                    out[f"{m}_ci_high"] = round(e.high, 6)
        model = self.reports[MODEL_KEY]
        out.update(
            prevalence=round(model.prevalence, 6),
            n_services=model.n_services,
            n_letters=model.n_letters,
            n_positive=model.n_positive,
        )
        return out


def evaluate_on_holdout(
    model: TriageModel,
    spec: FeatureSpec,
    train: pd.DataFrame,
    test: pd.DataFrame,
    params: EvaluateParams,
    min_frequency: int = 5,
) -> EvaluationResult:
    """Score model and baselines (fitted on `train`) on `test`; both frames hold labelled rows only."""
    cfg = params.metric_config()
    y_train = train[spec.target].to_numpy(dtype=int)
    y = test[spec.target].to_numpy(dtype=int)
    baselines = fit_baselines(train, y_train, spec, params.baselines, min_frequency)
    preds = {MODEL_KEY: Predictor(model).predict_proba(test)}
    preds.update({k: b.predict_proba(test) for k, b in baselines.items()})
    groups = test["letter_id"].astype(str).to_numpy()
    reports, diffs = M.evaluate_predictions(y, preds, groups, cfg, reference=MODEL_KEY)
    fam_col = params.baselines.family_column
    families = (
        M.per_family_reports(y, preds, groups, test[fam_col].to_numpy(), cfg) if fam_col in test else {}
    )
    return EvaluationResult(reports, diffs, families, preds, y)


def model_table(
    reports: dict[str, M.MetricReport],
    metrics: list[str],
    order: list[str] = ORDER,
    labels: dict[str, str] = LABELS,
    metric_labels: dict[str, str] = METRIC_LABELS,
) -> list[str]:
    """Markdown rows: a column per metric, a row per scored model in `order`, each cell `value [95% CI]`."""
    header = "| Model | " + " | ".join(metric_labels[m] for m in metrics) + " |"
    lines = [header, "|" + "---|" * (len(metrics) + 1)]
    for name in [n for n in order if n in reports]:
        cells = " | ".join(reports[name].metrics[m].text() for m in metrics)
        lines.append(f"| {labels[name]} | {cells} |")
    return lines


def markdown_report(result: EvaluationResult, title: str = "Holdout evaluation") -> str:
    """Model and baselines side by side, paired differences, per-family AUC/Brier, calibration choice."""
    ctx = result.context
    model = result.reports[MODEL_KEY]
    lines = [f"# {title}", ""]
    if ctx.get("synthetic"):
        lines += ["Data: **synthetic** letters (generated by `imr synth`), not real IMR decisions.", ""]
    split = ctx.get("split", {})
    lines += [
        f"Holdout: {model.n_services} services in {model.n_letters} letters, {model.n_positive} overturned "
        f"(prevalence {model.prevalence:.3f}); split `{split.get('kind', '?')}`"
        + (f", test letters from UR denial date {split['cutoff']}" if split.get("cutoff") else "")
        + f". Intervals: 95% bootstrap over letters ({ctx.get('n_bootstrap', '?')} resamples).",
        "",
    ]
    lines += model_table(result.reports, list(METRIC_LABELS))
    lines += [
        "",
        f"PR-AUC of a random ranking equals the prevalence ({model.prevalence:.3f}). "
        f"Recall@P is recall at precision >= {ctx.get('min_precision', 0.5)}.",
        "",
        "## Paired differences (LightGBM minus baseline, same bootstrap resamples)",
        "",
        "| Comparison | ROC-AUC diff | Brier diff | Log-loss diff |",
        "|---|---|---|---|",
    ]
    for key, d in result.diffs.items():
        other = key.split("_vs_", 1)[1]
        lines.append(
            f"| vs {LABELS.get(other, other)} | {d['roc_auc'].text(4)} | {d['brier'].text(4)} | "
            f"{d['log_loss'].text(4)} |"
        )
    lines += ["", "Positive ROC-AUC and negative Brier/log-loss differences favour LightGBM.", ""]
    if result.families:
        lines += [
            "## Per service family (ROC-AUC / Brier)",
            "",
            "| Family | n | overturned | LightGBM | Family rate | Logistic regression |",
            "|---|---|---|---|---|---|",
        ]
        for fam, reps in result.families.items():
            r = reps[MODEL_KEY]

            def cell(name: str, reps: dict[str, M.MetricReport] = reps) -> str:
                rep = reps[name]
                return f"{rep.metrics['roc_auc'].text(2)} / {rep.metrics['brier'].value:.3f}"

            lines.append(
                f"| {fam} | {r.n_services} | {r.n_positive} | {cell(MODEL_KEY)} | {cell('family_rate')} | "
                f"{cell('logistic_regression')} |"
            )
        lines.append("")
    cal = ctx.get("calibration")
    if cal:
        lines += ["## Class weighting and calibration", "", f"Chosen: {cal.get('reason', '')}", ""]
    return "\n".join(lines) + "\n"


def write_outputs(
    result: EvaluationResult,
    model: TriageModel,
    test: pd.DataFrame,
    out_dir: Path,
    metrics_path: Path,
    params: EvaluateParams,
    title: str = "Holdout evaluation",
) -> dict[str, Path]:
    """evaluation.json, evaluation.md, the flat metrics JSON and the four PNG plots."""
    from training import plots

    out_dir.mkdir(parents=True, exist_ok=True)
    plot_dir = out_dir / "plots"
    plot_dir.mkdir(exist_ok=True)
    paths = {
        "json": out_dir / "evaluation.json",
        "markdown": out_dir / "evaluation.md",
        "metrics": metrics_path,
        "roc": plots.plot_roc(result.y, result.predictions, plot_dir / "roc.png"),
        "pr": plots.plot_pr(result.y, result.predictions, plot_dir / "pr.png"),
        "reliability": plots.plot_reliability(
            result.y,
            {k: result.predictions[k] for k in (MODEL_KEY, "logistic_regression")},
            plot_dir / "reliability.png",
            params.ece_bins,
        ),
    }
    sample = test.sample(min(len(test), params.shap_sample), random_state=params.seed) if len(test) else test
    predictor = Predictor(model)
    contrib = predictor.contributions(sample)
    paths["shap"] = plots.plot_shap_summary(
        contrib.values,
        pd.DataFrame(predictor.matrix(sample), columns=model.encoded_columns),
        plot_dir / "shap_summary.png",
    )
    paths["json"].write_text(json.dumps(result.as_dict(), indent=1, default=str), encoding="utf-8")
    paths["markdown"].write_text(markdown_report(result, title), encoding="utf-8")
    metrics_path.parent.mkdir(parents=True, exist_ok=True)
    metrics_path.write_text(json.dumps(result.summary_metrics(), indent=1), encoding="utf-8")
    return paths
