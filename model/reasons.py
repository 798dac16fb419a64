"""Top-k reasons for a batch of scored services, as JSON-ready dicts: the one implementation behind
every explanation, through `model.predictor.Predictor.explain` (CLI, API, batch, Dask).

The numbers are array operations over the whole batch (grouping per feature, calibrated probability,
top-k, probability effects); what is left per reason is a phrase look-up in a cache keyed by exactly
what the phrase table reads (feature, direction, the value's bucket, the service's context) and one
small dict. Inputs are read column by column (`model.row_columns`), from a DataFrame or dict rows.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from model.explanation_models import PROBABILITY_EFFECT_METHOD, EvidenceSpan
from model.guideline_phrases import HEADING_CONTEXT, PhraseEntry, PhraseTable, as_number, value_key
from model.row_columns import RowColumns

ZERO_CONTRIBUTION = 1e-12  # |log-odds| below this is "not used by the model for this row"
CACHE_LIMIT = 200_000  # phrase-match cache entries kept per builder before it is cleared
_NO_VALUE, _BOUNDS, _EXACT = 0, 1, 2  # how the phrase table reads a feature's own value


def grouping_matrix(feature_of_column: Sequence[str], features: Sequence[str]) -> np.ndarray:
    """0/1 matrix (encoded columns x features): `contrib @ G` sums one-hot/text columns per feature."""
    index = {f: j for j, f in enumerate(features)}
    unknown = sorted({f for f in feature_of_column if f not in index})
    if unknown:
        raise ValueError(f"encoded columns belong to features not in the spec: {unknown}")
    g = np.zeros((len(feature_of_column), len(features)), dtype=np.float64)
    g[np.arange(len(feature_of_column)), [index[f] for f in feature_of_column]] = 1.0
    return g


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


def probability_effects(raw: np.ndarray, contrib: np.ndarray, calibrate: Any) -> np.ndarray:
    """Calibrated p(raw) - p(raw - contribution), elementwise for a (rows x k) block of contributions."""
    raw = np.asarray(raw, dtype=np.float64)
    p_with = np.asarray(calibrate(raw), dtype=np.float64)
    without = raw[:, None] - contrib
    p_without = np.asarray(calibrate(without.ravel()), dtype=np.float64).reshape(without.shape)
    return p_with[:, None] - p_without


def display_value(value: Any) -> float | bool | str | None:
    """A raw feature value as the explanation shows it (numbers as floats, missing as None)."""
    t = type(value)
    if t is float:
        return None if value != value else value  # NaN is not equal to itself
    if t is str or t is bool or value is None:
        return value
    if type(value).__name__ == "NAType":
        return None
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer | int):
        return float(value)
    if isinstance(value, np.floating | float):
        return None if math.isnan(float(value)) else float(value)
    return str(value)


def span_dicts(raw: Any) -> list[dict[str, Any]]:
    """Evidence span(s) as dicts shaped like `EvidenceSpan`: one span or a list of them, given as
    `features.evidence.EvidenceSpan`, the pydantic model, a mapping, a 4-tuple or an object with the
    fields. Mappings are validated (they come from callers, not from the extractors)."""
    if raw is None:
        return []
    if isinstance(raw, list | tuple) and (not raw or not isinstance(raw[0], int | str)):
        return [_span_dict(s) for s in raw if s is not None]
    return [_span_dict(raw)]


def _span_dict(s: Any) -> dict[str, Any]:
    to_dict = getattr(s, "to_dict", None)
    if to_dict is not None:  # features.evidence.EvidenceSpan: already section value + int offsets
        return to_dict()
    if isinstance(s, EvidenceSpan):
        return s.model_dump()
    if isinstance(s, Mapping):
        return EvidenceSpan.model_validate(dict(s)).model_dump()
    if isinstance(s, tuple | list) and len(s) == 4:
        sec, start, end, text = s
    else:
        sec, start, end, text = s.section, s.start, s.end, s.text
    return EvidenceSpan(section=str(sec), start=_offset(start), end=_offset(end), text=str(text)).model_dump()


def _offset(v: Any) -> int | None:
    return None if v is None else int(v)


class ReasonBuilder:
    """Built once per loaded model: grouping matrix, descriptions, phrase table and a match cache."""

    def __init__(
        self,
        spec: Any,
        feature_of_column: Sequence[str],
        calibrate: Callable[[np.ndarray], np.ndarray],
        phrases: PhraseTable,
        top_k: int,
    ) -> None:
        self.features: list[str] = list(spec.names)
        self.group = grouping_matrix(feature_of_column, self.features)
        self.calibrate = calibrate
        self.phrases = phrases
        self.top_k = top_k
        descriptions = {f.name: f.description for f in spec.features}
        self._descriptions = [descriptions.get(f, "") for f in self.features]
        self._value_use: list[tuple[int, tuple[float, ...]]] = []
        for f in self.features:
            use, bounds = phrases.value_use(f)
            self._value_use.append(({"none": _NO_VALUE, "bounds": _BOUNDS}.get(use, _EXACT), bounds))
        ctx = {k for e in phrases.entries for k in e.when}
        self._when = sorted(c for c in ctx if c in set(self.features))
        self._family = phrases.family_feature
        self._patterns = phrases.heading_patterns
        self._no_phrase = phrases.no_guideline_text
        self._cache: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self._contexts: dict[tuple[Any, ...], int] = {}
        self._context_ids = itertools.count()  # never reused, so codes stay unique across threads

    def explain(
        self,
        columns: RowColumns,
        values: np.ndarray,
        expected: np.ndarray,
        evidence: Sequence[Mapping[str, Any] | None] | None = None,
        top_k: int | None = None,
    ) -> list[dict[str, Any]]:
        """One dict per row, shaped like `ServiceExplanation`. `values` are TreeSHAP contributions per
        encoded column (rows x columns), `expected` the expected value per row; `evidence[i]` maps
        feature name -> span(s) that set row i's value."""
        n = columns.n
        if evidence is not None and len(evidence) != n:
            raise ValueError(f"evidence has {len(evidence)} entries for {n} rows")
        if n == 0:
            return []
        k = self.top_k if top_k is None else top_k
        values = np.asarray(values, dtype=np.float64)
        expected = np.asarray(expected, dtype=np.float64)
        grouped = values @ self.group
        raw = values.sum(axis=1) + expected
        prob = np.asarray(self.calibrate(raw), dtype=np.float64)
        order, used = top_k_indices(grouped, k)
        top = np.take_along_axis(grouped, order, axis=1)
        effects = probability_effects(raw, top, self.calibrate)
        other = grouped.sum(axis=1) - np.where(used, top, 0.0).sum(axis=1)
        return self._records(columns, order, used, top, effects, prob, raw, expected, other, evidence)

    def _records(
        self, columns: RowColumns, order: np.ndarray, used: np.ndarray, top: np.ndarray,
        effects: np.ndarray, prob: np.ndarray, raw: np.ndarray, expected: np.ndarray, other: np.ndarray,
        evidence: Sequence[Mapping[str, Any] | None] | None,
    ) -> list[dict[str, Any]]:
        n = columns.n
        n_used = used.sum(axis=1).tolist()
        order_l, top_l, eff_l = order.tolist(), top.tolist(), effects.tolist()
        prob_l, raw_l, exp_l, other_l = prob.tolist(), raw.tolist(), expected.tolist(), other.tolist()
        services = columns.services()
        letter_ids, item_indices = columns.ids()
        families = columns.values(self._family)
        contexts = self._context_codes(columns, services, families)
        if len(self._cache) > CACHE_LIMIT:
            self._cache.clear()
        cache = self._cache
        value_use = self._value_use
        feature_values: list[list[Any] | None] = [None] * len(self.features)
        out: list[dict[str, Any]] = []
        for i in range(n):
            row_evidence = evidence[i] if evidence is not None else None
            ctx = contexts[i]
            reasons: list[dict[str, Any]] = []
            for j in range(n_used[i]):
                f = order_l[i][j]
                vals = feature_values[f]
                if vals is None:
                    vals = feature_values[f] = columns.values(self.features[f])
                value = vals[i]
                phi = top_l[i][j]
                raises = phi > 0
                use, bounds = value_use[f]
                if use == _NO_VALUE:
                    token: Any = None
                elif use == _BOUNDS:
                    num = as_number(value)
                    token = None if num is None else (bisect_left(bounds, num), bisect_right(bounds, num))
                else:
                    token = (value_key(value), as_number(value))
                key = (f, raises, token, ctx)
                part = cache.get(key)
                if part is None:
                    part = cache[key] = self._part(f, value, raises, columns, services, families, i)
                reasons.append({
                    "feature": part[0],
                    "description": part[1],
                    "value": display_value(value),
                    "direction": part[2],
                    "log_odds": phi,
                    "probability_effect": eff_l[i][j],
                    "phrase": part[3],
                    "citations": part[4],
                    "citation": part[5],
                    "no_guideline": part[6],
                    "note": part[7],
                    "evidence": span_dicts(row_evidence.get(part[0])) if row_evidence else [],
                })
            fam = display_value(families[i])
            out.append({
                "letter_id": letter_ids[i],
                "item_index": item_indices[i],
                "service": services[i],
                "service_family": None if fam is None else str(fam),
                "overturn_likelihood": prob_l[i],
                "raw_score": raw_l[i],
                "expected_value": exp_l[i],
                "other_features_log_odds": other_l[i],
                "reasons": reasons,
                "probability_effect_method": PROBABILITY_EFFECT_METHOD,
            })
        return out

    def _context_codes(
        self, columns: RowColumns, services: list[str | None], families: list[Any]
    ) -> list[int]:
        """Per row, a code for what the phrase table reads besides the feature's own value: the
        family (as `PhraseTable.match` compares it), the `when` features' keys and which heading
        patterns the service heading matches. Codes are kept across batches with the match cache."""
        hits: dict[str | None, tuple[bool, ...]] = {}
        for h in services:
            if h not in hits:
                hits[h] = tuple(h is not None and p.search(h) is not None for p in self._patterns)
        keyed = [[value_key(v) for v in columns.values(f)] for f in self._when]
        codes = self._contexts
        if len(codes) > CACHE_LIMIT:
            codes.clear()
            self._cache.clear()
        out = []
        for i, row_key in enumerate(zip(*keyed, strict=True) if keyed else [()] * columns.n):
            fam = families[i]
            key = (None if fam is None else str(fam), hits[services[i]], *row_key)
            code = codes.get(key)
            if code is None:  # setdefault: a concurrent batch that added the key first wins
                code = codes.setdefault(key, next(self._context_ids))
            out.append(code)
        return out

    def _part(
        self, f: int, value: Any, raises: bool, columns: RowColumns, services: list[str | None],
        families: list[Any], i: int,
    ) -> tuple[Any, ...]:
        """The parts of a reason fixed by its cache key: name, description, direction, guideline."""
        name = self.features[f]
        direction = "raises" if raises else "lowers"
        context = {w: columns.values(w)[i] for w in self._when}
        context[self._family] = families[i]
        context[HEADING_CONTEXT] = services[i]
        entry: PhraseEntry | None = self.phrases.match(name, value, context, direction)
        if entry is None or entry.no_guideline:
            note = self._no_phrase if entry is None or not entry.note else f"{self._no_phrase} {entry.note}"
            return name, self._descriptions[f], direction, None, [], None, True, note
        return (
            name,
            self._descriptions[f],
            direction,
            entry.phrase,
            [c.model_dump(mode="json") for c in entry.citations],
            "; ".join(c.text() for c in entry.citations),
            False,
            None,
        )
