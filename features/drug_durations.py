"""A service's duration of use: the summary sentence naming its drug (or treatment) with a duration said
of it, whose drug a statement tells (`_owner`), and the visit or operation date a start counts from."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

from features.acute_visits import acute_visit_days
from features.analysis import AnalysedText, Mention
from features.assertion_sets import NOT_DONE as _DONE
from features.assertions import Category
from features.authors import UR_REVIEWER
from features.body_regions import body_regions, same_side
from features.casefold import lower_text
from features.clauses import clause_end
from features.drug_names import drug_names, name_pattern
from features.drug_starts import NEWLY, Candidate, StartChoice, priority
from features.duration_statements import Stated as _Stated
from features.duration_statements import date_after as _date_after
from features.duration_statements import date_reach as _date_reach
from features.duration_statements import last_date_told as _last_date_told
from features.duration_statements import month_date as _month_date
from features.duration_statements import month_told as _month_told
from features.duration_statements import month_visit_told as _month_visit_told
from features.duration_statements import stated_durations as _durations
from features.evidence import MISSING, Extraction
from features.heading_drugs import heading_drug_names
from features.sentences import Sentence
from features.service_heading import ServiceHeading
from features.session_counts import KindNames, TherapyName
from features.session_history import heading_program
from features.style import the_person_class
from features.ur_relay import record_part_at
from features.value_patterns import ValuePatterns, value_patterns
from features.visits import VISIT_LOOKBACK, DatedSentences, visit_dates
from features.written_dates import parse_date as _parse_date
from letters.pre_review import PreReviewCase

_UNSTARTED = "duration_unstarted"  # care or a drug not had yet: the statement tells its own denial (0)

STUDY_DATE_REACH = 40  # characters between a study done and a date of its own ("lumbar MRI on 06/01/2016")
# session 42: "trial" of "Lyrica 75 mg #60 (trial)" names no drug (it read "a TENS unit for a 30-day trial" as
# the Lyrica's)
NAME_WINDOW = 80  # characters between a drug's name and a duration said of it, in one clause
OBJECT_WINDOW = 45  # characters from a start verb to the drug it governs ("converted from A to B")
FORM_WINDOW = 40  # characters after a drug's name in which its dosage form is written
_OTHER_SUBJECT = re.compile(
    r"\b(?:pain|symptoms?|complaints?|worked|working|employed|employment|job|"
    r"injur(?!ed (?:worker|employee)s?\b)\w*|history|disability|off work|restrictions?)\b[^;,]{0,25}$",
    re.IGNORECASE)  # session 14: "the injured worker" is the writer's name for the patient, not the injury
_PURPOSE_THEN_LENGTH = re.compile(r"\w+\s*")  # a drug's purpose ends right where its length begins
# between two drugs of one list or one combination product: doses, commas, "and"/"or", a slash ("Norco 10 mg
# and Flexeril", "hydrocodone/acetaminophen"); session 35 (round-62 kind K4b): an article before a later item
# ("Naproxen and a home exercise program were started that day": one coordinated subject)
_LIST_JOIN = re.compile(r"^(?:[\s,&/]|and\b|or\b|(?:a|an|the)\b|\d[\d/.]*+|(?:mg|mcg|ml|g)\b|%)*+$",
                        re.IGNORECASE)


@lru_cache(maxsize=1)
def _care_not_drugs() -> tuple[re.Pattern[str], ...]:
    """Care that is not a drug, named in a drug's sentence, whose duration is its own: the therapies of
    `care_not_drugs` and every device of `device_types` (session 38, round-74 kind K3: "a soft cervical collar
    for one week and medications including Ibuprofen and Flexeril" gives Flexeril nothing)."""
    p = value_patterns()
    return (p["care_not_drugs"], *p["device_types"].values())


def _course_since_an_operation(text: str, st: _Stated, p: ValuePatterns) -> bool:
    """Whether the clause of a "since <operation>" statement `st` completes a course or has had a count of it
    ("Since the surgery he has completed 12 sessions", "has completed 12 sessions ... since the revision"): a
    course's count told from the operation, not a therapy's start (the lead's ruling R9, session 41)."""
    a, b = st.span
    lo = max(text.rfind(";", 0, a), text.rfind(".", 0, a), a - 80) + 1
    ends = [i for i in (text.find(";", b), text.find(".", b)) if i >= 0]
    hi = min([*ends, b + 60, len(text)])
    return bool(p["duration_since_then_course"].search(text[lo:a] + " " + text[b:hi]))


def _drug_list(ours: list[tuple[int, int]], listed: list[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """Every drug a sentence names, in order, marked True where it names the requested drug."""
    others = [(a, b, False) for a, b in listed if not any(a < e and s < b for s, e in ours)]
    return sorted([(a, b, True) for a, b in ours] + others)


def _the_urs(found: Extraction) -> bool:
    """Whether a duration found is told in the UR's own sentence (its evidence's author): the record's
    duration of the drug, told by any of its names, wins over it (ruling 3 of session 37)."""
    return found.span is not None and found.span.author == UR_REVIEWER


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
    if not group and st.verb is not None:
        group = _class_members(text, named, (a, b), lo, p)
    if group and _companion_of_a_passive(text, named, st.verb, group[0], p):
        before = [i for i, (_, e, _) in enumerate(named) if lo <= e <= a and a - e <= NAME_WINDOW]
        group = [*_list_of(text, named, before[-1]), *group] if before else group
    since = _since_start().search(text, max(lo, a - 30), a) if st.verb is not None else None
    if since is not None:  # "Prilosec has been taken since she started naproxen in 2014": Prilosec's too
        before = [i for i, (_, e, _) in enumerate(named) if lo <= e <= since.start()
                  and since.start() - e <= NAME_WINDOW]
        group = [*group, *(_list_of(text, named, before[-1]) if before else [])]
    other = _OTHER_SUBJECT.search(text, max(0, sa - 40), sa) or p["duration_condition_before"].search(
        text, max(0, sa - 40), sa)
    if other is not None and other.group().lower().startswith("employed") \
            and text[sa:sa + 6].lower().startswith("since") and any(
            p["drug_as_employed"].fullmatch(text, e, other.start() + len("employed")) for _, e, _ in named):
        other = None  # round 38: "Ambien had been employed since 2014": the drug the subject, used since then
        # (a start only: "employed for several months" keeps round 36's null for a vague length)
    if other is not None and _PURPOSE_THEN_LENGTH.fullmatch(text, other.start(), sa) and any(
            p["duration_purpose_of_drug"].fullmatch(text, e, other.start()) for _, e, _ in named if e <= sa):
        other = None  # round 37: "oxycodone for breakthrough pain for 2 years": the pain the drug is for,
        # the length right after it; "for the pain he has had for 2 years" is still the pain's
    if not group and other is not None and not any(other.start() < e <= sa for _, e, _ in named):
        return None  # the pain's, unless a drug comes between; a start verb's object is its own ("insomnia
        # due to pain and was started on X")
    if not group and st.verb is not None and any(
            b <= s <= b + OBJECT_WINDOW and p["duration_any_object"].search(text[b:s]) for s, _, _ in named):
        return None  # round 48: "not yet had any PT" is said of PT, not of care before
    if not group:
        before = [i for i, (_, e, _) in enumerate(named) if lo <= e <= a and a - e <= NAME_WINDOW]
        after = [i for i, (s, _, _) in enumerate(named)  # a start verb's later drug is no object of it
                 if b <= s <= hi and s - b <= NAME_WINDOW and st.verb is None
                 and not p["duration_sequence_between"].search(text, b, s)  # "a boot for 8 weeks, then PT"
                 and not p["duration_relative_between"].search(text, b, s)]  # session 44: "since 2015,
        # which he relates to his medications" is the complaint's, the relative clause the noun's before it
        inside = [i for i, (s, e, _) in enumerate(named) if a <= s and e <= b]
        # round 26: a statement whose words name a drug is that drug's ("takes naproxen and was started on
        # tramadol today": tramadol's), before the drug named before it
        owner = inside[0] if inside else before[-1] if before else after[0] if after else None
        if owner is None:
            return None
        # session 45 (round-116 kind K5): "X and Y, which he has not begun" is Y's alone (its nearest noun)
        nearest = st.key == _UNSTARTED and bool(before) and owner == before[-1] \
            and bool(p["duration_relative_nearest"].search(text, named[owner][1], a))
        group = [owner] if _a_reduced_plan(text, st, p) or nearest else _list_of(text, named, owner)
        if before and owner == before[-1] and len(group) > 1:
            # "A and B, the latter for 3 months": the item named by its place
            one = p["duration_one_item"].search(text, named[owner][1], a)
            if one is not None:
                latter = one.group("which").lower() in ("latter", "last", "second")
                group = [owner] if latter else [min(group)]
        if before and owner == before[-1] and st.verb is not None \
                and p["duration_passive_start"].match(text, a):
            group += _with_before(text, named, min(group))
        if before and _SHARED.search(text, lo, a):  # "Theramine and Terocin lotion, both started <date>"
            group = [i for i, (s, _, _) in enumerate(named) if lo <= s < a]
    if st.verb is not None and p["duration_passive_start"].match(text, a):
        companion = next((i for i, (s, _, _) in enumerate(named) if s >= st.span[1]), None)
        if companion is not None and p["duration_companion_after"].fullmatch(text, st.span[1],
                                                                             named[companion][0]):
            group = [*group, *_list_of(text, named, companion)]  # "X was started in 01/2015, with Y": Y's too
    ours = [named[i] for i in group if named[i][2]]
    if not ours:
        return None
    return min((a - e) if e <= a else (s - b) if s >= b else 0 for s, e, _ in ours)


def _class_members(text: str, named: list[tuple[int, int, bool]], verb: tuple[int, int], lo: int,
                   p: ValuePatterns) -> list[int]:
    """The drugs a start said of the medications as a class is told of: the list its copula names after it
    ("Medications started at his 06/02/2014 visit included A and B", "the medications prescribed on <date>
    were A and B"; session 40, round-88 kind K4), every drug of that list."""
    a, b = verb
    if not p["duration_class_subject"].search(text, max(lo, a - 40), a):
        return []
    first = next((i for i, (s, _, _) in enumerate(named)
                  if b <= s <= b + NAME_WINDOW and p["duration_class_list"].match(text[b:s])), None)
    return [] if first is None else [i for i in _list_of(text, named, first) if i >= first]


_WITH_OBJECT = re.compile(r"\s*(?:(?:on|in)\s+\S+\s+)?with\s", re.IGNORECASE)


def _companion_of_a_passive(text: str, named: list[tuple[int, int, bool]], verb: tuple[int, int] | None,
                            first: int, p: ValuePatterns) -> bool:
    """Whether a passive start's first object comes after "with" ("Norco was restarted with docusate at the
    visit of <date>"): a drug started beside the subject, so the subject before the verb is started too
    (session 37, round-67 kind K3a); "was replaced with X" holds its "with" in the verb."""
    if verb is None or not p["duration_passive_start"].match(text, verb[0]):
        return False
    return bool(_WITH_OBJECT.match(text, verb[1], named[first][0]))


def _in_another_conjunct(text: str, named: list[tuple[int, int, bool]], verb: tuple[int, int],
                         p: ValuePatterns) -> bool:
    """Whether a start verb at `verb` is told of another drug or therapy in its own conjunct while every name
    of the requested therapy or device stands in a conjunct with a verb of its own (`conjunct_bounds`,
    `conjunct_own_verb`; session 29, round-42 kind K6a): "was started on meloxicam and eight therapy sessions
    were authorized" starts the meloxicam only; "therapy was authorized and started on <date>" the therapy."""
    bounds = [m.span() for m in p["conjunct_bounds"].finditer(text)]

    def conjunct(a: int, b: int) -> tuple[int, int]:
        return (max((e for s, e in bounds if e <= a), default=0),
                min((s for s, e in bounds if s >= b), default=len(text)))

    lo, hi = conjunct(*verb)
    if not any(not ours and lo <= s and e <= hi for s, e, ours in named):
        return False  # the start verb names nothing else: it is the therapy's ("was authorized and started")
    for s, e, ours in named:
        if ours:
            a, b = conjunct(s, e)
            if (a <= verb[0] and verb[1] <= b) or not p["conjunct_own_verb"].search(text, a, b):
                return False  # in the start's conjunct, or one of its objects ("started on X and therapy")
    return True


def _length_of_an_item_before(text: str, named: list[tuple[int, int, bool]], st: _Stated) -> bool:
    """Whether a length with no verb of its own follows words of its own list item that name no drug or
    therapy of the sentence, a list comma between it and the next name ("included casting for 6 weeks,
    occupational therapy (12 sessions)"): the length is that item's, not lent to the care after the comma;
    a length that opens its clause ("For 6 weeks, she has attended therapy") is still the care's after it."""
    sa, sb = st.span
    lo = max(text.rfind(";", 0, sa), text.rfind(",", 0, sa)) + 1
    if not text[lo:sa].strip() or any(lo <= e <= sa for _, e, _ in named):
        return False
    after = next((s for s, _, _ in named if s >= sb), None)
    return after is not None and "," in text[sb:after]


def _in_an_earlier_verb_phrase(text: str, named: list[tuple[int, int, bool]], st: _Stated,
                               p: ValuePatterns) -> bool:
    """Whether a length or start with no verb of its own stands in a verb phrase that names no requested care,
    every name of that care after it standing after a conjunction that opens a verb phrase of its own ("has
    seen his psychiatrist monthly since 2011 and completed 20 sessions of psychotherapy";
    `conjunct_verb_phrase`): the statement is its own phrase's (session 45, round-114 kind K7)."""
    sa, sb = st.span
    lo = text.rfind(";", 0, sa) + 1
    hi = text.find(";", sb)
    hi = len(text) if hi < 0 else hi
    cut = p["conjunct_verb_phrase"].search(text, sb, hi)
    if cut is None:
        return False
    ours = [s for s, _, own in named if own and lo <= s < hi]
    return bool(ours) and all(s >= cut.end() for s in ours)


def _a_drugs_own(text: str, named: list[tuple[int, int, bool]], drug_spans: set[tuple[int, int]],
                 at: int) -> bool:
    """Whether the name right before a statement without a start verb (or in a relative clause) at `at`, in
    its clause, is a drug other than the requested therapy or device ("orthotics, naproxen since March
    2016"): a length or start said after a drug is that drug's, not the therapy's or device's named before
    it in one list."""
    lo = text.rfind(";", 0, at) + 1
    before = [(s, e, ours) for s, e, ours in named if lo <= e <= at]
    if not before:
        return False
    s, e, ours = before[-1]
    return not ours and (s, e) in drug_spans


def _describes_a_drug_in_use(text: str, named: list[tuple[int, int, bool]], st: _Stated,
                             p: ValuePatterns) -> bool:
    """Whether a start with no date of its own (dated by its visit or a date before it: `borrowed`) is a bare
    participle (no "was") right after the requested drug, or its list, that a verb of use governs
    (`duration_use_object_before`: "has been taking Xanax prescribed by his primary physician"): it describes
    the drug in use, it tells no start at that visit."""
    if not st.borrowed or st.verb is None:
        return False
    a = st.verb[0]
    if p["duration_passive_start"].match(text, a):
        return False  # "Xanax was prescribed": a start told at the visit
    before = [i for i, (_, e, _) in enumerate(named) if e <= a]
    if not before or not named[before[-1]][2] or not _LIST_JOIN.match(text[named[before[-1]][1]:a]):
        return False
    first = named[min(_list_of(text, named, before[-1]))][0]
    return bool(p["duration_use_object_before"].search(text, max(0, first - 40), first))


def _restart_dates(text: str, p: ValuePatterns) -> list[tuple[int, int]]:
    """The spans of the dates restart verbs date their restarts with, in their clauses ("The Fentanyl patch
    was restarted on 04/02/2015 after a trial in 2013"): one drug's event told as history, no visit's date
    that another drug's undated start in a later sentence could count from."""
    found = (p["date"].search(text, r.end(), _date_reach(text, r.end(), p))
             for r in p["duration_restart"].finditer(text))
    return [d.span() for d in found if d is not None]


def _restart_of_a_drug(text: str, named: list[tuple[int, int, bool]], verb: tuple[int, int],
                       p: ValuePatterns) -> bool:
    """Whether a restart verb restarts a drug: its object is a drug named right after it ("restarted him on
    tramadol") or it has no object at all ("was restarted on <date>"); "he has resumed woodworking" restarts
    an activity, and its date says nothing of a drug."""
    b = verb[1]
    return bool(p["duration_restart_no_object"].match(text, b)) or any(
        b <= s <= b + OBJECT_WINDOW and p["duration_start_object"].search(text[b:s]) for s, _, _ in named)


def _restart_of(text: str, named: list[tuple[int, int, bool]], verb: tuple[int, int]) -> int | None:
    """Characters from a restart verb with no object of its own to the requested drug named last before it in
    its clause, however long the chain of that drug's events between ("X was first prescribed in 2014,
    stopped in 2015 when ..., and restarted on <date>"), else None: the restart is that drug's."""
    a, b = verb
    lo = text.rfind(";", 0, a) + 1
    if any(b <= s <= b + OBJECT_WINDOW for s, _, _ in named):
        return None  # "restarted him on naproxen": the restart's own object
    before = [(e, ours) for _, e, ours in named if lo <= e <= a]
    return a - before[-1][0] if before and before[-1][1] else None


def _relative_use(text: str, st: _Stated, p: ValuePatterns) -> bool:
    """Whether statement `st` stands in a relative clause of use or of a start after its drug ("requests
    meloxicam, which he has taken for 6 months"; session 25: "Norco #40, which I first prescribed on
    <date>", "which was started at discharge on <date>"), which the request around it does not make
    hypothetical. A start verb there needs its own subject or a passive auxiliary: "nausea, which began last
    month" is the antecedent's start, not a drug's."""
    a = st.span[0]
    rel = p["duration_relative_use"].search(text, max(0, a - 60), a)
    if rel is None:
        return False
    return st.verb is None or bool(rel.group("subject") or rel.group("aux")) \
        or bool(p["duration_passive_start"].match(text, a))


# a start verb in a "since" clause dates the use of the drug before it too ("X since she started Y in <date>")
@lru_cache(maxsize=1)
def _since_start() -> re.Pattern[str]:
    return re.compile(rf"\bsince\s+(?:(?:he|she|they|{the_person_class()})\s+)?(?:was\s+|were\s+|first\s+)*$",
                      re.IGNORECASE)
_SHARED = re.compile(r"\b(?:both|all|each)\s+(?:(?:were|was|have been|had been|been)\s+)?$", re.IGNORECASE)
# "converted from A to B": A was stopped; so is A in "B was substituted for A" (round-73 kind K5)
_STOPPED = re.compile(r"(?:\b(?:from|off)|(?<=substituted)\s+(?:for|in\s+place\s+of))\s+$", re.IGNORECASE)


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
    kept = p["duration_continued_use"].search(text, b, hi)  # round 26: "started A and continued B": B is kept
    hi = kept.start() if kept else hi
    stop = re.search(r"\.(?:\s|$)", text[b:hi])
    hi = b + stop.start() if stop else hi
    # session 41 (round-95 kind K1): a verb of handing over may list other things before the drug
    handing = any(m.end() == b for m in p["duration_handing_start"].finditer(text, max(0, b - 30), b + 60))
    first = next((i for i, (s, _, _) in enumerate(named)
                  if b <= s <= b + OBJECT_WINDOW and (
                      p["duration_start_object"].search(text[b:s])
                      or (handing and p["start_object_items"].match(text[b:s])))), None)
    if first is None:
        return []
    # round 19: a new clause after the first object ends them ("... and takes tramadol")
    # session 32 (round-51 kind D4): its lookahead reads past the next start verb ("started on A on <date> and
    # Norco was added": Norco is the added drug, the subject of its own clause)
    new_clause = p["start_objects_end"].search(text, named[first][1])
    hi = new_clause.start() if new_clause and new_clause.start() < hi else hi
    return [i for i, (s, _, _) in enumerate(named)
            if named[first][0] <= s < hi and not _STOPPED.search(text, max(b, s - 16), s)]


def _plans_a_drug_first(text: str, named: list[tuple[int, int, bool]], drug_spans: set[tuple[int, int]],
                        verb: tuple[int, int], p: ValuePatterns) -> bool:
    """Whether a trial noun at `verb` names a drug of the lexicon as its first object ("a trial of
    Amitriptyline 25 mg at bedtime and 8 occupational therapy visits"): the trial is that drug's, and a
    therapy or device later in the request's list is only requested, not tried by it (a verb's plan, "start
    gabapentin and a TENS trial", still governs both)."""
    hi = text.find(";", verb[1])
    group = _objects(text, named, (verb[1], len(text) if hi < 0 else hi), p)
    return bool(group) and not named[group[0]][2] and named[group[0]][:2] in drug_spans


# a slash joining two parts of one product, a part's strength (a percentage) before the slash
_COMBINED_BEFORE = re.compile(r"(?:[A-Za-z]|\d\s?%)\s?/\s?$")
_COMBINED_AFTER = re.compile(r"(?:\s?\d+(?:\.\d+)?\s?%)?\s?/\s?[A-Za-z]")


def _in_a_combination(text: str, span: tuple[int, int]) -> bool:
    """Whether the drug name at `span` is one part of a combination written with a slash ("buprenorphine/
    naloxone" for a naloxone spray), its parts' strengths written before each slash ("Gabapentin
    10%/Amitriptyline 5%/Capsaicin 0.025% cream"): that product is another drug."""
    s, e = span
    before, after = text[max(0, s - 10):s], text[e:e + 10]
    return bool(_COMBINED_BEFORE.search(before) or _COMBINED_AFTER.match(after))


def _device_kind(heading: str, device: re.Pattern[str]) -> re.Pattern[str]:
    """The words of the one device kind a heading names within its service type (`device_kinds`: a night
    splint is no custom orthotic, though both are braces; session 38, round-75 kind K10), or the type's own
    pattern where the heading names none of them or its type has no kinds."""
    kinds = [k for k in value_patterns()["device_kinds"].values()
             if (m := k.search(heading)) is not None and device.fullmatch(m.group(0))]
    if not kinds:
        return device
    return re.compile("|".join(k.pattern for k in kinds), re.IGNORECASE)


def _a_dated_participle(text: str, st: _Stated, p: ValuePatterns) -> bool:
    """Whether a start is a bare participle right after a comma, dated by its own words ("Plan: Oxycodone 10
    mg QID, switched from Norco on 06/01/2016, refilled"): the item's history told in a reduced relative,
    done on a past date, which the plan around it does not make hypothetical (session 39, round-80 K6)."""
    return st.key == "duration_start" and st.verb is not None and not st.borrowed \
        and text[:st.verb[0]].rstrip().endswith(",") \
        and not p["duration_passive_start"].match(text, st.verb[0])


def _a_reduced_plan(text: str, st: _Stated, p: ValuePatterns) -> bool:
    """Whether a passive plan is a reduced relative, with no finite verb of its own ("requested acupuncture, a
    lumbar support, and ketoprofen cream to be tried in place of the naproxen"): it modifies the one item it
    follows, not the request's list (session 38, round-75 kind K9); "X and Y are to be started" plans both."""
    return st.key == "duration_planned_passive" and st.verb is not None \
        and bool(p["duration_plan_infinitive"].match(text, st.verb[0])) \
        and not p["duration_plan_finite_before"].search(text, max(0, st.verb[0] - 20), st.verb[0])


# between a passive start's subject and a drug it is started with ("meloxicam 7.5 mg daily with omeprazole was
# started"): its dose and frequency, then "with"
_WITH_JOIN = re.compile(r"^(?:[\s,]|\d[\d/.]*+|(?:mg|mcg|ml|g|daily|nightly|bid|tid|qid|qd|qhs|prn)\b|%)*+"
                        r"\b(?:with|plus|along with|together with)\s+(?:an?\s+|the\s+)?$", re.IGNORECASE)


def _with_before(text: str, named: list[tuple[int, int, bool]], first: int) -> list[int]:
    """The drugs of the list that a passive start's nearest subject drug at `first` is started with: "A 7.5 mg
    daily with B was started" starts A too, not B alone (session 38, round-75 kind K11)."""
    if first == 0 or not _WITH_JOIN.match(text[named[first - 1][1]:named[first][0]]):
        return []
    return _list_of(text, named, first - 1)


def _list_of(text: str, named: list[tuple[int, int, bool]], owner: int) -> list[int]:
    """The drugs named in one list with `owner`: only doses, commas and "and"/"or" between them, and each
    item's own sig (session 40, round-88 kind K4: "Ultram 50 mg up to three times daily and meloxicam 15 mg
    daily", value_patterns.yaml `dose_frequency`, `list_item_sig`): how often a drug is taken is part of its
    item, as a course's count is (session 43, round-104 kind K8: "twelve chiropractic visits and eight
    sessions of physical therapy since 02/2016", `list_item_count`)."""
    p = value_patterns()
    group = [owner]
    for step in (-1, 1):
        i = owner
        while 0 <= i + step < len(named):
            left, right = sorted((named[i], named[i + step]))
            between = text[left[1]:right[0]]
            if not _LIST_JOIN.match(between) and not _LIST_JOIN.match(p["list_item_count"].sub(
                    " ", p["list_item_sig"].sub(" ", p["dose_frequency"].sub(" ", between)))):
                break
            i += step
            group.append(i)
    return group


def _continued(text: str, named: list[tuple[int, int, bool]], p: ValuePatterns) -> bool:
    """Whether the sentence says the requested drug is in use now (`duration_continued_use`): the drug right
    after the cue, with the rest of its list ("continues to take tramadol and naproxen", "current medications:
    tramadol 50 mg, naproxen"), else the last one before the cue in its clause ("tramadol was continued",
    "tramadol, which she continues to take"). Round 26: such a drug's prescription at a visit is a refill."""
    for cue in p["duration_continued_use"].finditer(text):
        a, b = cue.span()
        if any(ours and a <= s and e <= b for s, e, ours in named):
            return True  # session 25 (round-28 kind 4): "current medications are X, Y": the worker's
            # medications in general are in use, so "the medications were prescribed" at the visit is a refill
        lo = max(text.rfind(";", 0, a) + 1, text.rfind(". ", 0, a) + 1)
        between = p["duration_continued_object"]
        first = next((i for i, (s, _, _) in enumerate(named)
                      if b <= s <= b + OBJECT_WINDOW and between.match(text[b:s])), None)
        if first is not None:
            group = [i for i in _list_of(text, named, first) if i >= first]
        else:
            before = [i for i, (_, e, _) in enumerate(named) if lo <= e <= a and a - e <= NAME_WINDOW]
            group = _list_of(text, named, before[-1]) if before else []
        if any(named[i][2] for i in group):
            return True
    return False


def _clause_around(text: str, a: int, b: int, marks: str) -> tuple[int, int]:
    """The clause of `text` around [a, b): from after the last of `marks` before it to the next after it."""
    lo = max(text.rfind(c, 0, a) for c in marks) + 1
    ends = [i for c in marks if (i := text.find(c, b)) >= 0]
    return lo, min(ends, default=len(text))


def _statement_clause(text: str, st: _Stated) -> tuple[int, int]:
    """The clause of statement `st` in its sentence `text`: from the last comma or semicolon before it to the
    first after it (the words that tell which side or region it is said of)."""
    lo = max(text.rfind(",", 0, st.span[0]), text.rfind(";", 0, st.span[0])) + 1
    return lo, clause_end(text, st.span[1], len(text))


def _not_had_of_another_part(text: str, st: _Stated, asked: _Asked) -> bool:
    """Whether a care not had is told, in its clause, of another side or region than the request's ("has had
    no therapy for the left hand" for a right wrist request; session 43, round-104 kind K7): that part's."""
    found = body_regions().find(lower_text(text), *_statement_clause(text, st))
    sides = {r.side for r in found if r.side}
    if asked.side in ("left", "right") and sides and not any(same_side(asked.side, x) for x in sides):
        return True
    same = body_regions().same
    return bool(asked.regions) and bool(found) and not any(
        same(a, r.region) or same(r.region, a) for a in asked.regions for r in found)


def _of_another_side(text: str, st: _Stated, asked: _Asked) -> bool:
    """Whether a therapy's or device's statement is told, in its clause or else in its sentence, of the other
    side only than the request's ("had a right carpal tunnel release ... and began post-operative hand therapy
    on <date>" for a left wrist request; session 43, round-104 kind K8): that side's course."""
    if asked.side not in ("left", "right"):
        return False
    lower = lower_text(text)
    sides = {r.side for r in body_regions().find(lower, *_statement_clause(text, st)) if r.side}
    sides = sides or {r.side for r in body_regions().find(lower) if r.side}
    return bool(sides) and not any(same_side(asked.side, x) for x in sides)


def _gap(x: tuple[int, int], y: tuple[int, int]) -> int:
    """Characters between two spans (0 where they touch or overlap)."""
    return max(0, x[0] - y[1], y[0] - x[1])


def _drug_form(text: str, p: ValuePatterns) -> str | None:
    """'topical' or 'oral' where `text` writes a dosage form (a gel, a patch; tablets, a dose in mg)."""
    if p["drug_form_topical"].search(text):
        return "topical"
    return "oral" if p["drug_form_oral"].search(text) else None


_LIST_WORD = re.compile(r"\b(?:and|or|plus)\b", re.IGNORECASE)  # joins two drugs of one list


def form_near(text: str, span: tuple[int, int], listed: list[tuple[int, int]],
               p: ValuePatterns) -> str | None:
    """The dosage form written with the drug name at `span`: from a few words before it ("topical
    diclofenac"), not past a list's "and" / "or" (session 32, round-51 kind D1: "Lidoderm patches and
    omeprazole": the patches are Lidoderm's), to the end of its clause or the next drug named."""
    s, e = span
    end = min([e + FORM_WINDOW, len(text), *(a for a, _ in listed if a >= e)])
    stop = re.search(r"[,;.](?:\s|$)", text[e:end])
    end = e + stop.start() if stop else end
    start = max([text.rfind(c, 0, s) + 1 for c in ",;"] + [max(0, s - 15)])
    start = max([start, *(m.end() for m in _LIST_WORD.finditer(text, start, s))])
    return _drug_form(text[start:s] + " " + text[e:end], p)


@dataclass(frozen=True)
class _NamesAlso:
    """A therapy's names (`names`) and the words of who gives it (`also`: "a paid attendant", "a home wound
    care nurse"; value_patterns.yaml `duration_care_words`), found like a compiled pattern's matches: the
    record names home care by its giver as often as by the care (session 43, round-107 kind K11)."""

    names: re.Pattern[str] | KindNames
    also: re.Pattern[str]

    def finditer(self, text: str) -> list[re.Match[str] | TherapyName]:
        found: list[re.Match[str] | TherapyName] = list(self.names.finditer(text))
        found += [m for m in self.also.finditer(text)
                  if not any(m.start() < n.span()[1] and n.span()[0] < m.end() for n in found)]
        return sorted(found, key=lambda n: n.span()[0])


@dataclass(frozen=True)
class _Asked:
    """How one service's duration is read: the names of its drug or therapy, the other therapies' and
    devices' names (which own their own durations), whether only sentences naming no drug count, whether a
    start verb must govern it (a therapy or device), and whether it is a drug (`duration_of` counts)."""

    name_re: re.Pattern[str] | KindNames | _NamesAlso
    other_names: tuple[re.Pattern[str], ...]
    only_unnamed: bool
    objects_only: bool
    medication: bool
    trial_asked: bool = False  # the heading names a trial: a trial proposed after its device is its start
    side: str | None = None  # the heading's side and regions: a care not had of another part is not its own
    regions: tuple[str, ...] = ()


@dataclass
class _SentenceDrugs:
    """One sentence as a service's duration reads it: every drug and therapy it names (the requested one
    marked), the spans the drug lexicon finds, and whether it says the requested drug is in use (read once,
    only when a statement is a refill)."""

    sentence: Sentence
    named: list[tuple[int, int, bool]]
    drug_spans: set[tuple[int, int]]
    continued: bool | None = None


def _latest_course(text: str, verb: tuple[int, int], p: ValuePatterns) -> bool:
    """Whether the start verb at `verb` has the drug's latest course for its subject ("the most recent course
    began in 05/2016"): a restart, which beats a longer history told before it ("on and off since 2005";
    session 42, round-100 kind K3)."""
    return bool(p["duration_latest_course_before"].search(text, max(0, verb[0] - 80), verb[0]))


def _clause_references(text: str, ours: list[tuple[int, int]], asked: _Asked) -> list[tuple[int, int]]:
    """The spans of the subjects of a sentence's clauses after a ';' that name the requested drug by
    reference back ("He took Norco after each operation; it was tapered off in 2013 and resumed in 11/2015"):
    a pronoun or a general noun (`drug_reference_subject`) whose clause before names exactly the requested
    drug, as `_referred_back` reads a sentence's subject after the sentence before (session 42, round-100
    kind K3)."""
    p = value_patterns()
    if not asked.medication or asked.only_unnamed:
        return []
    out, lo = [], 0
    for semi in (m.start() for m in re.finditer(";", text)):
        listed = [(a + lo, b + lo) for a, b in drug_names().names_in(text[lo:semi])]
        lo = semi + 1
        rest = len(text) - len(text[lo:].lstrip())
        ref = p["drug_reference_subject"].match(text[rest:])
        if ref is None or p["drug_reference_expletive"].match(text, rest + ref.start("ref")) or not listed:
            continue
        if all(any(a < e and b > s for s, e in ours) for a, b in listed):
            out.append((rest + ref.start("ref"), rest + ref.end("ref")))
    return out


def _object_references(text: str, ours: list[tuple[int, int]], asked: _Asked) -> list[tuple[int, int]]:
    """The spans of the objects of a verb of use that name the requested drug by reference back ("He takes
    Norco, and at the 10/21/2015 visit he stated that he has taken it for three years"): a pronoun or a
    general noun (`drug_reference_object`) where every drug the sentence names before it is the requested one
    (session 43, round-105 kind K3), as `_clause_references` reads a clause's subject."""
    p = value_patterns()
    if not asked.medication or asked.only_unnamed:
        return []
    out = []
    for ref in p["drug_reference_object"].finditer(text):
        listed = drug_names().names_in(text[:ref.start("ref")])
        # session 45 (round-119 kind K3): "either product", "them" name every drug before, ours among them
        each = any if p["drug_reference_plural"].search(ref.group("ref")) else all
        if listed and each(any(a < e and b > s for s, e in ours) for a, b in listed):
            out.append(ref.span("ref"))
    return out


def _not_started_as_new(text: str, st: _Stated, p: ValuePatterns) -> _Stated:
    """Statement `st` as newly started (0) where its words say the drug is not started yet ("prescribed but
    not yet dispensed"), as the brief and the round-14/15 writers key it (session 14 read null, as the
    round-13 writer did); else `st` itself."""
    a, b = st.span
    if st.key not in NEWLY and (p["duration_not_started"].match(text, b) or p[
            "duration_not_started_before"].search(text, max(0, a - 20), a)):
        return _Stated("duration_new", 0.0, st.span, st.verb)
    return st


class DurationsOfUse:
    """The dates one case's summary writes (of visits, of operations) and a service's duration of use."""

    def __init__(self, summary: AnalysedText, case: PreReviewCase, families: Sequence[str]) -> None:
        """`families`: each service's family, in `case.services` order (what the letter requests)."""
        self.summary = summary
        self.case = case
        self.families = tuple(families)
        self._statements: dict[tuple[int, tuple[date, str] | None, date | None], list[_Stated]] = {}

    @cached_property
    def study_dates(self) -> list[list[tuple[int, int]]]:
        """Per summary sentence, the spans (in the sentence) of the dates that date a study or test done,
        never a visit nor a start of use (round 26: "He had a lumbar MRI on 06/01/2016. Tramadol was
        prescribed." dates no prescription): a date with a study told as done in its clause (or right before
        it across a comma: "MRI, dated <date>"), within `STUDY_DATE_REACH` characters, and nearer the date
        than any word of a visit (`visit_date_words`) or start verb in that clause."""
        return self._study_spans("date")

    @cached_property
    def study_months(self) -> list[list[tuple[int, int]]]:
        """Per summary sentence, the months and years that date a study or test done, as `study_dates` reads
        full dates ("UDS 6/2015 c/w prescribed meds", "an MRI in March 2014"): never a start of use (session
        38, round-76 kind K3). Not given to the visits, whose dates are full dates only."""
        return self._study_spans("duration_start_when")

    def _study_spans(self, written: str) -> list[list[tuple[int, int]]]:
        """Per summary sentence, the spans of pattern `written`'s dates that date a study or test done."""
        p = value_patterns()
        studies = [m for kind in ("imaging", "diagnostic_test") for m in self.summary.mentions(kind)
                   if not m.assertion.categories & _DONE]  # round 27: an EMG/NCV's or a lab test's date too
        out: list[list[tuple[int, int]]] = []
        for s in self.summary.sentences:
            mine = [(m.start - s.start, m.end - s.start) for m in studies if s.start <= m.start < s.end]
            rivals = [w.span() for key in ("visit_date_words", "duration_start")
                      for w in p[key].finditer(s.text)] if mine else []
            found = []
            for d in p[written].finditer(s.text) if mine else ():
                lo, hi = _clause_around(s.text, *d.span(), ",;")
                near = min((_gap(x, d.span()) for x in mine if lo <= x[0] < hi or 0 < d.start() - x[1] <= 12),
                           default=None)
                if near is not None and near <= STUDY_DATE_REACH and all(
                        near < _gap(r, d.span()) for r in rivals if lo <= r[0] < hi):
                    found.append(d.span())
            out.append(found)
        return out

    def _said_in_use(self, s: Sentence, named: list[tuple[int, int, bool]],
                     name_re: re.Pattern[str] | KindNames | _NamesAlso,
                     other_names: Sequence[re.Pattern[str]]) -> bool:
        """Whether sentence `s` (its drugs `named`) or one of the visit's `VISIT_LOOKBACK` sentences before it
        says the requested drug (`name_re`) is in use now (`_continued`, round 26)."""
        p, drugs = value_patterns(), drug_names()
        if _continued(s.text, named, p):
            return True
        return any(
            _continued(t.text, _drug_list([m.span() for m in name_re.finditer(t.text)], drugs.names_in(
                t.text) + [m.span() for o in other_names for m in o.finditer(t.text)]), p)
            for t in self.summary.sentences[max(0, s.index - VISIT_LOOKBACK):s.index])

    @cached_property
    def visits(self) -> DatedSentences:
        """The dates of the visits the summary's sentences report (`features.visits.DatedSentences`), with the
        dates no visit has: a study's (`study_dates`), a use's since a date and a restart's own date."""
        p = value_patterns()
        since = p["duration_since_date"]  # "taking Norco since 03/05/2021": no visit
        # session 33 (round-54 kind K7): nor a restart's own date
        other_events = [[m.span() for m in since.finditer(s.text)] + _restart_dates(s.text, p)
                        for s in self.summary.sentences]
        return DatedSentences(self.summary.sentences, self.case.date_of_injury, self.study_dates,
                              other_events)

    @cached_property
    def acute_days(self) -> list[tuple[date, str] | None]:
        """Per summary sentence, the day of the emergency or urgent-care visit it tells with no date of its
        own (`features.acute_visits`): the day an undated start in that account counts from, the injury's
        day too."""
        return acute_visit_days(self.summary.sentences, self.visits, self.case.date_of_injury)

    def operation_date(self, before: int, *, year: int | None = None) -> date | None:
        """The date of the last operation done that the summary names before character `before` and dates
        (`_dated_operation`): what "since the surgery" counts from."""
        found = self._dated_operation(before, year=year)
        return None if found is None else found[1]

    def _dated_operation(self, before: int, *, year: int | None = None) -> tuple[Mention, date] | None:
        """The mention and date of the last operation done on the patient that the summary names before
        character `before` and dates in its sentence ("underwent ORIF on 01/14/2024"; a month and year count
        from the month's 15th, as the protocol counts a month-only start); `year`: only an operation dated in
        that year ("since the 2012 revision surgery", round 48). An operation word a preposition of time
        refers back with ("down from 8/10 before surgery"), or a word of the time around one ("post-operative
        pain"), dates none."""
        p = value_patterns()
        operations = self.summary.mentions("surgery")
        studies = self.summary.mentions("imaging")
        text = self.summary.text
        for m in reversed(operations):
            if m.end > before or m.assertion.categories & _DONE or m.author == UR_REVIEWER:
                continue
            s = m.sentence
            if (p["operation_reference_before"].search(text, s.start, m.start)
                    or p["operation_time_word"].match(text, m.start)) and _date_after(text, m.end, p) is None:
                continue  # session 40 (round-86 K5): "before surgery", "post-operative pain" refer back
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
            if dates and (year is None or min(dates, key=lambda x: x[0])[1].year == year):
                return m, min(dates, key=lambda x: x[0])[1]
            if p["operation_same_day_after"].match(s.text, m.end - s.start):  # round 47: "... the same day"
                same_day = [when for a, _, when in found if when is not None and s.start + a < m.start]
                if same_day:
                    return m, same_day[0]
        return None

    def names(self, service: ServiceHeading) -> list[list[str]]:
        """Words that name this service's drug in the summary, most specific first (`heading_drug_names`).
        Another name or a class word that is the own name of another drug the letter requests names that drug,
        not this one ("Flurbiprofen/Lidocaine cream" and "Lidoderm 5% patch" both asked for: "Lidoderm since
        10/2016" is the patch's; session 36, round-66 kind K6)."""
        own, *rest = heading_drug_names(service.text)
        requested = {n for s, family in zip(self.case.services, self.families, strict=True)
                     if family == "medication" and (s.service or s.heading) != service.text
                     for n in heading_drug_names(s.service or s.heading)[0]}
        return [list(own), *([n for n in level if n not in requested or n in own] for level in rest)]

    def duration_of_use_months(self, service: ServiceHeading) -> Extraction:
        """Months the requested drug has been used, from a summary sentence naming it (by its own name
        first, then another name, then its class, then the worker's medications in general when the
        sentence names no drug): 'for N months', 'since <date>', 'since the injury', a start ('prescribed
        on <date>', 'On <date> ... started X') to the UR denial date, newly started = 0. The duration must
        be said of the drug (in its clause, not of the pain or the job); a drug not yet started, a negated
        statement or a request says nothing (the protocol counts a stated duration or start only)."""
        if self._after_a_requested_operation(service):
            # post-operative care for an operation still requested has not started (round 12); a drug so
            # requested ("Norco 5/325mg #30 (post-operative)") is planned: 0, as the protocol counts a drug
            # requested for an operation requested beside it (session 41, round-95 kind K3)
            return Extraction(0.0, None) if service.family == "medication" else MISSING
        if service.family != "medication":
            return self._treatment_duration(service)
        tried: list[str] = []  # drug names of the levels before: a sentence naming one was read there
        urs: Extraction | None = None  # the UR's own words at a level before, kept while the record may speak
        for names in self.names(service):
            if names:
                words = "|".join(name_pattern(n) for n in names)
                # "non-opioid analgesics" names no opioid; the word start is tried first, the look-behinds
                # only there (every name begins with a letter)
                name_re = re.compile(rf"\b(?=\w)(?<!non-)(?<!non )(?:{words})\b", re.IGNORECASE)
                skip = re.compile(rf"\b(?:{'|'.join(map(name_pattern, tried))})\b", re.IGNORECASE) if tried \
                    else None
                found = self._duration_in(service, name_re, skip=skip, other_names=_care_not_drugs())
                if found is not None and not _the_urs(found):
                    return found
                urs = urs or found  # session 38 (round-73 kind K2): the UR's "Flexeril had been prescribed
                # for 3 months" gives way to the record's "has taken cyclobenzaprine since <date>", told by
                # another name (ruling 3: where both speak, the record wins)
                tried += [n for n in names if n in drug_names().classes]
        if urs is not None:
            return urs
        p = value_patterns()
        if p["compound_heading"].search(service.text):  # "the topical compound" (session 35, round-59 K5b)
            found = self._duration_in(service, p["compound_anaphor"])
            if found is not None:
                return found
        return self._duration_in(service, p["medication_words"], only_unnamed=True) or MISSING

    def _after_a_requested_operation(self, service: ServiceHeading) -> bool:
        """A post-operative service ("Post-operative occupational therapy x 12") in a letter that requests the
        operation too: the protocol's "a drug requested but not started", so no duration of use."""
        post = value_patterns()["post_operative"]
        return bool(post.search(service.text)) and "surgery" in self.families

    def _treatment_duration(self, service: ServiceHeading) -> Extraction:
        """Months a requested treatment has been had ("acupuncture was started on <date>", "6 chiropractic
        treatments since 07/2016"), read as a drug's, with the treatment's own words (`therapy_types`) for
        its name: the protocol counts a stated start of the requested drug or treatment. Other therapies
        and drugs a sentence names own their own durations."""
        # round 15: a device's start of use is its duration too, unless it is one requested with an operation,
        # for after it (the splint used before is not this one); an implanted stimulator is its own operation,
        # not one beside it (session 40)
        devices = value_patterns()["device_types"]
        if service.service_type in devices and any(
                f == "surgery" for s, f in zip(self.case.services, self.families, strict=True)
                if (s.service or s.heading) != service.text):
            return MISSING
        kinds = {**value_patterns()["therapy_types"], **devices}
        care_words = value_patterns()["duration_care_words"]  # session 43 (round-107 K11): who gives care
        own_words = care_words.get(service.service_type)
        # session 45 (round-117 kind K8): a program the heading names within a broader type ("Work
        # conditioning x 12 visits", physical medicine by type) is read by its own names, not as PT
        kind = heading_program(service) or service.service_type
        therapy = kinds.get(kind) or own_words
        if therapy is None and service.family == "dme":  # "TENS unit purchase with supplies":
            therapy = next((d for d in devices.values() if d.search(service.text)), None)  # the device named
        if therapy is None or (service.family == "consultation" and not therapy.search(service.text)):
            return MISSING  # one-off services (imaging, surgery, a visit) have no duration of use
        therapy = _device_kind(service.text, therapy)
        others = [t for k, t in kinds.items() if t.pattern != therapy.pattern]
        others += [w for k, w in care_words.items() if k != service.service_type]
        names: re.Pattern[str] | KindNames | _NamesAlso = therapy  # a device by its pattern, a therapy: names
        if kind in value_patterns()["therapy_types"]:
            names = KindNames(kind)
        if own_words is not None and names is not own_words:
            names = _NamesAlso(names, own_words)  # "home health" and "a paid attendant"
        # session 40 (round-89 kind K6): a device requested after an operation done is for after it, as one
        # requested with an operation is: a use told before that operation ("night splinting for three months
        # did not help. On <date> she underwent a release") is another device's
        first = self._operation_done_sentence() if service.service_type in devices else None
        found = self._duration_in(service, names, other_names=others, objects_only=True,
                                  from_sentence=first or 0)
        if found is None and isinstance(names, KindNames):
            # session 43 (round-102 kind K11c, ruling R12): "she has not had therapy" is an OT request's
            # not had yet, as it is its count's 0 (`session_counts.not_had_names`); a bare "therapy" started
            # is no start of it
            found = self._duration_in(service, KindNames(names.kind, not_had=True), other_names=others,
                                      objects_only=True)
        return found or MISSING

    def _operation_done_sentence(self) -> int | None:
        """The sentence of the last operation done on the worker (the record's, not the UR's) that the summary
        dates on or after the injury: the time a device requested after it is for."""
        for m in reversed(self.summary.mentions("surgery")):
            if m.assertion.categories & _DONE or m.author == UR_REVIEWER:
                continue
            found = self._dated_operation(m.end)
            if found is not None and found[1] >= self.case.date_of_injury:
                # session 43 (round-107 kind K11): the sentence that dates the operation, not a later one
                # naming it undated ("An x-ray in 2015 showed solid fusion" after "had a fusion on <date>")
                return found[0].sentence.index
        return None

    def statements_in(self, index: int, visit: tuple[date, str] | None,
                      surgery: date | None) -> list[_Stated]:
        """The duration statements of summary sentence `index` (`duration_statements.stated_durations`) with
        the visit and operation dates read for it. Every service and drug name that reads the sentence reads
        the same ones: read once per letter (session 32: 762 readings of 310 in 200 SYNTHETIC letters)."""
        key = (index, visit, surgery)
        found = self._statements.get(key)
        if found is None:
            found = self._statements[key] = _durations(
                self.summary.sentences[index].text, value_patterns(), self.case.ur_denial_date,
                injury=(event := self._event_day(index)) or self.case.date_of_injury,
                event=event or self._then_day(index),
                visit=visit, surgery=surgery,
                not_starts=[*self.study_dates[index], *self.study_months[index]],
                visit_day=visit_dates(self.summary)[index], acute_visit=self.acute_days[index] is not None,
                month_visit=self._month_visit(index), day_before=self._same_day_before(index))
        return found

    def _same_day_before(self, index: int) -> date | None:
        """The day "the same day" or "that day" in sentence `index` names back when its sentence writes no
        date before it: the last date the record's sentence before tells ("... and restarted on 05/02/2017.
        Gabadone was restarted on the same day."; session 45, round-119 kind K2); None where it names none."""
        p, ref = value_patterns(), self.case.ur_denial_date
        sentences = self.summary.sentences
        same = p["duration_same_day"].search(sentences[index].text)
        if same is None or ref is None or index == 0 or sentences[index - 1].author == UR_REVIEWER \
                or p["date"].search(sentences[index].text, 0, same.start()):
            return None
        return _last_date_told(sentences[index - 1].text, p, ref)

    def _month_visit(self, index: int) -> date | None:
        """The visit the sentence before sentence `index` tells with a month and year only ("He returned to
        care in September 2015 with increased pain."), where it writes no full date: what "at that visit" in
        sentence `index` names back (session 42, round-100 kind K3); for "then" or "at that time", the last
        time it tells so, visit or not (session 43, round-102 kind K11a)."""
        if index == 0 or self.visits.sentence_dates[index - 1] is not None:
            return None
        before, p = self.summary.sentences[index - 1], value_patterns()
        if before.author == UR_REVIEWER:
            return None
        told = _month_visit_told(before.text, p)
        if told is None and p["duration_time_anaphor"].search(self.summary.sentences[index].text):
            told = _month_told(before.text, p)
        return told

    def _then_day(self, index: int) -> date | None:
        """The date "since then" in sentence `index` names back: the last date told before it in its sentence,
        else the last of the record's sentence before (session 43, round-107 kind K11: "was discharged on
        02/20/2015, and an aide has assisted her since then"); None where no "since then" or no date."""
        p, ref = value_patterns(), self.case.ur_denial_date
        sentences = self.summary.sentences
        then = p["duration_since_then"].search(sentences[index].text)
        if then is None or ref is None:
            return None
        told = _last_date_told(sentences[index].text[:then.start()], p, ref)
        if told is None and index > 0 and sentences[index - 1].author != UR_REVIEWER:
            told = _last_date_told(sentences[index - 1].text, p, ref)
        return told

    def _event_day(self, index: int) -> date | None:
        """The day of the event a sentence names back by its noun ("on the day of the fall", "since the fall",
        "since discharge"): the date nearest the words telling that kind of event, in its sentence before the
        noun ("was discharged on 11/03/2016 ..., which he has taken since discharge") or in the last sentence
        before it that tells it with a date (session 41, round-92 kind K8a: "on 3-8-2016 she slipped and fell
        ... Norco was started on the day of the fall", a later fall; session 42, r96 K6a, r98 K7)."""
        p = value_patterns()
        sentences = self.summary.sentences
        text = sentences[index].text
        named = [(m.start(), kind) for key in ("duration_event_day", "duration_since_event")
                 for kind, pattern in p[key].items() for m in pattern.finditer(text)]
        if not named:
            return None
        at, kind = min(named)
        for before in (text[:at], *(s.text for s in reversed(sentences[:index]))):
            told = [m.start() for m in p["duration_event_told"][kind].finditer(before)]
            dates = [(d.start(), _parse_date(d.group(0))) for d in p["date"].finditer(before)]
            # session 44 (round-113 kind K14): a month and year dates the event too ("discharged home in
            # 11/2009, and ... attendant care since that discharge"), from its 15th as the protocol counts it
            dates += [(w.start(), _month_date(w)) for w in p["duration_start_when"].finditer(before)]
            dates = [(pos, when) for pos, when in dates if when is not None]
            if told and dates:
                return min(dates, key=lambda d: min(abs(d[0] - t) for t in told))[1]
        return None

    def _duration_in(self, service: ServiceHeading, name_re: re.Pattern[str] | KindNames | _NamesAlso, *,
                     only_unnamed: bool = False, skip: re.Pattern[str] | None = None,
                     other_names: Sequence[re.Pattern[str]] = (),
                     objects_only: bool = False, from_sentence: int = 0) -> Extraction | None:
        """The duration stated of a name `name_re` finds, in the first summary sentence that has one
        (with `only_unnamed`, in one that names no drug of the lexicon: "her medications" then means every
        drug she takes, and only a length or a dated start counts, not "newly"; a sentence `skip` finds
        names the drug by a name tried before, so another name in it is another product: "OxyContin since
        2012, with Percocet" gives Percocet nothing). A duration belongs to the
        drug its clause says it of (`_owner`): a name in another dosage form than the heading's is
        another product ("Voltaren gel" is not "diclofenac 75 mg twice daily"). With `objects_only` (a
        therapy or device), a start told of another drug in another conjunct is not its own
        (`_in_another_conjunct`); sentences before `from_sentence` are not read. Which statement counts, a
        later restart included: `drug_starts`."""
        p = value_patterns()
        asked = _Asked(name_re, tuple(other_names), only_unnamed, objects_only,
                       medication=service.family == "medication",
                       trial_asked=bool(p["heading_trial"].search(service.text)), side=service.side,
                       regions=tuple(r.region for r in service.regions))  # a post-operative course's too
        form = _drug_form(service.text, p)
        # round 15: a heading naming one drug is no slash combination's part; round 28: a heading naming a
        # product of several actives ("Tylenol #3", "Fioricet") is the summary's "APAP/codeine",
        # "butalbital/APAP/caffeine"
        own_names = heading_drug_names(service.text)[0]
        combined = "/" in service.text or any(drug_names().is_combination(n) for n in own_names)
        # a start found; a later dated restart still wins. Session 36 (round-65 kind K3, the lead's ruling):
        # the UR's words ("stating that the claimant had used Cymbalta for over two years") count only where
        # the record states no start or length of the drug (the provider's "had started Cymbalta on <date>")
        record, ur = StartChoice(), StartChoice()
        for s in self.summary.sentences[from_sentence:]:
            choice = ur if s.author == UR_REVIEWER else record
            if choice.restarts_only and not (p["duration_restart"].search(s.text)
                                             or p["duration_latest_course"].search(s.text)
                                             or p[_UNSTARTED].search(s.text)):
                continue
            here = self._drugs_named(s, asked, form, combined, skip)
            if here is None:
                continue
            visit, surgery = self._visit_of(s), self._surgery_of(s)
            only = choice.restarts_only
            read = [c for st in self.statements_in(s.index, visit, surgery)
                    if (c := self._candidate(st, here, asked, restarts_only=only)) is not None]
            if choice is ur:  # session 39 (round-83 K1): the record's part of a UR sentence is the record's
                told = [c for c in read if record_part_at(s, c.mention.start)]
                record.take(told)
                read = [c for c in read if c not in told]
            choice.take(read)
        return record.chosen_result() or ur.chosen_result() or record.result() or ur.result()

    def _drugs_named(self, s: Sentence, asked: _Asked, form: str | None, combined: bool,
                     skip: re.Pattern[str] | None) -> _SentenceDrugs | None:
        """The drugs sentence `s` names, the requested one marked, or None where it does not name the
        requested one in the heading's dosage form and outside a combination it is no part of, or is a
        sentence the service does not read (one naming a drug for `only_unnamed`, a name tried before for
        `skip`)."""
        p, drugs = value_patterns(), drug_names()
        named_here = [m.span() for m in asked.name_re.finditer(s.text)]
        named_here = [*named_here, *_clause_references(s.text, named_here, asked),
                      *_object_references(s.text, named_here, asked)] if named_here else \
            self._referred_back(s, asked, skip) or self._care_referred_back(s, asked)
        if not named_here:
            return None  # most sentences do not name it: the other drugs are listed only where it is named
        in_lexicon = drugs.names_in(s.text)
        listed = in_lexicon + [m.span() for o in asked.other_names for m in o.finditer(s.text)]
        ours = [span for span in named_here
                if (form is None or form_near(s.text, span, listed, p) in (None, form))
                and (combined or not _in_a_combination(s.text, span))]
        if not ours:
            return None
        if (asked.only_unnamed and drugs.names_a_drug(s.text)) or (skip is not None and skip.search(s.text)):
            return None
        return _SentenceDrugs(s, _drug_list(ours, listed), set(in_lexicon))

    def _referred_back(self, s: Sentence, asked: _Asked,
                       skip: re.Pattern[str] | None) -> list[tuple[int, int]]:
        """The span of the subject of sentence `s` that names the requested drug by reference back: a pronoun
        or a general noun of a drug ("It was restarted on <date>", "The gel was to be started") whose
        antecedent, the drug of the sentence before, is the requested one (session 41, round-91 kind K4); else
        of the object of a verb of use ("he has taken it for three years"; session 43, round-105 kind K3)."""
        p = value_patterns()
        if not asked.medication or asked.only_unnamed or not isinstance(asked.name_re, re.Pattern):
            return []
        ref, several = p["drug_reference_subject"].match(s.text), False
        if ref is None or p["drug_reference_expletive"].match(s.text, ref.start("ref")):
            ref = p["drug_reference_object"].search(s.text)  # session 43 (round-105 K3): "has taken it for"
            # session 45 (round-119 kind K3): "He has not begun either product" names each drug before
            several = ref is not None and bool(p["drug_reference_plural"].search(ref.group("ref")))
        if ref is None or drug_names().names_in(s.text[:ref.start("ref")]):
            return []  # session 44: a drug the sentence names before the reference is its antecedent
        form = _drug_form(ref.group("ref"), p)
        found = self._antecedent_is(s.index - 1, asked, form, skip, several=several)
        return [ref.span("ref")] if found else []

    def _care_referred_back(self, s: Sentence, asked: _Asked) -> list[tuple[int, int]]:
        """The span of "the program" that sentence `s` names the requested programme by
        (`care_reference_object`: "She has not begun the program"), where the record's sentence before names
        it and no other care (session 45, round-117 kind K4); else none."""
        if asked.medication or not isinstance(asked.name_re, KindNames) or s.index == 0:
            return []
        ref = value_patterns()["care_reference_object"].search(s.text)
        before = self.summary.sentences[s.index - 1]
        if ref is None or before.author == UR_REVIEWER or not asked.name_re.finditer(before.text):
            return []
        others = any(o.search(before.text) for o in asked.other_names)
        return [] if others else [ref.span("ref")]

    def _antecedent_is(self, index: int, asked: _Asked, form: str | None, skip: re.Pattern[str] | None, *,
                       hops: int = 2, several: bool = False) -> bool:
        """Whether sentence `index` names exactly one drug, of dosage form `form` where the reference's noun
        has one ("the gel": the one topical of "Norco 10 mg and Voltaren gel"), and it is the requested one; a
        sentence naming none that refers back itself ("{He} stopped it in 2015") passes its antecedent on. A
        reference to `several` ("either product") has every drug named there, the requested one among them."""
        if index < 0 or hops == 0:
            return False
        p = value_patterns()
        text = self.summary.sentences[index].text
        listed = drug_names().names_in(text)
        if form is not None:
            listed = [span for span in listed if form_near(text, span, listed, p) == form] or \
                [span for span in listed if form_near(text, span, listed, p) is None]
        if not listed:
            return bool(p["drug_reference_word"].search(text)) and self._antecedent_is(
                index - 1, asked, form, skip, hops=hops - 1, several=several)
        if skip is not None and skip.search(text):
            return False  # read by a name tried before
        asked_spans = [m.span() for m in asked.name_re.finditer(text)]
        return bool(asked_spans) and (any if several else all)(
            any(a < end and b > start for start, end in asked_spans) for a, b in listed)

    def _visit_of(self, s: Sentence) -> tuple[date, str] | None:
        """The visit an undated start in sentence `s` counts from: its opening date, else the visit it
        reports; none for the UR's account of a prescription, nor the injury's date; session 27: "started
        today" in a sentence that opens with no date is its report's day."""
        if s.author == UR_REVIEWER:
            return None
        visits = self.visits
        if visits.opening_dates[s.index] is None and self.acute_days[s.index] is not None:
            return self.acute_days[s.index]  # session 41 (round-95 K1): the ER's day, the injury's too
        visit = visits.opening_dates[s.index] or visits.visit_date(s.index)
        if visit is not None and visit[0] == self.case.date_of_injury:
            visit = None  # the injury's date is no visit
        if visits.opening_dates[s.index] is None and value_patterns()["duration_new_dated"].search(s.text):
            visit = visits.report_date(s.index) or visit
        return visit

    def _surgery_of(self, s: Sentence) -> date | None:
        """The date of the operation a "since the surgery" in sentence `s` counts from: a date written right
        after it, else the last dated operation named before it ("the 2012 revision": one of that year)."""
        p = value_patterns()
        since_op = p["duration_since_surgery"].search(s.text)
        if since_op is None:
            return None
        year = int(since_op.group("year")) if since_op.group("year") else None
        return _date_after(s.text, since_op.end(), p) or self.operation_date(
            s.start + since_op.start(), year=year)  # not "the fusion" itself

    def _candidate(self, st: _Stated, here: _SentenceDrugs, asked: _Asked, *,
                   restarts_only: bool) -> Candidate | None:
        """Statement `st` of sentence `here` as a candidate for the requested drug's duration, or None where
        it is not said of that drug, is a refill of a drug in use, or is not asserted (`_asserted`). With
        `restarts_only` (a start is chosen already) only a restart of the drug counts."""
        p = value_patterns()
        text, named = here.sentence.text, here.named
        # (session 35, round-59 kind K5a: a restart dated by its visit is a restart too)
        restart = st.key in ("duration_start", "duration_visit_start") and st.verb is not None \
            and ((bool(p["duration_restart"].search(text, *st.verb))
                  and _restart_of_a_drug(text, named, st.verb, p))
                 or _latest_course(text, st.verb, p))
        if restarts_only and not restart and st.key != _UNSTARTED:
            return None  # after a start is found, a later sentence is read for a restart (or a not started)
        started = st.key in ("duration_start", "duration_visit_start") and st.verb is not None and not restart
        stop = p["duration_stopped_after"].match(text, st.span[1]) if started else None
        if stop is not None and not p["duration_restart"].search(text, st.span[1]) \
                and not any(st.span[1] <= n < stop.end() and not ours for n, _, ours in named):
            return None  # session 45 (round-115 K13): "begun in 10/2015, but she stopped using it": ended
        if isinstance(asked.name_re, KindNames) and asked.name_re.not_had and st.key != _UNSTARTED:
            return None  # a bare "therapy" speaks for the request only where it is not had yet
        if st.key == _UNSTARTED and _not_had_of_another_part(here.sentence.text, st, asked):
            return None
        if asked.objects_only and _of_another_side(here.sentence.text, st, asked):
            return None
        if self._a_refill(st, here, asked):
            return None  # round 26: a drug in use prescribed again at a visit: a refill
        if asked.only_unnamed and st.months == 0.0 and st.key in NEWLY \
                and st.key != "duration_planned_operation":
            return None  # session 37 (round-67 kind K3c): "post-operative pain medication" is planned
        if asked.objects_only and st.key in ("duration_since_surgery", "duration_since_event") \
                and _course_since_an_operation(text, st, p):
            return None  # session 41 (ruling R9): "Since the surgery he has completed 12 sessions": a count;
            # session 43: so is "The hardware was removed on <date>, and since then he has completed 8 visits"
        if st.key == "duration_of" and not asked.medication:
            return None  # "six weeks of physical therapy" is a course's length, not use to the UR date
        if st.key == "duration_planned_drug" and asked.objects_only:
            return None  # session 31: a plan list's later "start X" is X's, not a therapy's in the list
        if st.key == "duration_planned_operation" and (not asked.medication or not self._operation_asked(
                here.sentence, st.span)):
            return None  # session 36: "Keflex for post-operative prophylaxis": for an operation asked for;
            # session 37: a drug's only ("post-op occupational therapy", "home health after surgery" are care
            # requested after the operation, not in use: `_after_a_requested_operation`)
        if st.key == "duration_planned_operation" and text[st.span[1] - 1].isspace() \
                and not any(a == st.span[1] and ours for a, _, ours in named):
            return None  # session 37 (round-67 kind K3c): "post-operative Norco" plans the noun it modifies
        if st.key == "duration_trial_proposed" and not asked.trial_asked:
            return None  # session 40: "recommended a TENS unit trial" says nothing of a purchase's use
        if asked.objects_only and st.key == "duration_trial" and st.verb is not None \
                and _plans_a_drug_first(text, named, here.drug_spans, st.verb, p):
            return None  # session 37 (round-68 kind K10): "a trial of Amitriptyline ... and 8 OT visits"
        near = _owner(text, named, st, p)
        if near is None and restart:
            near = _restart_of(text, named, st.verb)
        if near is None or (asked.objects_only and st.verb is not None
                            and _in_another_conjunct(text, named, st.verb, p)):
            return None
        if asked.objects_only and st.verb is None and _length_of_an_item_before(text, named, st):
            return None  # session 35 (round-61 kind K5): "casting for 6 weeks, occupational therapy (...)"
        if asked.objects_only and st.verb is None and _in_an_earlier_verb_phrase(text, named, st, p):
            return None  # session 45 (round-114 kind K7): "has seen his psychiatrist since 2011 and completed
            # 20 sessions of psychotherapy": the start is the visits', not the psychotherapy's
        if asked.objects_only and (st.verb is None or _relative_use(text, st, p)) \
                and _a_drugs_own(text, named, here.drug_spans, st.span[0]):
            return None  # round 52 (kind E2): "hand therapy and ibuprofen, which he has taken since the
            # surgery": the start is the drug's, not lent to a therapy or device of its list; session 33
            # (round-54 kind K6): so is a start verb's relative clause ("CBT, Sertraline and Trazodone, which
            # was started on <date>")
        if _describes_a_drug_in_use(text, named, st, p):
            return None  # session 33 (round-54 kind K7): "has been taking Xanax prescribed by his physician"
        st = _not_started_as_new(text, st, p)
        m = self._asserted(here.sentence, st)
        prescribed = st.key in ("duration_start", "duration_visit_start") and st.verb is not None \
            and bool(p["duration_prescribing"].search(text, *st.verb))
        return None if m is None else Candidate(priority(st.key), near, st.months, m, restart, st.unanchored,
                                                st.dated, unstarted=st.key == _UNSTARTED,
                                                prescribed=prescribed)

    def _operation_asked(self, s: Sentence, purpose: tuple[int, int]) -> bool:
        """Whether the letter asks for an operation: a surgery heading, or an operation sentence `s` names as
        asked for, not done (hypothetical), outside the drug's purpose words at `purpose` ("for post-operative
        pain" names none): what a drug for the time around an operation is planned for."""
        a, b = s.start + purpose[0], s.start + purpose[1]
        return "surgery" in self.families or any(
            m.sentence.index == s.index and not (m.start < b and a < m.end)
            and Category.HYPOTHETICAL in m.assertion.categories
            and not m.assertion.categories & {Category.NEGATED, Category.FAMILY}
            for m in self.summary.mentions("surgery"))

    def _a_refill(self, st: _Stated, here: _SentenceDrugs, asked: _Asked) -> bool:
        """Whether statement `st` is a prescription (not a start: "started", "added") with no date of its own,
        or "new" of one, of a drug the sentence or its visit says is in use (`_said_in_use`, read once per
        sentence and only for such a statement: most sentences have none)."""
        if not ((st.borrowed or st.key == "duration_new") and value_patterns()["duration_prescribing"].search(
                here.sentence.text, *(st.verb or st.span))):
            return False
        if here.continued is None:
            here.continued = self._said_in_use(here.sentence, here.named, asked.name_re, asked.other_names)
        return here.continued

    def _asserted(self, s: Sentence, st: _Stated) -> Mention | None:
        """The duration mention of statement `st` when the sentence asserts it of the patient: not negated,
        hypothetical (a request: "the provider requested Norco on 12/1" is not a start) or a relative's;
        a use in a relative clause ("requests meloxicam, which he has taken for") and a new or planned start
        may be hypothetical, "has never taken it" negated; a trial counts only when proposed."""
        p = value_patterns()
        a, b = st.span
        m = self.summary.mention("duration", s.start + a, s.start + b)
        unsaid = {Category.NEGATED, Category.HYPOTHETICAL, Category.FAMILY}
        if _relative_use(s.text, st, p) or st.key in NEWLY or _a_dated_participle(s.text, st, p):
            unsaid = unsaid - {Category.HYPOTHETICAL}
        if st.key == _UNSTARTED:
            unsaid = unsaid - {Category.NEGATED}  # "has never taken it" states its own denial: 0
        if m is None or m.assertion.categories & unsaid:
            return None
        if st.key in ("duration_trial", "duration_trial_proposed") \
                and Category.HYPOTHETICAL not in m.assertion.categories:
            return None  # a trial had ("had a trial of gabapentin in 2015") is a course of use
        return m
