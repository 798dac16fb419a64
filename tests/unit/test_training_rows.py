"""The rows a booster is fitted on (`training.boosting.training_rows`), the one check both training engines
run first: unknown outcomes dropped, and a table of one outcome refused. Tables here are SYNTHETIC."""

from __future__ import annotations

import pandas as pd
import pytest
from training_tables import tiny_table

from features.spec import load_spec
from training.boosting import TrainParams, training_rows
from training.train import train_model


def test_unknown_outcomes_are_dropped_and_labels_are_ints() -> None:
    spec = load_spec()
    table = tiny_table(20, spec=spec).head(6).copy()
    table[spec.target] = [1, 0, None, "1", "x", 0]
    rows = training_rows(table, spec)
    assert rows[spec.target].tolist() == [1, 0, 1, 0]
    assert rows.index.tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("labels", [[1, 1, 1], [0, 0, None], [None, None, None]])
def test_a_table_without_both_outcomes_is_refused(labels: list) -> None:
    spec = load_spec()
    table = tiny_table(20, spec=spec).head(3).copy()
    table[spec.target] = pd.Series(labels, dtype=object).to_numpy()
    with pytest.raises(ValueError, match="needs both overturned and upheld services"):
        training_rows(table, spec)
    with pytest.raises(ValueError, match="needs both overturned and upheld services"):
        train_model(table, spec, TrainParams())
