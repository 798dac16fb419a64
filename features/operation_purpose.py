"""An operation word that names only what an item asked for is for, the time after an operation its
sentence asks for ("Plan: left knee arthroscopy; ...; Norco 10/325 #40 for post-operative pain"): that
operation is still to come, so the words tell no operation done (`prior_surgery`; session 39, round-80 kind
K3). A plan's later items stand past its semicolons, out of the plan's reach, so the purpose and the operation
asked say so."""

from __future__ import annotations

from features.analysis import AnalysedText, Mention
from features.assertions import Category
from features.clauses import clause_start
from features.value_patterns import value_patterns

_NOT_ASKED = frozenset({Category.NEGATED, Category.FAMILY})  # an operation denied, or another person's


def purpose_of_an_operation_asked(m: Mention, summary: AnalysedText) -> bool:
    """Whether operation mention `m` ends a purpose phrase (`surgery_as_purpose`: "for post-operative pain",
    "for pain after surgery") of an item, its clause naming no worker (`surgery_purpose_of_the_worker`: "he
    takes Norco for post-operative pain" tells an operation had), in a sentence that names, before it, an
    operation asked for (hypothetical, the worker's)."""
    text, p, s = summary.text, value_patterns(), m.sentence
    lo = clause_start(text, s.start, m.start)
    hi = min((i for i in (text.find(c, m.end, s.end) for c in ",;:") if i != -1), default=s.end)
    if p["surgery_as_purpose"].search(text, lo, m.end) is None \
            or p["surgery_purpose_of_the_worker"].search(text, lo, hi) is not None:
        return False
    return any(o.sentence is s and o.end <= m.start and Category.HYPOTHETICAL in o.assertion.categories
               and not o.assertion.categories & _NOT_ASKED for o in summary.mentions("surgery"))
