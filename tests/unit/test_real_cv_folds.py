"""What a candidate is handed in each fold of `repeated_cv` and `fixed_split` (one fold builder serves both),
and the paired differences when the reference is or is not among the candidates. Tables are SYNTHETIC."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from training_tables import tiny_table

from features.spec import load_spec
from training.boosting import TrainParams
from training.candidates import BaseRateCandidate, FoldData
from training.real_cv import RealCVParams, fixed_split, repeated_cv

CV = RealCVParams(folds=3, repeats=2, n_bootstrap=20, reference="base_rate")


class Recorder:
    """A candidate that predicts the fold's base rate and keeps every fold it was given."""

    name, label = "recorder", "Recorder"

    def __init__(self) -> None:
        self.folds: list[FoldData] = []

    def fit_predict(self, fold: FoldData) -> np.ndarray:
        self.folds.append(fold)
        return np.full(len(fold.test), fold.y.mean())


def _doubled(train: pd.DataFrame, y: np.ndarray, groups: np.ndarray, test: pd.DataFrame, seed: int):
    return (train[["pain_score"]].fillna(0) * 2).rename(columns={"pain_score": "x"}), (
        test[["pain_score"]].fillna(0) * 2
    ).rename(columns={"pain_score": "x"})


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    t = tiny_table(45, seed=5).assign(synthetic=False, letter_format="dwc-2016")
    return t.sample(frac=1, random_state=1).set_index(np.arange(len(t)) * 7)  # an index to be reset


def _check_fold(fold: FoldData, table: pd.DataFrame, target: str) -> None:
    assert target in fold.train and target not in fold.test
    assert fold.y.tolist() == fold.train[target].tolist()
    assert fold.groups.tolist() == fold.train["letter_id"].astype(str).tolist()
    assert not set(fold.groups) & set(fold.test["letter_id"].astype(str))
    assert fold.train.index.tolist() == list(range(len(fold.train)))
    assert fold.extra_train["x"].tolist() == (fold.train["pain_score"].fillna(0) * 2).tolist()
    assert fold.extra_test["x"].tolist() == (fold.test["pain_score"].fillna(0) * 2).tolist()
    assert len(fold.train) + len(fold.test) <= len(table)


def test_repeated_cv_folds_hide_test_labels_and_carry_added_columns(table: pd.DataFrame) -> None:
    spec = load_spec()
    rec = Recorder()
    res = repeated_cv(table, spec, TrainParams(), CV, candidates=[rec, BaseRateCandidate()],
                      adders=[("doubled", _doubled)])  # fmt: skip
    assert len(rec.folds) == CV.repeats * CV.folds
    assert [f.seed for f in rec.folds] == [CV.seed + r for r in range(CV.repeats) for _ in range(CV.folds)]
    for fold in rec.folds:
        _check_fold(fold, table, spec.target)
    assert list(res.differences) == ["recorder"]


def test_fixed_split_fold_and_differences(table: pd.DataFrame) -> None:
    spec = load_spec()
    letters = table["letter_id"].astype(str).to_numpy()
    train = np.flatnonzero(np.isin(letters, sorted(set(letters))[:30]))
    test = np.setdiff1d(np.arange(len(table)), train)
    rec = Recorder()
    res = fixed_split(table, spec, CV, train, test, candidates=[rec, BaseRateCandidate()],
                      adders=[("doubled", _doubled)])  # fmt: skip
    (fold,) = rec.folds
    _check_fold(fold, table, spec.target)
    assert (len(fold.train), len(fold.test), fold.seed) == (len(train), len(test), CV.seed)
    assert list(res.differences) == ["recorder"]
    alone = fixed_split(table, spec, CV, train, test, candidates=[Recorder()])
    assert alone.differences == {}  # no reference among the candidates: nothing to pair against


def test_repeated_cv_without_the_reference_pairs_nothing(table: pd.DataFrame) -> None:
    res = repeated_cv(table, load_spec(), TrainParams(), CV, candidates=[Recorder()])
    assert res.differences == {}
