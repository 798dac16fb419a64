"""`imr evaluate-real`: everything we can say about models on a few hundred real services, in one run.

Repeated grouped CV of the candidates beside the baselines (intervals by letter bootstrap, paired
differences over the family-rate baseline), single-run stability across seeds, a time-ordered
split, calibration of the served recipe on real letters (reliability, ECE, Brier vs the base
rate), the synthetic-row weight chosen by the real-letter CV, the family prior's strength, and the
synthetic-trained model scored on real letters. With a few dozen overturned services, intervals are
wide; the report says so rather than ranking models on noise.
"""

from __future__ import annotations

from collections.abc import Callable
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
class RecipeChoice:
    """The grid compared on the `select_on` letters only, and the recipe with the best mean ROC-AUC."""

    chosen: str
    select_on: str
    cv: CVResult

    def as_dict(self) -> dict[str, Any]:
        per = self.cv.per_repeat
        return {
            "chosen": self.chosen,
            "select_on": self.select_on,
            "n_letters": int(len(set(self.cv.groups))),
            "n_services": int(len(self.cv.y)),
            "n_overturned": int(self.cv.y.sum()),
            "repeats": len(next(iter(per.values()))["roc_auc"]),
            "mean_roc_auc": {n: float(np.mean(v["roc_auc"])) for n, v in per.items()},
            "mean_brier": {n: float(np.mean(v["brier"])) for n, v in per.items()},
        }


def choose_recipe(
    real: pd.DataFrame, spec: FeatureSpec, base: TrainParams, cv: RealCVParams, split: dict[str, str]
) -> RecipeChoice:
    """Repeated grouped CV of every grid recipe on the `grid.select_on` letters of `split` only (the
    validation letters are never read here), and the winner by mean ROC-AUC over repeats."""
    from training.recipes import best_recipe, grid_candidates, split_rows

    g = cv.grid
    if not g.recipes:
        raise ValueError("evaluate_real.grid has no recipes to choose from")
    rows = split_rows(real, split, g.select_on)
    if not rows.any():
        raise ValueError(f"no letters of split {g.select_on!r} among the parsed letters")
    candidates = grid_candidates(spec, g, base, cv.candidates)
    sub = real.loc[rows].reset_index(drop=True)
    result = repeated_cv(sub, spec, base, cv, candidates=candidates, repeats=g.selection_repeats)
    return RecipeChoice(best_recipe(result.per_repeat, [c.name for c in candidates]), g.select_on, result)


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
    served: str = SERVED  # the served recipe's name among the CV's candidates
    twin: str | None = None  # the served recipe without the text score (its facts-only model)
    stack: str | None = None  # a facts-only served recipe with the text score (the stack it is compared with)
    choice: RecipeChoice | None = None
    nested: CVResult | None = None
    nested_choices: dict[str, Any] | None = None
    validation: SplitResult | None = None
    pairs: list[tuple[str, str]] = field(default_factory=list)  # paired differences reported

    def pair_differences(self, result: CVResult | SplitResult) -> dict[str, dict[str, Any]]:
        out = {}
        for a, b in self.pairs:
            if a in result.summary and b in result.summary:
                d = result.difference(a, b)
                out[f"{a} - {b}"] = {m: d[m].as_dict() for m in ("roc_auc", "brier")}
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "header": self.header,
            "train_real": self.train_params,
            "served": self.served,
            "facts_only_twin": self.twin,
            "stack": self.stack,
            "recipe_choice": self.choice.as_dict() if self.choice else None,
            "paired_differences": {
                "cross_validation": self.pair_differences(self.cv),
                "validation": self.pair_differences(self.validation) if self.validation else None,
                "time_split": self.pair_differences(self.time) if self.time else None,
            },
            "nested": None
            if self.nested is None
            else {**self.nested.as_dict(), "choices": self.nested_choices},
            "validation_split": self.validation.as_dict() if self.validation else None,
            "cross_validation": self.cv.as_dict(),
            "stability": {"limit": self.stability_limit, "runs": self.stability},
            "time_split": self.time.as_dict() if self.time else None,
            "synthetic_weight_sweep": self.synthetic_sweep,
            "chosen_synthetic_weight": self.chosen_synthetic_weight,
            "family_prior_strength": self.prior_strength,
            "synthetic_to_real": self.transfer.as_dict() if self.transfer else None,
            "calibration": self.calibration,
        }


