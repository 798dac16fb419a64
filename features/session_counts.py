"""Which therapy a count of sessions had belongs to, where the count's own words do not name it (session
14, round-13 kinds, read as structure): a treatment log's numbered, dated entries ("Visit 1 (03/04/2024): ...
Visit 6 (04/15/2024): ...") count the sessions of the therapy named just before the log, and a count in a
sentence that names one therapy only ("Per the physical therapist's discharge summary of <date>, he
completed 16 visits") is that therapy's, however far from the count the name is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from features.assertion_categories import Category
from features.authors import UR_REVIEWER
from features.value_patterns import value_patterns
from features.written_dates import parse_date

if TYPE_CHECKING:  # types only: `imr synth` reads `therapy_names` without spaCy
    from features.analysis import AnalysedText, Mention

LOG_LOOKBACK = 3  # sentences before a log's first entry in which the therapy it logs is named
_NOT_HAD = frozenset({Category.HYPOTHETICAL, Category.NEGATED, Category.FAMILY})


@dataclass(frozen=True, slots=True)
class TherapyName:
    """A therapy named in the summary, with every service type whose words name it there."""

    start: int
    end: int
    types: frozenset[str]

    def span(self) -> tuple[int, int]:
        return self.start, self.end


@dataclass(frozen=True, slots=True)
class SessionLog:
    """A log of numbered, dated sessions: the highest number logged, its entry, the service types it logs."""

    count: float
    mention: Mention
    types: frozenset[str]


@lru_cache(maxsize=4096)  # every service of a letter asks again of the same sentences
def therapy_names(text: str, start: int = 0, end: int | None = None, *,
                  counts: bool = True) -> tuple[TherapyName, ...]:
    """Every therapy named in text[start:end], overlapping names and names only a space apart
    ("cognitive behavioral" + "therapy") merged into one. A name a specific word makes ("physical
    therapy", "aquatic therapy", "cognitive behavioral therapy") is that kind's only; the generic word
    (`therapy_generic`: a bare "therapy") is every kind that reads it (physical therapy's, a modality's and,
    for a count, occupational therapy's) only where it stands alone (round 19: a CBT count is no
    biofeedback's, an aquatic one no physical therapy's). `counts=False`: the names of a therapy not had,
    without `therapy_counts_also` (a count's words only)."""
    p = value_patterns()
    end = len(text) if end is None else end
    also = p["therapy_counts_also"] if counts else {}
    words = {**p["therapy_types"], **{f"{k}+": v for k, v in also.items()}}
    generic = p["therapy_generic"]
    found = sorted((m.start(), m.end(), kind.rstrip("+"), bool(generic.fullmatch(m.group(0))))
                   for kind, pat in words.items() for m in pat.finditer(text, start, end))
    spans: list[tuple[int, int, set[str], set[str]]] = []  # start, end, specific kinds, generic kinds
    for a, b, kind, bare in found:
        if spans and not text[spans[-1][1]:a].strip():
            last = spans[-1]
            spans[-1] = (last[0], max(last[1], b), last[2], last[3])
        else:
            spans.append((a, b, set(), set()))
        spans[-1][3 if bare else 2].add(kind)
    return tuple(TherapyName(a, b, frozenset(specific or bare)) for a, b, specific, bare in spans)


def sole_therapy(m: Mention) -> frozenset[str]:
    """The service types of the one therapy a count's sentence names (empty: it names none, or several)."""
    s = m.sentence
    names = therapy_names(s.text)
    kinds = {n.types for n in names}
    return next(iter(kinds)) if len(kinds) == 1 else frozenset()


def named_near(kind: str, m: Mention, window: int) -> bool:
    """Whether a therapy of service type `kind` is named within `window` characters of a count, in its
    sentence (names read whole, so a window never cuts "cognitive behavioral therapy" down to "therapy")."""
    s = m.sentence
    lo, hi = m.start - s.start - window, m.end - s.start + window
    return any(kind in n.types and n.end > lo and n.start < hi for n in therapy_names(s.text))


def kind_named(kind: str, text: str) -> bool:
    """Whether `text` names a therapy of service type `kind` (`therapy_names`, not a count's words)."""
    return any(kind in n.types for n in therapy_names(text, counts=False))


def not_had_names(kind: str, text: str) -> list[TherapyName]:
    """The therapies named in `text` whose statement as not had yet speaks for service type `kind`: a name of
    that kind; a bare "therapy", which is every visit therapy's as a count of it is (`therapy_counts_also`:
    "she has not had therapy" for an OT request); and a therapy whose absence is that kind's too
    (`therapy_not_had_covers`: no physical therapy at all is no aquatic physical therapy). Session 34
    (round-58 kind K12)."""
    covers = value_patterns()["therapy_not_had_covers"].get(kind)
    return [n for n in therapy_names(text) if kind in n.types
            or (covers is not None and any(covers.fullmatch(k) for k in n.types))]


@dataclass(frozen=True, slots=True)
class KindNames:
    """The names of one service type's therapy in a text (`therapy_names`), found like a compiled pattern's
    matches: where a duration reader looks for the therapy a start is said of (round 19: "started cognitive
    behavioral therapy on <date>" starts no biofeedback, whose modality reads a bare "therapy")."""

    kind: str
    not_had: bool = False  # the names care not had yet speaks for (`not_had_names`): a bare "therapy" too

    def finditer(self, text: str) -> list[TherapyName]:
        if self.not_had:
            return not_had_names(self.kind, text)
        return [n for n in therapy_names(text, counts=False) if self.kind in n.types]


def count_therapy(m: Mention) -> frozenset[str]:
    """The service types the count's own words name with a specific name: inside the count's phrase ("12
    chiropractic visits"), in its complement (`count_complement`: "12 sessions of chiropractic care", "visits
    with a chiropractor") or as its label (`count_label`: "Chiropractic care (12 visits)", "Chiropractic: 12
    visits"). Empty when they name none, or only the generic "therapy" (round 19: a count's own therapy is the
    one it counts, whatever other therapy its sentence names). In a list of counts that share one noun ("16
    physical therapy, 12 chiropractic and 6 acupuncture visits", `count_list_rest`) its own words are those up
    to the next item (session 38, round-71 kind K2)."""
    p = value_patterns()
    text, s0 = m.sentence.text, m.sentence.start
    a, b = m.start - s0, m.end - s0
    end = count_noun_end(text, b)
    if end == b:  # "16 physical therapy, 12 chiropractic ... visits": its words up to the next item
        shared = p["session_noun"].search(text, b, min(len(text), b + 150))
        listed = p["count_list_rest"].fullmatch(text, b, shared.end()) if shared else None
        end = listed.end("own") if listed else end
    generic = p["therapy_generic"]
    names = [n for n in therapy_names(text) if not generic.fullmatch(text[n.start:n.end])]
    for keep in (lambda n: a <= n.start and n.end <= end,
                 lambda n: n.start >= end and p["count_complement"].fullmatch(text, end, n.start) is not None,
                 lambda n: n.end <= a and p["count_label"].fullmatch(text, n.end, a) is not None,
                 lambda n: n.end <= a and p["count_label_region"].fullmatch(text, n.end, a) is not None):
        kinds = frozenset(k for n in names if keep(n) for k in n.types)
        if kinds:
            return kinds
    return frozenset()


def count_names_therapy(m: Mention) -> bool:
    """Whether a count's own words (`count_own_words`: "six sessions of therapy", "12 therapy visits") name a
    therapy by the bare word (`therapy_generic`): a therapy's count, never a program's, whose name is its own
    (session 45, round-117 kind K5)."""
    text, s0 = m.sentence.text, m.sentence.start
    a, b = count_own_words(text, m.start - s0, m.end - s0)
    generic = value_patterns()["therapy_generic"]
    return any(a <= n.start and n.end <= b and generic.fullmatch(text[n.start:n.end]) is not None
               for n in therapy_names(text))


def count_noun_end(text: str, b: int) -> int:
    """The end of a count's own phrase, its session noun ("24 post-operative physical therapy sessions"),
    where no break comes between (`b`: the count's end; `b` itself when none follows)."""
    noun = value_patterns()["session_noun"].search(text, b, min(len(text), b + 60))
    return noun.end() if noun and not re.search(r"[,;:()]|\band\b", text[b:noun.start()]) else b


def count_own_words(text: str, a: int, b: int) -> tuple[int, int]:
    """The words a count at text[a:b] says of itself: its phrase up to its session noun and the complement
    after it ("24 sessions of post-operative physical therapy"), for which phase or therapy it counts."""
    end = count_noun_end(text, b)
    complement = value_patterns()["count_complement"].match(text, end) if end > b else None
    return a, complement.end() if complement else end


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


def dated_sessions(summary: AnalysedText, ref: date | None) -> list[SessionLog]:
    """Each list of two or more dated visits of a therapy (`sessions_dated`: "saw a psychologist on <date>,
    <date> and <date>"), as many sessions had as its dates up to the UR denial date: the therapy its lead
    words name, or the one whose provider they name (`therapy_providers`); not negated, planned or the UR's
    own (session 41, round-94 kind K8b)."""
    p = value_patterns()
    out = []
    for found in p["sessions_dated"].finditer(summary.text):
        lead = found.group("lead")
        named = frozenset(k for n in therapy_names(lead, counts=False) for k in n.types)
        types = named or frozenset(kind for kind, provider in p["therapy_providers"].items()
                                   if provider.search(lead))
        dates = [parse_date(d.group(0)) for d in p["visit_date_token"].finditer(found.group("dates"))]
        had = [d for d in dates if d is not None and (ref is None or d <= ref)]
        m = summary.mention("therapy", *found.span("dates"))
        if not types or len(had) < 2 or m is None or m.assertion.categories & _NOT_HAD \
                or m.author == UR_REVIEWER:
            continue
        out.append(SessionLog(float(len(had)), m, types))
    return out
