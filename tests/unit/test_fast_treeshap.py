"""FastTreeShap equals LightGBM's pred_contrib (and so shap.TreeExplainer) on awkward boosters."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pytest

from model.fast_treeshap import FastTreeShap

pytest.importorskip("numba")


def _data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6))
    x[:, 1] = rng.integers(0, 2, n)  # 0/1 column (one-hot like)
    x[:, 2] = np.where(rng.random(n) < 0.3, np.nan, x[:, 2])  # missing values
    x[:, 3] = np.where(rng.random(n) < 0.4, 0.0, x[:, 3])  # many exact zeros
    logit = x[:, 0] * 1.5 + x[:, 1] - np.nan_to_num(x[:, 2]) * x[:, 0] + (x[:, 3] > 0.5)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return x, y


@pytest.mark.parametrize(
    "params",
    [
        {"num_leaves": 15, "min_data_in_leaf": 5},  # deep paths that repeat a feature
        {"num_leaves": 4, "zero_as_missing": True},  # missing_type Zero
        {"num_leaves": 31, "max_depth": 12, "min_data_in_leaf": 3, "use_missing": False},  # missing None
    ],
)
def test_fast_treeshap_matches_pred_contrib(params):
    x, y = _data(1500, seed=3)
    booster = lgb.train({"objective": "binary", "verbose": -1, "seed": 0, "num_threads": 1, **params},
                        lgb.Dataset(x, label=y), num_boost_round=60)
    fast = FastTreeShap.build(booster)
    assert fast is not None
    probe, _ = _data(700, seed=4)
    got = fast.contributions(probe)
    want = booster.predict(probe, pred_contrib=True)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
    np.testing.assert_allclose(got.sum(axis=1), booster.predict(probe, raw_score=True), rtol=0, atol=1e-9)


def test_fast_treeshap_refuses_what_it_does_not_implement():
    x, y = _data(800, seed=5)
    x[:, 4] = np.random.default_rng(0).integers(0, 5, len(x))
    booster = lgb.train({"objective": "binary", "verbose": -1, "num_threads": 1, "min_data_per_group": 5,
                         "cat_smooth": 1},
                        lgb.Dataset(x, label=y, categorical_feature=[4]), num_boost_round=30)
    has_cat = any(
        "==" in str(t["tree_structure"]) for t in booster.dump_model()["tree_info"]
    )
    if has_cat:
        assert FastTreeShap.build(booster) is None
    with pytest.raises(ValueError, match="matrix"):
        FastTreeShap.build(lgb.train({"objective": "binary", "verbose": -1}, lgb.Dataset(x, label=y),
                                     num_boost_round=2)).contributions(np.zeros((2, 3)))
