"""Which recipe `imr retrain` trains its challenger with, and its real-letter gate on the test window
(SYNTHETIC tables; the same on the shared real letters: tests/real/test_retrain_real.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from training_tables import tiny_table
from typer.testing import CliRunner

from imr_triage.cli import app
from model.model_card import ModelCard, TrainedOn
from training import metrics as M
from training.retrain import RetrainSettings
from training.retrain_recipe import challenger_recipe, real_letter_window


def test_the_champions_card_decides_and_an_old_card_is_read_from_what_it_saw() -> None:
    table = tiny_table(20)
    recorded = ModelCard(trained_on=TrainedOn(real_letters=0, synthetic_letters=20), recipe="train_real")
    assert challenger_recipe(recorded, table).name == "train_real"  # the card wins over the corpus
    old_real = ModelCard(trained_on=TrainedOn(real_letters=129, real_services=292))
    choice = challenger_recipe(old_real, table)
    assert choice.name == "train_real" and "129 real letters" in choice.why
    assert challenger_recipe(ModelCard(trained_on=TrainedOn(synthetic_letters=5)), table).name == "train"


def test_without_a_champion_the_corpus_decides() -> None:
    synthetic = tiny_table(20)
    assert challenger_recipe(None, synthetic).as_dict() == {
        "name": "train",
        "why": "no champion; the corpus holds synthetic letters only",
    }
    real = synthetic.assign(synthetic=False)  # SYNTHETIC rows flagged as real letters
    choice = challenger_recipe(None, real)
    assert choice.name == "train_real" and choice.why == "no champion; the corpus holds 20 real letters"
    unflagged = synthetic.drop(columns="synthetic")  # a table without the flag counts as synthetic
    assert challenger_recipe(None, unflagged).name == "train"


def test_each_recipe_reads_its_own_section_and_overrides() -> None:
    s = RetrainSettings.from_params({
        "train": {"cv_folds": 4},
        "train_real": {"cv_folds": 5, "calibration": "none", "logit_shrink": 0.5},
        "retrain": {"train": {"seed": 3}, "train_real": {"seed": 7}},
    })  # fmt: skip
    assert (s.recipe("train").cv_folds, s.recipe("train").seed) == (4, 3)
    real = s.recipe("train_real")
    assert (real.cv_folds, real.seed, real.logit_shrink) == (5, 7, 0.5)


def test_the_gate_reads_the_real_letters_of_the_window_only() -> None:
    rows = tiny_table(40, seed=1)
    y = rows["overturned"].to_numpy(dtype=int)
    p = np.clip(0.2 + 0.5 * y, 0, 1)
    assert real_letter_window(rows, y, p) is None  # SYNTHETIC letters: no real-letter gate
    real_rows = rows.assign(synthetic=np.arange(len(rows)) % 2 == 0)  # every other row "real"
    real = real_letter_window(real_rows, y, p)
    mask = ~real_rows["synthetic"].to_numpy()
    base = float(np.mean((y[mask] - y[mask].mean()) ** 2))
    assert real.check.base_rate_brier == pytest.approx(base)
    assert real.check.brier == pytest.approx(float(np.mean((p[mask] - y[mask]) ** 2)))
    assert real.check.passes() and real.metrics.n_services == mask.sum() and real.metrics.roc_auc.value == 1.0
    worse = real_letter_window(real_rows, y, 1 - p)
    assert not worse.check.passes()
    one_outcome = real_letter_window(real_rows, np.zeros_like(y), p)
    assert one_outcome.metrics is None and not one_outcome.check.passes()


def test_both_models_real_letter_figures_carry_letter_bootstrap_intervals() -> None:
    """The challenger's (its card's) and the champion's figures on the window's real letters come from one
    function with the same letter resamples, each with a 95% interval around its value."""
    from model.model_card import RealLetterMetrics
    from training.retrain_recipe import real_letter_metrics

    rows = tiny_table(80, seed=2).assign(synthetic=False)
    y = rows["overturned"].to_numpy(dtype=int)
    rng = np.random.default_rng(0)
    p_chal = np.clip(0.3 * y + rng.uniform(0, 0.7, len(y)), 0, 1)
    p_champ = rng.uniform(size=len(y))
    real = real_letter_window(rows, y, p_chal, p_champ, n_bootstrap=200, seed=4)
    letters = rows["letter_id"].astype(str).to_numpy()
    for m, p in ((real.metrics, p_chal), (real.champion_metrics, p_champ)):
        assert m == real_letter_metrics(y, p, letters, n_bootstrap=200, seed=4)
        assert m.roc_auc.value == pytest.approx(M.roc_auc(y, p))
        assert m.brier.value == pytest.approx(M.brier(y, p))
        for i in (m.roc_auc, m.brier):
            assert i.low is not None and i.high is not None and i.low < i.value < i.high
        assert m.n_letters == 80 and "95% intervals from 200 resamples of whole letters" in m.method
        RealLetterMetrics.model_validate_json(m.model_dump_json())  # the card's JSON round-trips
    assert real.metrics.roc_auc.low > real.champion_metrics.roc_auc.high  # a real gap shows as one
    # whole letters are resampled: every service written twice in its letter changes no interval
    twice = real_letter_metrics(*(np.tile(a, 2) for a in (y, p_chal, letters)), n_bootstrap=200, seed=4)
    once = real.metrics.roc_auc
    assert (twice.roc_auc.low, twice.roc_auc.high) == pytest.approx((once.low, once.high))
    assert twice.n_services == 2 * real.metrics.n_services
    no_champion = real_letter_window(rows, y, p_chal, n_bootstrap=200, seed=4)
    assert no_champion.champion_metrics is None and no_champion.metrics == real.metrics


def test_imr_train_records_its_recipe_on_the_card(tmp_path: Path) -> None:
    tiny_table(60).to_parquet(tmp_path / "f.parquet")
    params = tmp_path / "p.yaml"
    small = "{cv_folds: 2, weighting: unweighted, calibration: sigmoid, lgbm: {num_boost_round: 10}}"
    params.write_text(f"train: {small}\n")
    res = CliRunner().invoke(app, ["train", str(tmp_path / "f.parquet"), "--out", str(tmp_path / "m"),
                                   "--params", str(params), "--no-progress"])  # fmt: skip
    assert res.exit_code == 0, res.output
    card = json.loads((tmp_path / "m" / "model" / "model_card.json").read_text())
    assert card["recipe"] == "train"
