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