def evaluate_served(
    real: pd.DataFrame,
    spec: FeatureSpec,
    params: TrainParams,
    cv: RealCVParams,
    split: dict[str, str],
    header: dict[str, Any],
    step: Callable[[str], None] | None = None,
) -> RealEvaluation:
    """The served recipe (`train_real`) among the grid and the baselines: the choice on the tune
    letters, repeated grouped CV on all letters, the nested estimate of choosing, tune -> validation,
    the time-ordered split, stability and calibration. `step(name)` hears each phase (a progress bar)."""
    say = step if step is not None else (lambda _name: None)
    from training.candidates import BaseRateCandidate, FamilyRateCandidate, LightGBMCandidate
    from training.nested_choice import NestedChoice, choice_summary
    from training.real_cv import fixed_split, time_split
    from training.recipes import grid_candidates, split_rows

    g = cv.grid
    baselines = [
        FamilyRateCandidate(params), FamilyRateCandidate(params, use_counts=False), BaseRateCandidate()
    ]  # fmt: skip
    candidates = grid_candidates(spec, g, params, cv.candidates)
    match = g.matching(params)
    served = match.name if match is not None else SERVED
    if match is None:  # train_real is not a grid recipe: compare it too
        candidates.insert(0, LightGBMCandidate(spec, params))
    twin_recipe = g.twin(match) if match is not None else None
    twin = twin_recipe.name if twin_recipe is not None else None
    stack_recipe = g.stack(match) if match is not None else None
    stack = stack_recipe.name if stack_recipe is not None else None
    say("choosing a recipe on the tune letters")
    choice = choose_recipe(real, spec, params, cv, split) if split and g.recipes else None
    say("grouped CV of every recipe")
    result = repeated_cv(real, spec, params, cv, candidates=[*candidates, *baselines])
    ev = RealEvaluation(header, params.model_dump(mode="json"), result, result.stability(cv.stability_runs),
                        cv.stability_limit, served=served, twin=twin, stack=stack, choice=choice)  # fmt: skip
    chosen = choice.chosen if choice is not None else None  # what the tune letters chose (any learner)
    others = (twin, stack, chosen, *g.compare_with, "prior_text", "family_rate", "published_prior")
    ev.pairs = [(served, b) for b in dict.fromkeys(others) if b is not None and b != served]
    ev.calibration = calibration_summary(result, cv.ece_bins, name=served)
    served_candidates = [c for c in candidates if c.name in {served, twin, stack}]
    say("nested estimate of the choice")
    if g.nested_repeats and g.recipes:
        nested = NestedChoice(spec, g, params, cv.candidates)
        ev.nested = repeated_cv(real, spec, params, cv, candidates=[nested, *served_candidates, *baselines],
                                repeats=g.nested_repeats)  # fmt: skip
        ev.nested_choices = choice_summary(nested.choices)
    say("tune -> validation")
    if split:
        tune, validation = split_rows(real, split, g.select_on), split_rows(real, split, "validation")
        if tune.any() and validation.any():
            ev.validation = fixed_split(real, spec, cv, np.flatnonzero(tune), np.flatnonzero(validation),
                                        candidates=[*candidates, *baselines])  # fmt: skip
    say("time-ordered split")
    ev.time = time_split(real, spec, params, cv, candidates=[*candidates, *baselines])
    return ev


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


def _pair_rows(ev: RealEvaluation, result: CVResult | SplitResult) -> list[str]:
    lines = ["| Difference | ROC-AUC | Brier |", "|---|---|---|"]
    for a, b in ev.pairs:
        if a in result.summary and b in result.summary:
            d = result.difference(a, b)
            lines.append(f"| {a} minus {b} | {_f(d['roc_auc'])} | {_f(d['brier'], 4)} |")
    return lines


def _targets(ev: RealEvaluation) -> list[str]:
    cv, s = ev.cv, ev.cv.summary[ev.served]
    base = cv.summary.get("base_rate")
    rows = [("ROC-AUC at least 0.75", _f(s["roc_auc"]), s["roc_auc"].value >= 0.75)]
    if "family_rate" in cv.summary:
        d = cv.difference(ev.served, "family_rate")["roc_auc"]
        rows.append(("Lower bound of ROC-AUC minus the family rate above 0", _f(d), d.low > 0))
    if ev.twin is not None:
        d = cv.difference(ev.served, ev.twin)["roc_auc"]
        target = f"Lower bound of ROC-AUC minus the facts-only model ({ev.twin}) above 0"
        rows.append((target, _f(d), d.low > 0))
    if ev.stack is not None and ev.stack in cv.summary:  # issue #23's target when the served model reads no
        # text score: the stack must beat it
        d = cv.difference(ev.stack, ev.served)["roc_auc"]
        target = f"Lower bound of ROC-AUC of the stack ({ev.stack}) minus the served facts-only model above 0"
        rows.append((target, _f(d), d.low > 0))
    if base is not None:
        rows.append(("Brier below the base rate's", f"{s['brier'].value:.4f} vs {base['brier'].value:.4f}",
                     s["brier"].value < base["brier"].value))  # fmt: skip
    st = ev.stability.get(ev.served)
    if st is not None:
        rows.append((f"Single 5-fold runs within {ev.stability_limit:.2f} ROC-AUC across seeds",
                     f"range {st['range']:.3f}", st["range"] <= ev.stability_limit))  # fmt: skip
    return ["| Target | Result | Met |", "|---|---|---|", *[f"| {t} | {r} | {'yes' if ok else '**no**'} |"
                                                          for t, r, ok in rows]]  # fmt: skip


