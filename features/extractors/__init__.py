"""Rule-based extractors, one per spec feature, each returning the value and its evidence span.

Extractors receive a `ServiceContext` built from `PreReviewCase`, which carries no post-review text,
so no extractor can read the decision, the reviewer's guideline, the rationale or the decision date.
Register a new extractor by adding it to `registered_extractors` and naming it in `feature_spec.yaml`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from types import MappingProxyType

from features.evidence import Extraction
from features.extractors.case_level import CASE_EXTRACTORS
from features.extractors.context import CaseContext, ServiceContext
from features.extractors.criteria_level import criteria_extractors
from features.extractors.dmhc_level import DMHC_EXTRACTORS
from features.extractors.service_level import SERVICE_EXTRACTORS
from features.extractors.text_inputs import TEXT_EXTRACTORS

Extractor = Callable[[ServiceContext], Extraction]


@lru_cache(maxsize=1)
def registered_extractors() -> Mapping[str, Extractor]:
    """Every extractor by the name the feature spec gives it, listed on first use: the criterion columns'
    extractors come from criteria.yaml, which importing this package does not read."""
    return MappingProxyType({
        **CASE_EXTRACTORS, **SERVICE_EXTRACTORS, **DMHC_EXTRACTORS, **criteria_extractors(), **TEXT_EXTRACTORS
    })


__all__ = ["CaseContext", "Extraction", "Extractor", "ServiceContext", "registered_extractors"]
