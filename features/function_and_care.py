"""Functional improvement and failed conservative care, read from the record first: the statements of
function and of care that the two facts (and the UR's statements of them) are read from."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cached_property, lru_cache

from features.analysis import AnalysedText, Mention, word_classes
from features.assertion_sets import NOT_DONE as _DONE
from features.assertion_sets import conditional as _conditional
from features.assertions import Category
from features.authors import UR_REVIEWER, load_author_rules
from features.casefold import FoldedSearch
from features.drug_names import drug_names
from features.evidence import Extraction
from features.failed_care import (
    after_an_operation,
    blocks_expected_response,
    care_is_another_persons,
    care_not_had_statements,
    effect_of_a_drug_kept,
    failed_care_lexicon,
    failed_care_statements,
    operation_failed_after_care,
    workers_status_beside_care,
    worsening_not_of_care,
)
from features.function_change import (
    CARE_LOOKBACK,
    activity_stems,
    aid_still_needed,
    function_changes,
    function_lexicon,
    help_denied,
    helped_by_person,
    names_sleep_alone,
    return_for_money,
    work_status_given,
)
from features.requested_care_not_tried import requested_care_not_tried
from features.sentences import Sentence
from features.side_effect_stops import side_effect_stops
from features.style import person_phrase_class
from features.ur_relay import after_a_turn_to_the_record
from features.ur_relay import relayed as _relayed
from features.value_patterns import value_patterns
from features.visit_course import help_doubts_failure, help_outdated, of_other_care

YES, NO, NOT_STATED = "yes", "no", "not_stated"

_NOT_ABLE = re.compile(  # session 38 (r71 K3): "has not been able", "hasn't been able"
    r"\b(?:not|never)\s+(?:yet\s+)?(?:been\s+)?able\b|n't\s+(?:yet\s+)?been\s+able\b"
    r"|\bunable\b|\bcannot\b|\bcan't\b|\b(?:can|could) not\b"
    r"|\bno longer\b",  # round 25: "can no longer walk" is a limit, not an ability
    re.IGNORECASE)
_ONLY_SO_MUCH = re.compile(r"\b(?:only|barely|hardly|no more than)\b", re.IGNORECASE)
_ONLY_AID = re.compile(r"\s*(?:[\w-]+\s){0,2}?only\s(?:with|using|on)\b", re.IGNORECASE)  # "only with a cane"
_LACK_WORD = re.compile(r"\b(?:no|not|without|never)\b", re.IGNORECASE)  # a lack told beside a plateau (s44)
_PLATEAU_PHRASE_END = re.compile(r"\s(?:and|but|so|which|that)\s", re.IGNORECASE)  # where that phrase ends
_RECORDS_WORD = re.compile(r"\b(?:document\w*|record\w*|show\w*|demonstrat\w*)\b", re.IGNORECASE)


def _failure_in_record_voice(m: Mention) -> bool:
    """Whether a failed-care mention is the record's: not the UR's, or the UR quoting the physician, but not
    the UR's own "did not document" (a finding of its own). One test for every failed-care reader."""
    return m.author != UR_REVIEWER or (_relayed(m) and not _RECORDS_WORD.search(m.text)) \
        or after_a_turn_to_the_record(m.sentence, m.start)

# a UR claim about what the records show ("no documented conservative care so far", "no evidence of any
# conservative care"), not that care was not had: the protocol's "UR says inadequate", which a list of
# care does not undo
_RECORDS_CLAIM = re.compile(r"\b(?:document\w*|record\w*|evidence|show\w*|demonstrat\w*)\b", re.IGNORECASE)
_DRUG_WORD = re.compile(r"[A-Za-z][A-Za-z-]{2,}")
# the name under which `CaseFacts.supporting` gives the statements that a drug was not tried yet (session 24)
DRUGS_NOT_TRIED = "drugs_not_tried"
_NOT_THE_WORKERS = frozenset({Category.HYPOTHETICAL, Category.FAMILY})
CREDIT_WINDOW = 40  # characters after "with", "since starting" ... in which the treatment must be named


def _no_change_of(before: str) -> bool:
    """Whether `before` ends in a change denied of what follows it ("without any change in pain or in what he
    ", "with no change in what she "): the ability after it did not change."""
    lex = function_lexicon()
    return any(len(_WORD_RE.findall(before[w.end():])) <= 3 for w in lex.no_change_before.finditer(before))


_WORD_RE = re.compile(r"[\w'-]+")
# a count of sessions "without improvement", nothing said of what did not improve (concepts.yaml, round 28),
# or a care named by its name ("physical therapy x 8 without improvement": session 38, rounds 78-80 kind K1;
# "had physical therapy, without improvement", no count: session 39, the lead's ruling (1))
_COUNT = (r"\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|twenty"
          r"|several|multiple")


@lru_cache(maxsize=1)
def _course_without_gain() -> re.Pattern[str]:
    classes = word_classes()
    care = f"{classes['care_word']}|{classes['course_care']}"
    # (session 40, round-85 K4: or its bracket's "no change", "OT x 6 (no change)", concepts.yaml)
    return re.compile(rf"^(?:{_COUNT}|{care})\b.*(?:\bwithout\b(?:\s\w+){{0,3}}\s(?:improvement|progress)"
                      r"|\(\s*(?:no\s(?:\w+\s)?(?:change|difference)|unchanged|not improved|no better))$",
                      re.IGNORECASE | re.DOTALL)


