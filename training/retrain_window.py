"""The retraining test window: the letters on which the champion and the challenger are compared.

A fair comparison needs letters neither model trained on. The champion trained on letters up to the
last UR denial date its training data records (`training_data.ur_denial_dates`); the letters it never
saw are the ones ingested in this run and those dated after that day (its own holdout, for example).
The window is the newest `fraction` of those unseen letters, so the newly ingested letters are in it
whenever they are the newest; the challenger trains on everything else. With no champion the window
is the newest `fraction` of all letters (the challenger then faces the family-rate baseline).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class TestWindow:
    """Row positions of the challenger's training rows and of the shared test window, and why."""

    __test__ = False  # not a pytest class

    train: np.ndarray
    test: np.ndarray
    test_letters: frozenset[str]
    cutoff: str | None  # first UR denial date in the window
    champion_trained_until: str | None
    n_unseen_letters: int  # letters the champion never saw (the pool the window is taken from)
    n_new_letters: int  # letters of this run's ingest in the window
    rule: str

    def describe(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "cutoff": self.cutoff,
            "champion_trained_until": self.champion_trained_until,
            "n_unseen_letters": self.n_unseen_letters,
            "n_train": int(self.train.size),
            "n_test": int(self.test.size),
            "n_letters": len(self.test_letters),
            "n_new_letters": self.n_new_letters,
        }


def trained_until(training_data: dict[str, Any]) -> date | None:
    """Last UR denial date of a model's training data (its metadata), or None when not recorded."""
    dates = training_data.get("ur_denial_dates") or []
    if len(dates) != 2 or not dates[1]:
        return None
    return date.fromisoformat(str(dates[1]))


def _letters(rows: pd.DataFrame, group_col: str, date_col: str) -> pd.DataFrame:
    groups = rows[group_col].astype(str)
    dates = (
        pd.to_datetime(rows[date_col], errors="coerce") if date_col in rows else pd.Series(pd.NaT, rows.index)
    )
    first = dates.groupby(groups.to_numpy()).min()
    return pd.DataFrame({"letter": first.index.astype(str), "date": first.to_numpy()})


def choose_test_window(
    rows: pd.DataFrame,
    new_letter_ids: set[str],
    *,
    has_champion: bool,
    champion_until: date | None,
    fraction: float,
    min_letters: int,
    group_col: str = "letter_id",
    date_col: str = "ur_denial_date",
) -> TestWindow:
    """The newest `fraction` (at least `min_letters`) of the letters the champion never saw.

    Undated letters sort first (their place in time is unknown, so they train rather than judge);
    ties on a date are broken by letter id, so the window is reproducible.
    """
    if not 0 < fraction < 1:
        raise ValueError(f"retrain.holdout_fraction must be in (0, 1), got {fraction}")
    if rows.empty:
        raise ValueError("no labelled services to train or compare on")
    letters = _letters(rows, group_col, date_col)
    is_new = letters["letter"].isin(new_letter_ids)
    if not has_champion:
        unseen, rule = pd.Series(True, index=letters.index), "newest letters of the corpus (no champion)"
    elif champion_until is not None:
        unseen = is_new | (letters["date"] > pd.Timestamp(champion_until))
        rule = f"newest letters the champion never saw (new in this run, or dated after {champion_until})"
    else:
        unseen = is_new
        rule = "newest of the letters new in this run (the champion records no training dates)"
    pool = letters.loc[unseen].sort_values(["date", "letter"], na_position="first", kind="mergesort")
    if pool.empty:
        raise ValueError("every letter was in the champion's training data: nothing to compare on")
    n_test = min(len(pool), max(min_letters, round(fraction * len(pool))))
    window = pool.iloc[len(pool) - n_test :]
    test_letters = frozenset(window["letter"])
    is_test = rows[group_col].astype(str).isin(test_letters).to_numpy()
    dated = window["date"].dropna()
    return TestWindow(
        train=np.flatnonzero(~is_test),
        test=np.flatnonzero(is_test),
        test_letters=test_letters,
        cutoff=str(dated.min().date()) if len(dated) else None,
        champion_trained_until=str(champion_until) if champion_until else None,
        n_unseen_letters=len(pool),
        n_new_letters=int(window["letter"].isin(new_letter_ids).sum()),
        rule=rule,
    )
