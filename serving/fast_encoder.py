"""Encodes raw feature rows (plain dicts) straight into a float64 matrix, without pandas.

The fitted `FeatureEncoder` builds a DataFrame per call, which costs milliseconds for one service;
this plan reads the same fitted levels and reuses the encoder's own value conversions, so its output
is identical. `FastEncoder.for_model` returns None for encoders it does not cover (linear or text
blocks); the scorer then falls back to the model's own `encode`, and model validation checks that
both paths agree on the smoke input before a model is ever served.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from features.encoder import _to_bool_float, _to_float, _to_level  # the encoder's own conversions
from features.spec import Dtype

_NAN = math.nan


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

    def encode(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Matrix of shape (len(rows), n_columns); a missing key counts as a missing value."""
        return self._by_row(rows) if len(rows) < 32 else self._by_column(rows)

    def _by_column(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        out = np.zeros((len(rows), self.n_columns), dtype=np.float64, order="F")
        positions = np.arange(len(rows))
        for name, kind, col, index, other in self._steps:
            values = [r.get(name) for r in rows]
            if kind == _NUMERIC:
                out[:, col] = [v if type(v) is float else _num(v) for v in values]
            elif kind == _BOOLEAN:
                out[:, col] = [1.0 if v is True else 0.0 if v is False else _bool(v) for v in values]
            else:
                cols = [
                    index.get(v if type(v) is str and v in index else _to_level(v), other) for v in values
                ]
                out[positions, cols] = 1.0
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
