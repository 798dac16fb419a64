"""Objective examination findings of a body part (session 23, issues #23 and #18): what a guideline's
"clinical evidence of a lesion" or "physiologic evidence of tissue insult" reads in a record, and the part's
examination stated normal, each of a service's region.

A finding (`exam_finding` in concepts.yaml: motion measured or limited, a positive provocative test, an
effusion, instability, ...) counts when the record states it of the worker: not denied, doubted, asked for,
another person's, the UR's account, a complaint, a diagnosis or a study's result. Localised tenderness and
spasm alone are no finding here (nearly every summary has them). A normal examination (`exam_normal`: full
motion, a test negative, a joint stable) or a finding denied ("no effusion") is the second fact. Each counts
for a service when its sentence names the service's region, or names none and is read in the sentences
before it (`evidence_choice.EvidenceRanker`, the checklist's own region reading, with the same region only).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

from features.analysis import AnalysedText, Mention
from features.assertions import Category
from features.authors import UR_REVIEWER
from features.body_regions import RegionMention
from features.evidence import Extraction
from features.evidence_choice import NO_REGION_OF_REQUEST, EvidenceRanker, SentenceRegions
from features.neuro_exam import denied_finding
from features.value_patterns import value_patterns
from letters.records import Section

_NOT_STATED = frozenset({Category.NEGATED, Category.POSSIBLE, Category.HYPOTHETICAL, Category.FAMILY})
_NOT_THE_PATIENTS = frozenset({Category.HYPOTHETICAL, Category.FAMILY, Category.POSSIBLE})
# EvidenceRanker.region_rank: 0 the request's region, 1 none but the sentence before names it, 2 no region
# named near it (or the request's region unknown); 3 and 4 name only other regions
_OF_THE_REQUEST = 2


@dataclass(frozen=True, slots=True)
class _Quoted:
    """A summary sentence as `EvidenceRanker` reads one (text, section, author)."""

    text: str
    section: str
    author: str | None
    start: int


class ExamFindings:
    """The examination findings and normal examinations one case's summary states (built once per case)."""

    def __init__(self, summary: AnalysedText) -> None:
        self.summary = summary
        self.sentence_regions = SentenceRegions()  # the regions each sentence names: ranked by every service

    def _examined(self, m: Mention) -> bool:
        """Whether the words before the mention in its sentence leave it an examination's: the last of a
        complaint, a diagnosis or a study named before it is followed by an examination word, or none is."""
        p, text = value_patterns(), self.summary.text
        lo = m.sentence.start
        last_not = max((x.end() for x in p["exam_not_found_before"].finditer(text, lo, m.start)), default=-1)
        if last_not < 0:
            return True
        return p["exam_found_before"].search(text, last_not, m.start) is not None

    @cached_property
    def findings(self) -> list[Mention]:
        """Every finding the record states of the worker on examination, in text order."""
        return [m for m in self.summary.mentions("exam_finding")
                if m.author != UR_REVIEWER and not m.assertion.categories & _NOT_STATED and self._examined(m)]

    @cached_property
    def normals(self) -> list[Mention]:
        """Every normal examination stated, and every finding the record denies ("no effusion", "no
        restriction of motion"; "no improvement in the range of motion" is no denial), in text order."""
        out = [m for m in self.summary.mentions("exam_normal")
               if m.author != UR_REVIEWER and not m.assertion.categories & _NOT_STATED and self._examined(m)]
        out += [m for m in self.summary.mentions("exam_finding")
                if denied_finding(m, self.summary.text, _NOT_THE_PATIENTS) and self._examined(m)]
        return sorted(out, key=lambda m: m.start)

    def _lead_in(self, item: _Quoted) -> list[str]:
        """The two sentences before a quoted one, nearest first."""
        sentences = self.summary.sentences
        i = next((k for k, s in enumerate(sentences) if s.start == item.start), 0)
        return [sentences[j].text for j in range(i - 1, max(i - 3, -1), -1)]

    def of_region(self, mentions: list[Mention], regions: list[RegionMention], side: str | None,
                  related: bool = False,
                  phrase_of: Callable[[Mention], str] | None = None) -> Iterator[Mention]:
        """The mentions whose sentence speaks of one of `regions` (same region, on `side`; with `related`
        also a spine and the limbs its nerve roots supply, as for a nerve-root sign), or names no region
        and is not read in another region's sentences; every mention when `regions` is empty. With
        `phrase_of`, the region is read in the mention's own phrase of its sentence instead, and a phrase
        naming no region counts (as a plain "neurologically intact" does)."""
        request = frozenset(r.region for r in regions if r.region not in NO_REGION_OF_REQUEST)
        ranker = EvidenceRanker(request, side, self._lead_in if phrase_of is None else _no_lead_in,
                                related=related, regions_of=self.sentence_regions)
        for m in mentions:
            s = m.sentence
            text = s.text if phrase_of is None else phrase_of(m)
            quoted = _Quoted(text, Section.CLINICAL_SUMMARY.value, s.author, s.start)
            if ranker.region_rank(quoted) <= _OF_THE_REQUEST:
                yield m


def _no_lead_in(item: _Quoted) -> list[str]:
    """No sentence before a quoted phrase is read: a phrase naming no region is of no region."""
    return []


def first_of(mentions: Iterator[Mention]) -> Extraction:
    """True from the first mention, else False."""
    first = next(mentions, None)
    return Extraction(True, first.span()) if first is not None else Extraction(False, None)
