"""The protocol's red flags: each counts from the first mention that is the patient's own finding, less
those its rules excuse (weakness put down to pain, a thing that fell, an infection elsewhere, an example);
a bladder or bowel sign counts whatever its cause (rulings R14, R19: an operation, a disease or a drug)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from features.analysis import AnalysedText, Mention, concept_patterns
from features.assertion_sets import suspected as _suspected
from features.assertions import Category
from features.authors import load_author_rules
from features.clauses import clause_start as _clause_start
from features.evidence import Extraction
from features.value_patterns import value_patterns
from features.visit_course import deficit_gone_later

RED_FLAGS = ("neuro_deficit", "trauma", "fracture", "infection", "cancer", "cauda_equina")
# A red flag counts when the patient's own finding is stated: not negated, requested or another person's.
_NOT_A_FINDING = frozenset({Category.NEGATED, Category.HYPOTHETICAL, Category.FAMILY})
_MAY_BE_POSSIBLE = frozenset({"fracture"})  # the protocol counts a suspected fracture
# a clinician's stated suspicion counts ("concern for a primary lung malignancy"); a test's purpose does not
_MAY_BE_SUSPECTED = frozenset({"cancer"})
_OBJECTIVE_ONLY = frozenset({"neuro_deficit"})  # the patient's own report of weakness is not an exam finding
# words that name a red flag only where their sentence reports an examination (concepts.yaml `exam_context`)
_EXAM_WORDS = {"neuro_deficit": "weakness"}


def _finding(m: Mention, kind: str) -> bool:
    cats = m.assertion.categories
    if cats & _NOT_A_FINDING:
        return False
    if Category.POSSIBLE in cats and kind not in _MAY_BE_POSSIBLE and not (
            kind in _MAY_BE_SUSPECTED and _suspected(m)):
        return False
    return not (kind in _OBJECTIVE_ONLY and _reported_by_worker(m))


def _reported_by_worker(m: Mention) -> bool:
    """Whether the worker's own report tells mention `m` (the protocol's deficit is an examiner's finding):
    the sentence is the worker's and its cue reaches `m`, or the last cue before `m` is the worker's report in
    another author's sentence ("Per the PR-2 dated ..., the patient reported elbow pain and weak grip":
    session 29). A passive one ("he was noted with weak grip" is the examiner's) is no cue of the worker's:
    authors.yaml's patient cue takes the active voice only."""
    rules, text, offset = load_author_rules(), m.sentence.text, m.start - m.sentence.start
    if m.author == "patient":
        return rules.reaches("patient", text, offset)
    return rules.last_author_before(text, offset) == "patient"


def _motor_not_neurological(m: Mention, text: str) -> bool:
    """Weakness the record puts down to pain, effort or an operation ("4/5 strength limited by pain", "a weak
    grip because of pain", "give-way weakness", "post-operative weakness"): the protocol's deficit is a
    neurological exam finding, and these are not (round 12). Sensory and reflex findings are never excused.
    The cause may open the comma phrase right after the finding's clause ("Strength was 4+/5 in abduction,
    limited by pain": session 36, round-65 kind K7), a modifier of the finding before it. Muscle wasting a
    motor finding is put down to ("weakness of 4+/5 attributed to post-operative atrophy") is that finding's
    cause, no deficit of its own (session 40, round-89 kind K2)."""
    pats = value_patterns()
    if pats["muscle_wasting_word"].fullmatch(m.text):
        # "weakness of 4+/5 attributed to post-operative atrophy": the wasting named as the weakness's cause
        lo = max(m.sentence.start, text.rfind(";", m.sentence.start, m.start) + 1)
        return pats["wasting_as_motor_cause_before"].search(text, lo, m.start) is not None
    if not pats["motor_finding"].search(m.text):
        return False
    lo = _clause_start(text, m.sentence.start, m.start)
    ends = [i for i in (text.find(c, m.end, m.sentence.end) for c in ",;") if i != -1]
    hi = min(ends, default=m.sentence.end)
    set_off = hi < m.sentence.end and text[hi] == "," and pats["motor_cause_set_off"].match(
        text, hi + 1, m.sentence.end) is not None
    return bool(pats["motor_cause_before"].search(text, lo, m.start)
                or pats["motor_cause_after"].search(text, m.end, hi) or set_off)


def _object_fell(m: Mention, text: str) -> bool:
    """A fall told of a thing, not the worker ("hit by a box falling from a shelf", "struck by a brick that
    fell from the roof"): the protocol's fall from height is the worker's own fall."""
    p = value_patterns()
    if not p["fall_verb"].match(m.text.lower()):
        return False
    return bool(p["object_fell_before"].search(text, _clause_start(text, m.sentence.start, m.start), m.start))


_FALL_HEIGHT_BEFORE, _FALL_HEIGHT_AFTER = 20, 40  # characters around a fall its stated height may stand in
_CLAUSE_STOP = re.compile(r";|\.(?!\d)")  # a sentence's or clause's end, not a decimal point
_FEET_PER_UNIT = {"f": 1.0, "i": 1 / 12, "m": 3.28, "s": 10.0}  # by the unit's first letter: feet, inches, ..


def _stated_height_below_line(m: Mention, text: str) -> bool:
    """A fall whose own words state a height under 3 feet (1 metre) and none above ("fell from a loading
    dock, about 2 feet", "fell from a 1-foot step"): a simple fall, whatever the place (session 31)."""
    p = value_patterns()
    if not p["fall_mention"].search(m.text.lower()):
        return False
    lo = max(m.sentence.start, _clause_start(text, m.sentence.start, m.start), m.start - _FALL_HEIGHT_BEFORE)
    hi = min(m.sentence.end, m.end + _FALL_HEIGHT_AFTER)
    stop = _CLAUSE_STOP.search(text, m.end, hi)
    feet = [p.number(h.group("n")) * _FEET_PER_UNIT[h.group("unit")[0].lower()]
            for h in p["fall_height"].finditer(text, lo, stop.start() if stop else hi)
            if p.number(h.group("n")) is not None]
    return bool(feet) and max(feet) < 3.0


def red_flag_in(summary: AnalysedText, kind: str) -> Extraction:
    """True from the first mention that is the patient's own finding (not negated, requested,
    someone else's; for neuro deficit an exam finding, not the patient's report)."""
    first = next(red_flag_findings(summary, kind), None)
    return Extraction(True, first.span()) if first is not None else Extraction(False, None)


def red_flag_findings(summary: AnalysedText, kind: str) -> Iterator[Mention]:
    """Every mention that counts as the patient's own finding, in text order: the first sets the value,
    the others are evidence a checklist may quote instead (one of the record's, of the request's region)."""
    text = summary.text
    for m in _red_flag_mentions(summary, kind):
        if not _finding(m, kind):
            continue
        if kind == "neuro_deficit" and (_motor_not_neurological(m, text) or deficit_gone_later(summary, m)):
            continue  # session 33: a deficit the same test finds normal at a later visit is gone
        if kind == "trauma" and (_object_fell(m, text) or _struck_by_a_thing(summary, m)
                                 or _crush_denied(summary, m) or _stated_height_below_line(m, text)):
            continue
        if _example_of_red_flags_not_found(summary, m):
            continue
        if kind == "infection" and _infection_elsewhere(summary, m):
            continue
        yield m


def _example_of_red_flags_not_found(summary: AnalysedText, m: Mention) -> bool:
    """A red flag given as an example of "red flags" that the sentence denies, requires or reserves care
    for ("imaging is indicated only for red flags such as infection or cancer", "there were no red flags
    (tumor, a fall from a height)"): the example is said of the class, not found in the patient."""
    p, text = value_patterns(), summary.text
    for r in summary.mentions("red_flags_named"):
        if r.sentence is not m.sentence or r.end > m.start:
            continue
        defined = _red_flags_defined(summary, r)
        intro = defined or p["red_flag_examples_after"].match(text, r.end, m.sentence.end)
        if intro is None:
            continue
        end = p["red_flag_list_end"].search(text, intro.end(), m.sentence.end)
        if intro.end() <= m.start < (end.start() if end else m.sentence.end) and (
                defined or r.assertion.categories & (_NOT_A_FINDING | {Category.POSSIBLE})):
            return True
    return False


def _red_flags_defined(summary: AnalysedText, r: Mention) -> re.Match[str] | None:
    """The words "red flags" as the subject of a general definition ("Red flags include cauda equina
    syndrome, cancer and infection", "According to ACOEM, lumbar red flags are ..."): what follows names
    the class, not the patient's findings. The match ends where its examples begin."""
    p, text = value_patterns(), summary.text
    subject = p["red_flag_class_subject_before"]
    if subject.fullmatch(summary.lower, r.sentence.start, r.start) is None:
        return None
    return p["red_flag_definition_after"].match(text, r.end, r.sentence.end)


def _infection_elsewhere(summary: AnalysedText, m: Mention) -> bool:
    """An infection of an organ system the red flag does not mean (`infection_elsewhere` of
    concepts.yaml: "a urinary tract infection", "H. pylori"), or a fever when the clause of a fever names
    one ("a cold with a fever"; fix21r: "ran a fever; ... the fever was put down to the flu" is that fever
    wherever else the letter names it)."""
    elsewhere = summary.mentions("infection_elsewhere")
    if any(o.start < m.end and m.start < o.end for o in elsewhere):
        return True
    generic = value_patterns()["infection_generic"]
    if generic.match(m.text) is None:
        return False
    fevers = [g for g in summary.mentions("infection") if generic.match(g.text) is not None]
    return any(_in_clause_of_elsewhere(summary, g, elsewhere) for g in fevers)


def _in_clause_of_elsewhere(summary: AnalysedText, g: Mention, elsewhere: list[Mention]) -> bool:
    """Whether mention `g` shares its clause with an infection the red flag does not mean."""
    text = summary.text
    lo = _clause_start(text, g.sentence.start, g.start)
    ends = [i for i in (text.find(c, g.end, g.sentence.end) for c in ",;") if i != -1]
    hi = min(ends, default=g.sentence.end)
    return any(o.sentence is g.sentence and lo <= o.start and o.end <= hi for o in elsewhere)


def _struck_by_a_thing(summary: AnalysedText, m: Mention) -> bool:
    """A strike told by what hit, and that is no vehicle ("he was unloading a truck and was hit by a
    box"): the protocol counts a collision, not a blow from a small object."""
    p = value_patterns()
    if not p["strike_verb_end"].search(m.text.lower()):
        return False
    by = p["struck_by_after"].match(summary.text, m.end, m.sentence.end)
    return by is not None and concept_patterns()["vehicle"].search(summary.lower, *by.span()) is None


def _crush_denied(summary: AnalysedText, m: Mention) -> bool:
    """A pinning or trapping, by no vehicle, whose own sentence denies a crush ("pinned against a rack,
    without a crush injury"): the record says the mechanism was no crush; a fall or a collision never is."""
    p = value_patterns()
    if not p["crush_mechanism"].search(m.text.lower()):
        return False
    ends = [i for i in (summary.text.find(c, m.end, m.sentence.end) for c in ",;") if i != -1]
    if concept_patterns()["vehicle"].search(summary.lower, m.start, min(ends, default=m.sentence.end)):
        return False  # pinned by a forklift is a collision, the protocol's own trauma
    return any(o is not m and o.sentence is m.sentence and Category.NEGATED in o.assertion.categories
               and p["crush_named"].search(o.text.lower()) for o in summary.mentions("trauma"))


def _red_flag_mentions(summary: AnalysedText, kind: str) -> list[Mention]:
    """The concept's mentions, with its exam-only words (`_EXAM_WORDS`) where their sentence reports an
    examination or an observed finding and the word is not what the worker reports ("she reports
    weakness"), in text order."""
    found = summary.mentions(kind)
    word = _EXAM_WORDS.get(kind)
    if word is None:
        return found
    exams: dict[int, list[int]] = {}  # sentence start -> where its exam words start
    for e in summary.mentions("exam_context"):
        exams.setdefault(e.sentence.start, []).append(e.start)
    complaint = value_patterns()["complaint_before"]
    text = summary.text
    observed = [m for m in summary.mentions(word) if m.sentence.start in exams
                and not complaint.search(text, max(m.sentence.start, m.start - 40), m.start)
                and not _in_a_reason_clause(summary, m, exams[m.sentence.start])]
    return sorted([*found, *observed], key=lambda m: m.start)


def _in_a_reason_clause(summary: AnalysedText, m: Mention, exam_starts: list[int]) -> bool:
    """A weakness word in a clause that opens its sentence with a subordinator of cause or time and ends at
    a comma ("Because the weakness went on, an ultrasound was ordered and showed a tear"): the clause tells
    why the next step was taken, a history; the sentence's exam word after it does not make it an observed
    finding (session 44, round-108 kind D)."""
    text = summary.text
    opener = value_patterns()["reason_clause_opener"].match(text, m.sentence.start, m.start)
    if opener is None:
        return False
    comma = text.find(",", m.end, m.sentence.end)
    if comma == -1:
        return False
    return not any(m.sentence.start <= e < comma for e in exam_starts)  # `exam_starts`: of m's sentence
