"""`train_model` with the small-data settings: feature subset, family prior input, fixed rounds,
monotone constraints, synthetic rows at a stated weight, and the model card it writes (SYNTHETIC
tables from `training_tables`, some rows flagged as if real)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from training_tables import tiny_table

from features.spec import load_spec
from model.artifact import METADATA_FILE, TriageModel
from model.derived_columns import ModelEncoder
from model.model_card import CARD_FILE
from model.predictor import Predictor
from training.train import TrainParams, train_model

SMALL = {
    "cv_folds": 3,
    "weighting": "unweighted",
    "calibration": "sigmoid",
    "select_rounds": False,
    "features": ["pain_score", "partial_ur_certification", "functional_improvement"],
    "family_prior": {"enabled": True},
    "monotone": {"pain_score": -1},
    "lgbm": {"num_boost_round": 40, "num_leaves": 3, "min_data_in_leaf": 10},
}


def _real(table):
    out = table.copy()
    out["synthetic"] = False
    out["letter_format"] = "dwc-2016"
    return out


@pytest.fixture(scope="module")
def small():
    table = _real(tiny_table(200, seed=3))
    return train_model(table, load_spec(), TrainParams(**SMALL)), table


def test_family_prior_is_an_input_reported_under_the_family(small, tmp_path: Path) -> None:
    result, table = small
    model = result.model
    assert model.spec.names == ["pain_score", "functional_improvement", "service_family",
                                "partial_ur_certification"]  # fmt: skip
    assert model.encoded_columns[-1] == "family_prior"
    assert model.feature_of_column[-1] == "service_family"
    assert isinstance(model.encoder, ModelEncoder)
    assert model.metadata.calibration["best_rounds"] == {"unweighted": 40}  # fixed rounds
    predictor = Predictor(model)
    predictor.check()
    c = predictor.contributions(table)
    assert np.allclose(c.values.sum(1) + c.expected, predictor.raw_scores(table), atol=1e-6)
    model.save(tmp_path)
    again = Predictor(TriageModel.load(tmp_path))
    assert np.array_equal(again.predict_proba(table), predictor.predict_proba(table))
    assert np.array_equal(again.predict_proba(table.to_dict("records")), predictor.predict_proba(table))


def test_monotone_constraints_hold(small) -> None:
    model = small[0].model
    predictor = Predictor(model)
    x = np.repeat(predictor.matrix(small[1].head(1)), 50, axis=0)
    x[:, -1] = np.linspace(-5, 2, 50)  # family prior log-odds up: never lowers the score
    assert np.all(np.diff(predictor.raw_scores(x)) >= -1e-12)
    pain = model.encoded_columns.index("pain_score")
    x[:, pain] = np.linspace(0, 10, 50)  # pain constrained -1 here: never raises it
    x[:, -1] = 0.0
    assert np.all(np.diff(predictor.raw_scores(x)) <= 1e-12)


def test_bad_settings_are_refused() -> None:
    table = _real(tiny_table(60, seed=1))
    with pytest.raises(ValueError, match="no_such_feature"):
        train_model(table, load_spec(), TrainParams(**{**SMALL, "features": ["no_such_feature"]}))
    with pytest.raises(ValueError, match="only numeric, boolean or ordinal"):
        train_model(table, load_spec(), TrainParams(**{**SMALL, "monotone": {"functional_improvement": 1}}))
    mixed = table.copy()
    mixed.loc[mixed.index[::2], "synthetic"] = True
    with pytest.raises(ValueError, match="synthetic_weight"):
        train_model(mixed, load_spec(), TrainParams(**SMALL))


def test_card_counts_real_and_synthetic_letters(tmp_path: Path) -> None:
    real = _real(tiny_table(120, seed=5))
    synthetic = tiny_table(150, seed=6)
    synthetic["letter_id"] = "S" + synthetic["letter_id"]
    table = __import__("pandas").concat([real, synthetic], ignore_index=True)
    result = train_model(table, load_spec(), TrainParams(**{**SMALL, "synthetic_weight": 0.2}))
    card = result.model.metadata.card()
    assert card.trained_on.real_letters == 120 and card.trained_on.synthetic_letters == 150
    assert card.trained_on.real_services == len(real) and card.trained_on.synthetic_weight == 0.2
    assert card.trained_on.sources == ["dwc-2016", "synthetic (imr synth)"]
    assert not card.validated_on_real and "never validated on real letters" in card.warning
    assert result.model.metadata.metrics["reliability_source"].endswith("real rows only")
    result.model.save(tmp_path)
    on_disk = json.loads((tmp_path / CARD_FILE).read_text())
    assert on_disk["trained_on"]["synthetic_letters"] == 150 and on_disk["validated_on_real"] is False


def test_synthetic_only_model_warns_and_old_artifacts_get_a_card(tmp_path: Path) -> None:
    result = train_model(
        tiny_table(150, seed=2), load_spec(), TrainParams(cv_folds=3, lgbm={"num_boost_round": 30})
    )
    card = result.model.metadata.card()
    assert card.trained_on.real_letters == 0 and card.trained_on.synthetic_letters == 150
    assert card.warning.startswith("This model never saw a real letter")
    facts = card.facts(result.model.metadata.model_version)
    assert facts["trained_on"] == {"real_letters": 0, "synthetic_letters": 150}
    assert facts["validated_on_real"] is False
    # a model saved before cards existed: the card is rebuilt from its training counts
    result.model.save(tmp_path)
    meta = json.loads((tmp_path / METADATA_FILE).read_text())
    meta.pop("model_card")
    (tmp_path / METADATA_FILE).write_text(json.dumps(meta))
    (tmp_path / "checksums.json").unlink()  # such a model was saved before checksums existed, too
    rebuilt = TriageModel.load(tmp_path).metadata.card()
    assert rebuilt.trained_on.synthetic_letters == 150 and rebuilt.warning == card.warning


def test_logit_shrink_pulls_odds_toward_the_base_rate_and_keeps_the_ranking(tmp_path: Path) -> None:
    table = _real(tiny_table(200, seed=3))
    plain = {**SMALL, "calibration": "none"}
    raw_model = train_model(table, load_spec(), TrainParams(**plain)).model
    result = train_model(table, load_spec(), TrainParams(**plain, logit_shrink=0.5))
    model = result.model
    assert model.calibrator.method == "scaled" and model.metadata.calibration["method"] == "scaled"
    reason = model.metadata.calibration["reason"]  # one candidate: its line, then the shrink; no empty part
    assert reason.startswith("unweighted+none has the lowest cross-fitted out-of-fold brier (0.")
    assert "); log-odds scaled by 0.5 toward the training base rate (train.logit_shrink, fixed)" in reason
    assert "; ;" not in reason
    p_raw, p = Predictor(raw_model).predict_proba(table), Predictor(model).predict_proba(table)
    assert np.array_equal(np.argsort(p_raw, kind="stable"), np.argsort(p, kind="stable"))
    rate = table["overturned"].mean()
    logit = lambda q: np.log(q / (1 - q))  # noqa: E731
    assert np.allclose(logit(p) - logit(rate), 0.5 * (logit(p_raw) - logit(rate)), atol=1e-9)
    oof = result.oof["oof_probability"].to_numpy()
    assert np.all(np.isfinite(oof)) and oof.std() < result.oof["raw_unweighted"].std()
    model.save(tmp_path)
    assert np.array_equal(Predictor(TriageModel.load(tmp_path)).predict_proba(table), p)
    with pytest.raises(ValueError, match="logit_shrink needs calibration none"):
        train_model(table, load_spec(), TrainParams(**SMALL, logit_shrink=0.5))
