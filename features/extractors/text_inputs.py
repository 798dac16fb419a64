"""The pre-review text a model's text signal reads, one spec feature per part (summary, service, UR's
guideline line), so every surface that builds feature rows carries it. No span: the text itself is
the value, and explanations quote facts, not whole sections."""

from __future__ import annotations

from features.evidence import MISSING, Extraction
from features.extractors.context import ServiceContext


def _text(value: str | None) -> Extraction:
    return Extraction(value) if value else MISSING


def summary_text(ctx: ServiceContext) -> Extraction:
    return _text(ctx.case.clinical_summary)


def service_text(ctx: ServiceContext) -> Extraction:
    return _text(ctx.text)


def ur_guideline_text(ctx: ServiceContext) -> Extraction:
    return _text(ctx.service.ur_guideline_raw)


TEXT_EXTRACTORS = {
    "summary_text": summary_text,
    "service_text": service_text,
    "ur_guideline_text": ur_guideline_text,
}
