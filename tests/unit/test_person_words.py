"""The worker is named every way writers name them, and no fact may change with the name (issue 23).

Before session 22 each fact pattern that reads the worker as a subject or object ("the medication helped the
patient's mobility", "a trailer struck the patient", "the patient declined therapy") carried its own list of
nouns; a summary that said "the IW", "the injured employee", "the examinee" or "Mr. Doe" lost the fact (two
tune letters did, rewritten so). Every such pattern now reads `${person}` / `${the_person}`, built from the
one list of writer words in `features/style_words.yaml` (`features.style.person_class`). Every summary here is
SYNTHETIC, invented for this test.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from fact_kind_rows import value

from features.package_data import read_yaml
from features.style import load_style_words, person_class, possessive_class, rewrite_style, the_person_class
from features.word_classes import expand

# how writers name the worker: the rewrite's forms, the other writer names, a QME's, and a name
NAMES = ["the patient", "the injured worker", "the claimant", "the applicant", "the employee",
         "the injured employee", "the IW", "the individual", "the examinee", "Mr. Doe", "Ms. Roe"]
INTRO = "SYNTHETIC. {Name} is a 45 year old who was hurt at work on 01/02/2016. "
DRUG = "Norco 10/325mg #90"
FI = "functional_improvement"

# (feature, heading or None for the default, summary with {name} / {Name}, value); each kind has a near-miss
ROWS = [
    (FI, DRUG, "{Name} takes Norco. The pain medications helped {name}'s functional "
     "mobility.", "yes"),
    (FI, DRUG, "{Name} takes Norco. Norco allows {name} to do household chores.", "yes"),
    (FI, DRUG, "{Name} takes Norco. The medication keeps {name} working full duty.", "yes"),
    (FI, DRUG, "{Name} takes Norco. It helps {name} to walk farther.", "yes"),
    (FI, DRUG, "{Name} takes Norco for back pain.", "not_stated"),
    ("red_flag_trauma", None, "A trailer came unhinged, striking {name} on the head.", True),
    ("red_flag_trauma", None, "A pallet jack pinned {name}'s left foot against the loading dock.", True),
    ("red_flag_trauma", None, "A forklift backed into a rack while {name} watched.", False),
    ("failed_conservative_care", None, "{Name} declined physical therapy.", "no"),
    ("failed_conservative_care", None, "There is no evidence that {name} has tried physical therapy.", "no"),
    ("failed_conservative_care", None, "{Name} has low back pain.", "not_stated"),
    ("red_flag_cauda_equina", None, "His wife reports that {name} has had urinary retention since the fall.",
     True),
    ("red_flag_cauda_equina", None, "His wife has had urinary retention since the fall.", False),
]


def _read(feature: str, heading: str | None, summary: str, name: str) -> object:
    filled = (INTRO + summary).format(name=name, Name=name[0].upper() + name[1:])
    return value(filled, feature, heading or "Physical therapy 2x4 lumbar spine")


@pytest.mark.parametrize(("feature", "heading", "summary", "expected"), ROWS,
                         ids=[f"{r[0]}-{i}" for i, r in enumerate(ROWS)])
def test_every_writers_name_for_the_worker_reads_the_same_fact(feature, heading, summary, expected) -> None:
    got = {name: _read(feature, heading, summary, name) for name in NAMES}
    assert got == dict.fromkeys(NAMES, expected)


def test_the_classes_come_from_the_style_word_list() -> None:
    """One list: a person word added to style_words.yaml reaches every fact pattern; the sex letters and
    the doctor's honorific do not name the worker."""
    words = load_style_words()
    person = re.compile(rf"^{person_class()}$", re.IGNORECASE)
    assert all(person.match(w) for w in words.person if len(w) > 1 and not w.startswith("the "))
    assert not person.match("m") and not person.match("f") and not person.match("dr. smith")
    assert person.match("mr. doe") and person.match("ms roe")
    the_person = re.compile(rf"^{the_person_class()}$", re.IGNORECASE)
    assert the_person.match("the injured employee") and the_person.match("the female claimant")
    assert the_person.match("Mr. Doe") and not the_person.match("the doctor")
    custom = dataclasses.replace(words, person=(*words.person, "insured"))
    assert re.fullmatch(person_class(custom), "insured") and not re.fullmatch(person_class(), "insured")