def _choice_lines(ev: RealEvaluation) -> list[str]:
    c = ev.choice
    if c is None:
        return []
    d = c.as_dict()
    order = sorted(d["mean_roc_auc"], key=lambda n: -d["mean_roc_auc"][n])
    lines = [
        "",
        f"## The choice of recipe, on the {d['select_on']} letters only",
        "",
        f"{d['n_letters']} letters, {d['n_services']} services, {d['n_overturned']} overturned; "
        f"{d['repeats']} x {ev.header['folds']}-fold grouped CV; the highest mean ROC-AUC wins. Chosen: "
        f"**{c.chosen}**; served (`train_real`): **{ev.served}**.",
        "",
        "| Recipe | Inputs | Mean ROC-AUC | per repeat (min-max) | Mean Brier |",
        "|---|---|---|---|---|",
    ]
    for n in order:
        per = c.cv.per_repeat[n]["roc_auc"]
        lines.append(f"| {n} | {c.cv.labels[n]} | {d['mean_roc_auc'][n]:.3f} | {min(per):.3f}-{max(per):.3f} "
                     f"| {d['mean_brier'][n]:.4f} |")  # fmt: skip
    return lines


def _summary_table(result: CVResult | SplitResult, reference: str) -> list[str]:
    lines = [
        "| Model | Inputs | ROC-AUC | Brier | ECE | ROC-AUC minus family rate | Brier minus family rate |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, s in result.summary.items():
        d = result.differences.get(name)
        ref = "(reference)" if name == reference else ""
        lines.append(
            f"| {name} | {result.labels[name]} | {_f(s['roc_auc'])} | {_f(s['brier'], 4)} | "
            f"{s['ece'].value:.3f} | {_f(d['roc_auc']) if d else ref} | {_f(d['brier'], 4) if d else ''} |"
        )
    return lines


def markdown_report(ev: RealEvaluation) -> str:
    h = ev.header
    cv = ev.cv
    lines = [
        "# Real letters: the served recipe by repeated grouped cross-validation",
        "",
        f"{h['n_letters']} real letters, {h['n_services']} labelled services, {h['n_positive']} overturned "
        f"(prevalence {h['prevalence']:.3f}); source `{h['source']}`; {h['label_check']}. Decisions are used "
        "only as labels; every input is pre-review. Every fit (models, family prior, text score, column "
        f"adders: {', '.join(cv.adders) or 'none'}) happens inside each outer fold. Served recipe: "
        f"**{ev.served}** ({cv.labels.get(ev.served, '')}).",
        "",
        f"## The served recipe against the targets ({h['repeats']} x {h['folds']}-fold CV)",
        "",
        *_targets(ev),
        *_choice_lines(ev),
        "",
        f"## Repeated grouped CV ({h['repeats']} x {h['folds']}-fold, by letter)",
        "",
        "Each figure is the mean over repeats of the metric on that repeat's out-of-fold predictions; "
        f"95% intervals from {h['n_bootstrap']} resamples of letters (one resample serves every repeat and "
        f"model, so differences are paired). Difference = model minus `{cv.reference}`.",
        "",
    ]
    lines += _summary_table(cv, cv.reference)
    if cv.notes:
        lines += ["", *[f"- {n}" for n in cv.notes]]
    if ev.pairs:
        lines += ["", "Paired differences of the served recipe (same folds, same letter resamples):", ""]
        lines += _pair_rows(ev, cv)
    if ev.nested is not None:
        nc = ev.nested_choices or {}
        chosen = ", ".join(f"{k} {v}" for k, v in (nc.get("chosen") or {}).items())
        n_rep = len(next(iter(ev.nested.per_repeat.values()))["roc_auc"])
        lines += [
            "",
            f"## Nested: the recipe chosen inside every outer fold ({n_rep} x {h['folds']}-fold)",
            "",
            "Inside each outer fold the whole grid is compared by grouped CV on that fold's training letters "
            "only; the winner is refitted on them and scores the fold. This is what choosing a recipe is "
            f"worth on letters the choice never saw. Outer folds that chose each recipe: {chosen}.",
            "",
            *_summary_table(ev.nested, ev.nested.reference),
        ]
    if ev.validation is not None:
        v = ev.validation
        lines += [
            "",
            "## Tune -> validation letters (tests/real/letter_split.csv)",
            "",
            f"Fitted on the {v.n_train_letters} tune letters, scored on the {v.n_test_letters} validation "
            f"letters ({v.n_test_services} services, {v.n_test_overturned} overturned), which neither the "
            "rules, the criteria nor the choice of recipe read.",
            "",
            *_summary_table(v, cv.reference),
            "",
            *_pair_rows(ev, v),
        ]
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
            *_summary_table(t, cv.reference),
            "",
            *_pair_rows(ev, t),
        ]
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
    shown = (ev.served, ev.twin or ev.stack or "logistic_regression", "family_rate")
    preds = {n: ev.cv.mean_oof(n) for n in shown if n in ev.cv.oof}
    title = f"Real letters, out-of-fold ({ev.header['repeats']} x {ev.header['folds']}-fold CV, mean)"
    plots.plot_reliability(ev.cv.y, preds, paths["reliability"], 10, title=title)
    paths["markdown"].write_text(markdown_report(ev), encoding="utf-8")
    paths["json"].write_text(json.dumps(ev.as_dict(), indent=1, default=str), encoding="utf-8")
    return paths
