"""The serving hot path equals the reference path: fast encoder vs FeatureEncoder, reasons vs
`features.explanations.Explainer`, and the smoke validation refuses broken models."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from features.explanations import Explainer
from features.fast_encoder import FastEncoder
from features.spec import Dtype, load_spec
from serving.scorer import ModelValidationError, prepare_scorer, smoke_rows
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


@pytest.mark.parametrize("n", [1, 5, 31, 32, 200])
def test_fast_encoder_equals_feature_encoder(model, n: int) -> None:
    rows = _json_rows(model, max(n, 8), seed=n)[:n]
    fast = FastEncoder.for_model(model)
    assert fast is not None
    reference = model.encode(pd.DataFrame.from_records(rows, columns=model.spec.names)).to_numpy()
    assert np.array_equal(fast.encode(rows), reference, equal_nan=True)


@pytest.mark.parametrize("n", [200, 1100])
def test_fast_encoder_frame_path_equals_feature_encoder(model, n: int) -> None:
    """Frames (the `imr explain` path) with plain dtypes and with object columns of odd values."""
    fast = FastEncoder.for_model(model)
    table = tiny_table(n, seed=n, spec=model.spec).head(n).reset_index(drop=True)
    odd = table.astype(object)
    num = next(f.name for f in model.spec.features if f.dtype == Dtype.NUMERIC)
    boo = next(f.name for f in model.spec.features if f.dtype == Dtype.BOOLEAN)
    cat = next(f.name for f in model.spec.features if f.dtype == Dtype.CATEGORICAL)
    odd.loc[0, num], odd.loc[1, num], odd.loc[2, num] = "7.5", None, pd.NA
    odd.loc[0, boo], odd.loc[1, boo], odd.loc[2, boo] = "yes", None, 0.0
    odd.loc[0, cat], odd.loc[1, cat] = "  A NEVER SEEN LEVEL ", None
    for frame in (table, odd, table.head(5), odd.head(5)):
        reference = model.encode(frame).to_numpy()
        assert np.array_equal(fast.encode_frame(frame), reference, equal_nan=True)
    assert fast.encode_frame(table.drop(columns=[num])) is None


@pytest.mark.parametrize("n", [1, 63, 64, 300])
def test_batch_contributions_equal_pred_contrib(model, n: int) -> None:
    """Batches from FAST_SHAP_MIN_ROWS (one row) use the fast TreeSHAP tables; values equal LightGBM's."""
    scorer = prepare_scorer(model, ServingSettings(_env_file=None))
    assert scorer.fast_shap is not None
    rows = _json_rows(model, max(n, 8), seed=n)[:n]
    x = scorer.encode(rows)
    want = model.booster.predict(x, pred_contrib=True, num_threads=1)
    got = scorer.contributions(rows)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
    raw = model.booster.predict(x, raw_score=True, num_threads=1)
    np.testing.assert_allclose(got.sum(axis=1), raw, rtol=0, atol=1e-6)


def test_reasons_equal_the_explainer(model) -> None:
    settings = ServingSettings(_env_file=None, top_k=4)
    scorer = prepare_scorer(model, settings)
    rows = _json_rows(model, 120, seed=9)
    served = scorer.score(rows)
    ref = Explainer(model, top_k=4).explain(pd.DataFrame.from_records(rows))
    assert len(served) == len(ref)
    for got, want in zip(served, ref, strict=True):
        want = want.model_dump(mode="json")
        assert got.pop("risk_band") in {"low", "medium", "high"}
        want.pop("probability_effect_method")
        for key in ("overturn_likelihood", "raw_score", "expected_value", "other_features_log_odds"):
            assert got.pop(key) == pytest.approx(want.pop(key), abs=1e-9)
        for g, w in zip(got.pop("reasons"), want.pop("reasons"), strict=True):
            for key in ("log_odds", "probability_effect"):
                assert g.pop(key) == pytest.approx(w.pop(key), abs=1e-9)
            assert g == w
        assert got == want


def test_risk_bands_follow_settings(model) -> None:
    scorer = prepare_scorer(model, ServingSettings(_env_file=None, risk_band_edges=[0.2, 0.6]))
    assert [scorer.band(p) for p in (0.0, 0.19, 0.2, 0.59, 0.6, 1.0)] == [
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
        prepare_scorer(broken, settings)
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
        prepare_scorer(model, settings, serving_spec=renamed)
