"""Repeated grouped cross-validation on real letters: candidates, baselines, intervals, stability.

A few hundred services with a few dozen overturned: a single 5-fold split moves ROC-AUC by several
points with the seed, so each figure is the mean over `repeats` splits (each seeded split also
seeds the models), with a 95% interval from resampling whole letters (the same resample for every
repeat and every model, so differences are paired). Everything fitted - models, the family prior,
any column adder such as a text score - is fitted inside each outer fold on its training letters.
A time-ordered split (train on older letters, test on the newest) checks the same on the future.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from features.spec import FeatureSpec
from training import letter_bootstrap as LB
from training.baselines import BaselineParams
from training.boosting import TrainParams
from training.candidates import (
    Candidate,
    CandidateParams,
    ColumnAdder,
    FoldData,
    LightGBMCandidate,
    build_candidates,
)
from training.recipes import RecipeGrid
from training.splits import grouped_folds, holdout_split

SUMMARY_METRICS = ("roc_auc", "brier", "log_loss", "ece")


class RealCVParams(BaseModel):
    """params.yaml `evaluate_real:` (`imr evaluate-real`); the models' own settings are `train_real:`."""

    model_config = ConfigDict(extra="ignore")  # like every section: `base:` keys are merged in

    folds: int = Field(default=5, ge=2)
    repeats: int = Field(default=20, ge=1)
    seed: int = 0
    n_bootstrap: int = Field(default=1000, ge=0)
    ece_bins: int = 10
    reference: str = "family_rate"  # paired differences are taken against this baseline
    stability_runs: int = Field(default=5, ge=2)  # single 5-fold runs (split and model seeded alike)
    stability_limit: float = 0.05  # allowed ROC-AUC range across those runs
    time_test_fraction: float = Field(default=0.3, gt=0, lt=1)  # newest letters for the time split
    card_repeats: int = Field(default=5, ge=1)  # `imr train --letters`: CV repeats behind its model card
    candidates: CandidateParams = Field(default_factory=CandidateParams)
    synthetic_weights: list[float] = Field(default_factory=lambda: [0.0, 0.01, 0.05, 0.2, 0.5, 1.0])
    synthetic_repeats: int = Field(default=5, ge=1)
    synthetic_sample: int = Field(default=3000, ge=1)  # synthetic services added to each training fold
    prior_strength_scales: list[float] = Field(default_factory=lambda: [0.0, 0.5, 1.0, 2.0, 4.0])
    baselines: BaselineParams = Field(default_factory=BaselineParams)  # `imr evaluate-real` part (b)
    grid: RecipeGrid = Field(default_factory=RecipeGrid)  # the recipes compared for the served model
    report: str = "reports/real-letter-model"  # <report>.md, <report>.json, <report>-reliability.png


@dataclass
class CVResult:
    """Out-of-fold predictions of every candidate in every repeat and what they add up to."""

    y: np.ndarray
    groups: np.ndarray
    oof: dict[str, np.ndarray]  # name -> repeats x services
    labels: dict[str, str]
    summary: dict[str, dict[str, LB.Interval]]  # name -> metric -> repeat-mean with interval
    differences: dict[str, dict[str, LB.Interval]]  # name -> metric -> (name minus reference)
    per_repeat: dict[str, dict[str, list[float]]]  # name -> metric -> one value per repeat
    reference: str
    notes: list[str] = field(default_factory=list)
    adders: list[str] = field(default_factory=list)
    draws: dict[str, dict[str, np.ndarray]] = field(default_factory=dict, repr=False)  # bootstrap values

    def mean_oof(self, name: str) -> np.ndarray:
        return self.oof[name].mean(axis=0)

    def difference(self, a: str, b: str) -> dict[str, LB.Interval]:
        """`a` minus `b` per metric, paired on the same letter resamples."""
        return _paired(self.summary, self.draws, a, b)

    def stability(self, runs: int) -> dict[str, dict[str, float]]:
        """ROC-AUC range over the first `runs` repeats (each a single K-fold run with its split and its
        models seeded alike), per candidate; fewer repeats than `runs` is an error, not a smaller test."""
        out = {}
        for name, per in self.per_repeat.items():
            vals = per["roc_auc"][:runs]
            if len(vals) < runs:
                raise ValueError(f"stability over {runs} runs needs {runs} CV repeats, got {len(vals)}")
            out[name] = {
                "min": float(min(vals)),
                "max": float(max(vals)),
                "range": float(max(vals) - min(vals)),
            }
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "adders": self.adders,
            "notes": self.notes,
            "models": {
                n: {"label": self.labels[n], **{m: e.as_dict() for m, e in s.items()}}
                for n, s in self.summary.items()
            },
            "differences_vs_reference": {
                n: {m: e.as_dict() for m, e in d.items()} for n, d in self.differences.items()
            },
            "per_repeat": self.per_repeat,
        }


