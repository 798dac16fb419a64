"""FeatureEncoder: float64 output, one-hot with an `_other_` bucket, linear mode, pickling."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd

from features.encoder import FeatureEncoder
from features.spec import load_spec


def _raw_rows(n: int) -> pd.DataFrame:
    spec = load_spec()
    rng = np.random.default_rng(0)
    rows = []
    for i in range(n):
        row: dict = {name: None for name in spec.names}
        row["patient_age"] = float(rng.integers(20, 70)) if i % 7 else None
        row["patient_sex"] = "male" if i % 2 else "female"
        row["service_family"] = ["imaging", "medication", "dme"][i % 3] if i != 5 else "rare_family"
        row["red_flag_fracture"] = bool(i % 3 == 0) if i % 4 else None
        row["drug_quantity"] = 90 if i % 3 == 1 else None
        rows.append(row)
    return pd.DataFrame(rows)


def test_encoder_outputs_float64_and_maps_columns_back_to_features():
    df = _raw_rows(60)
    enc = FeatureEncoder(load_spec(), min_frequency=3).fit(df)
    out = enc.transform(df)
    assert (out.dtypes == np.float64).all()
    assert list(out.columns) == list(enc.get_feature_names_out())
    assert len(enc.feature_of_column) == out.shape[1]
    assert set(enc.feature_of_column) == set(load_spec().names)
    assert "service_family__imaging" in out.columns
    # the rare level and a never-seen level both land in the infrequent bucket
    assert out.loc[5, "service_family__infrequent__"] == 1.0
    unseen = df.iloc[[0]].copy()
    unseen["service_family"] = "teleportation"
    assert enc.transform(unseen)["service_family__infrequent__"].iloc[0] == 1.0
    # each categorical row has exactly one hot column
    fam_cols = [c for c, f in zip(out.columns, enc.feature_of_column, strict=True) if f == "service_family"]
    assert (out[fam_cols].sum(axis=1) == 1.0).all()
    assert math.isnan(out.loc[0, "patient_age"])  # missing numeric stays NaN for trees
    assert set(out["red_flag_fracture"].dropna().unique()) <= {0.0, 1.0}


def test_linear_mode_imputes_adds_indicators_and_scales():
    df = _raw_rows(60)
    enc = FeatureEncoder(load_spec(), min_frequency=3, linear=True).fit(df)
    out = enc.transform(df)
    assert not out.isna().any().any()
    assert "patient_age__missing" in out.columns
    assert abs(out["patient_age"].mean()) < 1e-9
    assert len(enc.feature_of_column) == out.shape[1]


def test_encoder_round_trips_through_pickle_and_accepts_json_records():
    df = _raw_rows(30)
    enc = FeatureEncoder(load_spec(), min_frequency=2).fit(df)
    clone = pickle.loads(pickle.dumps(enc))
    pd.testing.assert_frame_equal(enc.transform(df), clone.transform(df))
    json_rows = [{"patient_age": 40, "service_family": "imaging", "red_flag_fracture": "true"}]
    out = clone.transform_records(json_rows)
    assert out.shape == (1, len(enc.get_feature_names_out()))
    assert out["red_flag_fracture"].iloc[0] == 1.0 and out["patient_age"].iloc[0] == 40.0


def test_a_level_named_other_does_not_clash_with_the_infrequent_bucket():
    """`service_family` has a real level "other"; its column and the rare-level bucket stay distinct."""
    df = _raw_rows(60)
    df["service_family"] = ["other" if i % 2 else "imaging" for i in range(len(df))]
    df.loc[5, "service_family"] = "teleportation"  # rare: goes to the bucket
    enc = FeatureEncoder(load_spec(), min_frequency=3).fit(df)
    out = enc.transform(df)
    assert out.columns.is_unique
    assert {"service_family__other", "service_family__infrequent__"} <= set(out.columns)
    assert out.loc[1, "service_family__other"] == 1.0 and out.loc[1, "service_family__infrequent__"] == 0.0
    assert out.loc[5, "service_family__infrequent__"] == 1.0 and out.loc[5, "service_family__other"] == 0.0
