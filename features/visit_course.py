"""Facts that change over a summary's dated visits: the latest visit before the request decides (the lead's
convention). A statement from a later visit overrides a contrary one of the same finding or care from an
earlier visit: a neurological deficit the same test finds normal later (same test, side, region and spinal
level where said), or care said to help that a later visit says failed (the same therapy or drug)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from weakref import WeakKeyDictionary

from features.analysis import AnalysedText, Mention
from features.authors import load_author_rules
from features.body_regions import body_regions, same_side
from features.casefold import lower_text
from features.failed_care import care_named_by, cares_named_by, kinds_of_care_named_by
from features.neuro_exam import neuro_normal_findings, normal_finding_phrase
from features.value_patterns import value_patterns
from features.visits import visit_dates
from features.written_dates import parse_date

_WORKER = "patient"  # a sentence told in the worker's words: a symptom the worker denies is no examination
_WHOLE = "whole"  # a whole examination normal ("neurologically intact") covers every test
# the spine region of a level's letter (body_regions.yaml): an "S1 dermatome" is the low back's, not an arm's
_EXAM_DATES: WeakKeyDictionary[AnalysedText, list[date | None]] = WeakKeyDictionary()  # `_exam_dates`
_LEVEL_REGIONS = {"C": "cervical", "T": "thoracic", "L": "lumbar", "S": "lumbar"}


def _tests(text: str) -> frozenset[str]:
    """What a neurological finding tests (`neuro_finding_kinds`: sensory, reflex, motor or the whole exam)."""
    return frozenset(k for k, p in value_patterns()["neuro_finding_kinds"].items() if p.search(text))


def _place(phrase: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The sides, body regions and spinal levels a finding's phrase names (each empty where unsaid)."""
    low, bodies = lower_text(phrase), body_regions()
    sides = frozenset(side for side, p in bodies.sides.items() if p.search(low))
    regions = frozenset(r.region for r in bodies.find(low))
    levels = frozenset(m.group(0).upper() for m in value_patterns()["neuro_finding_level"].finditer(phrase))
    return sides, regions | {_LEVEL_REGIONS[level[0]] for level in levels}, levels


def _same_place(a: str, b: str) -> bool:
    """Whether two findings' phrases can be of the same place: sides that can be the same, regions the same
    or a spine and a limb its roots supply, and a shared spinal level, each where both phrases name one."""
    (sa, ra, la), (sb, rb, lb) = _place(a), _place(b)
    if sa and sb and not any(same_side(x, y) for x in sa for y in sb):
        return False
    bodies = body_regions()
    if ra and rb and not any(bodies.finding_of(x, y) or bodies.finding_of(y, x) for x in ra for y in rb):
        return False
    return not (la and lb and not la & lb)


def deficit_gone_later(summary: AnalysedText, deficit: Mention) -> bool:
    """Whether a deficit found at a dated visit is found normal at a later dated visit by the same test of the
    same place ("decreased sensation in the left L5 dermatome" at one visit, "sensation was now intact in both
    lower extremities" at the next), or one told of the time before an operation found normal at a dated visit
    told after it (session 40). A normal told in the worker's own words is no examination."""
    dates = _exam_dates(summary)
    when = dates[deficit.sentence.index]
    text = summary.text
    tests = _tests(deficit.text) or _tests(normal_finding_phrase(deficit, text))
    if not tests:
        return False
    before_operation = _told_before_an_operation(text, deficit)
    if when is None and not before_operation:
        return False
    phrase = normal_finding_phrase(deficit, text)
    for n in neuro_normal_findings(summary):
        later = dates[n.sentence.index]
        if later is None or _told_by_worker(n):
            continue
        # a deficit told before an operation: any dated visit told after it is later
        earlier = n.sentence.index <= deficit.sentence.index if before_operation else later <= when
        if earlier:
            continue
        normal = _tests(n.text)
        if (_WHOLE in normal or tests <= normal) and _same_place(phrase, normal_finding_phrase(n, text)):
            return True
    return False


def _exam_dates(summary: AnalysedText) -> list[date | None]:
    """Per summary sentence, its visit's date or the date of an examination it tells by its verb; read once
    per summary (each deficit asks: read per deficit, a 2 MB summary took twice as long)."""
    found = _EXAM_DATES.get(summary)
    if found is None:
        found = _EXAM_DATES[summary] = [d or _examined_on(s.text) for d, s in
                                        zip(visit_dates(summary), summary.sentences, strict=True)]
    return found


