"""Model inputs computed by something fitted rather than read from the letter, of two kinds:

- derived columns (the empirical-Bayes family prior): appended after the spec encoder's columns and
  reported under the spec feature they are a function of (the prior under `service_family`);
- derived features (the text signal's score, `case_text_score`): computed from a row's raw inputs
  (the pre-review text features) and put INTO the row before encoding (`derive_rows`, called by the
  Predictor), so the encoder, TreeSHAP and the explanation treat the score like any numeric feature.
  A row's own value for it is always replaced: callers cannot set it.

Both are fitted on training rows; training gives its own rows out-of-fold values (`training.train`),
so the booster never learns from a value fitted on the row's own label.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from features.spec import Dtype, FeatureDef, Role
from letters.records import Section
from model.encoder import FeatureEncoder
from model.family_prior import FamilyPrior
from model.row_columns import FrameColumns, RecordColumns, RowColumns
from model.text_signal import TEXT_FEATURE, TEXT_SIGNAL_FILE, ServiceText, TextSignal

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


# ---- derived features: computed into the row before encoding ------------------------------------
DERIVED_FEATURES_FILE = "derived_features.json"  # beside the artifact's files, only when there are any
# Which spec feature (dtype text) holds each part of a service's text (model.text_signal.ServiceText).
TEXT_INPUTS: dict[str, str] = {
    "summary": "summary_text",
    "service": "service_text",
    "ur_guideline": "ur_guideline_text",
}


class MissingDerivedInputError(ValueError):
    """Rows lack the raw inputs a derived feature is computed from (e.g. a table without the text)."""


class TextScoreFeature:
    """The text signal's score (log-odds of overturn by the service's clinical words, writer style taken
    out) as the model input `case_text_score`, computed from the row's text features."""

    kind = "text_score"

    def __init__(
        self, signal: TextSignal, name: str = TEXT_FEATURE, inputs: Mapping[str, str] | None = None
    ) -> None:
        self.signal = signal
        self.name = name
        self.inputs = dict(TEXT_INPUTS if inputs is None else inputs)
        unknown = sorted(set(self.inputs) - set(TEXT_INPUTS))
        if unknown:
            raise ValueError(f"text score inputs: unknown parts {unknown} (known: {sorted(TEXT_INPUTS)})")

    @property
    def input_features(self) -> list[str]:
        return list(self.inputs.values())

    def texts(self, columns: RowColumns) -> list[ServiceText]:
        parts = {part: columns.values(feature) for part, feature in self.inputs.items()}
        return [
            ServiceText(**{part: "" if v[i] is None else str(v[i]) for part, v in parts.items()})
            for i in range(columns.n)
        ]

    def values(self, columns: RowColumns) -> np.ndarray:
        if columns.n == 0:
            return np.zeros(0)
        return self.signal.decision_function(self.texts(columns))

    def feature_def(self) -> FeatureDef:
        return text_score_def(self.name, self.inputs)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "inputs": self.inputs, "state": TEXT_SIGNAL_FILE}

    def save_state(self, directory: Path) -> None:
        self.signal.save(directory)

    @classmethod
    def from_dict(cls, state: Mapping[str, Any], directory: Path) -> TextScoreFeature:
        if state.get("state") != TEXT_SIGNAL_FILE:
            raise ValueError(f"text score state file {state.get('state')!r}, expected {TEXT_SIGNAL_FILE!r}")
        return cls(TextSignal.load(directory), state["name"], state["inputs"])

    def state_json(self) -> str:
        """What the feature computes, as one string (part of the model's content version)."""
        return json.dumps({**self.to_dict(), "signal": self.signal.to_dict()}, sort_keys=True)


def text_score_def(name: str = TEXT_FEATURE, inputs: Mapping[str, str] | None = None) -> FeatureDef:
    """How the text score appears in a model's spec: a numeric input the model derives itself."""
    features = list((TEXT_INPUTS if inputs is None else inputs).values())
    return FeatureDef(
        name=name, dtype=Dtype.NUMERIC, role=Role.SERVICE, source=Section.CLINICAL_SUMMARY,
        extractor=f"derived:{TextScoreFeature.kind}",
        description="Similar case descriptions: the text signal's log-odds of overturn from the clinical "
        f"words of {', '.join(features)} (writer style removed; model/text_signal.py). Derived by the "
        "model from the text; never read from the request.",
    )  # fmt: skip


DerivedFeature = TextScoreFeature  # the one kind today; a new kind registers its loader below
DERIVED_FEATURE_KINDS: dict[str, Callable[[Mapping[str, Any], Path], DerivedFeature]] = {
    TextScoreFeature.kind: TextScoreFeature.from_dict,
}


def derived_feature_from_dict(state: Mapping[str, Any], directory: Path) -> DerivedFeature:
    kind = state.get("kind")
    if kind not in DERIVED_FEATURE_KINDS:
        raise ValueError(f"unknown derived feature kind {kind!r} (known: {sorted(DERIVED_FEATURE_KINDS)})")
    return DERIVED_FEATURE_KINDS[kind](state, directory)


def derive_rows(rows: Rows, derived: Sequence[DerivedFeature]) -> Rows:
    """`rows` with every derived feature computed into them (a frame is copied, dict rows are new
    dicts; the caller's rows are never changed). Rows that carry none of a feature's inputs are an
    error, not a silent constant score."""
    if not derived:
        return rows
    columns = _columns(rows)
    values: dict[str, np.ndarray] = {}
    for d in derived:
        if columns.n and not _has_any(rows, d.input_features):
            raise MissingDerivedInputError(
                f"the model computes {d.name!r} from {d.input_features}, and the rows hold none of them "
                "(score letters or structured cases, or a feature table built with this spec)"
            )
        values[d.name] = d.values(columns)
    if isinstance(rows, pd.DataFrame):
        return rows.assign(**values)
    return [{**row, **{n: float(v[i]) for n, v in values.items()}} for i, row in enumerate(rows)]


def _has_any(rows: Rows, names: Sequence[str]) -> bool:
    if isinstance(rows, pd.DataFrame):
        return any(n in rows.columns for n in names)
    return any(n in row for row in rows for n in names)
