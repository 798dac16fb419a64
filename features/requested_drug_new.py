"""Whether a requested drug is new to the worker: the summary tells the drugs the worker takes or took
("Treatment has included baclofen and ibuprofen", "Prior treatment included Norco") and names the requested
drug only where it is asked for, recommended or denied (session 23 nurse check: a drug already in use
continues only with documented benefit, a criterion that does not apply to a first prescription).

Read from structure: the drug lexicon's names (the heading's own names, the other names of the same drug
and its class words; for a topical, the words for a topical had), each mention's ConText assertion
(requested, recommended, denied, possible or another person's tell no use) and its sentence's author
(the UR's account tells no use either). A summary that names no drug the worker had says nothing, so the
answer is then unknown, not new, unless it says the worker takes none (session 24: "she takes no
medications", the generic word negated in the record's words, not a list said to be missing) or tells the
requested drug as started now (session 25: "a trial of nortriptyline", "to receive tramadol")."""

from __future__ import annotations

import re

from features.analysis import AnalysedText, Mention
from features.assertion_sets import NOT_DONE
from features.assertions import Category
from features.authors import UR_REVIEWER
from features.drug_names import drug_names, name_pattern
from features.evidence import Extraction
from features.heading_drugs import heading_drug_names
from features.value_patterns import value_patterns

# a topical had, its name not given ("topical analgesic creams", "a compounded gel")
_TOPICAL_HAD = re.compile(
    r"\b(?:topicals?|creams?|gels?|lotions?|ointments?|patch(?:es)?|compound(?:ed|s)?)\b", re.IGNORECASE)
# the summary says its list of drugs is missing ("The patient's current medication regimen was not provided")
_LIST_MISSING = re.compile(
    r"\b(?:medications?|medication (?:regimen|list)|meds)\s+(?:was|were|is|are)\s+not\s+"
    r"(?:provided|specified|documented|listed|indicated|available|included)\b", re.IGNORECASE)
_NOT_THE_WORKERS = frozenset({Category.FAMILY, Category.NEGATED})  # another's drug, or a start denied
_PERCENT = re.compile(r"\d\s*%")  # a strength in percent: a compounded topical ("Flurbiprofen 10%, ...")


def _had(m: Mention) -> bool:
    """The record tells of the worker's own use of the drug named (now or before)."""
    return m.author != UR_REVIEWER and not m.assertion.categories & NOT_DONE


def _told_as_had(summary: AnalysedText, pattern: re.Pattern[str]) -> bool:
    for found in pattern.finditer(summary.text):
        m = summary.mention("drug_in_use", found.start(), found.end())
        if m is not None and _had(m) and not _started_now(summary, m, found.start()):
            return True
    return False


def _started_now(summary: AnalysedText, m: Mention, start: int) -> bool:
    """The drug named at `start` is told as started now, right after `drug_start_before` ("a trial of
    nortriptyline"), with no verb telling that start as past before it (`drug_start_past`: "was started on a
    trial of"): a first prescription, no use had (session 25 nurse check)."""
    p = value_patterns()
    cue = p["drug_start_before"].search(summary.text, max(m.sentence.start, start - 40), start)
    return cue is not None and not p["drug_start_past"].search(
        summary.text, max(m.sentence.start, cue.start() - 40), cue.start())


def _none_taken(summary: AnalysedText) -> bool:
    """The record says the worker takes no medication: the generic word negated in a sentence that is not
    the UR's, does not say a list is missing ("No medications were listed" tells nothing taken or not) and
    excepts no drug from the none ("other than ibuprofen")."""
    patterns = value_patterns()
    for found in patterns["medication_words"].finditer(summary.text):
        m = summary.mention("drug_in_use", found.start(), found.end())
        if m is None or m.author == UR_REVIEWER or Category.NEGATED not in m.assertion.categories:
            continue
        if not patterns["medication_list_words"].search(m.sentence.text) \
                and not patterns["medication_exception"].search(m.sentence.text):
            return True
    return False


