"""Service headings -> family, type and attributes, driven by `service_taxonomy.yaml`.

The first taxonomy rule whose pattern matches wins; a heading no rule matches is family `other`,
type `unknown` (counted by `experiments/taxonomy_coverage.py`, never dropped).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

from features.text_patterns import FastPattern, PatternIndex, ascii_lower, compile_lower, heading_words

UNKNOWN_TYPE = "unknown"
OTHER_FAMILY = "other"


@dataclass(frozen=True, slots=True)
class TaxonomyRule:
    family: str
    type: str
    pattern: FastPattern


@dataclass(frozen=True, slots=True)
class ServiceClass:
    """The family and type of one heading, and where in the heading the rule matched."""

    family: str
    type: str
    start: int | None = None
    end: int | None = None

    @property
    def known(self) -> bool:
        return self.type != UNKNOWN_TYPE

    @property
    def specific(self) -> bool:
        """True when the heading maps to a named family (not `other`)."""
        return self.family != OTHER_FAMILY


@dataclass(frozen=True, eq=False)
class ServiceTaxonomy:
    families: tuple[str, ...]
    rules: tuple[TaxonomyRule, ...]
    index: PatternIndex = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", PatternIndex(r.pattern for r in self.rules))

    def classify(self, heading: str) -> ServiceClass:
        """Family and type of a heading (memoised: the same headings recur across letters)."""
        return _classify_cached(self, heading)

    def _classify(self, heading: str) -> ServiceClass:
        words = heading_words(ascii_lower(heading))
        rules = self.rules
        for i in self.index.candidates(words):  # in rule order; the rest cannot match this heading
            rule = rules[i]
            m = rule.pattern.search_in(words)
            if m:
                return ServiceClass(rule.family, rule.type, m.start(), m.end())
        return ServiceClass(OTHER_FAMILY, UNKNOWN_TYPE)

    def type_pattern(self, service_type: str) -> FastPattern | None:
        """The regex of a type's first rule (lower-case; to find the same treatment in the case summary)."""
        for rule in self.rules:
            if rule.type == service_type:
                return rule.pattern
        return None

    def coverage(self, headings: Iterable[str]) -> dict[str, int]:
        """Counts per family plus `unmapped` (rule-less) and `total`, for the coverage report."""
        counts: dict[str, int] = {f: 0 for f in self.families}
        counts["unmapped"] = 0
        counts["total"] = 0
        for h in headings:
            c = self.classify(h)
            counts[c.family] += 1
            counts["unmapped"] += int(not c.known)
            counts["total"] += 1
        return counts


@lru_cache(maxsize=8192)
def _classify_cached(taxonomy: ServiceTaxonomy, heading: str) -> ServiceClass:
    return taxonomy._classify(heading)


def clear_classification_cache() -> None:
    """Forget classified headings (a benchmark's cold start then pays for classifying, like a new process)."""
    _classify_cached.cache_clear()


@lru_cache(maxsize=1)
def load_taxonomy() -> ServiceTaxonomy:
    """The packaged taxonomy, validated: every rule's family must be a declared family."""
    text = resources.files("features").joinpath("service_taxonomy.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    families = tuple(data["families"])
    rules = []
    for i, r in enumerate(data["rules"]):
        if r["family"] not in families:
            raise ValueError(f"service_taxonomy.yaml rule {i}: unknown family {r['family']!r}")
        rules.append(TaxonomyRule(r["family"], r["type"], compile_lower(r["pattern"])))
    return ServiceTaxonomy(families=families, rules=tuple(rules))
