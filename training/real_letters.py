"""`imr evaluate-real`: everything we can say about models on a few hundred real services, in one run.

Repeated grouped CV of the candidates beside the baselines (intervals by letter bootstrap, paired
differences over the family-rate baseline), single-run stability across seeds, a time-ordered
split, calibration of the served recipe on real letters (reliability, ECE, Brier vs the base
rate), the synthetic-row weight chosen by the real-letter CV, the family prior's strength, and the
synthetic-trained model scored on real letters. With a few dozen overturned services, intervals are
wide; the report says so rather than ranking models on noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from features.spec import FeatureSpec
from model.artifact import TriageModel
from model.model_card import Interval as CardInterval
from model.model_card import RealLetterMetrics
from model.predictor import Predictor
from training import metrics as M
from training.baselines import fit_baselines
from training.boosting import TrainParams
from training.evaluation import MODEL_KEY
from training.letter_bootstrap import Interval
from training.real_cv import CVResult, RealCVParams, SplitResult, repeated_cv
from training.train import reliability_curve

SERVED = "lightgbm"


@dataclass
class TransferResult:
    """(b) The synthetic-trained model and synthetic-fitted baselines, scored on every real service."""

    model_version: str
    reports: dict[str, M.MetricReport]
    diffs: dict[str, dict[str, M.Estimate]]
    mean_predicted: float
    observed_rate: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "model_version": self.model_version,
            "models": {k: v.as_dict() for k, v in self.reports.items()},
            "paired_differences": {k: {m: e.as_dict() for m, e in d.items()} for k, d in self.diffs.items()},
            "mean_predicted": self.mean_predicted,
            "observed_rate": self.observed_rate,
        }


def synthetic_to_real(
    model: TriageModel, synthetic_train: pd.DataFrame, real: pd.DataFrame, spec: FeatureSpec, cv: RealCVParams
) -> TransferResult:
    """Nothing here was fitted on real letters; baselines come from `evaluate_real.baselines`."""
    y = real[spec.target].to_numpy(dtype=int)
    groups = real["letter_id"].astype(str).to_numpy()
    y_syn = synthetic_train[spec.target].to_numpy(dtype=int)
    base = fit_baselines(synthetic_train, y_syn, spec, cv.baselines)
    preds = {MODEL_KEY: Predictor(model).predict_proba(real)}
    preds.update({n: b.predict_proba(real) for n, b in base.items()})
    cfg = M.MetricConfig(n_bootstrap=cv.n_bootstrap, seed=cv.seed, ece_bins=cv.ece_bins)
    reports, diffs = M.evaluate_predictions(y, preds, groups, cfg, reference=MODEL_KEY)
    return TransferResult(
        model.metadata.model_version, reports, diffs, float(np.mean(preds[MODEL_KEY])), float(np.mean(y))
    )


def card_metrics(cv_result: CVResult, repeats: int, folds: int, name: str = SERVED) -> RealLetterMetrics:
    """The model card's real-letter numbers: the training recipe's repeated grouped CV."""
    s = cv_result.summary[name]
    base = cv_result.summary.get("base_rate")
    diff = cv_result.differences.get(name, {}).get("roc_auc") if cv_result.reference != name else None

    def card(i: Interval) -> CardInterval:
        return CardInterval(value=i.value, low=i.low, high=i.high)

    y = cv_result.y
    return RealLetterMetrics(
        method=f"{repeats} x {folds}-fold cross-validation grouped by letter of this training recipe "
        f"(every fit inside a fold); 95% intervals from resampling letters",
        n_letters=int(len(set(cv_result.groups))),
        n_services=int(len(y)),
        n_overturned=int(y.sum()),
        roc_auc=card(s["roc_auc"]),
        brier=card(s["brier"]),
        base_rate_brier=base["brier"].value if base else float(M.brier(y, np.full(len(y), y.mean()))),
        ece=s["ece"].value,
        roc_auc_minus_family_rate=card(diff)
        if diff is not None and cv_result.reference == "family_rate"
        else None,
    )


def validate_recipe(
    real: pd.DataFrame,
    spec: FeatureSpec,
    params: TrainParams,
    cv: RealCVParams,
    repeats: int,
    *,
    synthetic: pd.DataFrame | None = None,
) -> RecipeValidation:
    """Repeated grouped CV of exactly the recipe `imr train --letters` fits (synthetic rows, if any,
    join every training fold at their weight), for its model card."""
    from training.candidates import BaseRateCandidate, FamilyRateCandidate, LightGBMCandidate

    syn = None if synthetic is None else synthetic.assign(synthetic=True)
    candidates = [LightGBMCandidate(spec, params, syn), FamilyRateCandidate(params), BaseRateCandidate()]
    result = repeated_cv(real, spec, params, cv, candidates=candidates, repeats=repeats)
    oof = real[["letter_id", "item_index"]].reset_index(drop=True).assign(y=result.y)
    for name in result.oof:
        oof[name] = result.mean_oof(name)
    return RecipeValidation(card_metrics(result, repeats, cv.folds), oof)


@dataclass
class RecipeValidation:
    """The card's numbers and the out-of-fold predictions behind them (averaged over repeats), which
    `imr register` judges a model trained on these very letters by (its own scores would be in-sample)."""

    metrics: RealLetterMetrics
    oof: pd.DataFrame  # letter_id, item_index, y, one column per candidate


@dataclass
class RealEvaluation:
    """Everything `imr evaluate-real` measured (see `markdown_report`)."""

    header: dict[str, Any]
    train_params: dict[str, Any]
    cv: CVResult
    stability: dict[str, dict[str, float]]
    stability_limit: float
    time: SplitResult | None = None
    synthetic_sweep: dict[str, dict[str, Any]] | None = None
    chosen_synthetic_weight: float | None = None
    prior_strength: dict[str, dict[str, Any]] | None = None
    transfer: TransferResult | None = None
    calibration: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "header": self.header,
            "train_real": self.train_params,
            "cross_validation": self.cv.as_dict(),
            "stability": {"limit": self.stability_limit, "runs": self.stability},
            "time_split": self.time.as_dict() if self.time else None,
            "synthetic_weight_sweep": self.synthetic_sweep,
            "chosen_synthetic_weight": self.chosen_synthetic_weight,
            "family_prior_strength": self.prior_strength,
            "synthetic_to_real": self.transfer.as_dict() if self.transfer else None,
            "calibration": self.calibration,
        }


def calibration_summary(cv_result: CVResult, n_bins: int, name: str = SERVED) -> dict[str, Any]:
    """Reliability of the served recipe's out-of-fold probabilities (averaged over repeats)."""
    y = cv_result.y
    p = cv_result.mean_oof(name)
    return {
        "model": name,
        "mean_predicted": float(p.mean()),
        "observed_rate": float(y.mean()),
        "brier": cv_result.summary[name]["brier"].as_dict(),
        "base_rate_brier": cv_result.summary["base_rate"]["brier"].as_dict()
        if "base_rate" in cv_result.summary
        else None,
        "ece": cv_result.summary[name]["ece"].as_dict(),
        "reliability": reliability_curve(y, p, n_bins),
    }


