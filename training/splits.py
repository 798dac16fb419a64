"""Train/test splits that never put one letter's services on both sides.

A letter's services share the patient, the treating physician and the reviewer; splitting rows
would leak that context. Where UR denial dates exist the holdout is the most recent letters, which
is how the model is used (trained on the past, scoring new requests).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.folds import stratified_group_folds


@dataclass(frozen=True)
class Holdout:
    """Row positions of a train/test split and how it was made (recorded in reports)."""

    train: np.ndarray
    test: np.ndarray
    kind: str  # "time" or "grouped-random"
    cutoff: str | None = None  # first UR denial date in the test set, for time splits

    def describe(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "cutoff": self.cutoff,
            "n_train": int(self.train.size),
            "n_test": int(self.test.size),
        }


def _letter_dates(df: pd.DataFrame, group_col: str, date_col: str) -> pd.Series:
    dates = pd.to_datetime(df[date_col], errors="coerce") if date_col in df else None
    if dates is None:
        return pd.Series(pd.NaT, index=pd.unique(df[group_col]))
    return dates.groupby(df[group_col].to_numpy()).min()


def holdout_split(
    df: pd.DataFrame,
    test_fraction: float,
    seed: int,
    group_col: str = "letter_id",
    date_col: str = "ur_denial_date",
    min_dated_share: float = 0.9,
) -> Holdout:
    """Most recent `test_fraction` of letters by UR denial date; grouped random if dates are sparse.

    Letters without a date go to training in a time split (their position in time is unknown).
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    if df.empty:
        raise ValueError("cannot split an empty feature table")
    groups = df[group_col].astype(str).to_numpy()
    letter_dates = _letter_dates(df.assign(**{group_col: groups}), group_col, date_col)
    dated = letter_dates.dropna()
    n_letters = letter_dates.size
    if n_letters >= 2 and dated.size >= min_dated_share * n_letters and dated.nunique() > 1:
        # stable order: date, then letter id, so ties are broken reproducibly
        order = pd.DataFrame({"letter": dated.index, "date": dated.to_numpy()}).sort_values(
            ["date", "letter"], kind="mergesort"
        )
        n_test = max(1, int(round(test_fraction * n_letters)))
        test_letters = set(order["letter"].iloc[-n_test:])
        is_test = np.isin(groups, list(test_letters))
        cutoff = str(order["date"].iloc[-n_test].date())
        return Holdout(np.flatnonzero(~is_test), np.flatnonzero(is_test), "time", cutoff)
    rng = np.random.default_rng(seed)
    letters = np.array(sorted(set(groups)))
    rng.shuffle(letters)
    n_test = max(1, int(round(test_fraction * letters.size)))
    is_test = np.isin(groups, letters[:n_test])
    return Holdout(np.flatnonzero(~is_test), np.flatnonzero(is_test), "grouped-random")


def grouped_folds(
    y: np.ndarray, groups: np.ndarray, n_splits: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds by letter: the positive rate stays close across folds, letters never straddle."""
    groups = np.asarray(groups).astype(str)
    n_letters = len(set(groups))
    k = min(n_splits, n_letters)
    if k < 2:
        raise ValueError(f"need at least 2 letters for cross-validation, got {n_letters}")
    return stratified_group_folds(y, groups, k, seed)
