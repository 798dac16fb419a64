"""The one Predictor as the API uses it: JSON rows, contributions equal LightGBM's pred_contrib from one
row up, reasons for dict rows equal those for a frame, risk bands, and the smoke check refusing broken
models."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from features.spec import Dtype, load_spec
from model.predictor import ModelValidationError, Predictor, RiskBands, smoke_rows
from serving.settings import ServingSettings
from tests.unit.training_tables import tiny_table


@pytest.fixture(scope="module")
def model():
    from training.train import TrainParams, train_model

    spec = load_spec()
    table = tiny_table(160, seed=4, spec=spec)
    params = TrainParams(
        cv_folds=2,
        num_threads=1,
        encoder={"min_frequency": 2, "max_levels": 50},
        lgbm={"num_boost_round": 25, "min_data_in_leaf": 5},
    )
    return train_model(table, spec, params).model


def _json_rows(model, n: int, seed: int) -> list[dict]:
    """Rows as a JSON client would send them (plain Python types, None for missing), with oddities."""
    spec = model.spec
    table = tiny_table(n, seed=seed, spec=spec).head(n)
    cols = ["letter_id", "item_index", "service", *spec.names]
    table["service"] = ["Soma 350mg #60" if i % 3 == 0 else "Physical therapy x 8" for i in range(len(table))]
    rows = table[cols].astype(object).where(table[cols].notna(), None).to_dict("records")
    rows = [{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()} for r in rows]
    cat = next(f.name for f in spec.features if f.dtype == Dtype.CATEGORICAL)
    num = next(f.name for f in spec.features if f.dtype == Dtype.NUMERIC)
    boo = next(f.name for f in spec.features if f.dtype == Dtype.BOOLEAN)
    rows[0][cat] = "  A NEVER SEEN LEVEL "
    rows[1][num] = "7.5"  # numeric sent as a string
    rows[2][boo] = "yes"
    rows[3].pop(num)  # missing key
    rows[4][cat] = None
    return rows


@pytest.mark.parametrize("n", [1, 63, 64, 300])
def test_batch_contributions_equal_pred_contrib(model, n: int) -> None:
    """From one row up the precomputed TreeSHAP serves; its values equal LightGBM's."""
    predictor = ServingSettings(_env_file=None).predictor(model)
    predictor.check()
    assert predictor.shap_method == "precomputed TreeSHAP"
    rows = _json_rows(model, max(n, 8), seed=n)[:n]
    x = predictor.matrix(rows)
    want = model.booster.predict(x, pred_contrib=True, num_threads=1)
    got = predictor.contributions(rows)
    assert got.values.shape == want[:, :-1].shape
    np.testing.assert_allclose(got.values, want[:, :-1], rtol=0, atol=1e-9)
    np.testing.assert_allclose(got.expected, want[:, -1], rtol=0, atol=1e-9)
    raw = model.booster.predict(x, raw_score=True, num_threads=1)
    np.testing.assert_allclose(got.values.sum(axis=1) + got.expected, raw, rtol=0, atol=1e-6)
    np.testing.assert_allclose(predictor.raw_scores(rows), raw, rtol=0, atol=0)


def test_dict_rows_and_a_frame_get_the_same_explanations(model) -> None:
    """The API sends dict rows, `imr explain` and batch jobs a frame: one predictor, one answer."""
    predictor = ServingSettings(_env_file=None, top_k=4).predictor(model)
    rows = _json_rows(model, 120, seed=9)
    served = predictor.explain(rows)
    ref = predictor.explain(pd.DataFrame.from_records(rows))
    assert len(served) == len(ref)
    for got, want in zip(served, ref, strict=True):
        assert got.pop("risk_band") in {"low", "medium", "high"}
        want.pop("risk_band")
        for key in ("overturn_likelihood", "raw_score", "expected_value", "other_features_log_odds"):
            assert got.pop(key) == pytest.approx(want.pop(key), abs=1e-9)
        for g, w in zip(got.pop("reasons"), want.pop("reasons"), strict=True):
            for key in ("log_odds", "probability_effect"):
                assert g.pop(key) == pytest.approx(w.pop(key), abs=1e-9)
            assert g == w
        assert got == want


def test_risk_bands_follow_settings(model) -> None:
    predictor = ServingSettings(_env_file=None, risk_band_edges=[0.2, 0.6]).predictor(model)
    assert [predictor.band(p) for p in (0.0, 0.19, 0.2, 0.59, 0.6, 1.0)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]


def test_smoke_check_refuses_non_finite_and_mismatched_models(model) -> None:
    import copy

    settings = ServingSettings(_env_file=None)
    assert len(smoke_rows(model.spec)) == 3
    broken = copy.copy(model)
    broken.calibrator = model.calibrator.model_copy(update={"method": "sigmoid", "a": math.nan})
    with pytest.raises(ModelValidationError, match="not finite"):
        settings.predictor(broken).check()
    spec = load_spec()
    renamed = spec.model_copy(
        update={
            "features": [
                f.model_copy(update={"name": "renamed_feature"}) if i == 0 else f
                for i, f in enumerate(spec.features)
            ]
        }
    )
    with pytest.raises(ModelValidationError, match="does not build"):
        settings.predictor(model).check(renamed)


def test_risk_bands_refuse_edges_and_labels_that_do_not_fit() -> None:
    with pytest.raises(ValueError, match="ascending"):
        RiskBands(edges=[0.5, 0.25])
    with pytest.raises(ValueError, match="3 labels"):
        RiskBands(edges=[0.25, 0.5], labels=["low", "high"])


def test_scoring_alone_never_reads_the_phrase_table(model) -> None:
    """Training and evaluation only need probabilities: the reasons machinery is built on first use."""
    predictor = Predictor(model)
    predictor.predict_proba(_json_rows(model, 8, seed=1))
    assert predictor._reasons is None
