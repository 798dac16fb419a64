"""The sentencer goes on past a clinical abbreviation's full stop ("neg.", "pos.", "approx.", "hx.") when the
text goes on in lower case or with "for" (session 32, round-50 "neg. for"), and still ends the sentence before
a capitalised word. Every sentence is SYNTHETIC."""

from __future__ import annotations

import pytest

from features.sentences import pipeline


@pytest.mark.parametrize("text, expected", [
    ("SLR neg. for radicular pain. Gait is normal.", ["SLR neg. for radicular pain.", "Gait is normal."]),
    ("Spurling pos. on the right. Grip 4/5.", ["Spurling pos. on the right.", "Grip 4/5."]),
    ("Back pain for approx. two years. No surgery.", ["Back pain for approx. two years.", "No surgery."]),
    ("Hx. of diabetes. Takes metformin.", ["Hx. of diabetes.", "Takes metformin."]),
    ("X-ray neg. For fracture, see the CT.", ["X-ray neg. For fracture, see the CT."]),
    # near-misses: a capitalised word after the abbreviation starts a new sentence
    ("X-ray neg. She walks with a cane.", ["X-ray neg.", "She walks with a cane."]),
    ("SLR pos. Reflexes 2+.", ["SLR pos.", "Reflexes 2+."]),
])
def test_an_abbreviations_stop_ends_a_sentence_only_before_a_new_one(text: str, expected: list[str]) -> None:
    assert [s.text for s in pipeline()(text).sents] == expected
