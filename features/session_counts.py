"""Which therapy a count of sessions had belongs to, where the count's own words do not name it (session
14, round-13 kinds, read as structure): a treatment log's numbered, dated entries ("Visit 1 (03/04/2024): ...
Visit 6 (04/15/2024): ...") count the sessions of the therapy named just before the log, and a count in a
sentence that names one therapy only ("Per the physical therapist's discharge summary of <date>, he
completed 16 visits") is that therapy's, however far from the count the name is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from features.analysis import AnalysedText, Mention
from features.assertions import Category
from features.value_patterns import value_patterns
from features.written_dates import parse_date

LOG_LOOKBACK = 3  # sentences before a log's first entry in which the therapy it logs is named
_NOT_HAD = frozenset({Category.HYPOTHETICAL, Category.NEGATED, Category.FAMILY})


@dataclass(frozen=True, slots=True)
class TherapyName:
    """A therapy named in the summary, with every service type whose words name it there."""

    start: int
    end: int
    types: frozenset[str]


@dataclass(frozen=True, slots=True)
class SessionLog:
    """A log of numbered, dated sessions: the highest number logged, its entry, the service types it logs."""

    count: float
    mention: Mention
    types: frozenset[str]


def therapy_names(text: str, start: int = 0, end: int | None = None) -> list[TherapyName]:
    """Every therapy named in text[start:end], overlapping names of several service types merged into one
    (a bare "therapy" is physical therapy's, a modality's and, for a count, occupational therapy's)."""
    p = value_patterns()
    end = len(text) if end is None else end
    words = {**p["therapy_types"], **{f"{k}+": v for k, v in p["therapy_counts_also"].items()}}
    found = sorted((m.start(), m.end(), kind.rstrip("+")) for kind, pat in words.items()
                   for m in pat.finditer(text, start, end))
    merged: list[TherapyName] = []
    for a, b, kind in found:
        if merged and a < merged[-1].end:
            last = merged[-1]
            merged[-1] = TherapyName(last.start, max(last.end, b), last.types | {kind})
        else:
            merged.append(TherapyName(a, b, frozenset({kind})))
    return merged


def sole_therapy(m: Mention) -> frozenset[str]:
    """The service types of the one therapy a count's sentence names (empty: it names none, or several)."""
    s = m.sentence
    names = therapy_names(s.text)
    kinds = {n.types for n in names}
    return next(iter(kinds)) if len(kinds) == 1 else frozenset()


def session_logs(summary: AnalysedText, ref: date | None) -> list[SessionLog]:
    """Each log of two or more numbered, dated entries (`session_log_entry`; numbering that starts again
    starts a new log), dated no later than the UR denial date, credited to the therapy named last before its
    first entry (in that entry's sentence or the `LOG_LOOKBACK` sentences before it)."""
    p = value_patterns()
    logs: list[list[re.Match[str]]] = []
    for e in p["session_log_entry"].finditer(summary.text):
        when = parse_date(e.group(2))
        if when is None or (ref is not None and when > ref):
            continue
        if logs and int(e.group(1)) > int(logs[-1][-1].group(1)):
            logs[-1].append(e)
        else:
            logs.append([e])
    out = []
    for entries in logs:
        if len(entries) < 2:
            continue
        first = summary.sentence_at(entries[0].start())
        if first is None:
            continue
        lo = summary.sentences[max(0, first.index - LOG_LOOKBACK)].start
        names = therapy_names(summary.text, lo, entries[0].start())
        top = max(entries, key=lambda e: int(e.group(1)))
        m = summary.mention("therapy", *top.span(1))
        if not names or m is None or m.assertion.categories & _NOT_HAD:
            continue
        out.append(SessionLog(float(top.group(1)), m, names[-1].types))
    return out
