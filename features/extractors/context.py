"""What every extractor receives: the pre-review view of a case, one of its services, and the tables."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from features.service_families import ServiceClass, ServiceTaxonomy, load_taxonomy
from features.text_patterns import (
    FastPattern,
    TextPatterns,
    WordText,
    ascii_lower,
    heading_words,
    load_patterns,
    sentence_bounds,
)
from letters.pre_review import PreReviewCase, PreReviewService


@dataclass
class CaseContext:
    """Per-case state shared by the extractors of its services (sentence bounds, cached results)."""

    case: PreReviewCase
    patterns: TextPatterns
    taxonomy: ServiceTaxonomy
    summary: str = ""  # ascii-lower-cased clinical summary: what patterns search
    cache: dict[Any, Any] = field(default_factory=dict)
    _bounds: list[tuple[int, int]] | None = None
    _words: WordText | None = None

    @property
    def summary_raw(self) -> str:
        """The summary as written: what evidence spans quote."""
        return self.case.clinical_summary

    @property
    def bounds(self) -> list[tuple[int, int]]:
        if self._bounds is None:
            self._bounds = sentence_bounds(self.case.clinical_summary)
        return self._bounds

    @property
    def words(self) -> WordText:
        """The lower-cased summary prepared for word-start pattern search (built on first use)."""
        if self._words is None:
            self._words = WordText(self.summary)
        return self._words

    def matches(self, pattern: FastPattern) -> list[re.Match[str]]:
        """Every match of `pattern` in the summary, found once per case: each service asks again."""
        found = self.cache.get(pattern)
        if found is None:
            found = self.cache[pattern] = pattern.findall_in(self.words)
        return found

    def mention_starts(self, mention: FastPattern | str) -> list[int]:
        """Where `mention` starts in the summary, left to right without overlaps, found once per case:
        a pattern's matches, or a lower-case word's occurrences anywhere (as its escaped regex would)."""
        key = ("mention", mention)
        found = self.cache.get(key)
        if found is None:
            if isinstance(mention, str):
                found = []
                find, step = self.summary.find, len(mention)
                i = find(mention)
                while i >= 0:
                    found.append(i)
                    i = find(mention, i + step)
            else:
                found = [m.start() for m in self.matches(mention)]
            self.cache[key] = found
        return found

    @classmethod
    def build(cls, case: PreReviewCase) -> CaseContext:
        summary = ascii_lower(case.clinical_summary)
        return cls(case=case, patterns=load_patterns(), taxonomy=load_taxonomy(), summary=summary)


@dataclass
class ServiceContext:
    """One disputed service within its case; `text` is the part IMR decides (the heading otherwise)."""

    case_ctx: CaseContext
    service: PreReviewService
    service_class: ServiceClass
    text: str  # ascii-lower-cased service text: what patterns search
    cache: dict[str, Any] = field(default_factory=dict)
    _words: WordText | None = None

    @property
    def words(self) -> WordText:
        """`text` prepared for word-led patterns (built on first use): the heading's shared `WordText`,
        whose word index (or, without the C extension, key sets) rules most patterns out without a scan."""
        if self._words is None:
            self._words = heading_words(self.text)
        return self._words

    @property
    def text_raw(self) -> str:
        return self.service.service or self.service.heading

    @property
    def case(self) -> PreReviewCase:
        return self.case_ctx.case

    @property
    def patterns(self) -> TextPatterns:
        return self.case_ctx.patterns

    @classmethod
    def build(cls, case_ctx: CaseContext, service: PreReviewService) -> ServiceContext:
        text = service.service or service.heading
        return cls(case_ctx, service, case_ctx.taxonomy.classify(text), ascii_lower(text))

    @classmethod
    def of_service_text(
        cls,
        patterns: TextPatterns,
        taxonomy: ServiceTaxonomy,
        text: str,
        ur_guideline_raw: str | None = None,
        ur_no_evidence_cited: bool = False,
    ) -> ServiceContext:
        """A service with only its text (and UR guideline line) in an otherwise empty case: all that the
        extractors memoised by that text read."""
        case = PreReviewCase("", None, None, None, None, None, None, "", ())
        service = PreReviewService(0, text, text, False, "", ur_guideline_raw, ur_no_evidence_cited)
        case_ctx = CaseContext(case=case, patterns=patterns, taxonomy=taxonomy)
        return cls(case_ctx, service, taxonomy.classify(text), ascii_lower(text))
