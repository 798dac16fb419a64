"""A model with the text signal's score as an input (`train.text_signal`): trained on out-of-fold
scores, it carries the fitted signal in its directory and computes the score from each row's text in
the one `Predictor`, the same for frames and dict rows, whatever score a caller sends. SYNTHETIC
tables (`training_tables`) with SYNTHETIC summaries whose clinical words carry the outcome."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from training_tables import tiny_table

from features.spec import Dtype, load_spec
from features.style import rewrite_style
from model.artifact import TriageModel
from model.derived_columns import DERIVED_FEATURES_FILE, MissingDerivedInputError
from model.predictor import Predictor
from model.text_signal import TEXT_FEATURE, TEXT_SIGNAL_FILE, ServiceText, TextSignal
from training.splits import grouped_folds
from training.text_score import cross_fitted_text_score
from training.train import TrainParams, train_model

TEXT = {
    "cv_folds": 3,
    "weighting": "unweighted",
    "calibration": "none",
    "select_rounds": False,
    "features": ["pain_score", "functional_improvement"],
    "family_prior": {"enabled": True},
    "text_signal": {"enabled": True},
    "lgbm": {"num_boost_round": 60, "num_leaves": 4, "min_data_in_leaf": 10},
}
# SYNTHETIC summaries: the examination words carry the outcome, the person words are the writer's
ACUTE = "SYNTHETIC. The {who} fell at work. Examination showed swelling and a positive apprehension test."
CHRONIC = "SYNTHETIC. The {who} reports chronic aching pain for years. Medications were continued."


def _with_text(table: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Each letter's summary: acute wording for most overturned letters, chronic for the rest."""
    rng = np.random.default_rng(seed)
    out = table.assign(synthetic=False, letter_format="dwc-2016")
    overturned = out.groupby("letter_id")["overturned"].transform("max").to_numpy(dtype=bool)
    acute = np.where(overturned, rng.random(len(out)) < 0.85, rng.random(len(out)) < 0.1)
    who = rng.choice(["injured worker", "patient", "claimant"], len(out))
    out["summary_text"] = [(ACUTE if a else CHRONIC).format(who=w) for a, w in zip(acute, who, strict=True)]
    out["service_text"] = "SYNTHETIC physical therapy"
    out["ur_guideline_text"] = "SYNTHETIC MTUS guideline"
    return out


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return _with_text(tiny_table(160, seed=11), seed=11)


@pytest.fixture(scope="module")
def model(table: pd.DataFrame) -> TriageModel:
    return train_model(table, load_spec(), TrainParams(**TEXT)).model


def test_the_score_is_a_derived_input_with_a_monotone_constraint(model: TriageModel) -> None:
    assert model.derived_feature_names == [TEXT_FEATURE]
    assert {"summary_text", "service_text", "ur_guideline_text", TEXT_FEATURE} <= set(model.spec.names)
    assert TEXT_FEATURE not in model.input_spec.names and "summary_text" in model.input_spec.names
    assert TEXT_FEATURE in model.encoded_columns and "summary_text" not in model.feature_of_column
    column = model.encoded_columns.index(TEXT_FEATURE)
    constraints = model.booster.dump_model()["monotone_constraints"]
    assert constraints[column] == 1 and constraints[-1] == 1  # the text score and the family prior
    assert model.spec.feature(TEXT_FEATURE).dtype == Dtype.NUMERIC


def test_saved_with_its_signal_and_scored_the_same_from_frames_and_dict_rows(
    model: TriageModel, table: pd.DataFrame, tmp_path: Path
) -> None:
    predictor = Predictor(model)
    predictor.check()  # the serving spec builds every input the model reads
    model.save(tmp_path)
    assert (tmp_path / TEXT_SIGNAL_FILE).is_file()
    assert json.loads((tmp_path / DERIVED_FEATURES_FILE).read_text())[0]["name"] == TEXT_FEATURE
    again = Predictor.load(tmp_path)
    p = predictor.predict_proba(table)
    assert np.array_equal(again.predict_proba(table), p)
    assert np.array_equal(again.predict_proba(table.to_dict("records")), p)
    c = again.contributions(table)
    assert np.allclose(c.values.sum(1) + c.expected, again.raw_scores(table), atol=1e-6)


def test_the_text_moves_the_likelihood_the_way_the_words_lean(model: TriageModel, table) -> None:
    predictor = Predictor(model)
    row = table.head(1)
    acute = predictor.predict_proba(row.assign(summary_text=ACUTE.format(who="patient")))
    chronic = predictor.predict_proba(row.assign(summary_text=CHRONIC.format(who="patient")))
    assert acute[0] > chronic[0]
    score = model.derive(table)[TEXT_FEATURE].to_numpy()
    assert np.corrcoef(score, table["overturned"])[0, 1] > 0.3


def test_a_callers_score_is_never_used_and_missing_text_is_an_error(model: TriageModel, table) -> None:
    predictor = Predictor(model)
    p = predictor.predict_proba(table)
    assert np.array_equal(predictor.predict_proba(table.assign(**{TEXT_FEATURE: 99.0})), p)
    explained = predictor.explain(table.head(3).assign(**{TEXT_FEATURE: 99.0}).to_dict("records"), top_k=40)
    shown = [r["value"] for e in explained for r in e["reasons"] if r["feature"] == TEXT_FEATURE]
    assert shown and all(v != 99.0 for v in shown)  # the explanation shows the score the model computed
    no_text = table.drop(columns=["summary_text", "service_text", "ur_guideline_text"])
    with pytest.raises(MissingDerivedInputError, match="summary_text"):
        predictor.predict_proba(no_text)