def requested_drug_new(summary: AnalysedText, heading: str) -> bool | None:
    """True when the summary tells other drugs the worker had, or says the worker takes none, and the
    heading's drug as had by none of its names, nor its class ("muscle relaxants"), nor, for a topical, a
    topical's words ("creams"); None when it tells the drug as had, tells neither, says its list of drugs
    is missing, or the heading names no drug of the lexicon."""
    own, others, classes = heading_drug_names(heading)
    if (not own and not others) or _LIST_MISSING.search(summary.text):
        return None  # no drug named, or the drugs the worker takes are said not to be given
    names = [*own, *others, *classes]
    requested = re.compile(rf"\b(?:{'|'.join(name_pattern(n) for n in names)})(?:e?s)?\b", re.IGNORECASE)
    if _told_as_had(summary, requested):
        return None  # the record tells the drug itself (or its class) as had: its duration decides
    if (value_patterns()["drug_form_topical"].search(heading) or _PERCENT.search(heading)) and _told_as_had(
            summary, _TOPICAL_HAD):
        return None
    for start, end in drug_names().mentions(summary.text):
        m = summary.mention("drug_in_use", start, end)
        if m is not None and _had(m):
            return True
    return True if _none_taken(summary) or _told_as_started(summary, requested) else None


def _told_as_started(summary: AnalysedText, pattern: re.Pattern[str]) -> bool:
    """The record (not the UR) tells the requested drug as started now ("a trial of nortriptyline", "to
    receive tramadol"; `drug_start_before`): a first prescription (session 25 nurse check). The caller has
    found no mention telling it as had."""
    for found in pattern.finditer(summary.text):
        m = summary.mention("drug_in_use", found.start(), found.end())
        if m is not None and m.author != UR_REVIEWER and _started_now(summary, m, found.start()):
            return True
    return False


def _requested_names(heading: str) -> re.Pattern[str] | None:
    """The heading's drug names (its own and the others it names) as one pattern, plurals too; None when it
    names no drug."""
    own, others, _ = heading_drug_names(heading)
    if not own and not others:
        return None
    words = "|".join(name_pattern(n) for n in (*own, *others))
    return re.compile(rf"\b(?:{words})(?:e?s)?\b", re.IGNORECASE)


def requested_drug_planned(summary: AnalysedText, heading: str) -> Extraction | None:
    """The protocol's "newly started = 0" for a drug the record plans to start ("a trial of nortriptyline",
    "sought authorization to introduce Celebrex", "plan to start gabapentin"; `drug_start_planned`), when
    the record tells it as had nowhere: 0 months with the plan's span; None otherwise (a request with no
    plan said, or a treatment plan's "to receive tramadol", stays unknown). Round 38 (K8); not a trial told
    as had ("had a trial of gabapentin in 2015", `drug_trial_had`)."""
    requested = _requested_names(heading)
    if requested is None or _told_as_had(summary, requested):
        return None
    trial_had = value_patterns()["drug_trial_had"]
    for found in requested.finditer(summary.text):
        m = summary.mention("drug_in_use", found.start(), found.end())
        if m is None or m.author == UR_REVIEWER or m.assertion.categories & _NOT_THE_WORKERS \
                or not _started_now(summary, m, found.start()):
            continue  # "his sister plans to start duloxetine" plans nothing for the worker
        cue = value_patterns()["drug_start_planned"].search(
            summary.text, max(m.sentence.start, found.start() - 40), found.start())
        if cue is not None and not trial_had.search(summary.text[m.sentence.start:cue.start()]):
            return Extraction(0.0, m.span())
    return None


def _operation_asked(summary: AnalysedText, families: tuple[str, ...]) -> bool:
    """Whether the letter asks for an operation: a surgery heading among `families`, or an operation the
    summary names as asked for (hypothetical, the worker's)."""
    return "surgery" in families or any(
        Category.HYPOTHETICAL in m.assertion.categories and not m.assertion.categories & _NOT_THE_WORKERS
        for m in summary.mentions("surgery"))


def requested_drug_perioperative(summary: AnalysedText, heading: str, service_type: str,
                                 families: tuple[str, ...]) -> Extraction | None:
    """The protocol's "a drug for an operation requested beside it = 0": a requested drug of a type given
    only around an operation (`perioperative_drug_type`: an antibiotic, "Keflex 500 mg #12" beside a carpal
    tunnel release) in a letter that asks for an operation too (`_operation_asked`), where no duration of it
    was read and the record tells it as had nowhere: not started yet, 0, with its first mention's span
    (session 38, rounds 74, 76 and 77: "Keflex for the operation", a request list's "... and Keflex 500 mg
    #12"). A drug told as had ("took Keflex for a wound infection") stays unknown."""
    if not value_patterns()["perioperative_drug_type"].fullmatch(service_type) \
            or not _operation_asked(summary, families):
        return None
    requested = _requested_names(heading)
    if requested is None or _told_as_had(summary, requested):
        return None
    first = next(requested.finditer(summary.text), None)
    m = None if first is None else summary.mention("drug_in_use", first.start(), first.end())
    return Extraction(0.0, None if m is None else m.span())
