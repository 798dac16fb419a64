"""Rule-based extractors, one per spec feature, each returning the value and its evidence span.

Extractors receive a `ServiceContext` built from `PreReviewCase`, which carries no post-review text,
so no extractor can read the decision, the reviewer's guideline, the rationale or the decision date.
Register a new extractor by adding it to `EXTRACTORS` and naming it in `feature_spec.yaml`.
"""

from __future__ import annotations

from collections.abc import Callable

from features.evidence import Extraction
from features.extractors.case_level import CASE_EXTRACTORS
from features.extractors.context import CaseContext, ServiceContext
from features.extractors.criteria_level import CRITERIA_EXTRACTORS
from features.extractors.dmhc_level import DMHC_EXTRACTORS
from features.extractors.service_level import SERVICE_EXTRACTORS
from features.extractors.text_inputs import TEXT_EXTRACTORS

Extractor = Callable[[ServiceContext], Extraction]

EXTRACTORS: dict[str, Extractor] = {
    **CASE_EXTRACTORS, **SERVICE_EXTRACTORS, **DMHC_EXTRACTORS, **CRITERIA_EXTRACTORS, **TEXT_EXTRACTORS
}

__all__ = ["EXTRACTORS", "CaseContext", "Extraction", "Extractor", "ServiceContext"]
