"""Holdout evaluation: model and the three baselines side by side, flat metrics, four PNG plots."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from training_tables import tiny_table

from features.spec import load_spec
from training.baselines import BaselineParams, FamilyRate, fit_baselines
from training.evaluation import EvaluateParams, evaluate_on_holdout, markdown_report, write_outputs
from training.splits import holdout_split
from training.train import TrainParams, train_model


def test_family_rate_is_shrunk_toward_base_rate() -> None:
    import pandas as pd

    df = pd.DataFrame({"service_family": ["a"] * 4 + ["b"] * 16})
    y = np.array([1, 1, 1, 1] + [0] * 16)
    fr = FamilyRate(prior_strength=4.0).fit(df, y)
    assert fr.rates_["a"] == (4 + 4 * 0.2) / (4 + 4)
    unseen = fr.predict_proba(pd.DataFrame({"service_family": ["zzz", None]}))
    assert np.allclose(unseen, 0.2)


@pytest.mark.slow  # trains with CV and draws four plots (over 2 s): runs in the full suite
def test_evaluation_report_shows_all_models(tmp_path: Path) -> None:
    spec = load_spec()
    df = tiny_table(400, seed=11)
    h = holdout_split(df, 0.3, seed=0)
    train, test = df.iloc[h.train].reset_index(drop=True), df.iloc[h.test].reset_index(drop=True)
    model = train_model(train, spec, TrainParams(cv_folds=3, lgbm={"num_boost_round": 50})).model
    params = EvaluateParams(n_bootstrap=30, shap_sample=100, min_family_services=20)
    result = evaluate_on_holdout(model, spec, train, test, params)
    result.context.update(
        split=h.describe(), n_bootstrap=30, synthetic=True, calibration=model.metadata.calibration
    )
    assert set(result.reports) == {"lightgbm", "logistic_regression", "family_rate", "base_rate"}
    assert result.reports["base_rate"].metrics["roc_auc"].value == 0.5
    md = markdown_report(result)
    for label in (
        "LightGBM (calibrated)",
        "Logistic regression",
        "Service-family rate",
        "Base rate",
        "synthetic",
    ):
        assert label in md
    paths = write_outputs(
        result, model, test, tmp_path / "reports", tmp_path / "reports" / "metrics.json", params
    )
    flat = json.loads(paths["metrics"].read_text())
    assert {"roc_auc", "roc_auc_ci_low", "brier", "ece", "family_rate.roc_auc", "prevalence"} <= set(flat)
    for key in ("roc", "pr", "reliability", "shap"):
        assert paths[key].read_bytes()[:4] == b"\x89PNG"


def test_lr_baseline_uses_linear_encoder() -> None:
    spec = load_spec()
    df = tiny_table(150, seed=2)
    base = fit_baselines(df, df["overturned"].to_numpy(), spec, BaselineParams())
    p = base["logistic_regression"].predict_proba(df)
    assert np.all(np.isfinite(p)) and p.std() > 0
