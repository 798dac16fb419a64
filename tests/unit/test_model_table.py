"""The reports' one way to print an estimate (`Estimate.text`) and the model-by-metric table that the holdout
evaluation and the DMHC benchmark share (`training.evaluation.model_table`). Numbers are SYNTHETIC."""

from __future__ import annotations

from training import metrics as M
from training.evaluation import model_table


def _report(**metrics: M.Estimate) -> M.MetricReport:
    return M.MetricReport(n_services=10, n_letters=5, n_positive=2, prevalence=0.2, metrics=dict(metrics))


def test_estimate_text_rounds_value_and_interval_and_says_na_when_missing() -> None:
    e = M.Estimate(0.71234, 0.6, 0.80049)
    assert e.text() == "0.712 [0.600, 0.800]"
    assert e.text(4) == "0.7123 [0.6000, 0.8005]"
    assert M.Estimate(float("nan"), 0.1, 0.2).text() == "n/a"


def test_model_table_keeps_the_order_skips_unscored_models_and_labels_columns() -> None:
    reports = {
        "base_rate": _report(roc_auc=M.Estimate(0.5, 0.5, 0.5), brier=M.Estimate(0.16, 0.1, 0.2)),
        "lightgbm": _report(roc_auc=M.Estimate(0.8, 0.7, 0.9), brier=M.Estimate(float("nan"), 0, 0)),
    }
    lines = model_table(reports, ["roc_auc", "brier"])
    assert lines == [
        "| Model | ROC-AUC | Brier |",
        "|---|---|---|",
        "| LightGBM (calibrated) | 0.800 [0.700, 0.900] | n/a |",
        "| Base rate | 0.500 [0.500, 0.500] | 0.160 [0.100, 0.200] |",
    ]
    custom = model_table(reports, ["brier"], ["base_rate", "lightgbm"], {"base_rate": "B", "lightgbm": "L"},
                         {"brier": "Brier score"})  # fmt: skip
    assert custom == ["| Model | Brier score |", "|---|---|", "| B | 0.160 [0.100, 0.200] |", "| L | n/a |"]
