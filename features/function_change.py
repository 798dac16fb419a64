"""Function statements read as structure, not one pattern per phrasing: an activity (`function_lexicon.yaml`),
a change said of it (gained, unchanged, a limit that persists) or a credit to care, in one clause, with care
named in the sentence or had just before. The lexicon is data, so a new activity is a word, not a rule."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from features.analysis import AnalysedText, Mention
from features.assertions import Category
from features.clauses import alternatives, clauses
from features.package_data import read_yaml

YES, NO = "yes", "no"
MAX_GAP_WORDS = 3  # words allowed between a change word and its activity ("no change in his stair climbing")
CARE_LOOKBACK = 2  # sentences back in which the care a change is said against may be told
_SKIP = frozenset({Category.POSSIBLE, Category.HYPOTHETICAL})


@dataclass(frozen=True)
class FunctionLexicon:
    activity: re.Pattern[str]
    gain_before: re.Pattern[str]
    gain_after: re.Pattern[str]
    no_change_before: re.Pattern[str]
    no_change_after: re.Pattern[str]
    persisting_before: re.Pattern[str]
    credit: re.Pattern[str]
    symptom: re.Pattern[str]
    limit: re.Pattern[str]
    exam: re.Pattern[str]
    clause_break: re.Pattern[str]
    quantity: re.Pattern[str]
    less_than_before: re.Pattern[str]
    measured: tuple[re.Pattern[str], ...]
    measured_gain: float
    lower_is_better: re.Pattern[str]


@lru_cache(maxsize=1)
def function_lexicon() -> FunctionLexicon:
    raw = read_yaml("function_lexicon.yaml")
    measured = tuple(re.compile(r"\b" + p, re.IGNORECASE) for p in raw.pop("measured"))
    gain = float(raw.pop("measured_gain"))
    lists = {k: alternatives(v) for k, v in raw.items() if isinstance(v, list)}
    singles = {k: re.compile(v, re.IGNORECASE) for k, v in raw.items() if isinstance(v, str)}
    return FunctionLexicon(**lists, **singles, measured=measured, measured_gain=gain)


_WORD = re.compile(r"[\w%'-]+")
_NOT_BEFORE = re.compile(r"\b(?:not|never|no longer)\s+(?:(?:has|have|had|been)\s+)?$", re.IGNORECASE)


def _gap_ok(between: str, lex: FunctionLexicon) -> bool:
    """A change word and its activity are near (few words, not counting a quantity of the activity: "modified
    duty at four hours a day, unchanged") with no symptom between them."""
    words = _WORD.findall(lex.quantity.sub(" ", between))
    return len(words) <= MAX_GAP_WORDS and not lex.symptom.search(between)


def _changes(clause: str, lex: FunctionLexicon) -> Iterator[tuple[str, str, int, int]]:
    """(direction, kind, start, end) of each change word said of an activity in the clause."""
    acts = list(lex.activity.finditer(clause))
    for kind, pattern, before in (("gain", lex.gain_before, True), ("gain", lex.gain_after, False),
                                  ("same", lex.no_change_before, True), ("same", lex.no_change_after, False),
                                  ("persisting", lex.persisting_before, True)):
        for w in pattern.finditer(clause):
            for a in acts:
                if before:  # the change word, then its activity
                    linked = a.start() >= w.end() and _gap_ok(clause[w.end():a.start()], lex)
                else:  # the activity, then its change word, not one said of a symptom after it
                    linked = a.end() <= w.start() and _gap_ok(clause[a.end():w.start()], lex) \
                        and not (kind == "gain" and lex.symptom.search(clause[w.end():w.end() + 20]))
                if not linked:
                    continue
                value = YES if kind == "gain" else NO
                if not before and kind == "gain" and _NOT_BEFORE.search(clause, a.end(), w.start()):
                    value = NO  # "standing tolerance has not increased": the negation is inside the span
                if kind == "gain" and lex.less_than_before.search(clause):
                    value = NO  # "now walks only to her mailbox, where she used to walk a mile": a decline
                yield value, kind, min(a.start(), w.start()), max(a.end(), w.end())
                break


def _measured(clause: str, lex: FunctionLexicon) -> Iterator[tuple[str, str, int, int]]:
    """(direction, kind, start, end) of a measure told with its two numbers: the first number then the later
    one, said of an activity or a scale named in the clause before them or between them."""
    for pattern in lex.measured:
        for m in pattern.finditer(clause):
            acts = [a for a in lex.activity.finditer(clause) if a.start() < m.end("a")]
            if not acts or len(_WORD.findall(clause[acts[-1].end():m.start()])) > 2 * MAX_GAP_WORDS:
                continue
            if lex.symptom.search(clause, acts[-1].start(), m.end()):  # "pain with walking from 8/10 to 6/10"
                continue
            first, later = float(m.group("a")), float(m.group("b"))
            if first <= 0:
                continue
            better = (first - later) if lex.lower_is_better.search(clause[acts[-1].start():m.end()]) \
                else (later - first)
            value = YES if better >= lex.measured_gain * first else NO
            # too small a change is a limit that persists (an `ability`), not by itself a failure of care
            yield value, "gain" if value == YES else "persisting", acts[-1].start(), m.end()
            return


def function_changes(summary: AnalysedText, *, care_named: Callable[[str], bool],
                     care_had_in: Callable[[int], bool], record_voice: Callable[[Mention], bool],
                     ) -> list[tuple[str, Mention]]:
    """(yes|no, mention) for each function statement found by structure. `care_named(text)`: the text names
    care; `care_had_in(index)`: that sentence tells of care had; `record_voice(m)`: the mention is the
    record's (not the UR's own words). A gain or an unchanged activity is concept `function_change`; a
    persisting limit or an activity credited to care is an `ability` (a remaining limit alone is no failure
    of care)."""
    lex = function_lexicon()
    out: list[tuple[str, Mention]] = []
    for s in summary.sentences:
        care_here = care_named(s.text)
        for offset, clause in clauses(s, lex.clause_break):
            found: list[tuple[str, str, int, int]] = list(_changes(clause, lex)) or list(
                _measured(clause, lex))
            # a credit's own "not" ("which he could not do on morphine") is no limit
            limited = lex.limit.search(lex.credit.sub(" ", clause))
            if not found and not limited and (care_here or care_had_in(s.index - 1)):
                credit = lex.credit.search(clause)
                act = lex.activity.search(clause, credit.start()) if credit else None
                act = act or (lex.activity.search(clause) if credit else None)
                if credit and act:
                    found = [(YES, "credit", min(credit.start(), act.start()), max(credit.end(), act.end()))]
            for value, kind, a, b in found[:1]:
                if kind != "credit" and not (care_here or any(
                        care_had_in(s.index - k) for k in range(1, CARE_LOOKBACK + 1))):
                    continue
                if value == NO and lex.exam.search(clause):  # a sign on examination, not function
                    continue
                concept = "function_change" if kind in ("gain", "same") else "ability"
                m = summary.mention(concept, s.start + offset + a, s.start + offset + b)
                if m is None or m.assertion.categories & _SKIP or not record_voice(m):
                    continue
                if Category.NEGATED in m.assertion.categories and kind == "gain":
                    value = NO
                out.append((value, m))
    return out