def test_the_rewrite_reaches_the_other_writer_names() -> None:
    """The real-letter guard rewrites into "IW", "employee" and "injured employee" as well."""
    text = "The patient was seen. A patient note says the patient improved."
    assert rewrite_style(text, person="IW") == "The IW was seen. An IW note says the IW improved."
    assert rewrite_style(text, person="employee").startswith("The employee was seen. An employee note")
    with pytest.raises(ValueError, match="person must be one of"):
        rewrite_style(text, person="doctor")


# the lexicons whose patterns read the worker's things ("his function", "her stomach", "his car")
LEXICONS = ("concepts.yaml", "function_lexicon.yaml", "failed_care_lexicon.yaml", "value_patterns.yaml",
            "red_flag_lexicon.yaml")
_GROUP = re.compile(r"\(\?:([^()]*)\)")
# a group with one of these names the worker (a subject, an object, the sex), not whose a thing is
_SUBJECT_WORDS = {"he", "him", "himself", "male", "man"}


def _strings(node: object):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


def test_no_lexicon_slot_reads_his_without_the_writers_noun_in_the_possessive() -> None:
    """Session 29 (round 41): "failed to improve his function" was read and "... the applicant's function"
    was not. Every slot of a packaged lexicon that takes "his" as whose a thing is takes `${possessive}`
    instead (one definition: the pronouns and `${the_person}'s`), so a new slot cannot miss the noun."""
    missing = []
    for source in LEXICONS:
        for text in _strings(read_yaml(source)):
            for m in _GROUP.finditer(text):
                words = {w.removesuffix(r"\s+").removesuffix(r"\s").strip() for w in m.group(1).split("|")}
                if "his" in words and not words & _SUBJECT_WORDS:
                    missing.append((source, m.group(0)))
    assert missing == []


def test_the_possessive_class_reads_every_writers_noun_and_the_pronouns() -> None:
    """`${possessive}` is the pronouns and the worker as a noun phrase in the possessive, and a lexicon's own
    class may name it (it is expanded inside a class too)."""
    possessive = re.compile(rf"^{possessive_class()}$", re.IGNORECASE)
    for name in ("his", "her", "their", *(f"{n}'s" for n in NAMES), "the applicant\u2019s"):
        assert possessive.match(name), name
    assert not possessive.match("the doctor's") and not possessive.match("the patient")
    classes = {"possessive": possessive_class(), "own": "(?:${possessive} own)"}
    assert re.fullmatch(expand("${own} car", classes, "test"), "the claimant's own car", re.IGNORECASE)


# a group that reads "him" as the worker (an object), not a reflexive ("himself", "(?:him|her)self")
_OBJECT_GROUP = re.compile(r"\(\?:([^()]*)\)(?!sel)")


def test_no_lexicon_slot_reads_him_without_the_writers_noun() -> None:
    """Session 29 (round 43): "had helped her resume" was read and "had helped the patient resume" was not.
    Every slot of a packaged lexicon that takes "him" as whom a verb acts on takes `${person_object}` (one
    definition in concepts.yaml: the pronouns and `${the_person}`) or names `${the_person}` itself."""
    missing = []
    for source in LEXICONS:
        for text in _strings(read_yaml(source)):
            for m in _OBJECT_GROUP.finditer(text):
                words = {w.strip() for w in m.group(1).split("|")}
                if "him" in words and "${the_person}" not in words and "he" not in words:  # "he": a sex word
                    missing.append((source, m.group(0)))
    assert missing == []


def test_the_object_class_reads_every_writers_noun_and_the_pronouns() -> None:
    """`${person_object}` is "him", "her", "them" and the worker as a noun phrase, not another person."""
    from features.analysis import expand_word_classes

    obj = re.compile(rf"^{expand_word_classes('${person_object}', 'test')}$", re.IGNORECASE)
    for name in ("him", "her", "them", *NAMES):
        assert obj.match(name), name
    assert not obj.match("the doctor") and not obj.match("his")
