"""A drug stopped for a side effect told by the effect, not by the words "side effect" (round-88 kind K1): a
stop of a drug (`drug_stop_passive`, `drug_stop_active`, `drug_stop_pronoun` in failed_care_lexicon.yaml) and
an adverse effect (`stop_effect`) before it in its clause or the clause before, or after a cause word that
follows it. Care stopped for a side effect is failed care; a stop given another cause (`other_stop_cause`:
denied, completed, the pain resolved) or an effect told with another drug is not that drug's failure. A stop
with a stated reason after it (`stated_stop_reason`: "because he felt like a zombie") is one whatever the
effect's words. Session 41 (ruling R5): a stop told as someone's request (`drug_stop_request`: "the internist
asked that it be discontinued"), and an effect told in the sentence before a stop that opens its own.
Session 42 (round-98 kind K6): a stop told by the drug put in the stopped one's place (`drug_switch_to`,
`drug_started_instead`: "was switched to meloxicam after stomach upset")."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

from features.analysis import AnalysedText, Mention
from features.assertions import Category
from features.authors import UR_REVIEWER
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
        for drug, stop, requested, replaced in _drug_stops(s.text, lex):
            effect = _effect_of_stop(summary, s, drug, stop, lex, requested, replaced)
            if effect is None:
                continue
            # an effect told in the sentence before is read there; the mention is the stop's sentence
            a, b = max(0, min(effect[0], drug[0], stop[0])), max(effect[1], drug[1], stop[1])
            said = summary.mention("failed_care", s.start + stop[0], s.start + stop[1])
            m = summary.mention("failed_care", s.start + a, s.start + b)
            # a request to stop is hypothetical by its request verb, never by a condition (`conditional`)
            not_done = _NOT_DONE - {Category.HYPOTHETICAL} if requested else _NOT_DONE
            if said is None or m is None or said.assertion.categories & not_done or conditional(m) \
                    or (requested and conditional(said)) or not record_voice(m):
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


class DrugStop(NamedTuple):
    """A stop of a drug in a sentence: the drug's span (the new drug's where the stop is told by a
    replacement), the stop's span, and how it is told."""

    drug: tuple[int, int]
    stop: tuple[int, int]
    requested: bool = False  # someone asked that it be stopped
    replaced: bool = False  # told by the drug put in its place: the stopped drug is the one before


def _drug_stops(text: str, lex: FailedCareLexicon) -> Iterator[DrugStop]:
    """Each stop of a drug done in the sentence `text`: "ibuprofen was stopped", "stopped the naproxen",
    "switched from naproxen", "she stopped it" (the drug the nearest named before), asked for by someone ("the
    internist asked that it be discontinued": requested), or told by the drug put in its place ("was switched
    to meloxicam", "Celebrex was started in its place": replaced)."""
    drugs = _drugs(text, lex)
    for d in drugs:
        passive = lex.drug_stop_passive.match(text[d[1]:])
        if passive is not None:
            yield DrugStop(d, (d[1], d[1] + passive.end()))
        lo = max(0, d[0] - 60)
        active = lex.drug_stop_active.search(text[lo:d[0]])
        if active is not None:
            yield DrugStop(d, (lo + active.start(), d[1]))
        switch = lex.drug_switch_to.search(text[lo:d[0]])
        if switch is not None:
            yield DrugStop(d, (lo + switch.start(), d[1]), replaced=True)
        instead = lex.drug_started_instead.match(text[d[1]:])
        if instead is not None and _replaces_a_drug(text, d[1], instead, drugs):
            yield DrugStop(d, (d[0], d[1] + instead.end()), replaced=True)
    for p in lex.drug_stop_pronoun.finditer(text):
        before = [d for d in drugs if d[1] <= p.start()]
        if before:
            yield DrugStop(before[-1], p.span())
    for r in lex.drug_stop_request.finditer(text):
        lo, hi = r.span("object") if r.group("object") is not None else r.span("object2")
        named = [d for d in drugs if lo <= d[0] and d[1] <= hi]
        before = [d for d in drugs if d[1] <= r.start()]
        if named or before:  # the drug named in the object, else the one a pronoun stands for
            yield DrugStop((named or before)[-1], r.span(), requested=True)


# what "instead of" may name before the drug it replaces: a pronoun for one ("instead of it"), or an article
# or a possessive ("in place of the naproxen")
_DRUG_PRONOUN = re.compile(r"(?:it|them|this|that)\b", re.IGNORECASE)
_BEFORE_DRUG = re.compile(r"(?:(?:the|his|her|their)\s+)?", re.IGNORECASE)


def _replaces_a_drug(text: str, at: int, instead: re.Match[str], drugs: list[tuple[int, int]]) -> bool:
    """Whether a start "instead of" or "in place of" something (`instead`, matched at `at`) puts the new
    drug in a drug's place, not an operation's ("prescribed instead of surgery"): the words name a drug or a
    pronoun for one; "in its place" and a bare "instead" name none, and replace the drug before."""
    if instead.group("replaced") is None:
        return True
    replaced = at + instead.start("replaced")
    if _DRUG_PRONOUN.match(text, replaced) is not None:
        return True
    named = _BEFORE_DRUG.match(text, replaced)
    return named is not None and any(a == named.end() for a, _ in drugs)


