"""The pain the record states at its latest reading, after it lists care already given: a pain still high
then is care tried that has not brought it down (session 23 nurse check: "Treatment to date has included
physical therapy and medications. ... She rated her pain 8/10.").

Read as structure, not wording: the record's `treatment_done` mention (not the UR's, not negated, requested
or another person's), the summary's current pain scores (`features/pain_scores.py`), the last one the value.
A score told without the care ("8/10 without medications") is no reading after it, and a record that says
care helped (`care_helped`) is no record of care that failed; both give no value. The criteria table decides
what a high pain is (`pain_after_care` in criteria.yaml).

Session 26 nurse check: a record that lists care and then says the complaints or symptoms have not changed
("no changes in complaints or condition", `condition_unchanged` in value_patterns.yaml) tells care tried
without relief as plainly as a high score; such statements are kept beside the scores, read by the same
limits (the record's words, not a condition or plan, not in the first two weeks)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from features.assertion_categories import NOT_DONE, Category
from features.authors import UR_REVIEWER
from features.evidence import EvidenceSpan
from features.pain_scores import PainScore, current_scores, pain_scores
from features.value_patterns import value_patterns

if TYPE_CHECKING:  # a type only: the synthetic generator reads this module's readings without spaCy
    from features.analysis import AnalysedText

# a score of the pain without the care ("8/10 without medication", "without his meds it is 9/10")
_WITHOUT_CARE = re.compile(
    r"\bwithout\s+(?:(?:his|her|their|the|any|pain)\s+)?(?:medications?|meds|medicines?|treatment|analgesics?)\b",
    re.IGNORECASE)
_WITHOUT_WINDOW = 40  # characters either side of a score in which its "without medication" is read
# a score read in the first two weeks after the injury is the pain before any course of care could tell
EARLIEST_READING_DAYS = 14


@dataclass(frozen=True)
class PainReading:
    """One current score after care: its value, the words from the score before it (or its sentence's
    start) to its end, which name the body part it rates ("right knee pain rated 9/10"), and its span."""

    score: float
    words: str
    span: EvidenceSpan


@dataclass(frozen=True)
class PainAfterCare:
    """The current scores of a summary that lists care given, in order, and the record's care statement."""

    readings: tuple[PainReading, ...]
    care: EvidenceSpan
    # the record's statements that the complaints have not changed after that care (session 26); their
    # `score` is not read (0.0), `words` are the statement's sentence
    unchanged: tuple[PainReading, ...] = ()

    def latest(self, rates: Callable[[str], bool]) -> PainReading | None:
        """The last reading whose words `rates` accepts (a score of the request's body part)."""
        return next((r for r in reversed(self.readings) if rates(r.words)), None)

    def latest_unchanged(self, rates: Callable[[str], bool]) -> PainReading | None:
        """The last statement of unchanged complaints whose sentence `rates` accepts (the request's part)."""
        return next((r for r in reversed(self.unchanged) if rates(r.words)), None)


def pain_after_care(summary: AnalysedText, *, injury: date | None = None,
                    visit_day: Callable[[int], date | None] = lambda i: None,
                    scores: Sequence[PainScore] | None = None,
                    after_help: bool = False) -> PainAfterCare | None:
    """The current pain scores of a summary that lists care already given, None when it lists none, states
    no score in the record's words (not the UR's, not without the care, not in the first
    `EARLIEST_READING_DAYS` after the `injury` by the date of the visit its sentence reports, `visit_day`),
    or says care helped (unless `after_help`: the scores after care the record says helped, session 25).
    `scores`: the summary's current scores when the caller has read them already."""
    done = [m for m in summary.mentions("treatment_done")
            if m.author != UR_REVIEWER and not m.assertion.categories & NOT_DONE]
    helped = [m for m in summary.mentions("care_helped")
              if (m.affirmed or m.assertion.categories == {Category.HISTORICAL}) and m.author != UR_REVIEWER]
    if not done or (bool(helped) != after_help):
        return None
    text = summary.text
    readings: list[PainReading] = []
    previous_end = 0
    for s in current_scores(text, pain_scores(text)) if scores is None else scores:
        sentence = summary.sentence_at(s.start)
        words_from, previous_end = max(previous_end, sentence.start if sentence else 0), s.end
        if sentence is None or sentence.author == UR_REVIEWER or _WITHOUT_CARE.search(
                text, max(0, s.start - _WITHOUT_WINDOW), min(len(text), s.end + _WITHOUT_WINDOW)):
            continue
        day = visit_day(sentence.index)
        if injury is not None and day is not None and (day - injury).days < EARLIEST_READING_DAYS:
            continue
        m = summary.mention("value", s.start, s.end)
        if m is not None:
            readings.append(PainReading(s.value, text[words_from:s.end], m.span()))
    unchanged = tuple(_unchanged_statements(summary, injury, visit_day)) if not after_help else ()
    return PainAfterCare(tuple(readings), done[0].span(), unchanged) if readings or unchanged else None


def _unchanged_statements(summary: AnalysedText, injury: date | None,
                          visit_day: Callable[[int], date | None]) -> list[PainReading]:
    """The record's sentences saying the complaints have not changed: not the UR's, not a condition or plan
    before the words in their sentence ("if there is no improvement in symptoms"), not from the first
    `EARLIEST_READING_DAYS` after the injury."""
    patterns = value_patterns()
    out: list[PainReading] = []
    for found in patterns["condition_unchanged"].finditer(summary.text):
        sentence = summary.sentence_at(found.start())
        conditional = patterns["condition_unchanged_conditional"]
        if sentence is None or sentence.author == UR_REVIEWER or conditional.search(
                summary.text, sentence.start, found.start()):
            continue
        day = visit_day(sentence.index)
        if injury is not None and day is not None and (day - injury).days < EARLIEST_READING_DAYS:
            continue
        span = EvidenceSpan(sentence.section, found.start(), found.end(), found.group(0),
                            sentence=sentence.text, sentence_start=sentence.start, sentence_end=sentence.end,
                            author=sentence.author)
        out.append(PainReading(0.0, sentence.text, span))
    return out
