"""A red flag found only on another body part than the request's is no red flag for it (session 24 nurse
check: a thumb fracture in a shoulder MRI letter's list of diagnoses, a foot fracture beside an elbow MRI).

Read as structure: the finding's item in its sentence's list (between the separators around it,
`list_separator` in value_patterns.yaml: "..., a fracture of the left thumb."), the body regions
that item names (body_regions.yaml, with their sides) and the request's regions. An item naming no region,
or the request's own, keeps the red flag. Which red flags are of a body part is data (`body_part_red_flags`
in criteria.yaml); a major trauma is of the whole worker."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from features.body_regions import body_regions, same_side
from features.evidence import EvidenceSpan
from features.evidence_choice import named_regions
from features.value_patterns import value_patterns


def finding_phrase(span: EvidenceSpan) -> str:
    """The words of the list item that holds a finding in its sentence (its own text when the sentence or
    the offsets are not known)."""
    if span.sentence is None or span.sentence_start is None or span.start is None or span.end is None:
        return span.text
    sentence, start, end = span.sentence, span.start - span.sentence_start, span.end - span.sentence_start
    separator = value_patterns()["list_separator"]
    left = max((m.end() for m in separator.finditer(sentence, 0, max(0, start))), default=0)
    right = next((m.start() for m in separator.finditer(sentence, min(len(sentence), end))), len(sentence))
    return sentence[left:right]


def of_other_parts(findings: Sequence[EvidenceSpan], request: Iterable[str], side: str | None) -> bool:
    """Whether every finding names a body region and none names the request's (on its side): the red flag is
    another part's. False when the request's region is unknown or no finding is known."""
    wanted = frozenset(request)
    if not wanted or not findings:
        return False
    regions = body_regions()
    for span in findings:
        named = named_regions(finding_phrase(span))
        if not named or any((regions.same(n.region, r) or regions.same(r, n.region))
                            and same_side(n.side, side) for n in named for r in wanted):
            return False
    return True