def _effect_of_stop(summary: AnalysedText, s: Sentence, drug: tuple[int, int], stop: tuple[int, int],
                    lex: FailedCareLexicon, requested: bool = False,
                    replaced: bool = False) -> tuple[int, int] | None:
    """The span of the effect the stop is for: after a cause word that follows the stop in its clause, else
    before the stop in its clause or the clause before (the sentence before where the stop opens its own:
    "He reported black stools in May. Ibuprofen was discontinued.", offsets before 0); None where the stop's
    clause gives another cause, or the only effect is denied or told of another drug."""
    text = s.text
    rest = lex.clause_break.search(text, stop[1])
    after = text[stop[1]:rest.start() if rest else len(text)]
    if lex.other_stop_cause.search(after) or (requested and lex.request_condition_after.search(after)):
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
    start = stop[0] if requested or replaced or lex.drug_stop_pronoun.fullmatch(text, stop[0], stop[1]) \
        else min(drug[0], stop[0])
    here = clause_start_at(text, lex.clause_break, start)
    window = clause_start_at(text, lex.clause_break, here - 1) if here > 0 else 0
    if window > 0 and lex.while_clause_before.search(text, 0, window):
        window = clause_start_at(text, lex.clause_break, window - 1)  # "rose while she was taking it; ..."
    effect = _affirmed_effect(summary, s, window, start, lex)
    if effect is None:
        opens = _opens_sentence(text, start) or (replaced and lex.switch_opening.fullmatch(text, 0, start))
        return _effect_in_sentence_before(summary, s, drug, lex, replaced) if opens else None
    said = clause_start_at(text, lex.clause_break, effect[0])  # the effect's own clause
    if not replaced and _names_another_drug(text[said:start], _stopped_name(text, drug, lex), lex):
        return None  # "she had nausea with tramadol, and the ibuprofen was stopped": another drug's effect
    return effect


def _opens_sentence(text: str, start: int) -> bool:
    """Whether the stop opens its sentence: nothing but its subject's article or a time before it ("Ibuprofen
    was discontinued.", "The naproxen was then stopped.", "In June, the gabapentin was stopped.")."""
    return _STOP_OPENING.fullmatch(text[:start]) is not None


# what may stand before a stop that opens its sentence: a time, then its subject's article
_STOP_OPENING = re.compile(r"\s*(?:(?:in|on|at|by)\s[\w/]+(?:\s\d{4})?,?\s)?(?:(?:the|his|her|their)\s)?",
                           re.IGNORECASE)


def _effect_in_sentence_before(summary: AnalysedText, s: Sentence, drug: tuple[int, int],
                               lex: FailedCareLexicon, replaced: bool = False) -> tuple[int, int] | None:
    """The effect told in the last clause of the sentence before a stop that opens its own sentence, in the
    same voice (the UR's own words or the record's) and naming no other drug (any drug, where the stop is told
    by its replacement: the effect names the drug stopped), as offsets relative to the stop's sentence
    (negative)."""
    if s.index == 0:
        return None
    before = summary.sentences[s.index - 1]
    if (before.author == UR_REVIEWER) != (s.author == UR_REVIEWER):
        return None
    start = clause_start_at(before.text, lex.clause_break, len(before.text.rstrip(" .;")))
    effect = _affirmed_effect(summary, before, start, len(before.text), lex)
    if effect is None:
        return None
    if not replaced and _names_another_drug(before.text, _stopped_name(s.text, drug, lex), lex):
        return None  # "He had nausea with tramadol. The ibuprofen was stopped.": another drug's effect
    shift = before.start - s.start
    return effect[0] + shift, effect[1] + shift


def _names_another_drug(text: str, stopped: str, lex: FailedCareLexicon) -> bool:
    """Whether `text`, where an effect is told, names a drug of the lexicon other than `stopped` (its
    lower-cased name): the effect is that drug's, not the stopped one's."""
    return any(text[a:b].lower() != stopped and drug_names().is_name(text[a:b]) for a, b in _drugs(text, lex))


def _stopped_name(text: str, drug: tuple[int, int], lex: FailedCareLexicon) -> str:
    """The stopped drug's name, lower-cased: a form or class word ("the patches", "the gel") names the drug
    named last before it ("Duragesic patches ..., and the patches were discontinued"): no other drug."""
    said = text[drug[0]:drug[1]]
    if drug_names().is_name(said) or not lex.medication_word.fullmatch(said):
        return said.lower()
    before = [text[a:b] for a, b in _drugs(text[:drug[0]], lex) if drug_names().is_name(text[a:b])]
    return before[-1].lower() if before else said.lower()


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
