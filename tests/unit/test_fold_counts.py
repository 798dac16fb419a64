"""Folds by letter on a small folder: no sklearn warning reaches the user (the audit saw `The least populated
class in y has only 3 members, which is less than n_splits=5` on stderr of `imr train --letters` with 12
letters); fewer folds are made instead, each still stratified and grouped."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from model.text_signal import text_folds
from training.splits import grouped_folds


@pytest.mark.parametrize("folds", [grouped_folds, text_folds])
@pytest.mark.parametrize("n_overturned", [0, 1, 3])
def test_few_overturned_services_give_fewer_folds_and_no_warning(folds, n_overturned: int) -> None:  # noqa: ANN001
    groups = np.repeat([f"L{i}" for i in range(12)], 3)
    y = np.zeros(len(groups), dtype=int)
    y[[0, 4, 8][:n_overturned]] = 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        got = folds(y, groups, 5, 0)
    assert 2 <= len(got) <= 5
    if n_overturned == 3:
        assert len(got) == 3 and all(y[te].sum() == 1 for _, te in got)  # one overturned in each fold
    for tr, te in got:  # a letter never straddles train and test
        assert not set(groups[tr]) & set(groups[te])
    assert sorted(np.concatenate([te for _, te in got]).tolist()) == list(range(len(y)))


def test_enough_of_each_outcome_keeps_the_folds_asked_for() -> None:
    groups = np.repeat([f"L{i}" for i in range(20)], 2)
    y = np.tile([0, 1], 20)
    assert len(grouped_folds(y, groups, 5, 0)) == 5
