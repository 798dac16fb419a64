"""FeatureEncoder: float64 output, one-hot with an `_other_` bucket, linear mode, pickling."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest

from features.spec import load_spec
from model.encoder import FeatureEncoder


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
    assert set(enc.feature_of_column) == {f.name for f in load_spec().features if f.dtype != "text"}
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
    enc.matrix(df)  # derived steps exist now; they are rebuilt, not pickled
    clone = pickle.loads(pickle.dumps(enc))
    pd.testing.assert_frame_equal(enc.transform(df), clone.transform(df))
    json_rows = [{"patient_age": 40, "service_family": "imaging", "red_flag_fracture": "true"}]
    out = pd.DataFrame(clone.matrix(json_rows), columns=clone.get_feature_names_out())
    assert out.shape == (1, len(enc.get_feature_names_out()))
    assert out["red_flag_fracture"].iloc[0] == 1.0 and out["patient_age"].iloc[0] == 40.0


def test_encoder_state_round_trips_through_json_in_both_modes():
    """The model artifact stores `to_dict` as JSON (no pickle): the reloaded encoder encodes alike."""
    import json

    df = _raw_rows(60)
    for linear in (False, True):
        enc = FeatureEncoder(load_spec(), min_frequency=3, linear=linear).fit(df)
        again = FeatureEncoder.from_dict(load_spec(), json.loads(json.dumps(enc.to_dict())))
        np.testing.assert_array_equal(again.matrix(df), enc.matrix(df))
        assert again.feature_of_column == enc.feature_of_column
    state = enc.to_dict()
    state["columns"] = state["columns"][:-1]
    with pytest.raises(ValueError, match="columns"):
        FeatureEncoder.from_dict(load_spec(), state)


def _column(enc: FeatureEncoder, x: np.ndarray, name: str) -> np.ndarray:
    return x[:, list(enc.get_feature_names_out()).index(name)]


def test_json_values_are_read_as_they_state_whatever_the_batch_size():
    """What a JSON client may send: numbers as strings, truth words, unseen or padded levels, nulls
    and absent keys; row by row (small batches) and column by column (large ones) read them alike."""
    enc = FeatureEncoder(load_spec(), min_frequency=2).fit(_raw_rows(60))
    odd = [
        {"patient_age": "7.5", "red_flag_fracture": "yes", "service_family": "  IMAGING "},
        {"patient_age": None, "red_flag_fracture": "no", "service_family": "teleportation"},
        {"patient_age": True, "red_flag_fracture": 0.0, "service_family": None},
        {"red_flag_fracture": "maybe"},  # absent keys and an unknown truth word are missing
    ]
    want_age = [7.5, math.nan, 1.0, math.nan]
    want_flag = [1.0, 0.0, 0.0, math.nan]
    for n in (1, 40):  # below and above COLUMNWISE_FROM_ROWS
        rows = odd * n
        x = enc.matrix(rows)
        np.testing.assert_array_equal(_column(enc, x, "patient_age"), want_age * n)
        np.testing.assert_array_equal(_column(enc, x, "red_flag_fracture"), want_flag * n)
        assert _column(enc, x, "service_family__imaging").tolist() == [1.0, 0.0, 0.0, 0.0] * n
        assert _column(enc, x, "service_family__infrequent__").tolist() == [0.0, 1.0, 1.0, 1.0] * n
        frame = pd.DataFrame.from_records(rows, columns=load_spec().names)
        np.testing.assert_array_equal(enc.matrix(frame), x)
    with pytest.raises(KeyError, match="patient_age"):
        enc.matrix(pd.DataFrame({"service_family": ["imaging"]}))


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


def test_plain_json_columns_encoded_whole_read_as_row_by_row():
    """Large batches of plain JSON values (ints, floats, booleans, null, absent keys; exact, padded,
    unseen and non-string levels) go through the vectorised column reading; every value must come out
    as the per-value reading of the same rows gives it (SYNTHETIC values)."""
    enc = FeatureEncoder(load_spec(), min_frequency=2).fit(_raw_rows(60))
    plain = [
        {"patient_age": 47, "red_flag_fracture": True, "drug_quantity": 2.5, "service_family": "imaging"},
        {"patient_age": None, "red_flag_fracture": 2, "drug_quantity": True, "service_family": " Imaging"},
        {"patient_age": -0.0, "red_flag_fracture": -0.0, "service_family": None},
        {"patient_age": math.inf, "red_flag_fracture": math.nan, "drug_quantity": 0, "service_family": 7},
        {"red_flag_fracture": False, "service_family": ["not", "hashable"]},
        {"patient_age": 2**60 + 1, "red_flag_fracture": 0, "service_family": "teleportation"},
    ]
    rows = plain * 10  # above COLUMNWISE_FROM_ROWS: read column by column
    steps = enc._steps()
    np.testing.assert_array_equal(enc.matrix(rows), steps.by_row(rows))
    x = enc.matrix(rows)
    np.testing.assert_array_equal(_column(enc, x, "red_flag_fracture")[:6], [1, 1, 0, math.nan, 0, 0])
    want_age = [47, math.nan, 0, math.inf, math.nan, 2**60]
    np.testing.assert_array_equal(_column(enc, x, "patient_age")[:6], want_age)
    assert _column(enc, x, "service_family__imaging")[:6].tolist() == [1, 1, 0, 0, 0, 0]
    assert _column(enc, x, "service_family__infrequent__")[:6].tolist() == [0, 0, 1, 1, 1, 1]
    exact = [{"service_family": "imaging"}, {"service_family": "medication"}] * 20  # all levels found at once
    np.testing.assert_array_equal(enc.matrix(exact), steps.by_row(exact))
    assert _column(enc, enc.matrix(exact), "service_family__medication").tolist() == [0, 1] * 20
