"""Case-insensitive search without IGNORECASE (`features.casefold`): a lower-cased pattern in lower-cased text
finds the spans the IGNORECASE pattern finds, offsets kept, and non-ASCII text falls back to the latter."""

from __future__ import annotations

import re

import pytest

from features.casefold import compile_folded, folded_spans, lower_text

WORDS = r"\b(?:Physical Therapy|PT|chiropractic care|TENS)\b"
PLAIN = re.compile(WORDS, re.IGNORECASE)
FOLDED = compile_folded(WORDS)


@pytest.mark.parametrize("text", [
    "SYNTHETIC. She completed Physical Therapy and pt, then TENS; Chiropractic Care did not help.",
    "SYNTHETIC. Kept at home: no therapy named here.",
    "SYNTHETIC. İzmir: he had PHYSICAL THERAPY and tens.",  # not ASCII ("İ".lower() is two characters)
])
def test_folded_spans_are_the_ignorecase_spans(text: str) -> None:
    expected = [m.span() for m in PLAIN.finditer(text)]
    assert folded_spans(FOLDED, PLAIN, text) == expected
    if text.isascii():  # a caller's own lower-cased text gives the same
        assert folded_spans(FOLDED, PLAIN, text, text.lower()) == expected


def test_lower_text_keeps_every_offset() -> None:
    text = "SYNTHETIC. İstanbul clinic: MRI of the Knee."
    assert len(lower_text(text)) == len(text) and lower_text(text).endswith("mri of the knee.")
