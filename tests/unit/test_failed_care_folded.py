"""The failed-care lists read in nearly every clause are searched lower-cased in an ASCII clause
(`features.failed_care.spans_of`): the spans must be those the IGNORECASE patterns find."""

from __future__ import annotations

import pytest

from features.failed_care import FOLDED, failed_care_lexicon, spans_of

# SYNTHETIC clauses in the summaries' style, mixed case on purpose
CLAUSES = [
    "She completed Physical Therapy without lasting relief",
    "Chiropractic care and acupuncture did not help",
    "He failed a course of NSAIDs and a home exercise program",
    "Despite Injections, the pain persists",
    "The numbness has continued since then",
    "Medications provided only temporary relief",
]


@pytest.mark.parametrize("name", FOLDED)
def test_lower_cased_search_finds_what_ignorecase_finds(name: str) -> None:
    lex = failed_care_lexicon()
    found = 0
    for clause in CLAUSES:
        spans = spans_of(name, clause, lex)
        assert spans == [m.span() for m in getattr(lex, name).finditer(clause)], clause
        found += len(spans)
    assert found, name  # each list reads at least one of the clauses


def test_a_clause_that_is_not_ascii_is_searched_as_written() -> None:
    lex = failed_care_lexicon()
    clause = "She completed physical therapy \u2013 without lasting relief"  # an en dash: not ASCII
    assert spans_of("care", clause, lex) == [m.span() for m in lex.care.finditer(clause)] != []
