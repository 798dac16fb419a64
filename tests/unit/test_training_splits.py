"""Splits never put one letter's services on both sides; time splits hold out the newest letters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from training.splits import grouped_folds, holdout_split


def _table(n_letters: int = 60, dated: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    sizes = rng.integers(1, 4, n_letters)
    letter = np.repeat(np.arange(n_letters), sizes)
    dates = pd.Timestamp("2017-01-01") + pd.to_timedelta(rng.permutation(n_letters)[letter], unit="D")
    return pd.DataFrame(
        {
            "letter_id": [f"L{i}" for i in letter],
            "ur_denial_date": dates if dated else pd.NaT,
            "overturned": (rng.random(letter.size) < 0.2).astype(int),
        }
    )


def test_time_holdout_takes_latest_letters_whole() -> None:
    df = _table()
    h = holdout_split(df, 0.25, seed=0)
    assert h.kind == "time"
    train_l, test_l = set(df.letter_id.iloc[h.train]), set(df.letter_id.iloc[h.test])
    assert not train_l & test_l
    assert len(test_l) == 15
    assert df.ur_denial_date.iloc[h.test].min() >= df.ur_denial_date.iloc[h.train].max()
    assert sorted(np.r_[h.train, h.test]) == list(range(len(df)))


def test_undated_falls_back_to_grouped_random() -> None:
    df = _table(dated=False)
    h = holdout_split(df, 0.2, seed=3)
    assert h.kind == "grouped-random" and h.cutoff is None
    assert not set(df.letter_id.iloc[h.train]) & set(df.letter_id.iloc[h.test])
    assert np.array_equal(holdout_split(df, 0.2, seed=3).test, h.test)


def test_grouped_folds_never_straddle_and_cover_all_rows() -> None:
    df = _table(100)
    folds = grouped_folds(df.overturned.to_numpy(), df.letter_id.to_numpy(), 5, seed=0)
    seen = np.concatenate([te for _, te in folds])
    assert sorted(seen) == list(range(len(df)))
    for tr, te in folds:
        assert not set(df.letter_id.iloc[tr]) & set(df.letter_id.iloc[te])


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValueError, match="test_fraction"):
        holdout_split(_table(), 1.5, seed=0)
    with pytest.raises(ValueError, match="at least 2 letters"):
        grouped_folds(np.array([0, 1]), np.array(["a", "a"]), 5, seed=0)
