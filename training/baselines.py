"""Baselines the model must beat on the same split: base rate, per-family rate, logistic regression.

A model that cannot beat "each service family's historical overturn rate" adds nothing a lookup
table would not; logistic regression on the same encoded features shows what the trees add.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict
from sklearn.linear_model import LogisticRegression

from features.spec import FeatureSpec
from model.encoder import FeatureEncoder


class BaselineParams(BaseModel):
    """params.yaml `evaluate.baselines`: smoothing of family rates, LR regularisation."""

    model_config = ConfigDict(extra="forbid")

    family_column: str = "service_family"
    family_prior_strength: float = 10.0
    lr_C: float = 1.0
    lr_max_iter: int = 2000


class BaseRate:
    """Everyone gets the training overturn rate."""

    name = "base_rate"

    def fit(self, df: pd.DataFrame, y: np.ndarray) -> BaseRate:
        self.rate_ = float(np.mean(y))
        return self

    def predict_proba(self, df: pd.DataFrame) -> np.ndarray:
        return np.full(len(df), self.rate_)


@dataclass
class FamilyRate:
    """Overturn rate of the service family, shrunk toward the base rate (pseudo-count `prior_strength`)."""

    column: str = "service_family"
    prior_strength: float = 10.0
    rates_: dict[str, float] = field(default_factory=dict)
    base_: float = 0.0
    name: str = "family_rate"

    def _families(self, df: pd.DataFrame) -> pd.Series:
        if self.column not in df:
            raise KeyError(f"family-rate baseline needs column {self.column!r} in the feature table")
        return df[self.column].astype("object").where(df[self.column].notna(), "unknown").astype(str)

    def fit(self, df: pd.DataFrame, y: np.ndarray) -> FamilyRate:
        fam = self._families(df)
        self.base_ = float(np.mean(y))
        stats = pd.DataFrame({"f": fam.to_numpy(), "y": y}).groupby("f")["y"].agg(["sum", "count"])
        k = self.prior_strength
        self.rates_ = ((stats["sum"] + k * self.base_) / (stats["count"] + k)).to_dict()
        return self

    def predict_proba(self, df: pd.DataFrame) -> np.ndarray:
        return self._families(df).map(self.rates_).fillna(self.base_).to_numpy(dtype=float)


class LogisticBaseline:
    """L2 logistic regression on the same spec features (imputed, indicator-flagged, standardised)."""

    name = "logistic_regression"

    def __init__(
        self, spec: FeatureSpec, C: float = 1.0, max_iter: int = 2000, min_frequency: int = 5
    ) -> None:
        self.spec = spec
        self.encoder = FeatureEncoder(spec, linear=True, min_frequency=min_frequency)
        self.lr = LogisticRegression(C=C, max_iter=max_iter)

    def fit(self, df: pd.DataFrame, y: np.ndarray) -> LogisticBaseline:
        X = self.encoder.fit_transform(df[self.spec.names])
        self.lr.fit(X.to_numpy(), y)
        return self

    def predict_proba(self, df: pd.DataFrame) -> np.ndarray:
        return self.lr.predict_proba(self.encoder.transform(df[self.spec.names]).to_numpy())[:, 1]


def fit_baselines(
    train: pd.DataFrame, y: np.ndarray, spec: FeatureSpec, params: BaselineParams, min_frequency: int = 5
) -> dict[str, BaseRate | FamilyRate | LogisticBaseline]:
    """All three baselines fitted on the training rows (the caller holds out the same test rows)."""
    return {
        "base_rate": BaseRate().fit(train, y),
        "family_rate": FamilyRate(params.family_column, params.family_prior_strength).fit(train, y),
        "logistic_regression": LogisticBaseline(spec, params.lr_C, params.lr_max_iter, min_frequency).fit(
            train, y
        ),
    }
