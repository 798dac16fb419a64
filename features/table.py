"""Cases -> the feature table (one row per disputed service), and per-row evidence for explanations.

`build_feature_table` is what training and the `imr features` command use; `feature_rows` gives the
same values with the letter span behind each one, for explanations. Both run the extractors named
in the feature spec on the pre-review view of a case only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from features.column_types import as_boolean, as_float, as_string
from features.evidence import EvidenceSpan, Extraction
from features.extractors import ServiceContext, registered_extractors
from features.extractors.context import service_contexts
from features.spec import POSITIVE_DECISION, FeatureSpec, Role, load_spec
from letters.records import Case


class UnknownExtractorError(KeyError):
    """The spec names an extractor that `features.extractors.registered_extractors()` does not have."""


@dataclass(frozen=True, slots=True)
class FeatureValue:
    name: str
    value: Any
    span: EvidenceSpan | None


@dataclass(slots=True)
class FeatureRow:
    """One disputed service's raw feature values, each with the evidence span that set it."""

    letter_id: str
    item_index: int
    heading: str
    values: dict[str, FeatureValue] = field(default_factory=dict)

    def raw(self) -> dict[str, Any]:
        """The plain feature dict (what `FeatureEncoder` and the API request model take)."""
        return {k: v.value for k, v in self.values.items()}


def _check_extractors(spec: FeatureSpec) -> None:
    known = registered_extractors()
    missing = [f.extractor for f in spec.features if f.extractor not in known]
    if missing:
        raise UnknownExtractorError(f"feature spec names unknown extractors: {missing}")


_Plan = list[tuple[str, Callable[[ServiceContext], Extraction], bool]]


def _plan(spec: FeatureSpec) -> _Plan:
    """(feature name, extractor, is case-level) in spec order: looked up once per batch, not per service."""
    known = registered_extractors()
    return [(f.name, known[f.extractor], f.role == Role.CASE) for f in spec.features]


def _extract_case(case: Case, spec: FeatureSpec) -> list[tuple[int, str, dict[str, Extraction]]]:
    """(item_index, heading, {feature: Extraction}) per service; case-level features run once."""
    return _extract_planned(case, _plan(spec))


def _extract_planned(case: Case, plan: _Plan) -> list[tuple[int, str, dict[str, Extraction]]]:
    return [(ctx.service.item_index, ctx.service.heading, values)
            for ctx, values in _extract_contexts(case, plan)]


def _extract_contexts(case: Case, plan: _Plan) -> list[tuple[ServiceContext, dict[str, Extraction]]]:
    """Each service's context (the letter's analysis, kept for whatever else reads it) and its values, each
    read through `ServiceContext.extraction`: a value the criteria checklist already read is not extracted
    again. Case-level values come from the first service's context, before its own values."""
    out: list[tuple[ServiceContext, dict[str, Extraction]]] = []
    for i, ctx in enumerate(service_contexts(case)):
        if i == 0:
            for _, fn, is_case in plan:
                if is_case:
                    ctx.extraction(fn, True)
        out.append((ctx, {name: ctx.extraction(fn, is_case) for name, fn, is_case in plan}))
    return out


def feature_extractions(
    case: Case, spec: FeatureSpec | None = None
) -> list[tuple[int, str, dict[str, Extraction]]]:
    """(item_index, heading, {feature: Extraction}) per service: `feature_rows` without building a
    `FeatureValue` per feature (the scoring API reads values and spans straight from these)."""
    spec = spec or load_spec()
    _check_extractors(spec)
    return _extract_case(case, spec)


def feature_rows(case: Case, spec: FeatureSpec | None = None) -> list[FeatureRow]:
    """Each service's feature values with their evidence spans (for explanations)."""
    spec = spec or load_spec()
    _check_extractors(spec)
    return [
        FeatureRow(
            letter_id=case.letter_id,
            item_index=idx,
            heading=heading,
            values={n: FeatureValue(n, e.value, e.span) for n, e in vals.items()},
        )
        for idx, heading, vals in _extract_case(case, spec)
    ]


@dataclass(frozen=True, slots=True)
class LetterScoringRows:
    """One letter's `scoring_rows` and the service contexts their values were read from (row i from
    `contexts[i]`): a checklist read from these contexts reuses the letter's analysis, never redoes it."""

    rows: list[dict[str, Any]]
    evidence: list[dict[str, EvidenceSpan]]
    contexts: list[ServiceContext]


