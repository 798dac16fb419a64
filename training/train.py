"""Fit the LightGBM triage model: grouped CV picks rounds, weighting and calibration, then one refit.

The ~11% positive rate tempts class weighting, which distorts probabilities; we try both
unweighted and class-weighted boosters, calibrate each on out-of-fold scores (isotonic and sigmoid,
cross-fitted so the calibrator never scores rows it was fitted on), and keep the combination with
the best out-of-fold Brier score. The candidates' numbers go into the model's metadata.
"""

from __future__ import annotations

import time
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from features.spec import FeatureSpec
from model.artifact import ModelMetadata, TriageModel, content_version
from model.calibration import CalibrationMethod, fit_calibrator
from training import metrics as M
from training.boosting import (
    CandidateScore,
    TrainParams,
    TrainResult,
    labelled_rows,
    lgb_params,
    make_encoder,
    unique_names,
)
from training.fingerprint import table_fingerprint
from training.splits import grouped_folds


def reliability_curve(y: np.ndarray, p: np.ndarray, n_bins: int = 10) -> list[dict[str, float]]:
    """Mean predicted vs observed overturn rate per equal-width probability bin (empty bins left out)."""
    bins = np.minimum((np.asarray(p) * n_bins).astype(int), n_bins - 1)
    curve = []
    for b in np.unique(bins):
        m = bins == b
        curve.append({"predicted": float(p[m].mean()), "observed": float(y[m].mean()), "count": int(m.sum())})
    return curve


def _cv_raw_scores(
    X_raw: pd.DataFrame,
    y: np.ndarray,
    folds: list[tuple[np.ndarray, np.ndarray]],
    spec: FeatureSpec,
    p: TrainParams,
    weighting: str,
) -> tuple[np.ndarray, int]:
    """Out-of-fold raw scores at the boosting round with the best mean validation loss."""
    pos_weight = float((y == 0).sum() / max(1, (y == 1).sum()))
    params = lgb_params(p, weighting, pos_weight)
    curves, boosters, encoded = [], [], []
    for tr, te in folds:
        enc = make_encoder(spec, p).fit(X_raw.iloc[tr])
        Xtr = enc.transform(X_raw.iloc[tr]).to_numpy()
        Xte = enc.transform(X_raw.iloc[te]).to_numpy()
        w_te = np.where(y[te] == 1, pos_weight, 1.0) if weighting == "balanced" else None
        dtr = lgb.Dataset(Xtr, y[tr], free_raw_data=True)
        dte = lgb.Dataset(Xte, y[te], weight=w_te, reference=dtr)
        record: dict[str, Any] = {}
        booster = lgb.train(
            params,
            dtr,
            num_boost_round=p.lgbm.num_boost_round,
            valid_sets=[dte],
            valid_names=["valid"],
            callbacks=[lgb.record_evaluation(record)],
        )
        curves.append(np.asarray(record["valid"]["binary_logloss"]))
        boosters.append(booster)
        encoded.append(Xte)
    best = int(np.argmin(np.mean(curves, axis=0))) + 1
    oof = np.zeros(len(y))
    for (_, te), booster, Xte in zip(folds, boosters, encoded, strict=True):
        oof[te] = booster.predict(Xte, raw_score=True, num_iteration=best)
    return oof, best


def _cross_fitted(
    raw: np.ndarray, y: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]], method: CalibrationMethod
) -> np.ndarray:
    """Calibrated OOF probabilities where each fold's calibrator was fitted on the other folds."""
    out = np.zeros(len(y))
    for tr, te in folds:
        out[te] = fit_calibrator(raw[tr], y[tr], method).apply(raw[te])
    return out