def summarise(
    y: np.ndarray,
    groups: np.ndarray,
    oof: dict[str, np.ndarray],
    reference: str,
    n_bootstrap: int,
    seed: int,
    ece_bins: int = 10,
) -> tuple[
    dict[str, dict[str, LB.Interval]], dict[str, dict[str, LB.Interval]], dict[str, dict[str, list[float]]]
]:
    """Repeat-mean metrics with letter-bootstrap intervals, and paired differences vs `reference`."""
    summary, draws, per_repeat = _metrics(y, groups, oof, n_bootstrap, seed, ece_bins)
    return summary, _versus_reference(summary, draws, reference), per_repeat


def _paired(
    summary: dict[str, dict[str, LB.Interval]], draws: dict[str, dict[str, np.ndarray]], a: str, b: str
) -> dict[str, LB.Interval]:
    return {
        m: LB.Interval.of(summary[a][m].value - summary[b][m].value, draws[a][m] - draws[b][m])
        for m in SUMMARY_METRICS
    }


def _versus_reference(
    summary: dict[str, dict[str, LB.Interval]], draws: dict[str, dict[str, np.ndarray]], reference: str
) -> dict[str, dict[str, LB.Interval]]:
    """Every other model minus `reference`, paired on the same letter resamples (none without it)."""
    if reference not in summary:
        return {}
    return {n: _paired(summary, draws, n, reference) for n in summary if n != reference}


Summary = dict[str, dict[str, LB.Interval]]
Draws = dict[str, dict[str, np.ndarray]]
PerRepeat = dict[str, dict[str, list[float]]]


def _metrics(
    y: np.ndarray, groups: np.ndarray, oof: dict[str, np.ndarray], n_bootstrap: int, seed: int, ece_bins: int
) -> tuple[Summary, Draws, PerRepeat]:
    w = LB.letter_weights(groups, n_bootstrap, seed) if n_bootstrap else np.ones((0, len(y)))
    ones = np.ones((1, len(y)))
    summary: dict[str, dict[str, LB.Interval]] = {}
    draws: dict[str, dict[str, np.ndarray]] = {}
    per_repeat: dict[str, dict[str, list[float]]] = {}
    for name, preds in oof.items():
        summary[name], draws[name], per_repeat[name] = {}, {}, {}
        for metric in SUMMARY_METRICS:
            fn = LB.METRICS[metric]
            kwargs = {"n_bins": ece_bins} if metric == "ece" else {}
            values = [float(fn(ones, y, p, **kwargs)[0]) for p in preds]
            d = np.mean([fn(w, y, p, **kwargs) for p in preds], axis=0) if len(w) else np.array([])
            summary[name][metric] = LB.Interval.of(float(np.mean(values)), d)
            draws[name][metric] = d
            per_repeat[name][metric] = values
    return summary, draws, per_repeat


def _fold_columns(
    adders: Sequence[tuple[str, ColumnAdder]], fold: FoldData
) -> tuple[pd.DataFrame, pd.DataFrame]:
    trains, tests = [], []
    for name, add in adders:
        tr, te = add(fold.train, fold.y, fold.groups, fold.test, fold.seed)
        if list(tr.columns) != list(te.columns) or len(tr) != len(fold.train) or len(te) != len(fold.test):
            raise ValueError(f"column adder {name!r} must return aligned train and test frames")
        trains.append(tr.reset_index(drop=True))
        tests.append(te.reset_index(drop=True))
    if not trains:
        return pd.DataFrame(index=range(len(fold.train))), pd.DataFrame(index=range(len(fold.test)))
    return pd.concat(trains, axis=1), pd.concat(tests, axis=1)


