"""The sessions (and injections) the summary reports as had, built once per case, and how many of them a
service's own therapy had: the prior_sessions fact (which therapy a count names is session_counts.py's)."""

from __future__ import annotations

import re
from datetime import date
from functools import cached_property, lru_cache

from features.analysis import AnalysedText, Mention
from features.assertion_sets import NOT_DONE as _DONE
from features.assertions import Category
from features.authors import UR_REVIEWER
from features.body_regions import SPINE_UNSPECIFIED, RegionMention, body_regions, same_side
from features.clauses import clause_end as _clause_end
from features.clauses import clause_start as _clause_start
from features.evidence import MISSING, Extraction
from features.function_and_care import FunctionAndCareFacts
from features.injection_sites import heading_site_words, injection_kind_words, names_the_site
from features.service_heading import ServiceHeading
from features.session_counts import (
    SessionLog,
    count_names_therapy,
    count_own_words,
    count_therapy,
    dated_sessions,
    kind_named,
    named_near,
    not_had_names,
    session_logs,
    sole_therapy,
    therapy_names,
)
from features.ur_relay import record_part_at, relayed, relayed_at
from features.value_patterns import ValuePatterns, value_patterns
from features.written_dates import parse_date
from letters.pre_review import PreReviewCase

# counts told by their own verb; round 25: "N of the M visits (that were authorized)", whose N is what was had
_ATTENDANCE_KEYS = frozenset({"sessions_bare_count", "sessions_count_after", "sessions_out_of"})
_NOT_HAD = frozenset({Category.HYPOTHETICAL, Category.NEGATED, Category.FAMILY})  # a session count not had
REVISION_LOOKBACK = 3  # sentences back in which a revision naming no part finds the part it revises
THERAPY_WINDOW = 60  # characters either side of a session count in which its therapy is named

# a region after a count names what the count was for only as its object ("12 visits for the left wrist", "to
# the neck", session 37: "two cortisone injections into the left knee"), not as any later word of the clause
# ("6 sessions and she could turn her head")
_REGION_OF_COUNT = re.compile(
    r"\b(?:for|to|into|of|on|at|in)\s(?:(?:the|his|her|their|both|left|right|bilateral)\s)*$")
_BULLET_LABEL = re.compile(r"^\W{0,3}(?:[A-Za-z-]+\s){0,3}[A-Za-z-]+:")  # "- Right knee:", a bullet's label


def _completion_told(text: str, p: ValuePatterns, at: int | None = None) -> bool:
    """Whether a sentence tells care as had: a completion cue (`completed_cue`) outside a negated word of
    priority (`completed_cue_negated`: "no prior viscosupplementation" tells none had, so the plan's "Synvisc
    injections x3" beside it is no count had; session 39, round-80 kind K5b). With `at`, a count's offset in
    the sentence, a cue inside a clause of cause that does not hold the count is that clause's, not the
    count's (`_reason_clauses`; session 45, round-111 kind K5)."""
    negated = [n.span() for n in p["completed_cue_negated"].finditer(text)]
    others = [] if at is None else [r for r in _reason_clauses(text) if not r[0] <= at < r[1]]
    return any(not any(a <= c.start() and c.end() <= b for a, b in negated + others)
               for c in p["completed_cue"].finditer(text))


