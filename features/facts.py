"""The pre-review facts of one case, each read from a sentence with its section, author and assertion.

`CaseFacts` analyses the clinical summary once (sentences, authors, concept mentions with ConText
assertions) and answers the case-level facts; `ServiceFacts` adds one disputed service's heading (its
region, side and numbers) and what the summary says about that service. Every answer is an `Extraction`:
the value and the evidence span (whole sentence, section, offsets, author, assertion).

What the record shows and what the UR reviewer *said* are separate facts: `functional_improvement` is
read from the record first and from the UR's words only when the record says nothing, while
`ur_states_no_functional_improvement` and its siblings report the UR's words alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from features.analysis import AnalysedText, Mention
from features.assertion_sets import NOT_DONE as _DONE
from features.assertions import Category
from features.authors import UR_REVIEWER, load_author_rules
from features.body_regions import RegionMention
from features.clauses import clause_start as _clause_start
from features.drug_names import drug_names
from features.evidence import MISSING, Extraction
from features.function_and_care import NO, FunctionAndCareFacts
from features.imaging_history import ImagingHistory
from features.red_flags import RED_FLAGS, red_flag_in
from features.service_heading import ServiceHeading
from features.session_counts import (
    KindNames,
)
from features.session_history import SessionHistory
from features.value_patterns import ValuePatterns, value_patterns
from features.written_dates import parse_date as _parse_date
from letters.pre_review import PreReviewCase, PreReviewService
from letters.records import Section

UR_STATEMENTS = (
    "ur_states_no_functional_improvement",
    "ur_states_inadequate_conservative_care",
    "ur_states_no_failed_conservative_care",
    "ur_states_no_red_flags",
    "ur_states_not_recommended",
)

VISIT_LOOKBACK = 3  # sentences back in which an undated start of use finds the date of its visit
_MONTHS = {"day": 1 / 30.4, "week": 7 / 30.4, "month": 1.0, "year": 12.0}
_GENERIC_HEADING_WORDS = frozenset(
    "additional continue continued prospective retrospective purchase rental initial request post "
    "pre op operative tablet tablets capsule capsules cream topical patch patches apply daily twice "
    "times units unit refill refills with without dose qty quantity month supply one two three "
    "container bottle tube box the and for per".split())


def _injury_amputation(m: Mention, text: str) -> bool:
    """An amputation the injury made ("sustained a traumatic amputation of the fingertip"), not an operation;
    one the clause says was undergone ("a crush injury, and underwent amputation") is an operation."""
    p = value_patterns()
    if not p["amputation_word"].match(m.text.lower()):
        return False
    lo = _clause_start(text, m.sentence.start, m.start)
    return bool(p["injury_before"].search(text, lo, m.start)) and not p["surgery_had_before"].search(
        text, lo, m.start)


class CaseFacts:
    """Every case-level pre-review fact of one case (built once per case, read by every service)."""

    def __init__(self, case: PreReviewCase, families: Sequence[str] = ()) -> None:
        """`families`: each service's family, in `case.services` order (what the letter requests)."""
        self.case = case
        self.families = tuple(families)
        self.summary = AnalysedText(case.clinical_summary, Section.CLINICAL_SUMMARY)
        self.care = FunctionAndCareFacts(self.summary)
        self.imaging = ImagingHistory(self.summary, case, self.families)
        self.sessions = SessionHistory(self.summary, case, self.care)

    # ---------------------------------------------------------------- red flags and history
    def red_flag(self, kind: str) -> Extraction:
        """True from the first mention that is the patient's own finding (`red_flags.red_flag_in`)."""
        if not self.case.clinical_summary:
            return MISSING
        return red_flag_in(self.summary, kind)

    def prior_surgery(self) -> Extraction:
        """An operation done on the patient, stated by the record (not requested, negated, planned,
        someone else's, or only in the UR's account of the request)."""
        if not self.case.clinical_summary:
            return MISSING
        done = value_patterns()["surgery_had_before"]
        for m in self.summary.mentions("surgery"):
            if m.assertion.categories & _DONE or _injury_amputation(m, self.summary.text):
                continue
            if m.author == UR_REVIEWER and not done.search(
                    self.summary.text, _clause_start(self.summary.text, m.sentence.start, m.start), m.start):
                continue  # the UR names the request; "he had a rotator cuff repair in 2013" is history
            return Extraction(True, m.span())
        return Extraction(False, None)

    # ---------------------------------------------------------------- function and conservative care
    def functional_improvement(self) -> Extraction:
        """yes / no / not_stated: the record's last statement, else the UR's (`FunctionAndCareFacts`)."""
        if not self.case.clinical_summary:
            return MISSING
        return self.care.functional_improvement()

    def failed_conservative_care(self) -> Extraction:
        """yes / no / not_stated: care tried and failed, or not tried yet (`FunctionAndCareFacts`)."""
        if not self.case.clinical_summary:
            return MISSING
        return self.care.failed_conservative_care()

    # ---------------------------------------------------------------- what the UR reviewer said
    def ur_statement(self, name: str) -> Extraction:
        """One of `UR_STATEMENTS`: True from the first UR sentence saying it."""
        if not self.case.clinical_summary:
            return MISSING
        found = self._ur_statements.get(name)
        return Extraction(True, found.span()) if found is not None else Extraction(False, None)

    @cached_property
    def _ur_statements(self) -> dict[str, Mention]:
        ur = UR_REVIEWER
        out: dict[str, Mention] = {}

        def first(name: str, mentions: list[Mention]) -> None:
            mentions = [m for m in mentions if m.author == ur]
            if mentions and name not in out:
                out[name] = min(mentions, key=lambda m: m.start)

        first("ur_states_no_functional_improvement", [m for v, m in self.care.function_statements if v == NO])
        first("ur_states_inadequate_conservative_care", self.care.not_tried())
        first("ur_states_no_failed_conservative_care",
              [m for m in self.summary.mentions("failed_care") if Category.NEGATED in m.assertion.categories])
        first("ur_states_no_red_flags", [
            m for k in (*RED_FLAGS, "red_flags_named") for m in self.summary.mentions(k)
            if Category.NEGATED in m.assertion.categories])
        first("ur_states_not_recommended", [m for m in self.summary.mentions("not_recommended")
                                            if not m.assertion.categories & {Category.NEGATED}])
        return out

    # ---------------------------------------------------------------- regions, sessions, dates
    @property
    def summary_regions(self) -> dict[str, RegionMention]:
        """The first mention of each body region the summary names, in text order (`ImagingHistory`)."""
        return self.imaging.summary_regions

    @cached_property
    def sentence_dates(self) -> list[tuple[date, str] | None]:
        """The last full date written in each summary sentence (date, as written), None where there is
        none: the date of the visit a following undated sentence reports."""
        pattern, since = value_patterns()["date"], value_patterns()["duration_since_date"]
        out: list[tuple[date, str] | None] = []
        for s in self.summary.sentences:
            starts = [m.span() for m in since.finditer(s.text)]  # "taking Norco since 03/05/2021": no visit
            found = [(d, m.group(0)) for m in pattern.finditer(s.text)
                     if not any(a <= m.start() < b for a, b in starts) and (d := _parse_date(m.group(0)))]
            out.append(found[-1] if found else None)
        return out

    def operation_date(self, before: int) -> date | None:
        """The date of the last operation done on the patient that the summary names before character
        `before` and dates in its sentence ("underwent ORIF on 01/14/2024"; a month and year count from the
        month's 15th, as the protocol counts a month-only start): what "since the surgery" counts from."""
        p = value_patterns()
        operations = self.summary.mentions("surgery")
        studies = self.summary.mentions("imaging")
        for m in reversed(operations):
            if m.end > before or m.assertion.categories & _DONE or m.author == UR_REVIEWER:
                continue
            s = m.sentence
            # Session 14: each date of the sentence, full or month-only ("ACL reconstruction in December
            # 2023", "ORIF in 09/2019": the 15th), dates the operation or study words nearest it: "fell on
            # 08/21/2019, fracturing the calcaneus, which was repaired with ORIF in 09/2019" is 09/2019, and
            # "a post-fusion CT in 03/2016 showed a solid fusion" dates the CT, not the fusion
            others = [(x.start, x.end) for x in (*operations, *studies)
                      if x is not m and s.start <= x.start < s.end]
            found = [(d.start(), d.end(), _parse_date(d.group(0))) for d in p["date"].finditer(s.text)]
            found += [(w.start(), w.end(), _month_date(w)) for w in p["duration_start_when"].finditer(s.text)]
            dates = []
            for a, b, when in found:
                a, b = a + s.start, b + s.start
                mine = max(0, m.start - b, a - m.end)
                if when is not None and all(mine <= max(0, lo - b, a - hi) for lo, hi in others):
                    dates.append((mine, when))
            if dates:
                return min(dates, key=lambda x: x[0])[1]
        return None

    def visit_date(self, index: int) -> tuple[date, str] | None:
        """The date of the visit summary sentence `index` reports: the last date written before it, in
        the `VISIT_LOOKBACK` sentences before it, or further back when that dated sentence opens a visit
        ("On the 01/06/2017 office visit, ...") and no dated sentence comes between (the visit's
        paragraph goes on)."""
        for back in range(index - 1, -1, -1):
            found = self.sentence_dates[back]
            if found is None:
                continue
            if index - back <= VISIT_LOOKBACK or load_author_rules().new_visit.search(
                    self.summary.sentences[back].text):
                return found
            return None
        return None

    def service(self, service: PreReviewService, family: str, service_type: str) -> ServiceFacts:
        return ServiceFacts(self, service, family, service_type)


