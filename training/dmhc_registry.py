"""Log the DMHC year-split model to MLflow and register it under its own name (`imr-overturn-dmhc`).

Same tracking and promotion code as the letters model; only the name, the experiment and the
baseline it must beat first (the per-treatment rate) differ.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from model.predictor import Predictor
from training.baselines import FamilyRate
from training.dmhc_benchmark import MODEL_KEY, DmhcBenchmarkParams, SplitResult
from training.fingerprint import table_fingerprint
from training.registry import PromotionDecision, RegistryParams, promote_if_better, register_challenger
from training.tracking import log_training_run


def log_and_register(
    model: Any,
    model_dir: Path,
    train: pd.DataFrame,
    test: pd.DataFrame,
    year: SplitResult,
    p: DmhcBenchmarkParams,
    tracking_uri: str | None = None,
) -> PromotionDecision:
    """One MLflow run + a registered version with the challenger alias; champion if it earns it."""
    target = model.spec.target
    metrics = {k: v.value for k, v in year.reports[MODEL_KEY].metrics.items()}
    for name, rep in year.reports.items():
        if name != MODEL_KEY:
            metrics.update({f"{name}.{k}": v.value for k, v in rep.metrics.items()})
    logged = log_training_run(
        model,
        model_dir,
        test,
        p.model_dump(),
        metrics,
        [],
        table_fingerprint(train, target),
        run_name=f"{p.model_name} year split",
        experiment=p.experiment,
        tracking_uri=tracking_uri,
        tags={"source": "dmhc-imr", "validation": "year split"},
    )
    reg = RegistryParams(model_name=p.model_name, experiment=p.experiment)
    version = register_challenger(logged.model_uri, reg, logged.run_id)
    y_train = train[target].to_numpy(dtype=int)
    baseline = FamilyRate(p.treatment_column, p.prior_strength).fit(train, y_train).predict_proba(test)
    return promote_if_better(
        version,
        Predictor(model).predict_proba(test),
        test,
        test[target].to_numpy(dtype=int),
        baseline,
        reg,
        logged.run_id,
        baseline_name="treatment_rate",
    )