@lru_cache(maxsize=1024)
def _reason_clauses(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) in a sentence of each clause of cause (`reason_clause_cause`: "because the pain had not
    resolved after five weeks"), from its word to the clause's end: what it tells was had is its own. Per
    sentence text, once (a sentence's every count asks)."""
    return tuple((r.start(), _clause_end(text, r.end(), len(text)))
                 for r in value_patterns()["reason_clause_cause"].finditer(text))


def _reported_done(m: Mention, p: ValuePatterns) -> tuple[float, bool] | None:
    """(count, says completed) of a counted mention its sentence reports as had (a completion cue of its own
    clause, not of a clause of cause beside it; the UR's own words only when they say the sessions were had),
    None when it is not, or its count is no number: the one test `completed_sessions` and
    `completed_injections` share."""
    if not _completion_told(m.sentence.text, p, m.start - m.sentence.start):
        return None
    says = bool(p["had_sessions"].search(m.sentence.text))
    if m.author == UR_REVIEWER and not says:
        return None
    n = p.number(m.text)
    return None if n is None else (n, says)


def _record_part(m: Mention) -> bool:
    """Whether `m` stands in the part of its sentence after a semicolon that opens with the record as subject
    (`record_part_opening`: "The UR cited a prior ablation in 2015; the record shows no prior ablation"): the
    record's words set against the UR's, not the UR's own judgement (`ur_judgement`; round 73, ruling (3))."""
    return record_part_at(m.sentence, m.start)


def _the_records(m: Mention) -> bool:
    """Whether a count is the record's: told outside the UR's words, or in the part of a UR sentence where the
    writer sets the record against the UR's claim ("the claims administrator stated that she had two
    injections; the treating physician's note of 08/22/2016 documents one": session 39, round-83 kind K1)."""
    return m.author != UR_REVIEWER or _record_part(m)


def _fragment_count(m: Mention, p: ValuePatterns) -> tuple[float, bool] | None:
    """(count, not said completed) of a therapy's "x N" count that opens its sentence, the terse record's
    fragment of care had ("Chiro x 12 with better sitting.": session 31, round-50 kind K10); None for any
    other count, and in the UR's words."""
    opening = p["sessions_fragment"].match(m.sentence.text)
    if opening is None or m.author == UR_REVIEWER or opening.end() != m.end - m.sentence.start:
        return None
    n = p.number(m.text)
    return None if n is None else (n, False)


def _effect_told(text: str, start: int, end: int) -> bool:
    """A therapy named at text[start:end] told through its effect, so given (session 25 nurse check): an
    effect word just before it ("overall improvement with physical therapy", "no relief from acupuncture") or
    a verb of effect after it in its clause ("chiropractic treatment was noted to improve symptoms")."""
    p = value_patterns()
    before = p["course_effect_before"].search(text, max(0, start - 60), start)
    if before is not None and p["course_effect_wished"].search(
            text, max(0, before.start() - 30), before.start()):
        before = None  # "hoping for improvement with physical therapy": an effect wished for, no course had
    return before is not None or p["course_effect_after"].match(text, end) is not None


def _is_increment(text: str, m: Mention) -> bool:
    """A count told as more of a course told before ("Four more visits", "another 6 sessions")."""
    p = value_patterns()
    return bool(p["sessions_increment_after"].match(text[m.end:m.end + 20])
                or p["sessions_increment_before"].search(text[max(0, m.start - 25):m.start]))


def _running_total(text: str, counts: list[tuple[float, Mention, bool]]) -> tuple[float, Mention] | None:
    """(sessions had, the last count read) when a count is told as an increment at a later visit (round 32):
    in the summary's order each increment adds to the course so far and any other count is the course so
    far or a total ("... for 20 visits in all"), the larger of the two; None when no count is an increment
    (an increment inside another count's words, "6 visits and then 6 more", is that count's)."""
    by_span = {c[1].span(): c for c in counts}
    ordered = sorted(by_span.values(), key=lambda c: (c[1].start, -c[1].end))
    increments = {m.span() for _, m, _ in ordered if _is_increment(text, m) and not any(
        o.span() != m.span() and o.start <= m.start and m.end <= o.end for _, o, _ in ordered)}
    if not increments:
        return None
    total = 0.0
    for n, m, _ in ordered:
        total = total + n if m.span() in increments else max(total, n)
    return (total, ordered[-1][1]) if total <= 100 else None


def _courses_in_turn(text: str,
                     counts: list[tuple[float, Mention, bool]]) -> list[tuple[float, Mention, bool]]:
    """(sum, the later count, says completed) of each two counts of one sentence told one after the other
    (`sessions_in_turn`: "12 sessions of home health physical therapy and then 8 sessions of outpatient
    physical therapy"), each naming the same therapy in its own words (`count_therapy`): two courses had add
    up, as round 32's later visits do (session 29, round-42 kind K7b). "6 visits and then 6 more" is
    `sessions_then_more`'s, whose second count names no therapy; a later count told as an increment ("PT x 12,
    then 8 more PT visits") is added by `_running_total`, as after "and" (session 33, round-56 kind K8). Two
    counts coordinated by "and" as one verb's objects (`sessions_coordinated`: "completed 18 home physical
    therapy visits and 6 outpatient physical therapy sessions") add up the same way (session 34, kind K7c)."""
    p = value_patterns()
    ordered = sorted({c[1].span(): c for c in counts}.values(), key=lambda c: c[1].start)
    out = []
    for (n1, m1, says1), (n2, m2, says2) in zip(ordered, ordered[1:], strict=False):
        if m1.sentence.index != m2.sentence.index or m1.end > m2.start or _is_increment(text, m2) \
                or not (p["sessions_in_turn"].fullmatch(text, m1.end, m2.start)
                        or p["sessions_coordinated"].fullmatch(text, m1.end, m2.start)):
            continue
        first, second = count_therapy(m1), count_therapy(m2)
        if first and first & second and n1 + n2 <= 100:
            out.append((n1 + n2, m2, says1 and says2))
    return out


def heading_program(service: ServiceHeading) -> str | None:
    """The program kind the heading names by its own name where its service type is broader
    (`therapy_heading_programs`: "Work conditioning x 10 visits" is physical medicine by type): what the
    request asks for, so its counts and its none-had are that program's (session 43, round-104 kind K5)."""
    p = value_patterns()
    programs = p["therapy_heading_programs"].items()
    return next((kind for kind, types in programs if types.fullmatch(service.service_type or "")
                 and p["therapy_types"][kind].search(service.text)), None)


def own_kind(service: ServiceHeading) -> str:
    """The therapy kind a statement of none had must name to be this service's: its program, else its type."""
    return heading_program(service) or service.service_type or ""


def requested_kinds(service: ServiceHeading) -> frozenset[str]:
    """The therapy kinds whose counts are this service's: its own type (or the program its heading names,
    `heading_program`), and another therapy its heading names beside it (`therapy_heading_also`, session 32:
    "Pain psychotherapy with biofeedback" counts biofeedback too, a plain psychotherapy request does not)."""
    program = heading_program(service)
    if program is not None:
        return frozenset({program})
    own = frozenset({service.service_type}) if service.service_type else frozenset()
    also = value_patterns()["therapy_heading_also"].get(service.service_type or "")
    if also is None or not also.search(service.text):
        return own
    return own | frozenset(k for n in therapy_names(service.text)
                           if also.search(service.text, n.start, n.end) for k in n.types)


def counted_kinds(service: ServiceHeading) -> frozenset[str]:
    """The therapy kinds whose session counts are this service's (`requested_kinds`); empty for a service that
    is no therapy counted in sessions: a consultation's sessions are a therapy's only when its heading names
    that therapy ("Individual psychotherapy x 12"), not an evaluation or medication management visits. A
    program its heading names counts whatever the type (session 43: "Speech therapy x 12" is physical
    medicine's catch-all type)."""
    therapy = value_patterns()["therapy_types"].get(own_kind(service))
    kinds = requested_kinds(service)
    if therapy is None or (service.family == "consultation" and not therapy.search(service.text)
                           and kinds == {service.service_type}):
        return frozenset()
    return kinds


class SessionHistory:
    """The session and injection counts one case's summary reports as had, and a service's count of them."""

    def __init__(self, summary: AnalysedText, case: PreReviewCase, care: FunctionAndCareFacts) -> None:
        """`care`: the case's function and care statements (care not tried yet is 0 sessions had)."""
        self.summary = summary
        self.case = case
        self.care = care

    @cached_property
    def _date_spans(self) -> list[tuple[int, int]]:
        """Where the summary writes a date (`date`: "12/7/15", "March 4, 2016"): a number inside one is the
        date's day, month or year, never a count (session 34, round-57 kind K7a: "dated 12/7/15 noted that six
        sessions" read the 7 as "7 of 15 sessions")."""
        return [d.span() for d in value_patterns()["date"].finditer(self.summary.text)]

    def _in_a_date(self, span: tuple[int, int]) -> bool:
        return any(a <= span[0] and span[1] <= b for a, b in self._date_spans)

    @cached_property
    def completed_sessions(self) -> list[tuple[float, Mention, bool]]:
        """(count, mention, says completed) of each session count the summary reports as done: not
        requested, authorized or negated, not a number inside a date; in a UR sentence only when it says the
        sessions were had."""
        p = value_patterns()
        out = []
        # "8 of 12 sessions": the first number was had, the second is the course ("12 ... sessions")
        courses = [m.span() for k in ("sessions_out_of", "sessions_of_course")
                   for m in p[k].finditer(self.summary.text) if not self._in_a_date(m.span(1))]
        remaining = self._courses_with_visits_left(p)
        left = [(m.start, m.end) for _, m, _ in remaining]
        for key in ("sessions_out_of", "sessions_of_course", "session_ordinal", "sessions_count",
                    "sessions_bare_count", "sessions_count_after", "program_days", "program_days_done",
                    "session_current", "sessions_named_times", "sessions_count_stated",
                    "sessions_count_listed"):
            for m in self.summary.find("therapy", p[key], group=1):
                if self._in_a_date((m.start, m.end)) or any(a <= m.start < b for a, b in left):
                    continue  # session 42: "4 visits remaining of the 12 authorized" are none had
                if key == "sessions_count_listed" and (not count_therapy(m) or any(
                        c[1].start == m.start for c in out)):
                    continue  # round 71: a listed count of a named therapy, once ("completed 16" is one too)
                if key == "sessions_count" and any(a <= m.start < b for a, b in courses):
                    continue
                if key == "sessions_count" and p["sessions_authorized_after"].match(
                        self.summary.text, m.end):
                    continue  # round 21: "12 visits authorized" is a course granted, not had
                if p["sessions_not_had_after"].match(self.summary.text, m.end):
                    continue  # session 42: "Aquatic therapy x 6, which he has not yet attended"
                if p["sessions_guideline_before"].search(self.summary.text, m.sentence.start, m.start):
                    continue  # session 43: "exceeding the post-surgical guideline of 24 visits": none had
                if not _the_records(m) and p["sessions_threshold_before"].search(
                        self.summary.text, m.sentence.start, m.start):
                    continue  # session 45 (round-117 K3): the UR's "beyond 20 sessions" is its limit
                if key == "program_days_done" and not self._a_programs_days(m):
                    continue  # session 45 (round-117 K1): "has completed 20 days" of a program named
                text = self.summary.text
                own_verb = key in _ATTENDANCE_KEYS and m.assertion.categories == {Category.HYPOTHETICAL} \
                    and not p["attendance_not_had_before"].search(text, m.sentence.start, m.start)
                if m.assertion.categories & _NOT_HAD and not own_verb:
                    continue  # round 21: "12 authorized, 6 attended": its own verb says the 6 were had
                done = _reported_done(m, p)
                if done is None and key == "sessions_named_times":
                    done = _fragment_count(m, p)
                if done is None or done[0] > 100:
                    continue
                out.append((done[0], m, done[1]))
        for r in p["sessions_rounds"].finditer(self.summary.text):  # round 19: "two rounds of six sessions"
            rounds = p.number(r.group("rounds") or r.group("rounds2") or r.group("rounds2w"))
            each = p.number(r.group("each") or r.group("each2"))
            m = self.summary.mention("therapy", *r.span())
            if rounds is None or each is None or m is None or m.assertion.categories & _NOT_HAD:
                continue
            if _completion_told(m.sentence.text, p) and (m.author != UR_REVIEWER or p[
                    "had_sessions"].search(m.sentence.text)):
                out.append((rounds * each, m, bool(p["had_sessions"].search(m.sentence.text))))
        out += self._courses_by_schedule(p) + remaining
        for r in p["sessions_then_more"].finditer(self.summary.text):  # round 31: "6 visits and then 6 more"
            first = p.number(r.group("first"))
            more = p.number(r.group("more") or r.group("more_a"))
            m = self.summary.mention("therapy", *r.span())
            if first is None or more is None or m is None or m.assertion.categories & _NOT_HAD:
                continue
            says = bool(p["had_sessions"].search(m.sentence.text))
            if _completion_told(m.sentence.text, p) and (m.author != UR_REVIEWER or says) \
                    and first + more <= 100:
                out.append((first + more, m, says))
        return out

    def _a_programs_days(self, m: Mention) -> bool:
        """Whether days told as completed (`program_days_done`) are a program's: its sentence names a program
        (`program_kinds`), or names no therapy and the record sentence before it names one (session 45,
        round-117 kind K1: "She began work hardening on <date>. She has completed 15 days.")."""
        program = value_patterns()["program_kinds"]
        names = therapy_names(m.sentence.text)
        if not names and m.sentence.index > 0:  # not `_therapy_told_before`, which reads these counts
            before = self.summary.sentences[m.sentence.index - 1]
            names = therapy_names(before.text) if before.author != UR_REVIEWER else ()
        return any(program.fullmatch(k) for n in names for k in n.types)

    def _courses_with_visits_left(self, p: ValuePatterns) -> list[tuple[float, Mention, bool]]:
        """(course - visits left, mention, False) of each course told by the visits left of it ("he has 4
        visits remaining of the 12 authorized": 8; session 42, round-101 kind K3): the rest of the course was
        had; not negated, planned or the UR's own count, nor said completed (a count of visits had told beside
        it wins)."""
        out = []
        for r in p["sessions_remaining_of"].finditer(self.summary.text):
            left = p.number(r.group("left") or r.group("left2"))
            course = p.number(r.group("course") or r.group("course2"))
            m = self.summary.mention("therapy", *r.span())
            if left is None or course is None or not left < course or m is None \
                    or m.assertion.categories & _NOT_HAD or m.author == UR_REVIEWER \
                    or self._in_a_date(r.span()):
                continue
            out.append((course - left, m, False))
        return out

    def _courses_by_schedule(self, p: ValuePatterns) -> list[tuple[float, Mention, bool]]:
        """(frequency x weeks, mention, False) of each course had told by its schedule ("completed physical
        therapy twice weekly for 6 weeks", "physical therapy 2x6": session 42, round-101 kind K2), read as a
        heading's schedule is, where its sentence tells care had by a verb of having and it is neither
        granted, planned nor denied; not said completed, so a count of visits told beside it wins."""
        out = []
        for key in ("sessions_schedule_weeks", "sessions_schedule_times"):
            for r in p[key].finditer(self.summary.text):
                freq, weeks = p.number(r.group(1)), p.number(r.group(2))
                m = self.summary.mention("therapy", *r.span())
                if freq is None or weeks is None or m is None or m.assertion.categories & _NOT_HAD \
                        or self._in_a_date(r.span()) or freq * weeks > 100 \
                        or p["sessions_authorized_after"].match(self.summary.text, r.end()):
                    continue  # "... 3 times a week for 4 weeks was prescribed": a course granted, not had
                # a verb of having, not a cue alone: "Requests: ... nursing 2 times a week for 4 weeks after
                # discharge" is a plan whose "after" is no course had
                if _completion_told(m.sentence.text, p) and p["had_sessions"].search(m.sentence.text):
                    out.append((freq * weeks, m, False))
        return out

    @cached_property
    def session_logs(self) -> list[tuple[float, Mention, frozenset[str]]]:
        """(highest number, its entry, service types logged) of each treatment log of numbered, dated sessions
        (`session_counts.session_logs`, session 14)."""
        return [(log.count, log.mention, log.types)
                for log in session_logs(self.summary, self.case.ur_denial_date)]

    @cached_property
    def dated_sessions(self) -> list[SessionLog]:
        """Each list of dated visits of a therapy (`session_counts.dated_sessions`, session 41)."""
        return dated_sessions(self.summary, self.case.ur_denial_date)

    def _names_kind(self, kind: re.Pattern[str], found: re.Match[str],
                    site: frozenset[str] = frozenset(), other: re.Pattern[str] | None = None) -> bool:
        """Whether counted injection words name the service's `kind`: in their own words, or they stand in the
        record's part of a UR sentence whose UR part names it ("two prior corticosteroid injections to the
        lateral epicondyle; the treating physician's note of 08/22/2016 documents one prior injection"): the
        record's count of the injections the UR counted (session 39, round-83 kind K1); or they name no
        kind but the heading's `site` ("a first dorsal compartment injection x 1", session 40); never when
        their noun is `other`'s, another procedure of the kind (session 41: an ablation for a block)."""
        return self._words_name_kind(kind, found.group(0), found.start(), site, other)

    def _words_name_kind(self, kind: re.Pattern[str], words: str, start: int,
                         site: frozenset[str] = frozenset(), other: re.Pattern[str] | None = None) -> bool:
        """`_names_kind` for injection `words` found at `start` of the summary."""
        if other is not None and other.search(words):
            return False
        if kind.search(words) or names_the_site(words, site):
            return True
        s = self.summary.sentence_at(start)
        if s is None or not record_part_at(s, start):
            return False
        return kind.search(s.text, 0, s.text.rfind(";", 0, start - s.start)) is not None

    def completed_injections(self, kind: re.Pattern[str], site: frozenset[str] = frozenset(),
                             other: re.Pattern[str] | None = None) -> list[tuple[float, Mention, bool]]:
        """(count, mention, says completed) of each count of injections of one kind the summary reports as
        had (`injections_count`, the kind named inside the counted phrase, or no kind but the request's
        `site`: `injection_sites.heading_site_words`; not another procedure of the kind, `other`), by the
        rules of `completed_sessions`: an injection service's sessions are its injections."""
        p = value_patterns()
        out = []
        # "2 ESIs", "L4-5 ESI x 2" (session 37; also its dated fragment "ESI x2 (9/2014, 1/2015)"), "on 3
        # occasions" (round 73)
        for key, fragment in (("injections_count", False), ("injections_times", True),
                              ("injections_occasions", False)):
            for found in p[key].finditer(self.summary.text):
                if not self._names_kind(kind, found, site, other):
                    continue
                m = self.summary.mention("therapy", *found.span(1))
                if m is None or m.assertion.categories & _NOT_HAD:
                    continue
                done = _reported_done(m, p) or (_fragment_count(m, p) if fragment else None)
                if done is not None:
                    out.append((done[0], m, done[1]))
        for found in p["injections_then_more"].finditer(self.summary.text):  # session 42: "5 ... and 2 more"
            first = p.number(found.group("first").split()[0])
            more = 1.0 if found.group("one_more") else p.number(found.group("more") or found.group("more_a"))
            nth = next((float(k[1:]) for k in ("n2", "n3", "n4", "n5") if found.group(k)), None)
            if first is not None and nth is not None:  # "two ... and a third": the third is the last had
                more = nth - first if nth > first else None
            if first is None or more is None or first + more > 100 \
                    or not self._words_name_kind(kind, found.group("first"), found.start(), site, other) \
                    or any(k.search(self.summary.text, found.end("first"), found.end())
                           for k in injection_kind_words() if k is not kind):
                continue  # "... and 2 more lumbar sympathetic blocks": another kind's
            m = self.summary.mention("therapy", *found.span())
            if m is None or m.assertion.categories & _NOT_HAD or not _the_records(m) \
                    or not _completion_told(m.sentence.text, p):
                continue
            out.append((first + more, m, True))
        for found in p["injection_ordinal"].finditer(self.summary.text):  # round 75: "a second ... was given"
            words = found.group(0)
            if not (kind.search(words) or self._kind_told_before(found.start(), words, kind)) or not (
                    found.group("verb") or p["injection_ordinal_done"].match(self.summary.text, found.end())):
                continue
            m = self.summary.mention("therapy", *found.span())
            if m is None or m.assertion.categories & _NOT_HAD or m.author == UR_REVIEWER:
                continue
            nth = next(float(k[1:]) for k, v in found.groupdict().items() if v and k != "verb")
            out.append((nth, m, True))
        for found in p["injections_dated"].finditer(self.summary.text):  # "injections in 5/2014 and 1/2015"
            m = self.summary.mention("therapy", *found.span())
            named = found.group(0)[:found.start("dates") - found.start()]
            if not kind.search(named) or (other is not None and other.search(named)) or m is None \
                    or m.assertion.categories & _NOT_HAD or (m.author == UR_REVIEWER and not relayed(m)) \
                    or not (found.group("plural") or found.group("again")):
                continue  # session 41 (round-93 K4): one procedure's noun, a second date told "again"
            out.append((float(len(p["injection_dated_date"].findall(found.group("dates")))), m, True))
        for found in p["injections_one_day"].finditer(self.summary.text):  # round 93: "blocks on <date>"
            told_done = found.group("verb") or found.group("passive")
            if not told_done or not p["one_day_plural"].search(found.group("words") or "") \
                    or not self._names_kind(kind, found, site, other):
                continue
            m = self.summary.mention("therapy", found.start("words"), found.end())
            if m is None or m.assertion.categories & _DONE or not _the_records(m):
                continue
            out.append((1.0, m, True))
        # one had; session 43 (round-102 kind K9): a list's later item naming no kind ("two left elbow
        # cortisone injections, on <date> and <date>, and a right elbow injection on <date>") is of the kind
        # named before it in its sentence ("the injection" is the one named before, no other)
        spans = [found.span() for found in p["injection_single"].finditer(self.summary.text)
                 if self._names_kind(kind, found, site, other)
                 or (other is None or not other.search(found.group(0)))
                 and p["injection_list_item"].search(self.summary.text, max(0, found.start() - 20),
                                                  found.start()) is not None
                 and self._kind_told_before(found.start(), found.group(0), kind)]
        for s in self.summary.sentences:  # session 41 (round-96 K3): "On <date> he underwent a ... injection"
            found = p["injection_dated_first"].match(self.summary.text, s.start, s.end)
            if found is not None and self._words_name_kind(kind, found.group("words"), found.start("words"),
                                                           site, other):
                spans.append(found.span("words"))
            found = p["injections_one_day_first"].match(self.summary.text, s.start, s.end)
            if found is not None and p["one_day_plural"].search(found.group("words")) \
                    and self._words_name_kind(kind, found.group("words"), found.start("words"), site, other):
                spans.append(found.span("words"))  # session 42: "On <date> she had left L4-5 ... blocks"
        # session 43 (round-102 kind K8): one a pronoun's none-had refers back to ("A left knee injection was
        # offered in 05/2016, but she has not had one") was not had
        refused = self._injections_not_had_by_pronoun
        for span in dict.fromkeys(spans):
            m = self.summary.mention("therapy", *span)
            if m is None or m.assertion.categories & _DONE or not _the_records(m) \
                    or any(r.start("words") < span[1] and span[0] < r.end("words") for r in refused):
                continue
            out.append((1.0, m, True))
        return out

    @cached_property
    def _injections_not_had_in_a_relative_clause(self) -> list[re.Match[str]]:
        """The matches of `injection_none_had_relative` ("requested a PRP injection, which she never had"),
        searched once and only in the sentences where its clause (`relative_none_had_clause`) stands: the
        whole pattern tried at every word of a long letter costs a scan per service (session 45)."""
        p, text = value_patterns(), self.summary.text
        sentences = {s.index: s for clause in p["relative_none_had_clause"].finditer(text)
                     if (s := self.summary.sentence_at(clause.start())) is not None}  # each sentence once
        return [f for s in sentences.values()
                for f in p["injection_none_had_relative"].finditer(text, s.start, s.end)]

    @cached_property
    def _injections_not_had_by_pronoun(self) -> list[re.Match[str]]:
        """The matches whose injection words (group "words") a later pronoun of their sentence tells as not
        had (`injection_none_had_anaphor`: "has been offered, but he has not had one"), where no verb of
        having opens their clause; searched once, read by the count of injections had and by the none-had
        reader."""
        told = value_patterns()["injection_none_had_anaphor"].finditer(self.summary.text)
        return [a for a in told if not self._told_had_before(a.start("words"))]

    def _kind_told_before(self, at: int, words: str, kind: re.Pattern[str]) -> bool:
        """Whether an injection named by no kind ("and a second block on 8/15/2016") is of `kind` because its
        sentence names that kind, and no other, before it ("A right stellate ganglion block on 6/27/2016 ...,
        and a second block"): the ordinal refers back to it (session 39, round-82 kind K8)."""
        sentence = self.summary.sentence_at(at)
        kinds = injection_kind_words()
        if sentence is None or any(k.search(words) for k in kinds):
            return False
        before = self.summary.text[sentence.start:at]
        return bool(kind.search(before)) and not any(k.search(before) for k in kinds if k is not kind)

    def prior_sessions(self, service: ServiceHeading) -> Extraction:
        """Completed sessions of this service's therapy (for an injection, the injections of its kind had:
        session 37, the lead's ruling); 0 when the summary says none was had yet."""
        kind = value_patterns()["injection_types"].get(service.service_type)
        ablation = value_patterns()["ablation_words"]
        other = None
        if kind is not None and ablation.search(service.text):
            kind = ablation  # round 19: an ablation's sessions are ablations
        elif kind is not None and kind.search("medial branch"):
            other = _other_facet_procedure(service.text)  # session 41 (round-93 kind K5)
        if service.family == "injection" and kind is not None:
            counts = [c for c in self.completed_injections(kind, heading_site_words(service.text), other)
                      if not self._of_another_part(service, c[1])]
            # as for a therapy: the record's "none had" beats the UR's count alone, and stands where none is
            none_had = self._no_injection_had(service, kind, other)
            record = [c for c in counts if _the_records(c[1])] or ([] if none_had else counts)
            if record:
                n, m, _ = max([c for c in record if c[2]] or record, key=lambda c: c[0])
                return Extraction(n, m.span())
            return Extraction(0.0, none_had.span()) if none_had is not None else MISSING
        kinds = counted_kinds(service)
        if not kinds:
            return MISSING
        counts = [(n, m, says) for n, m, says in self.completed_sessions
                  if self._counts_this_therapy(service, m, kinds)]
        counts += [(n, m, True) for n, m, types in self.session_logs if kinds & types]
        counts += [(log.count, log.mention, True) for log in self.dated_sessions if kinds & log.types]
        # round 12: a count of the other side's therapy ("30 visits for the right shoulder") gives way to the
        # record's "this side has had no therapy"; alone, it still counts (the probe writers disagree there).
        # Session 14: so does a count of another region's therapy ("24 visits for the wrist" for lumbar PT;
        # the round-4 and round-13 writers disagree on it alone too)
        counts = [c for c in counts
                  if not self._of_another_kind(service, c[1])
                  and not self._before_its_operation(service, c[1])]
        counts = self._by_its_own_name(service, counts)
        own = [c for c in counts if not self._of_another_part(service, c[1])]
        # session 32 (round-53 kind K2): a count the record states wins over one the UR states ("attended
        # 5 ... to date" against the UR's closing "12 sessions had already been completed"); session 36
        # (round-65 kind K3, the lead's ruling): so does the record's "none had" (0) over the UR's count alone
        record = [c for c in own if _the_records(c[1])]
        if own and not record:
            none_had = self._record_says_none(service)
            if none_had is not None:
                return none_had
        if record and not any(self._parts_of_count(c[1]) for c in record):
            # session 40 (round-89 kind K7): "she has not had therapy for the left ankle" beside counts that
            # name no part: the record's none of the requested part, told by its name, is not those counts'
            none_had = self._record_says_none(service, naming_its_part=True)
            if none_had is not None:
                return none_had
        own = self._since_the_latest_operation(service, record or own)
        own += _courses_in_turn(self.summary.text, own)
        added = _running_total(self.summary.text, own)
        if added is not None:  # round 32: "completed 8 visits" ... "Four more visits completed" = 12
            return Extraction(added[0], added[1].span())
        if own:  # a count said to be completed beats an "at least" count
            n, m, _ = max([c for c in own if c[2]] or own, key=lambda c: c[0])
            return Extraction(n, m.span())
        none_had = self._record_says_none(service)
        if none_had is not None:
            return none_had
        if counts:
            n, m, _ = max([c for c in counts if c[2]] or counts, key=lambda c: c[0])
            return Extraction(n, m.span())
        return MISSING

    def _no_injection_had(self, service: ServiceHeading, kind: re.Pattern[str],
                          other: re.Pattern[str] | None = None) -> Mention | None:
        """A record sentence saying injections of this service's kind were not had (`injection_none_had`: "No
        prior ESIs.", "has had no injections"): its 0 injections had, read as `_record_says_none` reads "no
        prior physical therapy" (not the UR's words, a condition, a course unfinished or another part's).
        Injections named with no kind ("no prior injections") are every kind's, as a bare "therapy" is every
        visit therapy's; injections of another kind ("no prior ESIs" for a facet request) are not this one's
        (session 37, the lead's ruling). The UR relaying the record's "none had" ("The reviewer indicated that
        she had not yet received any shoulder injection") is the record's fact, as for a therapy (ruling (4),
        session 38, round-77 kind K5b). Nor is another procedure of the kind (`other`: "has never undergone
        radiofrequency neurotomy" for a medial branch block, session 41, round-93 kind K5). Injections
        scheduled or authorised and then cancelled or not done are none had too (`injection_planned_not_done`,
        session 42), and so are injections told as never done in the passive (`injection_passive_not_had`,
        session 43: "Cervical epidural injections were never performed")."""
        p = value_patterns()
        kinds = injection_kind_words()
        text = self.summary.text
        for found in [*p["injection_none_had"].finditer(text),
                      *p["injection_planned_not_done"].finditer(text),
                      *p["injection_none_on_side"].finditer(text),
                      *p["injection_part_not_injected"].finditer(text),
                      *p["injection_passive_not_had"].finditer(text),
                      *self._injections_not_had_in_a_relative_clause,
                      *self._injections_not_had_by_pronoun]:
            words = found.groupdict().get("words") or found.group(0)
            if (not kind.search(words) and any(k.search(words) for k in kinds)) \
                    or (other is not None and other.search(words)):
                continue
            m = self.summary.mention("therapy", *found.span())
            if m is None or (m.author == UR_REVIEWER and not _record_part(m) and not relayed(m)) \
                    or m.assertion.categories & {Category.FAMILY} \
                    or p["condition_before"].search(self.summary.text, m.sentence.start, m.start) \
                    or p["course_unfinished"].search(m.sentence.text) \
                    or self._of_another_part(service, m,
                                             borrow=found.re is not p["injection_none_had_relative"]):
                continue  # its own relative clause borrows no part from an earlier item (session 45)
            return m
        return None

    def _told_had_before(self, at: int) -> bool:
        """Whether the clause of injection words at summary offset `at` opens with a verb of having before
        them ("He had an injection in May but has not had one since"): one had, which a pronoun's "not had
        one" after it does not undo (`injection_none_had_anaphor`)."""
        lo = _clause_start(self.summary.lower, self.summary.sentence_at(at).start, at)
        return value_patterns()["had_sessions"].search(self.summary.text, lo, at) is not None

    def _record_says_none(self, service: ServiceHeading, *,
                          naming_its_part: bool = False) -> Extraction | None:
        """0 where a record sentence says this service's therapy was not had yet ("has not had any physical
        therapy", `_none_had_yet`; or the UR relays it, "UR noted that she had not yet started hand therapy":
        session 37, `ur_relay`), else None. With `naming_its_part`, only a sentence that names the service's
        part of the body ("has not had therapy for the left ankle")."""
        p = value_patterns()
        sessions = p["session_words"]
        for m in self.care.not_tried():  # "has not had any physical therapy": none done yet
            if (m.author == UR_REVIEWER and not relayed(m) and not relayed_at(m.sentence, m.end - 1)
                    and not _record_part(m)) or self._of_another_part(service, m) \
                    or p["course_unfinished"].search(m.text):
                continue  # round 21: a course begun and not finished is no "none had"
            if naming_its_part and not self._names_its_part(service, m):
                continue
            if not_had_names(own_kind(service), m.text) or (
                    sessions.search(m.text) and kind_named(own_kind(service), m.sentence.text)):
                return Extraction(0.0, m.span())
        none_yet = self._none_had_yet(service)
        if none_yet is None or (naming_its_part and not self._names_its_part(service, none_yet)):
            return None
        return Extraction(0.0, none_yet.span())

    def course_named(self, service: ServiceHeading) -> Extraction:
        """A course of this service's own therapy the record names as given without a count ("treatment to
        date has included physical therapy", "she has had acupuncture"; session 24, issue #18): its name, by
        its own words, listed after the record's `treatment_done` words or a verb of care had
        (`course_given_verb`) in its clause or told through its effect (`_effect_told`, session 25), not
        negated (but for an effect's own negation), hypothetical, possible or another person's, not the UR's
        words, not of another body part or side; none for a post-operative request (a course named before
        the operation is no post-operative one)."""
        p = value_patterns()
        if not p["named_course_types"].match(service.service_type or "") \
                or p["post_operative"].search(service.text):
            return MISSING
        generic = p["therapy_generic"]
        done = [d for d in self.summary.mentions("treatment_done")
                if d.author != UR_REVIEWER and not d.assertion.categories & _DONE]
        for s in self.summary.sentences:
            if s.author == UR_REVIEWER:
                continue
            for n in therapy_names(s.text, counts=False):
                if service.service_type not in n.types or generic.fullmatch(s.text[n.start:n.end]):
                    continue
                cues = [d.end - s.start for d in done if d.sentence is s and d.end - s.start <= n.start]
                cues += [v.end() for v in p["course_given_verb"].finditer(s.text, 0, n.start)]
                listed = any(not p["course_list_break"].search(s.text, c, n.start) for c in cues)
                effect = _effect_told(s.text, n.start, n.end)
                if not listed and not effect:
                    continue
                m = self.summary.mention("therapy", s.start + n.start, s.start + n.end)
                # an effect's negation ("no relief from acupuncture") negates the effect, not the course
                not_had = _DONE - {Category.NEGATED} if effect else _DONE
                if m is None or m.assertion.categories & not_had or self._of_another_part(service, m):
                    continue
                return Extraction(True, m.span())
        return MISSING

    def _by_its_own_name(self, service: ServiceHeading, counts: list[tuple[float, Mention, bool]]
                         ) -> list[tuple[float, Mention, bool]]:
        """For a kind a bare "therapy" names only second (`therapy_own_names`: a modality), the counts told of
        it by its own name, where one is: its sentence, or the sentence before where its own names no therapy,
        names the kind so ("biofeedback ...; after 8 sessions he drives"), and the count's own words are no
        bare "therapy" ("30 post-operative therapy visits", "20 therapy visits": another therapy's). Session
        41 (round-94 kind K8c): a count belongs to the care its clause names."""
        own_names = value_patterns()["therapy_own_names"].get(service.service_type or "")
        if own_names is None:
            return counts
        generic = value_patterns()["therapy_generic"]

        def told_by_its_name(m: Mention) -> bool:
            text, s0 = m.sentence.text, m.sentence.start
            lo, hi = count_own_words(text, m.start - s0, m.end - s0)
            names = therapy_names(text)
            if any(generic.fullmatch(text, n.start, n.end) and n.start < hi and n.end > lo for n in names):
                return False
            if not names and m.sentence.index > 0:
                text = self.summary.sentences[m.sentence.index - 1].text
            return own_names.search(text) is not None

        named = [c for c in counts if told_by_its_name(c[1])]
        return named or counts

    def _counts_this_therapy(self, service: ServiceHeading, m: Mention, kinds: frozenset[str]) -> bool:
        """Whether a count of sessions had is this service's therapy (`kinds`, `_requested_kinds`): the
        therapy its own words name (`count_therapy`, round 19: "12 chiropractic visits" is no acupuncture's,
        whatever else its sentence names), else one named near it, else the one therapy its sentence names
        (session 14)."""
        own = count_therapy(m)
        if own:
            return bool(kinds & own)
        program = value_patterns()["program_kinds"]
        if all(program.fullmatch(k) for k in kinds) and count_names_therapy(m):
            return False  # session 45 (round-117 K5): "six sessions of therapy" is no program's, named near
        if any(named_near(k, m, THERAPY_WINDOW) for k in kinds) or kinds & sole_therapy(m):
            return True
        return not therapy_names(m.sentence.text) and bool(kinds & self._therapy_told_before(m))

    def _therapy_told_before(self, m: Mention) -> frozenset[str]:
        """The one therapy the record sentence before a count names, when the count's own sentence names none
        ("Six physical therapy visits were authorized. He had attended 4 of the 6 authorized visits."; a
        visit note's "Completed the 4 visits."): what the count is of (round 32); empty when it names none or
        several. Session 35 (round-62 kind K5a): back over sentences that name no therapy but count sessions
        had themselves, a course's running totals at later visits ("Physical therapy started on <date>. On
        <date>, after 6 sessions, ... Per the <date> PR-2, she had now completed 12 sessions")."""
        counted = {c[1].sentence.index for c in self.completed_sessions}
        index = m.sentence.index - 1
        # session 39 (round-83 kind K8): "those 6 sessions" points back to the course told, whoever told it
        anaphor = value_patterns()["count_anaphor_before"].search(self.summary.text, m.sentence.start,
                                                                  m.start)
        while index >= 0 and (anaphor or self.summary.sentences[index].author != UR_REVIEWER):
            kinds = {n.types for n in therapy_names(self.summary.sentences[index].text)}
            if kinds or index not in counted:
                return next(iter(kinds)) if len(kinds) == 1 else frozenset()
            index -= 1
        return frozenset()

    def _since_the_latest_operation(self, service: ServiceHeading, counts: list[tuple[float, Mention, bool]]
                                    ) -> list[tuple[float, Mention, bool]]:
        """The counts told after the latest operation done on the service's part ("24 sessions of
        post-operative therapy ... On <date> she underwent a manipulation of the right knee ... completed 12
        further sessions" = 12): the course since that operation, which its "further" sessions do not add to
        the courses of earlier operations (session 40, round-89 kind K9, the lead's ruling); a count told in
        the time before an operation (`_in_a_pre_operative_phase`) is none of it. The latest is the one with
        the latest date, read from its first mention (a later "status post" of it is the same operation); all
        the counts where no count follows it."""
        dated = self._operations_dated(service)
        if not dated:
            return counts
        latest = max(when for when, _ in dated)
        first = min(m.end for when, m in dated if when == latest)
        after = [c for c in counts if c[1].start >= first and not self._in_a_pre_operative_phase(c[1])]
        later = [c for c in after if not self._course_of_an_earlier_operation(c[1], latest)]
        return later or after or counts

    def _course_of_an_earlier_operation(self, m: Mention, latest: date) -> bool:
        """Whether count `m` is told as had after an operation dated before the latest one
        (`count_after_operation`: "She completed 36 physical therapy visits after the 2012 revision and has
        attended 8 ... since the capsular release"; session 42, round-100 kind K2, the lead's settled point):
        a course of that earlier operation, not the one since the latest. The operation's date is written in
        its words ("the 2012 revision", compared at the precision written), else it is the date nearest the
        same words told earlier in the summary ("the ACL reconstruction" after "an ACL reconstruction in
        2006"); undated, it is not."""
        p = value_patterns()
        s0 = m.sentence.start
        _, own_end = count_own_words(m.sentence.text, m.start - s0, m.end - s0)
        phase = p["count_after_operation"].match(m.sentence.text, own_end)
        if phase is None:
            return False
        words = phase.group("words")
        written = p["operation_date"].search(words)
        if written is None:
            written = self._date_told_with(words, s0 + phase.start("words"))
            if written is None:
                return False
        when = parse_date(written.group(0))
        if when is None:
            return False
        precision = 1 if re.fullmatch(r"\d{4}", written.group(0)) else 2 if not re.search(
            r"\d{1,2}/\d{1,2}/|\d{1,2},", written.group(0)) else 3
        told, last = (when.year, when.month, when.day), (latest.year, latest.month, latest.day)
        return told[:precision] < last[:precision]

    def _date_told_with(self, words: str, before: int) -> re.Match[str] | None:
        """The operation date nearest the last telling of `words` before summary offset `before`, in its
        sentence (an operation named again by its words, "the ACL reconstruction", takes the date it was told
        with)."""
        p, lower = value_patterns(), self.summary.lower
        at = lower.rfind(" ".join(words.lower().split()), 0, before)
        s = self.summary.sentence_at(at) if at >= 0 else None
        if s is None:
            return None
        dates = list(p["operation_date"].finditer(self.summary.text, s.start, s.end))
        end = at + len(words)
        return min(dates, key=lambda d: max(0, at - d.end(), d.start() - end), default=None)

    def _operations_dated(self, service: ServiceHeading) -> list[tuple[date, Mention]]:
        """(date, mention) of each operation done on the service's part that its sentence dates (the date
        nearest it there, a month and year too: `operation_date`, session 41), in the record's words."""
        p, text = value_patterns(), self.summary.text
        out = []
        for m in self.summary.mentions("surgery"):
            if m.assertion.categories & _DONE or m.author == UR_REVIEWER \
                    or not self._names_its_part(service, m) \
                    or p["operation_as_finding_before"].search(
                        text, _clause_start(self.summary.lower, m.sentence.start, m.start), m.start):
                continue  # session 45 (round-118 K2): "CT on <date> showed solid fusion" is no operation then
            dates = [(max(0, m.start - d.end(), d.start() - m.end), parse_date(d.group(0)))
                     for d in p["operation_date"].finditer(text, m.sentence.start, m.sentence.end)]
            dates = [(gap, when) for gap, when in dates if when is not None]
            if dates:
                out.append((min(dates, key=lambda x: x[0])[1], m))
        return out

    def _names_its_part(self, service: ServiceHeading, m: Mention) -> bool:
        """Whether the sentence of mention `m` names the service's part of the body (a region the heading
        names, on a side that can be the heading's; "the back" names no spine region): an operation of that
        part, not of another. A post-operative item's heading names its part as any therapy's does
        ("Postoperative physical therapy x 12 lumbar spine", "Post-operative therapy x 8 for the right hand":
        session 41, round-93 kind K11 and round-90 kind K6d), though the protocol reads it region-less for
        imaging and findings: its course follows that part's latest operation."""
        if service.region_less and not value_patterns()["post_operative"].search(service.text):
            return False
        bodies = body_regions()
        found = [r for r in bodies.find(self.summary.lower, m.sentence.start, m.sentence.end)
                 if r.region != SPINE_UNSPECIFIED]
        if not found and value_patterns()["operation_revision"].search(m.text):
            found = self._part_told_before(m)  # session 45 (round-114 K5): the part the revision revises
        return any((bodies.same(a.region, b.region) or bodies.same(b.region, a.region))
                   and same_side(a.side, b.side) for a in service.regions for b in found)

    def _part_told_before(self, m: Mention) -> list[RegionMention]:
        """The regions the nearest record sentence before `m`'s that names any names (up to
        `REVISION_LOOKBACK` sentences back): the part a revision with no part of its own revises."""
        for index in range(m.sentence.index - 1, max(-1, m.sentence.index - 1 - REVISION_LOOKBACK), -1):
            s = self.summary.sentences[index]
            found = [r for r in body_regions().find(self.summary.lower, s.start, s.end)
                     if r.region != SPINE_UNSPECIFIED]
            if found and s.author != UR_REVIEWER:
                return found
        return []

    def _before_its_operation(self, service: ServiceHeading, m: Mention) -> bool:
        """A count of therapy had before the operation (`pre_operative_course`) for a post-operative request:
        the pre-operative course, not the post-operative one requested (round 19). Session 31 (round 49's L):
        in a sentence that names both courses ("pre-operative physical therapy, surgery and post-operative
        physical therapy (16 of 24 sessions completed)") the count is of the phase named last before it (or in
        its own words), else of the one named first after it ("12 visits of therapy before the surgery").
        Session 38 (round-74 kind K7): a phase inside the count's own words decides first ("surgery and 24
        post-operative physical therapy sessions", "24 sessions of post-operative therapy":
        `count_own_words`)."""
        post_operative = value_patterns()["post_operative"].search(service.text) is not None
        return post_operative and self._in_a_pre_operative_phase(m)

    def _in_a_pre_operative_phase(self, m: Mention) -> bool:
        """Whether count `m` is told of the time before an operation by the phase words of its sentence
        (`_before_its_operation`, `_phase_told`)."""
        return self._phase_told(m) is True

    def _phase_told(self, m: Mention) -> bool | None:
        """The phase the words of count `m`'s sentence tell it in: True before an operation, False after it,
        None where they name none. A phase told from the operation ("since the tenolysis he has completed 14
        visits", `post_operative_since`) is the time after it (session 43, round-107 kind K12)."""
        p = value_patterns()
        text, end = m.sentence.text, m.end - m.sentence.start
        phases = sorted([(w.start(), w.end(), pre) for pre, name in ((True, "pre_operative_course"),
                                                                      (False, "post_operative"),
                                                                      (False, "post_operative_since"))
                         for w in p[name].finditer(text)])
        lo, hi = count_own_words(text, m.start - m.sentence.start, end)
        # a phase right after the count's own words is its own too ("8 visits after the synovectomy")
        own = [pre for start, stop, pre in phases
               if start >= lo and (stop <= hi or not text[hi:start].strip())]
        if own:
            return own[0]
        before = [pre for start, stop, pre in phases if stop <= end]
        after = [pre for start, stop, pre in phases if stop > end]
        return before[-1] if before else (after[0] if after else None)

    def _none_had_yet(self, service: ServiceHeading) -> Mention | None:
        """A record sentence saying this service's therapy was not had yet, its name right after the words
        ("has not yet had acupuncture", "has yet to try acupuncture") or before them ("acupuncture has not
        been tried"): the protocol's 0 sessions had (round 19); or the UR relaying the record's words ("The
        claims administrator noted that the applicant had not yet started post-operative physical therapy":
        ruling (4), session 39, round-83 kind K8)."""
        p = value_patterns()
        before, after = p["sessions_not_yet_before"], p["sessions_not_yet_after"]
        for s in self.summary.sentences:
            for n in not_had_names(own_kind(service), s.text):
                if s.author == UR_REVIEWER and not relayed_at(s, s.start + n.start):
                    continue
                if p["condition_before"].search(s.text, 0, n.start):
                    continue  # "if he has not yet had acupuncture, ...": a condition, not a statement
                # "none of the authorized CBT sessions had been attended" (session 36, round-65 kind K3)
                none_of = p["sessions_none_of_before"].search(s.text, max(0, n.start - 80), n.start) \
                    and p["sessions_none_of_after"].match(s.text[n.end:])
                # "no aide has been provided" (session 43)
                no_passive = p["sessions_no_before"].search(s.text, max(0, n.start - 30), n.start) \
                    and p["sessions_none_been_after"].match(s.text[n.end:])
                own_clause = after.match(s.text[n.end:]) is not None
                if before.search(s.text, max(0, n.start - 80), n.start) or own_clause \
                        or none_of or no_passive \
                        or p["sessions_not_had_after_but"].search(s.text, max(0, n.start - 200), n.start):
                    m = self._therapy_of(service, s.start + n.start, s.start + n.end, borrow=not own_clause)
                    if m is not None:
                        return m
        return self._provider_not_seen(service)

    def _provider_not_seen(self, service: ServiceHeading) -> Mention | None:
        """A record sentence saying the worker never saw this therapy's provider ("has never seen a
        psychologist" for a CBT request, `therapy_providers`): none of its sessions had yet (round 47)."""
        p = value_patterns()
        provider = p["therapy_providers"].get(service.service_type)
        if provider is None:
            return None
        for s in self.summary.sentences:
            if s.author == UR_REVIEWER:
                continue
            for n in provider.finditer(s.text):
                lo = max(0, n.start() - 60)
                if p["condition_before"].search(s.text, 0, n.start()) \
                        or not p["provider_not_seen_before"].search(s.text, lo, n.start()):
                    continue
                m = self._therapy_of(service, s.start + n.start(), s.start + n.end())
                if m is not None:
                    return m
        return None

    def _therapy_of(self, service: ServiceHeading, start: int, end: int, *,
                    borrow: bool = True) -> Mention | None:
        """The therapy mention at summary[start:end] when it is of this service's part of the body (not
        `_of_another_part`; `borrow`: `_parts_of_count`'s): what `_none_had_yet` and `_provider_not_seen`
        return."""
        m = self.summary.mention("therapy", start, end)
        return m if m is not None and not self._of_another_part(service, m, borrow=borrow) else None

    def _of_another_kind(self, service: ServiceHeading, m: Mention) -> bool:
        """A count of home health visits that its own words give to a therapy ("12 home health physical
        therapy visits" for a home health aide): that therapy's sessions, not the aide's (round 15); its words
        include the therapy it is written after as a label (session 35, round-60 kind K5: "home health PT x 6
        visits")."""
        if service.service_type != "home_health":
            return False
        text = self.summary.text
        noun = value_patterns()["session_noun"].search(text, m.end, min(m.sentence.end, m.end + 60))
        phrase = text[_label_start(m):noun.end() if noun else m.end]
        kinds = value_patterns()["therapy_types"]
        return any(kinds[k].search(phrase) for k in ("occupational_therapy", "chiropractic", "acupuncture")) \
            or bool(value_patterns()["named_physical_therapy"].search(phrase))

    def of_another_part(self, service: ServiceHeading, m: Mention) -> bool:
        """`_of_another_part`, for a reader of counts this class does not hold (a count asked for:
        session_requests.py)."""
        return self._of_another_part(service, m)

    def _of_another_part(self, service: ServiceHeading, m: Mention, *, borrow: bool = True) -> bool:
        """A count whose clause names only the other side than this service's ("30 visits for the right
        shoulder" for a left shoulder request; round 12), or only other regions than the service's ("24
        therapy visits for the wrist" for lumbar therapy; session 14): that part's therapy, not this one's.
        A clause naming no region takes its bullet's label ("- Right knee: three Synvisc injections"); a count
        in a list joined by "and" takes its own item's part where that names one."""
        found = self._parts_of_count(m, borrow=borrow)
        side = service.side
        named_sides = {r.side for r in found if r.side} or self._side_told_after(m)
        if side in ("left", "right") and named_sides and not named_sides & {side, "bilateral"}:
            return True
        if self._of_another_finger(service, m):
            return True
        mine = [] if service.region_less else service.regions
        named = [r for r in found if r.region != SPINE_UNSPECIFIED  # "back" is a region; "lumbar spine" one
                 or not any(q.region != SPINE_UNSPECIFIED and 0 <= r.start - q.end <= 1 for q in found)]
        return bool(mine) and bool(named) and not any(
            body_regions().same(a.region, b.region) or body_regions().same(b.region, a.region)
            for a in mine for b in named)

    def _of_another_finger(self, service: ServiceHeading, m: Mention) -> bool:
        """A count whose clause names fingers and none the heading names ("two injections into the right
        middle finger" for a right ring finger request; `finger_names`): that finger's, not this one's
        (session 42, round-99 kind K4). A heading naming no finger, or a clause naming none, says nothing of
        it."""
        fingers = value_patterns()["finger_names"]
        wanted = {name for name, words in fingers.items() if words.search(service.text)}
        if not wanted:
            return False
        text = self.summary.text
        lo = _clause_start(self.summary.lower, m.sentence.start, m.start)
        hi = _clause_end(text, m.end, m.sentence.end)
        named = {name for name, words in fingers.items() if words.search(text, lo, hi)}
        return bool(named) and not named & wanted

    def _side_told_after(self, m: Mention) -> set[str]:
        """The side a count's clause tells after it with no region ("one carpal tunnel injection on the
        left", "and none on the right": `count_side_after`; session 42, round-99 kind K4), where its parts
        name none."""
        text = self.summary.text
        hi = _clause_end(text, m.end, m.sentence.end)
        found = value_patterns()["count_side_after"].search(text, m.start, hi)
        return {found.group("side").lower()} if found else set()

    def _parts_of_count(self, m: Mention, *, borrow: bool = True) -> list[RegionMention]:
        """The parts of the body count `m` is told of: the regions its clause names before it or joined to it
        (`_REGION_OF_COUNT`), its own item's in care joined by "and", else its bullet's label's."""
        text = self.summary.lower
        lo = _clause_start(text, m.sentence.start, m.start)
        hi = _clause_end(text, m.end, m.sentence.end)
        noun = value_patterns()["counted_noun"].search(text, m.start, hi)  # its own noun, not a next item's
        found = [r for r in body_regions().find(text, lo, hi)
                 if r.end <= m.start or _REGION_OF_COUNT.search(text, max(m.end, r.start - 30), r.start)
                 or (noun is not None and r.end <= noun.start())  # "three cervical ESIs": the count's words
                 or (m.start <= r.start and r.end <= m.end)]  # session 41 (r93 K1): "a knee injection"
        # session 39 (round-80 kind K5a): in care joined by "and", the count's own item names its part where
        # it names one ("cortisone injections to both knees and Hyalgan injections to the right knee x 5")
        item = text.rfind(" and ", lo, m.start)
        # session 45 (round-118 K5, round-116 K7): a care's own none-had clause after it ("and a course of 6
        # acupuncture sessions, which he has never tried") borrows no part from an earlier item (`borrow`)
        found = [r for r in found if item >= 0 and r.start > item] or (found if borrow or item < 0 else [])
        label = _BULLET_LABEL.match(m.sentence.text)
        if not found and label and m.sentence.start + label.end() <= m.start:
            found = body_regions().find(text, m.sentence.start, m.sentence.start + label.end())
        return found


@lru_cache(maxsize=256)  # each service of a letter asks for its heading's once per case
def _other_facet_procedure(heading: str) -> re.Pattern[str] | None:
    """Words naming another procedure of the facet kind than the one `heading` requests, and not that one
    (`facet_procedures`): a medial branch block request's sessions are none of an ablation's; None when the
    heading names none of them."""
    procedures = value_patterns()["facet_procedures"]
    own = next((words for words in procedures.values() if words.search(heading)), None)
    if own is None:
        return None
    others = "|".join(f"(?:{words.pattern})" for words in procedures.values() if words is not own)
    return re.compile(f"^(?!.*(?:{own.pattern}))(?=.*(?:{others}))", re.IGNORECASE | re.DOTALL)


def _label_start(m: Mention) -> int:
    """Where the therapy a count is written after as its label starts ("home health PT x 6 visits",
    `count_label`); the count's own start when it has none."""
    text, s0 = m.sentence.text, m.sentence.start
    label = value_patterns()["count_label"]
    starts = [n.start for n in therapy_names(text)
              if n.end <= m.start - s0 and label.fullmatch(text, n.end, m.start - s0) is not None]
    return s0 + starts[-1] if starts else m.start
