"""The long lexicon lists read in nearly every clause are searched lower-cased (failed care's in every
clause, `features.casefold.folded_text`; the function lists' in an ASCII clause, `folded_spans`): for each
list, the spans must be those its IGNORECASE pattern finds, and each list must read at least one of the
SYNTHETIC clauses (mixed case on purpose)."""

from __future__ import annotations

import re

import pytest

from features.casefold import folded_spans
from features.failed_care import FOLDED, failed_care_lexicon, spans_of
from features.function_change import EVERY_CLAUSE, _changes, function_lexicon

CARE_CLAUSES = [
    "She completed Physical Therapy without lasting relief",
    "Chiropractic care and acupuncture did not help",
    "He failed a course of NSAIDs and a home exercise program",
    "Despite Injections, the pain persists",
    "The numbness has continued since then",
    "Medications provided only temporary relief",
    "Since then His Grip has Declined, with Worsening of Symptoms",
    "The Home Exercises Aggravated His Low Back",
]
FUNCTION_CLAUSES = [
    "He is Neither Better Nor Worse than at the prior visit",
    "The Patient reports she is no better since the last exam",
    "Her work restrictions were renewed UNCHANGED",
    "Same restrictions as before, modified duty",
    "She MET her discharge goals in therapy",
    "The injured worker has met most of his goals",
    "Walking tolerance improved to 20 minutes",
    "After Physical Therapy he No Longer Needed a Cane",
]
@pytest.mark.parametrize("name", FOLDED)
def test_failed_care_lists_read_lower_cased_find_what_ignorecase_finds(name: str) -> None:
    """`spans_of` reads only the lower-cased twin, in every clause (`folded_text`); the oracle is the twin's
    pattern compiled with IGNORECASE in the clause as written (`outcome_after` has no other compiled form)."""
    lex = failed_care_lexicon()
    ignorecase = re.compile(lex.folded[name].pattern, re.IGNORECASE)
    found = 0
    for clause in CARE_CLAUSES + [_not_ascii(c) for c in CARE_CLAUSES]:
        spans = spans_of(name, clause, lex)
        assert spans == [m.span() for m in ignorecase.finditer(clause)], clause
        plain = getattr(lex, name, None)
        if plain is not None:
            assert spans == [m.span() for m in plain.finditer(clause)], clause
        found += len(spans)
    assert found, name  # each list reads at least one of the clauses


def _not_ascii(clause: str) -> str:
    """The clause with an en dash and the letters IGNORECASE reads as i, s and k written as those twins."""
    return (clause.replace(" ", " \u2013 ", 1).replace("i", "\u0131").replace("s", "\u017f")
            .replace("K", "\u212a").replace("I", "\u0130"))


@pytest.mark.parametrize("name", EVERY_CLAUSE)
def test_function_lists_read_lower_cased_find_what_ignorecase_finds(name: str) -> None:
    lex = function_lexicon()
    plain = getattr(lex, name)
    found = 0
    for clause in FUNCTION_CLAUSES:
        spans = folded_spans(lex.every_clause_folded[name], plain, clause)
        assert spans == [m.span() for m in plain.finditer(clause)], clause
        found += len(spans)
    assert found, name  # each list reads at least one of the clauses


def test_a_clause_that_is_not_ascii_is_read_as_well() -> None:
    """An en dash makes a clause non-ASCII: it is searched as written, with the same readings."""
    care = failed_care_lexicon()
    clause = "She completed physical therapy \u2013 without lasting relief"
    assert spans_of("care", clause, care) == [m.span() for m in care.care.finditer(clause)] != []
    function = function_lexicon()
    for clause in ("She met her discharge goals - per the therapist",
                   "She met her discharge goals \u2013 per the therapist"):
        assert list(_changes(clause, [], function)) == [("yes", "gain", 4, 27)], clause
