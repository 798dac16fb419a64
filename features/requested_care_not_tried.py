"""A requested care the summary tells as never tried or not had (ruling R17: care not yet tried, `no` where
no failure is told): a drug or medical food a heading names, by any of its names or its class ("has never
tried Butrans", "has never had medical foods"), or a care of `requested_care_kinds` ("has had no CBT").
Read only for the care a heading requests: a drug class not tried beside another drug's request is that
drug's step therapy (features/care_kinds.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from features.analysis import AnalysedText, Mention
from features.drug_names import drug_names, name_pattern
from features.heading_drugs import heading_drug_names
from features.value_patterns import value_patterns

_ITEM_BREAK = re.compile(r",\s*(?:(?:or|and|nor)\s+)?|\s+(?:or|and|nor)\s+", re.IGNORECASE)
# an item of the object that opens a clause of its own ("has never tried therapy, and Norco was started"):
# the list ends before it
_CLAUSE_ITEM = re.compile(r"\b(?:was|were|is|are|has|have|had|will|would|did|does|do|he|she|they)\b",
                          re.IGNORECASE)
_SUBJECT_WORDS = 4  # words before a subject's verb in which its care is named ("a Butrans 10 mcg patch")


@lru_cache(maxsize=256)
def requested_names(headings: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern of the names the headings' care is told by: a drug heading's names, other names and class
    words (a plural too), not of a drug that treats no complaint (`requested_drug_not_care`), and the kind
    of `requested_care_kinds` a heading of no drug names; None where no heading names either."""
    names = drug_names()
    kinds = value_patterns()["requested_care_kinds"]
    not_care = value_patterns()["requested_drug_not_care"]
    alternatives: list[str] = []
    for heading in headings:
        own, others, classes = heading_drug_names(heading)
        if any(not_care.fullmatch(names.classes[n]) for n in own if n in names.classes):
            continue  # a rescue drug ("naloxone"): no care of a complaint
        if any(n in names.classes for n in own):
            alternatives += [name_pattern(n) + "s?" for n in (*own, *others, *classes)
                             if n in names.classes or n in classes]
            continue
        kind = next((k for k in kinds.values() if k.search(heading)), None)
        if kind is not None:
            alternatives.append(kind.pattern)
    if not alternatives:
        return None
    return re.compile("(?:" + "|".join(dict.fromkeys(alternatives)) + r")\b", re.IGNORECASE)


def requested_care_not_tried(summary: AnalysedText, headings: Sequence[str]) -> list[Mention]:
    """A `care_not_tried` mention (the verb of having denied to the care named) for each statement that a
    requested care was never tried or not had, asserted in its sentence, for the caller to read."""
    named = requested_names(tuple(headings))
    if named is None:
        return []
    p = value_patterns()
    text = summary.text
    spans = [(v.start(), end) for v in p["care_never_had"].finditer(text)
             if (end := _object_named(text, v.end(), named)) is not None]
    for v in p["care_never_had_subject"].finditer(text):
        s = summary.sentence_at(v.start())
        subject = " ".join(text[s.start:v.start()].split()[-_SUBJECT_WORDS:]) if s is not None else ""
        if named.search(subject) and not p["care_had_before_after"].match(text, v.end()):
            spans.append(v.span())
    found = [summary.mention("care_not_tried", a, b) for a, b in sorted(spans)]
    return [m for m in found if m is not None and m.end <= m.sentence.end]


def _object_named(text: str, at: int, named: re.Pattern[str]) -> int | None:
    """The end of the first item of the object after a verb of having denied (ending at `at`) that names a
    requested care first, past its determiners ("a trial of Butrans", "Trepadone or Sentra AM"); None where
    none does, or where the object is told as had before ("for two weeks", "since 2014")."""
    p = value_patterns()
    stop = p["care_never_had_object_end"].search(text, at)
    object_end = stop.start() if stop else len(text)
    if p["care_had_before_after"].match(text, object_end):
        return None
    start = at
    for item in [*_ITEM_BREAK.finditer(text, at, object_end), None]:
        end = item.start() if item else object_end
        if start > at and _CLAUSE_ITEM.search(text, start, end):
            return None
        item_text = text[start:end]
        lead = p["care_never_had_determiner"].match(text, end - len(item_text.lstrip()), end)
        if lead is not None and named.match(text, lead.end(), end) is not None:
            # the item whole, its noun too ("a Toradol injection"), without the white space after it
            return max(lead.end(), start + len(item_text.rstrip()))
        start = item.end() if item else object_end
    return None

