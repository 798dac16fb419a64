"""`Predictor`: the one way a trained model scores, for the CLI, the API, batch jobs, Dask, the MLflow
pyfunc and evaluation alike.

Raw feature rows (a frame, or dict rows from JSON) go through the model's one encoder; the booster
gives log-odds, the calibrator the probability, `RiskBands` the band; TreeSHAP contributions come
from `contributions`, the only place that asks LightGBM for `pred_contrib` (a precomputed TreeSHAP,
`model.fast_treeshap`, gives the same values faster when the model allows it). Contributions can be
summed over any grouping of features, and `explain` turns them into reasons tied to guidelines.
`check` is the smoke test a model must pass before it is served.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, model_validator

from features.spec import Dtype, FeatureSpec, load_spec
from model.artifact import TriageModel
from model.guideline_phrases import PhraseTable, load_phrase_table
from model.reasons import ReasonBuilder, grouping_matrix
from model.row_columns import FrameColumns, RecordColumns, RowColumns

if TYPE_CHECKING:  # the checklist side imports features.checklist and so spaCy: only `explain` needs it,
    # and commands that score or register feature tables (register, evaluate) never load it
    from features.checklist import ServiceChecklist
    from model.criteria_explanations import CriteriaExplainer

log = logging.getLogger(__name__)

Rows = pd.DataFrame | Sequence[Mapping[str, Any]]
ADDITIVITY_TOLERANCE = 1e-6
CHECKLIST_FIELDS = ("governing_guideline", "summary", "checklist", "context", "what_if")
FAST_SHAP_AGREEMENT = 1e-9


class ModelValidationError(ValueError):
    """The model failed the smoke check and must not be served."""


class RiskBands(BaseModel):
    """Likelihood cut points and their labels: the one band function of the project."""

    edges: list[float] = Field(default_factory=lambda: [0.25, 0.5], description="Ascending cut points.")
    labels: list[str] = Field(default_factory=lambda: ["low", "medium", "high"])

    @model_validator(mode="after")
    def _check(self) -> RiskBands:
        if any(not 0.0 < e < 1.0 for e in self.edges) or self.edges != sorted(set(self.edges)):
            raise ValueError(f"risk band edges must be strictly ascending values in (0, 1), got {self.edges}")
        if len(self.labels) != len(self.edges) + 1:
            raise ValueError(
                f"risk band labels: needs {len(self.edges) + 1} labels for {len(self.edges)} edges, "
                f"got {self.labels}"
            )
        return self

    def label(self, p: float) -> str:
        """The band of one probability: the first whose upper edge lies above it."""
        for edge, name in zip(self.edges, self.labels, strict=False):
            if p < edge:
                return name
        return self.labels[-1]


@dataclass(frozen=True)
class Contributions:
    """Per-row additive log-odds: `values.sum(1) + expected == raw score` (columns = encoded columns)."""

    values: np.ndarray  # rows x encoded columns
    expected: np.ndarray  # rows


class Predictor:
    """A loaded model ready to score: build once per model, reuse for every batch (thread-safe)."""

    def __init__(
        self,
        model: TriageModel,
        *,
        phrases: PhraseTable | None = None,
        top_k: int = 5,
        bands: RiskBands | None = None,
        batch_threads: int = 1,
        parallel_from_rows: int = 256,
        fast_shap: bool = True,
    ) -> None:
        """`batch_threads`: LightGBM threads from `parallel_from_rows` rows on (one below: no OpenMP
        start-up per small call; on a busy 2-core host more threads spin-wait). `fast_shap`: use the
        precomputed TreeSHAP when the model allows it (built on first use, or by `check`)."""
        self.model = model
        self.spec: FeatureSpec = model.spec
        self.top_k = top_k
        self.bands = bands or RiskBands()
        self.batch_threads = batch_threads
        self.parallel_from_rows = parallel_from_rows
        self._fast_wanted = fast_shap
        self._fast: Any = None
        self._fast_tried = False
        self._phrases = phrases
        self._reasons: ReasonBuilder | None = None
        self._criteria: CriteriaExplainer | None = None

    @property
    def reasons(self) -> ReasonBuilder:
        """Phrase table, grouping and match cache for `explain`, built on first use (scoring alone
        never reads the phrase table)."""
        if self._reasons is None:
            phrases = self._phrases if self._phrases is not None else load_phrase_table()
            self._reasons = ReasonBuilder(
                self.spec, self.model.feature_of_column, self.model.calibrator.apply, phrases, self.top_k
            )
        return self._reasons

    @classmethod
    def load(cls, directory: Path | str, **options: Any) -> Predictor:
        """A predictor for the `TriageModel` saved in `directory`."""
        return cls(TriageModel.load(directory), **options)

    @property
    def metadata(self) -> Any:
        return self.model.metadata

    @property
    def feature_names(self) -> list[str]:
        return list(self.spec.names)

    # ---- numbers ---------------------------------------------------------------------------
    def matrix(self, rows: Rows) -> np.ndarray:
        """The encoded float matrix the booster reads: the model's derived features (the text score)
        computed into the rows first, then the model's one encoder."""
        return self.model.encoder.matrix(self.model.derive(rows))

    def _threads(self, n: int) -> int:
        return 1 if n < self.parallel_from_rows else self.batch_threads

    def raw_scores(self, rows: Rows | np.ndarray) -> np.ndarray:
        """Booster log-odds before calibration."""
        x = rows if isinstance(rows, np.ndarray) else self.matrix(rows)
        if len(x) == 0:
            return np.empty(0)
        raw = self.model.booster.predict(x, raw_score=True, num_threads=self._threads(len(x)))
        return np.asarray(raw, dtype=np.float64)

    def predict_proba(self, rows: Rows | np.ndarray) -> np.ndarray:
        """Calibrated probability that IMR overturns the UR denial of each service."""
        return np.asarray(self.model.calibrator.apply(self.raw_scores(rows)), dtype=np.float64)

    def band(self, p: float) -> str:
        return self.bands.label(p)

    def contributions(self, rows: Rows | np.ndarray) -> Contributions:
        """TreeSHAP contributions per encoded column and the expected value, per row."""
        x = rows if isinstance(rows, np.ndarray) else self.matrix(rows)
        if len(x) == 0:
            return Contributions(np.zeros((0, x.shape[1])), np.zeros(0))
        fast = self._fast_shap()
        if fast is not None:
            out = fast.contributions(x)
        else:
            out = self._pred_contrib(x)
        return Contributions(out[:, :-1], out[:, -1])

    def _pred_contrib(self, x: np.ndarray) -> np.ndarray:
        out = self.model.booster.predict(x, pred_contrib=True, num_threads=self._threads(len(x)))
        return np.asarray(out, dtype=np.float64)

    def _fast_shap(self) -> Any:
        if not self._fast_tried:
            self._fast_tried = True
            if self._fast_wanted:
                try:
                    from model.fast_treeshap import FastTreeShap

                    self._fast = FastTreeShap.build(self.model.booster)
                except ImportError:  # numba missing: LightGBM's pred_contrib does the work
                    self._fast = None
        return self._fast

    @property
    def shap_method(self) -> str:
        """Which TreeSHAP implementation `contributions` uses (both give the same values)."""
        return "precomputed TreeSHAP" if self._fast_shap() is not None else "LightGBM pred_contrib"

    def grouped(
        self, contributions: Contributions, groups: Mapping[str, Sequence[str]] | None = None
    ) -> tuple[np.ndarray, list[str]]:
        """Contributions summed per group of spec features (rows x groups) and the group names.

        Default groups: one per spec feature (one-hot columns summed). A feature may sit in several
        groups or in none; a group's value is the sum over the encoded columns of its features."""
        names = self.feature_names
        per_feature = contributions.values @ grouping_matrix(self.model.feature_of_column, names)
        if groups is None:
            return per_feature, names
        index = {f: j for j, f in enumerate(names)}
        unknown = sorted({f for fs in groups.values() for f in fs if f not in index})
        if unknown:
            raise ValueError(f"groups name features the model does not have: {unknown}")
        g = np.zeros((len(names), len(groups)))
        for k, fs in enumerate(groups.values()):
            g[[index[f] for f in fs], k] = 1.0
        return per_feature @ g, list(groups)

    # ---- explanations ----------------------------------------------------------------------
    @property
    def criteria(self) -> CriteriaExplainer:
        """Criterion groups and context factors over this model's features, built on first use."""
        if self._criteria is None:
            from model.criteria_explanations import CriteriaExplainer

            self._criteria = CriteriaExplainer(
                self.feature_names, self.model.encoded_columns, self.model.feature_of_column,
                getattr(self.model.encoder, "derived", ()), status_baselines=self.status_baselines(),
            )  # fmt: skip
        return self._criteria

    def status_baselines(self) -> dict[str, float]:
        """Per ranked status column (a criterion's): its mean TreeSHAP share over the training rows that
        had a rank, i.e. the services the criterion applied to. A criterion's effect is measured from
        there, so a met status never reads as lowering the likelihood because services it does not apply
        to sit higher. Exact where each status column has trees of its own (`no_interaction`)."""
        encoder = getattr(self.model.encoder, "features", self.model.encoder)
        columns = self.model.encoded_columns
        kept = getattr(encoder, "ordinal_counts_", None) or {}
        counts = {n: c for n, c in kept.items() if c and n in columns}
        if not counts:  # no ranked columns, or an artifact from before the counts were kept
            return {}
        ranks = sorted({float(r) for c in counts.values() for r in c})
        probe = np.full((len(ranks), len(columns)), np.nan)
        for name in counts:
            probe[:, columns.index(name)] = ranks
        shares = self.contributions(probe).values
        return {
            name: float(sum(n * shares[ranks.index(float(r)), columns.index(name)] for r, n in c.items())
                        / sum(c.values()))
            for name, c in counts.items()
        }  # fmt: skip

    def explain(
        self,
        rows: Rows,
        evidence: Sequence[Mapping[str, Any] | None] | None = None,
        top_k: int | None = None,
        *,
        checklists: Sequence[ServiceChecklist | None] | None = None,
    ) -> list[dict[str, Any]]:
        """One JSON-ready dict per row: likelihood, band, raw score, expected value and top reasons.

        `rows` hold raw spec features plus, when present, `letter_id`, `item_index` and `service`;
        `evidence[i]` maps feature name -> the span(s) that set row i's value. With `checklists` (row i's
        `features.checklist.ServiceChecklist`, or None where there is none) each row also gets its
        governing guideline, summary line, the criteria with their log-odds, the context factors and,
        for each criterion not documented, the likelihood if it were documented as met (`what_if`)."""
        n = len(rows)
        if evidence is not None and len(evidence) != n:
            raise ValueError(f"evidence has {len(evidence)} entries for {n} rows")
        if checklists is not None and len(checklists) != n:
            raise ValueError(f"checklists has {len(checklists)} entries for {n} rows")
        if n == 0:
            return []
        rows = self.model.derive(rows)  # derived inputs once: the explanation shows the value scored
        columns = FrameColumns(rows) if isinstance(rows, pd.DataFrame) else RecordColumns(rows)
        c = self.contributions(self.model.encoder.matrix(rows))
        out = self.reasons.explain(columns, c.values, c.expected, evidence, top_k)
        for item in out:
            item.pop("probability_effect_method", None)  # stated once per response by callers
            item["risk_band"] = self.band(item["overturn_likelihood"])
        if checklists is not None:
            self._add_checklists(rows, columns, c.values, out, checklists)
        return out

    def _add_checklists(
        self, rows: Rows, columns: RowColumns, values: np.ndarray, out: list[dict[str, Any]],
        checklists: Sequence[ServiceChecklist | None],
    ) -> None:
        """Criteria, context and what-ifs per row (what-if rows scored in one call of this predictor)."""
        from model.criteria_explanations import WHAT_IF_LABEL

        parts = self.criteria.explain(values, columns, checklists)
        for item, part in zip(out, parts, strict=True):
            if part is None:  # no checklist for this row: the fields say so (null), never missing
                item.update(dict.fromkeys(CHECKLIST_FIELDS))
            else:
                item.update(part)
                item["what_if"] = []
        pending = self.criteria.what_if_rows(rows, checklists)
        if not pending:
            return
        likelihoods = self.predict_proba([r for _, _, _, r in pending]).tolist()
        for (i, cid, text, _), p in zip(pending, likelihoods, strict=True):
            now = out[i]["overturn_likelihood"]
            out[i]["what_if"].append(
                {"criterion_id": cid, "criterion": text, "likelihood_if_met": p, "change": p - now,
                 "label": WHAT_IF_LABEL}
            )  # fmt: skip
        for item in out:
            if item.get("what_if"):
                item["what_if"].sort(key=lambda w: -w["change"])

    # ---- serving checks --------------------------------------------------------------------
    def check(self, serving_spec: FeatureSpec | None = None) -> None:
        """Refuse (raise `ModelValidationError`) a model that cannot be served: features the serving
        side does not build, probabilities outside [0, 1], contributions that do not add up. Also builds
        the fast TreeSHAP now and keeps it only if it agrees with `pred_contrib` (logged otherwise)."""
        spec = serving_spec or load_spec()
        check_schema(self.model, spec)
        rows = smoke_rows(spec)
        x = self.matrix(rows)
        frame = pd.DataFrame.from_records(rows, columns=self.model.input_spec.names)
        reference = self.model.encoder.matrix(self.model.derive(frame))
        if x.shape != reference.shape or not np.array_equal(x, reference, equal_nan=True):
            raise ModelValidationError("the encoder gives different matrices for dict rows and a frame")
        prob = self.predict_proba(x)
        if prob.shape != (len(rows),):
            raise ModelValidationError(f"smoke probabilities have shape {prob.shape}, not ({len(rows)},)")
        if not np.all(np.isfinite(prob)) or np.any(prob < 0) or np.any(prob > 1):
            raise ModelValidationError(f"smoke probabilities not finite or outside [0, 1]: {prob.tolist()}")
        exact = self._pred_contrib(x)
        if not np.all(np.isfinite(exact)):
            raise ModelValidationError("smoke input gave non-finite contributions")
        gap = float(np.max(np.abs(exact.sum(axis=1) - self.raw_scores(x))))
        if not gap <= ADDITIVITY_TOLERANCE:
            raise ModelValidationError(f"contributions do not add up to the raw score (max gap {gap:.2e})")
        fast = self._fast_shap()
        agrees = fast is None or np.allclose(fast.contributions(x), exact, rtol=0, atol=FAST_SHAP_AGREEMENT)
        if not agrees:
            log.warning("fast TreeSHAP disagrees with pred_contrib on the smoke rows; using pred_contrib")
            self._fast = None
        for item, p in zip(self.explain(rows), prob.tolist(), strict=True):
            if not math.isclose(item["overturn_likelihood"], p, rel_tol=0, abs_tol=1e-9):
                raise ModelValidationError("explained likelihood differs from the model's probability")

    def describe(self) -> dict[str, Any]:
        """Model facts for `GET /v1/model` and reports."""
        meta = self.model.metadata
        data = meta.training_data or {}
        return {
            "model_version_tag": meta.model_version,
            "data_fingerprint": data.get("hash") or data.get("fingerprint") or data.get("sha256"),
            "spec_fingerprint": meta.feature_spec_fingerprint,
            "metrics": meta.metrics,
            "training_data": data,
            "features": [f.model_dump(mode="json") for f in self.spec.features],
            "model_card": meta.card().as_dict(),  # trained on (real/synthetic), real-letter metrics, warning
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


def check_schema(model: TriageModel, serving_spec: FeatureSpec) -> None:
    """Every feature the model reads must be one the serving side builds, with the same type (what the
    model derives itself, the text score, it computes from features the serving side builds)."""
    served = {f.name: f.dtype for f in serving_spec.features}
    inputs = model.input_spec.features
    missing = [f.name for f in inputs if f.name not in served]
    if missing:
        raise ModelValidationError(f"model reads features the serving spec does not build: {missing}")
    wrong = [f"{f.name} ({f.dtype} vs {served[f.name]})" for f in inputs if served[f.name] != f.dtype]
    if wrong:
        raise ModelValidationError(f"model feature types differ from the serving spec: {wrong}")
    n_cols = len(model.encoded_columns)
    if model.booster.num_feature() != n_cols:
        raise ModelValidationError(f"booster expects {model.booster.num_feature()} columns, encoder {n_cols}")
