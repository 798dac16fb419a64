"""Top-k reasons as plain JSON-ready dicts, for the API's hot path.

Same numbers and phrase matching as `features.explanations.Explainer` (built from its functions and
the same phrase table), but it reads rows as dicts and writes dicts, skipping pandas and pydantic
objects, which cost most of the time per service. A unit test checks both give identical output.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from features.explanation_models import PROBABILITY_EFFECT_METHOD
from features.explanations import grouping_matrix, probability_effects, top_k_indices
from features.guideline_phrases import HEADING_CONTEXT, PhraseEntry, PhraseTable, value_key

_CACHE_LIMIT = 200_000  # phrase-match cache entries kept per model before it is cleared


def _display(value: Any) -> float | bool | str | None:
    if value is None:
        return None
    t = type(value)
    if t is bool:
        return value
    if t is float:
        return None if math.isnan(value) else value
    if t is int:
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer | np.floating):
        f = float(value)
        return None if math.isnan(f) else f
    if type(value).__name__ == "NAType":
        return None
    return str(value)


def _span_dict(span: Any) -> dict[str, Any]:
    if isinstance(span, Mapping):
        return dict(span)
    to_dict = getattr(span, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    dump = getattr(span, "model_dump", None)
    if dump is not None:
        return dump(mode="json")
    return {"section": str(span[0]), "start": span[1], "end": span[2], "text": str(span[3])}


def _spans(raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if isinstance(raw, list | tuple) and (not raw or not isinstance(raw[0], int | str)):
        return [_span_dict(s) for s in raw if s is not None]
    return [_span_dict(raw)]


class ReasonBuilder:
    """Built once per served model: grouping matrix, descriptions, phrase table and a match cache."""

    def __init__(
        self, spec: Any, feature_of_column: Sequence[str], calibrate: Any, phrases: PhraseTable, top_k: int
    ) -> None:
        self.features: list[str] = list(spec.names)
        self.group = grouping_matrix(feature_of_column, self.features)
        self.calibrate = calibrate
        self.phrases = phrases
        self.top_k = top_k
        self._descriptions = {f.name: f.description for f in spec.features}
        ctx = {phrases.family_feature} | {k for e in phrases.entries for k in e.when}
        self._context = sorted(c for c in ctx if c in set(self.features))
        self._patterns = phrases.heading_patterns
        self._no_phrase = phrases.no_guideline_text
        self._cache: dict[tuple[Any, ...], dict[str, Any]] = {}

    def _static(self, name: str, direction: str, entry: PhraseEntry | None) -> dict[str, Any]:
        """The parts of a reason that depend only on the matched phrase entry."""
        if entry is None or entry.no_guideline:
            note = self._no_phrase if entry is None or not entry.note else f"{self._no_phrase} {entry.note}"
            return {"phrase": None, "citations": [], "citation": None, "no_guideline": True, "note": note}
        citations = list(entry.citations)
        return {
            "phrase": entry.phrase,
            "citations": [c.model_dump(mode="json") for c in citations],
            "citation": "; ".join(c.text() for c in citations),
            "no_guideline": False,
            "note": None,
        }

    def explain(
        self,
        rows: Sequence[Mapping[str, Any]],
        contrib: np.ndarray,
        evidence: Sequence[Mapping[str, Any] | None] | None = None,
        top_k: int | None = None,
    ) -> list[dict[str, Any]]:
        """One dict per row, shaped like `ServiceExplanation`; `contrib` is LightGBM `pred_contrib`."""
        n = len(rows)
        if n == 0:
            return []
        k = self.top_k if top_k is None else top_k
        values = contrib[:, :-1]
        expected = contrib[:, -1]
        grouped = values @ self.group
        raw = values.sum(axis=1) + expected
        prob = np.asarray(self.calibrate(raw), dtype=np.float64)
        order, used = top_k_indices(grouped, k)
        top = np.take_along_axis(grouped, order, axis=1)
        effects = probability_effects(raw, top, self.calibrate)
        other = grouped.sum(axis=1) - np.where(used, top, 0.0).sum(axis=1)
        n_used = used.sum(axis=1).tolist()
        order_l, top_l, effects_l = order.tolist(), top.tolist(), effects.tolist()
        prob_l, raw_l, exp_l, other_l = prob.tolist(), raw.tolist(), expected.tolist(), other.tolist()

        cache = self._cache
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        features, descriptions, family_feature = (
            self.features,
            self._descriptions,
            self.phrases.family_feature,
        )
        hits_by_heading: dict[str | None, tuple[bool, ...]] = {}
        out: list[dict[str, Any]] = []
        for i in range(n):
            row = rows[i]
            heading = row.get("service") or row.get("heading")
            heading = None if heading is None else str(heading)
            context_keys: tuple[str, ...] | None = None
            heading_hits: tuple[bool, ...] | None = None
            row_evidence = evidence[i] if evidence is not None else None
            reasons: list[dict[str, Any]] = []
            for j in range(n_used[i]):
                name = features[order_l[i][j]]
                value = row.get(name)
                phi = top_l[i][j]
                direction = "raises" if phi > 0 else "lowers"
                if context_keys is None:
                    context_keys = tuple(value_key(row.get(f)) for f in self._context)
                    heading_hits = hits_by_heading.get(heading)
                    if heading_hits is None:  # headings repeat within a batch; patterns are pure
                        heading_hits = hits_by_heading[heading] = tuple(
                            bool(heading and p.search(heading)) for p in self._patterns
                        )
                key = (name, value_key(value), direction, heading_hits, *context_keys)
                static = cache.get(key)
                if static is None:
                    context = {f: row.get(f) for f in self._context}
                    context[HEADING_CONTEXT] = heading
                    entry = self.phrases.match(name, value, context, direction)
                    static = cache[key] = self._static(name, direction, entry)
                reasons.append(
                    {
                        "feature": name,
                        "description": descriptions.get(name, ""),
                        "value": _display(value),
                        "direction": direction,
                        "log_odds": phi,
                        "probability_effect": effects_l[i][j],
                        **static,
                        "evidence": _spans(row_evidence.get(name)) if row_evidence else [],
                    }
                )
            family = row.get(family_feature)
            letter_id = row.get("letter_id")
            item_index = row.get("item_index")
            out.append(
                {
                    "letter_id": None if letter_id is None else str(letter_id),
                    "item_index": None if item_index is None else int(item_index),
                    "service": heading,
                    "service_family": None if family is None else _display(family),
                    "overturn_likelihood": prob_l[i],
                    "raw_score": raw_l[i],
                    "expected_value": exp_l[i],
                    "other_features_log_odds": other_l[i],
                    "reasons": reasons,
                    "probability_effect_method": PROBABILITY_EFFECT_METHOD,
                }
            )
        return out