def test_writer_style_changes_no_probability(model: TriageModel, table: pd.DataFrame) -> None:
    predictor = Predictor(model)
    p = predictor.predict_proba(table)
    for person in ("injured worker", "patient", "claimant", "applicant"):
        other = table.assign(summary_text=[rewrite_style(t, person=person, swap_pronouns=True)
                                           for t in table["summary_text"]])  # fmt: skip
        assert np.abs(predictor.predict_proba(other) - p).max() <= 0.01


def test_training_rows_get_out_of_fold_scores(table: pd.DataFrame) -> None:
    """Each row's training score comes from a signal fitted without its fold (so without its letter)."""
    y = table["overturned"].to_numpy()
    groups = table["letter_id"].to_numpy()
    parts = zip(table["summary_text"], table["service_text"], table["ur_guideline_text"], strict=True)
    texts = [ServiceText(s, v, u) for s, v, u in parts]
    folds = grouped_folds(y, groups, 3, 0)
    oof = cross_fitted_text_score(texts, y, folds, TrainParams(**TEXT).text_signal.text)
    tr, te = folds[0]
    assert not set(groups[tr]) & set(groups[te])
    alone = TextSignal().fit([texts[i] for i in tr], y[tr]).decision_function([texts[i] for i in te])
    assert np.allclose(oof[te], alone)
    in_sample = TextSignal().fit(texts, y).decision_function(texts)
    assert not np.allclose(oof, in_sample)


def test_text_features_cannot_be_named_as_facts(table: pd.DataFrame) -> None:
    params = TrainParams(**{**TEXT, "features": ["pain_score", "summary_text"]})
    with pytest.raises(ValueError, match="read through train.text_signal"):
        train_model(table, load_spec(), params)


def test_the_scores_database_keeps_no_raw_text() -> None:
    from datetime import UTC, datetime

    from serving.case_rows import PreparedCase
    from serving.score_store import score_rows

    row = {"letter_id": "c1", "item_index": 0, "service": "SYNTHETIC MRI", "pain_score": 3.0,
           "summary_text": "SYNTHETIC summary", "ur_guideline_text": "SYNTHETIC MTUS"}  # fmt: skip
    explained = [{"overturn_likelihood": 0.2, "risk_band": "low", "reasons": []}]
    prepared = PreparedCase("c1", [row], [{}])
    stored = score_rows(prepared, explained, "m", "1", datetime.now(UTC), model_synthetic_only=True)[0]
    assert stored.features == {"pain_score": 3.0}


def test_an_outer_fold_model_without_the_internal_cv_scores_the_same(table: pd.DataFrame) -> None:
    """`internal_cv: false` (what the real-letter CV uses inside its folds) only drops metadata."""
    with_cv = train_model(table, load_spec(), TrainParams(**TEXT)).model
    without = train_model(table, load_spec(), TrainParams(**{**TEXT, "internal_cv": False})).model
    assert np.array_equal(Predictor(without).predict_proba(table), Predictor(with_cv).predict_proba(table))
    assert "reliability" in with_cv.metadata.metrics and "reliability" not in without.metadata.metrics
    calibrated = TrainParams(**{**TEXT, "internal_cv": False, "calibration": "sigmoid"})
    with pytest.raises(ValueError, match="internal_cv false"):
        train_model(table, load_spec(), calibrated)


def test_the_fast_path_says_which_text_a_text_score_model_needs(model: TriageModel) -> None:
    """`POST /v1/score/features` with such a model (`imr train --letters` makes one): a service stating no
    text fails with the inputs named, not a bare "scoring failed"; one stating a text is scored."""
    from pydantic import TypeAdapter

    from serving.feature_scores import score_feature_services
    from serving.schemas import build_request_models

    item = build_request_models(load_spec().request_model())["FeatureServiceIn"]
    adapters = (TypeAdapter(item), TypeAdapter(list[item]))  # type: ignore[valid-type]
    no_text = [{"id": "claim-1", "features": {"pain_score": 7}}]
    (result,), probabilities = score_feature_services(no_text, *adapters, Predictor(model))
    assert not result["ok"] and probabilities == []
    assert result["error"].startswith(f"item 0 (claim-1): the model computes '{TEXT_FEATURE}' from [")
    assert "summary_text" in result["error"]
    assert result["error"].endswith("state at least one of them in `features`")
    text = [{"id": "claim-2", "features": {"pain_score": 7, "summary_text": ACUTE.format(who="patient")}}]
    (result,), probabilities = score_feature_services(text, *adapters, Predictor(model))
    assert result["ok"] and probabilities == [result["overturn_likelihood"]]


def test_the_fast_path_counts_the_text_score_inputs_among_the_features_not_stated(
    model: TriageModel,
) -> None:
    """The model reads the text features through its text score (which callers cannot state): they are
    named when left out; the score itself is not, nor a text feature no model part reads."""
    from pydantic import TypeAdapter

    from serving.feature_scores import score_feature_services
    from serving.schemas import build_request_models

    item = build_request_models(load_spec().request_model())["FeatureServiceIn"]
    adapters = (TypeAdapter(item), TypeAdapter(list[item]))  # type: ignore[valid-type]
    text = [{"features": {"pain_score": 7, "summary_text": ACUTE.format(who="patient")}}]
    (result,), _ = score_feature_services(text, *adapters, Predictor(model))
    missing = result["features_not_stated"]
    read = model.read_feature_names
    assert {"service_text", "ur_guideline_text"} <= set(missing) and TEXT_FEATURE not in read
    assert "summary_text" not in missing and "pain_score" not in missing
    assert missing == [n for n in read if n not in ("pain_score", "summary_text")]
    assert result["warning"].startswith(f"{len(read) - 2} of the {len(read)} features the model reads")
