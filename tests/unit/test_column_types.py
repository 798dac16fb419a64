"""The feature-table column helpers return exactly what pandas' generic casts return."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from features.column_types import as_boolean, as_float, as_string


def _same(fast: object, col: pd.Series, generic: pd.Series) -> None:
    got = pd.Series(fast, index=col.index, name=col.name)
    pd.testing.assert_series_equal(got, generic, check_exact=True)
    assert repr(got.dtype) == repr(generic.dtype)


FLOAT_COLUMNS = [
    [1.0, None, 2.5],
    [1, 2, 3],
    [None, None],
    ["1.5", "x", None],
    [True, 2.0, None],
    [],
]


@pytest.mark.parametrize("values", FLOAT_COLUMNS)
def test_as_float_equals_to_numeric(values: list[object]) -> None:
    col = pd.DataFrame.from_records([{"v": v} for v in values], columns=["v"])["v"]
    _same(as_float(col), col, pd.to_numeric(col, errors="coerce").astype("float64"))


BOOLEAN_COLUMNS = [
    [True, False, True],
    [True, None, False],
    [None, None],
    [False],
    [],
]


@pytest.mark.parametrize("values", BOOLEAN_COLUMNS)
def test_as_boolean_equals_astype(values: list[object]) -> None:
    col = pd.DataFrame.from_records([{"v": v} for v in values], columns=["v"])["v"]
    _same(as_boolean(col), col, col.astype("boolean"))


def test_as_boolean_fast_path_keeps_false_values() -> None:
    """A wrong mask (NA for every False, say) would fail here rather than pass by accident."""
    col = pd.Series(np.array([False, True, False]), name="v")
    assert list(pd.Series(as_boolean(col))) == [False, True, False]


STRING_COLUMNS = [
    ["a", "bb", "a"],
    ["a", None, "c"],
    [None, None],
    ["é", "", "x y"],
    [1.5, "a", None],
    [],
]


@pytest.mark.parametrize("values", STRING_COLUMNS)
def test_as_string_equals_astype(values: list[object]) -> None:
    col = pd.DataFrame.from_records([{"v": v} for v in values], columns=["v"])["v"]
    _same(as_string(col), col, col.astype("string"))
    assert pd.Series(as_string(col)).isna().tolist() == [v is None for v in values]


def test_as_string_of_a_string_column_is_unchanged() -> None:
    col = pd.Series(["a", None], dtype="string", name="v")
    _same(as_string(col), col, col.astype("string"))
