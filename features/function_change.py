"""Function statements read as structure, not one pattern per phrasing: an activity (`function_lexicon.yaml`),
a change said of it (gained, unchanged, a limit that persists) or a credit to care, in one clause, with care
named in the sentence or had just before. The lexicon is data, so a new activity is a word, not a rule."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from features.analysis import AnalysedText, Mention, word_classes
from features.assertions import Category
from features.authors import UR_REVIEWER
from features.casefold import ASCII_WORDS, compile_folded, folded_spans
from features.clauses import alternatives, clauses
from features.package_data import read_yaml
from features.sentences import Sentence
from features.style import possessive_class
from features.value_patterns import value_patterns
from features.word_classes import add_classes, expand
from features.word_start import word_guarded

YES, NO = "yes", "no"
MAX_GAP_WORDS = 3  # words allowed between a change word and its activity ("no change in his stair climbing")
CARE_LOOKBACK = 2  # sentences back in which the care a change is said against may be told
WORK_STATUS_REACH = 30  # characters before a return to work in which "was returned to" may begin (round 59)
_SKIP = frozenset({Category.POSSIBLE, Category.HYPOTHETICAL})
# another person's activity is not the worker's, unless the other person helps the worker with it ("her
# husband still helps her with dressing"): round 15
_HELPS_THE_WORKER = re.compile(r"\b(?:him|her|them)\b", re.IGNORECASE)
_HELP_REACH = 20  # characters either side of a limit where help said lacking is read ("unable to help him")


@dataclass(frozen=True)
class FunctionLexicon:
    activity: re.Pattern[str]
    activity_folded: re.Pattern[str]  # `activity` lower-cased, for lower-cased ASCII text (`_activities`)
    every_clause_folded: dict[str, re.Pattern[str]]  # `EVERY_CLAUSE` lower-cased, the same way
    resumed_object: re.Pattern[str]
    stopped_object: re.Pattern[str]
    denied_subject: re.Pattern[str]
    goals_met: re.Pattern[str]
    aid_given_up: re.Pattern[str]
    aid_for_activity: re.Pattern[str]
    gain_before: re.Pattern[str]
    gain_after: re.Pattern[str]
    rise_after: re.Pattern[str]
    fall_after: re.Pattern[str]
    worse_after: re.Pattern[str]
    no_change_before: re.Pattern[str]
    no_change_after: re.Pattern[str]
    no_change_state: re.Pattern[str]
    same_limit: re.Pattern[str]
    persisting_before: re.Pattern[str]
    decline_before: re.Pattern[str]
    limited_after: re.Pattern[str]
    persisting_cue: re.Pattern[str]
    limited_despite_after: re.Pattern[str]
    unable_despite_before: re.Pattern[str]
    limit_despite_cue: re.Pattern[str]
    care_despite_generic: re.Pattern[str]
    care_after_cue: re.Pattern[str]
    credit: re.Pattern[str]
    help_to_sleep: re.Pattern[str]
    help_and_verb: re.Pattern[str]
    sleep_activity: re.Pattern[str]
    sleep_and_verb: re.Pattern[str]
    credit_lead: re.Pattern[str]
    ability_verb: re.Pattern[str]
    course_done: re.Pattern[str]
    granted_course_done: re.Pattern[str]
    course_stopped: re.Pattern[str]
    credit_denied: re.Pattern[str]
    without_care: re.Pattern[str]
    confined: re.Pattern[str]
    adaptation: re.Pattern[str]
    symptom: re.Pattern[str]
    symptom_onset: re.Pattern[str]
    limit: re.Pattern[str]
    exam: re.Pattern[str]
    exam_measure: re.Pattern[str]
    range_ends: re.Pattern[str]
    clause_break: re.Pattern[str]
    quantity: re.Pattern[str]
    aid_extent: re.Pattern[str]
    aid_lessened: re.Pattern[str]
    frame: re.Pattern[str]
    less_than_before: re.Pattern[str]
    measured: tuple[re.Pattern[str], ...]
    measured_gain: float
    number_words: dict[str, float]
    unit_sizes: dict[str, dict[str, float]]  # a unit's kind -> its words -> its size in the kind's base
    lower_is_better: re.Pattern[str]
    on_off_split: re.Pattern[str]
    on_care: re.Pattern[str]
    off_care: re.Pattern[str]
    care_pronoun: re.Pattern[str]
    credited_device: re.Pattern[str]
    course_reference: re.Pattern[str]
    part_number: re.Pattern[str]
    helper_person: re.Pattern[str]
    help_denied: re.Pattern[str]
    operation_gain: re.Pattern[str]
    since_the_injury: re.Pattern[str]
    work_return: re.Pattern[str]
    baseline_measure: re.Pattern[str]
    lack_scope: re.Pattern[str]
    bare_lack: re.Pattern[str]
    lack_named_before: re.Pattern[str]
    lack_continued: re.Pattern[str]
    whole_function: re.Pattern[str]
    aided_and_more: re.Pattern[str]
    aid_used_beside: re.Pattern[str]
    change_object: re.Pattern[str]
    return_undone: re.Pattern[str]
    return_for_money: re.Pattern[str]
    care_result_bracket: re.Pattern[str]
    bracket_item_break: re.Pattern[str]
    bracket_item_not_a_gain: re.Pattern[str]
    plateau: re.Pattern[str]
    activity_as_care: re.Pattern[str]

    def number(self, word: str) -> float:
        """A number of `measured`, written in digits or as a word."""
        return self.number_words[word.lower()] if word.lower() in self.number_words else float(word)

    def amount(self, m: re.Match[str], group: str) -> tuple[float, str | None, float]:
        """(number, kind of its unit or None, its size in that kind's base) of number `group` of a `measured`
        match: the unit is the word right after the number ("2 hours", "30 minutes"), so that two numbers
        told in units of one kind compare in one base (session 38, round-73 kind K3)."""
        unit = _UNIT_WORD.match(m.string, m.end(group))
        word = unit.group(1).lower() if unit else ""
        kind = next((k for k, sizes in self.unit_sizes.items() if word in sizes), None)
        return self.number(m.group(group)), kind, self.unit_sizes[kind][word] if kind else 1.0


@lru_cache(maxsize=1)
def function_lexicon() -> FunctionLexicon:
    raw = read_yaml("function_lexicon.yaml")
    limit = raw.pop("work_limit")  # the words of a work limit, read as {work_limit} (session 19)
    raw["same_limit"] = [p.replace("{work_limit}", limit) for p in raw["same_limit"]]
    then = raw.pop("then")  # a time or former state a comparison is said against, read as {then} (round 20)
    raw["no_change_state"] = [p.replace("{then}", then) for p in raw["no_change_state"]]
    words = {str(k).lower(): float(v) for k, v in raw.pop("number_words").items()}
    units = {kind: {str(w).lower(): float(n) for w, n in sizes.items()}
             for kind, sizes in raw.pop("unit_sizes").items()}
    articles = {str(k).lower(): float(v) for k, v in raw.pop("unit_articles").items()}
    unit_words = "|".join(sorted((re.escape(w) for sizes in units.values() for w in sizes),
                                 key=len, reverse=True))
    # an article only before a unit ("an hour": one of it)
    number = r"\d+(?:\.\d+)?|" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) \
        + "|" + "|".join(rf"{re.escape(a)}(?=\s(?:{unit_words})\b)" for a in articles)
    words |= {a: n for a, n in articles.items() if a not in words}
    measured = tuple(re.compile(word_guarded(r"\b" + p.replace("{number}", number)),
                                re.IGNORECASE | ASCII_WORDS)
                     for p in raw.pop("measured"))
    gain = float(raw.pop("measured_gain"))
    # the writer's words for the worker and the closed word classes ("improved"), as every lexicon reads them
    classes = add_classes(dict(word_classes()), raw.pop("word_classes"), "function_lexicon.yaml")
    lists = {k: alternatives([expand(p, classes, "function_lexicon.yaml") for p in v])
             for k, v in raw.items() if isinstance(v, list)}
    singles = {k: re.compile(word_guarded(expand(v, classes, "function_lexicon.yaml")),
                          re.IGNORECASE | ASCII_WORDS)
               for k, v in raw.items() if isinstance(v, str)}
    folded = compile_folded(lists["activity"].pattern)
    every_clause = {k: compile_folded({**lists, **singles}[k].pattern) for k in EVERY_CLAUSE}
    return FunctionLexicon(**lists, **singles, activity_folded=folded, every_clause_folded=every_clause,
                           measured=measured, measured_gain=gain, number_words=words,
                           unit_sizes=units)


# the patterns `_changes` scans in every clause, activity or not: searched lower-cased in an ASCII clause, as
# `_activities` searches the activities (about half the time of IGNORECASE on these long lists)
EVERY_CLAUSE = ("no_change_state", "same_limit", "goals_met", "aid_given_up")


def _every_clause_spans(name: str, clause: str, lower: str | None, lex: FunctionLexicon
                        ) -> list[tuple[int, int]]:
    """Spans of `EVERY_CLAUSE` list `name` in `clause` (`lower`: the clause lower-cased when it is ASCII)."""
    return folded_spans(lex.every_clause_folded[name], getattr(lex, name), clause, lower)


_WORD = re.compile(r"[\w%'-]+")
_NOT_BEFORE = re.compile(r"\b(?:not|never|no longer)\s+(?:(?:has|have|had|been)\s+)?$", re.IGNORECASE)
# round 32: a negation between a gain word and its activity ("again could not climb") makes it a limit
_NEGATED_GAP = re.compile(r"\b(?:not|never|unable|cannot|can't|couldn't|no longer)\b", re.IGNORECASE)
# session 29: an activity the worker cannot do without the aid or help ("is unable to walk without a cane",
# "cannot yet manage stairs or bathe without help") is the aid still needed, no gain (fix42's "walking without
# crutches" is one); round 43: "no longer", and the activity up to ten words on ("cannot climb into the cab
# of his work truck without help": "work" is the activity the lexicon finds); not an aid no longer needed,
# nor an ability told after it ("no longer needs a cane and can climb stairs without help"); "his" and "the
# applicant's" are one word of the ten, so no writer's noun moves the activity out of reach
_UNABLE_BEFORE = re.compile(
    r"\b(?:unable|cannot|can't|couldn't|could not|not able|not yet able"
    r"|no longer(?!\s+(?:needs?|requires?|uses?|has to|have to|must|relies|depends)\b))"
    rf"(?:[^\w;:]+(?!(?:can|could|now|able)\b)(?:{possessive_class()}|\w+)){{0,10}}\W*$",
    re.IGNORECASE)
FEWER_IS_BETTER = "helpers"  # the unit kind (`unit_sizes`) of the people a task needs: fewer is a gain (s43)
_UNABLE_WINDOW = 100  # characters before the activity the inability is looked for in
_WITHOUT_AID = re.compile(r"without\b", re.IGNORECASE)
# what each kind of change word says of an activity, and of a scale on which lower is better (round 15)
_DIRECTION = {"gain": (YES, YES), "rise": (YES, NO), "fall": (NO, YES), "worse": (NO, NO), "same": (NO, NO),
              "persisting": (NO, NO), "decline": (NO, NO)}


def aid_still_needed(text: str, at: int) -> bool:
    """Whether the activity ending at text[at] is done with an aid right after it ("now walks with a walker"),
    or one still used told in a clause joined to it ("and uses a walker outside": `aid_used_beside`),
    no second activity joined under it ("... with a walker and climbs the stairs to her flat": the two are
    done, session 37, round-68 K7): the aid still needed, no gain of function (the lead's ruling R3)."""
    aided = value_patterns()["ability_aided"].match(text, at)
    lex = function_lexicon()
    if aided is None:  # "can stand 10 minutes and uses a walker outside": the aid told beside it (r107 K5)
        return lex.aid_used_beside.match(text, at) is not None
    if lex.aid_extent.match(text, at) or lex.aid_lessened.match(text, aided.end()):
        return False  # "walks 100 feet with a walker", "with a cane instead of crutches": progress told
    more = lex.aided_and_more.match(text, aided.end())
    return more is None or lex.activity.fullmatch(more.group("act")) is None


def _object_of_its_own(clause: str, at: int, lex: FunctionLexicon) -> bool:
    """Whether the change word ending at `at` has an object of its own that is no activity ("the Duloxetine
    had improved his mood"): the activity told before it did not change (session 37, round-68 K6)."""
    obj = lex.change_object.match(clause, at)
    return obj is not None and lex.activity.match(clause, obj.end()) is None


def helped_by_person(m: Mention) -> bool:
    """Whether `m` is a help verb whose subject, right before it in its sentence, is another person ("his
    wife helps him to get dressed", "a co-worker helps him lift boxes"): another's help credits no care
    (session 21)."""
    sentence = m.sentence
    start = max(sentence.start, m.start - 40)
    window = sentence.text[start - sentence.start:m.end - sentence.start]
    return function_lexicon().helper_person.search(window) is not None


def help_denied(m: Mention) -> bool:
    """Whether limit `m` is help to the worker said lacking, read `_HELP_REACH` characters either side of it
    ("his wife recently had surgery and can no longer help him bathe"): the helper's loss, not the worker's
    function (session 43, round-103 kind K1b). One test for the change reader and the ability readers."""
    s = m.sentence
    at, end = max(0, m.start - s.start - _HELP_REACH), min(len(s.text), m.end - s.start + _HELP_REACH)
    return function_lexicon().help_denied.search(s.text, at, end) is not None


def _stopped_activity(clause: str, a0: int, a1: int, lex: FunctionLexicon) -> bool:
    """Whether the activity at clause[a0:a1] is the object of a stop ("had stopped working again"): a gain
    word after it is the stop repeated, not the activity resumed (round 32)."""
    return any(m.span("act") == (a0, a1) for m in lex.stopped_object.finditer(clause))


def _adapted(clause: str, at: int, lex: FunctionLexicon, care_named: Callable[[str], bool]) -> bool:
    """Whether a gain at clause[at:] is given pain as its reason (`adaptation`: "sits down because of pain"),
    not a reason told before care named ahead of the gain ("developed depression secondary to pain and
    completed CBT, which allowed her to resume volunteering"): the care's reason (session 42, r100 K5b)."""
    return any(not (r.end() <= at and care_named(clause[r.end():at]))
               for r in lex.adaptation.finditer(clause))


def _bare_verdict_of_a_symptom(before: str, clause: str, lex: FunctionLexicon) -> bool:
    """A clause that is only a verdict ("no better") after a label naming a symptom ("Pain: no better")."""
    words = _WORD.findall(clause)
    return 0 < len(words) <= 3 and bool(lex.symptom.search(" ".join(_WORD.findall(before)[-3:])))


# session 35 (round-60 kind K7): whose the activity is ("his", "the injured worker's") is one word of the gap,
# so "no change in the injured worker's ability to drive" links as "no change in his ability to drive" does
_POSSESSIVE = re.compile(rf"\b{possessive_class()}", re.IGNORECASE)


# a change told in the gain word itself: from a former state ("gone from bed-bound to walking with a walker"),
# or more or better ("increased his walking with a cane to two blocks"): progress, not the aid alone (s42)
_CHANGE_TOLD = re.compile(r"\bfrom\b|\bimprov|\bincreas|\bbetter\b|\bgreater\b", re.IGNORECASE)
_PURPOSE_END = re.compile(r"\bfor\s+$", re.IGNORECASE)  # a gap ending in "for": the activity is a purpose


def _gap_ok(between: str, lex: FunctionLexicon) -> bool:
    """A change word and its activity are near (few words, not counting a quantity of the activity: "modified
    duty at four hours a day, unchanged", or a reporting frame: "was noted to be unchanged"; a possessive is
    one word whoever the writer names) with no symptom between them."""
    words = _WORD.findall(_POSSESSIVE.sub(" his ", lex.frame.sub(" ", lex.quantity.sub(" ", between))))
    return len(words) <= MAX_GAP_WORDS and not lex.symptom.search(between)


def _activities(clause: str, lex: FunctionLexicon) -> list[tuple[int, int]]:
    """Spans of the activities a clause names: the lexicon's, and any gerund a return is said of. An ASCII
    clause is searched lower-cased (about 3x faster than IGNORECASE on the long activity list, the same
    matches); another keeps IGNORECASE, under which a few non-ASCII letters match ASCII ones (the Kelvin sign
    matches "k", the long s "s")."""
    spans = set(folded_spans(lex.activity_folded, lex.activity, clause))
    spans |= {m.span("act") for m in lex.resumed_object.finditer(clause)}
    spans |= {m.span("act") for m in lex.stopped_object.finditer(clause)}
    return sorted(spans)


STEM = 4  # letters an activity's word is compared by ("work" = "working", "dress" = "dressing")


def activity_stems(text: str) -> frozenset[str]:
    """The activities `text` names, each by its first word's first `STEM` letters: whether a limit is of an
    activity a gain was told of ("could dress himself" ... "renewed difficulty dressing": a loss) or of
    another (session 44)."""
    lex = function_lexicon()
    return frozenset(w.group(0)[:STEM].lower() for a, b in _activities(text, lex)
                     if (w := _WORD.search(text, a, b)) is not None)


def names_sleep_alone(text: str) -> bool:
    """Whether every activity `text` names is sleep, and it names one ("allows him to sleep six hours",
    "sleeps through the night"): a gain of sleep alone is no gain of function (the lead's ruling R5)."""
    lex = function_lexicon()
    # the lexicon's activities, and the verb of any ability told ("and can make his lunch")
    acts = _activities(text, lex) + [(m.end() - len(m.group().split()[-1]), m.end())
                                     for m in lex.ability_verb.finditer(text)]
    return bool(acts) and all(lex.sleep_activity.match(text, a, b) and not lex.sleep_and_verb.match(text, b)
                              for a, b in acts) and not _FUNCTION_WORD.search(text)


# function named as a whole beside the sleep ("his function and sleep have improved"), or an ability of
# another verb ("and is again able to get her kids to school", "no improvement in his sleep or his ability to
# leave home": session 45): a gain (or a lack) of function
_FUNCTION_WORD = re.compile(r"\bfunction(?:al|ing|s)?\b|\bactivit(?:y|ies)\b|\bADLs?\b|\bmobility\b"
                            r"|\b(?:able|abilit(?:y|ies)) to\s(?:now\s|again\s)?"
                            r"(?!sleep|rest|nap|relax|fall\b)[a-z]{3,}", re.IGNORECASE)


def _changes(clause: str, acts: list[tuple[int, int]], lex: FunctionLexicon,
             care_named: Callable[[str], bool] = lambda text: False) -> Iterator[tuple[str, str, int, int]]:
    """(direction, kind, start, end) of each change word said of an activity (`acts`: the clause's activities)
    in the clause. A clause naming no activity (most) skips the ten change-word scans: none could link.
    `care_named(text)`: the text names care (an activity "limited despite therapy", session 30)."""
    remains = bool(acts) and bool(lex.persisting_cue.search(clause))
    despite = bool(acts) and (bool(lex.care_despite_generic.search(clause)) or any(
        care_named(clause[c.end():]) for c in lex.limit_despite_cue.finditer(clause)))
    change_words = () if not acts else (
        ("gain", lex.gain_before, True), ("gain", lex.gain_after, False), ("rise", lex.rise_after, False),
        ("fall", lex.fall_after, False), ("worse", lex.worse_after, False),
        ("same", lex.no_change_before, True), ("same", lex.no_change_after, False),
        ("persisting", lex.persisting_before, True), ("decline", lex.decline_before, True),
        ("persisting", lex.limited_after, False), ("persisting", lex.limited_despite_after, False),
        ("persisting", lex.unable_despite_before, True))
    for kind, pattern, before in change_words:
        if pattern is lex.limited_after and not remains:
            continue  # "types only with breaks" is a limit that persists where the clause says it remains
        if pattern in (lex.limited_despite_after, lex.unable_despite_before) and not despite:
            continue  # "her ADLs remain limited" alone: no care said to have been tried for the limit
        for w in pattern.finditer(clause):
            for a0, a1 in acts:
                if before:  # the change word, then its activity
                    # not an activity named as the purpose of care in the gap ("now proposes Quetiapine for
                    # sleep": what the drug is for, not what the worker does: session 41, round-94 kind K2)
                    gap = clause[w.end():a0] if a0 >= w.end() else ""
                    linked = a0 >= w.end() and _gap_ok(gap, lex) and not (
                        _PURPOSE_END.search(gap) and care_named(gap))
                else:  # the activity, then its change word, not one said of a symptom after it
                    after = clause[w.end():w.end() + 20]
                    linked = a1 <= w.start() and _gap_ok(clause[a1:w.start()], lex) \
                        and not (kind in ("gain", "rise") and lex.symptom.search(after)) \
                        and not _object_of_its_own(clause, w.end(), lex)
                if not linked or ((kind in ("fall", "worse") or pattern is lex.limited_despite_after)
                                  and lex.exam_measure.search(clause[a0:a1])):
                    continue  # "range of motion decreased" ("remains limited") is a sign on examination
                if kind in ("gain", "rise") and value_patterns()["ability_impaired"].match(clause, a1):
                    continue  # "now walks with a limp": done in an impaired way (session 42, r98 K3)
                if kind == "gain" and before and not _CHANGE_TOLD.search(w.group()) and (
                        aid_still_needed(clause, a1) or lex.aid_for_activity.search(clause, w.end(), a0)):
                    continue  # "now walks with a walker", "now uses crutches to walk": an aid still needed,
                    # no gain (the lead's ruling R3; session 42, round-100 K6)
                if kind == "gain" and not before and _WITHOUT_AID.match(clause, w.start()) \
                        and _UNABLE_BEFORE.search(clause, max(0, a0 - _UNABLE_WINDOW), a0):
                    continue  # "unable to walk without a cane": the aid still needed
                of_activity, of_scale = _DIRECTION[kind]
                value = of_scale if lex.lower_is_better.search(clause[a0:a1]) else of_activity
                if not before and kind in ("gain", "rise") and _NOT_BEFORE.search(clause, a1, w.start()):
                    value = NO  # "standing tolerance has not increased": the negation is inside the span
                if before and kind == "gain" and lex.denied_subject.search(clause, 0, w.start()):
                    value = NO  # "none of which improved her walking": a gain denied
                if kind == "gain" and lex.less_than_before.search(clause):
                    value = NO  # "now walks only to her mailbox, where she used to walk a mile": a decline
                denied = before and kind == "gain" and lex.credit_denied.search(clause, 0, w.start())
                if denied:
                    value = NO  # "hasn't been able to go back to his job": the return denied (session 39)
                if kind == "gain" and (
                        (before and _NEGATED_GAP.search(clause, w.end(), a0))
                        or (not before and _stopped_activity(clause, a0, a1, lex))):
                    value = NO  # round 32: "she again could not climb stairs", "had stopped working again"
                # a gain is a function change; so is an activity or a worker unchanged; less of an activity, a
                # worse one or a limit that persists is an `ability` (a decline alone is no failure of care)
                # (a disability scale that rose is function unchanged or worse after care, round 20)
                scale = lex.lower_is_better.search(clause[a0:a1])
                # (a gain denied by the words before it is a gain negated, as the assertion reads "has not
                # returned": a `function_change`, session 39)
                told = "gain" if value == YES or denied else \
                    "same" if kind == "same" or scale else "persisting"
                yield value, told, min(a0, w.start()), max(a1, w.end())
                break
    lower = clause.lower() if clause.isascii() else None
    # "he is neither better nor worse"
    for a, b in _every_clause_spans("no_change_state", clause, lower, lex):
        yield NO, "state", a, b
    # "her work restrictions were renewed unchanged" (session 19)
    for a, b in _every_clause_spans("same_limit", clause, lower, lex):
        yield NO, "kept", a, b
    # "she met her discharge goals" (round 16)
    for a, b in _every_clause_spans("goals_met", clause, lower, lex):
        yield YES, "gain", a, b
    # "he no longer needed a cane" (session 39, round-82 kind K2)
    for a, b in _every_clause_spans("aid_given_up", clause, lower, lex):
        yield YES, "gain", a, b


def _symptom_told(clause: str, start: int, end: int, lex: FunctionLexicon) -> bool:
    """Whether clause[start:end] names a symptom other than one that bounds a tolerance (`symptom_onset`:
    "types for an hour before the tingling starts" is the measure's end, session 43, round-102 kind K4)."""
    told = lex.symptom_onset.sub(lambda m: " " * len(m.group()), clause[start:end])
    return lex.symptom.search(told) is not None


def _measured(clause: str, activities: list[tuple[int, int]], lex: FunctionLexicon
              ) -> Iterator[tuple[str, str, int, int]]:
    """(direction, kind, start, end) of a measure told with its two numbers: the first number then the later
    one, said of an activity or a scale named in the clause (`activities`) before them or between them. A
    clause naming no activity has no measure to read, so its measure patterns are not scanned."""
    if not activities:
        return
    for pattern in lex.measured:
        for m in pattern.finditer(clause):
            acts = [a for a in activities if a[0] < m.end("a")]
            if not acts or len(_WORD.findall(clause[acts[-1][1]:m.start()])) > 2 * MAX_GAP_WORDS:
                continue
            if _symptom_told(clause, acts[-1][0], m.end(), lex):  # "pain with walking from 8/10 to 6/10"
                continue
            if lex.exam_measure.fullmatch(clause, *acts[-1]) and lex.range_ends.fullmatch(
                    clause, acts[-1][1], m.start()):
                continue  # "range of motion from 5 to 95 degrees": an arc's two ends, not a change (r106 K1)
            (first, a_kind, a_size), (later, b_kind, b_size) = lex.amount(m, "a"), lex.amount(m, "b")
            if a_kind is not None and a_kind == b_kind:  # "2 hours ..., up from 30 minutes"
                first, later = first * a_size, later * b_size
            if first <= 0:
                continue
            scale = lex.lower_is_better.search(clause[acts[-1][0]:m.end()]) \
                or FEWER_IS_BETTER in (a_kind, b_kind)  # "with one person assisting instead of two" (r107 K4)
            better = (first - later) if scale else (later - first)
            value = YES if better >= lex.measured_gain * first else NO
            # too small a change is a limit that persists (an `ability`), not by itself a failure of care (a
            # disability scale said to rise is read by `_changes`; a small move in numbers alone stays a
            # limit: round 9's writer did not read "Oswestry 46% then 44%" as failed care)
            yield value, "gain" if value == YES else "persisting", acts[-1][0], m.end()
            return


_DIGIT_RUN = re.compile(r"\d+")
_UNIT_WORD = re.compile(r"\s?([A-Za-z]+)\b")  # the word right after a measure's number: its unit, if any


def _on_off(sentence: str, lex: FunctionLexicon, care_named: Callable[[str], bool]
            ) -> tuple[str, str, int, int] | None:
    """A measure of an activity told on care and off it, one number in each part of the sentence (round 19):
    more on care than off it credits care with function (yes); no more is a limit care does not lift."""
    if (len(_DIGIT_RUN.findall(sentence)) < 2 or lex.symptom.search(sentence)
            or not _activities(sentence, lex)):
        return None  # two numbers first (one per part): the cheapest test, and most sentences have fewer
    on: list[tuple[float, int, int]] = []
    off: list[tuple[float, int, int]] = []
    start = 0
    for end in [b.start() for b in lex.on_off_split.finditer(sentence)] + [len(sentence)]:
        part, numbers = sentence[start:end], list(lex.part_number.finditer(sentence, start, end))
        if len(numbers) == 1:
            n = (float(numbers[0].group("n").replace(",", "")), start, end)
            is_off = lex.off_care.search(part)
            is_on = next((m for m in lex.on_care.finditer(part)
                          if lex.care_pronoun.match(m.group("obj")) or care_named(m.group("obj"))), None)
            if is_off and (is_off.group("obj") is None or lex.care_pronoun.match(is_off.group("obj"))
                           or care_named(is_off.group("obj"))):
                off.append(n)
            elif is_on:
                on.append(n)
        start = end
    if len(on) != 1 or len(off) != 1 or off[0][0] <= 0:
        return None
    (with_care, a0, a1), (without, b0, b1) = on[0], off[0]
    better = (without - with_care) if lex.lower_is_better.search(sentence) else (with_care - without)
    value = YES if better >= lex.measured_gain * without else NO
    return value, "credit" if value == YES else "persisting", min(a0, b0), max(a1, b1)


def _credited(clause: str, activities: list[tuple[int, int]], lex: FunctionLexicon,
              care_named: Callable[[str], bool]) -> tuple[str, str, int, int] | None:
    """A credit to care with no change word (round 15 adds two): care told at the head of the clause before
    the worker and an activity after it ("With Norco he sleeps through the night"), and the state without
    care ("without it he stays in a recliner"), which credits care with what is lost without it."""
    without = next((w for w in lex.without_care.finditer(clause)
                    if w.group("named") or care_named(w.group("obj"))), None)
    if without and lex.confined.search(clause, without.end()):
        return YES, "credit", without.start(), len(clause.rstrip())
    credit = lex.credit.search(clause)
    if credit is not None and lex.credit_denied.search(clause, 0, credit.start()):
        act = next((a for a in activities if a[0] >= credit.end()), None)  # "had not allowed him to walk"
        return None if act is None else (NO, "persisting", credit.start(), act[1])  # (session 38, r77 K6c)
    if lex.limit.search(lex.credit.sub(" ", clause)):
        return None  # a credit's own "not" ("which he could not do on morphine") is no limit
    lead = lex.credit_lead.search(clause)
    if credit is None and lead is not None and (
            care_named(lead.group("care")) or lex.care_pronoun.match(lead.group("care").strip())
            or lex.credited_device.search(lead.group("care"))  # "with the prosthesis he walks" (s43)
            or lex.course_reference.match(lead.group("care").strip())):
        credit = lead
    if credit is None:
        return None
    acts = activities or [m.span() for m in lex.ability_verb.finditer(clause)]
    acts = [a for a in acts if not lex.activity_as_care.match(clause, a[1])]  # "a home exercise program"
    aid = lex.help_to_sleep.match(clause, credit.start())
    if aid is not None:  # "helps her sleep (and walk farther)": the sleep the help names is no activity
        # credited, a verb the same help reaches after "and" is ("helped him sleep and return to work")
        more = lex.help_and_verb.match(clause, aid.end())
        acts = sorted([a for a in acts if a[0] >= aid.end()] + ([more.span("act")] if more else []))
    # the first activity after the credit done without an aid or a limp ("after PT she walks with a walker and
    # is independent with dressing": the dressing is credited, session 42), else the first after it
    after = [a for a in acts if a[0] >= credit.start()]
    done = [a for a in after if not aid_still_needed(clause, a[1])
            and not value_patterns()["ability_impaired"].match(clause, a[1])]
    act = done[0] if done else after[0] if after else acts[0] if acts else None
    if act is None:
        return None
    if lex.denied_subject.search(clause, 0, credit.start()):  # "none of them let him kneel" (round 22)
        return NO, "persisting", min(credit.start(), act[0]), max(credit.end(), act[1])
    if value_patterns()["ability_aided"].match(clause, act[1]):
        return None  # "completed 6 sessions and was walking with a walker": the aid, no credit (round 62)
    if value_patterns()["ability_impaired"].match(clause, act[1]):
        return None  # "after therapy he walks with a limp": an impaired way, no gain (session 42, r98 K3)
    if lex.aid_for_activity.search(clause, min(credit.end(), act[0]), act[0]):
        return None  # "after therapy he still needs a cane for longer walks": an aid still needed (ruling R3)
    if value_patterns()["ability_only_so_much"].match(clause, act[1]):
        # "had completed twelve visits and could walk only one block": a limit after the course (session 39)
        return NO, "persisting", min(credit.start(), act[0]), max(credit.end(), act[1])
    return YES, "credit", min(credit.start(), act[0]), max(credit.end(), act[1])


def _bracket_gain(sentence: str, lex: FunctionLexicon) -> tuple[int, int] | None:
    """The span of the first item of a course of care's result bracket that names an activity done, not a
    limit, an aid still needed, a symptom, a sign or a purpose ("PT x 18 (walking with a cane, independent
    with ADLs)": "independent with ADLs"): what the course left, a gain of function (session 40, round-85 K4,
    ruling R3)."""
    aided = value_patterns()["ability_aided"]
    for b in lex.care_result_bracket.finditer(sentence):
        at = b.start("body")
        for item in lex.bracket_item_break.split(b.group("body")):
            start = sentence.find(item, at)
            at = start + len(item)
            if not item.strip() or lex.bracket_item_not_a_gain.search(item) or lex.symptom.search(item) \
                    or lex.exam_measure.search(item) or lex.exam.search(item):
                continue
            acts = _activities(item, lex)
            if any(not aided.match(item, a1) for _, a1 in acts):
                return start + len(item) - len(item.lstrip()), start + len(item.rstrip())
    return None


def _device_told(summary: AnalysedText, s: Sentence, lex: FunctionLexicon) -> bool:
    """Whether sentence `s` or the one before names a device the worker uses (`credited_device`: "was fitted
    with a prosthesis; with it he walks a mile"): the care a credit may be told of, though no drug or therapy
    is named (session 43, round-107 kind K3, ruling R3)."""
    return any(lex.credited_device.search(t.text) and t.author != UR_REVIEWER
               for t in summary.sentences[max(0, s.index - 1):s.index + 1])


def _device_leads(clause: str, at: int, summary: AnalysedText, s: Sentence, lex: FunctionLexicon) -> bool:
    """Whether a device told in `s` or the one before (`_device_told`) heads the clause of a gain at
    clause[at:], by name or pronoun ("...; with it he walks a mile and has returned to desk duty"): the gain
    is told of the device, as one after a drug at the clause's head is (session 43, round-107 kind K3)."""
    lead = lex.credit_lead.search(clause, 0, at + 1)
    return lead is not None and lead.end("care") <= at and (
        lex.care_pronoun.match(lead.group("care").strip()) is not None
        or lex.credited_device.search(lead.group("care")) is not None) and _device_told(summary, s, lex)


def _denied(summary: AnalysedText, value: str, start: int, end: int) -> bool:
    """Whether a change is a limit: read as no, or a gain negated ("has not returned to driving")."""
    if value == NO:
        return True
    m = summary.mention("function_change", start, end)
    return m is not None and Category.NEGATED in m.assertion.categories


def _after_an_operation(s: Sentence, words: str, at: int, lex: FunctionLexicon,
                        operation_had_in: Callable[[int, int | None], bool]) -> bool:
    """Whether a gain (`words`, at character `at` of sentence `s`) is a return to an activity, or one said
    better or done again (`operation_gain`), told after an operation done: the operation named before it in
    its sentence ("had a carpal tunnel release and returned to full duty"), or in the sentences just before
    ("He underwent a fusion. His dexterity had improved and he could button his shirt again": session 36)."""
    if not lex.operation_gain.search(words):
        return False
    if operation_had_in(s.index, s.start + at):
        return True
    return any(operation_had_in(s.index - k, None) for k in range(1, CARE_LOOKBACK + 1))


def work_status_given(text: str, start: int, end: int) -> bool:
    """Whether the gain text[start:end] is a work status given the worker ("was returned to modified duty",
    `work_return` beginning within `WORK_STATUS_REACH` characters before it) and not told "since" care
    (`ability_since_care`: "Since then he has returned to full duty"): it credits care told in its own
    sentence only (round 59, K4). One test for the change reader and the ability reader."""
    return function_lexicon().work_return.search(text, max(0, start - WORK_STATUS_REACH), end) is not None \
        and value_patterns()["ability_since_care"].search(text, 0, end) is None


_WORK_NOUN = re.compile(r"\b(?:work|duty|duties|job|employment)\b", re.IGNORECASE)


def return_for_money(text: str, start: int, end: int) -> bool:
    """Whether the gain text[start:end] is a return to work given a money reason right after it ("went back
    to full duty because he could not afford to stay off work", "for financial reasons"): its cause is told
    and is no care's, so no gain credited to care (session 45, round-118 kind K3). One test for the change
    reader and the ability reader."""
    return _WORK_NOUN.search(text, start, end) is not None \
        and function_lexicon().return_for_money.match(text, end) is not None


def function_changes(summary: AnalysedText, *, care_named: Callable[[str], bool],
                     care_had_in: Callable[[int], bool], record_voice: Callable[[Mention], bool],
                     operation_had_in: Callable[[int, int | None], bool] = lambda i, before: False,
                     ) -> list[tuple[str, Mention]]:
    """(yes|no, mention) for each function statement found by structure. `care_named(text)`: the text names
    care; `care_had_in(index)`: that sentence tells of care had; `record_voice(m)`: the mention is the
    record's (not the UR's own words); `operation_had_in(index, before)`: that sentence tells of an operation
    done (before character `before` of it, when given), the treatment a RETURN to an activity (or one said
    better or done again, session 36) told after it is credited to (`_after_an_operation`: session 25,
    round-28 kinds); a limit or no change after an operation is not read from it (an operation that did not
    help is no failed conservative care, and "since the fusion he has remained off work" stays the concept
    rules'). A gain or an unchanged activity is concept `function_change`; a
    persisting limit or an activity credited to care is an `ability` (a remaining limit alone is no failure
    of care). A gain in a clause that gives pain as its reason is an adaptation, and says nothing."""
    lex = function_lexicon()
    out: list[tuple[str, Mention]] = []
    for s in summary.sentences:
        care_here = care_named(s.text)
        gain = _bracket_gain(s.text, lex) if "(" in s.text else None
        if gain is not None:
            m = summary.mention("function_change", s.start + gain[0], s.start + gain[1])
            if m is not None and not m.assertion.categories & (_SKIP | {Category.NEGATED, Category.FAMILY}) \
                    and record_voice(m):
                out.append((YES, m))
                continue
        paired = _on_off(s.text, lex, care_named)
        for offset, clause in [(0, s.text)] if paired else clauses(s, lex.clause_break):
            acts = _activities(clause, lex)  # read once: the change, measure and credit readers link to them
            found: list[tuple[str, str, int, int]] = [paired] if paired else (
                list(_changes(clause, acts, lex, care_named)) or list(_measured(clause, acts, lex)))
            if not found and (care_here or care_had_in(s.index - 1) or _device_told(summary, s, lex)):
                credit = _credited(clause, acts, lex, care_named)
                found = [credit] if credit is not None else []
            for value, kind, a, b in found[:1]:
                # the worker unchanged as a whole is said against any care told before it (round 20:
                # "Treatment has included PT ... He says he is no better after all that", sentences later)
                # so is daily function as a whole said unchanged ("ADLs unchanged": session 37, round-69 K7)
                lookback = s.index if kind == "state" or (
                    kind == "same" and lex.whole_function.search(clause, a, b)) else CARE_LOOKBACK
                if kind == "gain" and work_status_given(clause, a, b):
                    lookback = 0  # a work status given is credited in its own sentence only (round 59, K4)
                # a limit is said against care its sentence tells before it, or after a cue that ties the
                # two ("despite a home program"); care told after it alone ("he has not returned to driving
                # and takes ibuprofen") is not care tried for it (round 25)
                here = care_here or bool(lex.care_despite_generic.search(clause))  # "despite treatment"
                if here and _denied(summary, value, s.start + offset + a, s.start + offset + b):
                    here = care_named(s.text[:offset + b]) or any(
                        care_named(s.text[c.end():]) for c in lex.care_after_cue.finditer(s.text, offset + a))
                start, end = s.start + offset + a, s.start + offset + b
                if kind != "credit" and not (here or any(
                        care_had_in(s.index - k) for k in range(1, lookback + 1))) and not (
                        kind == "gain" and not _denied(summary, value, start, end)
                        and _after_an_operation(s, clause[a:b], offset + a, lex, operation_had_in)) and not (
                        kind == "gain" and not _denied(summary, value, start, end)
                        and _device_leads(clause, a, summary, s, lex)):
                    continue
                if kind == "kept" and not any(care_had_in(s.index - k) for k in range(lookback + 1)):
                    continue  # limits kept "pending physical therapy": only care had can leave them unchanged
                if value == NO and lex.exam.search(clause):  # a sign on examination, not function
                    continue
                if value == NO and lex.since_the_injury.search(clause):
                    continue  # round 47: "stopped her dance class after the injury": the injury's, no care's
                if kind == "state" and _bare_verdict_of_a_symptom(s.text[:offset], clause, lex):
                    continue  # "Pain: no better" is the pain's, not the worker's (round 20)
                if value == YES and _adapted(clause, a, lex, care_named):  # "sits down because of pain"
                    continue
                if value == YES and return_for_money(clause, a, b):
                    continue  # "went back to work because he could not afford to stay off" (s45, r118 K3)
                if value == YES and lex.return_undone.search(s.text):
                    continue  # "returned to modified duty but was taken off work again": undone (round-68 K6)
                concept = "function_change" if kind in ("gain", "same", "state", "kept") else "ability"
                m = summary.mention(concept, s.start + offset + a, s.start + offset + b)
                if m is None or m.assertion.categories & _SKIP or not record_voice(m):
                    continue
                if Category.FAMILY in m.assertion.categories and not _HELPS_THE_WORKER.search(m.text):
                    continue
                if value == NO and help_denied(m):
                    continue  # "his wife can no longer help him bathe": the helper's loss (s43, r103 K1b)
                if value == YES and helped_by_person(m):
                    continue  # "his wife helps him to get dressed": another's help, no credit to care
                if Category.NEGATED in m.assertion.categories and kind == "gain":
                    value = NO
                out.append((value, m))
    return out
