"""Fit the LightGBM triage model: grouped CV picks rounds, weighting and calibration, then one refit.

The ~11% positive rate tempts class weighting, which distorts probabilities; we try both
unweighted and class-weighted boosters, calibrate each on out-of-fold scores (isotonic and sigmoid,
cross-fitted so the calibrator never scores rows it was fitted on), and keep the combination with
the best out-of-fold Brier score. The candidates' numbers go into the model's metadata.

`train_model` is the one function that trains a model, from one `TrainParams`: the synthetic
pipeline, `imr train --letters` and every fold of the real-letter cross-validation call it. For a
few hundred real services the settings add: a subset of features, the empirical-Bayes family prior
as an input (cross-fitted on the training rows), a fixed number of rounds, monotone constraints,
and synthetic rows at a stated weight (then the calibrator is fitted on the real rows only).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from fnmatch import fnmatchcase
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from features.spec import Dtype, FeatureSpec
from model.artifact import ModelMetadata, TriageModel, content_version
from model.calibration import CalibrationMethod, fit_calibrator
from model.derived_columns import TEXT_INPUTS, FamilyPriorColumn, ModelEncoder, text_score_def
from model.model_card import ModelCard, Recipe, TrainedOn
from model.text_signal import TEXT_FEATURE
from training import metrics as M
from training.boosting import (
    CandidateScore,
    TrainParams,
    TrainResult,
    constraint_params,
    labelled_rows,  # noqa: F401 - re-exported: holdout_data, dmhc_benchmark and tests import it from here
    lgb_params,
    make_encoder,
    training_rows,
    unique_names,
)
from training.fingerprint import table_fingerprint
from training.priors import cross_fitted_prior, fit_family_prior
from training.splits import grouped_folds
from training.text_score import cross_fitted_text_score, fit_text_score, row_texts

Folds = list[tuple[np.ndarray, np.ndarray]]


def reliability_curve(y: np.ndarray, p: np.ndarray, n_bins: int = 10) -> list[dict[str, float]]:
    """Mean predicted vs observed overturn rate per equal-width probability bin (empty bins left out)."""
    bins = np.minimum((np.asarray(p) * n_bins).astype(int), n_bins - 1)
    curve = []
    for b in np.unique(bins):
        m = bins == b
        curve.append({"predicted": float(p[m].mean()), "observed": float(y[m].mean()), "count": int(m.sum())})
    return curve


def model_spec(spec: FeatureSpec, params: TrainParams) -> FeatureSpec:
    """The spec the model reads: all fact features, or the `features` subset in spec order (an entry may
    be a pattern such as `crit_*`: every criterion status column); with the text signal, also its text
    inputs and the score it derives from them (`case_text_score`)."""
    text_features = {f.name for f in spec.features if f.dtype == Dtype.TEXT}
    if params.features is None:
        wanted = set(spec.names) - text_features
    else:
        unknown = sorted(k for k in params.features if not any(fnmatchcase(n, k) for n in spec.names))
        if unknown:
            raise ValueError(f"train.features names features the spec does not have: {unknown}")
        named_text = sorted(set(params.features) & text_features)
        if named_text:
            raise ValueError(f"train.features: text features {named_text} are read through train.text_signal")
        # a pattern never picks up raw text: only the text signal reads it
        wanted = {n for key in params.features for n in spec.names if fnmatchcase(n, key)} - text_features
    if params.family_prior.enabled:
        wanted.add(params.family_prior.feature)  # the prior is reported under this feature
    features = [f for f in spec.features if f.name in wanted]
    if params.text_signal.enabled:
        inputs = list(TEXT_INPUTS.values())
        absent = [n for n in inputs if n not in text_features]
        if absent:
            raise ValueError(f"train.text_signal needs the spec's text features {absent}")
        if TEXT_FEATURE in spec.names:
            raise ValueError(f"the spec already has a feature named {TEXT_FEATURE!r}, the text score's name")
        features += [f for f in spec.features if f.name in inputs] + [text_score_def()]
    if len(features) == len(spec.features):
        return spec
    return spec.model_copy(update={"features": features})


def synthetic_mask(data: pd.DataFrame) -> np.ndarray:
    """True for synthetic rows (a table without the flag counts as synthetic: never claim real data)."""
    if "synthetic" not in data:
        return np.ones(len(data), dtype=bool)
    return data["synthetic"].astype("boolean").fillna(True).to_numpy(dtype=bool)


def _sample_weights(is_synthetic: np.ndarray, params: TrainParams) -> np.ndarray | None:
    """Real rows weigh 1, synthetic rows `synthetic_weight`; None (no weights) for a one-kind table."""
    if is_synthetic.all() or not is_synthetic.any():
        return None
    if params.synthetic_weight is None:
        raise ValueError(
            "the training table mixes real and synthetic letters: set train.synthetic_weight "
            "(the weight of one synthetic service; real services weigh 1)"
        )
    return np.where(is_synthetic, params.synthetic_weight, 1.0)


def _columns(encoder: Any, with_prior: bool, params: TrainParams) -> tuple[list[str], list[str]]:
    """The booster's column names and the spec feature each belongs to (the prior last, when used)."""
    columns = list(encoder.get_feature_names_out()) + (["family_prior"] if with_prior else [])
    owners = list(encoder.feature_of_column) + ([params.family_prior.feature] if with_prior else [])
    return columns, owners


