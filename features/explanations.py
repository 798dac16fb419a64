"""Per-service explanations: TreeSHAP contributions grouped back to spec features, tied to guidelines.

One `Explainer` per loaded model: it precomputes the encoded-column -> feature grouping matrix,
then explains whole batches with array operations (one `pred_contrib` call, one matrix product,
one argsort), so the CLI and the API pay well under a millisecond per service.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd

from features.explanation_models import (
    PROBABILITY_EFFECT_METHOD,
    EvidenceSpan,
    LetterExplanation,
    ServiceExplanation,
)
from features.guideline_phrases import (
    HEADING_CONTEXT,
    PhraseEntry,
    PhraseTable,
    load_phrase_table,
    value_key,
)
from features.records import Case
from features.spec import FeatureSpec

ZERO_CONTRIBUTION = 1e-12  # |log-odds| below this is "not used by the model for this row"

EvidenceLike = EvidenceSpan | Mapping[str, Any] | Any
RowEvidence = Mapping[str, EvidenceLike | Sequence[EvidenceLike] | None]


class ExplainableModel(Protocol):
    """What the explainer needs from a model (TriageModel satisfies it)."""

    spec: Any
    feature_of_column: list[str]
    calibrator: Any

    def contributions(self, df: pd.DataFrame) -> Any: ...


def grouping_matrix(feature_of_column: Sequence[str], features: Sequence[str]) -> np.ndarray:
    """0/1 matrix (encoded columns x features): `contrib @ G` sums one-hot/text columns per feature."""
    index = {f: j for j, f in enumerate(features)}
    unknown = sorted({f for f in feature_of_column if f not in index})
    if unknown:
        raise ValueError(f"encoded columns belong to features not in the spec: {unknown}")
    g = np.zeros((len(feature_of_column), len(features)), dtype=np.float64)
    g[np.arange(len(feature_of_column)), [index[f] for f in feature_of_column]] = 1.0
    return g


def group_contributions(
    contrib: np.ndarray, feature_of_column: Sequence[str], features: Sequence[str]
) -> np.ndarray:
    """Per-feature log-odds contributions (rows x features) from per-column ones (rows x columns)."""
    return np.asarray(contrib, dtype=np.float64) @ grouping_matrix(feature_of_column, features)


def top_k_indices(grouped: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the k feature indices with the largest |contribution| (largest first) and a mask of
    which of them are non-zero (a model may use fewer than k features for a row)."""
    if k <= 0 or grouped.shape[1] == 0:
        empty = np.zeros((grouped.shape[0], 0), dtype=np.int64)
        return empty, empty.astype(bool)
    k = min(k, grouped.shape[1])
    # stable sort on -|c| keeps spec order among ties, so explanations are deterministic
    order = np.argsort(-np.abs(grouped), axis=1, kind="stable")[:, :k]
    used = np.abs(np.take_along_axis(grouped, order, axis=1)) > ZERO_CONTRIBUTION
    return order, used


def probability_effects(
    raw: np.ndarray, contrib: np.ndarray, calibrate: Any
) -> np.ndarray:
    """Calibrated p(raw) - p(raw - contribution), elementwise for a (rows x k) block of contributions."""
    raw = np.asarray(raw, dtype=np.float64)
    p_with = np.asarray(calibrate(raw), dtype=np.float64)
    without = raw[:, None] - contrib
    p_without = np.asarray(calibrate(without.ravel()), dtype=np.float64).reshape(without.shape)
    return p_with[:, None] - p_without


def _display_value(value: Any) -> float | bool | str | None:
    if value is None or value is pd.NA:
        return None
    if type(value) is float:
        return None if value != value else value  # NaN is not equal to itself
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer | int):
        return float(value)
    if isinstance(value, np.floating | float):
        return None if math.isnan(float(value)) else float(value)
    return str(value)


