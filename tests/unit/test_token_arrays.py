"""The doc readers that replace a Python loop over every token (`tokens_written`, `sentence_starts`) find
the same tokens as that loop, on SYNTHETIC notes with part labels, abbreviations and brackets."""

from __future__ import annotations

import pytest

from features.sentences import pipeline, sentence_starts, tokens_written

TEXTS = [
    "SYNTHETIC: Neuro intact Assessment: lumbar strain (no relief [per PR-2]). SLR neg. for pain: none.",
    "SYNTHETIC: TENS (no benefit), meds, lumbar MRI 5/2015. Plan: PT x 6 (he had 12 visits in 2014).",
    "SYNTHETIC",
    "SYNTHETIC: a ( b ] c ) d [ e",
]


@pytest.mark.parametrize("text", TEXTS)
def test_tokens_written_are_the_tokens_a_loop_finds_by_text(text: str) -> None:
    doc = pipeline()(text)
    for texts in ((":",), ("(", "[", ")", "]"), ("neg.", "SYNTHETIC"), ("absent",)):
        assert tokens_written(doc, texts) == [t.i for t in doc if t.text in texts], texts


@pytest.mark.parametrize("text", TEXTS)
def test_sentence_starts_are_the_starts_of_the_docs_sentences(text: str) -> None:
    doc = pipeline()(text)
    assert sentence_starts(doc) == [s.start for s in doc.sents]


def test_sentence_starts_read_the_pipeline_components_starts() -> None:
    """A part label starts a sentence and an abbreviation's stop does not: the array holds both edits."""
    doc = pipeline()(TEXTS[0])
    assert [doc[i].text for i in sentence_starts(doc)] == ["SYNTHETIC", "Assessment", "SLR"]
