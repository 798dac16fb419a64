"""The family prior as a training input: fitted on real rows, cross-fitted for the rows it scores in
training, so no row's prior value was computed from its own label (or its letter's labels)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from model.family_prior import FamilyPrior
from training.boosting import FamilyPriorParams

Folds = Sequence[tuple[np.ndarray, np.ndarray]]


def fit_family_prior(
    families: np.ndarray, y: np.ndarray, params: FamilyPriorParams, rows: np.ndarray | None = None
) -> FamilyPrior:
    """The empirical-Bayes prior on `rows` (all rows when None)."""
    use = np.arange(len(y)) if rows is None else rows
    return FamilyPrior.fit(
        families[use], y[use], strength_scale=params.strength_scale, recentre=params.recentre
    )


def cross_fitted_prior(
    families: Sequence[Any],
    y: np.ndarray,
    folds: Folds,
    params: FamilyPriorParams,
    fit_rows: np.ndarray | None = None,
) -> np.ndarray:
    """Each row's prior log-odds from a prior fitted on the other folds (only `fit_rows` among them:
    the real rows when synthetic ones are mixed in)."""
    fam = np.asarray(families, dtype=object)
    y = np.asarray(y)
    allowed = np.ones(len(y), bool) if fit_rows is None else fit_rows
    out = np.zeros(len(y))
    for tr, te in folds:
        out[te] = fit_family_prior(fam, y, params, tr[allowed[tr]]).log_odds(fam[te])
    return out