def _as_spans(raw: Any) -> list[EvidenceSpan]:
    """Accept one span or a list of spans, as models, dicts, tuples or objects with the fields."""
    if raw is None:
        return []
    items = raw if isinstance(raw, list | tuple) and (not raw or not isinstance(raw[0], int | str)) else [raw]
    out: list[EvidenceSpan] = []
    for s in items:
        if s is None:
            continue
        if isinstance(s, EvidenceSpan):
            out.append(s)
        elif isinstance(s, Mapping):
            out.append(EvidenceSpan.model_validate(dict(s)))
        elif isinstance(s, tuple | list) and len(s) == 4:
            sec, start, end, text = s
            out.append(EvidenceSpan(section=str(sec), start=_offset(start), end=_offset(end), text=str(text)))
        else:  # duck-typed span objects, e.g. features.evidence.EvidenceSpan
            out.append(
                EvidenceSpan(
                    section=str(s.section), start=_offset(s.start), end=_offset(s.end), text=str(s.text)
                )
            )
    return out


def _offset(v: Any) -> int | None:
    return None if v is None else int(v)


class Explainer:
    """Explains a trained model's scores; build once per loaded model, reuse for every batch."""

    def __init__(
        self,
        model: ExplainableModel,
        phrases: PhraseTable | None = None,
        top_k: int = 5,
        fast_min_rows: int | None = 64,
    ) -> None:
        """`fast_min_rows`: batches at least this big use `FastTreeShap` (None: always LightGBM)."""
        self.model = model
        self.fast_min_rows = fast_min_rows
        self._fast: Any = None  # FastTreeShap, built on first large batch (or by warm_up)
        self._fast_tried = False
        self.phrases = phrases if phrases is not None else load_phrase_table()
        self.top_k = top_k
        self.features: list[str] = list(model.spec.names)
        self._group = grouping_matrix(model.feature_of_column, self.features)
        self._descriptions = {f.name: f.description for f in model.spec.features}
        ctx = {self.phrases.family_feature} | {k for e in self.phrases.entries for k in e.when}
        self._context_features = sorted(c for c in ctx if c in set(self.features))
        self._no_phrase = self.phrases.no_guideline_text

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

    def contributions(self, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Per encoded column TreeSHAP values (rows x columns) and expected values (rows,)."""
        big = self.fast_min_rows is not None and len(rows) >= self.fast_min_rows
        fast = self._fast_shap() if big else None
        if fast is not None:
            out = fast.contributions(self.model.encode(rows).to_numpy(dtype=np.float64))
            return out[:, :-1], out[:, -1]
        c = self.model.contributions(rows)
        return np.asarray(c.values, dtype=np.float64), np.asarray(c.expected_value, dtype=np.float64)

    def grouped(self, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(per-feature contributions, expected values, raw scores) for a raw feature frame."""
        values, expected = self.contributions(rows)
        grouped = values @ self._group
        raw = values.sum(axis=1) + expected
        return grouped, expected, raw

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
        k = self.top_k if top_k is None else top_k
        n = len(rows)
        if evidence is not None and len(evidence) != n:
            raise ValueError(f"evidence has {len(evidence)} entries for {n} rows")
        if n == 0:
            return []
        grouped, expected, raw = self.grouped(rows)
        prob = np.asarray(self.model.calibrator.apply(raw), dtype=np.float64)
        order, used = top_k_indices(grouped, k)
        top = np.take_along_axis(grouped, order, axis=1)
        effects = probability_effects(raw, top, self.model.calibrator.apply)
        other = grouped.sum(axis=1) - np.where(used, top, 0.0).sum(axis=1)
        n_used = used.sum(axis=1).tolist()
        order_l, top_l, eff_l = order.tolist(), top.tolist(), effects.tolist()
        prob_l, raw_l, exp_l, other_l = prob.tolist(), raw.tolist(), expected.tolist(), other.tolist()

        columns = _LazyColumns(rows)
        ids = self._id_columns(rows)
        context_names = [f for f in self._context_features if f in rows.columns]
        context_cols = {f: columns.values(f) for f in context_names}
        ctx_keys = list(zip(*(columns.codes(f) for f in context_names), strict=True)) or [()] * n
        headings = [h or "" for h in ids["service"]]
        hits = [[bool(p.search(h)) for h in headings] for p in self.phrases.heading_patterns]
        heading_keys = list(zip(*hits, strict=True)) or [()] * n
        family = self.phrases.family_feature
        family_col = columns.values(family) if family in rows.columns else None
        guide_cache: dict[tuple[Any, ...], dict[str, Any]] = {}
        features, descriptions = self.features, self._descriptions

        present = set(rows.columns)
        col_values: dict[str, Any] = {}
        col_codes: dict[str, Any] = {}
        no_values, no_codes = [None] * n, [-1] * n
        out: list[dict[str, Any]] = []
        for i in range(n):
            context: dict[str, Any] | None = None  # built only when a phrase look-up misses the cache
            heading = ids["service"][i]
            row_evidence = evidence[i] if evidence is not None else None
            reasons: list[dict[str, Any]] = []
            for j in range(n_used[i]):
                name = features[order_l[i][j]]
                vals = col_values.get(name)
                if vals is None:
                    vals = col_values[name] = columns.values(name) if name in present else no_values
                    col_codes[name] = columns.codes(name) if name in present else no_codes
                value = vals[i]
                phi = top_l[i][j]
                direction = "raises" if phi > 0 else "lowers"
                key = (name, col_codes[name][i], direction, heading_keys[i], ctx_keys[i])
                guide = guide_cache.get(key)
                if guide is None:
                    if context is None:
                        context = {f: col[i] for f, col in context_cols.items()}
                        context[HEADING_CONTEXT] = heading
                    guide = self._guideline_part(self.phrases.match(name, value, context, direction))
                    guide_cache[key] = guide
                spans = _as_spans(row_evidence.get(name)) if row_evidence else ()
                reasons.append({
                    "feature": name,
                    "description": descriptions.get(name, ""),
                    "value": _display_value(value),
                    "direction": direction,
                    "log_odds": phi,
                    "probability_effect": eff_l[i][j],
                    **guide,
                    "evidence": [sp.model_dump() for sp in spans],
                })
            fam = None if family_col is None else _display_value(family_col[i])
            out.append({
                "letter_id": ids["letter_id"][i],
                "item_index": ids["item_index"][i],
                "service": heading,
                "service_family": None if fam is None else str(fam),
                "overturn_likelihood": prob_l[i],
                "raw_score": raw_l[i],
                "expected_value": exp_l[i],
                "other_features_log_odds": other_l[i],
                "reasons": reasons,
                "probability_effect_method": PROBABILITY_EFFECT_METHOD,
            })
        return out

    def _guideline_part(self, entry: PhraseEntry | None) -> dict[str, Any]:
        """The phrase/citation fields of a reason (shared by every reason that matches `entry`)."""
        if entry is None or entry.no_guideline:
            note = self._no_phrase if entry is None or not entry.note else f"{self._no_phrase} {entry.note}"
            return {"phrase": None, "citations": [], "citation": None, "no_guideline": True, "note": note}
        return {
            "phrase": entry.phrase,
            "citations": [c.model_dump() for c in entry.citations],
            "citation": "; ".join(c.text() for c in entry.citations),
            "no_guideline": False,
            "note": None,
        }

    @staticmethod
    def _id_columns(rows: pd.DataFrame) -> dict[str, list[Any]]:
        n = len(rows)

        def col(name: str, cast: Any) -> list[Any]:
            if name not in rows.columns:
                return [None] * n
            return [None if (v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)))
                    else cast(v) for v in rows[name].tolist()]

        service = "service" if "service" in rows.columns else "heading"
        return {
            "letter_id": col("letter_id", str),
            "item_index": col("item_index", int),
            "service": col(service, str),
        }


class _LazyColumns:
    """Object arrays and factorised codes of a frame's columns, converted only when first needed."""

    def __init__(self, rows: pd.DataFrame) -> None:
        self._rows = rows
        self._values: dict[str, np.ndarray] = {}
        self._codes: dict[str, list[int]] = {}

    def values(self, name: str) -> np.ndarray:
        if name not in self._values:
            self._values[name] = self._rows[name].to_numpy(dtype=object)
        return self._values[name]

    def codes(self, name: str) -> list[int]:
        """Same code = same value (missing values share one code), for cache keys."""
        if name not in self._codes:
            vals = self.values(name)
            if len(vals) < 256:  # pandas' fixed cost dominates small batches
                seen: dict[str, int] = {}
                self._codes[name] = [seen.setdefault(value_key(v), len(seen)) for v in vals]
            else:
                self._codes[name] = pd.factorize(pd.Series(vals, dtype=object))[0].tolist()
        return self._codes[name]


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