def _examined_on(text: str) -> date | None:
    """The date of an examination a sentence tells by its verb where it opens no visit ("He was seen by Dr.
    Lee on 01/05/2016 ...", "Dr. Ruiz examined him on 06/07/2016 and found ..."): the deficit and the normal
    finding of two such sentences are of two visits (session 44, round-110 kind K6)."""
    seen = value_patterns()["examined_on_date"].search(text)
    return parse_date(seen.group("date")) if seen is not None else None


def _told_by_worker(m: Mention) -> bool:
    """Whether the worker's own report tells a normal finding: a worker's cue before it that reaches it, or
    a sentence carried from the worker's report with no cue of its own. A rating the worker gives after the
    finding ("the reflexes were 2+ and symmetric, and he rated his pain 4/10") does not make the finding
    before it the worker's (session 42, round-98 kind K9)."""
    rules, text = load_author_rules(), m.sentence.text
    if rules.last_author_before(text, m.start - m.sentence.start) == _WORKER:
        return True
    return m.author == _WORKER and rules.author_of(text) is None


def _told_before_an_operation(text: str, deficit: Mention) -> bool:
    """Whether its sentence tells the deficit of the time before an operation: a pre-operative frame before it
    ("Before surgery she had weakness ...", "Preoperatively, ...") whose time no later word ends before it
    ("after", "now", "still"; `deficit_frame_ended`): session 40, round-89 kind K1."""
    p = value_patterns()
    frames = list(p["deficit_before_operation"].finditer(text, deficit.sentence.start, deficit.start))
    return bool(frames) and p["deficit_frame_ended"].search(text, frames[-1].end(), deficit.start) is None


def _same_care(a: str, b: str) -> bool:
    """Whether two names of care name the same care: the words of one are among the other's ("therapy",
    "physical therapy"; not "aquatic therapy" and "physical therapy"), a plural read as its singular and a
    gerund as its noun ("splinting", "the splint"; "bracing", "a brace": session 36)."""
    wa, wb = ({_word_stem(w) for w in lower_text(x).split()} for x in (a, b))
    return wa <= wb or wb <= wa


def _word_stem(word: str) -> str:
    """A care word without its plural, gerund or final "e" ending ("braces", "bracing", "brace": "brac")."""
    stem = word.removesuffix("s")
    stem = stem.removesuffix("ing") if len(stem) > 5 else stem
    return stem.removesuffix("e")


def help_outdated(summary: AnalysedText, helped: Mention, failures: Iterable[Mention]) -> bool:
    """Whether care said to help at a dated visit is said to have failed at a later dated visit ("physical
    therapy was helping" at one visit, "12 sessions of physical therapy with no sustained improvement" at the
    next): the later visit's failure is the record's, not a mixed record."""
    dates = visit_dates(summary)
    when, care = dates[helped.sentence.index], care_named_by(helped)
    if when is None or care is None:
        return False
    for f in failures:
        later, failed = dates[f.sentence.index], care_named_by(f)
        if later is not None and later > when and failed is not None and _same_care(care, failed):
            return True
    return False


def help_doubts_failure(helped: Mention, failure: Mention) -> bool:
    """Whether care said to help puts a statement of failure in doubt: the help is of care the failure is
    said of (a failure told later than the help is `help_outdated` first), the two are one statement read both
    ways ("with some temporary relief"), or either names no care, so that it cannot be told apart. Help of
    other care leaves a failure standing: failed care is care tried that did not help, whatever else helped
    (session 36, the lead's ruling on round 63)."""
    if helped.start < failure.end and failure.start < helped.end:
        return True
    care, failed = care_named_by(helped), cares_named_by(failure)
    return care is None or not failed or any(_same_care(care, f) for f in failed)


def of_other_care(a: Mention, b: Mention) -> bool:
    """Whether two statements name the kinds of care they are said of (`kinds_of_care_named_by`) and share
    none: a gain after hand therapy and the triggering back after injections are of two cares, so neither
    puts the other in doubt (session 43, round-106 kind K5). Either naming none: not told apart."""
    ka, kb = kinds_of_care_named_by(a), kinds_of_care_named_by(b)
    return bool(ka and kb) and not any(_same_care(x, y) for x in ka for y in kb)
