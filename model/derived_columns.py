"""Model inputs computed by a fitted table rather than read from the letter: the empirical-Bayes family
prior now, a text score later. They are appended after the spec encoder's columns, so the booster,
TreeSHAP and the predictor see one matrix; each column is reported under the spec feature it is a
function of (the family prior under `service_family`), so explanations stay per feature.

A derived column is fitted on training rows; training gives its own rows out-of-fold values
(`training.train`), so the booster never learns from a value fitted on the row's own label.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd

from model.encoder import FeatureEncoder
from model.family_prior import FamilyPrior
from model.row_columns import FrameColumns, RecordColumns, RowColumns

Rows = pd.DataFrame | Sequence[Mapping[str, Any]]


class DerivedColumn(Protocol):
    """One fitted input column: its name, the spec feature it is reported under, its values."""

    kind: str
    name: str
    feature: str

    def values(self, columns: RowColumns) -> np.ndarray: ...

    def to_dict(self) -> dict[str, Any]: ...


class FamilyPriorColumn:
    """Log-odds of the empirical-Bayes overturn rate of the row's service family."""

    kind = "family_prior"

    def __init__(
        self, prior: FamilyPrior, feature: str = "service_family", name: str = "family_prior"
    ) -> None:
        self.prior = prior
        self.feature = feature
        self.name = name

    def values(self, columns: RowColumns) -> np.ndarray:
        return self.prior.log_odds(columns.values(self.feature))

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "feature": self.feature,
            "prior": self.prior.model_dump(),
        }

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> FamilyPriorColumn:
        return cls(FamilyPrior.model_validate(state["prior"]), state["feature"], state["name"])


# kind -> loader; a new kind of derived column (e.g. a text score) registers its loader here
DERIVED_KINDS: dict[str, Callable[[Mapping[str, Any]], DerivedColumn]] = {
    FamilyPriorColumn.kind: FamilyPriorColumn.from_dict,
}


def derived_from_dict(state: Mapping[str, Any]) -> DerivedColumn:
    kind = state.get("kind")
    if kind not in DERIVED_KINDS:
        raise ValueError(f"unknown derived column kind {kind!r} (known: {sorted(DERIVED_KINDS)})")
    return DERIVED_KINDS[kind](state)


def _columns(rows: Rows) -> RowColumns:
    return FrameColumns(rows) if isinstance(rows, pd.DataFrame) else RecordColumns(rows)


class ModelEncoder:
    """The spec `FeatureEncoder` plus derived columns: the interface the predictor reads (`matrix`,
    `feature_of_column`, `get_feature_names_out`), so a model with derived inputs scores like any."""

    def __init__(self, features: FeatureEncoder, derived: Sequence[DerivedColumn]) -> None:
        self.features = features
        self.derived = list(derived)
        spec_names = set(features.spec_.names)
        unknown = [d.feature for d in self.derived if d.feature not in spec_names]
        if unknown:
            raise ValueError(f"derived columns are reported under features the model lacks: {unknown}")
        self.output_columns_ = list(features.output_columns_) + [d.name for d in self.derived]
        self.feature_of_column = list(features.feature_of_column) + [d.feature for d in self.derived]

    def matrix(self, rows: Rows) -> np.ndarray:
        base = self.features.matrix(rows)
        if not self.derived:
            return base
        cols = _columns(rows)
        extra = np.column_stack([d.values(cols) for d in self.derived]).astype(np.float64)
        return np.ascontiguousarray(np.hstack([base, extra]))

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(self.matrix(X), columns=self.output_columns_, index=X.index, dtype=np.float64)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(self.output_columns_, dtype=object)

    def to_dict(self) -> dict[str, Any]:
        """The spec encoder's state (what `encoder.json` always held)."""
        return self.features.to_dict()

    def derived_to_dict(self) -> list[dict[str, Any]]:
        return [d.to_dict() for d in self.derived]
