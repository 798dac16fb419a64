"""Column-wise access to a batch of raw feature rows, whether a DataFrame (`imr explain`, batch jobs)
or a list of plain dicts (the scoring API), converting each column once.

The encoder and the reason builder read whole columns; going through one of these classes lets both
callers share them without building a DataFrame for JSON rows or iterating a frame row by row.
Values come back as plain Python objects (float, bool, str, None; NaN where a frame has no value).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import repeat
from typing import Any, Protocol

import numpy as np
import pandas as pd

# Below this many rows one whole-frame object conversion beats pandas' fixed cost per column.
SMALL_FRAME_ROWS = 64
# Value types numpy converts to float64 exactly as the encoder reads them one by one (None -> NaN).
PLAIN_NUMBER_TYPES = frozenset({float, int, bool, type(None)})


class RowColumns(Protocol):
    """What the encoder and the reason builder read from a batch."""

    n: int

    def has(self, name: str) -> bool: ...

    def values(self, name: str) -> list[Any]: ...

    def array(self, name: str) -> np.ndarray | None: ...

    def services(self) -> list[str | None]: ...

    def ids(self) -> tuple[list[str | None], list[int | None]]: ...


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _clean(values: list[Any], cast: Any) -> list[Any]:
    return [None if _missing(v) else cast(v) for v in values]


class FrameColumns:
    """A DataFrame's columns; a column the frame lacks reads as all-missing (`has` tells which)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.n = len(frame)
        self._cache: dict[str, list[Any]] = {}
        self._index = {c: j for j, c in enumerate(frame.columns)}
        self._objects = frame.to_numpy(dtype=object) if self.n < SMALL_FRAME_ROWS else None

    def has(self, name: str) -> bool:
        return name in self._index

    def values(self, name: str) -> list[Any]:
        out = self._cache.get(name)
        if out is None:
            if name not in self._index:
                out = [None] * self.n
            elif self._objects is not None:
                out = self._objects[:, self._index[name]].tolist()
            else:
                out = self.frame[name].to_numpy(dtype=object).tolist()
            self._cache[name] = out
        return out

    def array(self, name: str) -> np.ndarray | None:
        """The column as a numpy array when it is stored as plain numbers or booleans (large frames)."""
        if self._objects is not None or name not in self._index:
            return None
        series = self.frame[name]
        if isinstance(series.dtype, np.dtype) and series.dtype.kind in "biuf":
            return series.to_numpy()
        return None

    def services(self) -> list[str | None]:
        """The service heading: the `service` column, else `heading`."""
        return _clean(self.values("service" if self.has("service") else "heading"), str)

    def ids(self) -> tuple[list[str | None], list[int | None]]:
        return _clean(self.values("letter_id"), str), _clean(self.values("item_index"), int)


class RecordColumns:
    """A list of dict rows (JSON); a missing key reads as a missing value."""

    def __init__(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self.rows = rows
        self.n = len(rows)
        self._cache: dict[str, list[Any]] = {}
        self._plain = all(type(r) is dict for r in rows)  # JSON rows: read with one C call per column

    def has(self, name: str) -> bool:
        return True

    def values(self, name: str) -> list[Any]:
        out = self._cache.get(name)
        if out is None:
            if self._plain:
                out = list(map(dict.get, self.rows, repeat(name)))  # type: ignore[arg-type]
            else:
                out = [r.get(name) for r in self.rows]
            self._cache[name] = out
        return out

    def array(self, name: str) -> np.ndarray | None:
        """The column as float64 when it holds only plain numbers, booleans and None (what validated
        JSON holds), converted in one numpy call; None when any value needs the encoder's reading
        (strings such as "7.5" or "yes", numpy scalars)."""
        values = self.values(name)
        if not set(map(type, values)) <= PLAIN_NUMBER_TYPES:
            return None
        try:
            return np.array(values, dtype=np.float64)
        except OverflowError:  # an integer beyond float range: the per-value reading decides
            return None

    def services(self) -> list[str | None]:
        """The service heading: `service`, else (when empty) `heading`."""
        out = []
        for r in self.rows:
            h = r.get("service") or r.get("heading")
            out.append(None if h is None else str(h))
        return out

    def ids(self) -> tuple[list[str | None], list[int | None]]:
        return _clean(self.values("letter_id"), str), _clean(self.values("item_index"), int)