def _f(i: Interval | M.Estimate | dict[str, float] | None, digits: int = 3) -> str:
    """`value [low, high]` of an interval in any of the shapes the report holds."""
    if i is None:
        return "n/a"
    v = i if isinstance(i, dict) else {"value": i.value, "low": i.low, "high": i.high}
    if not np.isfinite(v["value"]):
        return "n/a"
    return f"{v['value']:.{digits}f} [{v['low']:.{digits}f}, {v['high']:.{digits}f}]"


def markdown_report(ev: RealEvaluation) -> str:
    h = ev.header
    cv = ev.cv
    lines = [
        "# Real letters: candidate models by repeated grouped cross-validation",
        "",
        f"{h['n_letters']} real letters, {h['n_services']} labelled services, {h['n_positive']} overturned "
        f"(prevalence {h['prevalence']:.3f}); source `{h['source']}`; {h['label_check']}. Decisions are used "
        "only as labels; every input is pre-review. Every fit (models, family prior, column adders: "
        f"{', '.join(cv.adders) or 'none'}) happens inside each outer fold.",
        "",
        f"## Repeated grouped CV ({h['repeats']} x {h['folds']}-fold, by letter)",
        "",
        "Each figure is the mean over repeats of the metric on that repeat's out-of-fold predictions; "
        f"95% intervals from {h['n_bootstrap']} resamples of letters (one resample serves every repeat and "
        f"model, so differences are paired). Difference = model minus `{cv.reference}`.",
        "",
        "| Model | ROC-AUC | Brier | ECE | Log loss | ROC-AUC minus reference | Brier minus reference |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, s in cv.summary.items():
        d = cv.differences.get(name)
        lines.append(
            f"| {cv.labels[name]} | {_f(s['roc_auc'])} | {_f(s['brier'], 4)} | {s['ece'].value:.3f} | "
            f"{s['log_loss'].value:.3f} | {_f(d['roc_auc']) if d else '(reference)'} | "
            f"{_f(d['brier'], 4) if d else ''} |"
        )
    if cv.notes:
        lines += ["", *[f"- {n}" for n in cv.notes]]
    lines += [
        "",
        f"## Single {h['folds']}-fold runs: ROC-AUC across {h['stability_runs']} seeds (split and model)",
        "",
        f"Limit: a range of at most {ev.stability_limit:.2f}.",
        "",
        "| Model | min | max | range | within limit |",
        "|---|---|---|---|---|",
    ]
    for name, s in ev.stability.items():
        ok = "yes" if s["range"] <= ev.stability_limit else "**no**"
        lines.append(f"| {cv.labels[name]} | {s['min']:.3f} | {s['max']:.3f} | {s['range']:.3f} | {ok} |")
    c = ev.calibration
    if c:
        lines += [
            "",
            "## Calibration of the served recipe on real letters (out-of-fold, mean over repeats)",
            "",
            f"Mean predicted {c['mean_predicted']:.3f} vs observed {c['observed_rate']:.3f}; Brier "
            f"{_f(c['brier'], 4)} vs base rate {_f(c['base_rate_brier'], 4)}; ECE {_f(c['ece'])}. "
            f"Reliability plot: `{h.get('reliability_plot', '')}`.",
            "",
            "| Predicted (bin mean) | Observed | Services |",
            "|---|---|---|",
            *[f"| {r['predicted']:.3f} | {r['observed']:.3f} | {r['count']} |" for r in c["reliability"]],
        ]
    if ev.time is not None:
        t = ev.time
        lines += [
            "",
            "## Time-ordered split",
            "",
            f"Trained on the {t.n_train_letters} oldest letters, tested on the {t.n_test_letters} newest (UR "
            f"denial from {t.cutoff}): {t.n_test_services} services, {t.n_test_overturned} overturned.",
            "",
            "| Model | ROC-AUC | Brier | ROC-AUC minus reference |",
            "|---|---|---|---|",
        ]
        for name, s in t.summary.items():
            d = t.differences.get(name)
            lines.append(
                f"| {t.labels[name]} | {_f(s['roc_auc'])} | {_f(s['brier'], 4)} | "
                f"{_f(d['roc_auc']) if d else '(reference)'} |"
            )
    if ev.synthetic_sweep:
        lines += [
            "",
            "## Synthetic services added to each training fold (weight per synthetic service; real = 1)",
            "",
            "Judged only by the real-letter CV (served recipe, "
            f"{h.get('synthetic_repeats', '?')} repeats). Chosen weight: **{ev.chosen_synthetic_weight:g}** "
            "(lowest real-letter Brier).",
            "",
            "| Weight | Synthetic services | ROC-AUC | Brier |",
            "|---|---|---|---|",
        ]
        for r in ev.synthetic_sweep.values():
            lines.append(
                f"| {r['weight']:g} | {r['synthetic_services']} | {_f(r['roc_auc'])} | {_f(r['brier'], 4)} |"
            )
    if ev.prior_strength:
        lines += [
            "",
            "## Family-rate baseline by prior strength",
            "",
            "Strength scale multiplies the published strengths; 0 = observed family rates alone.",
            "",
            "| Strength scale | ROC-AUC | Brier |",
            "|---|---|---|",
            *[
                f"| {r['strength_scale']:g} | {_f(r['roc_auc'])} | {_f(r['brier'], 4)} |"
                for r in ev.prior_strength.values()
            ],
        ]
    if ev.transfer is not None:
        tr = ev.transfer
        lines += [
            "",
            "## The synthetic-trained model on real letters (nothing fitted on real letters)",
            "",
            f"Model {tr.model_version}; mean predicted {tr.mean_predicted:.3f} vs observed "
            f"{tr.observed_rate:.3f}.",
            "",
            "| Model (fitted on SYNTHETIC letters) | ROC-AUC | Brier |",
            "|---|---|---|",
        ]
        for name, rep in tr.reports.items():
            lines.append(f"| {name} | {_f(rep.metrics['roc_auc'])} | {_f(rep.metrics['brier'], 4)} |")
    return "\n".join(lines) + "\n"


def write_report(ev: RealEvaluation, prefix: Path) -> dict[str, Path]:
    """<prefix>.md, <prefix>.json and <prefix>-reliability.png."""
    import json

    from training import plots

    prefix.parent.mkdir(parents=True, exist_ok=True)
    paths = {
        "markdown": prefix.with_name(prefix.name + ".md"),
        "json": prefix.with_name(prefix.name + ".json"),
        "reliability": prefix.with_name(prefix.name + "-reliability.png"),
    }
    ev.header["reliability_plot"] = str(paths["reliability"])
    preds = {n: ev.cv.mean_oof(n) for n in (SERVED, "logistic_regression", "family_rate") if n in ev.cv.oof}
    title = f"Real letters, out-of-fold ({ev.header['repeats']} x {ev.header['folds']}-fold CV, mean)"
    plots.plot_reliability(ev.cv.y, preds, paths["reliability"], 10, title=title)
    paths["markdown"].write_text(markdown_report(ev), encoding="utf-8")
    paths["json"].write_text(json.dumps(ev.as_dict(), indent=1, default=str), encoding="utf-8")
    return paths
