"""`train.engine: dask`: fit the booster with `lightgbm.DaskLGBMClassifier` over a Dask dataframe.

Grouped CV (many boosters) does not pay on a cluster, so this engine holds out one letter-grouped
fold: the distributed fit on the rest records the validation loss per round, which picks the number
of rounds, and the validation fold's raw scores fit the calibrator; a second distributed fit on all
rows at that round count gives the final booster. The local booster extracted
with `.to_local()` goes into an ordinary `TriageModel`, so serving loads it unchanged.
"""

from __future__ import annotations

import time
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from features.spec import FeatureSpec
from model.artifact import ModelMetadata, TriageModel, content_version
from model.calibration import fit_calibrator
from training import metrics as M
from training.boosting import (
    CandidateScore,
    TrainParams,
    TrainResult,
    constraint_params,
    lgb_params,
    make_encoder,
    training_rows,
    unique_names,
)
from training.fingerprint import table_fingerprint
from training.splits import grouped_folds


def _dask_frame(X: np.ndarray, y: np.ndarray, columns: list[str], client: Any) -> tuple[Any, Any]:
    """One contiguous slice of the rows per worker, placed on that worker (sorted addresses).

    LightGBM's Dask engine trains each worker on the parts it holds; left to the scheduler, where the
    parts landed was a matter of timing (one worker could hold both). The rank order LightGBM then
    uses still varies, so models differ a little run to run (docs/scaling.md).
    """
    import dask.dataframe as dd

    workers = sorted(client.scheduler_info()["workers"])
    bounds = np.linspace(0, len(X), len(workers) + 1).astype(int)
    xs, ys = [], []
    for worker, lo, hi in zip(workers, bounds[:-1], bounds[1:], strict=True):
        if hi <= lo:
            continue
        index = pd.RangeIndex(lo, hi)
        xs.append(client.scatter(pd.DataFrame(X[lo:hi], columns=columns, index=index), workers=[worker]))
        ys.append(client.scatter(pd.Series(y[lo:hi], name="y", index=index), workers=[worker]))
    meta_x = pd.DataFrame(X[:0], columns=columns)
    meta_y = pd.Series(y[:0], name="y")
    return dd.from_delayed(xs, meta=meta_x), dd.from_delayed(ys, meta=meta_y)


def train_model_dask(table: pd.DataFrame, spec: FeatureSpec, params: TrainParams, client: Any) -> TrainResult:
    """Train on every labelled row of `table` on the cluster behind `client` (holdout already removed)."""
    t0 = time.perf_counter()
    data = training_rows(table, spec)
    y = data[spec.target].to_numpy()
    groups = data["letter_id"].astype(str).to_numpy()
    fit_idx, valid_idx = grouped_folds(y, groups, params.cv_folds, params.seed)[0]
    weighting = "balanced" if params.weighting == "balanced" else "unweighted"
    method = "isotonic" if params.calibration == "isotonic" else "sigmoid"  # auto: 2 parameters, one fold

    X_raw = data[spec.names]
    encoder = make_encoder(spec, params).fit(X_raw)
    X = encoder.transform(X_raw)
    names = unique_names(list(X.columns))
    Xn = X.to_numpy(dtype=np.float64)
    pos_weight = float((y == 0).sum() / max(1, (y == 1).sum()))
    booster_params = lgb_params(params, weighting, pos_weight)
    booster_params.update(constraint_params(list(X.columns), list(encoder.feature_of_column), spec, params))
    X_fit, y_fit = _dask_frame(Xn[fit_idx], y[fit_idx], names, client)
    X_val, y_val = _dask_frame(Xn[valid_idx], y[valid_idx], names, client)
    clf = lgb.DaskLGBMClassifier(client=client, n_estimators=params.lgbm.num_boost_round, **booster_params)
    clf.fit(X_fit, y_fit, eval_set=[(X_val, y_val)], eval_names=["valid"], eval_metric="binary_logloss")
    curve = np.asarray(clf.evals_result_["valid"]["binary_logloss"])
    best = int(np.argmin(curve)) + 1
    first: lgb.Booster = clf.to_local().booster_
    raw_val = first.predict(Xn[valid_idx], raw_score=True, num_iteration=best)
    # Refit on every training row at the chosen round count (as the local engine's final fit does).
    X_all, y_all = _dask_frame(Xn, y, names, client)
    final = lgb.DaskLGBMClassifier(client=client, n_estimators=best, **booster_params).fit(X_all, y_all)
    booster: lgb.Booster = final.to_local().booster_
    calibrator = fit_calibrator(raw_val, y[valid_idx], method)  # type: ignore[arg-type]
    prob_val = calibrator.apply(raw_val)
    yv = y[valid_idx]
    cand = CandidateScore(
        weighting, method, M.brier(yv, prob_val), M.log_loss(yv, prob_val), M.ece(yv, prob_val),
        M.roc_auc(yv, prob_val),
    )
    t_fit = time.perf_counter()
    metadata = ModelMetadata(
        model_version="",  # set below from what the model computes
        feature_spec_version=spec.version,
        feature_spec_fingerprint=spec.fingerprint(),
        training_data=table_fingerprint(data, spec.target),
        calibration={
            "weighting": weighting,
            "method": method,
            "engine": "dask",
            "reason": f"train.engine=dask: {weighting}+{method}; rounds and calibrator from one "
            f"letter-grouped validation fold ({valid_idx.size} services)",
            "best_rounds": {weighting: best},
            "candidates": [cand.__dict__],
        },
        params=params.model_dump(),
        encoded_columns=list(X.columns),
        feature_of_column=list(encoder.feature_of_column),
        synthetic_training_data=bool(data["synthetic"].astype(bool).all()) if "synthetic" in data else None,
    )
    metadata.model_version = content_version(
        params.model_name, booster, calibrator, metadata.encoded_columns, metadata.training_data["sha256"]
    )
    model = TriageModel(spec, encoder, booster, calibrator, metadata)
    oof = pd.DataFrame({"letter_id": groups[valid_idx], "y": yv, "oof_probability": prob_val})
    oof[f"raw_{weighting}"] = raw_val
    return TrainResult(model, oof, [cand], {weighting: best}, {"final_fit": t_fit - t0, "total": t_fit - t0})
