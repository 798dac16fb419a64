"""The rarer red flags' word classes (`features/red_flag_lexicon.yaml`) are data the concept patterns read:
every class is named by a pattern of concepts.yaml (no dead words), no name is defined in both files, and a
pattern naming a class reads its words (one word per class, invented SYNTHETIC sentences)."""

from __future__ import annotations

import re

import pytest

from features.analysis import WORD_CLASS_FILES, concept_patterns
from features.package_data import read_yaml

CONCEPTS = read_yaml("concepts.yaml")


def _named_outside_the_classes(data: dict) -> set[str]:
    """The `${name}`s a lexicon's own patterns (every value but its `word_classes`) name."""
    rest = {k: v for k, v in data.items() if k != "word_classes"}
    return set(re.findall(r"\$\{(\w+)\}", str(rest)))


def test_every_lexicon_class_is_named_by_a_concept_pattern_and_defined_once() -> None:
    """Named by a pattern of concepts.yaml or of the lexicon's own (failed_care_lexicon.yaml's outcomes name
    `giving_verb`, `no_effect`, `stop_reason`, `worse_pain`: session 29)."""
    patterns = [p for c in CONCEPTS["concepts"].values() for p in c["patterns"]]
    named = {n for p in patterns for n in re.findall(r"\$\{(\w+)\}", p)}
    for name in WORD_CLASS_FILES:
        data = read_yaml(name)
        classes = set(data["word_classes"])
        named_here = named | _named_outside_the_classes(data)
        assert classes - named_here == set(), f"{name}: classes no pattern names"
        assert classes & set(CONCEPTS["word_classes"]) == set(), f"{name}: classes also in concepts.yaml"


@pytest.mark.parametrize(("concept", "text"), [
    ("cancer", "SYNTHETIC. He has a chondrosarcoma of the pelvis."),
    ("cancer", "SYNTHETIC. She had non-Hodgkin lymphoma."),
    ("infection", "SYNTHETIC. Klebsiella grew from the wound."),
    ("infection", "SYNTHETIC. He had a suppurative tenosynovitis."),
    ("cauda_equina", "SYNTHETIC. He reports numbness in his crotch."),
    ("cauda_equina", "SYNTHETIC. Rectal tone was decreased; he has decreased anal sphincter tone."),
    ("cauda_equina", "SYNTHETIC. She has had stress urinary incontinence since the fracture."),
])
def test_a_class_word_is_a_mention(concept: str, text: str) -> None:
    assert concept_patterns()[concept].search(text.lower())


@pytest.mark.parametrize(("concept", "text"), [
    ("cancer", "SYNTHETIC. He has a lipoma and a hemangioma."),
    ("cancer", "SYNTHETIC. Tumor markers were drawn."),
    ("infection", "SYNTHETIC. MRSA nasal screening was done."),
    ("cauda_equina", "SYNTHETIC. He has numbness in the foot and groin pain."),
    ("cauda_equina", "SYNTHETIC. He has urinary urgency."),
])
def test_a_word_outside_the_classes_is_none(concept: str, text: str) -> None:
    assert concept_patterns()[concept].search(text.lower()) is None
