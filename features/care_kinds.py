"""Failed care of the kinds a criterion names (issue #18): "first-line treatment failed" is read from what the
record says of first-line drugs, not from a letter-level value that acupuncture not yet tried made "no". The
kinds are data (`care_kinds` in criteria.yaml: words, and drug classes of the drug lexicon)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from features.criteria import CriteriaTable
from features.criteria_facts import lexicons
from features.drug_names import drug_names
from features.evidence import EvidenceSpan

CARE_FACT = "failed_conservative_care"  # the letter-level fact a criterion of care kinds reads by kind
_STATED = ("yes", "no")
_CLAUSE_BREAK = re.compile(r";|\bbut\b|\bwhereas\b|\bwhile\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z][a-z-]{2,}")


def kinds_named(table: CriteriaTable, text: str) -> frozenset[str]:
    """The kinds of care a text names: a kind's words, or a drug of one of its classes (drug lexicon)."""
    drugs = drug_names()
    classes = {drugs.classes[w] for w in _WORD.findall(text.lower()) if w in drugs.classes}
    classes |= {drugs.classes[p] for p in drugs.phrases_in(text) if p in drugs.classes}
    return frozenset(name for name, words, kind_classes in lexicons(table).care_kinds
                     if (words is not None and words.search(text)) or classes & kind_classes)


def statement_words(span: EvidenceSpan) -> str:
    """What a failed-care statement says it of: its clause up to the statement's end ("Treatment has included
    PT and naproxen, without relief": the care listed before the outcome; "NSAIDs helped, but PT did not":
    only PT), else its own words."""
    if span.sentence is None or span.sentence_start is None or span.end is None:
        return span.text
    told = span.sentence[:max(0, span.end - span.sentence_start)]
    start = max(0, (span.start or span.sentence_start) - span.sentence_start)
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(told, 0, start)]
    return told[breaks[-1] if breaks else 0:]


def failed_care_of_kinds(table: CriteriaTable, kinds: Iterable[str], value: Any,
                         statements: Sequence[EvidenceSpan],
                         not_tried: Sequence[EvidenceSpan] = ()) -> tuple[Any, list[EvidenceSpan]]:
    """Failed care as the statements about the given kinds give it: the letter's yes / no with those of its
    statements that name care of the kinds (deciding one first); else no when a drug of the kinds is said
    not tried yet (`not_tried`: "has not tried NSAIDs", session 24), quoting those; else not_stated. A value
    unknown (no summary) stays as it is."""
    wanted = frozenset(kinds)
    if value in _STATED:
        own = [s for s in statements if wanted & kinds_named(table, statement_words(s))]
        if own:
            return value, own
    elif value != "not_stated":
        return value, []
    untried = [s for s in not_tried if wanted & kinds_named(table, s.text)]
    return ("no", untried) if untried else ("not_stated", [])

