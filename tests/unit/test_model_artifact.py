"""TriageModel through its Predictor: contributions add up to the raw score; save/load is identical."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from training_tables import tiny_table

from features.spec import load_spec
from model.artifact import TriageModel
from model.predictor import Predictor
from training.train import TrainParams, train_model

FAST = TrainParams(cv_folds=3, lgbm={"num_boost_round": 60})


@pytest.fixture(scope="module")
def trained():
    spec = load_spec()
    df = tiny_table(250, seed=4)
    return train_model(df, spec, FAST), df


def test_contributions_sum_to_raw_score(trained) -> None:
    result, df = trained
    predictor = Predictor(result.model)
    c = predictor.contributions(df)
    assert c.values.shape == (len(df), len(result.model.encoded_columns))
    assert np.allclose(c.values.sum(1) + c.expected, predictor.raw_scores(df), atol=1e-6)


def test_save_load_identical(trained, tmp_path: Path) -> None:
    result, df = trained
    model = result.model
    model.save(tmp_path / "m")
    before, again = Predictor(model), Predictor.load(tmp_path / "m")
    assert np.array_equal(again.raw_scores(df), before.raw_scores(df))
    assert np.array_equal(again.predict_proba(df), before.predict_proba(df))
    c0, c1 = before.contributions(df), again.contributions(df)
    assert np.array_equal(c1.values, c0.values)
    assert np.array_equal(c1.expected, c0.expected)
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
    p = Predictor(result.model).predict_proba(test)
    assert np.all((p >= 0) & (p <= 1))
    from training.metrics import roc_auc

    assert roc_auc(test.overturned.to_numpy(), p) > 0.6


def test_load_refuses_incomplete_dir(tmp_path: Path) -> None:
    (tmp_path / "booster.txt").write_text("x")
    with pytest.raises(FileNotFoundError, match="missing"):
        TriageModel.load(tmp_path)


def test_checksums_are_recorded_and_a_changed_file_is_refused_before_parsing(trained, tmp_path: Path) -> None:
    """Issue #21.1: a truncated booster is named by its checksum, before LightGBM reads it."""
    from model.artifact import CHECKSUMS_FILE, ChecksumError, artifact_digest, verify_checksums

    result, _ = trained
    saved = result.model.save(tmp_path / "m")
    digest = artifact_digest(saved)
    assert (saved / CHECKSUMS_FILE).is_file() and digest is not None
    assert verify_checksums(saved, expected_digest=digest)
    with pytest.raises(ChecksumError, match="registration"):
        verify_checksums(saved, expected_digest="0" * 64)
    booster = saved / "booster.txt"
    booster.write_text(booster.read_text()[: len(booster.read_text()) // 2])
    with pytest.raises(ChecksumError, match="booster.txt: checksum mismatch"):
        TriageModel.load(saved)
    (saved / CHECKSUMS_FILE).unlink()  # an artifact saved before checksums: nothing to verify against
    assert verify_checksums(saved) is False
    with pytest.raises(ChecksumError, match="missing"):
        verify_checksums(saved, expected_digest=digest)