def _bare_lack(m: Mention) -> bool:
    """Whether `m` is a lack of improvement (`functional_decline`, or an improvement denied) whose clause
    names no function, activity, work or objective finding ("physical therapy (12 sessions, no improvement)",
    "with no benefit"): still a lack of function, but one that names none, so it does not keep the structure
    reader from a gain told beside it (round-69 K6). The writer's noun is taken out first, as "injured
    worker" would read as work where "he" reads nothing."""
    lex = function_lexicon()
    if m.concept not in ("functional_decline", "functional_improvement") or not lex.bare_lack.search(m.text):
        return False
    text, at = m.sentence.text, m.start - m.sentence.start
    if lex.lack_named_before.search(text, 0, at):
        return False  # "because of a lack of improvement with medications": the request's reason
    start = max(0, *(text.rfind(c, 0, at) + 1 for c in ",;:("))
    said = _statement_words(m)
    more = lex.lack_continued.match(text, at + len(said))
    words = _the_person().sub(" ", " ".join((text[start:at], said, more.group(0) if more else "")))
    return not (value_patterns()["function_words"].search(words) or lex.activity.search(words)
                or lex.lack_scope.search(words))


@lru_cache(maxsize=1)
def _the_person() -> re.Pattern[str]:
    """The writer's name for the worker ("the injured worker's", "the applicant"): taken out of a statement's
    words before they are read for a function word, as "worker" would read as "work" where "his" reads nothing
    (session 32, round-52 kind C2: no fact may change when only the writer's word does)."""
    return re.compile(rf"\b{person_phrase_class()}\b", re.IGNORECASE)


_PHRASE_END = re.compile(r"[,;:]|\.(?:\s|$)")
STATEMENT_REACH = 80  # characters after a mention in which the words it governs may run on


def _statement_words(m: Mention) -> str:
    """The words of a statement: the mention and what runs on after it to the end of its phrase (a comma,
    a semicolon, a colon or the sentence's end). A credit's mention ends at its verb ("it lets him keep"),
    the activity it names comes after ("... working full duty and walk his dog daily": session 25, round-28
    kinds): what the statement names is read there, not in the verb alone."""
    rest = m.sentence.text[m.end - m.sentence.start:m.end - m.sentence.start + STATEMENT_REACH]
    stop = _PHRASE_END.search(rest)
    return m.text + (rest[:stop.start()] if stop else rest)


@lru_cache(maxsize=1)
def _conservative_words() -> FoldedSearch:
    """`conservative_words` with its lower-cased twin: read in most sentences, lower-cased in an ASCII one
    (`casefold`: the same matches in about 40% of the time)."""
    return FoldedSearch.of(value_patterns()["conservative_words"])


def _says_conservative_words(text: str) -> bool:
    return _conservative_words().found_in(text, text.lower() if text.isascii() else None)


def _sleep_alone(m: Mention) -> bool:
    """Whether a gain names sleep as the only activity of its sentence up to its clause's end ("now allows him
    to sleep six hours"; not "sleeps through the night and walks to the store", "is back to full duty and can
    sleep again"; a limit in a clause after it, "but cannot turn his head", is no gain either)."""
    text = m.sentence.text
    cut = function_lexicon().clause_break.search(text, m.end - m.sentence.start)
    return names_sleep_alone(text[:cut.start() if cut else len(text)])


def _lack_of_a_symptom(m: Mention) -> bool:
    """Whether `m` is a lack of help said of a symptom, its subject ("The pain did not improve with rest",
    "her numbness has not improved with the splint"): relief is pain, not function (the lead's ruling R1)."""
    text, at = m.sentence.text, m.start - m.sentence.start
    lack = value_patterns()["symptom_subject_denied"]
    return any(f.end() > at for f in lack.finditer(text, max(0, at - 80), m.end - m.sentence.start))


# an auxiliary's "not" right before a gain verb ("did not increase", "has not changed"): the pseudo-trigger
# "not increase" / "not change" (context_rules.yaml, kept for "her pain did not change with PT", whose care it
# must not negate) hides this negation from the assertion, so the gain is read denied here (s45, r117 K6)
_AUX_NOT_BEFORE = re.compile(r"\b(?:did|does|do|has|have|had|will|would)\s+not\s+$|n't\s+$", re.IGNORECASE)


def _verb_denied(m: Mention) -> bool:
    """Whether gain `m` is told by a verb its auxiliary denies right before it ("the program did not increase
    her walking tolerance"): a gain denied, no."""
    return _AUX_NOT_BEFORE.search(m.sentence.text, max(0, m.start - m.sentence.start - 20),
                                  m.start - m.sentence.start) is not None


def _names_care(text: str) -> bool:
    """Whether `text` names conservative care or a drug of the lexicon."""
    return _says_conservative_words(text) or drug_names().names_a_drug(text)


