"""`Scorer`: one loaded model ready for traffic (fast encoder, fast TreeSHAP, reasons, risk bands).

Reasons come from `features.reason_builder.ReasonBuilder`, the implementation `imr explain` uses.

`prepare_scorer` is the model store's validation step: it builds the scorer and runs a smoke input
through it, refusing (raising) when the model's features do not fit the serving spec, when the
probabilities are not finite values in [0, 1], or when contributions do not add up to the score.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from features.fast_encoder import FastEncoder
from features.fast_treeshap import FastTreeShap
from features.reason_builder import ReasonBuilder
from features.row_columns import RecordColumns
from features.spec import Dtype, FeatureSpec, load_spec
from serving.settings import ServingSettings

ADDITIVITY_TOLERANCE = 1e-6
# From this many rows the precomputed TreeSHAP tables are used instead of LightGBM `pred_contrib`
# (same values): measured faster from one row (0.35 ms against 1.1 ms on the 400-tree benchmark model).
FAST_SHAP_MIN_ROWS = 1
FAST_SHAP_AGREEMENT = 1e-9


class ModelValidationError(ValueError):
    """The model failed the smoke check and must not be served."""


class Scorer:
    """Raw feature rows -> per-service likelihood, risk band and reasons (plain dicts)."""

    def __init__(self, model: Any, settings: ServingSettings, serving_spec: FeatureSpec) -> None:
        from features.guideline_phrases import load_phrase_table

        self.model = model
        self.serving_spec = serving_spec
        self.fast = FastEncoder.for_model(model)
        # exact path-dependent TreeSHAP tables, built once per loaded model (None when unsupported)
        self.fast_shap: FastTreeShap | None = FastTreeShap.build(model.booster)
        self.reasons = ReasonBuilder(
            model.spec,
            model.feature_of_column,
            model.calibrator.apply,
            load_phrase_table(settings.guideline_phrases),
            settings.top_k,
        )
        self.band_edges = list(settings.risk_band_edges)
        self.batch_threads = settings.batch_threads
        self.parallel_from_rows = settings.parallel_from_rows
        self.band_labels = list(settings.risk_band_labels)

    # ---- numbers ---------------------------------------------------------------------------
    def encode(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        if self.fast is not None:
            return self.fast.encode(rows)
        import pandas as pd

        frame = pd.DataFrame.from_records(list(rows), columns=self.model.spec.names)
        return np.ascontiguousarray(self.model.encode(frame).to_numpy(dtype=np.float64))

    def contributions(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """SHAP values per column + expected value: fast TreeSHAP, else LightGBM `pred_contrib`
        (one thread below `parallel_from_rows`: no OpenMP start-up per small call)."""
        return self._contributions(self.encode(rows))

    def _contributions(self, x: np.ndarray) -> np.ndarray:
        if len(x) == 0:
            return np.zeros((0, x.shape[1] + 1))
        if self.fast_shap is not None and len(x) >= FAST_SHAP_MIN_ROWS:
            return self.fast_shap.contributions(x)
        threads = 1 if len(x) < self.parallel_from_rows else self.batch_threads
        return np.asarray(
            self.model.booster.predict(x, pred_contrib=True, num_threads=threads), dtype=np.float64
        )

    def band(self, p: float) -> str:
        for edge, label in zip(self.band_edges, self.band_labels, strict=False):
            if p < edge:
                return label
        return self.band_labels[-1]

    # ---- the API's unit of work ------------------------------------------------------------
    def score(
        self,
        rows: Sequence[Mapping[str, Any]],
        evidence: Sequence[Mapping[str, Any] | None] | None = None,
        top_k: int | None = None,
    ) -> list[dict[str, Any]]:
        """One dict per row: the explanation fields plus `risk_band`."""
        columns = RecordColumns(rows)
        x = self.fast.encode(rows, columns) if self.fast is not None else self.encode(rows)
        contrib = self._contributions(x)
        out = self.reasons.explain(columns, contrib[:, :-1], contrib[:, -1], evidence, top_k)
        for item in out:
            item.pop("probability_effect_method", None)  # said once per response, not per service
            item["risk_band"] = self.band(item["overturn_likelihood"])
        return out

    def describe(self) -> dict[str, Any]:
        """Model facts for `GET /v1/model`."""
        meta = self.model.metadata
        data = meta.training_data or {}
        return {
            "model_version_tag": meta.model_version,
            "data_fingerprint": data.get("hash") or data.get("fingerprint") or data.get("sha256"),
            "spec_fingerprint": meta.feature_spec_fingerprint,
            "trained_at": meta.created_at or None,
            "metrics": meta.metrics,
            "training_data": data,
            "features": [f.model_dump(mode="json") for f in self.model.spec.features],
        }


def smoke_rows(spec: FeatureSpec) -> list[dict[str, Any]]:
    """Three rows derived from the spec itself (all missing, 'high' values, 'low' values)."""
    high: dict[str, Any] = {"letter_id": "SMOKE-SYNTHETIC", "item_index": 0, "service": "smoke test service"}
    low: dict[str, Any] = {"letter_id": "SMOKE-SYNTHETIC", "item_index": 1, "service": "smoke test service"}
    for f in spec.features:
        if f.dtype == Dtype.NUMERIC:
            high[f.name], low[f.name] = 12.0, 0.0
        elif f.dtype == Dtype.BOOLEAN:
            high[f.name], low[f.name] = True, False
        elif f.dtype == Dtype.CATEGORICAL:
            levels = f.levels or ["smoke"]
            high[f.name], low[f.name] = levels[0], levels[-1]
        else:
            high[f.name], low[f.name] = "synthetic smoke text", ""
    return [{"letter_id": "SMOKE-SYNTHETIC", "item_index": 2}, high, low]


def check_schema(model: Any, serving_spec: FeatureSpec) -> None:
    """Every feature the model reads must be one the serving side builds, with the same type."""
    served = {f.name: f.dtype for f in serving_spec.features}
    missing = [f.name for f in model.spec.features if f.name not in served]
    if missing:
        raise ModelValidationError(f"model reads features the serving spec does not build: {missing}")
    wrong = [
        f"{f.name} ({f.dtype} vs {served[f.name]})" for f in model.spec.features if served[f.name] != f.dtype
    ]
    if wrong:
        raise ModelValidationError(f"model feature types differ from the serving spec: {wrong}")
    n_cols = len(model.encoded_columns)
    if model.booster.num_feature() != n_cols:
        raise ModelValidationError(f"booster expects {model.booster.num_feature()} columns, encoder {n_cols}")


def prepare_scorer(model: Any, settings: ServingSettings, serving_spec: FeatureSpec | None = None) -> Scorer:
    """Build a scorer and prove it works on the smoke input; raises `ModelValidationError` if not."""
    spec = serving_spec or load_spec()
    check_schema(model, spec)
    scorer = Scorer(model, settings, spec)
    rows = smoke_rows(spec)
    x = scorer.encode(rows)
    if scorer.fast is not None:
        import pandas as pd

        frame = pd.DataFrame.from_records(rows, columns=model.spec.names)
        reference = model.encode(frame).to_numpy(dtype=np.float64)
        same = x.shape == reference.shape and np.array_equal(x, reference, equal_nan=True)
        if not same:
            raise ModelValidationError("fast encoder disagrees with the model's encoder on the smoke input")
    raw = np.asarray(model.booster.predict(x, raw_score=True, num_threads=1), dtype=np.float64)
    prob = np.asarray(model.calibrator.apply(raw), dtype=np.float64)
    if prob.shape != (len(rows),):
        raise ModelValidationError(f"smoke probabilities have shape {prob.shape}, not ({len(rows)},)")
    if not np.all(np.isfinite(prob)) or np.any(prob < 0) or np.any(prob > 1):
        raise ModelValidationError(f"smoke probabilities not finite or outside [0, 1]: {prob.tolist()}")
    scored = scorer.score(rows)
    contrib = scorer.contributions(rows)
    if not np.all(np.isfinite(contrib)):
        raise ModelValidationError("smoke input gave non-finite contributions")
    gap = float(np.max(np.abs(contrib.sum(axis=1) - raw)))
    if not gap <= ADDITIVITY_TOLERANCE:
        raise ModelValidationError(f"contributions do not add up to the raw score (max gap {gap:.2e})")
    if scorer.fast_shap is not None:  # also compiles the kernel now, not on the first large batch
        fast = scorer.fast_shap.contributions(x)
        if not np.allclose(fast, contrib, rtol=0, atol=FAST_SHAP_AGREEMENT):
            scorer.fast_shap = None  # never serve values that differ from pred_contrib
    for item, p in zip(scored, prob.tolist(), strict=True):
        if not math.isclose(item["overturn_likelihood"], p, rel_tol=0, abs_tol=1e-9):
            raise ModelValidationError("explained likelihood differs from the model's probability")
    return scorer
