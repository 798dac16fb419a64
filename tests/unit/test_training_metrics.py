"""Metric implementations against sklearn, and letter-grouped bootstrap intervals."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.metrics import log_loss as sk_log_loss

from training import metrics as M


@pytest.fixture()
def scored() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    p = rng.random(500)
    y = (rng.random(500) < p).astype(int)
    return y, np.round(p, 2)  # rounding creates ties


def test_point_metrics_match_sklearn(scored: tuple[np.ndarray, np.ndarray]) -> None:
    y, p = scored
    assert M.roc_auc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert M.pr_auc(y, p) == pytest.approx(average_precision_score(y, p), abs=1e-12)
    assert M.brier(y, p) == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    assert M.log_loss(y, p) == pytest.approx(sk_log_loss(y, np.clip(p, 1e-15, 1 - 1e-15)), abs=1e-9)


def test_ece_small_for_calibrated_large_for_shifted(scored: tuple[np.ndarray, np.ndarray]) -> None:
    y, p = scored
    assert M.ece(y, p) < 0.08
    assert M.ece(y, np.clip(p + 0.3, 0, 1)) > 0.2
    # hand case: one bin, predicted 0.25, observed 0.5
    assert M.ece(np.array([0, 1]), np.array([0.25, 0.25]), n_bins=10) == pytest.approx(0.25)


def test_recall_at_precision_hand_case() -> None:
    y = np.array([1, 1, 0, 1, 0, 0])
    p = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    assert M.recall_at_precision(y, p, 1.0) == pytest.approx(2 / 3)
    assert M.recall_at_precision(y, p, 0.75) == pytest.approx(1.0)
    assert M.recall_at_precision(np.zeros(3), np.ones(3), 0.5) != M.recall_at_precision(y, p, 0.5)


def test_one_class_gives_nan_auc() -> None:
    assert np.isnan(M.roc_auc(np.zeros(4), np.arange(4)))


def test_bootstrap_intervals_and_paired_differences(scored: tuple[np.ndarray, np.ndarray]) -> None:
    y, p = scored
    groups = np.repeat(np.arange(250), 2)
    noise = np.clip(p + np.random.default_rng(2).normal(0, 0.3, p.size), 0, 1)
    cfg = M.MetricConfig(n_bootstrap=200, seed=0)
    reports, diffs = M.evaluate_predictions(y, {"good": p, "noisy": noise}, groups, cfg, reference="good")
    auc = reports["good"].metrics["roc_auc"]
    assert auc.low < auc.value < auc.high
    assert reports["good"].n_letters == 250 and reports["good"].n_services == 500
    d = diffs["good_vs_noisy"]["roc_auc"]
    assert d.low > 0, "the clean score should beat the noisy one on every resample's interval"
    assert diffs["good_vs_noisy"]["brier"].high < 0
    # same seed -> same intervals (reproducible reports)
    again, _ = M.evaluate_predictions(y, {"good": p}, groups, cfg)
    assert again["good"].metrics["roc_auc"].low == auc.low


def test_per_family_skips_small_families(scored: tuple[np.ndarray, np.ndarray]) -> None:
    y, p = scored
    fam = np.where(np.arange(y.size) < 480, "big", "small")
    out = M.per_family_reports(y, {"m": p}, np.arange(y.size), fam, M.MetricConfig(n_bootstrap=20))
    assert set(out) == {"big"}
    assert out["big"]["m"].n_services == 480
