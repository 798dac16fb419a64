"""Turns raw feature rows (plain JSON types) into a float64 matrix, the same way in training and serving.

One `FeatureEncoder` is fitted in training, saved with the model and reused unchanged in serving.
Each spec dtype has its own small column block, so a new dtype (e.g. a TF-IDF text block) is one
more class in `_BLOCKS` and no caller changes. `feature_of_column` maps every output column back to
its spec feature so SHAP contributions can be summed per feature.
"""

from __future__ import annotations

import math
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from features.spec import Dtype, FeatureDef, FeatureSpec, load_spec

OTHER_LEVEL = "_other_"  # rare levels in training and levels never seen in training
# Column suffix of that bucket: level slugs never end in "_", so no level (not even "other") can clash.
INFREQUENT_SUFFIX = "infrequent__"
MISSING_LEVEL = "_missing_"
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def _level_slug(level: str) -> str:
    """Column-name-safe level (LightGBM and MLflow dislike JSON punctuation in feature names)."""
    slug = re.sub(r"[^0-9a-zA-Z_]+", "_", level.strip().lower()).strip("_")
    return slug or "blank"


def _to_float(value: Any) -> float:
    if value is None or value is pd.NA:
        return math.nan
    if isinstance(value, bool | np.bool_):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _to_bool_float(value: Any) -> float:
    if value is None or value is pd.NA:
        return math.nan
    if isinstance(value, str):
        v = value.strip().lower()
        return 1.0 if v in _TRUE else 0.0 if v in _FALSE else math.nan
    f = _to_float(value)
    return f if math.isnan(f) else float(f != 0.0)


