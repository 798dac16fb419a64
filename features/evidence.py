"""What an extractor returns: the value and the letter text that set it, so explanations can quote it.

Both classes are read-only by convention, not `frozen`: a frozen dataclass sets each field through
`object.__setattr__`, which made creating them ~5% of a cold feature build (thousands per batch).
Nothing assigns to them after construction; `MISSING` is shared by every extractor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from letters.records import Section


@dataclass(slots=True)
class EvidenceSpan:
    """A piece of pre-review letter text; offsets index into that section's text (None for header fields)."""

    section: Section
    start: int | None
    end: int | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section.value, "start": self.start, "end": self.end, "text": self.text}


@dataclass(slots=True)
class Extraction:
    """One feature value (None = not stated/unknown) with the span it came from, if any."""

    value: Any
    span: EvidenceSpan | None = None


MISSING = Extraction(None, None)
