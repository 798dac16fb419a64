"""What one disputed service's heading says (its words, region, side, whether it names a region at all),
apart from the case: what the imaging, session and duration readers match the summary against."""

from __future__ import annotations

import dataclasses
from functools import cached_property

from features.body_regions import HEADING_SIDES, RegionMention, body_regions, heading_regions
from features.casefold import lower_text
from features.evidence import EvidenceSpan
from features.value_patterns import value_patterns
from letters.pre_review import PreReviewService
from letters.records import Section

REGION_LESS_FAMILIES = frozenset({"medication", "dme", "lab"})


class ServiceHeading:
    """One disputed service's heading: its family and type, its words, and the region and side they name."""

    def __init__(self, service: PreReviewService, family: str, service_type: str) -> None:
        self.service = service
        self.family = family
        self.service_type = service_type
        self.text = service.service or service.heading
        self.lower = lower_text(self.text)

    def heading_span(self, start: int | None = None, end: int | None = None) -> EvidenceSpan:
        """Evidence in the heading: the matched words (the whole heading by default) and the heading as
        its sentence."""
        text = self.text
        s, e = (0, len(text)) if start is None else (start, end)
        return EvidenceSpan(Section.SERVICE_HEADING, s, e, text[s:e], sentence=text,
                            sentence_start=0, sentence_end=len(text), author=None, assertion="affirmed")

    @cached_property
    def regions(self) -> list[RegionMention]:
        """The regions the heading names; a region named again without a side takes the side named with it
        ("Left knee arthroscopy with partial meniscectomy": the meniscus is the left knee's). A consultation's
        region is not that of the procedure or device it is done before (`heading_purpose_procedure`)."""
        found = list(heading_regions(self.text))
        if self.family == "consultation":  # not the region of the procedure it is done before (round 53)
            purpose = value_patterns()["heading_purpose_procedure"].search(self.text)
            found = [r for r in found if purpose is None or r.start < purpose.end()]
        sided = {r.region: r.side for r in found if r.side}
        return [dataclasses.replace(r, side=sided[r.region]) if r.side is None and r.region in sided else r
                for r in found]

    @cached_property
    def side(self) -> str | None:
        """left / right / bilateral (both sides, or left and right both named), None when not named."""
        sides = {r.side for r in self.regions if r.side in HEADING_SIDES}
        p = body_regions().sides
        if not sides:
            sides = {name for name, pat in p.items() if name in HEADING_SIDES and pat.search(self.lower)}
        if "bilateral" in sides or {"left", "right"} <= sides:
            return "bilateral"
        return next(iter(sides)) if sides else None

    @cached_property
    def region_less(self) -> bool:
        """Services the protocol treats as naming no region: medications, DME, labs and the items of a
        surgery (pre-op, post-op, associated surgical services), whatever region their heading names."""
        if self.family in REGION_LESS_FAMILIES:
            return True
        return bool(value_patterns()["perioperative"].search(self.text))