def letter_scoring_rows(
    case: Case, spec: FeatureSpec | None = None, case_id: str | None = None
) -> LetterScoringRows:
    """What a predictor explains, per service: the raw features plus `letter_id` (`case_id` when given),
    `item_index` and `service` (the part IMR decides), the evidence span of each feature that has one, and
    the service's context."""
    spec = spec or load_spec()
    _check_extractors(spec)
    by_index = {s.item_index: s for s in case.services}
    rows: list[dict[str, Any]] = []
    evidence: list[dict[str, EvidenceSpan]] = []
    contexts: list[ServiceContext] = []
    for ctx, vals in _extract_contexts(case, _plan(spec)):
        idx, heading = ctx.service.item_index, ctx.service.heading
        svc = by_index.get(idx)
        row = {n: e.value for n, e in vals.items()}
        row.update(letter_id=case_id or case.letter_id, item_index=idx,
                   service=(svc.service if svc is not None else None) or heading)  # fmt: skip
        # the request's family is shown and stored beside its score even when the model reads no such input
        row.setdefault("service_family", ctx.service_class.family)
        rows.append(row)
        evidence.append({n: e.span for n, e in vals.items() if e.span is not None})
        contexts.append(ctx)
    return LetterScoringRows(rows, evidence, contexts)


def scoring_rows(
    case: Case, spec: FeatureSpec | None = None, case_id: str | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, EvidenceSpan]]]:
    """`letter_scoring_rows` without the contexts: the rows and their evidence spans."""
    scored = letter_scoring_rows(case, spec, case_id)
    return scored.rows, scored.evidence


def _table_records(cases: Iterable[Case], spec: FeatureSpec, with_target: bool) -> Iterator[dict[str, Any]]:
    plan = _plan(spec)
    for case in cases:
        by_index = {s.item_index: s for s in case.services}
        for idx, _heading, vals in _extract_planned(case, plan):
            s = by_index[idx]
            rec: dict[str, Any] = {
                "letter_id": case.letter_id,
                "item_index": idx,
                "case_number": case.case_number,
                "synthetic": case.synthetic,
                "letter_format": case.letter_format,
                "ur_denial_date": case.ur_denial_date,
                "heading": s.heading,
                "service": s.service,
            }
            rec.update({n: e.value for n, e in vals.items()})
            if with_target:
                rec[spec.target] = None if s.decision is None else int(s.decision == POSITIVE_DECISION)
            yield rec


def build_feature_table(
    cases: Iterable[Case], *, with_target: bool = True, spec: FeatureSpec | None = None
) -> pd.DataFrame:
    """One row per disputed service: id columns, meta columns, raw features, and the target.

    The target is 1 (Overturned), 0 (Upheld) or missing (decision unknown, e.g. serving input);
    rows are kept either way so a batch never loses a service.
    """
    spec = spec or load_spec()
    _check_extractors(spec)
    records = list(_table_records(cases, spec, with_target))
    columns = spec.table_columns if with_target else spec.table_columns[:-1]
    df = pd.DataFrame.from_records(records, columns=columns)
    return coerce_table_types(df, spec)


def build_feature_frames(
    cases: Sequence[Case],
    spec: FeatureSpec,
    *,
    chunk: int = 500,
    on_chunk: Callable[[int], None] | None = None,
) -> tuple[list[pd.DataFrame], list[str]]:
    """Feature tables of `cases` in chunks, so one bad letter is named and skipped, never the batch.

    A chunk that fails is rebuilt letter by letter; `on_chunk(n_letters)` reports progress.
    """
    frames: list[pd.DataFrame] = []
    failed: list[str] = []
    for start in range(0, len(cases), chunk):
        batch = cases[start : start + chunk]
        try:
            frames.append(build_feature_table(batch, spec=spec))
        except Exception:  # noqa: BLE001 - isolate the bad letter, keep the rest of the batch
            for case in batch:
                try:
                    frames.append(build_feature_table([case], spec=spec))
                except Exception as exc:  # noqa: BLE001
                    failed.append(f"{case.letter_id} ({case.source_file}): {type(exc).__name__}: {exc}")
        if on_chunk is not None:
            on_chunk(len(batch))
    return frames, failed


def coerce_table_types(df: pd.DataFrame, spec: FeatureSpec) -> pd.DataFrame:
    """Stable column dtypes (so parquet files and MLflow signatures do not depend on the batch).

    The typed columns go into one new frame: assigning them one by one into `df` cost ~60 us each
    (pandas splits a block per assignment), about half of typing a few hundred rows.
    """
    from features.spec import Dtype

    typed: dict[str, Any] = {}
    for f in spec.features:
        if f.name not in df.columns:
            continue
        if f.dtype == Dtype.NUMERIC:
            typed[f.name] = as_float(df[f.name])
        elif f.dtype == Dtype.BOOLEAN:
            typed[f.name] = as_boolean(df[f.name])
        else:
            typed[f.name] = as_string(df[f.name])
    if "item_index" in df.columns:
        typed["item_index"] = df["item_index"].astype("int64")
    if "ur_denial_date" in df.columns:
        typed["ur_denial_date"] = pd.to_datetime(df["ur_denial_date"], errors="coerce")
    if spec.target in df.columns:
        typed[spec.target] = df[spec.target].astype("Int8")
    for col in ("letter_id", "case_number", "letter_format", "heading", "service"):
        if col in df.columns:
            typed[col] = as_string(df[col])
    if "synthetic" in df.columns:
        typed["synthetic"] = df["synthetic"].astype("bool")
    columns = {c: typed[c] if c in typed else df[c] for c in df.columns}
    return pd.DataFrame(columns, index=df.index)
