"""The statements of a length of use or of a start in one sentence ("for 2 years", "since 03/2016", "started
on <date>", "newly prescribed"), each in months to the UR denial date: what a duration of use is read from."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from features.value_patterns import ValuePatterns
from features.written_dates import parse_date as _parse_date

NEWLY_DAYS = 15  # days before the UR denial within which a start is newly started (0)
DAYS_PER_MONTH = 30.44  # the keying convention's month (365.25 / 12): days / 30.44 to a tenth (session 34)
_AGO_AFTER = re.compile(r"\s+ago\b", re.IGNORECASE)
_MONTHS = {"day": 1 / DAYS_PER_MONTH, "week": 7 / DAYS_PER_MONTH, "month": 1.0, "year": 12.0}
# to be started, a trial asked for (round 15), never had or not started yet (round 16), a plan list's later
# start (session 31), a passive plan (session 32), a device's trial proposed (session 40): 0
_PLANNED = ("duration_planned", "duration_trial", "duration_unstarted", "duration_planned_drug",
            "duration_planned_passive", "duration_trial_proposed")


@dataclass(frozen=True)
class Stated:
    """A duration statement in a sentence: its pattern, months of use, the words stating it (whose
    assertion counts) and, for a start verb, the verb's span (the drug it governs owns the start)."""

    key: str
    months: float
    span: tuple[int, int]
    verb: tuple[int, int] | None = None
    borrowed: bool = False  # round 26: dated by a date before its verb or by its visit, not by its own words
    # session 41 (ruling R8, round-88 kind K5): "about two years ago" in a sentence no date or visit anchors,
    # counted back from the UR date: a length or start a later sentence dates by a date told replaces it
    unanchored: bool = False
    # a date written in its sentence dates it (its own, its report's): what replaces an unanchored one
    dated: bool = False


def _months_to(start: date, ref: date, written: str) -> float:
    """Months of use from a start written `written` to the UR denial date: a full date counts days
    (`months_from`); a month and year ("since May 2016", "since 03/2016"), whose day is not known, from the
    month's 15th (round 15: as the protocol's writers count a month-only start)."""
    if re.search(r"\b\d{1,2}[/-]\d{1,2}[/-]\d{2,4}\b|\b\d{4}-\d{1,2}-\d{1,2}\b|[a-z]+\.?\s+\d{1,2},?\s+\d{4}",
                 written, re.IGNORECASE):
        return months_from(start, ref)
    return months_from(start.replace(day=15), ref)


def _calendar_months(start: date, ref: date) -> float:
    return float((ref.year - start.year) * 12 + ref.month - start.month)


