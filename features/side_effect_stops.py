"""A drug stopped for a side effect told by the effect, not by the words "side effect" (round-88 kind K1): a
stop of a drug (`drug_stop_passive`, `drug_stop_active`, `drug_stop_pronoun` in failed_care_lexicon.yaml) and
an adverse effect (`stop_effect`) before it in its clause or the clause before, or after a cause word that
follows it. Care stopped for a side effect is failed care; a stop given another cause (`other_stop_cause`:
denied, completed, the pain resolved) or an effect told with another drug is not that drug's failure. A stop
with a stated reason after it (`stated_stop_reason`: "because he felt like a zombie") is one whatever the
effect's words."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from features.analysis import AnalysedText, Mention
from features.assertions import Category
from features.clauses import clause_start_at
from features.drug_names import drug_names
from features.failed_care import FailedCareLexicon, failed_care_lexicon
from features.sentences import Sentence

# a stop that is no event of the worker's care: denied, planned or possible, another person's
_NOT_DONE = frozenset({Category.NEGATED, Category.HYPOTHETICAL, Category.POSSIBLE, Category.FAMILY})
# an effect the worker did not have: denied or another person's (a symptom is never requested, so a request
# trigger's reach over it, "... and dark stools were denied", says nothing of it)
_NOT_HAD = frozenset({Category.NEGATED, Category.FAMILY})
_DRUG_WORD = re.compile(r"[A-Za-z][A-Za-z-]{2,}")


def side_effect_stops(summary: AnalysedText, *, record_voice: Callable[[Mention], bool],
                      conditional: Callable[[Mention], bool] = lambda m: False) -> list[Mention]:
    """A `failed_care` mention (from the effect to the stop, or the stop to the effect) for each drug stop
    read as a side-effect stop, asserted as its stop is; `record_voice(m)`: the record's, not the UR's own."""
    lex = failed_care_lexicon()
    out: list[Mention] = []
    for s in summary.sentences:
        for drug, stop in _drug_stops(s.text, lex):
            effect = _effect_of_stop(summary, s, drug, stop, lex)
            if effect is None:
                continue
            a, b = min(effect[0], drug[0], stop[0]), max(effect[1], drug[1], stop[1])
            said = summary.mention("failed_care", s.start + stop[0], s.start + stop[1])
            m = summary.mention("failed_care", s.start + a, s.start + b)
            if said is None or m is None or said.assertion.categories & _NOT_DONE or conditional(m) \
                    or not record_voice(m):
                continue
            out.append(m)
            break
    return out


def _drugs(text: str, lex: FailedCareLexicon) -> list[tuple[int, int]]:
    """Spans of the drugs `text` names: the drug lexicon's names and medication words ("the NSAIDs")."""
    names = drug_names()
    spans = {m.span() for m in _DRUG_WORD.finditer(text) if names.is_name(m.group(0))}
    spans |= set(names.names_in(text)) | {m.span() for m in lex.medication_word.finditer(text)}
    return sorted(spans)


def _drug_stops(text: str, lex: FailedCareLexicon) -> Iterator[tuple[tuple[int, int], tuple[int, int]]]:
    """(drug span, stop span) of each stop of a drug done in the sentence `text`: "ibuprofen was stopped",
    "stopped the naproxen", "switched from naproxen", "she stopped it" (the drug the nearest named before)."""
    drugs = _drugs(text, lex)
    for d in drugs:
        passive = lex.drug_stop_passive.match(text[d[1]:])
        if passive is not None:
            yield d, (d[1], d[1] + passive.end())
        lo = max(0, d[0] - 60)
        active = lex.drug_stop_active.search(text[lo:d[0]])
        if active is not None:
            yield d, (lo + active.start(), d[1])
    for p in lex.drug_stop_pronoun.finditer(text):
        before = [d for d in drugs if d[1] <= p.start()]
        if before:
            yield before[-1], p.span()


def _effect_of_stop(summary: AnalysedText, s: Sentence, drug: tuple[int, int], stop: tuple[int, int],
                    lex: FailedCareLexicon) -> tuple[int, int] | None:
    """The span of the effect the stop is for: after a cause word that follows the stop in its clause, else
    before the stop in its clause or the clause before; None where the stop's clause gives another cause, or
    the only effect is denied or told of another drug."""
    text = s.text
    rest = lex.clause_break.search(text, stop[1])
    after = text[stop[1]:rest.start() if rest else len(text)]
    if lex.other_stop_cause.search(after):
        return None
    cause = lex.stop_cause.search(after)
    if cause is not None:
        found = _affirmed_effect(summary, s, stop[1] + cause.end(), stop[1] + len(after), lex)
        if found is not None:
            return found
    reason = lex.stated_stop_reason.search(after)
    if reason is not None and after[reason.end():].strip(" ,.;:") \
            and not lex.stop_reason_gap_break.search(after, 0, reason.start()):
        return stop[1] + reason.start(), stop[1] + len(after.rstrip(" ,.;:"))  # a reason of no other kind
    # a pronoun's drug is named further back ("Tramadol was started; he broke out in hives and it was
    # stopped"): the effect is read before the pronoun's stop
    start = stop[0] if lex.drug_stop_pronoun.fullmatch(text, stop[0], stop[1]) else min(drug[0], stop[0])
    here = clause_start_at(text, lex.clause_break, start)
    window = clause_start_at(text, lex.clause_break, here - 1) if here > 0 else 0
    effect = _affirmed_effect(summary, s, window, start, lex)
    if effect is None:
        return None
    said = clause_start_at(text, lex.clause_break, effect[0])  # the effect's own clause
    stopped = text[drug[0]:drug[1]].lower()
    if any(text[a:b].lower() != stopped and drug_names().is_name(text[a:b])
           for a, b in _drugs(text[said:start], lex) for a, b in [(said + a, said + b)]):
        return None  # "she had nausea with tramadol, and the ibuprofen was stopped": another drug's effect
    return effect


def _affirmed_effect(summary: AnalysedText, s: Sentence, start: int, end: int,
                     lex: FailedCareLexicon) -> tuple[int, int] | None:
    """The last effect of `stop_effect` in s.text[start:end] that the sentence does not deny ("she denied
    nausea", "dark stools were denied": `effect_denied_after`)."""
    for e in reversed(list(lex.stop_effect.finditer(s.text, start, end))):
        m = summary.mention("failed_care", s.start + e.start(), s.start + e.end())
        if m is not None and not m.assertion.categories & _NOT_HAD \
                and not lex.effect_denied_after.match(s.text[e.end():]):
            return e.span()
    return None
