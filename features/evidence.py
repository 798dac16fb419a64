"""What an extractor returns: the value and the letter text that set it, so explanations can quote it.

A span is the matched words plus the whole sentence they sit in, the section, character offsets (into
that section's text), who the sentence reports (UR reviewer, QME, treating physician, patient; None when
the letter does not say) and the mention's assertion status (affirmed, negated, possible, hypothetical,
historical, family). Header fields have no offsets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from letters.records import Section


@dataclass(frozen=True, slots=True)
class EvidenceSpan:
    """A piece of pre-review letter text; offsets index into that section's text (None for header fields)."""

    section: Section
    start: int | None
    end: int | None
    text: str
    sentence: str | None = None
    sentence_start: int | None = None
    sentence_end: int | None = None
    author: str | None = None
    assertion: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: the original four keys, then the sentence, its offsets, author and assertion."""
        return {"section": self.section.value, "start": self.start, "end": self.end, "text": self.text,
                "sentence": self.sentence, "sentence_start": self.sentence_start,
                "sentence_end": self.sentence_end, "author": self.author, "assertion": self.assertion}


@dataclass(frozen=True, slots=True)
class Extraction:
    """One feature value (None = not stated/unknown) with the span it came from, if any."""

    value: Any
    span: EvidenceSpan | None = None


MISSING = Extraction(None, None)
