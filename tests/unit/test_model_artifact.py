"""TriageModel: contributions add up to the raw score; save/load gives identical outputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from training_tables import tiny_table

from features.model_artifact import TriageModel
from features.spec import load_spec
from training.train import TrainParams, train_model

FAST = TrainParams(cv_folds=3, lgbm={"num_boost_round": 60})


@pytest.fixture(scope="module")
def trained():
    spec = load_spec()
    df = tiny_table(250, seed=4)
    return train_model(df, spec, FAST), df


def test_contributions_sum_to_raw_score(trained) -> None:
    result, df = trained
    c = result.model.contributions(df)
    assert list(c.values.columns) == result.model.encoded_columns
    assert len(c.feature_of_column) == c.values.shape[1]
    assert np.allclose(c.values.to_numpy().sum(1) + c.expected_value, result.model.predict_raw(df), atol=1e-6)


def test_save_load_identical(trained, tmp_path: Path) -> None:
    result, df = trained
    model = result.model
    TriageModel.load(model.save(tmp_path / "m"))
    again = TriageModel.load(tmp_path / "m")
    assert np.array_equal(again.predict_raw(df), model.predict_raw(df))
    assert np.array_equal(again.predict_proba(df), model.predict_proba(df))
    before, after = model.contributions(df), again.contributions(df)
    assert np.array_equal(after.values.to_numpy(), before.values.to_numpy())
    assert np.array_equal(after.expected_value, before.expected_value)
    assert again.metadata == model.metadata


def test_metadata_records_choice_and_fingerprint(trained) -> None:
    result, df = trained
    meta = result.model.metadata
    assert meta.calibration["method"] in {"isotonic", "sigmoid"}
    assert meta.calibration["weighting"] in {"unweighted", "balanced"}
    assert "lowest cross-fitted" in meta.calibration["reason"]
    assert len(meta.calibration["candidates"]) == 4
    assert meta.training_data["n_services"] == len(df)
    assert len(meta.training_data["sha256"]) == 64
    assert meta.synthetic_training_data is True


def test_probabilities_are_probabilities_and_rank_signal(trained) -> None:
    result, _ = trained
    test = tiny_table(200, seed=99)
    p = result.model.predict_proba(test)
    assert np.all((p >= 0) & (p <= 1))
    from training.metrics import roc_auc

    assert roc_auc(test.overturned.to_numpy(), p) > 0.6


def test_load_refuses_incomplete_dir(tmp_path: Path) -> None:
    (tmp_path / "booster.txt").write_text("x")
    with pytest.raises(FileNotFoundError, match="missing"):
        TriageModel.load(tmp_path)