class ServiceFacts(ServiceHeading):
    """What one disputed service's heading says, and what the summary says about that service."""

    def __init__(self, case: CaseFacts, service: PreReviewService, family: str, service_type: str) -> None:
        super().__init__(service, family, service_type)
        self.case = case

    def prior_imaging_same_region(self) -> Extraction:
        """A done study of a region this service names (`ImagingHistory.prior_imaging_same_region`)."""
        if not self.case.case.clinical_summary:
            return MISSING
        return self.case.imaging.prior_imaging_same_region(self)

    def prior_sessions(self) -> Extraction:
        """Completed sessions of this service's therapy (`SessionHistory.prior_sessions`)."""
        return self.case.sessions.prior_sessions(self)

    # ---------------------------------------------------------------- duration of use
    def names(self) -> list[list[str]]:
        """Words that name this service's drug in the summary, most specific first: the heading's own
        words (a drug name), then the other names of the same drug, then words for its class (the
        taxonomy's drug lexicon, `features.drug_names`)."""
        words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]{3,}", self.text)]
        words = [w for w in words if w not in _GENERIC_HEADING_WORDS]
        table = drug_names()
        own = list(dict.fromkeys(words[:3]))
        others = [n for w in words for n in table.others(w) if n not in own]
        classes = [c for w in words for c in table.class_names(w)]
        return [own, list(dict.fromkeys(others)), list(dict.fromkeys(classes))]

    def duration_of_use_months(self) -> Extraction:
        """Months the requested drug has been used, from a summary sentence naming it (by its own name
        first, then another name, then its class, then the worker's medications in general when the
        sentence names no drug): 'for N months', 'since <date>', 'since the injury', a start ('prescribed
        on <date>', 'On <date> ... started X') to the UR denial date, newly started = 0. The duration must
        be said of the drug (in its clause, not of the pain or the job); a drug not yet started, a negated
        statement or a request says nothing (the protocol counts a stated duration or start only)."""
        if not self.case.case.clinical_summary:
            return MISSING
        if self._after_a_requested_operation():
            return MISSING  # post-operative care for an operation still requested has not started (round 12)
        if self.family != "medication":
            return self._treatment_duration()
        tried: list[str] = []  # drug names of the levels before: a sentence naming one was read there
        for names in self.names():
            if names:
                words = "|".join(re.escape(n) for n in names)
                # "non-opioid analgesics" names no opioid
                name_re = re.compile(rf"(?<!non-)(?<!non )\b(?:{words})\b", re.IGNORECASE)
                skip = re.compile(rf"\b(?:{'|'.join(map(re.escape, tried))})\b", re.IGNORECASE) if tried \
                    else None
                found = self._duration_in(name_re, skip=skip,
                                          other_names=(value_patterns()["care_not_drugs"],))
                if found is not None:
                    return found
                tried += [n for n in names if n in drug_names().classes]
        return self._duration_in(value_patterns()["medication_words"], only_unnamed=True) or MISSING

    def _after_a_requested_operation(self) -> bool:
        """A post-operative service ("Post-operative occupational therapy x 12") in a letter that requests the
        operation too: the protocol's "a drug requested but not started", so no duration of use."""
        post = value_patterns()["post_operative"]
        return bool(post.search(self.text)) and "surgery" in self.case.families

    def _treatment_duration(self) -> Extraction:
        """Months a requested treatment has been had ("acupuncture was started on <date>", "6 chiropractic
        treatments since 07/2016"), read as a drug's, with the treatment's own words (`therapy_types`) for
        its name: the protocol counts a stated start of the requested drug or treatment. Other therapies
        and drugs a sentence names own their own durations."""
        devices = value_patterns()["device_types"]  # round 15: a device's start of use is its duration too,
        if self.service_type in devices and "surgery" in self.case.families:  # unless it is one requested
            return MISSING  # with an operation, for after it (the splint used before is not this one)
        kinds = {**value_patterns()["therapy_types"], **devices}
        therapy = kinds.get(self.service_type)
        if therapy is None and self.family == "dme":  # "TENS unit purchase with supplies": the device named
            therapy = next((d for d in devices.values() if d.search(self.text)), None)
        if therapy is None or (self.family == "consultation" and not therapy.search(self.text)):
            return MISSING  # one-off services (imaging, surgery, a visit) have no duration of use
        others = [t for k, t in kinds.items() if t.pattern != therapy.pattern]
        names: re.Pattern[str] | KindNames = therapy  # a device by its pattern, a therapy by its names
        if self.service_type in value_patterns()["therapy_types"]:
            names = KindNames(self.service_type)
        return self._duration_in(names, other_names=others) or MISSING

    def _duration_in(self, name_re: re.Pattern[str] | KindNames, *, only_unnamed: bool = False,
                     skip: re.Pattern[str] | None = None,
                     other_names: Sequence[re.Pattern[str]] = ()) -> Extraction | None:
        """The duration stated of a name `name_re` finds, in the first summary sentence that has one
        (with `only_unnamed`, in one that names no drug of the lexicon: "her medications" then means every
        drug she takes, and only a length or a dated start counts, not "newly"; a sentence `skip` finds
        names the drug by a name tried before, so another name in it is another product: "OxyContin since
        2012, with Percocet" gives Percocet nothing). A duration belongs to the
        drug its clause says it of (`_owner`): a name in another dosage form than the heading's is
        another product ("Voltaren gel" is not "diclofenac 75 mg twice daily")."""
        p = value_patterns()
        case = self.case.case
        drugs = drug_names()
        form = _drug_form(self.text, p)
        combined = "/" in self.text  # round 15: a heading naming one drug is not a slash combination's part
        fallback: Extraction | None = None  # round 19: "two months of X", when no sentence states more
        for s in self.case.summary.sentences:
            listed = drugs.mentions(s.text) + [m.span() for o in other_names for m in o.finditer(s.text)]
            ours = [m.span() for m in name_re.finditer(s.text)
                    if (form is None or _form_near(s.text, m.span(), listed, p) in (None, form))
                    and (combined or not _in_a_combination(s.text, m.span()))]
            if not ours:
                continue
            if (only_unnamed and drugs.names_a_drug(s.text)) or (skip is not None and skip.search(s.text)):
                continue
            visit = None
            if s.author != UR_REVIEWER:  # the UR's account of a prescription reports no visit
                visit = self.case.visit_date(s.index)
            if visit is not None and visit[0] == case.date_of_injury:
                visit = None  # the injury's date is no visit
            surgery = None
            if (since_op := p["duration_since_surgery"].search(s.text)) is not None:
                surgery = _date_after(s.text, since_op.end(), p) or self.case.operation_date(
                    s.start + since_op.start())  # not "the fusion" itself
            named = _drug_list(ours, listed)
            found = []
            for st in _durations(s.text, p, case.ur_denial_date, injury=case.date_of_injury, visit=visit,
                                 surgery=surgery):
                if only_unnamed and st.months == 0.0 and st.key in _NEWLY:
                    continue
                if st.key == "duration_of" and self.family != "medication":
                    continue  # "six weeks of physical therapy" is a course's length, not use to the UR date
                near = _owner(s.text, named, st, p)
                a, b = st.span
                if near is None:
                    continue
                if st.key not in _NEWLY and (p["duration_not_started"].match(s.text, b) or p[
                        "duration_not_started_before"].search(s.text, max(0, a - 20), a)):
                    # "prescribed but not yet dispensed": not started yet, newly started (0), as the brief and
                    # the round-14/15 writers key it (session 14 read null, as the round-13 writer did)
                    st = _Stated("duration_new", 0.0, st.span, st.verb)
                m = self.case.summary.mention("duration", s.start + a, s.start + b)
                unsaid = {Category.NEGATED, Category.HYPOTHETICAL, Category.FAMILY}
                if p["duration_relative_use"].search(s.text, max(0, a - 60), a) or st.key in _NEWLY:
                    unsaid = unsaid - {Category.HYPOTHETICAL}  # "requests meloxicam, which he has taken for"
                if st.key == "duration_unstarted":
                    unsaid = unsaid - {Category.NEGATED}  # "has never taken it" states its own denial: 0
                if m is None or m.assertion.categories & unsaid:
                    continue  # "the provider requested Norco on 12/1" is not a start
                if st.key == "duration_trial" and Category.HYPOTHETICAL not in m.assertion.categories:
                    continue  # a trial had ("had a trial of gabapentin in 2015") is a course of use
                found.append((_PRIORITY.get(st.key, 0), near, st.months, m))
            if found:
                key, _, value, m = min(found, key=lambda f: (f[0], f[1]))
                if key < _PRIORITY["duration_of"]:
                    return Extraction(value, m.span())
                fallback = fallback or Extraction(value, m.span())
        return fallback



