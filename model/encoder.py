"""Turns raw feature rows (plain JSON types) into a float64 matrix, the same way in training and serving.

One `FeatureEncoder` is fitted in training, saved with the model and reused unchanged in serving; it is
the only encoder. Fitting learns the categorical levels; encoding is one pass of flat steps (one per
spec feature) over dict rows (the API) or a frame's columns (batch), whole columns at once where the
dtype allows. `feature_of_column` maps every output column back to its spec feature so SHAP
contributions can be summed per feature. Text is not encoded here: features of dtype `text` are left
out (`encoded_spec`); a model's text signal turns them into a score (`model.derived_columns`).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from features.spec import Dtype, FeatureSpec, load_spec
from model.row_columns import FrameColumns, RecordColumns, RowColumns

OTHER_LEVEL = "_other_"  # rare levels in training and levels never seen in training
# Column suffix of that bucket: level slugs never end in "_", so no level (not even "other") can clash.
INFREQUENT_SUFFIX = "infrequent__"
MISSING_LEVEL = "_missing_"
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}
_NAN = math.nan
COLUMNWISE_FROM_ROWS = 32  # below this many dict rows, row by row is faster than column by column
_NUMERIC, _BOOLEAN, _CATEGORICAL, _ORDINAL = 0, 1, 2, 3
Rows = pd.DataFrame | Sequence[Mapping[str, Any]]


def _level_slug(level: str) -> str:
    """Column-name-safe level (LightGBM and MLflow dislike JSON punctuation in feature names)."""
    slug = re.sub(r"[^0-9a-zA-Z_]+", "_", level.strip().lower()).strip("_")
    return slug or "blank"


def _to_float(value: Any) -> float:
    t = type(value)
    if t is float:
        return value
    if value is None or value is pd.NA:
        return _NAN
    if t is int:
        return float(value)
    if isinstance(value, bool | np.bool_):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return _NAN


def _to_bool_float(value: Any) -> float:
    if value is True:
        return 1.0
    if value is False:
        return 0.0
    if value is None or value is pd.NA:
        return _NAN
    if isinstance(value, str):
        v = value.strip().lower()
        return 1.0 if v in _TRUE else 0.0 if v in _FALSE else _NAN
    f = _to_float(value)
    return f if math.isnan(f) else float(f != 0.0)


def _to_level(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return MISSING_LEVEL
    return str(value).strip().lower() or MISSING_LEVEL


def category_level(value: Any) -> str:
    """The level a categorical value is encoded as ('Standard ' and 'standard' are one level; missing
    is `MISSING_LEVEL`): drift and any other comparison of levels must see what the model sees."""
    return _to_level(value)


def truth_value(value: Any) -> float:
    """1.0 / 0.0 / NaN, as a boolean feature is encoded ('yes', 1, True are all true)."""
    return _to_bool_float(value)


class _Steps:
    """One step per spec feature (name, kind, first column, level -> column, infrequent column)."""

    def __init__(self, steps: list[tuple[str, int, int, dict[str, int], int]], n_columns: int) -> None:
        self.steps = steps
        self.n_columns = n_columns

    def by_column(self, columns: RowColumns) -> np.ndarray:
        n = columns.n
        out = np.zeros((n, self.n_columns), dtype=np.float64, order="F")
        positions = np.arange(n)
        for name, kind, col, index, other in self.steps:
            v = columns.array(name) if kind in (_NUMERIC, _BOOLEAN) else None
            if kind == _ORDINAL:
                out[:, col] = [index.get(_to_level(v), _NAN) for v in columns.values(name)]
            elif v is not None and v.dtype == np.float64:  # a float column: the conversions, vectorised
                out[:, col] = v if kind == _NUMERIC else np.where(np.isnan(v), _NAN, v != 0.0)
            elif v is not None:  # bool or integer dtype: no missing values
                out[:, col] = v if kind == _NUMERIC else v != 0
            else:
                values = columns.values(name)
                if kind == _NUMERIC:
                    out[:, col] = [_to_float(v) for v in values]
                elif kind == _BOOLEAN:
                    out[:, col] = [_to_bool_float(v) for v in values]
                else:
                    out[positions, _level_columns(values, index, other)] = 1.0
        return np.ascontiguousarray(out)

    def by_row(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        out = np.zeros((len(rows), self.n_columns), dtype=np.float64)
        for i, r in enumerate(rows):
            x = out[i]
            get = r.get
            for name, kind, col, index, other in self.steps:
                v = get(name)
                if kind == _NUMERIC:
                    x[col] = _to_float(v)
                elif kind == _BOOLEAN:
                    x[col] = _to_bool_float(v)
                elif kind == _ORDINAL:
                    x[col] = index.get(_to_level(v), _NAN)
                else:
                    x[index.get(v if type(v) is str and v in index else _to_level(v), other)] = 1.0
        return out


def _level_columns(values: list[Any], index: dict[str, int], other: int) -> list[int]:
    """The one-hot column of each categorical value: exact level names looked up in one C call, the
    rest (missing, padded or upper-case, unseen, not strings) read one by one."""
    try:
        hits = list(map(index.get, values))
    except TypeError:  # an unhashable value
        hits = [None] * len(values)
    if None not in hits:
        return hits  # type: ignore[return-value]
    return [
        h if h is not None else index.get(v if type(v) is str and v in index else _to_level(v), other)
        for h, v in zip(hits, values, strict=True)
    ]


def encoded_spec(spec: FeatureSpec) -> FeatureSpec:
    """The features an encoder encodes: all but the raw text ones."""
    kept = [f for f in spec.features if f.dtype != Dtype.TEXT]
    return spec if len(kept) == len(spec.features) else spec.model_copy(update={"features": kept})


class FeatureEncoder(TransformerMixin, BaseEstimator):
    """Raw feature rows -> float64 matrix; NaN kept for trees, or imputed+scaled for linear models.

    Numeric and boolean features are one column each (strings such as "7.5" or "yes" are read as the
    number / truth value they state; anything else is missing); a categorical feature is one-hot over
    the levels seen at least `min_frequency` times (at most `max_levels`), plus an `__infrequent__`
    column for rare and unseen levels. `linear=True` (the logistic-regression baseline) replaces NaN
    in numeric/boolean columns by the training median, adds a `<name>__missing` indicator for every
    such column that had missing values in training, and standardises numeric columns.

    `ordinal` names categorical features whose levels have an order (feature -> levels, lowest first, or
    level -> rank where levels share a rank): each is one numeric column holding the level's rank, any
    other level missing (NaN), so a tree model can be held monotone in it (a criterion's status: unmet <
    not documented < met, with not applicable left missing: it is no point on that scale).
    """

    def __init__(
        self,
        spec: FeatureSpec | None = None,
        *,
        min_frequency: int = 5,
        max_levels: int = 50,
        linear: bool = False,
        ordinal: Mapping[str, Sequence[str] | Mapping[str, float]] | None = None,
    ) -> None:
        self.spec = spec
        self.min_frequency = min_frequency
        self.max_levels = max_levels
        self.linear = linear
        self.ordinal = ordinal

    # ---- fitting ----------------------------------------------------------------------------
    def fit(self, X: pd.DataFrame, y: Any = None) -> FeatureEncoder:
        spec = encoded_spec(self.spec if self.spec is not None else load_spec())
        missing = [n for n in spec.names if n not in X.columns]
        if missing:
            raise KeyError(f"feature table lacks spec columns: {missing}")
        self.spec_ = spec
        self.ordinal_ = self._ordinal_levels(spec)
        self.ordinal_counts_ = self._rank_counts(X)
        self.levels_: dict[str, list[str]] = {}
        columns: list[str] = []
        owners: list[str] = []
        kinds: list[Dtype] = []
        for f in spec.features:
            if f.name in self.ordinal_:
                names = [f.name]
                columns += names
                owners += names
                kinds.append(Dtype.NUMERIC)  # a rank: imputed and scaled like a number in linear mode
                continue
            if f.dtype == Dtype.CATEGORICAL:
                counts = pd.Series([_to_level(v) for v in X[f.name]]).value_counts()
                keep = counts[counts >= self.min_frequency].index
                levels = sorted(str(x) for x in keep if x != OTHER_LEVEL)[: self.max_levels]
                self.levels_[f.name] = levels
                names = [f"{f.name}__{_level_slug(lvl)}" for lvl in levels]
                names.append(f"{f.name}__{INFREQUENT_SUFFIX}")
            else:
                names = [f.name]
            columns += names
            owners += [f.name] * len(names)
            kinds += [f.dtype] * len(names)
        self.feature_names_in_ = np.asarray(spec.names, dtype=object)
        self.n_features_in_ = len(spec.names)
        self.columns_ = columns
        if self.linear:
            self._fit_linear(self._steps().by_column(FrameColumns(X)), kinds, owners)
        else:
            self.output_columns_ = list(columns)
            self.output_feature_of_column_ = list(owners)
        self.feature_of_column = list(self.output_feature_of_column_)
        return self

    def _ordinal_levels(self, spec: FeatureSpec) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for name, levels in (self.ordinal or {}).items():
            pairs = levels.items() if isinstance(levels, Mapping) else ((v, r) for r, v in enumerate(levels))
            ranks = [(_to_level(v), float(r)) for v, r in pairs]
            if not ranks or len({v for v, _ in ranks}) != len(ranks):
                raise ValueError(f"ordinal levels of {name} must be distinct and not empty")
            out[name] = dict(ranks)
        kinds = {f.name: f.dtype for f in spec.features}
        bad = [n for n in out if kinds.get(n) != Dtype.CATEGORICAL]
        if bad:
            raise ValueError(f"ordinal encoding is for categorical spec features only: {bad}")
        return out

    def _rank_counts(self, X: pd.DataFrame) -> dict[str, dict[str, int]]:
        """Training rows per rank of each ordinal feature (unranked levels left out): what an explanation
        measures a criterion's status against (`model.criteria_explanations`)."""
        out: dict[str, dict[str, int]] = {}
        for name, ranks in self.ordinal_.items():
            seen = pd.Series([ranks.get(_to_level(v)) for v in X[name]], dtype=object).dropna()
            out[name] = {repr(float(r)): int(n) for r, n in seen.value_counts().sort_index().items()}
        return out

    def _fit_linear(self, raw: np.ndarray, kinds: list[Dtype], owners: list[str]) -> None:
        self.scaled_ = np.array([k == Dtype.NUMERIC for k in kinds])
        imputable = np.array([k in (Dtype.NUMERIC, Dtype.BOOLEAN) for k in kinds])
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns get median 0 below
            med = np.nanmedian(np.where(imputable, raw, 0.0), axis=0) if len(raw) else np.zeros(raw.shape[1])
        self.medians_ = np.where(np.isnan(med), 0.0, med)
        filled = np.where(np.isnan(raw), self.medians_, raw)
        self.means_ = filled.mean(axis=0) if len(raw) else np.zeros(raw.shape[1])
        std = filled.std(axis=0) if len(raw) else np.ones(raw.shape[1])
        self.stds_ = np.where(std > 0, std, 1.0)
        self.indicator_idx_ = [i for i in range(raw.shape[1]) if imputable[i] and np.isnan(raw[:, i]).any()]
        self.output_columns_ = self.columns_ + [f"{self.columns_[i]}__missing" for i in self.indicator_idx_]
        self.output_feature_of_column_ = owners + [owners[i] for i in self.indicator_idx_]

    # ---- encoding ---------------------------------------------------------------------------
    def _steps(self) -> _Steps:
        """The flat encoding steps, derived from the fitted levels once (not pickled)."""
        steps = self.__dict__.get("_steps_")
        if steps is None:
            plan: list[tuple[str, int, int, dict[str, int], int]] = []
            col = 0
            ordinal = getattr(self, "ordinal_", {})
            for f in self.spec_.features:
                if f.name in ordinal:
                    plan.append((f.name, _ORDINAL, col, ordinal[f.name], -1))  # type: ignore[arg-type]
                    col += 1
                elif f.dtype == Dtype.CATEGORICAL:
                    levels = self.levels_[f.name]
                    index = {lvl: col + i for i, lvl in enumerate(levels)}
                    plan.append((f.name, _CATEGORICAL, col, index, col + len(levels)))
                    col += len(levels) + 1
                else:
                    plan.append((f.name, _NUMERIC if f.dtype == Dtype.NUMERIC else _BOOLEAN, col, {}, -1))
                    col += 1
            steps = self.__dict__["_steps_"] = _Steps(plan, col)
        return steps

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_steps_", None)
        return state

    def matrix(self, rows: Rows) -> np.ndarray:
        """Encoded float64 matrix (rows x `output_columns_`) of a raw feature frame or of dict rows (a
        missing key is a missing value); a frame lacking a spec column raises naming it."""
        if not hasattr(self, "levels_"):
            raise RuntimeError("FeatureEncoder is not fitted; call fit() first")
        steps = self._steps()
        if isinstance(rows, pd.DataFrame):
            missing = [n for n in self.spec_.names if n not in rows.columns]
            if missing:
                raise KeyError(f"input lacks feature columns: {missing}")
            raw = steps.by_column(FrameColumns(rows))
        elif len(rows) < COLUMNWISE_FROM_ROWS:
            raw = steps.by_row(rows)
        else:
            raw = steps.by_column(RecordColumns(rows))
        if not self.linear:
            return raw
        missing_ind = np.isnan(raw[:, self.indicator_idx_]).astype(np.float64)
        filled = np.where(np.isnan(raw), self.medians_, raw)
        scaled = self.scaled_
        filled[:, scaled] = (filled[:, scaled] - self.means_[scaled]) / self.stds_[scaled]
        return np.hstack([filled, missing_ind])

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """sklearn's interface: the encoded matrix as a frame with the output column names."""
        if not isinstance(X, pd.DataFrame):
            X = pd.DataFrame(X)
        return pd.DataFrame(self.matrix(X), columns=self.output_columns_, index=X.index, dtype=np.float64)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(self.output_columns_, dtype=object)

    # ---- persistence ------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The fitted state as plain JSON values (the spec is saved beside it): a model artifact stores
        this instead of a pickle, so the same fit always writes the same bytes."""
        state: dict[str, Any] = {
            "min_frequency": self.min_frequency,
            "max_levels": self.max_levels,
            "linear": self.linear,
            "levels": self.levels_,
            "columns": self.columns_,
            "output_columns": self.output_columns_,
            "output_feature_of_column": self.output_feature_of_column_,
        }
        if getattr(self, "ordinal_", None):  # only when used: older artifacts keep their bytes
            state["ordinal"] = self.ordinal_
            state["ordinal_counts"] = getattr(self, "ordinal_counts_", {})
        if self.linear:
            state.update(
                scaled=self.scaled_.tolist(), medians=self.medians_.tolist(), means=self.means_.tolist(),
                stds=self.stds_.tolist(), indicator_idx=list(self.indicator_idx_),
            )  # fmt: skip
        return state

    @classmethod
    def from_dict(cls, spec: FeatureSpec, state: dict[str, Any]) -> FeatureEncoder:
        """A fitted encoder from `to_dict` output and the spec it was fitted with."""
        spec = encoded_spec(spec)
        ordinal = {k: dict(v) for k, v in state.get("ordinal", {}).items()}  # absent before ordinal levels
        enc = cls(spec, min_frequency=state["min_frequency"], max_levels=state["max_levels"],
                  linear=state["linear"], ordinal=ordinal or None)  # fmt: skip
        enc.spec_ = spec
        enc.ordinal_ = ordinal
        counts = state.get("ordinal_counts", {})  # absent from artifacts made before the counts were kept
        enc.ordinal_counts_ = {k: dict(v) for k, v in counts.items()}
        enc.levels_ = {k: list(v) for k, v in state["levels"].items()}
        enc.columns_ = list(state["columns"])
        enc.output_columns_ = list(state["output_columns"])
        enc.output_feature_of_column_ = list(state["output_feature_of_column"])
        enc.feature_of_column = list(enc.output_feature_of_column_)
        enc.feature_names_in_ = np.asarray(spec.names, dtype=object)
        enc.n_features_in_ = len(spec.names)
        if enc.linear:
            enc.scaled_ = np.asarray(state["scaled"], dtype=bool)
            enc.medians_ = np.asarray(state["medians"], dtype=np.float64)
            enc.means_ = np.asarray(state["means"], dtype=np.float64)
            enc.stds_ = np.asarray(state["stds"], dtype=np.float64)
            enc.indicator_idx_ = list(state["indicator_idx"])
        n = enc._steps().n_columns
        if n != len(enc.columns_):
            raise ValueError(f"encoder state gives {n} columns but lists {len(enc.columns_)}")
        return enc
