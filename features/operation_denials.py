"""Operations the record says were not done: the UR's account of an earlier operation gives way to the
record's own denial of it, wherever in the summary the record says so (ruling R4 of session 40: the record
wins over the UR's account of a record fact)."""

from __future__ import annotations

from functools import cached_property

from features.analysis import AnalysedText, Mention
from features.assertions import Category
from features.authors import UR_REVIEWER
from features.body_regions import RegionMention, body_regions, same_side
from features.clauses import clause_end, clause_start
from features.value_patterns import value_patterns

# characters around an operation's word in which the region it was done on is named ("a right shoulder
# arthroscopy", "surgery on his left knee"), within its clause
_REGION_BEFORE, _REGION_AFTER = 30, 25
# a denial must say the operation was not done, not that it is not wanted or not indicated
_NOT_A_DENIAL = frozenset({Category.HYPOTHETICAL, Category.FAMILY})


class OperationDenials:
    """The record's denials of an operation (negated mentions of the `surgery` concept outside the UR's
    sentences), each with the regions its words name, and whether one of them answers a UR mention."""

    def __init__(self, summary: AnalysedText) -> None:
        self.summary = summary

    @cached_property
    def denials(self) -> list[tuple[Mention, list[RegionMention]]]:
        return [(m, self.regions_of(m)) for m in self.summary.mentions("surgery")
                if m.author != UR_REVIEWER and Category.NEGATED in m.assertion.categories
                and not m.assertion.categories & _NOT_A_DENIAL]

    def regions_of(self, m: Mention) -> list[RegionMention]:
        """The regions (and sides) named in the operation's own words: its clause, near the mention."""
        text = self.summary.text
        lo = max(clause_start(text, m.sentence.start, m.start), m.start - _REGION_BEFORE)
        hi = min(clause_end(text, m.end, m.sentence.end), m.end + _REGION_AFTER)
        return body_regions().find(self.summary.lower, lo, hi)

    def denied_by_record(self, m: Mention) -> bool:
        """Whether the record denies the operation the UR names at `m`: a denial of the same region (the same
        side where both give one), or a denial naming no region that is of any operation ("has not had any
        surgery") or of the same kind ("arthroscopy was never performed")."""
        mine = self.regions_of(m)
        regions = body_regions()
        generic = value_patterns()["operation_generic"]
        for d, theirs in self.denials:
            if mine and theirs:
                if any(regions.same(a.region, b.region) and same_side(a.side, b.side)
                       for a in mine for b in theirs):
                    return True
            elif not theirs and (generic.fullmatch(d.text.lower()) or d.text.lower() == m.text.lower()):
                return True
        return False
