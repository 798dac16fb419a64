"""Region words of the terse style (session 31, round-50 kinds K3, K4) on SYNTHETIC phrases: a lone "L" or
"R" right before a limb or joint word is that region's side (a letter that is part of another word, "b/l",
"L4-5", "r/o", or stands before no limb word is no side, as before); "L/S", "C/S", "T/S" name the spine's
regions."""

from __future__ import annotations

import pytest

from features.body_regions import body_regions
from features.casefold import lower_text


def _sides(text: str) -> list[tuple[str, str | None]]:
    return [(r.region, r.side) for r in body_regions().find(lower_text(text))]


@pytest.mark.parametrize("text, expected", [
    ("MRI R knee 2/2016: effusion.", [("knee", "right")]),
    ("X-ray L wrist negative", [("hand_wrist", "left")]),
    ("L shoulder pain, R knee pain", [("shoulder", "left"), ("knee", "right")]),
    ("left hip and R ankle", [("hip", "left"), ("ankle_foot", "right")]),
    # near-misses: a letter inside another word, a spinal level, a letter before no limb word
    ("b/l knee pain", [("knee", "bilateral")]),
    ("MRI L4-5 disc protrusion", [("lumbar", None)]),
    ("r/o fracture of the wrist", [("hand_wrist", None)]),
    ("L spine tenderness", [("spine_unspecified", None)]),
])
def test_a_lone_letter_before_a_limb_word_is_its_side(text: str,
                                                      expected: list[tuple[str, str | None]]) -> None:
    assert _sides(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("X-rays L/S 10/2015 neg", [("lumbar", None)]),
    ("MRI C/S showed a disc bulge", [("cervical", None)]),
    ("T/S tenderness", [("thoracic", None)]),
    # near-misses: a caesarean section, a lone letter before "spine"
    ("PMHx: s/p C/S, no back pain", [("spine_unspecified", None)]),
    ("L spine tenderness", [("spine_unspecified", None)]),
])
def test_spine_abbreviations_name_their_region(text: str, expected: list[tuple[str, str | None]]) -> None:
    """The terse style's "L/S", "C/S", "T/S" (round-50 kind K4) name the lumbar, cervical, thoracic spine."""
    assert _sides(text) == expected
