"""The real-letter harness on SYNTHETIC tables flagged as real: repeated grouped CV, letter-bootstrap
metrics, column adders fitted inside folds, stability, the time split and the model card numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from training_tables import tiny_table

from features.spec import load_spec
from training import letter_bootstrap as LB
from training import metrics as M
from training.boosting import TrainParams
from training.candidates import (
    BaseRateCandidate,
    CandidateParams,
    FamilyRateCandidate,
    FoldData,
    LightGBMCandidate,
    LogisticCandidate,
)
from training.real_cv import RealCVParams, repeated_cv, summarise, time_split
from training.real_letters import card_metrics
from training.splits import grouped_folds

PARAMS = TrainParams(
    cv_folds=3,
    weighting="unweighted",
    calibration="none",
    select_rounds=False,
    features=["pain_score", "region_low_back", "red_flag_neuro_deficit"],
    family_prior={"enabled": True},
    lgbm={"num_boost_round": 30, "num_leaves": 3, "min_data_in_leaf": 10},
)
CV = RealCVParams(folds=3, repeats=2, n_bootstrap=60, stability_runs=2)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    t = tiny_table(90, seed=11)
    return t.assign(synthetic=False, letter_format="dwc-2016")


def test_weighted_bootstrap_metrics_equal_resampled_rows() -> None:
    rng = np.random.default_rng(3)
    y = rng.random(120) < 0.2
    p = np.round(rng.random(120), 1)  # ties, as calibrated scores have
    groups = rng.integers(0, 40, 120)
    w = LB.letter_weights(groups, 5, seed=1)
    for b in range(5):
        idx = np.repeat(np.arange(120), w[b].astype(int))
        assert LB.weighted_roc_auc(w[b], y, p)[0] == pytest.approx(M.roc_auc(y[idx], p[idx]))
        assert LB.weighted_brier(w[b], y, p)[0] == pytest.approx(M.brier(y[idx], p[idx]))
        assert LB.weighted_ece(w[b], y, p)[0] == pytest.approx(M.ece(y[idx], p[idx]))
        assert LB.weighted_log_loss(w[b], y, p)[0] == pytest.approx(M.log_loss(y[idx], p[idx]))
    # whole letters: the services of one letter always share a multiplicity
    for g in np.unique(groups):
        assert len(np.unique(w[:, groups == g], axis=1)[0]) == 1


def test_summary_pairs_differences_on_the_same_resamples() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(200) < 0.3).astype(int)
    groups = np.repeat(np.arange(100), 2)
    good = np.clip(y * 0.3 + rng.random(200) * 0.6, 0, 1)
    oof = {"good": np.stack([good, good]), "base_rate": np.full((2, 200), y.mean())}
    summary, diffs, per_repeat = summarise(y, groups, oof, "base_rate", 200, 0)
    assert summary["base_rate"]["roc_auc"].value == pytest.approx(0.5)
    d = diffs["good"]["roc_auc"]
    assert d.value == pytest.approx(summary["good"]["roc_auc"].value - 0.5)
    assert 0 < d.low < d.value < d.high  # a real gain: the paired interval excludes 0
    assert per_repeat["good"]["roc_auc"] == [pytest.approx(M.roc_auc(y, good))] * 2


def test_repeated_cv_scores_every_row_once_per_repeat(table: pd.DataFrame) -> None:
    spec = load_spec()
    cands = [
        LightGBMCandidate(spec, PARAMS),
        LogisticCandidate(spec, PARAMS, CandidateParams()),
        FamilyRateCandidate(PARAMS),
        FamilyRateCandidate(PARAMS, use_counts=False),
        BaseRateCandidate(),
    ]
    res = repeated_cv(table, spec, PARAMS, CV, candidates=cands)
    assert set(res.oof) == {"lightgbm", "logistic_regression", "family_rate", "published_prior", "base_rate"}
    for preds in res.oof.values():
        assert preds.shape == (2, len(table)) and np.all((preds > 0) & (preds < 1))
    s = res.summary["lightgbm"]["roc_auc"]
    assert s.low <= s.value <= s.high
    assert set(res.differences) == set(res.oof) - {"family_rate"}
    assert res.stability(2)["base_rate"]["range"] >= 0
    with pytest.raises(ValueError, match="needs 5 CV repeats"):
        res.stability(5)
    card = card_metrics(res, 2, 3)
    assert card.n_services == len(table) and card.n_letters == 90
    assert card.roc_auc.value == pytest.approx(s.value)
    assert card.base_rate_brier == pytest.approx(res.summary["base_rate"]["brier"].value)
    assert card.roc_auc_minus_family_rate is not None


def test_adders_run_inside_folds_and_never_see_test_labels(table: pd.DataFrame) -> None:
    spec = load_spec()
    seen: list[tuple[int, int]] = []

    def peeking_adder(train, y, groups, test, seed):
        assert spec.target not in test.columns  # the test rows' labels are not there to read
        assert set(groups).isdisjoint(set(test["letter_id"]))  # grouped: no letter on both sides
        seen.append((len(train), len(test)))
        return pd.DataFrame({"noise": np.zeros(len(train))}), pd.DataFrame({"noise": np.zeros(len(test))})

    res = repeated_cv(
        table, spec, PARAMS, CV, candidates=[BaseRateCandidate()], adders=[("peek", peeking_adder)]
    )
    assert len(seen) == CV.repeats * CV.folds and res.adders == ["peek"]
    assert all(a + b == len(table) for a, b in seen)


def _with_synthetic_texts(table: pd.DataFrame) -> pd.DataFrame:
    """SYNTHETIC case text: a clinical word that tracks the label on most rows, filler otherwise."""
    rng = np.random.default_rng(7)
    words = np.where(
        (table["overturned"].to_numpy() == 1) ^ (rng.random(len(table)) < 0.15), "contusion", "tramadol"
    )
    return table.assign(summary_text=[f"SYNTHETIC summary {w} follow up" for w in words],
                        service_text="SYNTHETIC service", ur_guideline_text="")  # fmt: skip


def test_the_text_score_is_fitted_inside_the_folds_and_carries_signal(table: pd.DataFrame) -> None:
    spec = load_spec()
    data = _with_synthetic_texts(table)
    one = CV.model_copy(update={"repeats": 1, "n_bootstrap": 0})
    noise = TrainParams(
        **{**PARAMS.model_dump(), "features": ["patient_age"], "family_prior": {"enabled": False}}
    )
    text = TrainParams(**{**noise.model_dump(), "text_signal": {"enabled": True}})
    facts_only = [LogisticCandidate(spec, noise, CandidateParams())]
    without = repeated_cv(data, spec, noise, one, candidates=facts_only)
    cands = [LogisticCandidate(spec, text, CandidateParams()), LightGBMCandidate(spec, text)]
    with_text = repeated_cv(data, spec, text, one, candidates=cands)
    gain = with_text.summary["logistic_regression"]["roc_auc"].value
    assert gain > without.summary["logistic_regression"]["roc_auc"].value + 0.15
    # the served recipe: the model computes the score from the test rows' text in the Predictor
    assert with_text.summary["lightgbm"]["roc_auc"].value > 0.75
    # a test row's label never reaches the text model: with every test label flipped the scores stay
    fold = grouped_folds(data["overturned"].to_numpy(), data["letter_id"].to_numpy(), 3, 0)[0]
    tr, te = fold
    flipped = data.copy()
    flipped.loc[te, "overturned"] = 1 - flipped.loc[te, "overturned"]

    def fold_of(d: pd.DataFrame) -> FoldData:
        test = d.iloc[te].drop(columns="overturned").reset_index(drop=True)
        return FoldData(d.iloc[tr].reset_index(drop=True), d["overturned"].to_numpy()[tr],
                        d["letter_id"].to_numpy()[tr], test, 0)  # fmt: skip

    scores = [LightGBMCandidate(spec, text).fit_predict(fold_of(d)) for d in (data, flipped)]
    assert np.array_equal(scores[0], scores[1])


def test_time_split_trains_on_older_letters(table: pd.DataFrame) -> None:
    spec = load_spec()
    res = time_split(table, spec, PARAMS, CV, candidates=[BaseRateCandidate(), FamilyRateCandidate(PARAMS)])
    assert res.cutoff is not None and res.n_test_letters == 27 and res.n_train_letters == 63
    assert res.summary["base_rate"]["roc_auc"].value == pytest.approx(0.5)
