"""Extractors of the DMHC feature spec: service features from the heading '<category> / <sub-category>'.

The DMHC case-level fields (diagnosis, review type, age range, gender, report year) have no letter
text to read, so `caller_supplied` leaves them missing; the adapter and API callers set them.
"""

from __future__ import annotations

from collections.abc import Callable

from features.dmhc_taxonomy import service_features
from features.evidence import EvidenceSpan, Extraction
from features.extractors.context import ServiceContext
from letters.records import Section


def _heading_span(ctx: ServiceContext) -> EvidenceSpan:
    text = ctx.text
    return EvidenceSpan(Section.SERVICE_HEADING, 0, len(text), text)


def _service_value(name: str) -> Callable[[ServiceContext], Extraction]:
    def extract(ctx: ServiceContext) -> Extraction:
        value = service_features(ctx.text)[name]
        return Extraction(value, _heading_span(ctx) if value is not None else None)

    return extract


def caller_supplied(ctx: ServiceContext) -> Extraction:
    """Missing unless the caller states the value (structured request `features`)."""
    return Extraction(None)


DMHC_EXTRACTORS: dict[str, Callable[[ServiceContext], Extraction]] = {
    "dmhc_treatment_category": _service_value("treatment_category"),
    "dmhc_treatment_subcategory": _service_value("treatment_subcategory"),
    "dmhc_service_family": _service_value("service_family"),
    "caller_supplied": caller_supplied,
}