def _cv_raw_scores(
    X_raw: pd.DataFrame,
    y: np.ndarray,
    folds: Folds,
    spec: FeatureSpec,
    p: TrainParams,
    weighting: str,
    *,
    extra: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    judged: np.ndarray | None = None,
    constraints: Callable[[list[str], list[str]], dict[str, Any]] | None = None,
) -> tuple[np.ndarray, int]:
    """Out-of-fold raw scores at the boosting round with the best mean validation loss (on `judged`
    rows: the real ones when synthetic rows are mixed in), or at `num_boost_round` when rounds are fixed."""
    pos_weight = float((y == 0).sum() / max(1, (y == 1).sum()))
    curves, boosters, encoded = [], [], []
    for tr, te in folds:
        params = lgb_params(p, weighting, pos_weight)
        enc = make_encoder(spec, p).fit(X_raw.iloc[tr])
        Xtr = enc.transform(X_raw.iloc[tr]).to_numpy()
        Xte = enc.transform(X_raw.iloc[te]).to_numpy()
        if extra is not None:
            Xtr, Xte = np.hstack([Xtr, extra[tr]]), np.hstack([Xte, extra[te]])
        if constraints is not None:
            params.update(constraints(*_columns(enc, extra is not None, p)))
        dtr = lgb.Dataset(Xtr, y[tr], weight=None if weights is None else weights[tr], free_raw_data=True)
        callbacks = []
        if p.select_rounds:
            keep = te if judged is None else te[judged[te]]
            w_val = np.where(y[keep] == 1, pos_weight, 1.0) if weighting == "balanced" else None
            dval = lgb.Dataset(Xte[np.isin(te, keep)], y[keep], weight=w_val, reference=dtr)
            record: dict[str, Any] = {}
            callbacks.append(lgb.record_evaluation(record))
            booster = lgb.train(
                params, dtr, num_boost_round=p.lgbm.num_boost_round, valid_sets=[dval], valid_names=["valid"],
                callbacks=callbacks,
            )  # fmt: skip
            curves.append(np.asarray(record["valid"]["binary_logloss"]))
        else:
            booster = lgb.train(params, dtr, num_boost_round=p.lgbm.num_boost_round)
        boosters.append(booster)
        encoded.append(Xte)
    best = int(np.argmin(np.mean(curves, axis=0))) + 1 if p.select_rounds else p.lgbm.num_boost_round
    oof = np.zeros(len(y))
    for (_, te), booster, Xte in zip(folds, boosters, encoded, strict=True):
        oof[te] = booster.predict(Xte, raw_score=True, num_iteration=best)
    return oof, best


def _cross_fitted(
    raw: np.ndarray, y: np.ndarray, folds: Folds, method: CalibrationMethod, judged: np.ndarray | None = None,
    shrink: float = 1.0,
) -> np.ndarray:
    """Calibrated OOF probabilities where each fold's calibrator was fitted on the other folds
    (on their `judged` rows only, when given)."""
    out = np.zeros(len(y))
    for tr, te in folds:
        fit_on = tr if judged is None else tr[judged[tr]]
        out[te] = fit_calibrator(raw[fit_on], y[fit_on], method, shrink).apply(raw[te])
    return out


