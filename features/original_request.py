"""The whole request when UR certified part of it (issue #18): a reviewer judges a quantity limit on the
course asked for (certified + disputed), not on the remainder alone. Read from the partial-certification
text, the UR's decision (pre-review); the disputed item's own quantities stay the protocol's."""

from __future__ import annotations

from dataclasses import dataclass

from features.authors import UR_REVIEWER
from features.evidence import EvidenceSpan
from features.request_quantities import drug_quantity_in, sessions_in
from letters.parser import original_request_bounds
from letters.records import Section


@dataclass(frozen=True, slots=True)
class OriginalRequest:
    """The original request's words, the sessions and drug units they ask for (None where they name none), and
    where the words stand in the partial-certification section (the evidence of a fact read from them)."""

    text: str
    sessions: float | None = None
    drug_quantity: float | None = None
    span: EvidenceSpan | None = None


def read_original_request(partial_text: str | None, family: str | None) -> OriginalRequest | None:
    """The original request a partial-certification text names, its quantities read as the disputed item's
    are (the item's family decides which count); None when the text names no original request."""
    bounds = original_request_bounds(partial_text)
    if bounds is None or partial_text is None:
        return None
    start, end = bounds
    words = partial_text[start:end]
    sessions = sessions_in(words, family)
    quantity = drug_quantity_in(words, family)
    span = EvidenceSpan(Section.PARTIAL_CERTIFICATION, start, end, words, author=UR_REVIEWER,
                        assertion="affirmed")
    return OriginalRequest(words, None if sessions is None else sessions[0],
                           None if quantity is None else quantity[0], span)
