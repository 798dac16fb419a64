"""A small overturn model trained on a SYNTHETIC letter corpus, built once per test session.

Letters come from `imr synth`'s generator and go through the real parser and feature table, so
the model sees the same features as in production; trained with fixed small LightGBM settings (no
CV search). Built once per test run (one xdist worker builds it, the others wait and load the saved folder:
~40 s of CPU each saved) and cached per process.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import lightgbm as lgb

from features.spec import load_spec
from model.artifact import ModelMetadata, TriageModel
from model.calibration import fit_calibrator
from tests.run_shared import shared_folder
from tests.synthetic_tables import synthetic_feature_table
from training.boosting import TrainParams, constraint_params, make_encoder
from training.params import load_params, section

N_LETTERS = 1500
SEED = 11


@lru_cache(maxsize=1)
def synthetic_model_dir() -> Path:
    """Directory of a saved TriageModel trained on N_LETTERS synthetic letters (built on first need)."""
    return shared_folder("synthetic-model", _train_and_save) / "model"


def _train_and_save(folder: Path) -> None:
    """The model trained and saved as `folder`/model."""
    spec = load_spec()
    table = synthetic_feature_table(N_LETTERS, SEED)  # in the building process (tests/synthetic_tables.py)
    table = table[table[spec.target].notna()].reset_index(drop=True)
    y = table[spec.target].astype(int).to_numpy()
    # the shape `imr train` gives its model (criterion statuses as ordinals, monotone and additive), so the
    # explanations these tests read keep the signs the product's own models keep
    train = section(load_params(Path(__file__).resolve().parents[1] / "params.yaml"), "train")
    params = TrainParams(**{k: train[k] for k in ("encoder", "monotone", "no_interaction") if k in train})
    encoder = make_encoder(spec, params).fit(table)
    x = encoder.transform(table).to_numpy()
    constraints = constraint_params(list(encoder.get_feature_names_out()), list(encoder.feature_of_column),
                                    spec, params)
    booster = lgb.train(
        {"objective": "binary", "learning_rate": 0.1, "num_leaves": 8, "min_data_in_leaf": 10,
         "lambda_l2": 1.0, "verbose": -1, "seed": SEED, "num_threads": 1, "deterministic": True,
         **constraints},
        lgb.Dataset(x, label=y),
        num_boost_round=120,
    )
    raw = booster.predict(x, raw_score=True)
    meta = ModelMetadata(
        model_version="synthetic-test-model", feature_spec_version=spec.version,
        feature_spec_fingerprint=spec.fingerprint(), synthetic_training_data=True,
        training_data={"n_letters": N_LETTERS, "n_services": len(table), "synthetic": True},
    )
    model = TriageModel(spec, encoder, booster, fit_calibrator(raw, y, "sigmoid"), meta)
    model.save(folder / "model")