class FunctionAndCareFacts:
    """What the summary says of function and of conservative care (built once per case): whether care
    improved function, and whether it was tried and failed or not tried yet."""

    def __init__(self, summary: AnalysedText, families: Sequence[str] = (),
                 headings: Sequence[str] = ()) -> None:
        """`families`: each requested service's family (what the letter requests), in any order; `headings`:
        the services' headings (the care requested, read where the summary tells it never tried)."""
        self.summary = summary
        self.families = frozenset(families)
        self.headings = tuple(headings)
        self._care_had: dict[int, bool] = {}  # summary sentence index -> whether it tells of care had

    def _polar(self, positive: str, negative: str) -> list[tuple[str, Mention]]:
        """(yes|no, mention) for each usable statement: `positive` affirmed = yes, negated = no;
        `negative` affirmed = no. Possible, conditional ("if", "requires") or other people's statements
        say nothing. Under a request or decision (`_request_triggers`) an improvement says nothing ("PT
        was requested to restore function") but a lack of it is the decision's reason ("the request
        was denied for lack of functional improvement" is a no)."""
        out = []
        for concept, sign in ((positive, YES), (negative, NO)):
            for m in self.summary.mentions(concept):
                cats = m.assertion.categories
                if cats & {Category.POSSIBLE, Category.FAMILY} or _conditional(m):
                    continue
                if sign == YES and _verb_denied(m):
                    cats = cats | {Category.NEGATED}  # "did not increase her walking tolerance" (s45 r117)
                if sign == NO or Category.NEGATED in cats:
                    if _lack_of_a_symptom(m):
                        continue  # "the pain did not improve with rest": the pain's, not function (s42)
                if Category.NEGATED in cats:
                    if sign == YES:
                        out.append((NO, m))
                    continue
                if Category.HYPOTHETICAL in cats and sign == YES:
                    continue
                if sign == YES and helped_by_person(m):  # "a co-worker helps him lift boxes" (session 21)
                    continue
                out.append((sign, m))
        out.sort(key=lambda x: x[1].start)
        return out

    @cached_property
    def function_statements(self) -> list[tuple[str, Mention]]:
        polar = self._polar("functional_improvement", "functional_decline")
        found = [*polar, *self._ability_with_care()]
        seen = {m.sentence.index for _, m in found}  # a sentence the concept rules read is left to them,
        # unless all they read there is a limit that remains: a gain told before it ("with the medication he
        # walks 25 minutes, but he cannot run") is read by structure too (round 15)
        # (session 37, round-69 kind K6: nor a bare lack of help from care, "chiro (no benefit), ESI x 2 (...;
        # allowed return to full duty)": it says nothing of function, so the gain beside it is read)
        # (session 44, round-110 K4: nor a plateau, which presupposes the gain told before it)
        plateau = function_lexicon().plateau
        limits_only = seen - {m.sentence.index for v, m in found if v == YES or (
            m.concept != "ability" and not _bare_lack(m) and not plateau.search(m.text))}
        structure = function_changes(
            self.summary, care_named=_names_care, care_had_in=self._care_had_through,
            record_voice=lambda m: (m.author != UR_REVIEWER or _relayed(m)) and not _conditional(m),
            operation_had_in=self._operation_had_in)
        found += [(v, m) for v, m in structure if m.sentence.index not in seen
                  or (m.sentence.index in limits_only and v == YES)]
        # session 32 (round-52 kind D1): a sentence telling the present work status is a status, not a lack
        # of improvement from care ("has not returned to driving a bus and works part time"); a lack said in
        # words ("without functional improvement and works modified duty") still is
        status = value_patterns()["work_status_told"]
        found = [(v, m) for v, m in found
                 if v == YES or m.concept != "ability" or not status.search(m.sentence.text)]
        # session 34 (round-54 leftover): nor is a job left told beside care, the worker its subject ("she has
        # had acupuncture and is no longer working"), by the structure the failure reader reads it with; a
        # blanket "no longer working" is not read either way (experiments/extractor-rules.md, round 5)
        found = [(v, m) for v, m in found if v == YES or not workers_status_beside_care(
            m.sentence.text, m.start - m.sentence.start, m.end - m.sentence.start)]
        # session 41 (ruling R5, round-90 kind K3a): a gain of sleep alone is no gain of function, nor is the
        # limit inside the credit it was read from a limit on care ("without it she cannot sleep": not "no")
        sleep = [m for v, m in found if v == YES and _sleep_alone(m)]
        found = [(v, m) for v, m in found if not any(
            m is g or (v == NO and g.start <= m.start and m.end <= g.end) for g in sleep)]
        return sorted(found, key=lambda x: x[1].start)

    def _ability_with_care(self) -> list[tuple[str, Mention]]:
        """An ability the sentence credits to a named treatment ("with Norco he is able to do chores",
        "since starting gabapentin she has been able to walk a mile", "an injection gave relief, during which
        he could walk a mile": care named before it or after a crediting word): yes; negated ("on the
        medication he is still not able to work"): no. An ability with no treatment named says nothing."""
        credit = value_patterns()["treatment_credit"]
        changed = value_patterns()["ability_change"]
        persisting = value_patterns()["ability_persisting"]
        out = []
        for m in self.summary.mentions("ability"):
            cats = m.assertion.categories
            if (m.author == UR_REVIEWER and not _relayed(m)) or cats & {
                    Category.POSSIBLE, Category.FAMILY, Category.HYPOTHETICAL}:
                continue
            text = m.sentence.text
            before = text[:m.start - m.sentence.start]  # care named before it
            named = _names_care(before) or any(
                _names_care(text[c.end():c.end() + CREDIT_WINDOW]) for c in credit.finditer(text))
            at, end = m.start - m.sentence.start, m.end - m.sentence.start
            since_care = value_patterns()["ability_since_care"].search(text, 0, end)
            if not named and (since_care or changed.search(m.text) or persisting.search(m.text)
                              or value_patterns()["ability_more_than_before"].match(text, end)
                              or self._course_done_in(m.sentence.index - 1)) \
                    and not work_status_given(text, at, end):
                # "can now reach", "has resumed", "remains unable to sit": said against care just told; a
                # work status given ("was returned to modified duty") only in its own sentence (round-59 K4)
                named = self._care_had_through(m.sentence.index - 1)
            if not named and changed.search(m.text):  # "... now walks two miles. That is up from half a
                named = self._measured_against_care(m.sentence.index + 1)  # mile before X was started."
            if function_lexicon().baseline_measure.search(before):
                continue  # "baseline testing showed he could sit 20 minutes": before care, no gain (round 62)
            if _conditional(m) or not named or any(c.sentence is m.sentence for c in self._care_not_had):
                continue  # "declined PT because he could not get time off work": care not had credits nothing
            negated = Category.NEGATED in cats or _NOT_ABLE.search(m.text) \
                or _ONLY_SO_MUCH.search(m.text)  # "can only walk one block" is a limit (round 15)
            if value_patterns()["ability_only_so_much"].match(text, end):
                negated = True  # "could walk only one block" (session 39)
            if function_lexicon().less_than_before.search(text):
                negated = True  # "now walks only to her mailbox, where she used to walk a mile": a decline
            if function_lexicon().return_undone.search(text, end):
                negated = True  # "returned to modified duty but was taken off work again" (round-68 K6)
            if _no_change_of(before):
                negated = True  # "without any change in pain or in what he can do" (round 15)
            if value_patterns()["ability_impaired"].match(text, end):
                continue  # "now walks with a limp": done in an impaired way, no gain (session 42, r98 K3)
            if not negated and return_for_money(text, at, end):
                continue  # "returned to work for financial reasons": no care's gain (session 45, r118 K3)
            if negated and help_denied(m):
                continue  # "his wife can no longer help him bathe": the helper's loss (session 43, r103 K1b)
            if aid_still_needed(text, end):
                # "now walks with a walker" after care: an aid still needed, no gain and no lack (the lead's
                # ruling R3, session 42, round-100 K6); "could walk only with a walker": a limit (session 20)
                if not (negated or _ONLY_AID.match(text, end)):
                    continue
                negated = True
            if negated and value_patterns()["ability_against_before"].search(
                    text, max(0, m.start - m.sentence.start - 20), m.end - m.sentence.start):
                negated = False  # "which he could not do on morphine": done now, not before
            out.append((NO if negated else YES, m))
        return out

    def _course_done_in(self, index: int) -> bool:
        """Whether summary sentence `index` tells a course of care completed ("He had completed twelve therapy
        visits."), in the record's words: an ability told in the next sentence is its result, "now" or not
        (session 38, round-75 kind K3; `course_done` in function_lexicon.yaml). Not a course told stopped
        before its end after it ("attended four sessions and stopped because of his work schedule"): a course
        cut short has no result to tell (session 40, round-89 kind K3; `course_stopped`)."""
        if index < 0:
            return False
        s = self.summary.sentences[index]
        lex = function_lexicon()
        done = lex.course_done.search(s.text) if s.author != UR_REVIEWER else None
        return done is not None and lex.course_stopped.search(s.text, done.end()) is None

    def _care_had_in(self, index: int) -> bool:
        """Whether summary sentence `index` tells of care had (a treatment or a drug of the lexicon named,
        not requested, negated or another person's; not the UR's own words): what an ability regained
        in the next sentence follows ("She completed 12 sessions of PT. She can now reach overhead.")."""
        if index < 0:
            return False
        if index not in self._care_had:  # asked again for the same sentence by every ability after it
            self._care_had[index] = self._read_care_had(self.summary.sentences[index])
        return self._care_had[index]

    def _care_had_through(self, index: int) -> bool:
        """`_care_had_in`, looking through a sentence of the record that tells only of care not had ("She has
        not had chiropractic treatment."): care never tried says nothing of the gains of care told before it,
        so it does not put that care out of a gain's reach (session 33, round-54 kind K4)."""
        while index >= 0 and not self._care_had_in(index) and index in self._not_had_sentences:
            index -= 1
        return self._care_had_in(index)

    @cached_property
    def _not_had_sentences(self) -> frozenset[int]:
        """The sentences in which the record (not the UR's own words) says care was not had or tried yet."""
        return frozenset(m.sentence.index for m in self.not_tried()
                         if m.author != UR_REVIEWER or _relayed(m))

    def _operation_had_in(self, index: int, before: int | None = None) -> bool:
        """Whether summary sentence `index` tells of an operation done on the worker (before character
        `before` of the summary, when given): a `surgery` mention not requested, negated, possible or another
        person's, not the UR's own words, not a biopsy, scope or stent (`procedure_not_operation`): the
        treatment a return to an activity told after it is credited to (session 25)."""
        if index < 0:
            return False
        s = self.summary.sentences[index]
        end = s.end if before is None else before
        procedures = self.summary.mentions("procedure_not_operation")
        return s.author != UR_REVIEWER and any(
            s.start <= m.start and m.end <= end and not m.assertion.categories & _DONE and not _conditional(m)
            and not any(p.start <= m.start and m.end <= p.end for p in procedures)
            for m in self.summary.mentions("surgery"))

    def _operation_between(self, a: Mention, b: Mention) -> bool:
        """Whether an operation done is told after the earlier sentence of `a` and `b`, up to the later one:
        what each tells is of another period of care (before the operation, after it)."""
        first, last = sorted((a.sentence.index, b.sentence.index))
        return any(self._operation_had_in(i) for i in range(first + 1, last + 1))

    def _read_care_had(self, s: Sentence) -> bool:
        if s.author == UR_REVIEWER:
            return False
        spans = _conservative_words().spans(s.text)
        drugs = drug_names()
        spans += [m.span() for m in _DRUG_WORD.finditer(s.text) if drugs.is_name(m.group(0))]
        for a, b in spans:
            m = self.summary.mention("therapy", s.start + a, s.start + b)
            if m is not None and not m.assertion.categories & _DONE and not _conditional(m):
                return True
            # a course granted, then done in part ("was authorized 10 sessions of CBT and has completed 6 of
            # them"): had, though the grant reads it as to come (session 42, round-101 K7)
            if m is not None and m.assertion.categories == {Category.HYPOTHETICAL} and not _conditional(m) \
                    and function_lexicon().granted_course_done.search(s.text, b):
                return True
        return False

    def _measured_against_care(self, index: int) -> bool:
        """Whether summary sentence `index` measures the ability told just before it against the time before
        or without care it names ("That is up from half a mile before Butrans was started"), in the record's
        words (not the UR's)."""
        if index >= len(self.summary.sentences):
            return False
        s = self.summary.sentences[index]
        found = value_patterns()["gain_against_before"].search(s.text)
        return s.author != UR_REVIEWER and found is not None and _names_care(s.text[found.start():])

    def functional_improvement(self) -> Extraction:
        """yes / no / not_stated: the record's last statement; else the UR's 'no functional benefit' (no).
        A 'yes' that names no function or activity ("with some benefit"; an ability always names one) in a
        record that also says care did not help or helped too briefly (`_care_outcomes`) is a mixed record:
        not stated."""
        # session 45 (round-115 kind K5, ruling R5): as help with sleep alone is no gain of function, a lack
        # told of sleep alone ("without improvement in sleep", "did not improve her sleep") is no lack of
        # function; it stays a statement for the failed-care reader (care that did not help)
        statements = [(v, m) for v, m in self.function_statements if not (v == NO and _sleep_alone(m))]
        record = [(v, m) for v, m in statements
                  if m.author != UR_REVIEWER or (v == YES and _relayed(m))]
        # a limit that remains after a gain told in the same sentence ("he can climb stairs, but he is still
        # not able to run") does not undo the gain
        record = [(v, m) for v, m in record if not (v == NO and m.concept == "ability" and any(
            w == YES and n.sentence is m.sentence and n.start < m.start for w, n in record))]
        # session 44 (rounds 108 A, 110 K4, 112 K5, 113 K6): nor does one told in a later sentence that tells
        # no care had ("still needs help with bathing", "has not returned to work", "had stopped golfing"):
        # a standing limit, not a lack of improvement of the care whose gain is told (a loss told with a word
        # of reversal is `_ability_lost_after`'s)
        record = [(v, m) for v, m in record if not (v == NO and self._standing_limit_after_gain(m, record))]
        # round 28: a course of care "without improvement" (nothing said of function) does not undo a gain in
        # function the record credits to care elsewhere; it is the record's value only where no gain is told
        if any(v == YES for v, _ in record):
            record = [(v, m) for v, m in record if not (v == NO and _course_without_gain().search(m.text))]
        # session 38 (round-77 kind K6b): a bare "with some benefit" told last does not make a mixed record
        # of one where a gain of an activity is told ("Since the switch she has been able to resume
        # driving"): the gain stands; a record whose only gain is bare stays mixed (below); not a bare gain
        # told in a sentence of care that helped too briefly ("had helped for only two weeks": round 57)
        if any(v == YES and not self._bare_benefit(v, m) for v, m in record):
            while record and self._bare_benefit(*record[-1]) and not any(
                    o.sentence is record[-1][1].sentence for o in self._care_outcomes):
                record = record[:-1]
        if record:
            value, m = record[-1]
            lost = self._ability_lost_after(m) if value == YES else None
            if lost is not None:  # round 32: a gain at one visit, the ability lost again at a later one
                return Extraction(NO, lost.span())
            # (a block's short relief too, though no failed care: relief for a day is no gain in function)
            if self._bare_benefit(value, m):
                return Extraction(NOT_STATED, None)
            return Extraction(value, m.span())
        ur_no = [m for v, m in statements if v == NO]
        if ur_no:
            return Extraction(NO, ur_no[0].span())
        return Extraction(NOT_STATED, None)

    def _standing_limit_after_gain(self, m: Mention, record: list[tuple[str, Mention]]) -> bool:
        """Whether limit `m` leaves a gain of the record told before it standing (session 44, rounds 108 A,
        110 K4, 112 K5, 113 K6): an ability not done, told in a later sentence with no care had named before
        it there, of no activity a gain was told of ("improved his stair climbing" ... "had stopped golfing":
        what the care did not reach; "could dress himself" ... "renewed difficulty dressing" is the gain
        lost); or a plateau that tells no lack in its phrase ("had plateaued in therapy", not "plateaued
        with no further gains"), which presupposes the gains it follows. Not a gain in a sentence telling a
        lack."""
        text, at = m.sentence.text, m.start - m.sentence.start
        if m.concept == "ability":
            # care had, named before it in its sentence ("despite PT she still cannot lift"), ties it to care
            if self._care_had_in(m.sentence.index) and _names_care(text[:at]):
                return False
            limited = activity_stems(text[at:])
        elif m.concept == "functional_decline" and function_lexicon().plateau.search(m.text) \
                and not _LACK_WORD.search(_PLATEAU_PHRASE_END.split(_statement_words(m))[0]):
            limited = frozenset()
        else:
            return False
        mixed = {n.sentence.index for w, n in record if w == NO and n is not m}
        gains = [n for w, n in record if w == YES and n.start < m.start and not self._bare_benefit(w, n)
                 and n.sentence.index not in mixed
                 and (m.concept != "ability" or n.sentence.index < m.sentence.index)]
        return bool(gains) and not any(limited & activity_stems(_statement_words(n)) for n in gains)

    def _bare_benefit(self, value: str, m: Mention) -> bool:
        """Whether `m` is a gain that names no function or activity ("with some benefit"; an ability or a
        scale always names one) in a record that also says care did not help or helped too briefly
        (`_care_outcomes`)."""
        if value != YES or not self._care_outcomes or m.concept in ("ability", "function_change"):
            return False
        words = _the_person().sub(" ", _statement_words(m))
        return not value_patterns()["function_words"].search(words) \
            and not function_lexicon().activity.search(words)

    def _ability_lost_after(self, gain: Mention) -> Mention | None:
        """An ability the record says was lost again in a sentence after the gain `gain` ("can now lift to
        shoulder height" ... at a later visit "she could no longer lift", "worse; she cannot lift overhead"):
        not able, with a word of reversal in its sentence (`ability_lost_again`), not the UR's, possible,
        conditional or another person's. A limit told with no reversal is one that remains, not a loss."""
        lost_again = value_patterns()["ability_lost_again"]
        for m in self.summary.mentions("ability"):
            if m.sentence.index <= gain.sentence.index or (m.author == UR_REVIEWER and not _relayed(m)):
                continue
            cats = m.assertion.categories
            if cats & {Category.POSSIBLE, Category.FAMILY, Category.HYPOTHETICAL} or _conditional(m):
                continue
            if help_denied(m):
                continue  # "his wife can no longer help him bathe": the helper's loss (session 43, r103 K1b)
            if (Category.NEGATED in cats or _NOT_ABLE.search(m.text)) and lost_again.search(m.sentence.text):
                return m
        return None

    def failed_conservative_care(self) -> Extraction:
        """yes = the record says a treatment was tried and did not help; no = not tried yet or inadequate
        (the UR's words count here, as the protocol says); else not_stated (the UR's 'no documented
        failure' alone is not a 'no')."""
        value, statements = self.failed_care_reading
        return Extraction(value, statements[0].span() if statements else None)

    @cached_property
    def failed_care_reading(self) -> tuple[str, list[Mention]]:
        """The value of failed conservative care and every statement that gives it, the deciding one
        first (the rest are evidence a checklist may quote instead: the record's own before the UR's)."""
        # the record also says care helped: a failure of that care is in doubt, unless a later visit says it
        # failed (session 33, round-52 kind A: the latest visit before the request decides); care tried that
        # did not help (a side-effect stop included) is failed care whatever other care helped and whatever
        # care is not tried yet (session 36, the lead's ruling on rounds 63 and 64)
        helped = [h for h in self._care_helped if not help_outdated(self.summary, h, self._care_failures)]
        clear = [f for f in self._care_failures if not any(help_doubts_failure(h, f) for h in helped)]
        if clear:
            return YES, clear
        mixed = bool(helped)
        # care after an operation not yet started is no conservative care not tried (round 15)
        not_tried = [m for m in self.not_tried() if not after_an_operation(self.summary, m)]
        if not_tried:
            return NO, not_tried
        worse = self._worse_after_treatment()
        if worse is not None and not mixed:
            return YES, [worse]
        return NOT_STATED, []

    def not_tried_only_by_ur_claim(self) -> bool:
        """Whether failed care is "no" only by the UR's claim that care was not attempted, in a summary whose
        record lists care already given (session 24 nurse check: therapy and drugs listed as had, against the
        UR's account that the worker never tried conservative care): every
        statement giving the "no" stands in a UR sentence (not relaying the record) that claims care not
        tried, not what the records show ("no documented conservative care so far" stays the UR's finding of
        inadequate care). The fact keeps the protocol's "no"; a checklist reads the record's list over the
        UR's claim."""
        value, statements = self.failed_care_reading
        if value != NO or not statements or not any(
                m.author != UR_REVIEWER and not m.assertion.categories & _DONE
                for m in self.summary.mentions("treatment_done")):
            return False
        claims = {m.sentence.index for m in self.summary.mentions("care_not_tried")
                  if m.author == UR_REVIEWER and not _relayed(m)
                  and not _RECORDS_CLAIM.search(m.sentence.text)}
        return all(m.author == UR_REVIEWER and not _relayed(m) and m.sentence.index in claims
                   for m in statements)

    @cached_property
    def _care_failures(self) -> list[Mention]:
        """The record's statements that care was tried and did not help (`_care_outcomes`), less a diagnostic
        or sympathetic block's short relief: its expected response, not failed care (session 35)."""
        return [m for m in self._care_outcomes if not blocks_expected_response(self.summary, m)]

    @cached_property
    def _care_outcomes(self) -> list[Mention]:
        """The record's statements that care did not help or helped too briefly: affirmed (or historical),
        not the UR's, not an operation's, not of another condition, with the care named."""
        unrelated = value_patterns()["unrelated_condition"]
        record_voice = self._failure_in_record_voice
        failed = [m for m in self.summary.mentions("failed_care")
                  if (m.affirmed or m.assertion.categories == {Category.HISTORICAL})
                  # the UR quoting the physician is the record; its "did not document" is its own finding
                  and record_voice(m)
                  and not self._of_an_operation(m) and not operation_failed_after_care(m.text)
                  and self._care_named_for(m)
                  and not unrelated.search(m.sentence.text) and not care_is_another_persons(self.summary, m)
                  # "he tried acupuncture and is no longer working": the worker's status (session 34)
                  and not workers_status_beside_care(m.sentence.text, m.start - m.sentence.start,
                                                     m.end - m.sentence.start)]
        drugs = drug_names()  # "failed topiramate", "gabapentin caused sedation": the named word is a drug
        failed += [m for m in self.summary.mentions("drug_failed")
                   if (m.affirmed or m.assertion.categories == {Category.HISTORICAL})
                   and (m.author != UR_REVIEWER or m.sentence.index in self._told_against_a_claim_not_tried)
                   and drugs.names_a_drug(m.text)
                   and not unrelated.search(m.sentence.text)
                   and not effect_of_a_drug_kept(m, failed_care_lexicon())]  # tolerated (session 42)
        # care + an outcome that it did not help, linked in a clause (features/failed_care.py, round 9)
        structural = [m for m in failed_care_statements(
            self.summary, record_voice=record_voice, conditional=_conditional,
            care_had_in=self._care_had_in)
            if not self._of_an_operation(m) and not unrelated.search(m.sentence.text)]
        # a drug stopped for a side effect told by the effect ("creatinine had risen, and the meloxicam was
        # held": features/side_effect_stops.py, session 40, round-88 kind K1)
        failed += [m for m in side_effect_stops(
            self.summary, record_voice=record_voice, conditional=_conditional)
            if not unrelated.search(m.sentence.text)]
        gains = [m for v, m in self.function_statements
                 if v == YES and (m.author != UR_REVIEWER or _relayed(m))]
        if gains:
            # a symptom that persists beside a gain in function is a mixed record, no failure (round 15); so
            # is a limit left after a gain told before it in its sentence ("he can write his name again, but
            # he still cannot lift a case": session 20)
            lex = failed_care_lexicon()
            # (session 40, round-89 kind K8: only a gain of the same period; care before an operation that
            # left the ankle giving way and a gain after post-operative therapy are two periods, not a mix;
            # session 43, round-106 kind K5: only a gain of the same care, or of care unnamed
            # (`of_other_care`): a return to duty after hand therapy leaves the triggering that came back
            # after injections their failure)
            structural = [m for m in structural if not (
                lex.lingering.search(m.text)
                and any(not self._operation_between(g, m) and not of_other_care(g, m)
                        for g in gains)) and not (
                lex.limit_lingering.search(m.text)
                and any(g.sentence is m.sentence and g.start < m.start for g in gains))]
        failed += structural
        return sorted([*failed, *self._no_function_after_care()], key=lambda m: m.start)

    def _failure_in_record_voice(self, m: Mention) -> bool:
        """`_failure_in_record_voice`, and a failure told in a cue-less sentence that the UR's account carries
        after its claim that care was not tried (`_told_against_a_claim_not_tried`)."""
        return _failure_in_record_voice(m) or m.sentence.index in self._told_against_a_claim_not_tried

    @cached_property
    def _told_against_a_claim_not_tried(self) -> frozenset[int]:
        """The sentences with no author's cue of their own that the UR's account carries after its claim that
        care was not tried ("The UR noted no trial of physical therapy. He had 12 sessions of PT without
        benefit."): a failure of care told there contradicts the claim, so it is the record set against it,
        not the UR arguing on (ruling R4: the record's failure wins whatever the order; session 45)."""
        claims = {m.sentence.index for m in self.summary.mentions("care_not_tried")
                  if m.author == UR_REVIEWER}
        if not claims:
            return frozenset()
        rules, out, claimed = load_author_rules(), set(), False
        for s in self.summary.sentences:
            if s.author != UR_REVIEWER:
                claimed = False
            elif s.index in claims:
                claimed = True
            elif claimed and rules.author_of(s.text) is None:
                out.add(s.index)
        return frozenset(out)

    def _no_function_after_care(self) -> list[Mention]:
        """The record's explicit lack of function ("no functional gain", "function has not improved") in a
        sentence that tells of care had: that care was tried and did not help. A remaining limit alone
        ("still cannot kneel") is not a failure, nor is a lack of records ("without documentation of
        functional improvement"). The worker unchanged as a whole is said of care told in the sentences just
        before too (round 20: "He had 12 sessions of PT. He says he is no better after all of that."). A
        decline ("his function declined") is a worsening: the clause reader's exceptions hold (session 37)."""
        undocumented = value_patterns()["undocumented_before"]
        lex = failed_care_lexicon()
        undocumented_after = lex.undocumented_after  # "... no gains were cited" (round 48)
        text = self.summary.text
        return [m for v, m in self.function_statements
                if v == NO and m.concept != "ability" and m.author != UR_REVIEWER
                and not undocumented.search(text, max(m.sentence.start, m.start - 60), m.start)
                and not undocumented_after.match(text, m.end)
                # function made worse ("his function declined") after a fall, or another person's (session 37)
                and not (lex.worsened.search(m.text) and worsening_not_of_care(self.summary, m, _conditional))
                and not self._of_an_operation(m) and any(self._care_had_in(m.sentence.index - k) for k in
                                                         range(self._care_lookback_of(m) + 1))]

    @staticmethod
    def _care_lookback_of(m: Mention) -> int:
        """Sentences back in which a lack of function may find its care: the worker unchanged as a whole
        ("he is no better") may look back; any other lack is said of care in its own sentence."""
        return CARE_LOOKBACK if function_lexicon().no_change_state.search(m.text) else 0

    def care_helped_statement(self) -> Mention | None:
        """The record's first statement that a treatment helped, when no failure of care is stated beside it
        (session 25 nurse check: care that helped has not failed, for a study or an operation that would
        follow failed care); None otherwise."""
        if self.failed_care_reading[0] != NOT_STATED or not self._care_helped or self._care_failures:
            return None  # a failure told beside the help is a mixed record
        return self._care_helped[0]

    @cached_property
    def _care_helped(self) -> list[Mention]:
        """The record's statements that a treatment helped ("therapy has helped", "with some benefit"),
        affirmed and not the UR's: beside a failure of care they make the record mixed."""
        wished = value_patterns()["course_effect_wished"]  # "hoping for relief from therapy" (session 25)
        text = self.summary.text
        # help the record itself tells as too short to count ("the injection was helpful for about two weeks",
        # read as a failure by its length) is that failure, not help beside it (session 25, round-28 kinds: a
        # list "none of which gave lasting benefit" and one of its care that helped for a while); so is a
        # block's short relief, its expected response (session 35: "the stellate ganglion block was helpful
        # for a day" is neither failure nor help of conservative care)
        failures = [(f.start, f.end) for f in self._care_outcomes]
        return [m for m in self.summary.mentions("care_helped")
                if (m.affirmed or m.assertion.categories == {Category.HISTORICAL})
                and m.author != UR_REVIEWER
                and not wished.search(text, max(m.sentence.start, m.start - 30), m.start)
                and not any(a <= m.start and m.end <= b for a, b in failures)]

    def _of_an_operation(self, m: Mention) -> bool:
        """A failure said in a sentence that names an operation and no conservative care: the operation
        did not help, which is not failed conservative care."""
        s = m.sentence
        if not any(o.sentence is s for o in self.summary.mentions("surgery")):
            return False
        return not _says_conservative_words(s.text)

    def _care_named_for(self, m: Mention) -> bool:
        """A failure names the care that failed in its sentence ("PT gave no relief", "ibuprofen gave no
        relief": a drug of the lexicon), or the record lists care given ("Treatment to date has included
        PT", before or after it); "no better" with no care named anywhere says nothing of conservative
        care. A program of weight loss or diet is care named too (`program_care`, session 45)."""
        if _names_care(m.sentence.text) or value_patterns()["program_care"].search(m.sentence.text):
            return True
        return any(d.author != UR_REVIEWER and not d.assertion.categories & _DONE
                   for d in self.summary.mentions("treatment_done"))

    def _worse_after_treatment(self) -> Mention | None:
        """Pain getting worse in the record after the record lists treatment already given (in that
        order, as the record tells it): care that was tried and did not help (how the annotators read
        "treatment has included ... On <date> she complained of increasing pain"), unless the clause
        reader's exceptions say it is no outcome of care (`worsening_not_of_care`, session 37: put down to a
        fall, the reason for care, another person's, denied, hypothetical, of another region)."""
        done = [m for m in self.summary.mentions("treatment_done")
                if m.author != UR_REVIEWER and not m.assertion.categories & _DONE]
        if not done:
            return None
        first = min(m.start for m in done)
        for m in self.summary.mentions("worsening"):
            if m.start > first and m.author != UR_REVIEWER \
                    and not worsening_not_of_care(self.summary, m, _conditional):
                return m
        return None

    def not_tried(self) -> list[Mention]:
        """Statements that care was not tried yet or not adequately: explicit ones, and conservative care
        negated (UR finding no documented conservative care) unless the sentence is about a failure. Not
        a drug's step therapy ("has not tried non-opioid analgesics": the drug's own criterion), and not
        missing records or outcome of care that was had ("no therapy notes", "the response to PT was not
        documented")."""
        p = value_patterns()
        text = self.summary.lower
        # an injection or a device not had: in a UR sentence only, its claim relayed or not (R4, round-102 K3)
        ur_only = p["care_not_tried_ur_only"]
        out = [m for m in self.summary.mentions("care_not_tried")  # a requested first course: not tried yet
               if not m.assertion.categories & {Category.NEGATED, Category.FAMILY} and not _conditional(m)
               and not any(d.end() > m.start for d in
                           p["care_done_before"].finditer(text, max(m.sentence.start, m.start - 40), m.end))
               and not (ur_only.search(m.text) and m.author != UR_REVIEWER)]
        failure = p["failure_word"]
        out += [m for m in self.summary.mentions("conservative_care")
                if Category.NEGATED in m.assertion.categories and not failure.search(m.sentence.text)]
        out = [m for m in out if self._about_care_had(m)]
        out += self._requested_not_tried
        # care offered and declined or not attended, linked in its clause (features/failed_care.py, round 10)
        out += self._care_not_had
        # session 29 (round-42 kind K4b): more of a course told as not attended ("four more sessions were
        # authorized, which she did not attend", `care_increment_before`): its course was had
        more = p["care_increment_before"]
        out = [m for m in out if not more.search(text, max(m.sentence.start, m.start - 30), m.start)]
        return sorted(out, key=lambda m: m.start)

    @cached_property
    def _requested_not_tried(self) -> list[Mention]:
        """A requested drug, medical food or counselling told as never tried or not had ("has never tried
        Butrans", "has had no CBT": session 45, ruling R17, round-119 K4, round-115 K2), read once; the
        record's own injection never had stays the UR's claim only (`care_not_tried_ur_only`), as for any
        care."""
        ur_only = value_patterns()["care_not_tried_ur_only"]
        return [m for m in requested_care_not_tried(self.summary, self.headings)
                if not m.assertion.categories & {Category.NEGATED, Category.FAMILY} and not _conditional(m)
                and not (ur_only.search(m.text) and m.author != UR_REVIEWER)]

    @cached_property
    def drugs_not_tried(self) -> list[Mention]:
        """Statements that a drug was not tried yet ("has not tried NSAIDs", "no trial of gabapentin"): a
        `drug_tried` mention ConText negates, or a `drug_not_tried` one ("NSAIDs were not tried") it does not
        (the UR's words too, as for care not tried), not a condition, a request or another person's, and not
        one its clause gives a reason for (a drug not taken because of an ulcer is one not tolerated). Which
        drug it names is for `features.care_kinds` to read."""
        text = self.summary.text
        reason = value_patterns()["not_taken_reason_after"]
        said = [m for m in self.summary.mentions("drug_tried") if Category.NEGATED in m.assertion.categories]
        said += [m for m in self.summary.mentions("drug_not_tried")  # "NSAIDs were not tried": its own words
                 if Category.NEGATED not in m.assertion.categories]
        return sorted((m for m in said if not m.assertion.categories & _NOT_THE_WORKERS
                       and not _conditional(m) and not reason.match(text, m.start, m.sentence.end)),
                      key=lambda m: m.start)

    @cached_property
    def _care_not_had(self) -> list[Mention]:
        """Care the worker declined or could not attend, in the record's words (or the UR relaying them)."""
        return care_not_had_statements(
            self.summary, record_voice=lambda m: m.author != UR_REVIEWER or _relayed(m))

    def _about_care_had(self, m: Mention) -> bool:
        """Whether a not-tried mention says care was not had (not a drug, records or an outcome)."""
        p = value_patterns()
        text = self.summary.lower
        obj = m.text.lower().split()[-3:]
        if p["drug_object"].search(" ".join(obj)) and not (
                "medication" in self.families and p["prescribed_not_begun"].search(m.text)):
            return False  # a drug class not tried: step therapy, not care (a requested drug not begun is)
        if p["care_outcome_before"].search(text, max(m.sentence.start, m.start - 50), m.start):
            return False
        return not p["care_records_after"].match(text[m.end:min(m.sentence.end, m.end + 30)])