def train_model(table: pd.DataFrame, spec: FeatureSpec, params: TrainParams) -> TrainResult:
    """Train on every labelled row of `table` (the caller has already removed the holdout)."""
    if params.engine == "dask":
        from training.dask_train import train_model_dask
        from training.distributed import dask_client

        with dask_client(params.dask_scheduler, params.dask_workers) as client:
            return train_model_dask(table, spec, params, client)
    t0 = time.perf_counter()
    data = labelled_rows(table, spec)
    if data.empty or data[spec.target].nunique() < 2:
        raise ValueError("training table needs both overturned and upheld services")
    y = data[spec.target].to_numpy()
    groups = data["letter_id"].astype(str).to_numpy()
    X_raw = data[spec.names]
    folds = grouped_folds(y, groups, params.cv_folds, params.seed)

    weightings: list[str] = ["unweighted", "balanced"] if params.weighting == "auto" else [params.weighting]
    methods: list[CalibrationMethod] = (
        ["isotonic", "sigmoid"] if params.calibration == "auto" else [params.calibration]
    )
    raw_by_w: dict[str, np.ndarray] = {}
    best_rounds: dict[str, int] = {}
    candidates: list[CandidateScore] = []
    for w in weightings:
        raw_by_w[w], best_rounds[w] = _cv_raw_scores(X_raw, y, folds, spec, params, w)
        for m in methods:
            prob = _cross_fitted(raw_by_w[w], y, folds, m)
            candidates.append(
                CandidateScore(
                    w, m, M.brier(y, prob), M.log_loss(y, prob), M.ece(y, prob), M.roc_auc(y, prob)
                )
            )
    t_cv = time.perf_counter()
    key = (
        (lambda c: (c.brier, c.log_loss))
        if params.selection_metric == "brier"
        else (lambda c: (c.log_loss, c.brier))
    )
    ranked = sorted(candidates, key=key)
    chosen = ranked[0]
    reason = (
        f"{chosen.weighting}+{chosen.calibration} has the lowest cross-fitted out-of-fold "
        f"{params.selection_metric} ({getattr(chosen, params.selection_metric):.5f}); "
        + "; ".join(
            f"{c.weighting}+{c.calibration}: {getattr(c, params.selection_metric):.5f}" for c in ranked[1:]
        )
    )

    encoder = make_encoder(spec, params).fit(X_raw)
    X = encoder.transform(X_raw)
    pos_weight = float((y == 0).sum() / max(1, (y == 1).sum()))
    booster = lgb.train(
        lgb_params(params, chosen.weighting, pos_weight),
        lgb.Dataset(X.to_numpy(), y, feature_name=unique_names(list(X.columns))),
        num_boost_round=best_rounds[chosen.weighting],
    )
    calibrator = fit_calibrator(raw_by_w[chosen.weighting], y, chosen.calibration)  # type: ignore[arg-type]
    t_fit = time.perf_counter()

    synthetic = bool(data["synthetic"].astype(bool).all()) if "synthetic" in data else None
    metadata = ModelMetadata(
        model_version="",  # set below from what the model computes
        feature_spec_version=spec.version,
        feature_spec_fingerprint=spec.fingerprint(),
        training_data=table_fingerprint(data, spec.target),
        calibration={
            "weighting": chosen.weighting,
            "method": chosen.calibration,
            "reason": reason,
            "best_rounds": best_rounds,
            "candidates": [c.__dict__ for c in ranked],
        },
        params=params.model_dump(),
        encoded_columns=list(X.columns),
        feature_of_column=list(encoder.feature_of_column),
        synthetic_training_data=synthetic,
    )
    oof_probability = _cross_fitted(raw_by_w[chosen.weighting], y, folds, chosen.calibration)
    # The dashboard shows the served model's calibration; the cross-fitted out-of-fold curve is the
    # honest one available at training time (the holdout curve comes later, from `imr evaluate`).
    metadata.metrics["reliability"] = reliability_curve(np.asarray(y), oof_probability)
    metadata.metrics["reliability_source"] = "training out-of-fold (cross-fitted)"
    metadata.model_version = content_version(
        params.model_name, booster, calibrator, metadata.encoded_columns, metadata.training_data["sha256"]
    )
    model = TriageModel(spec, encoder, booster, calibrator, metadata)
    oof = pd.DataFrame(
        {"letter_id": groups, "y": y, "oof_probability": oof_probability}
    )  # type: ignore[arg-type]
    for w, raw in raw_by_w.items():
        oof[f"raw_{w}"] = raw
    return TrainResult(
        model, oof, ranked, best_rounds, {"cv": t_cv - t0, "final_fit": t_fit - t_cv, "total": t_fit - t0}
    )
