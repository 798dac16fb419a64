"""The quantities a request's own words ask for (sessions or visits, a drug's dispensed units), read from any
request text: the disputed item's heading, or the original request that UR certified part of."""

from __future__ import annotations

import re

from features.value_patterns import ValuePatterns, value_patterns

DOSED_FAMILIES = frozenset({"medication"})
# counted in days (home nursing, inpatient rehab)
DAILY_FAMILIES = frozenset({"home_health", "physical_medicine"})
# families whose days asked for are sessions even with no "x" before them ("Functional restoration program
# additional 10 days", as "x 10 days" reads): a program's day is its session (session 45, round-117 kind K2)
PROGRAM_DAY_FAMILIES = frozenset({"functional_program"})
# families whose "N x M" / "x N" in the heading counts sessions or visits ("Home health nursing 3x6") or,
# for injections, the injections asked for ("Synvisc injections x3"): the count IMR decides
TIMES_FAMILIES = frozenset({"physical_medicine", "consultation", "functional_program", "home_health",
                            "injection"})
# families whose heading's "quantity 8" / "#8" counts sessions, or for injections the injections asked for
# ("Lumbar ESI L5-S1 #2", round 44/45, as "x2" reads); a drug's "#60" stays a drug quantity
QUANTITY_SESSION_FAMILIES = frozenset({"physical_medicine", "functional_program", "injection"})

Found = tuple[float, tuple[int, int]]  # the value and the (start, end) of the words that give it


def request_words(text: str) -> str:
    """The request's own words: `text` up to a decision of the UR's written after it (`request_decision_part`:
    ", partially certified as 6 sessions"), whose count is what was granted, not asked for (session 39,
    round-79 kind K3)."""
    m = value_patterns()["request_decision_part"].search(text)
    return text[:m.start()] if m else text


def sessions_in(text: str, family: str | None) -> Found | None:
    """Sessions asked for: an explicit count wins, else frequency x weeks (upper end of a frequency
    range), else 'N times M' / 'times N', else a program's days, else a therapy's or an injection's heading
    quantity ('quantity 8', '#8'); the days a nursing facility stay lasts are no sessions. Read from the
    request's own words (`request_words`), never from the UR's decision written after them."""
    p = value_patterns()
    text = request_words(text)
    explicit = [(p.number(m.group(1)), m) for m in p["sessions_n"].finditer(text)]
    explicit = [(n, m) for n, m in explicit if n is not None]
    if explicit:  # several counts (one per region): the largest, as annotated
        n, m = max(explicit, key=lambda x: x[0])
        return n, m.span()
    phases = _phases(text, p)
    if phases:  # round 15: phases told one after the other add up ("3x/week for 4 weeks then 2x/week ...")
        return sum(n for n, _ in phases), phases[0][1].span()
    if family in DAILY_FAMILIES:
        m = p["sessions_daily_weeks"].search(text)
        if m:
            weeks = p.number(m.group(1))
            if weeks is not None:
                return 7 * weeks, m.span()
        m = p["sessions_days"].search(text)
        if m and p["stay_days_before"].search(text, 0, m.start()):  # a facility stay's days: no sessions
            return None
        if m:
            return float(m.group(2) or m.group(1)), m.span()
    m = p["sessions_times"].search(text)
    if m and p["sessions_times_days"].match(text, m.end()) \
            and p["stay_days_before"].search(text, 0, m.start()):
        return None  # session 45: "residential brain injury program x 30 days": a stay's days, as a SNF's
    if m and family in TIMES_FAMILIES:
        a, b, c = m.groups()
        n = float(a) * float(b) if a and b else float(c) if c else None
        if n is not None:
            return n, m.span()
    m = p["sessions_days"].search(text)
    # a range's upper end, as a daily service's; days glossing weeks ("x 2 weeks (10 days)") are the weeks',
    # and a stay's days are none, as for a daily service
    before = text[:m.start()] if m else ""
    if m and family in PROGRAM_DAY_FAMILIES and not p["program_days_glossed_before"].search(before) \
            and not p["stay_days_before"].search(before):
        return float(m.group(2) or m.group(1)), m.span()
    m = p["sessions_series"].search(text)  # "Synvisc injections, series of 3" (round 77): as "x 3" reads
    if m and family == "injection":
        n = p.number(m.group(1))
        if n is not None:
            return n, m.span()
    m = p["quantity"].search(text)  # "Physical therapy for the lumbar spine, quantity 8": sessions
    if m and family in QUANTITY_SESSION_FAMILIES:
        return float(m.group(1)), m.span()
    return None


def _phases(text: str, p: ValuePatterns) -> list[tuple[float, re.Match[str]]]:
    """(sessions, match) of the first frequency x weeks of a heading and of each phase joined to it
    (`sessions_phase_join`: "then", "followed by"), the upper end of each range, as annotated."""
    out: list[tuple[float, re.Match[str]]] = []
    for m in p["sessions_freq_weeks"].finditer(text):
        if out and not p["sessions_phase_join"].match(text[out[-1][1].end():m.start()]):
            break
        lo, hi, weeks_lo, weeks_hi = (p.number(g) for g in m.groups())
        freq = hi if hi is not None else lo
        weeks = weeks_hi if weeks_hi is not None else weeks_lo
        if freq is None or weeks is None:
            break
        out.append((freq * weeks, m))
    return out


def drug_quantity_in(text: str, family: str | None) -> Found | None:
    """The number after '#' / 'qty' / 'dispense' (not a '#' that names the drug: "Tylenol #3"), else a
    count of dosage units ("60 tablets"; not a dose, "1 tab TID"), else a dose times its doses a day times
    days ("1 tab TID x 30 days"), else a count of containers ('one container of ...'); drugs only."""
    if family not in DOSED_FAMILIES:
        return None
    p = value_patterns()
    for m in p["quantity"].finditer(text):
        if not p["quantity_in_name"].search(text, 0, m.end()):
            return float(m.group(1)), m.span()
    for m in p["quantity_units"].finditer(text):  # round 19: "60 tablets", not the dose "1 tab TID"
        n = p.number(m.group("n"))
        if n is not None:
            return n, m.span()
    m = p["quantity_daily_dose"].search(text)
    n = _daily_dose_quantity(m, p) if m else None
    if m is not None and n is not None:
        return n, m.span()
    m = p["quantity_containers"].search(text)
    n = p.number(m.group(1)) if m else None
    return (n, m.span()) if m is not None and n is not None else None


def _daily_dose_quantity(m: re.Match[str], p: ValuePatterns) -> float | None:
    """Units per dose (a range's upper end) x doses a day x days of a `quantity_daily_dose` match."""
    units = p.number(m.group("units_hi") or m.group("units") or "1")  # "Naproxen 550 mg BID x 30 days": one
    hours = p.number(m.group("hours"))
    per_day = 24 / hours if hours and 0 < hours <= 24 else p.doses_a_day(m.group("freq"))
    days = _days(m, p)
    if units is None or per_day is None or days is None:
        return None
    return units * per_day * days


def _days(m: re.Match[str], p: ValuePatterns) -> float | None:
    """Days of a `quantity_daily_dose` match: its days or supply, 7 a week, 30 a month (a month's supply)."""
    for group, per in (("days", 1), ("supply", 1), ("weeks", 7), ("months", 30)):
        n = p.number(m.group(group))
        if n is not None:
            return n * per
    return None