def _span_middle(lo: date, hi: date, ref: date) -> date:
    """The middle of a span a start is written as (a year, "early 2015"), or of its part before the UR date:
    the estimate that is off by least on average."""
    hi = min(hi, ref)
    return date.fromordinal((lo.toordinal() + hi.toordinal()) // 2) if hi >= lo else lo


_YEAR_PARTS = {None: ((1, 1), (12, 31)), "early": ((1, 1), (3, 31)), "mid": ((4, 1), (9, 30)),
               "late": ((10, 1), (12, 31))}


def _year_start(year: int, part: str | None, ref: date) -> date:
    """A start written as a year or a part of one ("since 2015", "in early 2015"): the middle of that span."""
    (m1, d1), (m2, d2) = _YEAR_PARTS[part.lower() if part else None]
    return _span_middle(date(year, m1, d1), date(year, m2, d2), ref)


def months_from(start: date, ref: date) -> float:
    """Months from a known day to the UR denial date, to a tenth (days / `DAYS_PER_MONTH`): 05/01 to 06/24
    is 1.8, not a whole 1; a start less than half a month before the UR is newly started (the protocol's 0).
    Round 15: three or four weeks are 0.7 to 0.9, as the round-14 and round-15 writers count them, not 0.
    Public: the SYNTHETIC generator counts the start it writes for a new drug this way
    (synthetic/latent_criteria.py)."""
    days = (ref - start).days
    return 0.0 if days < NEWLY_DAYS else round(days / DAYS_PER_MONTH, 1)


def _visit_to_ur(when: date | None, ref: date | None) -> float:
    """Months from a visit or report's date to the UR denial date, to a tenth: what a length told as of that
    visit runs on by (ruling R8); 0 where either date is unknown or the visit is after the UR. No
    newly-started cut (`months_from`'s): the length is the use's, the visit only dates it."""
    if when is None or ref is None or when > ref:
        return 0.0
    return round((ref - when).days / DAYS_PER_MONTH, 1)


def stated_durations(text: str, p: ValuePatterns, ref: date | None, *, injury: date | None = None,
                     visit: tuple[date, str] | None = None, surgery: date | None = None,
                     not_starts: Sequence[tuple[int, int]] = (),
                     visit_day: date | None = None, acute_visit: bool = False,
                     event: date | None = None, month_visit: date | None = None,
                     day_before: date | None = None) -> list[Stated]:
    """Each duration statement in a sentence, most specific first: a length of use, a 'since' date, the
    injury or a dated operation, a start verb with its date ('started on <date>', 'added 6 weeks ago',
    counted back from the sentence's visit), 'newly started' (0), then a start verb dated by the visit
    the sentence reports (`visit`: "On 12/01/2016 she was seen. Norco was prescribed."). An undated
    start with no visit date states no duration. Round 26: the dates at `not_starts` are another event's (a
    study's: "a lumbar MRI on 06/01/2016 showed ..., and tramadol was prescribed"), never a start's.
    `visit_day`: the sentence's dated visit (`features.visits`), the last a start told "at that visit" may
    take (`_visit_told_before`). `acute_visit`: the sentence tells an emergency or urgent-care visit's account
    (`features.acute_visits`), where a drug handed over ("was given naproxen", "discharged on Norco") starts
    that day. `event`: the day of the event the sentence names back by its noun ("since the fall", "since
    discharge"; features/drug_durations.py `_event_day`), or of the date "since then" names back
    (`_then_day`), where a use since it starts. `month_visit`: the 15th of the month of a visit the sentence
    before tells with a month and year only ("He returned to care in September 2015."), which "at that visit"
    names back when no full date is nearer (round-100 kind K3). `day_before`: the last date of the sentence
    before, which "the same day" names back where its own sentence writes none (session 45, round-119 K2)."""
    out: list[Stated] = []
    undated_start: list[Stated] = []
    report_months, report_from = _report_to_ur(text, p, ref)

    def since_report_at(at: int) -> float:  # a length told at the report's date runs on from it
        return report_months if at >= report_from else 0.0

    since_report = since_report_at(len(text)) if report_from == 0 else 0.0
    planned = [(key, m.span()) for key in _PLANNED for m in p[key].finditer(text)]
    since_spans = [m.span() for m in p["duration_since_date"].finditer(text)]  # a start's date, no visit's
    planned += [("duration_planned_operation", m.span())  # "requests ... Tramadol for post-op pain"
                for m in p["duration_operation_purpose"].finditer(text)
                if p["request_verb"].search(text, 0, m.start())
                or p["purpose_asked_before"].search(text, 0, m.start())]
    for m in p["duration_for"].finditer(text):
        n = p.number(m.group(1))
        if m.group(1).lower() in ("a", "an") and m.group(0).lower().startswith(("x", "times")):
            continue  # "three times a day" is a frequency
        if p["duration_schedule_before"].search(text, max(0, m.start() - 25), m.start()):
            continue  # "2 times a week for 6 weeks" is a schedule
        if (m.group(0).lower().startswith(("x", "times")) and m.group(2).lower() in ("day", "week")
                and p["duration_prescription_before"].search(text, max(0, m.start() - 40), m.start())):
            continue  # round 18: "1 tab TID x 15 days" is the prescription's length
        if p["duration_to_come_before"].search(text, max(0, m.start() - 60), m.start()):
            continue  # round 19: "is to take Norco for 15 days", "another two months": no use so far
        if p["duration_quantity_before"].search(text, max(0, m.start() - 50), m.start()):
            continue  # round 35: "TENS unit supplies for three months" is the request's length
        if p["duration_pause_before"].search(text, max(0, m.start() - 40), m.start()):
            continue  # session 45 (round-119 kind K1): "was stopped for three months": the pause's length
        if p["duration_elapsed_after"].match(text, m.end()):
            continue  # session 45: "is more than eight years post injury" is time since the injury, no use
        if n is not None and ref is not None and since_report == 0 \
                and _an_ended_course(text, m, n * _MONTHS[m.group(2).lower()], p, ref):
            continue  # session 42 (round-100 kind K10): "was provided for 4 weeks after the 2013 surgery"
        if n is not None:
            n += 0.5 if m.group(3) else 0.0  # "a year and a half"
            # ruling R8: "about two years ago" in a sentence with no date or visit is counted from the UR date
            ago = visit is None and _AGO_AFTER.match(text, m.end()) is not None and not p["date"].search(text)
            since = since_report_at(m.start()) or _told_at_an_opening_visit(text, m, p, ref) \
                or _told_at_a_named_visit(text, m, p, ref, visit, visit_day, month_visit) \
                or _told_in_a_visit_report(text, m, p, ref, visit, visit_day, (*since_spans, *not_starts),
                                           injury)
            out.append(Stated("duration_for", round(n * _MONTHS[m.group(2).lower()] + since, 2),
                               m.span(), unanchored=ago, dated=since > 0))
    for m in p["duration_of_drug"].finditer(text):  # round 19: "two months of tramadol"
        n = p.number(m.group(1).removesuffix(" and a half").strip())
        if n is None or p["duration_to_come_before"].search(text, max(0, m.start() - 60), m.start()) or \
                p["duration_prescription_before"].search(text, max(0, m.start() - 40), m.start()):
            continue  # "another two months of", "prescribed 30 days of": a course to come, a supply
        n += 0.5 if "and a half" in m.group(1).lower() else 0.0
        months = n * _MONTHS[m.group(2).lower()] + since_report_at(m.start())
        out.append(Stated("duration_of", round(months, 2), m.span()))
    for m in p["duration_course"].finditer(text):  # round 15: "completed four weeks of the program"
        n = p.number(m.group(1))
        if n is not None:
            out.append(Stated("duration_course", round(n * _MONTHS[m.group(2).lower()], 2), m.span()))
    for m in p["duration_course_ordinal"].finditer(text):  # "is in week 3 of the program"
        out.append(Stated("duration_course", round(int(m.group(2)) * _MONTHS[m.group(1).lower()], 2),
                           m.span()))
    for m in p["duration_last_unit"].finditer(text):
        months = _MONTHS[m.group(1).lower()] + (since_report_at(m.start()) or _told_at_a_named_visit(
            text, m, p, ref, visit, visit_day, month_visit) or _told_in_a_visit_report(
            text, m, p, ref, visit, visit_day, (*since_spans, *not_starts), injury))
        out.append(Stated("duration_last_unit", round(months, 2), m.span()))
    if ref is not None and injury is not None and injury <= ref:
        for m in p["duration_since_injury"].finditer(text):
            out.append(Stated("duration_since_injury", months_from(injury, ref), m.span()))
    if ref is not None and event is not None and event <= ref:  # "since the fall", "since discharge"
        for pattern in (*p["duration_since_event"].values(), p["duration_since_then"]):
            for m in pattern.finditer(text):
                out.append(Stated("duration_since_event", months_from(event, ref), m.span()))
    if ref is not None and surgery is not None and surgery <= ref:
        for m in p["duration_since_surgery"].finditer(text):
            if _held_by_a_plan(m.start(), planned):
                continue  # session 33 (round-54 kind K5): "is to be started after the surgery": none done
            out.append(Stated("duration_since_surgery", months_from(surgery, ref), m.span()))
    if ref is not None:
        since = []
        froms = [m for m in p["duration_from_date"].finditer(text)  # "daily from 04/2016" (round-109 K6)
                 if not p["duration_from_record_before"].search(text, max(0, m.start() - 30), m.start())]
        for m in [*p["duration_since_date"].finditer(text), *froms]:
            since.append(m.span())
            d = _parse_date(m.group(1))
            if d is not None and d <= ref:
                year_only = re.fullmatch(r"\d{4}", m.group(1).strip())  # "since 2015": from mid-year
                months = months_from(_year_start(d.year, None, ref), ref) if year_only else _months_to(
                    d, ref, m.group(1))
                out.append(Stated("duration_since_date", months, m.span(), dated=True))
        for m in p["duration_since_month"].finditer(text):  # "since October": from its 15th (round 15)
            month = datetime.strptime(m.group(1), "%B").month
            year = ref.year if month <= ref.month else ref.year - 1
            out.append(Stated("duration_since_month", months_from(date(year, month, 15), ref), m.span()))
        dates = [(d.span(), when, d.group(0)) for d in p["date"].finditer(text)
                 if not any(a <= d.start() < b for a, b in (*since, *not_starts))
                 and (when := _parse_date(d.group(0)))]
        for start in p["duration_start"].finditer(text):
            if _held_by_a_plan(start.start(), planned):
                continue  # "will be started after the surgery": the plan's own verb (round-54 kind K5)
            if p["duration_refill_before"].search(text, max(0, start.start() - 20), start.start()):
                continue  # round 26: "last prescribed on <date>" dates a refill, not the start
            if p["duration_attributive_start"].fullmatch(start.group(0)) and p[
                    "duration_attributive_before"].search(text, max(0, start.start() - 20), start.start()):
                continue  # session 38 (round-76 kind K3): "c/w prescribed meds" names the drugs, no start
            if p["duration_not_started"].match(text, start.end()):  # "prescribed but not yet dispensed"
                out.append(Stated("duration_new", 0.0, start.span(), start.span()))  # newly: 0 (round 15)
                continue
            when = _start_date(text, start.span(), dates, p, ref=ref, visit=visit, injury=injury,
                               taken=(*since, *not_starts))
            relative = p["duration_start_relative_before"].search(text, max(0, start.start() - 40),
                                                                  start.start())
            if when is not None and relative is not None and when[2] <= start.start():
                continue  # session 39 (round-79 K5): "in a note of <date>, 5/10, down from 8/10 before X was
                # restarted": the date before a clause of time is the note's, not the restart's (told before)
            if when is not None:
                day, by_day, end = when
                if day <= ref:
                    months = months_from(day, ref) if by_day else _calendar_months(day, ref)
                    out.append(Stated("duration_start", months, (start.start(), max(start.end(), end)),
                                       start.span(), borrowed=end <= start.start(),
                                       unanchored=(vague := _ago_from_the_ur(text, start.span(), dates, p,
                                                                             visit)),
                                       dated=not vague))
            elif (told := _visit_told_before(text, start.span(), dates, p, visit, visit_day,
                                             month_visit, day_before)) is not None:
                if told <= ref:  # round-57 kind K2: "switched to B at that visit", a restart "that day" too
                    undated_start.append(Stated("duration_visit_start", months_from(told, ref), start.span(),
                                                start.span(), borrowed=True))
            # an undated restart in a perfect ("she has restarted Voltaren": it may be older than the visit),
            # or "was given X" (round-58 kind K9: a verb of handing over dates only by a date of its own),
            # borrows no visit's date; nor a start told as the visit's history (session 35, round-59 K5a)
            elif visit is not None and visit[0] <= ref and not _restart_in_a_perfect(text, start, p) \
                    and (acute_visit or not _dated_only(text, start, p)) \
                    and not _told_as_history(text, start, p) and not _told_later(text, start, p) \
                    and relative is None:  # "since starting X"
                months = _months_to(visit[0], ref, visit[1])
                undated_start.append(Stated("duration_visit_start", months, start.span(), start.span(),
                                            borrowed=True))
    out += [Stated(key, 0.0, span, span) for key, span in planned]
    for m in p["duration_new"].finditer(text):
        # session 14: "started today" in a note dated weeks before the UR ("PR-2 12/04/2023: ... methocarbamol
        # started today") started on that note's date; "newly prescribed" alone is the protocol's 0
        notes = [when for (s, _), when, _ in dates if s < m.start()] if ref is not None else []
        anchor = notes[-1] if notes else visit[0] if visit is not None else None
        if ref is not None and anchor is not None and anchor <= ref \
                and p["duration_new_dated"].search(m.group(0)):
            out.append(Stated("duration_new", months_from(anchor, ref), m.span()))
        else:
            out.append(Stated("duration_new", 0.0, m.span()))
    return out + undated_start


ENDED_BEFORE_UR_DAYS = 90  # days before the UR date by which a dated course told with its length has ended


def _an_ended_course(text: str, length: re.Match[str], months: float, p: ValuePatterns, ref: date) -> bool:
    """Whether length of use `length` (`months` long) tells a course that ended: told in the simple past, in a
    clause that dates it by a year ("for 4 weeks after the 2013 surgery", "in 2013 she took Norco for a
    month"), whose last day plus the length falls `ENDED_BEFORE_UR_DAYS` or more before the UR date: a past
    course, not the use of the care requested now (session 42, round-100 kind K10). A length told as use that
    goes on ("has received it for 4 weeks", "for the past 4 weeks") is never one."""
    if length.group(0).lower().startswith("since"):
        return False
    lo = max(text.rfind(";", 0, length.start()), text.rfind(".", 0, length.start())) + 1
    stop = re.search(r"[;]|\.(?:\s|$)", text[length.end():])
    hi = length.end() + stop.start() if stop else len(text)
    if p["duration_ongoing_length"].search(text, lo, hi) or p["duration_since_date"].search(text, lo, hi):
        return False
    years = [int(y["year"]) for y in p["duration_course_year"].finditer(text, lo, hi)]
    if not years:
        return False
    ended = date(max(years), 12, 31).toordinal() + round(months * DAYS_PER_MONTH)
    return ended <= ref.toordinal() - ENDED_BEFORE_UR_DAYS


def _dated_only(text: str, start: re.Match[str], p: ValuePatterns) -> bool:
    """Whether start verb `start` is a verb of handing over (`duration_dated_only_start`: "was given X",
    "was issued a brace"): it dates a start only by a date of its own (or an acute visit's day)."""
    m = p["duration_dated_only_start"].search(text, start.start())
    return m is not None and m.start() < start.end()


def _ago_from_the_ur(text: str, verb: tuple[int, int], dates: list[tuple[tuple[int, int], date, str]],
                     p: ValuePatterns, visit: tuple[date, str] | None) -> bool:
    """Whether the start at `verb` is dated by an "ago" after it ("was started on MS Contin about two years
    ago") counted back from the UR date, its sentence writing no date and reporting no visit: no date anchors
    it."""
    a, b = verb
    hi = date_reach(text, b, p)
    return visit is None and not dates and p["duration_ago"].search(text, b, hi) is not None


def _restart_in_a_perfect(text: str, start: re.Match[str], p: ValuePatterns) -> bool:
    """Whether start verb `start` is a restart told in a perfect ("she has restarted Voltaren", "had been
    restarted"): it may be older than the visit its sentence reports. One in the simple past ("The attending
    provider restarted OxyContin", "OxyContin was restarted") is that visit's act (session 35, round 59)."""
    return bool(p["duration_restart"].search(start.group(0))) and bool(
        p["duration_perfect_before"].search(text, max(0, start.start() - 40), start.start())
        or p["duration_perfect_before"].search(start.group(0)))


def _told_as_history(text: str, start: re.Match[str], p: ValuePatterns) -> bool:
    """Whether start verb `start` tells a start before the visit its sentence reports: a past perfect ("had
    started OxyContin", "had been started on Norco") or a time before the visit in its clause ("started
    OxyContin years earlier"): no start at that visit (session 35, round-59 kind K5a)."""
    return bool(p["duration_past_perfect_before"].search(text, max(0, start.start() - 40), start.start())
                or p["duration_past_perfect_before"].search(start.group(0))
                or p["duration_earlier_after"].match(text, start.end(), date_reach(text, start.end(), p)))


def _told_later(text: str, start: re.Match[str], p: ValuePatterns) -> bool:
    """Whether start verb `start` tells a start later than the dated event its sentence follows, by a time
    unsaid ("was in a splint for four weeks and then began occupational therapy", "was begun later"): no start
    at that date (session 40, round-89 kind K5)."""
    return bool(p["duration_later_before"].search(text, max(0, start.start() - 60), start.start())
                or p["duration_later_after"].match(text, start.end()))


def _visit_told_before(text: str, verb: tuple[int, int], dates: list[tuple[tuple[int, int], date, str]],
                       p: ValuePatterns, visit: tuple[date, str] | None,
                       visit_day: date | None, month_visit: date | None = None,
                       day_before: date | None = None) -> date | None:
    """The visit a start with no date of its own refers to by an anaphor after it ("was switched to B at
    that visit", "was restarted that day"; `duration_visit_anaphor`), else None: the last date before the verb
    in its sentence that no other start verb dates ("Per the PR-2 dated <date>, A was first prescribed on
    <date>, and B was added at that visit": the PR-2's), else the visit of the sentences before (`visit`),
    else the sentence's dated visit (`visit_day`, `features.visits`). A visit start, so "newly prescribed at
    that visit" stays new (session 34, round-57 kind K2). Session 42 (round-100 kind K3): a visit dated by a
    month and year only, told before the verb in its sentence ("returned in 01/2016 and was restarted on X
    at that visit") or in the sentence before (`month_visit`), comes before the visits of full dates further
    back; after "then" or "at that time", a month and year told before the verb in any words (session 43)."""
    a, b = verb
    if not p["duration_visit_anaphor"].search(text, b, date_reach(text, b, p)):
        return None
    claimed = _claimed_dates(text, 0, verb, p)
    told = [when for (s, e), when, _ in dates if e <= a and not any(x <= s < y for x, y in claimed)]
    if told:
        return told[-1]
    here = month_visit_told(text[:a], p)
    if here is None and p["duration_time_anaphor"].search(text, b, date_reach(text, b, p)):
        here = month_told(text[:a], p)  # "until 03/2016, when it was stopped, and X was started then"
    if day_before is not None and p["duration_same_day"].search(text, b, date_reach(text, b, p)):
        return day_before  # "restarted on the same day": the day the sentence before tells (round-119 K2)
    return here or month_visit or (visit[0] if visit is not None else visit_day)


def month_told(text: str, p: ValuePatterns) -> date | None:
    """The 15th of the month of the last time `text` tells with a month and year only ("until 03/2016"): what
    "then" after a start names back (session 43, round-102 kind K11a)."""
    days = [d for w in p["duration_start_when"].finditer(text) if (d := month_date(w)) is not None]
    return days[-1] if days else None


def month_visit_told(text: str, p: ValuePatterns) -> date | None:
    """The 15th of the month of the last visit `text` tells with a month and year only, after the words of a
    visit ("He returned to care in September 2015", "was seen again in 01/2016";
    `duration_month_visit_words`), in that visit's clause; None where it tells none (session 42, round-100
    kind K3)."""
    found = None
    for words in p["duration_month_visit_words"].finditer(text):
        w = p["duration_start_when"].search(text, words.end(), date_reach(text, words.end(), p))
        day = month_date(w) if w is not None else None
        found = day or found
    return found


def _claimed_dates(text: str, lo: int, verb: tuple[int, int], p: ValuePatterns) -> list[tuple[int, int]]:
    """The reaches, in text[lo:a], of the start verbs before the start verb at `verb` (a, b), and of the stop
    verbs when it is a restart: a date in one dates that verb's event ("Zoloft was started in 05/2016 and
    trazodone was added"), not the later start; a drug's stop is never its restart ("Gabapentin, which he had
    stopped in June 2016, was restarted at that visit": session 36, round-64 kind K8), though another drug's
    stop may be a switch's day ("A was stopped on <date>, and B was started at that visit")."""
    a, b = verb
    verbs = [*p["duration_start"].finditer(text, lo, a)]
    if p["duration_restart"].search(text, a, b):
        verbs += p["duration_stop_verb"].finditer(text, lo, a)
    return [(v.end(), date_reach(text, v.end(), p)) for v in verbs]


def _held_by_a_plan(at: int, planned: Sequence[tuple[str, tuple[int, int]]]) -> bool:
    """Whether a start verb beginning at `at` is a word of a plan's statement ("is to be started", "with X to
    be started"): a start not done yet, whatever date or operation follows it."""
    return any(a <= at < b for _, (a, b) in planned)


def _told_at_an_opening_visit(text: str, length: re.Match[str], p: ValuePatterns, ref: date | None) -> float:
    """Months from the visit date a sentence opens on ("On 08/02/2016 he reported ...") to the UR date, where
    length `length` is told in the past perfect in its clause ("he had used a splint for two months"): a
    length as of that visit, which runs on to the UR (ruling R8, session 42, round-99 kind K6); else 0."""
    opening = p["opening_visit_date"].match(text)
    day = p["date"].match(text, opening.end()) if opening is not None else None
    when = _parse_date(day.group(0)) if day is not None else None
    since = _visit_to_ur(when, ref)
    if not since:
        return 0.0
    lo = max(text.rfind(";", 0, length.start()), text.rfind(",", 0, length.start())) + 1
    return since if p["length_past_perfect_before"].search(text, lo, length.start()) else 0.0


def _told_at_a_named_visit(text: str, length: re.Match[str], p: ValuePatterns, ref: date | None,
                           visit: tuple[date, str] | None, visit_day: date | None,
                           month_visit: date | None) -> float:
    """Months from the visit that length `length`'s clause says it is told at ("At that visit she said she had
    used the gel for 3 months", "had been on oxycodone for 18 months as of the 04/11/2016 visit";
    `duration_length_at_visit`) to the UR date: the length is as of that visit, whose date is the one the
    visit's words write, else the last one before them in the sentence ("seen on 10/03/2016; at that visit"),
    else the visit the sentences before report (ruling R8, session 44: round-110 kind K1, round-111 kind K1);
    0 where the clause names no visit or no date is known. After the length, the visit's words stand before
    the next comma: "Norco, which she has taken for 9 months, and Gabapentin, started at this visit" names the
    visit of another item's start."""
    if ref is None:
        return 0.0
    lo = text.rfind(";", 0, length.start()) + 1
    ends = [i for i in (text.find(";", length.end()), text.find(",", length.end())) if i >= 0]
    at = p["duration_length_at_visit"].search(text[:min(ends, default=len(text))], lo)
    if at is None:
        return 0.0
    told = list(p["date"].finditer(text, 0, at.start()))
    when = (_parse_date(at["date"]) if at["date"] else None) \
        or (_parse_date(told[-1].group(0)) if told else None) \
        or month_visit_told(text[:at.start()], p) or month_visit \
        or (visit[0] if visit is not None else visit_day)
    return _visit_to_ur(when, ref)


def _told_in_a_visit_report(text: str, length: re.Match[str], p: ValuePatterns, ref: date | None,
                            visit: tuple[date, str] | None, visit_day: date | None,
                            taken: Sequence[tuple[int, int]], injury: date | None) -> float:
    """Months from the visit whose report tells length `length` ("He stated he has been taking tramadol for
    5 months", "Dr. Hart on <date> ... noted that he had been taking meloxicam for 9 months": a verb of report
    in its clause, `length_report_verb`) to the UR date: the length is as of that report (ruling R8, session
    45). The report's date is the last date before the verb in the sentence that is no study's, start's or
    the injury's, else the visit the sentence belongs to (`visit_day`), else the visit told before (`visit`);
    0 where none is known or the clause has no verb of report."""
    if ref is None:
        return 0.0
    lo = max(text.rfind(";", 0, length.start()), text.rfind(",", 0, length.start())) + 1
    verbs = list(p["length_report_verb"].finditer(text, lo, length.start()))
    if not verbs:
        return 0.0
    told = [when for d in p["date"].finditer(text, 0, verbs[-1].start())
            if not any(a <= d.start() < b for a, b in taken)
            and (when := _parse_date(d.group(0))) is not None and when != injury]
    when = told[-1] if told else visit_day or (visit[0] if visit is not None else None)
    return _visit_to_ur(when, ref)


def _report_to_ur(text: str, p: ValuePatterns, ref: date | None) -> tuple[float, int]:
    """Months from the date of the report a sentence names ("Per the PR-2 dated 09/29/2016, he has taken it
    for a year", "At the 09/06/2016 visit ... for the past 18 months": ruling R8) to the UR denial date, and
    where in the sentence the lengths told at it begin: a length of use stated in that report runs on to the
    UR; (0, 0) where the sentence names no report's date. A visit date opening a later clause ("He takes
    Norco, and at the 10/21/2015 visit he stated that he has taken it for three years") dates the lengths
    after it only (session 43, round-105 kind K3)."""
    if ref is None:
        return 0.0, 0
    for m in p["date"].finditer(text):
        opens = p["report_dated_after"].match(text, m.end()) is not None
        clause = p["report_opening_clause"].search(text[:m.start()]) if opens else None
        if p["report_dated"].search(text, max(0, m.start() - 40), m.start()) \
                or (opens and p["report_opening_before"].match(text[:m.start()])) or clause is not None:
            day = _parse_date(m.group(0))
            since = _visit_to_ur(day, ref)
            opening = p["report_dated"].search(text, max(0, m.start() - 40), m.start()) is None \
                and not p["report_opening_before"].match(text[:m.start()])
            return since, m.start() if opening else 0
    return 0.0, 0


def _start_date(text: str, verb: tuple[int, int], dates: list[tuple[tuple[int, int], date, str]],
                p: ValuePatterns, *, ref: date, visit: tuple[date, str] | None, injury: date | None = None,
                taken: Sequence[tuple[int, int]] = ()) -> tuple[date, bool, int] | None:
    """(date, whether it counts by the day, where its words end) of the start at `verb`: a date, 'N weeks
    ago' or a dayless date ("in 09/2015", "in early 2015", "on the date of injury") after the verb, in its
    clause and before the next start verb ("started A in 2015 and added B on <date>"), else the nearest
    full date before it in its clause ("On 12/19/2023, zolpidem was added"). 'Ago' and a month without a
    year count back from the sentence's own date, else its visit's, else the UR date. "The same day", "that
    day" (`duration_same_day`) take the last date before the verb in its sentence (session 34, round-57 kind
    K2: "A progress report dated 1/18/16 noted ...; Meloxicam was started that day" is 1/18/16)."""
    a, b = verb
    lo = text.rfind(";", 0, a) + 1
    hi = date_reach(text, b, p)
    own = [when for (s, _), when, _ in dates if not b <= s < hi]
    anchor = own[0] if own else visit[0] if visit is not None else ref
    found: list[tuple[int, date, bool, int]] = [(s, when, True, e)
                                                for (s, e), when, _ in dates if b <= s < hi]
    for ago in p["duration_ago"].finditer(text, b, hi):
        n = p.number(ago.group(1))
        if n is not None:
            days = round(n * _MONTHS[ago.group(2).lower()] * DAYS_PER_MONTH)
            found.append((ago.start(), date.fromordinal(anchor.toordinal() - days), True, ago.end()))
    for ago in p["duration_before_visit"].finditer(text, b, hi):  # "3 months before that visit" (R8)
        n = p.number(ago.group(1))
        seen = _parse_date(ago["date"]) if ago["date"] else visit[0] if visit is not None else None
        if n is not None and seen is not None:
            days = round(n * _MONTHS[ago.group(2).lower()] * DAYS_PER_MONTH)
            found.append((ago.start(), date.fromordinal(seen.toordinal() - days), True, ago.end()))
    for same in p["duration_same_day"].finditer(text, b, hi):  # the date of the start before it
        earlier = [(e, when) for (_, e), when, _ in dates if e <= a]
        if earlier:
            found.append((same.start(), max(earlier, key=lambda x: x[0])[1], True, same.end()))
    for w in p["duration_start_when"].finditer(text, b, hi):
        day = _dayless_date(w, ref=ref, injury=injury)
        if day is not None:
            found.append((w.start(), day[0], day[1], w.end()))
    if found:
        _, when, by_day, e = min(found, key=lambda f: f[0])
        return when, by_day, e
    # session 32 (round-51 kind D4): a date an earlier start verb of the clause dates its own start with
    # ("Zoloft was started in 05/2016 and trazodone was added") is that start's, not this one's
    claimed = _claimed_dates(text, lo, verb, p)
    before = [(a - e, when, True) for (s, e), when, _ in dates if lo <= s and e <= a
              and not any(x <= s < y for x, y in claimed)]
    # session 27 (round-34 kind): a month or year opening the clause dates the start after it too ("In
    # September 2015 she started duloxetine"), before any visit told in an earlier sentence
    # round 37 (kind B): not a date another statement holds (`taken`: "naproxen since 10/2014, and tramadol
    # was newly prescribed" dates naproxen's use only), as the full dates of `dates` are not
    before += [(a - w.end(), day[0], day[1]) for w in p["duration_start_when"].finditer(text, lo, a)
               if not any(x <= w.start() < y for x, y in (*taken, *claimed))
               and (day := _dayless_date(w, ref=ref, injury=injury)) is not None]
    if before:
        _, when, by_day = min(before, key=lambda x: x[0])
        return when, by_day, a
    return None


def date_reach(text: str, b: int, p: ValuePatterns) -> int:
    """Where the words that may date a start verb ending at `b` end: its clause's end (a comma, ';' or a
    full stop) or the next start verb ("started A in 2015 and added B on <date>")."""
    stop = re.search(r"[,;]|\.(?:\s|$)", text[b:])
    hi = b + stop.start() if stop else len(text)
    following = p["duration_start"].search(text, b, hi)
    return following.start() if following else hi


def last_date_told(text: str, p: ValuePatterns, ref: date) -> date | None:
    """The last date `text` writes: a full date, a month and year (its 15th), a year ("in 2015": its middle,
    the lead's ruling R16): the time "since then" names back ("was discharged on 02/20/2016, and an aide has
    assisted her since then"; session 43, round-107 kind K11); None where it writes none, or a later time
    after it moves the event off it (`duration_then_shift`: "a week later", "then two weeks of")."""
    found = [(d.end(), when) for d in p["date"].finditer(text) if (when := _parse_date(d.group(0)))]
    found += [(w.end(), day[0]) for w in p["duration_start_when"].finditer(text)
              if (day := _dayless_date(w, ref=ref, injury=None)) is not None]
    if not found:
        return None
    end, when = max(found, key=lambda f: f[0])
    return None if p["duration_then_shift"].search(text, end) else when  # "a week later ...": not that day


def month_date(w: re.Match[str]) -> date | None:
    """The 15th of a month-and-year start (`duration_start_when`: "in December 2023", "in 09/2019"), as the
    protocol counts a month-only start; None for a year alone or a month without its year."""
    if w["month"] and w["year"]:
        return date(int(w["year"]), _parse_date(f"{w['month'][:3]} {w['year']}").month, 15)
    if w["mm"] and 1 <= int(w["mm"]) <= 12:
        return date(int(w["yyyy"]), int(w["mm"]), 15)
    return None


def date_after(text: str, pos: int, p: ValuePatterns) -> date | None:
    """A date written right after `pos` ("since his surgery in 09/2019", "since the fusion on 03/02/2021"):
    the operation's own date, which beats any other the summary gives it (session 14)."""
    lead = re.match(r"\s*(?:in|on|of|dated)\s+", text[pos:])
    if lead is not None and (d := p["date"].match(text, pos + lead.end())) is not None:
        return _parse_date(d.group(0))
    w = p["duration_start_when"].match(text, pos + (len(text[pos:]) - len(text[pos:].lstrip())))
    return month_date(w) if w is not None else None


def _dayless_date(w: re.Match[str], *, ref: date, injury: date | None) -> tuple[date, bool] | None:
    """(start, whether it counts by the day) of a start date written without a day (`duration_start_when`)."""
    g = w.groupdict()
    if g["injury"]:
        return (injury, True) if injury is not None else None
    # round 15: a month without its day counts from the 15th, as the protocol's writers count it
    if g["yyyy"]:
        month = int(g["mm"])
        return (date(int(g["yyyy"]), month, 15), True) if 1 <= month <= 12 else None
    if g["year"]:
        year = int(g["year"])
        if g["month"]:
            return date(year, _parse_date(f"{g['month'][:3]} {year}").month, 15), True
        return _year_start(year, g["part"], ref), True
    month = datetime.strptime(g["month_only"][:3], "%b").month
    return date(ref.year if month <= ref.month else ref.year - 1, month, 15), True  # as "since October"
