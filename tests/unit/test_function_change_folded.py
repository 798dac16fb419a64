"""The patterns `_changes` scans in every clause are searched lower-cased in an ASCII clause
(`features.function_change.EVERY_CLAUSE`): the spans must be those the IGNORECASE patterns find."""

from __future__ import annotations

import pytest

from features.function_change import EVERY_CLAUSE, _changes, _every_clause_spans, function_lexicon

# SYNTHETIC clauses in the summaries' style, mixed case on purpose
CLAUSES = [
    "He is Neither Better Nor Worse than at the prior visit",
    "The Patient reports she is no better since the last exam",
    "Her work restrictions were renewed UNCHANGED",
    "Same restrictions as before, modified duty",
    "She MET her discharge goals in therapy",
    "The injured worker has met most of his goals",
    "Walking tolerance improved to 20 minutes",
]


@pytest.mark.parametrize("name", EVERY_CLAUSE)
def test_lower_cased_search_finds_what_ignorecase_finds(name: str) -> None:
    lex = function_lexicon()
    found = 0
    for clause in CLAUSES:
        folded = _every_clause_spans(name, clause, clause.lower(), lex)
        assert folded == _every_clause_spans(name, clause, None, lex), clause
        found += len(folded)
    assert found, name  # each pattern reads at least one of the clauses


def test_a_clause_that_is_not_ascii_is_read_as_well() -> None:
    lex = function_lexicon()
    for clause in ("She met her discharge goals - per the therapist",
                   "She met her discharge goals \u2013 per the therapist"):  # an en dash: not ASCII
        assert list(_changes(clause, [], lex)) == [("yes", "gain", 4, 27)], clause
