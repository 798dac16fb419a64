"""The day of an emergency-room or urgent-care visit a summary tells without a date of its own ("was taken to
the emergency department, where ...", "was seen at urgent care the same day", "went to the ER that
evening"): the day of the event told last before it. A drug started or handed over in that account
("started on ibuprofen", "discharged on Norco") starts that day (session 41, round-95 kind K1; round-90 kind
K7b)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from features.authors import UR_REVIEWER, load_author_rules
from features.sentences import Sentence
from features.value_patterns import value_patterns
from features.visits import VISIT_LOOKBACK, DatedSentences

# sentences after an acute visit's own that may go on telling it ("He was splinted and started on naproxen."):
# the account ends sooner at a date, a time later than the visit, a new visit or the UR's words
ACUTE_ACCOUNT_REACH = 2


def acute_visit_days(sentences: Sequence[Sentence], dated: DatedSentences,
                     injury: date | None) -> list[tuple[date, str] | None]:
    """Per summary sentence, the day of the acute visit it tells or goes on telling (date, as written), None
    elsewhere. The visit's day: a date of its own sentence; else, told "the same day" / "that evening", the
    date told last in the sentences before; else, told with no time at all, that date only where it is the
    injury's (the first care after the injury). A visit told later than that ("the next day") has no day."""
    p = value_patterns()
    out: list[tuple[date, str] | None] = [None] * len(sentences)
    for i, s in enumerate(sentences):
        if s.author == UR_REVIEWER or p["acute_visit_later"].search(s.text) or (
                p["acute_care_visit"].search(s.text) is None and p["same_day_visit"].search(s.text) is None):
            continue  # round-90 kind K7b: any clinic's visit told "the same day" is dated so too
        day = dated.sentence_dates[i] or _told_before(i, dated, same_day=bool(
            p["acute_visit_same_day"].search(s.text)), injury=injury)
        if day is None:
            continue
        out[i] = day
        for j in range(i + 1, min(len(sentences), i + 1 + ACUTE_ACCOUNT_REACH)):
            if not _goes_on(sentences[j], dated.sentence_dates[j]):
                break
            out[j] = day
    return out


def _told_before(index: int, dated: DatedSentences, *, same_day: bool,
                 injury: date | None) -> tuple[date, str] | None:
    """The date told last in the `VISIT_LOOKBACK` sentences before sentence `index`: the day of a visit told
    "the same day"; with no time said, only the injury's day."""
    for back in range(index - 1, max(-1, index - 1 - VISIT_LOOKBACK), -1):
        found = dated.sentence_dates[back]
        if found is not None:
            return found if same_day or found[0] == injury else None
    return None


def _goes_on(s: Sentence, own_date: tuple[date, str] | None) -> bool:
    """Whether sentence `s`, right after an acute visit's account, goes on telling it: no date, no time
    later, no new visit, not the UR's words."""
    p = value_patterns()
    return own_date is None and s.author != UR_REVIEWER and not p["acute_visit_later"].search(s.text) \
        and not load_author_rules().new_visit.match(s.text)
