"""Typed feature-table columns, converted without pandas' generic casts where the column allows it.

On a few hundred rows each generic cast costs ~50-200 us whatever the length, which made typing the
columns ~10% of `build_feature_table` on the real letters. Each helper returns exactly what the
generic cast returns (tests/unit/test_column_types.py checks) and falls back to it otherwise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.arrays import ArrowStringArray, BooleanArray


def as_float(col: pd.Series) -> pd.Series:
    """`pd.to_numeric(col, errors="coerce").astype("float64")`: a float64 column is that already."""
    if col.dtype == np.float64:
        return col
    return pd.to_numeric(col, errors="coerce").astype("float64")


def as_boolean(col: pd.Series) -> pd.Series | BooleanArray:
    """`col.astype("boolean")`: a numpy bool column (no missing values) wraps with an all-clear mask."""
    if col.dtype == np.bool_:
        values = col.to_numpy()
        return BooleanArray(values, np.zeros(len(values), dtype=np.bool_))
    return col.astype("boolean")


def as_string(col: pd.Series) -> pd.Series | ArrowStringArray:
    """`col.astype("string")`: pandas' `str` column on pyarrow re-wraps the same Arrow array (nulls
    become pd.NA); others take the generic cast."""
    arr = col.array
    pa_array = getattr(arr, "_pa_array", None)
    if type(arr) is ArrowStringArray and col.dtype == "str" and pa_array is not None:
        out = ArrowStringArray(pa_array)
        if out.dtype == pd.StringDtype():  # the dtype "string" names here (storage and NA)
            return out
    return col.astype("string")
