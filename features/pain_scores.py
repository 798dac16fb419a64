"""The 0-10 pain scores a case summary states, in every written form of `value_patterns.yaml` (digits or
words, "/10" or "out of ten", "Pain level: 5", "rated her pain a 6", "about an eight", a named scale, a
100 mm VAS line, the second value of a pair told after a score; a percentage, a count of hours, nights or
sessions, another scale's total and another thing's rating are never a score)."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from features.style import lookback_start
from features.value_patterns import ValuePatterns, value_patterns

PAIN_PATTERNS = (
    "pain_score", "pain_score_word", "pain_score_spelled", "pain_score_rated", "pain_score_scale",
    "pain_score_level",
)


@dataclass(frozen=True)
class PainScore:
    value: float
    start: int
    end: int


def _value(groups: dict[str, str | None], p: ValuePatterns) -> float | None:
    """A range's upper end; a 100 mm line's reading (in mm, out of 100, or above 10) in tenths."""
    found = [n for n in (p.number(groups.get("lo")), p.number(groups.get("hi"))) if n is not None]
    if not found:
        return None
    v = max(found)
    if "per100" in groups and (groups["per100"] is not None or v > 10):
        v = v / 10
    return v if 0 <= v <= 10 else None


def pain_scores(text: str) -> list[PainScore]:
    """Every score stated, in order, one per place (the first pattern that reads a place wins), and the
    second value of a pair right after one ("Pain at rest 4, with activity 7": 4 and 7). A number another
    scale or rating labels ("PHQ-9 of 10", "rates his depression 7/10": `not_pain_label_before`) is none."""
    p = value_patterns()
    label = p["not_pain_label_before"]
    out: list[PainScore] = []
    for key in PAIN_PATTERNS:
        for m in p[key].finditer(text):
            v = _value(m.groupdict(), p)
            if v is None or any(s.start < m.end() and m.start() < s.end for s in out) \
                    or label.search(text, max(0, m.start() - 60), m.start()):
                continue
            out.append(PainScore(v, m.start(), m.end()))
    for score in list(out):
        pair = p["pain_score_paired"].match(text, score.end)
        v = p.number(pair.group("lo") or pair.group("lo2") or pair.group("lo3")) if pair else None
        if pair and v is not None and 0 <= v <= 10 \
                and not any(s.start < pair.end() and pair.start() < s.end for s in out):
            out.append(PainScore(v, pair.start(), pair.end()))
    return sorted(out, key=lambda s: s.start)


_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z]|\s*$)")
# how far before a score its past time may start: "at the preceding visit it was " (session 29; was 30); a
# phrase naming the worker counts as "his" does (`lookback_start`, session 41)
_PAST_BEFORE_CHARS = 50
_CHANGE_START_CHARS = 30  # "down from a level of " before a change's start
# how far before a score its earlier period may start: "two years ago, during an exacerbation, he rated his
# pain " (session 42, ruling R2; the pattern is anchored at the score, so a longer reach finds only longer
# phrases)
_EARLIER_BEFORE_CHARS = 80


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_TWO_DIGIT_YEAR = re.compile(r"\b\d{1,2}[/-]\d{1,2}[/-](\d\d)\b")


def _latest_year(text: str) -> int:
    """The latest year the summary's dates name ("2016", "09/19/2016", "1/11/16"), 0 when none."""
    years = [int(y) for y in _YEAR.findall(text)] + [2000 + int(y) for y in _TWO_DIGIT_YEAR.findall(text)]
    return max(years, default=0)


def _of_earlier_periods(text: str, scores: list[PainScore]) -> list[bool]:
    """Whether each score is told of a distinctly earlier period ("In 2014 her pain was rated 10/10", "8/10
    last year"; not a change's start): the settled convention counts none of them (session 35, round 61)."""
    p = value_patterns()
    latest: int | None = None
    out = []
    for s in scores:
        back = lookback_start(text, s.start, _EARLIER_BEFORE_CHARS)
        told = p["pain_earlier_before"].search(text, back, s.start) \
            or p["pain_earlier_after"].match(text, s.end)
        if told is None or p["pain_change_start_before"].search(
                text, max(0, s.start - _CHANGE_START_CHARS), s.start):
            out.append(False)
            continue
        years = _YEAR.findall(told.group(0))
        if years and latest is None:
            latest = _latest_year(text)
        out.append(not years or int(years[-1]) < (latest or 0))
    return out


def current_scores(text: str, scores: list[PainScore]) -> list[PainScore]:
    """The scores that are current readings: a score of a distinctly earlier period (`_of_earlier_periods`)
    gives way to any other score of the summary; a score its own sentence puts in the past
    (`pain_past_before`, `pain_past_after`) gives way when that sentence states another score not put in the
    past (round 21). A rating before care (`pain_before_care_after`, or the care fronted:
    `pain_before_care_before`) is a change's start and never past (the lead's ruling R2, sessions 40, 43).
    Grouped by sentence once, so time stays linear in the number of scores."""
    p = value_patterns()
    earlier = _of_earlier_periods(text, scores)
    if not all(earlier):
        scores = [s for s, e in zip(scores, earlier, strict=True) if not e]
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]

    def past(s: PainScore) -> bool:
        if p["pain_before_care_after"].match(text, s.end):  # the start of the change a treatment made
            return False
        fronted = lookback_start(text, s.start, _EARLIER_BEFORE_CHARS)
        if p["pain_before_care_before"].search(text, fronted, s.start):
            return False  # "before the 10/20/2015 injection it had been 9/10": the same start, fronted (s43)
        back = lookback_start(text, s.start, _PAST_BEFORE_CHARS)
        return bool(p["pain_past_before"].search(text, back, s.start)
                    or p["pain_past_after"].match(text, s.end))

    sentence = [bisect_right(ends, s.start) for s in scores]  # the first sentence end after the score
    is_past = [past(s) for s in scores]
    current_in: dict[int, int] = {}  # sentence -> how many of its scores are not put in the past
    for i, past_here in zip(sentence, is_past, strict=True):
        current_in[i] = current_in.get(i, 0) + (not past_here)
    # a past score gives way when its sentence holds a current one (itself never counts: it is past)
    return [s for s, i, past_here in zip(scores, sentence, is_past, strict=True)
            if not (past_here and current_in[i])]
