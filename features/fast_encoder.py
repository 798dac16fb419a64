"""Encodes raw feature rows (plain dicts, or a frame's columns) straight into a float64 matrix.

The fitted `FeatureEncoder` converts value by value through pandas, which costs milliseconds for one
service and most of a second for 10,000; this plan reads the same fitted levels and reuses the
encoder's own value conversions (whole columns at once where the dtype allows), so its output is
identical (tested). `FastEncoder.for_model` returns None for encoders it does not cover (linear or
text blocks); callers then use the model's own `encode`, and the scoring API's model validation
checks that both paths agree on the smoke input before a model is ever served.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from features.encoder import _to_bool_float, _to_float, _to_level  # the encoder's own conversions
from features.row_columns import FrameColumns, RecordColumns, RowColumns
from features.spec import Dtype

_NAN = math.nan
COLUMNWISE_FROM_ROWS = 32  # below this many rows, row by row is faster than column by column


def _num(v: Any) -> float:
    t = type(v)
    if t is float:
        return v
    if v is None:
        return _NAN
    if t is int:
        return float(v)
    return _to_float(v)


def _bool(v: Any) -> float:
    if v is True:
        return 1.0
    if v is False:
        return 0.0
    if v is None:
        return _NAN
    return _to_bool_float(v)


_NUMERIC, _BOOLEAN, _CATEGORICAL = 0, 1, 2


class FastEncoder:
    """One step per spec feature: (name, kind code, first output column, level index, other column)."""

    def __init__(self, steps: list[tuple[str, int, int, dict[str, int], int]], n_columns: int) -> None:
        self._steps = steps
        self.n_columns = n_columns

    @classmethod
    def for_model(cls, model: Any) -> FastEncoder | None:
        enc = model.encoder
        blocks = getattr(enc, "blocks_", None)
        if blocks is None or getattr(enc, "linear", False):
            return None
        steps: list[tuple[str, int, int, dict[str, int], int]] = []
        col = 0
        for b in blocks:
            kind = b.feature.dtype
            if kind in (Dtype.NUMERIC, Dtype.BOOLEAN):
                steps.append((b.feature.name, _NUMERIC if kind == Dtype.NUMERIC else _BOOLEAN, col, {}, -1))
                col += 1
            elif kind == Dtype.CATEGORICAL:
                levels = list(b.levels)
                index = {lvl: col + i for i, lvl in enumerate(levels)}
                steps.append((b.feature.name, _CATEGORICAL, col, index, col + len(levels)))
                col += len(levels) + 1
            else:
                return None  # text blocks: the encoder's own path
        if col != len(model.encoded_columns):
            return None
        return cls(steps, col)

    def encode(self, rows: Sequence[Mapping[str, Any]], columns: RecordColumns | None = None) -> np.ndarray:
        """Matrix of shape (len(rows), n_columns); a missing key counts as a missing value. `columns`:
        the same rows already read column by column (the caller reuses it for the reasons)."""
        if len(rows) < COLUMNWISE_FROM_ROWS:
            return self._by_row(rows)
        x = self.encode_columns(columns if columns is not None else RecordColumns(rows))
        assert x is not None  # dict rows have every column (a missing key reads as missing)
        return x

    def encode_frame(self, frame: pd.DataFrame) -> np.ndarray | None:
        """Matrix for a raw feature frame; None when it lacks a spec column (the model's own encoder
        then raises its clear error)."""
        return self.encode_columns(FrameColumns(frame))

    def encode_columns(self, columns: RowColumns) -> np.ndarray | None:
        """Matrix for a batch read column by column; None when a column is absent."""
        if any(not columns.has(name) for name, *_ in self._steps):
            return None
        n = columns.n
        out = np.zeros((n, self.n_columns), dtype=np.float64, order="F")
        positions = np.arange(n)
        for name, kind, col, index, other in self._steps:
            v = columns.array(name) if kind != _CATEGORICAL else None
            if v is not None and v.dtype == np.float64:  # the encoder's conversions, vectorised
                out[:, col] = v if kind == _NUMERIC else np.where(np.isnan(v), _NAN, v != 0.0)
            elif v is not None:  # bool or integer dtype: no missing values
                out[:, col] = v if kind == _NUMERIC else v != 0
            else:
                values = columns.values(name)
                if kind == _NUMERIC:
                    out[:, col] = [v if type(v) is float else _num(v) for v in values]
                elif kind == _BOOLEAN:
                    out[:, col] = [1.0 if v is True else 0.0 if v is False else _bool(v) for v in values]
                else:
                    out[positions, [index.get(v if type(v) is str and v in index else _to_level(v), other)
                                    for v in values]] = 1.0
        return np.ascontiguousarray(out)

    def _by_row(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        n = self.n_columns
        steps = self._steps
        data: list[list[float]] = []
        for r in rows:
            x = [0.0] * n
            get = r.get
            for name, kind, col, index, other in steps:
                v = get(name)
                if kind == _NUMERIC:
                    t = type(v)
                    x[col] = v if t is float else _NAN if v is None else _num(v)
                elif kind == _BOOLEAN:
                    x[col] = 1.0 if v is True else 0.0 if v is False else _bool(v)
                else:
                    x[index.get(v if type(v) is str and v in index else _to_level(v), other)] = 1.0
            data.append(x)
        if not data:
            return np.zeros((0, n), dtype=np.float64)
        return np.array(data, dtype=np.float64)
