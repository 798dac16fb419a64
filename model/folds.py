"""Stratified folds by letter with no more folds than the rarer outcome can fill.

Asking StratifiedGroupKFold for more folds than the rarer outcome has services cannot be honoured: some
folds get none of it, and sklearn says so in a UserWarning that reached `imr train --letters` users on a
small folder. The fold count is capped at that count instead (at least 2), so each fold can hold one.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold


def stratified_group_folds(
    y: np.ndarray, groups: np.ndarray, n_splits: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Up to `n_splits` folds by group (letter), stratified on `y`; fewer when the rarer outcome has fewer
    services than that. With one service of it (or one outcome) no stratification is possible: plain group
    folds, shuffled. Callers check that there are at least 2 groups."""
    y = np.asarray(y)
    groups = np.asarray(groups).astype(str)
    k = min(n_splits, len(set(groups.tolist())))
    _, counts = np.unique(y, return_counts=True)
    rarer = int(counts.min()) if len(counts) > 1 else len(y)
    if rarer < 2:
        splitter = GroupKFold(n_splits=k, shuffle=True, random_state=seed)
        return list(splitter.split(np.zeros(len(y)), y, groups))
    splitter = StratifiedGroupKFold(n_splits=min(k, rarer), shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y, groups))