@dataclass(frozen=True)
class _Rows:
    """The real rows once, their labels kept apart: test rows reach candidates and adders unlabelled."""

    labelled: pd.DataFrame
    unlabelled: pd.DataFrame
    y: np.ndarray
    groups: np.ndarray

    @classmethod
    def of(cls, real: pd.DataFrame, spec: FeatureSpec) -> _Rows:
        real = real.reset_index(drop=True)
        return cls(real, real.drop(columns=[spec.target]), real[spec.target].to_numpy(dtype=int),
                   real["letter_id"].astype(str).to_numpy())  # fmt: skip

    def fold(
        self, tr: np.ndarray, te: np.ndarray, seed: int, adders: Sequence[tuple[str, ColumnAdder]]
    ) -> FoldData:
        """Fit on rows `tr`, score rows `te`, with the adders' columns built on this fold alone."""
        fold = FoldData(self.labelled.iloc[tr].reset_index(drop=True), self.y[tr], self.groups[tr],
                        self.unlabelled.iloc[te].reset_index(drop=True), seed)  # fmt: skip
        fold.extra_train, fold.extra_test = _fold_columns(adders, fold)
        return fold


def repeated_cv(
    real: pd.DataFrame,
    spec: FeatureSpec,
    train_params: TrainParams,
    cv: RealCVParams,
    *,
    candidates: Sequence[Candidate] | None = None,
    adders: Sequence[tuple[str, ColumnAdder]] = (),
    repeats: int | None = None,
) -> CVResult:
    """`repeats` x `folds` grouped CV; every candidate sees the same folds and the same added columns."""
    notes: list[str] = []
    if candidates is None:
        candidates, notes = build_candidates(spec, train_params, cv.candidates)
    rows = _Rows.of(real, spec)
    y, groups = rows.y, rows.groups
    n_rep = cv.repeats if repeats is None else repeats
    oof = {c.name: np.zeros((n_rep, len(y))) for c in candidates}
    for r in range(n_rep):
        seed = cv.seed + r
        for tr, te in grouped_folds(y, groups, cv.folds, seed):
            fold = rows.fold(tr, te, seed, adders)
            for c in candidates:
                oof[c.name][r, te] = c.fit_predict(fold)
    summary, draws, per_repeat = _metrics(y, groups, oof, cv.n_bootstrap, cv.seed, cv.ece_bins)
    diffs = _versus_reference(summary, draws, cv.reference)
    return CVResult(
        y, groups, oof, {c.name: c.label for c in candidates}, summary, diffs, per_repeat, cv.reference,
        notes, [n for n, _ in adders], draws,
    )  # fmt: skip


@dataclass
class SplitResult:
    """Candidates trained on older letters and scored on the newest ones."""

    cutoff: str | None
    n_train_letters: int
    n_test_letters: int
    n_test_services: int
    n_test_overturned: int
    summary: dict[str, dict[str, LB.Interval]]
    differences: dict[str, dict[str, LB.Interval]]
    labels: dict[str, str]
    draws: dict[str, dict[str, np.ndarray]] = field(default_factory=dict, repr=False)

    def difference(self, a: str, b: str) -> dict[str, LB.Interval]:
        """`a` minus `b` per metric, paired on the same letter resamples."""
        return _paired(self.summary, self.draws, a, b)

    def as_dict(self) -> dict[str, Any]:
        return {
            "cutoff": self.cutoff,
            "n_train_letters": self.n_train_letters,
            "n_test_letters": self.n_test_letters,
            "n_test_services": self.n_test_services,
            "n_test_overturned": self.n_test_overturned,
            "models": {n: {m: e.as_dict() for m, e in s.items()} for n, s in self.summary.items()},
            "differences_vs_reference": {
                n: {m: e.as_dict() for m, e in d.items()} for n, d in self.differences.items()
            },
        }


