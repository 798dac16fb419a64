"""Which sentence a checklist item quotes for a fact, when several give the fact its value (session 19).

The record's own sentence comes before the UR's account of its decision ("The request was denied because
conservative care was not tried" is what UR said, not what the record shows), and for a finding of a body
region (`CriteriaTable.regional_findings`) a sentence about the request's region comes before one naming
only another region. A UR or other-region sentence is quoted only when nothing better gives the value;
the value itself is never re-read here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from features.authors import UR_REVIEWER
from features.body_regions import SPINE_UNSPECIFIED, RegionMention, body_regions, heading_regions, same_side
from features.casefold import lower_text
from letters.records import Section

NO_REGION_OF_REQUEST = frozenset({"none", "multiple"})


class Quoted(Protocol):
    """What ranking reads of a quoted sentence (`features.checklist.EvidenceItem`)."""

    text: str
    section: str
    author: str | None


Q = TypeVar("Q", bound=Quoted)


def ur_account(item: Quoted) -> bool:
    """A summary sentence the UR reviewer writes or that reports the UR's decision (its author)."""
    return item.section == Section.CLINICAL_SUMMARY.value and item.author == UR_REVIEWER


def named_regions(text: str) -> list[RegionMention]:
    """The specific regions a sentence names, with their sides (an unspecified "back" is too common a word
    to count)."""
    return [r for r in body_regions().find(lower_text(text)) if r.region != SPINE_UNSPECIFIED]


class SentenceRegions:
    """`named_regions` of the sentences of one letter, each read once: a letter's checklist items and
    findings rank the same few sentences again and again (session 32: 955 readings of 288 sentences in 200
    SYNTHETIC letters). Held by the letter's `ExamFindings`, so it never outlives the letter."""

    def __init__(self) -> None:
        self._named: dict[str, list[RegionMention]] = {}

    def __call__(self, text: str) -> list[RegionMention]:
        found = self._named.get(text)
        if found is None:
            found = self._named[text] = named_regions(text)
        return found


def request_side(heading: str) -> str | None:
    """The side a request's heading names, when all its regions name the same one (else None: any side)."""
    sides = {r.side for r in heading_regions(heading)}
    return sides.pop() if len(sides) == 1 else None


@dataclass(frozen=True)
class EvidenceRanker:
    """Ranks the candidate sentences of one service's checklist items. `request`: the regions the request
    is about (empty: unknown); `side`: the side it names (None: any); `lead_in(item)`: the sentences just
    before a quoted one, nearest first, in whose region a sentence naming none is read ("On 11/18 he
    reported right shoulder pain. Moderate weakness was noted." is a right shoulder finding); `related`:
    whether a region whose findings speak for the request's (a spine and its limbs, `finding_regions`)
    counts as the request's, as for a neurological finding, or only the same region does, as for a joint's
    examination (session 23); `regions_of(text)`: the specific regions a sentence names (`named_regions`, or
    the letter's `SentenceRegions`)."""

    request: frozenset[str]
    side: str | None
    lead_in: Callable[[Quoted], Sequence[str]]
    related: bool = True
    regions_of: Callable[[str], list[RegionMention]] = named_regions

    def region_rank(self, item: Quoted) -> int:
        """0: the sentence names a region of the request or one whose findings speak for it (on its side);
        1: it names none and the sentence before it names one of those; 2: neither names a region, or the
        request's region is unknown; 3: it names none and the sentence before it names only others; 4: it
        names only other regions (or the other side)."""
        if not self.request or item.section != Section.CLINICAL_SUMMARY.value:
            return 2
        named = self.regions_of(item.text)
        if named:
            return 0 if self._speaks_for_request(named) else 4
        for before in self.lead_in(item):
            named = self.regions_of(before)
            if named:
                return 1 if self._speaks_for_request(named) else 3
        return 2

    def _speaks_for_request(self, named: list[RegionMention]) -> bool:
        """A region named speaks for the request: its own or one whose findings count, on its side."""
        regions = body_regions()
        def speaks(a: str, b: str) -> bool:
            return regions.finding_of(a, b) if self.related else regions.same(a, b) or regions.same(b, a)

        return any(speaks(n.region, r) and same_side(n.side, self.side) for n in named for r in self.request)

    def rank(self, item: Quoted, regional: bool) -> tuple[bool, int]:
        """Sort key, smaller first: the record's own before the UR's account, then (for a regional finding)
        the request's region before no region before another region only."""
        return ur_account(item), self.region_rank(item) if regional else 2

    def settled(self, item: Quoted, regional: bool) -> bool:
        """Whether nothing can rank before `item` (so the other candidates need not be read)."""
        return self.rank(item, regional) <= (False, 0 if regional and self.request else 2)

    def best(self, candidates: Iterable[Q], regional: bool) -> Q | None:
        """The first of the best-ranked candidates (candidates come deciding one first)."""
        return min(candidates, key=lambda i: self.rank(i, regional), default=None)


def request_regions(region: str | None, heading_regions: Iterable[str]) -> frozenset[str]:
    """The regions a request is about: its resolved region and every region its heading names."""
    return frozenset(r for r in (region, *heading_regions) if r and r not in NO_REGION_OF_REQUEST)