def _to_level(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return MISSING_LEVEL
    return str(value).strip().lower() or MISSING_LEVEL


class _Block:
    """Encodes one spec feature into one or more output columns."""

    def __init__(self, feature: FeatureDef) -> None:
        self.feature = feature

    def fit(self, values: pd.Series, options: dict[str, Any]) -> None:  # noqa: B027 - optional hook
        pass

    def columns(self) -> list[str]:
        raise NotImplementedError

    def transform(self, values: pd.Series) -> np.ndarray:
        raise NotImplementedError


class _NumericBlock(_Block):
    def columns(self) -> list[str]:
        return [self.feature.name]

    def transform(self, values: pd.Series) -> np.ndarray:
        return np.fromiter((_to_float(v) for v in values), dtype=np.float64, count=len(values))[:, None]


class _BooleanBlock(_NumericBlock):
    def transform(self, values: pd.Series) -> np.ndarray:
        out = np.fromiter((_to_bool_float(v) for v in values), dtype=np.float64, count=len(values))
        return out[:, None]


class _CategoricalBlock(_Block):
    """One-hot over levels seen at least `min_frequency` times; the rest and unseen ones go to the
    `<feature>__infrequent__` column."""

    def fit(self, values: pd.Series, options: dict[str, Any]) -> None:
        counts = pd.Series([_to_level(v) for v in values]).value_counts()
        keep = counts[counts >= options["min_frequency"]].index
        levels = sorted(str(x) for x in keep if x != OTHER_LEVEL)
        self.levels: list[str] = levels[: options["max_levels"]]
        self._index = {lvl: i for i, lvl in enumerate(self.levels)}

    def columns(self) -> list[str]:
        return [f"{self.feature.name}__{_level_slug(lvl)}" for lvl in self.levels] + [
            f"{self.feature.name}__{INFREQUENT_SUFFIX}"
        ]

    def transform(self, values: pd.Series) -> np.ndarray:
        n_other = len(self.levels)
        out = np.zeros((len(values), n_other + 1), dtype=np.float64)
        idx = np.fromiter(
            (self._index.get(_to_level(v), n_other) for v in values), dtype=np.int64, count=len(values)
        )
        out[np.arange(len(values)), idx] = 1.0
        return out


class _TextBlock(_Block):
    """TF-IDF of a text feature (no text feature is in the default spec yet; kept ready)."""

    def fit(self, values: pd.Series, options: dict[str, Any]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(
            max_features=options["text_max_features"], min_df=options["min_frequency"], sublinear_tf=True
        )
        self.vectorizer.fit(values.fillna("").astype(str))

    def columns(self) -> list[str]:
        vocab = self.vectorizer.get_feature_names_out()
        return [f"{self.feature.name}__{_level_slug(t)}" for t in vocab]

    def transform(self, values: pd.Series) -> np.ndarray:
        return self.vectorizer.transform(values.fillna("").astype(str)).toarray().astype(np.float64)


_BLOCKS: dict[Dtype, type[_Block]] = {
    Dtype.NUMERIC: _NumericBlock,
    Dtype.BOOLEAN: _BooleanBlock,
    Dtype.CATEGORICAL: _CategoricalBlock,
    Dtype.TEXT: _TextBlock,
}


class FeatureEncoder(TransformerMixin, BaseEstimator):
    """Raw feature table -> float64 DataFrame; NaN kept for trees, or imputed+scaled for linear models.

    `linear=True` (for the logistic-regression baseline) replaces NaN in numeric/boolean columns by
    the training median, adds a `<name>__missing` indicator for every such column that had missing
    values in training, and standardises numeric columns. Categorical one-hot columns are left 0/1.
    """

    def __init__(
        self,
        spec: FeatureSpec | None = None,
        *,
        min_frequency: int = 5,
        max_levels: int = 50,
        text_max_features: int = 200,
        linear: bool = False,
    ) -> None:
        self.spec = spec
        self.min_frequency = min_frequency
        self.max_levels = max_levels
        self.text_max_features = text_max_features
        self.linear = linear

    # ---- fitting ----------------------------------------------------------------------------
    def fit(self, X: pd.DataFrame, y: Any = None) -> FeatureEncoder:
        spec = self.spec if self.spec is not None else load_spec()
        missing = [n for n in spec.names if n not in X.columns]
        if missing:
            raise KeyError(f"feature table lacks spec columns: {missing}")
        options = {
            "min_frequency": self.min_frequency,
            "max_levels": self.max_levels,
            "text_max_features": self.text_max_features,
        }
        self.spec_ = spec
        self.blocks_: list[_Block] = []
        for f in spec.features:
            block = _BLOCKS[f.dtype](f)
            block.fit(X[f.name], options)
            self.blocks_.append(block)
        self.feature_names_in_ = np.asarray(spec.names, dtype=object)
        self.n_features_in_ = len(spec.names)

        raw = self._raw_matrix(X)
        self.columns_ = [c for b in self.blocks_ for c in b.columns()]
        if self.linear:
            self._fit_linear(raw)
        else:
            self.output_columns_ = list(self.columns_)
            self.output_feature_of_column_ = [b.feature.name for b in self.blocks_ for _ in b.columns()]
        self.feature_of_column = list(self.output_feature_of_column_)
        return self

    def _fit_linear(self, raw: np.ndarray) -> None:
        kinds = [b.feature.dtype for b in self.blocks_ for _ in b.columns()]
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
        owners = [b.feature.name for b in self.blocks_ for _ in b.columns()]
        self.output_feature_of_column_ = owners + [owners[i] for i in self.indicator_idx_]

    # ---- transforming -----------------------------------------------------------------------
    def _raw_matrix(self, X: pd.DataFrame) -> np.ndarray:
        missing = [n for n in self.spec_.names if n not in X.columns]
        if missing:
            raise KeyError(f"input lacks feature columns: {missing}")
        parts = [b.transform(X[b.feature.name]) for b in self.blocks_]
        return np.hstack(parts) if parts else np.empty((len(X), 0))

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        if not hasattr(self, "blocks_"):
            raise RuntimeError("FeatureEncoder is not fitted; call fit() first")
        if not isinstance(X, pd.DataFrame):
            X = pd.DataFrame(X)
        raw = self._raw_matrix(X)
        if self.linear:
            missing = np.isnan(raw[:, self.indicator_idx_]).astype(np.float64)
            filled = np.where(np.isnan(raw), self.medians_, raw)
            filled[:, self.scaled_] = (filled[:, self.scaled_] - self.means_[self.scaled_]) / self.stds_[
                self.scaled_
            ]
            raw = np.hstack([filled, missing])
        return pd.DataFrame(raw, columns=self.output_columns_, index=X.index, dtype=np.float64)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(self.output_columns_, dtype=object)

    def transform_records(self, rows: list[dict[str, Any]]) -> pd.DataFrame:
        """Serving helper: encode a list of raw JSON rows (missing keys count as missing values)."""
        frame = pd.DataFrame.from_records(rows, columns=self.spec_.names)
        return self.transform(frame)
