"""The ConText categories a mention can carry, and those that leave it not told as done: plain names, kept
apart from the spaCy matcher (`assertions`) so the readers of their values (`imr synth`) need no NLP stack."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    NEGATED = "negated"
    POSSIBLE = "possible"
    HYPOTHETICAL = "hypothetical"
    HISTORICAL = "historical"
    FAMILY = "family"
    PSEUDO = "pseudo"
    TERMINATE = "terminate"


# a mention not told as done or had: negated, hypothetical (requested, planned, conditional), another
# person's or only possible
NOT_DONE = frozenset({Category.NEGATED, Category.HYPOTHETICAL, Category.FAMILY, Category.POSSIBLE})
