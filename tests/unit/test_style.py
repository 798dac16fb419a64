"""The writer-style normaliser and the style rewrite (features/style.py), on SYNTHETIC texts."""

from __future__ import annotations

import dataclasses

import pytest

from features.style import load_style_words, normalise, rewrite_style, writer_style

# SYNTHETIC summary in the shape of an IMR Clinical Case Summary (no real letter text).
SUMMARY = (
    "The injured worker is a 52 year old female who sustained an industrial injury on 10-02-2016. "
    "She slipped and sustained a left wrist fracture. On November 3, 2016 her examination revealed "
    "swelling and tenderness of the left wrist; he was not mentioned. An X-ray showed a distal radius "
    "fracture. Ms. Rivera was given a splint and completed six (6) physical therapy visits. The injured "
    "worker's pain was rated 7 out of 10. The IW reported numbness. Utilization review dated 11-10-16 "
    "non-certified the request. A patient-controlled device was noted. It was given to her."
)
PERSONS = ("injured worker", "patient", "claimant", "applicant")


def test_normalise_keeps_clinical_words_and_drops_writer_words_dates_and_numbers():
    out = normalise(SUMMARY).split()
    for clinical in ("slipped", "left", "wrist", "fracture", "swelling", "tenderness", "splint",
                     "physical", "therapy", "numbness", "distal", "radius"):  # fmt: skip
        assert clinical in out, clinical
    for gone in ("injured", "worker", "she", "her", "he", "female", "rivera", "ms", "iw", "november",
                 "six", "year", "old", "the", "reported", "noted", "10"):  # fmt: skip
        assert gone not in out, gone
    assert not any(ch.isdigit() for ch in " ".join(out))
    assert "noncertified" in out and "ur" in out  # one word per event, whoever wrote it


def test_normalise_makes_synonyms_of_one_event_one_word():
    a = normalise("The claims administrator denied the request for an MRI.")
    b = normalise("Utilization review non-certified the request for an MRI.")
    assert a == b == "ur noncertified request mri"


@pytest.mark.parametrize("person", PERSONS)
@pytest.mark.parametrize("swap", [False, True])
def test_a_style_rewrite_changes_the_text_but_not_its_normal_form(person: str, swap: bool):
    out = rewrite_style(SUMMARY, person=person, swap_pronouns=swap)
    if person != "injured worker" or swap:
        assert out != SUMMARY
    assert normalise(out) == normalise(SUMMARY)


def test_rewrite_fixes_articles_capitals_and_pronoun_forms():
    text = (
        "An injured worker said she hurt her knee. The IW told her so. Patient reported that her pain eased."
    )
    out = rewrite_style(text, person="patient", swap_pronouns=True)
    assert (
        out
        == "A patient said he hurt his knee. The patient told him so. Patient reported that his pain eased."
    )
    back = rewrite_style("A patient was seen.", person="applicant")
    assert back == "An applicant was seen."


def test_rewrite_leaves_plurals_and_other_words_alone():
    text = "Other patients waited. The shepherd helped; there was no theme."
    assert rewrite_style(text, person="claimant", swap_pronouns=True) == text


def test_rewrite_refuses_an_unknown_person_form():
    with pytest.raises(ValueError, match="person must be one of"):
        rewrite_style(SUMMARY, person="customer")


def test_writer_style_is_the_person_form_used_most():
    assert writer_style(SUMMARY) == "injured worker"
    assert writer_style("The patient fell. The patient was seen.") == "patient"
    assert writer_style("The applicant fell.") == "applicant"
    assert writer_style("Fell at work.") == "none"


def test_the_guard_can_fail_a_normaliser_that_keeps_a_person_word():
    """Without 'patient' on the person list the rewrite would reach the model: the invariance breaks."""
    words = load_style_words()
    leaky = dataclasses.replace(words, person=tuple(p for p in words.person if p != "patient"))
    out = rewrite_style(SUMMARY, person="patient", words=leaky)
    assert normalise(out, leaky) != normalise(SUMMARY, leaky)


def test_word_lists_must_be_lists_of_words():
    from importlib import resources

    import yaml

    from features.style import STYLE_WORDS_FILE, StyleWords

    data = yaml.safe_load(resources.files("features").joinpath(STYLE_WORDS_FILE).read_text(encoding="utf-8"))
    assert StyleWords.from_mapping(data).person_forms == dict.fromkeys(PERSONS, "a") | {
        "injured worker": "an", "applicant": "an"}  # fmt: skip
    with pytest.raises(ValueError, match="'pronouns' must be a list"):
        StyleWords.from_mapping({**data, "pronouns": "he"})
    with pytest.raises(ValueError, match="'stop_words' must be a list"):
        StyleWords.from_mapping({**data, "stop_words": ["a", True]})  # YAML reads a bare `on` as True
    rewrite = {**data["rewrite"], "person_forms": {**data["rewrite"]["person_forms"], "customer": "a"}}
    with pytest.raises(ValueError, match=r"would change words that normalise keeps: \['customer'\]"):
        labels = [*data["name_labels"], "customer"]
        StyleWords.from_mapping({**data, "rewrite": rewrite, "name_labels": labels})
