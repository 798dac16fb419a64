"""Failed conservative care read as structure, not one pattern per phrasing: a care mention (a therapy, a drug
of the lexicon, a device) and an outcome said of it that it did not help (`failed_care_lexicon.yaml`), in one
clause, the care being the nearest before the outcome or its object just after it, with no operation between.
The lexicons are data, so a new therapy or a new way to say "it did not help" is a word, not a rule."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from features.analysis import AnalysedText, Mention, expand_word_classes
from features.assertions import Category
from features.body_regions import SPINE_UNSPECIFIED, body_regions
from features.casefold import ASCII_WORDS, compile_folded, folded_text, lower_text, names_no_cased_non_ascii
from features.clauses import alternatives_source, clause_start_at, clauses
from features.drug_names import drug_names
from features.package_data import read_yaml
from features.sentences import Sentence
from features.word_start import word_guarded

# a care mention that says nothing of care had: denied, requested or planned, possible, another person's
_NOT_HAD = frozenset({Category.NEGATED, Category.HYPOTHETICAL, Category.POSSIBLE, Category.FAMILY})
_NOT_OFFERED = frozenset({Category.FAMILY, Category.NEGATED})  # another person's care; care denied outright
_WORD = re.compile(r"[\w%'/-]+")
_DRUG_WORD = re.compile(r"[A-Za-z][A-Za-z-]{2,}")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, eq=False)  # hashed by identity: an lru_cache key, 20 big patterns
class FailedCareLexicon:
    care: re.Pattern[str]
    outcome_before: re.Pattern[str]
    not_an_outcome_after: re.Pattern[str]
    activity_length_before: re.Pattern[str]  # a tolerance's length, no relief's (session 43, r102 K4)
    negated_before: re.Pattern[str]
    other_subject: re.Pattern[str]
    object_break: re.Pattern[str]
    temporal_before: re.Pattern[str]
    listed_before_care: re.Pattern[str]
    clause_break: re.Pattern[str]
    offered_care: re.Pattern[str]
    not_had_before: re.Pattern[str]
    not_had_after: re.Pattern[str]
    not_had_break: re.Pattern[str]
    none_had: re.Pattern[str]
    lingering: re.Pattern[str]
    limit_lingering: re.Pattern[str]
    reason_before: re.Pattern[str]
    worsened: re.Pattern[str]
    care_aggravated: re.Pattern[str]  # the care made the complaint worse (session 42, round-98 kind K6)
    worse_reason_before: re.Pattern[str]
    worse_then_care: re.Pattern[str]
    stop_before_reason: re.Pattern[str]  # "stopped because his pain increased" (session 43, r105 K4)
    resumed_for_worse: re.Pattern[str]  # a worsening after a stop (session 43, ruling R13)
    worse_then_resumed: re.Pattern[str]  # the same, the care resumed after it (session 44, r113 K9)
    worse_after_stop: re.Pattern[str]
    outside_event: re.Pattern[str]
    carried_subject: re.Pattern[str]
    effect_outcome: re.Pattern[str]  # a side effect of a drug still taken is no failure (session 42)
    effect_use_kept_before: re.Pattern[str]
    effect_use_kept_after: re.Pattern[str]
    post_operative_care: re.Pattern[str]
    undocumented_after: re.Pattern[str]
    work_status_outcome: re.Pattern[str]
    worker_subject_between: re.Pattern[str]
    worker_had_care_before: re.Pattern[str]
    short_relief: re.Pattern[str]
    refers_back: re.Pattern[str]
    block_response_care: re.Pattern[str]
    therapeutic_care: re.Pattern[str]
    generic_care: re.Pattern[str]
    drug_stop_passive: re.Pattern[str]  # the stops of a drug and their causes (features/side_effect_stops.py)
    drug_stop_active: re.Pattern[str]
    drug_stop_pronoun: re.Pattern[str]
    drug_stop_request: re.Pattern[str]
    drug_switch_to: re.Pattern[str]  # a drug put in another's place (session 42, round-98 kind K6)
    drug_started_instead: re.Pattern[str]
    switch_opening: re.Pattern[str]
    request_condition_after: re.Pattern[str]
    medication_word: re.Pattern[str]
    stop_effect: re.Pattern[str]
    stop_cause: re.Pattern[str]
    while_clause_before: re.Pattern[str]  # an effect told before a "while" clause of use (session 44)
    effect_denied_after: re.Pattern[str]
    other_stop_cause: re.Pattern[str]
    stated_stop_reason: re.Pattern[str]
    stop_reason_gap_break: re.Pattern[str]
    worker_failed_to_between: re.Pattern[str]  # "and failed to attend": the worker's (session 43, r107 K6)
    max_gap_words: int
    max_object_words: int
    # `FOLDED`, lower-cased, read by `spans_of`; `outcome_after` (~85,000 characters) only so: compiled once
    folded: dict[str, re.Pattern[str]] = field(default_factory=dict)


@lru_cache(maxsize=1)
def failed_care_lexicon() -> FailedCareLexicon:
    raw = read_yaml("failed_care_lexicon.yaml")
    short = raw.pop("short")  # short lengths of relief, read as {short} inside the outcomes
    high_pain = raw.pop("high_pain")  # a pain still moderate-to-severe, read as {high_pain} (session 19)
    none_of = raw.pop("none_of")  # "none of these", "neither of which": read as {none_of} (session 25)
    undocumented = raw["undocumented_after"]  # a gain not in the records (round 48)
    worse_aux, worse_when = raw.pop("worse_aux"), raw.pop("worse_when")  # read in `worsened` (session 36)
    raw.pop("word_classes")  # read by `analysis.word_classes`, with the concepts' classes, as ${name}

    def fill(p: str) -> str:
        p = p.replace("{short}", short).replace("{high_pain}", high_pain).replace("{none_of}", none_of)
        p = p.replace("{undocumented_after}", undocumented)
        p = p.replace("{worse_aux}", worse_aux).replace("{worse_when}", worse_when)
        return expand_word_classes(p, "failed_care_lexicon.yaml")

    raw = {k: [fill(i) for i in v] if isinstance(v, list) else fill(v) if isinstance(v, str) else v
           for k, v in raw.items()}
    # a symptom that persists after its care, or made worse after it (session 36)
    outcome_after = alternatives_source([*raw.pop("outcome_after"), raw["lingering"], raw["worsened"],
                                         raw["care_aggravated"]])

    def compiled(name: str, source: str) -> re.Pattern[str]:
        # a `FOLDED` list is read by its lower-cased twin; its own form keeps Unicode's IGNORECASE, which the
        # twin in `folded_text` reads alike (the four non-ASCII twins of i, s and k included)
        return re.compile(source, re.IGNORECASE if name in FOLDED else re.IGNORECASE | ASCII_WORDS)

    lists = {k: compiled(k, alternatives_source(v)) for k, v in raw.items() if isinstance(v, list)}
    singles = {k: compiled(k, word_guarded(v)) for k, v in raw.items() if isinstance(v, str)}
    numbers = {k: v for k, v in raw.items() if isinstance(v, int)}
    sources = {"outcome_after": outcome_after, **{k: p.pattern for k, p in {**lists, **singles}.items()}}
    unfoldable = [k for k in FOLDED if not names_no_cased_non_ascii(sources[k])]
    if unfoldable:
        raise ValueError(f"failed_care_lexicon.yaml: {', '.join(unfoldable)} must name no non-ASCII letter "
                         "(they are read lower-cased only, `folded_text`)")
    folded = {k: compile_folded(sources[k]) for k in FOLDED}
    return FailedCareLexicon(**lists, **singles, **numbers, folded=folded)


# the long lists read in (nearly) every clause: searched lower-cased (`folded_text`), where IGNORECASE takes
# two to three times as long on them (features/casefold.py), with the same spans
FOLDED = ("care", "outcome_after", "outcome_before", "lingering", "worsened", "care_aggravated")


def spans_of(name: str, clause: str, lex: FailedCareLexicon) -> list[tuple[int, int]]:
    """Spans of lexicon pattern `name` (one of `FOLDED`) in `clause`: its lower-cased twin in the clause as
    IGNORECASE reads it (`folded_text`), so no pattern is compiled a second time for non-ASCII clauses."""
    return [m.span() for m in lex.folded[name].finditer(folded_text(clause))]


def _care_spans(clause: str, lex: FailedCareLexicon) -> list[tuple[int, int]]:
    """Spans of the care the clause names: lexicon words and drugs of the drug lexicon."""
    return list(_care_spans_of(clause, lex))


@lru_cache(maxsize=4096)
def _care_spans_of(clause: str, lex: FailedCareLexicon) -> tuple[tuple[int, int], ...]:
    """`_care_spans`, read once per clause: three readers of a summary (failed care, care not had, another
    person's care) scan the same clauses."""
    drugs = drug_names()
    spans = spans_of("care", clause, lex)
    words = [m.span() for m in _DRUG_WORD.finditer(clause) if drugs.is_name(m.group(0))]
    # session 38 (round-71 kind K1): a name of several words none of which names a drug alone ("MS Contin
    # caused nausea") is a drug too; one holding such a word ("Tylenol with codeine") is read by that word
    spans += words + [(a, b) for a, b in drugs.names_in(clause)
                      if not any(a <= c and d <= b for c, d in words)]
    return tuple(sorted(spans))


def _no_other_subject(between: str, lex: FailedCareLexicon, *, listed: bool = False) -> bool:
    """No operation stands between care and its outcome, unless a time phrase names it ("before the
    fusion"); `listed`: the care follows the outcome, so an operation that is an item of the outcome's list
    of objects ("despite the surgery, physical therapy, and medications") is one of what did not help."""
    return not any(not lex.temporal_before.search(between[:a])
                   and not (listed and lex.listed_before_care.search(between[b:]))
                   for a, b in _operation_names(between, lex))


# a failure told by its verb at the end of the words that state it ("therapy, but the repair failed")
_FAILED_LAST = re.compile(r"\b(?:failed|fails)\W*$", re.IGNORECASE)


def operation_failed_after_care(text: str) -> bool:
    """Whether a failure stated as care, then words, then "failed" has an operation as its subject between
    them ("completed 24 sessions of therapy, but the repair failed"): the operation failed, which is no failed
    conservative care (session 41, round-94 kind K7), as `_links` reads an operation between care and
    outcome."""
    if not _FAILED_LAST.search(text):
        return False
    words = text.split(maxsplit=1)
    return len(words) == 2 and not _no_other_subject(words[1], failed_care_lexicon())


def _operation_names(text: str, lex: FailedCareLexicon) -> list[tuple[int, int]]:
    """Spans of the operations `other_subject` names in `text`, a name of several of its words read whole
    ("lumbar fusion surgery", "carpal tunnel release surgery"): what follows the name is read from its last
    word (session 40, round-86 kind K1: "failed earlier lumbar fusion surgery, physical therapy, and ESIs"
    is a list)."""
    spans: list[tuple[int, int]] = []
    for o in lex.other_subject.finditer(text):
        if spans and not text[spans[-1][1]:o.start()].strip():
            spans[-1] = (spans[-1][0], o.end())
        else:
            spans.append(o.span())
    return spans


def _the_workers_status(clause: str, care_start: int, between: str, outcome: str,
                        lex: FailedCareLexicon) -> bool:
    """Whether an outcome such as "has stopped working" is said of the worker, not of the care before it ("she
    had physical therapy and has stopped working"): the care's failure only when the care is its subject."""
    if not lex.work_status_outcome.fullmatch(outcome):
        return False
    joined = lex.worker_subject_between.search(between)
    return joined is not None and (joined.group("subject") is not None
                                   or lex.worker_had_care_before.search(clause[:care_start]) is not None)


def workers_status_beside_care(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] of one sentence ("is no longer working", "has stopped working") is the worker's
    work status told beside care named before it ("she has had acupuncture and is no longer working"), by
    `_the_workers_status`: what the failure and the function readers both take as no outcome of that care."""
    lex = failed_care_lexicon()
    if not lex.work_status_outcome.fullmatch(text[start:end]):
        return False  # most statements: not a work status, so no care is looked for
    cares = [c for c in _care_spans(text, lex) if c[1] <= start]
    if not cares:
        return False
    care_start, care_end = cares[-1]
    return _the_workers_status(text, care_start, text[care_end:start], text[start:end], lex)


def _links(clause: str, lex: FailedCareLexicon) -> Iterator[tuple[int, int, int, int]]:
    """(care start, care end, span start, span end) of each outcome linked to its care in the clause. A clause
    naming no care (most) links nothing, so its outcome lists are not scanned. An outcome after its care is
    said of the care that is no time phrase's ("PT was tried before the injections, with no relief": the
    therapy's; session 42, round-96 kind K7)."""
    cares = _care_spans(clause, lex)
    if not cares:
        return
    for o_start, o_end in spans_of("outcome_after", clause, lex):
        if lex.not_an_outcome_after.match(clause, o_end):
            continue  # "no change in his medications": a regimen kept, not an outcome
        if lex.activity_length_before.search(clause, 0, o_start):
            continue  # "can type for an hour before the tingling starts": a tolerance, no short relief
        before = [c for c in cares if c[1] <= o_start]
        while len(before) > 1 and lex.temporal_before.search(clause, 0, before[-1][0]):
            before.pop()  # care in a time phrase dates the care before it ("tried before the injections")
        if before:
            c = before[-1]
            between = clause[c[1]:o_start]
            if _gap_words(between, lex) <= lex.max_gap_words and _no_other_subject(between, lex) \
                    and not _the_workers_status(clause, c[0], between, clause[o_start:o_end], lex) \
                    and not _the_worker_failed_to(between, clause[o_start:o_end], lex):
                yield c[0], c[1], c[0], o_end
    for o_start, o_end in spans_of("outcome_before", clause, lex):
        if lex.negated_before.search(clause[:o_start]):
            continue  # "had not tried and failed X"
        after = [c for c in cares if c[0] >= o_end]
        if after:
            c = after[0]
            between = clause[o_end:c[0]]
            if len(_WORD.findall(between)) <= lex.max_object_words and not lex.object_break.search(between) \
                    and _no_other_subject(between, lex, listed=True):
                yield c[0], c[1], o_start, c[1]


_FAILED_TO = re.compile(r"(?:\w+ )*(?:fails|failed) to \w+", re.IGNORECASE)


def _the_worker_failed_to(between: str, outcome: str, lex: FailedCareLexicon) -> bool:
    """Whether "failed to <verb>" after care has the worker as its subject ("tried a brace and then failed to
    wear it"; "had physical therapy but failed to progress" is read by its own outcome): a new verb joined
    after the care, or the worker named, with no pronoun for the care (session 43, round-107 kind K6)."""
    return _FAILED_TO.fullmatch(outcome) is not None \
        and lex.worker_failed_to_between.search(between) is not None


def _gap_words(between: str, lex: FailedCareLexicon) -> int:
    """Words between a care and an outcome said after it, counted from the last pronoun after a comma that
    refers back to the care (`refers_back`: "injections into the ring finger A1 pulley, on 06/03/2015 and
    10/14/2015, each with relief lasting a month before the locking returned"), the words naming the care up
    to that comma held to the same limit: a long name of the care does not part it from what is said of it
    (session 43, round-102 kind K1)."""
    back = list(lex.refers_back.finditer(between))
    if not back:
        return len(_WORD.findall(between))
    return max(len(_WORD.findall(between[:back[-1].start()])), len(_WORD.findall(between[back[-1].start():])))


def _care_told(text: str, start: int) -> tuple[int, int] | None:
    """The span of the care a statement beginning at `start` of `text` (its sentence up to its end) is said
    of: the first care named in its own words, else the nearest named before it; None where none is named."""
    cares = _care_spans(text, failed_care_lexicon())
    own = [c for c in cares if c[0] >= start]
    return own[0] if own else cares[-1] if cares else None


def care_named_by(m: Mention) -> str | None:
    """The care a statement of help or failure is said of (lower case): the first care named in its own words
    ("physical therapy with no sustained improvement"), else the nearest named before it in its sentence
    ("completed 12 sessions of PT | with no sustained improvement"); None where its sentence names none."""
    s = m.sentence
    told = s.text[:m.end - s.start]
    care = _care_told(told, m.start - s.start)
    return told[care[0]:care[1]].lower() if care is not None else None


def cares_named_by(m: Mention) -> list[str]:
    """Every care a statement of failure is said of (lower case): the care its clause names up to its end
    ("splinting, 6 sessions of therapy and an injection, none of which gave lasting benefit"), else the one
    `care_named_by` finds before it in its sentence; none where its sentence names no care."""
    lex = failed_care_lexicon()
    s = m.sentence
    told = s.text[:m.end - s.start]
    clause = told[clause_start_at(told, lex.clause_break, max(0, m.start - s.start)):]
    named = [clause[a:b].lower() for a, b in _care_spans(clause, lex)
             if not lex.generic_care.fullmatch(clause[a:b])]
    if named:
        return named
    care = care_named_by(m)
    return [care] if care is not None else []


def kinds_of_care_named_by(m: Mention) -> list[str]:
    """The kinds of care a statement is said of (lower case), no generic word among them ("visits",
    "treatment"): those its clause names up to its end, else the last its sentence names before it ("six
    therapy visits, but the numbness persisted": "therapy"); none where no kind is named. What tells a gain
    of one care from a failure of another (session 43, round-106 kind K5)."""
    lex = failed_care_lexicon()
    s = m.sentence
    told = s.text[:m.end - s.start]
    clause_at = clause_start_at(told, lex.clause_break, max(0, m.start - s.start))
    kinds = [(a, told[a:b].lower()) for a, b in _care_spans(told, lex)
             if not lex.generic_care.fullmatch(told[a:b])]
    own = [k for a, k in kinds if a >= clause_at]
    return own or [k for _, k in kinds[-1:]]


def blocks_expected_response(summary: AnalysedText, m: Mention) -> bool:
    """Whether failure statement `m` tells only relief of a short time (`short_relief`: "gave 80% relief for a
    day", "temporary relief") from diagnostic or sympathetic blocks alone: the response such a block is given
    for, not care that did not help (session 35, the lead's ruling). The care is the one `m` is said of in its
    sentence, else the last care of the sentence before ("He had medial branch blocks. They gave 80% relief
    for a day."); every care its clause names up to it must be such a block ("physical therapy and medial
    branch blocks gave only temporary relief" tells the therapy's failure too)."""
    lex = failed_care_lexicon()
    if not lex.short_relief.search(m.text):
        return False
    s = m.sentence
    told = s.text[:m.end - s.start]
    care = _care_told(told, m.start - s.start)
    upto = max(care[1], m.start - s.start) if care is not None else 0
    named = _named_care_of(told, care, upto, lex)
    if not named:  # no care, or generic care only ("The procedures gave relief for a day."): the one before
        told, care = _care_of_the_sentence_before(summary, m, lex)
        named = _named_care_of(told, care, care[1] if care is not None else 0, lex)
    # (session 43, round-102 kind K2: "stopped a brief trial of pregabalin" names no block in its sentence or
    # the one before: no block's response, where an empty subject once read as one)
    return bool(named) and all(_a_block_for_its_response(subject, a, b, lex) for subject, a, b in named)


def _named_care_of(told: str, care: tuple[int, int] | None, upto: int,
                   lex: FailedCareLexicon) -> list[tuple[str, int, int]]:
    """The subject of a statement said of `care` (its clause up to `upto`) with the span of each care it
    names that is no generic word ("treatment", "sessions"): (subject, start, end) each."""
    if care is None:
        return []
    subject = told[clause_start_at(told, lex.clause_break, care[0]):upto]
    return [(subject, a, b) for a, b in _care_spans(subject, lex)
            if not lex.generic_care.fullmatch(subject[a:b])]


def _a_block_for_its_response(text: str, start: int, end: int, lex: FailedCareLexicon) -> bool:
    """Whether the care text[start:end] is a block of `diagnostic_block`, its name ending at the care's last
    word ("left stellate ganglion | blocks", the name across a line break too), and not called therapeutic."""
    return lex.block_response_care.search(_SPACES.sub(" ", text[:end])) is not None \
        and lex.therapeutic_care.search(text[:start]) is None


def care_is_another_persons(summary: AnalysedText, m: Mention) -> bool:
    """Whether the care nearest before a failure in its sentence is another person's ("her sister had physical
    therapy for a similar problem without any relief": the family cue's scope ends before the outcome)."""
    s = m.sentence
    cares = [c for c in _care_spans(s.text[:m.start - s.start], failed_care_lexicon())]
    if not cares:
        return False
    care = summary.mention("therapy", s.start + cares[-1][0], s.start + cares[-1][1])
    return care is not None and Category.FAMILY in care.assertion.categories


def failed_care_statements(summary: AnalysedText, *, record_voice: Callable[[Mention], bool],
                           conditional: Callable[[Mention], bool] = lambda m: False,
                           care_had_in: Callable[[int], bool] = lambda i: False) -> list[Mention]:
    """A `failed_care` mention (care .. outcome) for each statement found by structure, asserted as its care
    mention is (a care denied, requested, possible or another person's is no failure of care had), unless
    the statement itself is a condition or a requirement (`conditional`: "MRI is indicated after 4-6 weeks
    of failed conservative care"). A symptom that persists in a sentence naming no care is a failure of the
    care the sentence before tells of (`care_had_in(index)`: "She wore a splint. The numbness persists.").
    `record_voice(m)`: the mention is the record's, not the UR's own finding."""
    lex = failed_care_lexicon()
    out: list[Mention] = []
    for s in summary.sentences:
        care_before = care_had_in(s.index - 1)  # care had told in the sentence or in a clause before
        care_here = False  # care had told in an earlier clause of this sentence
        for offset, clause in clauses(s, lex.clause_break):
            for cs, ce, a, b in _links(clause, lex):
                care = summary.mention("therapy", s.start + offset + cs, s.start + offset + ce)
                m = summary.mention("failed_care", s.start + offset + a, s.start + offset + b)
                if care is None or m is None or care.assertion.categories & _NOT_HAD or conditional(m) \
                        or effect_of_a_drug_kept(m, lex):
                    continue
                at = s.start + offset
                worse = [*spans_of("worsened", clause, lex), *spans_of("care_aggravated", clause, lex)]
                if any(w[1] == b and _worse_told_otherwise(
                        summary, summary.mention("failed_care", at + w[0], at + w[1]), lex, conditional)
                       for w in worse):
                    continue  # a worsening not of this care: another cause, another person's (session 36)
                m = dataclasses.replace(m, assertion=care.assertion)
                if record_voice(m):
                    out.append(m)
                    break
            cares = _care_spans(clause, lex)
            if care_before:
                # a clause that names care only after its outcome ("it was stopped because of nausea, and
                # Nucynta was started") carries that outcome's subject from before, as one naming none does
                out += _lingering(summary, s.start + offset, clause, lex, record_voice, conditional,
                                  limits=care_here, upto=cares[0][0] if cares else None)
            had_here = any(
                (c := summary.mention("therapy", s.start + offset + a, s.start + offset + b)) is not None
                and not c.assertion.categories & _NOT_HAD for a, b in cares)
            care_before, care_here = care_before or had_here, care_here or had_here
    return out


def _lingering(summary: AnalysedText, start: int, clause: str, lex: FailedCareLexicon,
               record_voice: Callable[[Mention], bool],
               conditional: Callable[[Mention], bool], *, limits: bool = False,
               upto: int | None = None) -> list[Mention]:
    """A symptom that persists in a clause naming no care, told after care had: that care's failure; so is an
    outcome whose subject is a pronoun, "none" or nothing ("Neither helped.", "It did nothing.", round 19);
    `limits`: care was told earlier in this sentence, so a limit still there is its failure too (round 22).
    `upto`: where the clause's first care begins (session 36): only an outcome with a carried subject that
    ends before it is read, the care after it being another's (what the clause's own links read)."""
    persisting: list[tuple[int, int]] = []
    if upto is None:
        found = [*spans_of("lingering", clause, lex),
                 *([m.span() for m in lex.limit_lingering.finditer(clause)] if limits else ())]
        persisting = [o for o in found if not lex.reason_before.search(clause[:o[0]])]
    told = clause if upto is None else clause[:upto]  # an outcome before the clause's first care
    carried = [o for o in spans_of("outcome_after", told, lex) if lex.carried_subject.match(clause[:o[0]])
               and not lex.not_an_outcome_after.match(clause, o[1])
               and not lex.activity_length_before.search(clause, 0, o[0])]
    worse = spans_of("worsened", clause, lex)  # made worse after the care (session 36)
    for a, b in sorted({*persisting, *carried, *worse}, key=lambda o: o[0]):
        m = summary.mention("failed_care", start + a, start + b)
        if m is None or m.assertion.categories & _NOT_HAD or conditional(m) or not record_voice(m) \
                or effect_of_a_drug_kept(m, lex):
            continue
        if (a, b) in worse and (a, b) not in persisting \
                and _worse_told_otherwise(summary, m, lex, conditional):
            continue
        return [m]
    return []


def effect_of_a_drug_kept(m: Mention, lex: FailedCareLexicon) -> bool:
    """Whether the outcome `m` is a side effect of a drug its sentence tells the worker still takes ("takes
    naproxen, which upsets his stomach", "... but she continues it"): tolerated, so no failure (session 42,
    round-100 kind K11); a stop or swap for the effect is read by features/side_effect_stops.py."""
    text, at = m.sentence.text, m.start - m.sentence.start
    effect = lex.effect_outcome.search(text, at, m.end - m.sentence.start)
    if effect is None:
        return False
    cares = [c for c in _care_spans(text, lex) if c[1] <= effect.start()]
    if not cares:
        return False
    return lex.effect_use_kept_before.search(text[:cares[-1][0]]) is not None \
        or lex.effect_use_kept_after.search(text, effect.end()) is not None


def _worse_told_otherwise(summary: AnalysedText, w: Mention | None, lex: FailedCareLexicon,
                          conditional: Callable[[Mention], bool]) -> bool:
    """Whether the worsening `w` (`worsened`) told after care is no outcome of that care (session 36, the
    lead's ruling): another person's, denied, hypothetical or a requirement ("return if symptoms worsen"), as
    its own words are asserted; the reason for care (`worse_reason_before` between the care before it and
    it, said of care by `_reason_for_care`, or `worse_then_care` and care named after it: "her pain worsened,
    so acupuncture was ordered"); put
    down to a new event (`outside_event` from the care's end, or its sentence's start, to the sentence's
    end); or of another body region than the care's (`_of_another_region`). Session 43 (ruling R13): a
    worsening the care was resumed for ("tapered off in 2012 and resumed when his pain increased") or one that
    followed the care's stop ("his pain increased after the taper") is the stop's, not the care's; so is one
    the care was resumed after ("when her spasms increased she resumed it": session 44, round-113 kind K9)."""
    if w is None or w.assertion.categories & _NOT_HAD or conditional(w):
        return True
    text = w.sentence.text
    start, end = w.start - w.sentence.start, w.end - w.sentence.start
    cares = _care_spans(text, lex)
    before = [c for c in cares if c[1] <= start]
    after_care = before[-1][1] if before else 0
    reason = lex.worse_reason_before.search(text, after_care, start)
    if reason is not None and _reason_for_care(text, reason.start(), end, cares, lex) \
            and not lex.stop_before_reason.search(text, after_care, reason.start()):
        return True  # (a stop's reason is the care's failure: session 43, round-105 kind K4)
    if lex.resumed_for_worse.search(text[after_care:start]) or lex.worse_after_stop.match(text, end) \
            or _same_care_resumed(text, end, cares, before[-1] if before else None, lex):
        return True  # resumed for it (told before or after), or after the stop: the stop's, not the care's
    then = lex.worse_then_care.match(text, end)
    if then is not None and any(c[0] >= then.end() for c in cares):
        return True
    if lex.outside_event.search(text, after_care) is not None:
        return True
    told, care = (text[:start], before[-1]) if before else _care_of_a_sentence_before(summary, w, lex)
    worse = text[clause_start_at(text, lex.clause_break, start, after_care):end]  # "his back pain worsened"
    return care is not None and _of_another_region(worse, _care_words(told, care, lex))


def _same_care_resumed(text: str, end: int, cares: list[tuple[int, int]], care: tuple[int, int] | None,
                       lex: FailedCareLexicon) -> bool:
    """Whether the care is resumed right after a worsening that ends at `end` ("when her spasms increased
    she resumed it"), the care resumed being the one told before the worsening (`care`) or a pronoun for it:
    another care resumed ("managed with acetaminophen until his pain flared, and oxycodone was restarted")
    leaves the worsening the earlier care's failure (session 44, round-113 kind K9)."""
    resumed = lex.worse_then_resumed.match(text, end)
    if resumed is None:
        return False
    rest = lex.clause_break.search(text, resumed.end())
    named = [text[a:b].lower() for a, b in cares if end <= a < (rest.start() if rest else len(text))]
    return not named or (care is not None and all(n == text[care[0]:care[1]].lower() for n in named))


def _reason_for_care(text: str, reason: int, end: int, cares: list[tuple[int, int]],
                     lex: FailedCareLexicon) -> bool:
    """Whether the reason a worsening gives (its word at `reason`, the worsening ending at `end`) is for care:
    care named in the reason word's clause before it ("physical therapy was started because her pain had
    worsened") or after the worsening ("because his pain worsened, PT was started"); a study's reason ("an
    MRI was ordered because of worsening symptoms") leaves the worsening an outcome of care (session 37)."""
    clause = clause_start_at(text, lex.clause_break, reason)
    return any(clause <= c[0] and c[1] <= reason or c[0] >= end for c in cares)


def worsening_not_of_care(summary: AnalysedText, w: Mention, conditional: Callable[[Mention], bool]) -> bool:
    """`_worse_told_otherwise` for a worsening read outside the clause reader (the whole record's fallback,
    `FunctionAndCareFacts._worse_after_treatment`): one reading of the ruling's exceptions on every path."""
    return _worse_told_otherwise(summary, w, failed_care_lexicon(), conditional)


def _care_of_the_sentence_before(summary: AnalysedText, w: Mention,
                                 lex: FailedCareLexicon) -> tuple[str, tuple[int, int] | None]:
    """The sentence before `w`'s and the last care it names (None where it names none)."""
    if w.sentence.index == 0:
        return "", None
    told = summary.sentences[w.sentence.index - 1].text
    cares = _care_spans(told, lex)
    return told, cares[-1] if cares else None


def _care_of_a_sentence_before(summary: AnalysedText, w: Mention,
                               lex: FailedCareLexicon) -> tuple[str, tuple[int, int] | None]:
    """The nearest sentence before `w`'s that names care and the last care it names (None where none does):
    the care a worsening in a sentence naming none is told after, a sentence or more on ("Treatment has
    included therapy for the wrist. He went back to work. His low back pain is increasing.")."""
    for s in reversed(summary.sentences[:w.sentence.index]):
        cares = _care_spans(s.text, lex)
        if cares:
            return s.text, cares[-1]
    return "", None


def _care_words(told: str, care: tuple[int, int], lex: FailedCareLexicon) -> str:
    """The words that say what the care `told[care[0]:care[1]]` treated: its clause ("for her wrist she
    attended 24 visits of therapy", "24 visits of physical therapy for the wrist, after which ...")."""
    rest = lex.clause_break.search(told, care[1])
    return told[clause_start_at(told, lex.clause_break, care[0]):rest.start() if rest else len(told)]


def _of_another_region(worse: str, care_words: str) -> bool:
    """Whether a worsening names a body region (`body_regions.yaml`, "low back pain worse") and the care's
    words name only others, none the same or one whose findings speak for it ("physical therapy for the
    wrist"): the letter makes plain the care was of another part. Either unnamed: the same part."""
    regions = body_regions()
    named = {r.region for r in regions.find(lower_text(worse))} - {SPINE_UNSPECIFIED}
    cared = {r.region for r in regions.find(lower_text(care_words))} - {SPINE_UNSPECIFIED}
    return bool(named and cared) and not any(regions.finding_of(a, b) for a in named for b in cared)


def care_not_had_statements(summary: AnalysedText, *,
                            record_voice: Callable[[Mention], bool]) -> list[Mention]:
    """A `care_not_tried` mention for each care offered and not had, linked in its clause: declined or refused
    by the worker (the care its object, `not_had_before`) or referred and not attended (`not_had_after`). Care
    another person had, or care denied outright, is skipped; a requested or referred care is what is not had,
    so its hypothetical reading does not count against it."""
    lex = failed_care_lexicon()
    out: list[Mention] = []
    for s in summary.sentences:
        for offset, clause in clauses(s, lex.not_had_break):
            offered = [m.span() for m in lex.offered_care.finditer(clause)]
            for cs, ce in sorted({*_care_spans(clause, lex), *offered}):
                before = lex.not_had_before.search(clause[:cs])
                after = lex.not_had_after.match(clause, ce)
                if not (before or after):
                    continue
                a, b = (before.start(), ce) if before else (cs, after.end())
                care = summary.mention("therapy", s.start + offset + cs, s.start + offset + ce)
                m = summary.mention("care_not_tried", s.start + offset + a, s.start + offset + b)
                if care is None or m is None or care.assertion.categories & _NOT_OFFERED:
                    continue
                if record_voice(m):
                    out.append(m)
                    break
        out += _none_had(summary, s, lex, record_voice)
    return out


def _none_had(summary: AnalysedText, s: Sentence, lex: FailedCareLexicon,
              record_voice: Callable[[Mention], bool]) -> list[Mention]:
    """Care none of which was had, read in the whole sentence (`none_had`): the care named last before it
    ("Eight visits were approved; she has attended none of them")."""
    for n in lex.none_had.finditer(s.text):
        cares = [c for c in _care_spans(s.text, lex) if c[1] <= n.start()]
        if not cares:
            continue
        cs, ce = cares[-1]
        care = summary.mention("therapy", s.start + cs, s.start + ce)
        m = summary.mention("care_not_tried", s.start + cs, s.start + n.end())
        if care is None or m is None or care.assertion.categories & _NOT_OFFERED or not record_voice(m):
            continue
        return [m]
    return []


def after_an_operation(summary: AnalysedText, m: Mention) -> bool:
    """Whether the care of a care-not-tried mention is named as care after an operation ("post-operative
    physical therapy has not yet started"): rehabilitation for an operation, not conservative care."""
    lo = max(m.sentence.start, m.start - 40)
    return bool(failed_care_lexicon().post_operative_care.search(f"{summary.text[lo:m.start]} {m.text[:25]}"))