def time_split(
    real: pd.DataFrame,
    spec: FeatureSpec,
    train_params: TrainParams,
    cv: RealCVParams,
    *,
    candidates: Sequence[Candidate] | None = None,
    adders: Sequence[tuple[str, ColumnAdder]] = (),
) -> SplitResult:
    """Oldest letters (by UR denial date) train, the newest `time_test_fraction` test."""
    if candidates is None:
        candidates, _ = build_candidates(spec, train_params, cv.candidates)
    real = real.reset_index(drop=True)
    split = holdout_split(real, cv.time_test_fraction, cv.seed)
    cutoff = split.cutoff if split.kind == "time" else None
    return fixed_split(real, spec, cv, split.train, split.test, candidates=candidates, adders=adders,
                       cutoff=cutoff)  # fmt: skip


def fixed_split(
    real: pd.DataFrame,
    spec: FeatureSpec,
    cv: RealCVParams,
    train: np.ndarray,
    test: np.ndarray,
    *,
    candidates: Sequence[Candidate],
    adders: Sequence[tuple[str, ColumnAdder]] = (),
    cutoff: str | None = None,
) -> SplitResult:
    """Candidates fitted on the `train` rows and scored on the `test` rows (whole letters on each side)."""
    rows = _Rows.of(real, spec)
    y, groups = rows.y, rows.groups
    tr, te = np.asarray(train), np.asarray(test)
    both = set(groups[tr]) & set(groups[te])
    if both:
        raise ValueError(f"a split must keep letters whole: {sorted(both)[:3]} on both sides")
    fold = rows.fold(tr, te, cv.seed, adders)
    preds = {c.name: c.fit_predict(fold)[None, :] for c in candidates}
    summary, draws, _ = _metrics(y[te], groups[te], preds, cv.n_bootstrap, cv.seed, cv.ece_bins)
    diffs = _versus_reference(summary, draws, cv.reference)
    return SplitResult(
        cutoff, len(set(groups[tr])), len(set(groups[te])), len(te),
        int(y[te].sum()), summary, diffs, {c.name: c.label for c in candidates}, draws,
    )  # fmt: skip


def synthetic_weight_sweep(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    spec: FeatureSpec,
    train_params: TrainParams,
    cv: RealCVParams,
) -> dict[str, dict[str, Any]]:
    """The served recipe with synthetic services added to every training fold at each weight, judged
    only by the real-letter CV (never by synthetic scores); weight 0 = real letters only."""
    rng = np.random.default_rng(cv.seed)
    sample = synthetic.iloc[rng.permutation(len(synthetic))[: cv.synthetic_sample]].reset_index(drop=True)
    sample = sample.assign(synthetic=True)
    out: dict[str, dict[str, Any]] = {}
    for w in cv.synthetic_weights:
        params = train_params.model_copy(update={"synthetic_weight": w if w > 0 else None})
        cand = LightGBMCandidate(spec, params, sample if w > 0 else None)
        res = repeated_cv(real, spec, params, cv, candidates=[cand], repeats=cv.synthetic_repeats)
        s = res.summary["lightgbm"]
        out[f"{w:g}"] = {
            "weight": w,
            "synthetic_services": len(sample) if w > 0 else 0,
            "roc_auc": s["roc_auc"].as_dict(),
            "brier": s["brier"].as_dict(),
            "per_repeat_roc_auc": res.per_repeat["lightgbm"]["roc_auc"],
        }
    return out


def best_synthetic_weight(sweep: dict[str, dict[str, Any]]) -> float:
    """The weight with the lowest real-letter CV Brier (a proper score), ROC-AUC breaking ties."""
    best = min(sweep.values(), key=lambda r: (round(r["brier"]["value"], 5), -r["roc_auc"]["value"]))
    return float(best["weight"])


def prior_strength_sweep(
    real: pd.DataFrame, spec: FeatureSpec, train_params: TrainParams, cv: RealCVParams
) -> dict[str, dict[str, Any]]:
    """The family-rate baseline at several prior strengths (0: observed family rates alone)."""
    from training.candidates import FamilyRateCandidate

    out = {}
    for scale in cv.prior_strength_scales:
        fp = train_params.family_prior.model_copy(update={"strength_scale": scale})
        params = train_params.model_copy(update={"family_prior": fp})
        res = repeated_cv(real, spec, params, cv, candidates=[FamilyRateCandidate(params)])
        s = res.summary["family_rate"]
        out[f"{scale:g}"] = {
            "strength_scale": scale,
            "roc_auc": s["roc_auc"].as_dict(),
            "brier": s["brier"].as_dict(),
        }
    return out
