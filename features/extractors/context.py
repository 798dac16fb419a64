"""What every extractor receives: the pre-review view of a case, one of its services, and their facts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from features.evidence import Extraction
from features.facts import CaseFacts, ServiceFacts
from features.service_families import ServiceClass, ServiceTaxonomy, load_taxonomy
from letters.pre_review import PreReviewCase, PreReviewService
from letters.records import Case


@dataclass
class CaseContext:
    """One case and its facts (the summary is analysed once, on first use, for all its services)."""

    case: PreReviewCase
    taxonomy: ServiceTaxonomy
    cache: dict[str, Any] = field(default_factory=dict)  # values derived once per case (criteria checklist)
    # case-level extractors' values by extractor (`ServiceContext.extraction`), shared by every service
    extractions: dict[Callable[[ServiceContext], Extraction], Extraction] = field(default_factory=dict)

    @cached_property
    def facts(self) -> CaseFacts:
        return CaseFacts(self.case, [c.family for c in self.service_classes])

    @cached_property
    def service_classes(self) -> list[ServiceClass]:
        """Each service's family and type (in `case.services` order), its letter's requests read together."""
        return self.taxonomy.classify_letter([s.service or s.heading for s in self.case.services])

    def service_class(self, service: PreReviewService) -> ServiceClass:
        for s, c in zip(self.case.services, self.service_classes, strict=True):
            if s is service:
                return c
        return self.taxonomy.classify(service.service or service.heading)  # a service of no letter

    @classmethod
    def build(cls, case: PreReviewCase) -> CaseContext:
        return cls(case=case, taxonomy=load_taxonomy())


@dataclass
class ServiceContext:
    """One disputed service within its case; `text` is the part IMR decides (the heading otherwise)."""

    case_ctx: CaseContext
    service: PreReviewService
    service_class: ServiceClass
    cache: dict[str, Any] = field(default_factory=dict)  # values derived once per service (its checklist)
    extractions: dict[Callable[[ServiceContext], Extraction], Extraction] = field(default_factory=dict)

    def extraction(self, extractor: Callable[[ServiceContext], Extraction], case_level: bool) -> Extraction:
        """`extractor`'s value for this service, computed once (once per case when `case_level`: every service
        of the letter shares it). The feature table and the criteria checklist both read facts through here,
        so a fact the checklist reads is not extracted a second time."""
        store = self.case_ctx.extractions if case_level else self.extractions
        found = store.get(extractor)
        if found is None:
            found = store[extractor] = extractor(self)
        return found

    @property
    def case(self) -> PreReviewCase:
        return self.case_ctx.case

    @property
    def text(self) -> str:
        return self.service.service or self.service.heading

    @cached_property
    def facts(self) -> ServiceFacts:
        c = self.service_class
        return self.case_ctx.facts.service(self.service, c.family, c.type)

    @classmethod
    def build(cls, case_ctx: CaseContext, service: PreReviewService) -> ServiceContext:
        return cls(case_ctx, service, case_ctx.service_class(service))


def service_contexts(case: Case) -> list[ServiceContext]:
    """A context per disputed service of the letter's pre-review view, in letter order, all sharing one
    `CaseContext`: whatever reads these contexts (feature rows, checklists) shares one analysis of the
    letter."""
    case_ctx = CaseContext.build(PreReviewCase.from_case(case))
    return [ServiceContext.build(case_ctx, s) for s in case_ctx.case.services]
