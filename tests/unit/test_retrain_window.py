"""The retraining test window holds only letters neither model trained on, the new letters included.

Tiny SYNTHETIC tables: one service per letter, dated; the champion's training data ends on a date
(as its metadata records it) and the run ingests some newer letters.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from training.drift import DriftParams
from training.retrain import RetrainSettings, performance_drift
from training.retrain_report import retrain_markdown
from training.retrain_window import choose_test_window, trained_until
from training.splits import holdout_split


def _rows(dates: list[str], prefix: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "letter_id": [f"{prefix}-{i:04d}" for i in range(len(dates))],
            "ur_denial_date": pd.to_datetime(dates).date,
        }
    )


def _corpus() -> tuple[pd.DataFrame, set[str], date]:
    """200 old letters (2016-10-01 .. 2017-01-07), of which the champion trained on those up to
    2017-01-01 (the rest were its own holdout), and 20 new letters dated 2017-01-08 .. 2017-01-27:
    the issue's case, where a newest-quarter window started before the champion's data ended."""
    old = _rows([str(d.date()) for d in pd.date_range("2016-10-01", "2017-01-07", periods=200)], "OLD")
    new = _rows([str(d.date()) for d in pd.date_range("2017-01-08", "2017-01-27", periods=20)], "NEW")
    return pd.concat([old, new], ignore_index=True), set(new["letter_id"]), date(2017, 1, 1)


def test_the_window_never_holds_a_letter_the_champion_trained_on() -> None:
    rows, new_ids, until = _corpus()
    w = choose_test_window(
        rows, new_ids, has_champion=True, champion_until=until, fraction=0.75, min_letters=5
    )
    test = rows.iloc[w.test]
    seen_by_champion = pd.to_datetime(test["ur_denial_date"]) <= pd.Timestamp(until)
    assert not (seen_by_champion & ~test["letter_id"].isin(new_ids)).any()
    assert w.cutoff is not None and date.fromisoformat(w.cutoff) > until
    # the newest letters are the new ones, so all 20 are judged on, with a few of the champion's holdout
    assert w.n_new_letters == 20 and set(test["letter_id"]) >= new_ids
    # the pool: the champion's own holdout (dated after 2017-01-01) and the new letters
    assert w.n_unseen_letters == int((pd.to_datetime(rows["ur_denial_date"]) > pd.Timestamp(until)).sum())
    # every row is on exactly one side, and no letter straddles
    assert sorted([*w.train, *w.test]) == list(range(len(rows)))
    assert not set(rows.iloc[w.train]["letter_id"]) & set(test["letter_id"])
    # The plain newest-quarter split (the old window) would judge on letters the champion trained on.
    old = rows.iloc[holdout_split(rows, 0.25, 0).test]
    assert (pd.to_datetime(old["ur_denial_date"]) <= pd.Timestamp(until)).any()


def test_without_recorded_dates_only_new_letters_judge() -> None:
    rows, new_ids, _ = _corpus()
    w = choose_test_window(rows, new_ids, has_champion=True, champion_until=None, fraction=0.5, min_letters=5)
    assert set(rows.iloc[w.test]["letter_id"]) <= new_ids and w.n_unseen_letters == 20
    assert len(w.test_letters) == 10  # the newest half of them; the other half trains the challenger


def test_a_small_pool_is_judged_whole_and_no_champion_takes_the_newest_of_all() -> None:
    rows, new_ids, until = _corpus()
    small = choose_test_window(
        rows, new_ids, has_champion=True, champion_until=until, fraction=0.5, min_letters=500
    )
    assert len(small.test_letters) == small.n_unseen_letters
    first = choose_test_window(
        rows, new_ids, has_champion=False, champion_until=None, fraction=0.25, min_letters=1
    )
    assert len(first.test_letters) == 55 and first.n_unseen_letters == len(rows)
    with pytest.raises(ValueError, match="champion's training data"):
        choose_test_window(
            rows.iloc[:50], new_ids, has_champion=True, champion_until=until, fraction=0.5, min_letters=1
        )


def test_trained_until_reads_the_model_metadata() -> None:
    assert trained_until({"ur_denial_dates": ["2016-10-01", "2017-01-07"]}) == date(2017, 1, 7)
    assert trained_until({"sha256": "x"}) is None


def test_settings_errors_name_the_params_key() -> None:
    with pytest.raises(ValidationError) as err:
        RetrainSettings.from_params({"retrain": {"holdout_fraction": 2}})
    assert err.value.errors()[0]["loc"][:2] == ("retrain", "holdout_fraction")
    s = RetrainSettings.from_params({"register": {"margin": 0.01}, "retrain": {"train": {"cv_folds": 3}}})
    assert s.margin == 0.01 and s.train.cv_folds == 3


def test_performance_check_flags_a_drop_or_says_why_it_cannot() -> None:
    p = DriftParams(performance_drop_alert=0.025)
    y, good = np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9])
    ok = performance_drift(0.95, y, good, "roc_auc", p)
    assert ok["observed_on_new_letters"] == 1.0 and ok["drop"] == pytest.approx(-0.05) and not ok["flagged"]
    bad = performance_drift(0.95, y, good[::-1].copy(), "roc_auc", p)
    assert bad["flagged"] and bad["drop"] == pytest.approx(0.95)
    none = performance_drift(0.7, np.array([], dtype=int), np.array([]), "roc_auc", p)
    assert none["flagged"] is False and none["note"] == "no new letters in the test window"
    assert "no out-of-fold" in performance_drift(None, y, good, "roc_auc", p)["note"]
    assert "one outcome only" in performance_drift(0.7, np.zeros(4, dtype=int), good, "roc_auc", p)["note"]


def test_a_drop_within_sampling_noise_is_not_flagged() -> None:
    """A window of a few hundred services reads its AUC a few hundredths off by chance: a drop past the alert
    but within what resampling the window's letters gives is reported, not flagged; a collapse is flagged."""
    rng = np.random.default_rng(0)
    n = 300
    y = rng.binomial(1, 0.12, n)
    score = y * 1.0 + rng.normal(0, 0.9, n)  # an AUC near 0.78 on this window
    p_new = 1 / (1 + np.exp(-score))
    letters = np.arange(n) // 2  # two services per letter
    p = DriftParams(performance_drop_alert=0.025)
    observed = performance_drift(0.5, y, p_new, "roc_auc", p, letters)["observed_on_new_letters"]
    small = performance_drift(observed + 0.04, y, p_new, "roc_auc", p, letters)
    assert small["drop"] == pytest.approx(0.04) and small["noise_drop"] > 0.04 and not small["flagged"]
    large = performance_drift(observed + 0.25, y, p_new, "roc_auc", p, letters)
    assert large["noise_drop"] < 0.25 and large["flagged"]
    without = performance_drift(observed + 0.04, y, p_new, "roc_auc", p)  # no letters: the point rule
    assert without["noise_drop"] is None and without["flagged"]