_NEWLY = frozenset({"duration_new", "duration_planned", "duration_trial", "duration_unstarted"})
# a stated length or dated start comes first; round 19: "two months of X" (it may tell an episode) last of all
_PRIORITY = {"duration_new": 1, "duration_planned": 1, "duration_trial": 1, "duration_unstarted": 1,
             "duration_visit_start": 2, "duration_of": 3}
NEWLY_DAYS = 15  # days before the UR denial within which a start is newly started (0)
NAME_WINDOW = 80  # characters between a drug's name and a duration said of it, in one clause
OBJECT_WINDOW = 45  # characters from a start verb to the drug it governs ("converted from A to B")
FORM_WINDOW = 40  # characters after a drug's name in which its dosage form is written
_OTHER_SUBJECT = re.compile(
    r"\b(?:pain|symptoms?|complaints?|worked|working|employed|employment|job|"
    r"injur(?!ed (?:worker|employee)s?\b)\w*|history|disability|off work|restrictions?)\b[^;,]{0,25}$",
    re.IGNORECASE)  # session 14: "the injured worker" is the writer's name for the patient, not the injury
# between two drugs of one list or one combination product: doses, commas, "and"/"or", a slash ("Norco 10 mg
# and Flexeril", "hydrocodone/acetaminophen")
_LIST_JOIN = re.compile(r"^(?:[\s,&/]|and\b|or\b|\d[\d/.]*+|(?:mg|mcg|ml|g)\b|%)*+$", re.IGNORECASE)


