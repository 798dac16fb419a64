"""Per-service explanations: TreeSHAP contributions grouped back to spec features, tied to guidelines.

One `Explainer` per loaded model: it encodes a raw feature frame column by column, computes exact
TreeSHAP values (`FastTreeShap`, numba; LightGBM `pred_contrib` where that is unavailable), and builds
the reasons with `features.reason_builder.ReasonBuilder`, the same code the scoring API uses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd

from features.explanation_models import EvidenceSpan, LetterExplanation, ServiceExplanation
from features.fast_encoder import FastEncoder
from features.guideline_phrases import PhraseTable, load_phrase_table
from features.reason_builder import (
    ZERO_CONTRIBUTION,
    ReasonBuilder,
    grouping_matrix,
    probability_effects,
    top_k_indices,
)
from features.records import Case
from features.row_columns import FrameColumns
from features.spec import FeatureSpec

__all__ = [
    "ZERO_CONTRIBUTION",
    "Explainer",
    "case_inputs",
    "explain_case",
    "group_contributions",
    "grouping_matrix",
    "probability_effects",
    "top_k_indices",
]

EvidenceLike = EvidenceSpan | Mapping[str, Any] | Any
RowEvidence = Mapping[str, EvidenceLike | Sequence[EvidenceLike] | None]


class ExplainableModel(Protocol):
    """What the explainer needs from a model (TriageModel satisfies it)."""

    spec: Any
    feature_of_column: list[str]
    calibrator: Any

    def contributions(self, df: pd.DataFrame) -> Any: ...


def group_contributions(
    contrib: np.ndarray, feature_of_column: Sequence[str], features: Sequence[str]
) -> np.ndarray:
    """Per-feature log-odds contributions (rows x features) from per-column ones (rows x columns)."""
    return np.asarray(contrib, dtype=np.float64) @ grouping_matrix(feature_of_column, features)


class Explainer:
    """Explains a trained model's scores; build once per loaded model, reuse for every batch."""

    def __init__(
        self,
        model: ExplainableModel,
        phrases: PhraseTable | None = None,
        top_k: int = 5,
        fast_min_rows: int | None = 1,
    ) -> None:
        """`fast_min_rows`: batches at least this big use `FastTreeShap` (None: always LightGBM)."""
        self.model = model
        self.fast_min_rows = fast_min_rows
        self._fast: Any = None  # FastTreeShap, built on first use (or by warm_up)
        self._fast_tried = False
        self.phrases = phrases if phrases is not None else load_phrase_table()
        self.top_k = top_k
        self.features: list[str] = list(model.spec.names)
        self.reasons = ReasonBuilder(
            model.spec, model.feature_of_column, model.calibrator.apply, self.phrases, top_k
        )
        self._encoder = FastEncoder.for_model(model) if hasattr(model, "encoder") else None

    # ---- numbers ---------------------------------------------------------------------------
    def warm_up(self) -> bool:
        """Build the fast TreeSHAP tables and compile its kernels now (servers call this at start-up);
        returns whether the fast path is available for this model."""
        if self.fast_min_rows is None:
            return False
        fast = self._fast_shap()
        if fast is not None:
            fast.contributions(np.zeros((1, fast.n_columns)))
        return fast is not None

    def _fast_shap(self) -> Any:
        if not self._fast_tried:
            self._fast_tried = True
            booster = getattr(self.model, "booster", None)
            if booster is not None:
                try:
                    from features.fast_treeshap import FastTreeShap

                    self._fast = FastTreeShap.build(booster)
                except ImportError:  # numba missing: LightGBM's pred_contrib does the work
                    self._fast = None
        return self._fast

    def encode(self, rows: pd.DataFrame) -> np.ndarray:
        """Encoded float matrix of a raw feature frame (identical to the model's own encoder)."""
        x = self._encoder.encode_frame(rows) if self._encoder is not None else None
        if x is None:
            x = np.ascontiguousarray(self.model.encode(rows).to_numpy(dtype=np.float64))
        return x

    def contributions(self, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Per encoded column TreeSHAP values (rows x columns) and expected values (rows,)."""
        big = self.fast_min_rows is not None and len(rows) >= self.fast_min_rows
        fast = self._fast_shap() if big else None
        if fast is not None:
            out = fast.contributions(self.encode(rows))
            return out[:, :-1], out[:, -1]
        c = self.model.contributions(rows)
        return np.asarray(c.values, dtype=np.float64), np.asarray(c.expected_value, dtype=np.float64)

    def grouped(self, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(per-feature contributions, expected values, raw scores) for a raw feature frame."""
        values, expected = self.contributions(rows)
        return values @ self.reasons.group, expected, values.sum(axis=1) + expected

    # ---- explanations ----------------------------------------------------------------------
    def explain(
        self,
        rows: pd.DataFrame,
        evidence: Sequence[RowEvidence | None] | None = None,
        top_k: int | None = None,
    ) -> list[ServiceExplanation]:
        """One validated `ServiceExplanation` per row of `rows` (see `explain_records`)."""
        return [ServiceExplanation.model_validate(r) for r in self.explain_records(rows, evidence, top_k)]

    def explain_records(
        self,
        rows: pd.DataFrame,
        evidence: Sequence[RowEvidence | None] | None = None,
        top_k: int | None = None,
    ) -> list[dict[str, Any]]:
        """One JSON-ready dict per row of `rows`, shaped exactly like `ServiceExplanation`.

        `rows` holds raw spec features (id/meta columns `letter_id`, `item_index`, `service` are used
        when present); `evidence[i]` maps feature name -> span(s) that set row i's value. Plain dicts
        are the fast path for large batches (no per-object validation); `explain` validates them.
        """
        if evidence is not None and len(evidence) != len(rows):
            raise ValueError(f"evidence has {len(evidence)} entries for {len(rows)} rows")
        if len(rows) == 0:
            return []
        values, expected = self.contributions(rows)
        return self.reasons.explain(FrameColumns(rows), values, expected, evidence, top_k)


def case_inputs(case: Case, spec: FeatureSpec) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """A parsed letter -> (raw feature rows with ids, per-row evidence spans) for `Explainer.explain`."""
    from features.table import feature_rows

    frs = feature_rows(case, spec)
    services = {s.item_index: s.service or s.heading for s in case.services}
    records, evidence = [], []
    for fr in frs:
        records.append({"letter_id": fr.letter_id, "item_index": fr.item_index,
                        "service": services.get(fr.item_index, fr.heading), **fr.raw()})
        evidence.append({name: fv.span for name, fv in fr.values.items() if fv.span is not None})
    columns = ["letter_id", "item_index", "service", *spec.names]
    return pd.DataFrame.from_records(records, columns=columns), evidence


def explain_case(explainer: Explainer, case: Case, top_k: int | None = None) -> LetterExplanation:
    """Explain every service of one parsed letter, with the evidence spans that set each feature."""
    rows, evidence = case_inputs(case, explainer.model.spec)
    services = explainer.explain(rows, evidence, top_k)
    meta = getattr(explainer.model, "metadata", None)
    return LetterExplanation(
        letter_id=case.letter_id,
        source_file=case.source_file or None,
        model_version=getattr(meta, "model_version", None),
        services=services,
    )