def test_report_shows_both_models_on_the_window_and_on_the_new_letters() -> None:
    metrics = {"roc_auc": 0.7, "brier": 0.08, "log_loss": 0.3}
    report = {
        "started_at": "2017-02-01T00:00:00Z",
        "new_letters": "data/new_letters",
        "outcome": "kept",
        "exit_code": 10,
        "test_window": {
            "rule": "newest letters the champion never saw",
            "cutoff": "2017-01-08",
            "champion_trained_until": "2017-01-01",
            "n_unseen_letters": 60,
            "n_train": 180,
            "n_test": 40,
            "n_letters": 40,
            "n_new_letters": 20,
            "n_positive": 5,
            "new_letter_share": 0.5,
        },
        "challenger": {
            "label": "v2 (imr-overturn-bbbbbbbbbbbb)",
            "metrics": metrics,
            "metrics_new_letters": {**metrics, "roc_auc": 0.61},
        },
        "champion": {
            "label": "v1 (imr-overturn-aaaaaaaaaaaa)",
            "metrics": {**metrics, "roc_auc": 0.69},
            "metrics_new_letters": {**metrics, "roc_auc": None},
        },
    }
    md = retrain_markdown(report)
    assert "champion v1 (imr-overturn-aaaaaaaaaaaa): window" in md and "challenger v2 (imr-overturn-" in md
    assert "| roc_auc | 0.70000 | 0.69000 | 0.61000 | n/a |" in md
    assert "up to 2017-01-01" in md and "None" not in md
