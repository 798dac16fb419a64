"""Session 22, on SYNTHETIC letters: a stomach protector's 'taking an NSAID' and a constipation drug's
'an opioid is being prescribed' are met when the clinical summary documents the worker's own use of the
drug (features/drugs_in_use.py), quoting that sentence; not when the use is denied, stopped, only
recommended or requested, another person's, or only the UR's account of a request."""

from __future__ import annotations

from datetime import date

import pytest

from features.analysis import AnalysedText
from features.drugs_in_use import drugs_in_use
from features.extractors.criteria_level import case_checklists
from letters.records import Case, GuidelineCitation, Section, ServiceDecision

UR_LINE = "The Claims Administrator did not cite any medical evidence for its decision."
OPENING = ("The injured worker is a 52 year old male injured on 03/02/2015 lifting boxes. "
           "He reports low back pain.")
CLOSING = "This is SYNTHETIC test text."
PPI = "Omeprazole 20 mg #60"
LAXATIVE = "Senokot-S #60"


def _item(middle: str, heading: str, criterion: str) -> tuple[str, list[str]]:
    summary = f"{OPENING} {middle} {CLOSING}"
    service = ServiceDecision(item_index=0, heading=heading, service=heading, decision="Upheld",  # type: ignore[arg-type]
                              ur_guideline=GuidelineCitation(raw=UR_LINE))
    case = Case(letter_id="SYNTH-MEDS22", synthetic=True, letter_format="synthetic",
                date_of_injury=date(2015, 3, 2), ur_denial_date=date(2017, 1, 10), clinical_summary=summary,
                services=[service])
    item = next(i for i in case_checklists(case)[0].checklist if i.criterion_id == criterion)
    return item.status, [e.text for e in item.evidence]


def test_a_current_nsaid_in_the_summary_makes_a_ppi_met_quoting_it() -> None:
    said = "Current medications include ibuprofen 800 mg three times daily."
    assert _item(said, PPI, "nsaid_in_use") == ("met", [said])


# each use not told as taken now beside the same drug told as taken: not documented, then met
@pytest.mark.parametrize(("unsaid", "said", "heading", "criterion"), [
    ("He denies taking NSAIDs.", "He takes NSAIDs.", PPI, "nsaid_in_use"),
    ("NSAIDs were recommended.", "NSAIDs were prescribed.", PPI, "nsaid_in_use"),
    ("Naproxen was discontinued due to stomach upset.", "Naproxen was continued.", PPI, "nsaid_in_use"),
    ("NSAIDs were not tolerated.", "NSAIDs were well tolerated.", PPI, "nsaid_in_use"),
    # a topical NSAID is no oral one
    ("He applies Voltaren gel to the back.", "He takes Voltaren 75 mg twice daily.", PPI, "nsaid_in_use"),
    # the UR's account of an earlier request says nothing of what the worker takes (the choice of session 22)
    ("The prior request for Motrin was denied.", "He takes Motrin as needed.", PPI, "nsaid_in_use"),
    ("His wife takes Norco.", "He takes Norco.", LAXATIVE, "opioid_in_use"),
    ("The physician requested Norco.", "The physician prescribed Norco.", LAXATIVE, "opioid_in_use"),
])
def test_a_use_not_told_as_the_workers_own_now_is_not_documented(unsaid: str, said: str, heading: str,
                                                                criterion: str) -> None:
    assert _item(unsaid, heading, criterion)[0] == "not_documented"
    assert _item(said, heading, criterion) == ("met", [said])


def test_a_current_opioid_in_the_summary_makes_a_laxative_met() -> None:
    said = "He takes Norco 10/325 mg twice daily for pain."
    assert _item(said, LAXATIVE, "opioid_in_use") == ("met", [said])


@pytest.mark.parametrize(("text", "taken"), [
    ("He stopped Norco and takes ibuprofen daily.", {"nsaid": "ibuprofen"}),
    ("She takes Tylenol #3 and anti-inflammatories.",
     {"opioid": "Tylenol #3", "nsaid": "anti-inflammatories"}),
    ("He uses non-opioid analgesics.", {}),
    ("He is opioid-naive.", {}),
    ("Naloxone, an opioid antagonist, was prescribed.", {}),  # the lexicon's longer name is another class
    ("He has a history of NSAID use.", {}),
    ("The provider started Tramadol 8%/Camphor 2%/Menthol 2% compound cream.", {}),  # a compounded topical
    ("She uses a Butrans 10 mcg/hr patch weekly.", {"opioid": "Butrans"}),  # an opioid patch is taken
])
def test_the_classes_a_summary_says_the_worker_takes(text: str, taken: dict[str, str]) -> None:
    found = drugs_in_use(AnalysedText(f"SYNTHETIC: {text}", Section.CLINICAL_SUMMARY))
    assert {c: m.text for c, m in found.items()} == taken


def test_the_name_search_tries_only_names_that_open_as_a_word_does_and_finds_what_the_one_pattern_finds():
    """`_names_in` is the one alternation of every lexicon name, tried at each word with only the names that
    open as it does (for speed): the same spans as the whole pattern's `finditer` (SYNTHETIC text)."""
    from features.drugs_in_use import _alternation, _names_in, _parts

    text = ("SYNTHETIC. He takes MS Contin and Tylenol #3, HC/APAP and a Z-Pak; non-NSAID analgesics, NSAIDs "
            "and anti-inflammatories were tried; an opioid antagonist, H2 blockers, ibuprofen-famotidine, "
            "Norco.")
    whole = _alternation([part for _, part in _parts()])
    expected = [m.span() for m in whole.finditer(text) if m.end() > m.start()]
    assert len(expected) >= 6
    assert _names_in(text) == expected