@dataclass(frozen=True)
class _Stated:
    """A duration statement in a sentence: its pattern, months of use, the words stating it (whose
    assertion counts) and, for a start verb, the verb's span (the drug it governs owns the start)."""

    key: str
    months: float
    span: tuple[int, int]
    verb: tuple[int, int] | None = None


def _drug_list(ours: list[tuple[int, int]], listed: list[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """Every drug a sentence names, in order, marked True where it names the requested drug."""
    others = [(a, b, False) for a, b in listed if not any(a < e and s < b for s, e in ours)]
    return sorted([(a, b, True) for a, b in ours] + others)


def _owner(text: str, named: list[tuple[int, int, bool]], st: _Stated, p: ValuePatterns) -> int | None:
    """Characters from the statement to the requested drug when the statement is said of it, else None.
    A start verb governs its objects ("started him on X", "prescribed X and Y", "converted from A to B":
    B) or, passive, the drug before it ("X was added on <date>"); any other duration the drug whose name
    it follows in its clause ("Soma, which she has taken for 2 years, and Norco": Soma's), or the first
    one after when none comes before ("For a year she has taken Norco"). The drugs of one list with the
    owner ("Norco and Flexeril since 2016") share it, and "both"/"all" gives it to every drug before.
    Never across a ';', nor after the pain, the job or the injury ("back pain for two years"), nor of
    relief or a taper ("relief for five months")."""
    if st.key == "duration_of":  # "two months of tramadol": the drug its "of" names, right after it
        first = next((n for n in named if n[0] >= st.span[1]), None)
        return 0 if first is not None and first[0] == st.span[1] and first[2] else None
    a, b = st.verb or st.span
    lo = text.rfind(";", 0, a) + 1
    hi = text.find(";", b)
    hi = len(text) if hi < 0 else hi
    sa = st.span[0]
    if st.verb is None and p["duration_not_use"].search(text, max(lo, sa - 60), sa):
        return None
    group = _objects(text, named, (b, hi), p) if st.verb is not None else []
    since = _SINCE_START.search(text, max(lo, a - 30), a) if st.verb is not None else None
    if since is not None:  # "Prilosec has been taken since she started naproxen in 2014": Prilosec's too
        before = [i for i, (_, e, _) in enumerate(named) if lo <= e <= since.start()
                  and since.start() - e <= NAME_WINDOW]
        group = [*group, *(_list_of(text, named, before[-1]) if before else [])]
    other = _OTHER_SUBJECT.search(text, max(0, sa - 40), sa)
    if not group and other is not None and not any(other.start() < e <= sa for _, e, _ in named):
        return None  # the pain's, unless a drug comes between; a start verb's object is its own ("insomnia
        # due to pain and was started on X")
    if not group:
        before = [i for i, (_, e, _) in enumerate(named) if lo <= e <= a and a - e <= NAME_WINDOW]
        after = [i for i, (s, _, _) in enumerate(named)  # a start verb's later drug is no object of it
                 if b <= s <= hi and s - b <= NAME_WINDOW and st.verb is None]
        inside = [i for i, (s, e, _) in enumerate(named) if a <= s and e <= b]
        owner = before[-1] if before else after[0] if after else inside[0] if inside else None
        if owner is None:
            return None
        group = _list_of(text, named, owner)
        if before and _SHARED.search(text, lo, a):  # "Theramine and Terocin lotion, both started <date>"
            group = [i for i, (s, _, _) in enumerate(named) if lo <= s < a]
    ours = [named[i] for i in group if named[i][2]]
    if not ours:
        return None
    return min((a - e) if e <= a else (s - b) if s >= b else 0 for s, e, _ in ours)


# a start verb in a "since" clause dates the use of the drug before it too ("X since she started Y in <date>")
_SINCE_START = re.compile(r"\bsince\s+(?:(?:he|she|they|the (?:patient|worker|applicant|claimant|employee))"
                          r"\s+)?(?:was\s+|were\s+|first\s+)*$", re.IGNORECASE)
_SHARED = re.compile(r"\b(?:both|all|each)\s+(?:(?:were|was|have been|had been|been)\s+)?$", re.IGNORECASE)
_STOPPED = re.compile(r"\b(?:from|off)\s+$", re.IGNORECASE)  # "converted from A to B": A was stopped


def _objects(text: str, named: list[tuple[int, int, bool]], reach: tuple[int, int],
             p: ValuePatterns) -> list[int]:
    """The drugs an active start verb ending at `reach[0]` governs: its first object right after it
    ("started him on X"), then every drug named after that up to the next start verb or the clause's
    end ("prescribed naproxen and a compounded cream"), less one it was switched from."""
    b, hi = reach
    following = p["duration_start"].search(text, b, hi)
    hi = following.start() if following else hi
    asked = p["request_verb"].search(text, b, hi)  # "prescribed naproxen ... and requests a brace" (round 15)
    hi = asked.start() if asked else hi
    stop = re.search(r"\.(?:\s|$)", text[b:hi])
    hi = b + stop.start() if stop else hi
    first = next((i for i, (s, _, _) in enumerate(named)
                  if b <= s <= b + OBJECT_WINDOW and p["duration_start_object"].search(text[b:s])), None)
    if first is None:
        return []
    # round 19: a new clause after the first object ends them ("... and takes tramadol")
    new_clause = p["start_objects_end"].search(text, named[first][1], hi)
    hi = new_clause.start() if new_clause else hi
    return [i for i, (s, _, _) in enumerate(named)
            if named[first][0] <= s < hi and not _STOPPED.search(text, max(b, s - 8), s)]


def _in_a_combination(text: str, span: tuple[int, int]) -> bool:
    """Whether the drug name at `span` is one part of a combination written with a slash ("buprenorphine/
    naloxone" for a naloxone spray): that product is another drug."""
    s, e = span
    before, after = text[max(0, s - 2):s], text[e:e + 2]
    return bool(re.search(r"[A-Za-z]/\s?$", before) or re.match(r"\s?/[A-Za-z]", after))


def _list_of(text: str, named: list[tuple[int, int, bool]], owner: int) -> list[int]:
    """The drugs named in one list with `owner`: only doses, commas and "and"/"or" between them."""
    group = [owner]
    for step in (-1, 1):
        i = owner
        while 0 <= i + step < len(named):
            left, right = sorted((named[i], named[i + step]))
            if not _LIST_JOIN.match(text[left[1]:right[0]]):
                break
            i += step
            group.append(i)
    return group


def _drug_form(text: str, p: ValuePatterns) -> str | None:
    """'topical' or 'oral' where `text` writes a dosage form (a gel, a patch; tablets, a dose in mg)."""
    if p["drug_form_topical"].search(text):
        return "topical"
    return "oral" if p["drug_form_oral"].search(text) else None


def _form_near(text: str, span: tuple[int, int], listed: list[tuple[int, int]],
               p: ValuePatterns) -> str | None:
    """The dosage form written with the drug name at `span`: from a few words before it ("topical
    diclofenac") to the end of its clause or the next drug named."""
    s, e = span
    end = min([e + FORM_WINDOW, len(text), *(a for a, _ in listed if a >= e)])
    stop = re.search(r"[,;.](?:\s|$)", text[e:end])
    end = e + stop.start() if stop else end
    start = max([text.rfind(c, 0, s) + 1 for c in ",;"] + [max(0, s - 15)])
    return _drug_form(text[start:s] + " " + text[e:end], p)


def _months_to(start: date, ref: date, written: str) -> float:
    """Months of use from a start written `written` to the UR denial date: a full date counts days
    (`_months_from`); a month and year ("since May 2016", "since 03/2016"), whose day is not known, from the
    month's 15th (round 15: as the protocol's writers count a month-only start)."""
    if re.search(r"\b\d{1,2}[/-]\d{1,2}[/-]\d{2,4}\b|\b\d{4}-\d{1,2}-\d{1,2}\b|[a-z]+\.?\s+\d{1,2},?\s+\d{4}",
                 written, re.IGNORECASE):
        return _months_from(start, ref)
    return _months_from(start.replace(day=15), ref)


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


def _months_from(start: date, ref: date) -> float:
    """Months from a known day to the UR denial date, to a tenth (days / 30.4): 05/01 to 06/24 is 1.8, not
    a whole 1; a start less than half a month before the UR is newly started (the protocol's 0). Round 15:
    three or four weeks are 0.7 to 0.9, as the round-14 and round-15 writers count them, not 0."""
    days = (ref - start).days
    return 0.0 if days < NEWLY_DAYS else round(days / 30.4, 1)


def _durations(text: str, p: ValuePatterns, ref: date | None, *, injury: date | None = None,
               visit: tuple[date, str] | None = None, surgery: date | None = None) -> list[_Stated]:
    """Each duration statement in a sentence, most specific first: a length of use, a 'since' date, the
    injury or a dated operation, a start verb with its date ('started on <date>', 'added 6 weeks ago',
    counted back from the sentence's visit), 'newly started' (0), then a start verb dated by the visit
    the sentence reports (`visit`: "On 12/01/2016 she was seen. Norco was prescribed."). An undated
    start with no visit date states no duration."""
    out: list[_Stated] = []
    undated_start: list[_Stated] = []
    since_report = _report_to_ur(text, p, ref)
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
        if n is not None:
            n += 0.5 if m.group(3) else 0.0  # "a year and a half"
            out.append(_Stated("duration_for", round(n * _MONTHS[m.group(2).lower()] + since_report, 2),
                               m.span()))
    for m in p["duration_of_drug"].finditer(text):  # round 19: "two months of tramadol"
        n = p.number(m.group(1).removesuffix(" and a half").strip())
        if n is None or p["duration_to_come_before"].search(text, max(0, m.start() - 60), m.start()) or \
                p["duration_prescription_before"].search(text, max(0, m.start() - 40), m.start()):
            continue  # "another two months of", "prescribed 30 days of": a course to come, a supply
        n += 0.5 if "and a half" in m.group(1).lower() else 0.0
        out.append(_Stated("duration_of", round(n * _MONTHS[m.group(2).lower()] + since_report, 2), m.span()))
    for m in p["duration_course"].finditer(text):  # round 15: "completed four weeks of the program"
        n = p.number(m.group(1))
        if n is not None:
            out.append(_Stated("duration_course", round(n * _MONTHS[m.group(2).lower()], 2), m.span()))
    for m in p["duration_course_ordinal"].finditer(text):  # "is in week 3 of the program"
        out.append(_Stated("duration_course", round(int(m.group(2)) * _MONTHS[m.group(1).lower()], 2),
                           m.span()))
    for m in p["duration_last_unit"].finditer(text):
        out.append(_Stated("duration_last_unit", round(_MONTHS[m.group(1).lower()] + since_report, 2),
                           m.span()))
    if ref is not None and injury is not None and injury <= ref:
        for m in p["duration_since_injury"].finditer(text):
            out.append(_Stated("duration_since_injury", _months_from(injury, ref), m.span()))
    if ref is not None and surgery is not None and surgery <= ref:
        for m in p["duration_since_surgery"].finditer(text):
            out.append(_Stated("duration_since_surgery", _months_from(surgery, ref), m.span()))
    if ref is not None:
        since = []
        for m in p["duration_since_date"].finditer(text):
            since.append(m.span())
            d = _parse_date(m.group(1))
            if d is not None and d <= ref:
                year_only = re.fullmatch(r"\d{4}", m.group(1).strip())  # "since 2015": from mid-year
                months = _months_from(_year_start(d.year, None, ref), ref) if year_only else _months_to(
                    d, ref, m.group(1))
                out.append(_Stated("duration_since_date", months, m.span()))
        for m in p["duration_since_month"].finditer(text):  # "since October": from its 15th (round 15)
            month = datetime.strptime(m.group(1), "%B").month
            year = ref.year if month <= ref.month else ref.year - 1
            out.append(_Stated("duration_since_month", _months_from(date(year, month, 15), ref), m.span()))
        dates = [(d.span(), when, d.group(0)) for d in p["date"].finditer(text)
                 if not any(a <= d.start() < b for a, b in since) and (when := _parse_date(d.group(0)))]
        for start in p["duration_start"].finditer(text):
            if p["duration_not_started"].match(text, start.end()):  # "prescribed but not yet dispensed"
                out.append(_Stated("duration_new", 0.0, start.span(), start.span()))  # newly: 0 (round 15)
                continue
            when = _start_date(text, start.span(), dates, p, ref=ref, visit=visit, injury=injury)
            if when is not None:
                day, by_day, end = when
                if day <= ref:
                    months = _months_from(day, ref) if by_day else _calendar_months(day, ref)
                    out.append(_Stated("duration_start", months, (start.start(), max(start.end(), end)),
                                       start.span()))
            elif visit is not None and visit[0] <= ref and not p["duration_restart"].search(start.group(0)):
                months = _months_to(visit[0], ref, visit[1])
                undated_start.append(_Stated("duration_visit_start", months, start.span(), start.span()))
    for key in ("duration_planned", "duration_trial", "duration_unstarted"):  # to be started, a trial asked
        # for (round 15), never had or not started yet (round 16): 0
        for m in p[key].finditer(text):
            out.append(_Stated(key, 0.0, m.span(), m.span()))
    for m in p["duration_new"].finditer(text):
        # session 14: "started today" in a note dated weeks before the UR ("PR-2 12/04/2023: ... methocarbamol
        # started today") started on that note's date; "newly prescribed" alone is the protocol's 0
        notes = [when for (s, _), when, _ in dates if s < m.start()] if ref is not None else []
        anchor = notes[-1] if notes else visit[0] if visit is not None else None
        if ref is not None and anchor is not None and anchor <= ref \
                and p["duration_new_dated"].search(m.group(0)):
            out.append(_Stated("duration_new", _months_from(anchor, ref), m.span()))
        else:
            out.append(_Stated("duration_new", 0.0, m.span()))
    return out + undated_start


def _report_to_ur(text: str, p: ValuePatterns, ref: date | None) -> float:
    """Months from the date of the report a sentence names ("Per the PR-2 dated 09/29/2016, he has taken it
    for a year") to the UR denial date: a length of use stated in that report runs on to the UR; 0 where
    the sentence names no report's date."""
    if ref is None:
        return 0.0
    for m in p["date"].finditer(text):
        if p["report_dated"].search(text, max(0, m.start() - 40), m.start()):
            day = _parse_date(m.group(0))
            return round((ref - day).days / 30.4, 1) if day is not None and day <= ref else 0.0
    return 0.0


def _start_date(text: str, verb: tuple[int, int], dates: list[tuple[tuple[int, int], date, str]],
                p: ValuePatterns, *, ref: date, visit: tuple[date, str] | None, injury: date | None = None
                ) -> tuple[date, bool, int] | None:
    """(date, whether it counts by the day, where its words end) of the start at `verb`: a date, 'N weeks
    ago' or a dayless date ("in 09/2015", "in early 2015", "on the date of injury") after the verb, in its
    clause and before the next start verb ("started A in 2015 and added B on <date>"), else the nearest
    full date before it in its clause ("On 12/19/2023, zolpidem was added"). 'Ago' and a month without a
    year count back from the sentence's own date, else its visit's, else the UR date."""
    a, b = verb
    lo = text.rfind(";", 0, a) + 1
    stop = re.search(r"[,;]|\.(?:\s|$)", text[b:])
    hi = b + stop.start() if stop else len(text)
    following = p["duration_start"].search(text, b, hi)
    hi = following.start() if following else hi
    own = [when for (s, _), when, _ in dates if not b <= s < hi]
    anchor = own[0] if own else visit[0] if visit is not None else ref
    found: list[tuple[int, date, bool, int]] = [(s, when, True, e)
                                                for (s, e), when, _ in dates if b <= s < hi]
    for ago in p["duration_ago"].finditer(text, b, hi):
        n = p.number(ago.group(1))
        if n is not None:
            days = round(n * _MONTHS[ago.group(2).lower()] * 30.4)
            found.append((ago.start(), date.fromordinal(anchor.toordinal() - days), True, ago.end()))
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
    before = [(a - e, when) for (s, e), when, _ in dates if lo <= s and e <= a]
    if before:
        return min(before, key=lambda x: x[0])[1], True, a
    return None


def _month_date(w: re.Match[str]) -> date | None:
    """The 15th of a month-and-year start (`duration_start_when`: "in December 2023", "in 09/2019"), as the
    protocol counts a month-only start; None for a year alone or a month without its year."""
    if w["month"] and w["year"]:
        return date(int(w["year"]), _parse_date(f"{w['month'][:3]} {w['year']}").month, 15)
    if w["mm"] and 1 <= int(w["mm"]) <= 12:
        return date(int(w["yyyy"]), int(w["mm"]), 15)
    return None


def _date_after(text: str, pos: int, p: ValuePatterns) -> date | None:
    """A date written right after `pos` ("since his surgery in 09/2019", "since the fusion on 03/02/2021"):
    the operation's own date, which beats any other the summary gives it (session 14)."""
    lead = re.match(r"\s*(?:in|on|of|dated)\s+", text[pos:])
    if lead is not None and (d := p["date"].match(text, pos + lead.end())) is not None:
        return _parse_date(d.group(0))
    w = p["duration_start_when"].match(text, pos + (len(text[pos:]) - len(text[pos:].lstrip())))
    return _month_date(w) if w is not None else None


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