def trained_on(data: pd.DataFrame, is_synthetic: np.ndarray, params: TrainParams) -> TrainedOn:
    """The model card's training counts, split by real and synthetic letters."""
    letters = data["letter_id"].astype(str)
    real = ~is_synthetic
    dated = data.loc[real] if real.any() else data  # the real letters' dates when there are any
    dates = (
        pd.to_datetime(dated["ur_denial_date"], errors="coerce").dropna() if "ur_denial_date" in data else []
    )
    span = [dates.min().date().isoformat(), dates.max().date().isoformat()] if len(dates) else None
    fmt = data.loc[real, "letter_format"].dropna().astype(str) if "letter_format" in data else []
    return TrainedOn(
        real_letters=int(letters[~is_synthetic].nunique()),
        real_services=int((~is_synthetic).sum()),
        synthetic_letters=int(letters[is_synthetic].nunique()),
        synthetic_services=int(is_synthetic.sum()),
        synthetic_weight=params.synthetic_weight if is_synthetic.any() and (~is_synthetic).any() else None,
        ur_denial_dates=span,
        sources=sorted(set(fmt)) + (["synthetic (imr synth)"] if is_synthetic.any() else []),
        real_case_numbers=(sorted(set(data.loc[real, "case_number"].dropna().astype(str)))
                           if "case_number" in data else []),
    )


