"""The long lexicon lists read in nearly every clause are searched lower-cased in an ASCII clause
(`features.casefold.folded_spans`): for each list, the spans must be those its IGNORECASE pattern finds, and
each list must read at least one of the SYNTHETIC clauses (mixed case on purpose)."""

from __future__ import annotations

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
CASES = ([("failed_care", name) for name in FOLDED] + [("function", name) for name in EVERY_CLAUSE])


@pytest.mark.parametrize("lexicon, name", CASES, ids=[f"{lx}-{n}" for lx, n in CASES])
def test_lower_cased_search_finds_what_ignorecase_finds(lexicon: str, name: str) -> None:
    if lexicon == "failed_care":
        lex, clauses = failed_care_lexicon(), CARE_CLAUSES
        folded = lex.folded[name]
    else:
        lex, clauses = function_lexicon(), FUNCTION_CLAUSES
        folded = lex.every_clause_folded[name]
    plain = getattr(lex, name)
    found = 0
    for clause in clauses:
        spans = folded_spans(folded, plain, clause)
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