def train_model(
    table: pd.DataFrame, spec: FeatureSpec, params: TrainParams, recipe: Recipe | None = None
) -> TrainResult:
    """Train on every labelled row of `table` (the caller has already removed the holdout); `recipe`
    (the params.yaml section `params` came from) goes on the model card, for `imr retrain`."""
    if params.engine == "dask":
        if params.uses_small_data_options():
            raise ValueError(
                "train.engine dask supports none of the small-data options (features, family_prior, "
                "select_rounds, synthetic_weight): use engine local"
            )
        from training.dask_train import train_model_dask
        from training.distributed import dask_client

        with dask_client(params.dask_scheduler, params.dask_workers) as client:
            result = train_model_dask(table, spec, params, client)
        meta = result.model.metadata
        meta.model_card = meta.card().model_copy(update={"recipe": recipe})
        return result
    t0 = time.perf_counter()
    data = training_rows(table, spec)
    mspec = model_spec(spec, params)
    y = data[spec.target].to_numpy()
    groups = data["letter_id"].astype(str).to_numpy()
    X_raw = data[[n for n in mspec.names if n != TEXT_FEATURE or not params.text_signal.enabled]]
    folds = grouped_folds(y, groups, params.cv_folds, params.seed)
    is_synthetic = synthetic_mask(data)
    weights = _sample_weights(is_synthetic, params)
    judged = ~is_synthetic if weights is not None else None  # mixed: judge and calibrate on real rows
    prior_rows = judged if judged is not None else np.ones(len(y), bool)  # the prior is fitted on real rows
    fp = params.family_prior
    families = data[fp.feature].to_numpy(dtype=object) if fp.enabled else None
    extra = None
    if families is not None:
        extra = cross_fitted_prior(families, y, folds, params.family_prior, prior_rows)[:, None]
    texts = row_texts(data) if params.text_signal.enabled else None
    if texts is not None:  # the booster trains on out-of-fold text scores; serving computes them
        oof_text = cross_fitted_text_score(texts, y, folds, params.text_signal.text, prior_rows)
        X_raw = X_raw.assign(**{TEXT_FEATURE: oof_text})

    features = make_encoder(mspec, params).fit(X_raw)
    columns, owners = _columns(features, extra is not None, params)
    constraints = constraint_params(columns, owners, mspec, params)

    def constrain(cols: list[str], owns: list[str]) -> dict[str, Any]:
        return constraint_params(cols, owns, mspec, params)

    cv_options = {"extra": extra, "weights": weights, "judged": judged, "constraints": constrain}

    weightings: list[str] = ["unweighted", "balanced"] if params.weighting == "auto" else [params.weighting]
    methods: list[CalibrationMethod] = (
        ["isotonic", "sigmoid"] if params.calibration == "auto" else [params.calibration]
    )
    raw_by_w: dict[str, np.ndarray] = {}
    best_rounds: dict[str, int] = {}
    candidates: list[CandidateScore] = []
    scored = np.ones(len(y), bool) if judged is None else judged
    if not params.internal_cv:  # nothing to choose: one weighting, fixed rounds, no calibrator
        if not params.chooses_nothing():
            raise ValueError("train.internal_cv false needs fixed weighting and rounds, calibration none")
        nan = float("nan")
        candidates.append(CandidateScore(weightings[0], "none", nan, nan, nan, nan))
        raw_by_w[weightings[0]] = np.full(len(y), nan)
        best_rounds[weightings[0]] = params.lgbm.num_boost_round
        weightings = []
    for w in weightings:
        raw_by_w[w], best_rounds[w] = _cv_raw_scores(X_raw, y, folds, mspec, params, w, **cv_options)
        for m in methods:
            prob = _cross_fitted(raw_by_w[w], y, folds, m, judged)[scored]
            ys = y[scored]
            candidates.append(
                CandidateScore(
                    w, m, M.brier(ys, prob), M.log_loss(ys, prob), M.ece(ys, prob), M.roc_auc(ys, prob)
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
    # the reason's parts, joined by "; " (a lone candidate leaves no others to list)
    reason = ["nothing chosen, no internal CV (train.internal_cv false)"] if not params.internal_cv else [
        f"{chosen.weighting}+{chosen.calibration} has the lowest cross-fitted out-of-fold "
        f"{params.selection_metric} ({getattr(chosen, params.selection_metric):.5f})",
        *(f"{c.weighting}+{c.calibration}: {getattr(c, params.selection_metric):.5f}" for c in ranked[1:]),
    ]

    X = features.transform(X_raw).to_numpy()
    encoder: Any = features
    if extra is not None:
        X = np.hstack([X, extra])
        prior = fit_family_prior(families, y, params.family_prior, np.flatnonzero(prior_rows))
        prior_column = FamilyPriorColumn(prior, params.family_prior.feature)
        encoder = ModelEncoder(features, [prior_column])
    pos_weight = float((y == 0).sum() / max(1, (y == 1).sum()))
    final_params = lgb_params(params, chosen.weighting, pos_weight)
    final_params.update(constraints)
    booster = lgb.train(
        final_params,
        lgb.Dataset(X, y, weight=weights, feature_name=unique_names(columns)),
        num_boost_round=best_rounds[chosen.weighting],
    )
    calib_rows = scored
    calibrator = fit_calibrator(
        raw_by_w[chosen.weighting][calib_rows], y[calib_rows], chosen.calibration,  # type: ignore[arg-type]
        params.logit_shrink,
    )
    t_fit = time.perf_counter()

    synthetic = bool(data["synthetic"].astype(bool).all()) if "synthetic" in data else None
    metadata = ModelMetadata(
        model_version="",  # set below from what the model computes
        feature_spec_version=mspec.version,
        feature_spec_fingerprint=mspec.fingerprint(),
        training_data=table_fingerprint(data, spec.target),
        calibration={
            "weighting": chosen.weighting,
            "method": calibrator.method,
            "reason": "; ".join(reason + (
                [f"log-odds scaled by {params.logit_shrink} toward the training base rate "
                 "(train.logit_shrink, fixed)"] if calibrator.method == "scaled" else []
            )),
            "best_rounds": best_rounds,
            "candidates": [c.__dict__ for c in ranked],
        },
        params=params.model_dump(mode="json"),
        encoded_columns=columns,
        feature_of_column=owners,
        synthetic_training_data=synthetic,
        model_card=ModelCard(trained_on=trained_on(data, is_synthetic, params), recipe=recipe),
    )
    oof_probability = np.full(len(y), np.nan)
    if params.internal_cv:
        oof_probability = _cross_fitted(raw_by_w[chosen.weighting], y, folds, chosen.calibration,  # type: ignore[arg-type]
                                        judged, params.logit_shrink)
        # The dashboard shows the served model's calibration; the cross-fitted out-of-fold curve is the
        # honest one available at training time (the holdout curve comes later, from `imr evaluate`).
        metadata.metrics["reliability"] = reliability_curve(np.asarray(y)[scored], oof_probability[scored])
        metadata.metrics["reliability_source"] = "training out-of-fold (cross-fitted)" + (
            ", real rows only" if judged is not None else ""
        )
    derived = json.dumps(encoder.derived_to_dict(), sort_keys=True) if extra is not None else ""
    derived_features = []
    if texts is not None:
        derived_features.append(fit_text_score(texts, y, params.text_signal.text, np.flatnonzero(prior_rows)))
        derived += "".join(d.state_json() for d in derived_features)
    metadata.model_version = content_version(
        params.model_name, booster, calibrator, columns, metadata.training_data["sha256"], derived=derived
    )
    model = TriageModel(mspec, encoder, booster, calibrator, metadata, derived_features)
    oof = pd.DataFrame(
        {"letter_id": groups, "y": y, "oof_probability": oof_probability, "synthetic": is_synthetic}
    )  # type: ignore[arg-type]
    for w, raw in raw_by_w.items():
        oof[f"raw_{w}"] = raw
    return TrainResult(
        model, oof, ranked, best_rounds, {"cv": t_cv - t0, "final_fit": t_fit - t_cv, "total": t_fit - t0}
    )
