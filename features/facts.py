"""The pre-review facts of one case, each read from a sentence with its section, author and assertion.

`CaseFacts` analyses the clinical summary once (sentences, authors, concept mentions with ConText
assertions) and answers the case-level facts; `ServiceFacts` adds one disputed service's heading (its
region, side and numbers) and what the summary says about that service. Every answer is an `Extraction`:
the value and the evidence span (whole sentence, section, offsets, author, assertion).

What the record shows and what the UR reviewer *said* are separate facts: `functional_improvement` is
read from the record first and from the UR's words only when the record says nothing, while
`ur_states_no_functional_improvement` and its siblings report the UR's words alone.

The two classes are the entry points the extractors use; the readings behind them live in one module per
topic: `red_flags`, `function_and_care`, `imaging_history`, `session_history`, `drug_durations` (with
`duration_statements`), and the service's own heading in `service_heading`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property

from features.analysis import AnalysedText, Mention
from features.assertion_sets import NOT_DONE as _DONE
from features.assertions import Category
from features.authors import UR_REVIEWER, load_author_rules
from features.body_regions import RegionMention
from features.clauses import clause_start as _clause_start
from features.drug_durations import DurationsOfUse
from features.evidence import MISSING, EvidenceSpan, Extraction
from features.exam_findings import ExamFindings, first_of
from features.function_and_care import DRUGS_NOT_TRIED, NO, FunctionAndCareFacts
from features.imaging_history import ImagingHistory
from features.neuro_exam import neuro_normal_findings, normal_finding_phrase
from features.operation_denials import OperationDenials
from features.operation_purpose import purpose_of_an_operation_asked
from features.pain_scores import PainScore, current_scores, pain_scores
from features.red_flags import RED_FLAGS, red_flag_findings, red_flag_in
from features.requested_drug_new import requested_drug_perioperative, requested_drug_planned
from features.sentences import Sentence
from features.service_heading import ServiceHeading
from features.session_history import SessionHistory
from features.session_requests import sessions_asked_in_summary
from features.tendon_weakness import names_tendon
from features.value_patterns import value_patterns
from letters.pre_review import PreReviewCase, PreReviewService
from letters.records import Section

_EXAM_FACTS = ("exam_findings_same_region", "exam_normal_same_region")
# session 24: a neurological deficit of the service's region, or of the spine or limbs its nerve roots join
_DEFICIT_FACT = "neuro_deficit_of_region"
# session 26: a normal neurological examination of the service's region (or of its spine or limbs)
_NEURO_NORMAL_FACT = "neuro_exam_normal_of_region"
UR_STATEMENTS = (
    "ur_states_no_functional_improvement",
    "ur_states_inadequate_conservative_care",
    "ur_states_no_failed_conservative_care",
    "ur_states_no_red_flags",
    "ur_states_not_recommended",
)


def _injury_amputation(m: Mention, text: str) -> bool:
    """An amputation the injury made ("sustained a traumatic amputation of the fingertip"), not an operation;
    one the clause says was undergone ("a crush injury, and underwent amputation") is an operation."""
    p = value_patterns()
    if not p["amputation_word"].match(m.text.lower()):
        return False
    lo = _clause_start(text, m.sentence.start, m.start)
    return bool(p["injury_before"].search(text, lo, m.start)) and not p["surgery_had_before"].search(
        text, lo, m.start)


class CaseFacts:
    """Every case-level pre-review fact of one case (built once per case, read by every service)."""

    def __init__(self, case: PreReviewCase, families: Sequence[str] = ()) -> None:
        """`families`: each service's family, in `case.services` order (what the letter requests)."""
        self.case = case
        self.families = tuple(families)
        self.summary = AnalysedText(case.clinical_summary, Section.CLINICAL_SUMMARY)
        self.care = FunctionAndCareFacts(self.summary, self.families, [s.heading for s in case.services])
        self.imaging = ImagingHistory(self.summary, case, self.families)
        self.sessions = SessionHistory(self.summary, case, self.care)
        self.durations = DurationsOfUse(self.summary, case, self.families)
        self.exam = ExamFindings(self.summary)

    @cached_property
    def current_pain_scores(self) -> list[PainScore]:
        """The summary's current 0-10 pain scores (`pain_scores`), read once: the pain score and the pain
        after care both read them."""
        text = self.case.clinical_summary
        return current_scores(text, pain_scores(text)) if text else []

    # ---------------------------------------------------------------- red flags and history
    def red_flag(self, kind: str) -> Extraction:
        """True from the first mention that is the patient's own finding (`red_flags.red_flag_in`)."""
        if not self.case.clinical_summary:
            return MISSING
        return red_flag_in(self.summary, kind)

    def neuro_exam_normal(self) -> Extraction:
        """True when the record states a normal neurological finding or a sign absent (`neuro_exam`)."""
        if not self.case.clinical_summary:
            return MISSING
        return first_of(iter(self.neuro_normals))  # the findings the regional fact reads, found once

    @cached_property
    def neuro_deficits(self) -> list[Mention]:
        """Every neurological deficit the record finds on examination (`red_flag_neuro_deficit`'s mentions),
        in text order: the regional deficit facts read them by the region of their sentence."""
        if not self.case.clinical_summary:
            return []
        return list(red_flag_findings(self.summary, "neuro_deficit"))

    @cached_property
    def _tendon_named(self) -> list[bool]:
        """Per protocol deficit: is it a named tendon's or its muscle's weakness (`tendon_weakness`)."""
        return [names_tendon(m, self.summary.text) for m in self.neuro_deficits]

    @cached_property
    def nerve_deficits(self) -> list[Mention]:
        """The deficits that are physiologic evidence of neurological dysfunction, what the criteria read by
        region: `neuro_deficits` less weakness of a named tendon or its muscle (`tendon_weakness`, session 26;
        the protocol's fact keeps it)."""
        return [m for m, tendon in zip(self.neuro_deficits, self._tendon_named, strict=True) if not tendon]

    @cached_property
    def tendon_weaknesses(self) -> list[Mention]:
        """The protocol's deficits that are a named tendon's or its muscle's weakness: the part's finding."""
        return [m for m, tendon in zip(self.neuro_deficits, self._tendon_named, strict=True) if tendon]

    @cached_property
    def neuro_normals(self) -> list[Mention]:
        """Every normal neurological finding or denied sign (`neuro_exam.neuro_normal_findings`), in text
        order: the regional normal-examination fact reads them by the region of their sentence."""
        if not self.case.clinical_summary:
            return []
        return neuro_normal_findings(self.summary)

    def prior_surgery(self) -> Extraction:
        """An operation done on the patient, stated by the record (not requested, negated, planned,
        someone else's, or only in the UR's account of the request); an operation word that names a biopsy,
        a scope or a stent (`procedure_not_operation`) is none, as the protocol counts no diagnostic
        procedure and no cardiac stenting."""
        if not self.case.clinical_summary:
            return MISSING
        first = next(self._operations_done(), None)
        return Extraction(True, first.span()) if first is not None else Extraction(False, None)

    def _operations_done(self) -> Iterator[Mention]:
        """Every mention of an operation done on the patient (`prior_surgery`'s rules), in text order."""
        done = value_patterns()["surgery_had_before"]
        procedures = self.summary.mentions("procedure_not_operation")
        for m in self.summary.mentions("surgery"):
            if m.assertion.categories & _DONE or _injury_amputation(m, self.summary.text):
                continue
            if any(p.start <= m.start and m.end <= p.end for p in procedures):
                continue  # "stent surgery", "Surgical history: colonoscopy with biopsy" (round 24)
            if purpose_of_an_operation_asked(m, self.summary):
                continue  # "...; Norco #40 for post-operative pain" after an operation asked for (session 39)
            record_part = self._record_part_start(m.sentence) if m.author == UR_REVIEWER else m.start
            if m.start < record_part:
                if not done.search(self.summary.text,
                                   _clause_start(self.summary.text, m.sentence.start, m.start), m.start):
                    continue  # the UR names the request; "he had a rotator cuff repair in 2013" is history
                if any(o.start >= record_part and o.sentence is m.sentence
                       for o in self.summary.mentions("surgery")):
                    continue  # the record's account of the operation, set against the UR's, decides it
                if self._operation_denials.denied_by_record(m):
                    continue  # the record says elsewhere it was not done (session 40, round-86 kind K7)
            yield m

    @cached_property
    def _operation_denials(self) -> OperationDenials:
        return OperationDenials(self.summary)

    def _record_part_start(self, sentence: Sentence) -> int:
        """Where the part of a UR sentence after a semicolon that another author opens begins ("the claims
        administrator stated that he had undergone a lumbar fusion; the AME reported that the fusion was
        performed on his brother"), the sentence's end when it has none: that part is the record's account,
        read by its own words, and an operation it names decides the UR's (session 39, round-83 kind K3;
        ruling 4, the record wins)."""
        at = sentence.text.find(";")
        while at >= 0:
            part = sentence.text[at + 1:].lstrip()
            if load_author_rules().author_of(part[:40]) not in (None, UR_REVIEWER):
                return sentence.start + len(sentence.text) - len(part)
            at = sentence.text.find(";", at + 1)
        return sentence.end

    def supporting(self, name: str) -> list[EvidenceSpan]:
        """Every span that gives a case-level fact its value, the deciding one first (prior surgery,
        failed conservative care, red flags; empty for other facts): a checklist quotes the best of them."""
        if not self.case.clinical_summary:
            return []
        if name == "prior_surgery":
            return [m.span() for m in self._operations_done()]
        if name == "failed_conservative_care":
            return [m.span() for m in self.care.failed_care_reading[1]]
        if name == DRUGS_NOT_TRIED:  # session 24: read by a criterion about first-line drugs
            return [m.span() for m in self.care.drugs_not_tried]
        if name.startswith("red_flag_") and name[len("red_flag_"):] in RED_FLAGS:
            return [m.span() for m in red_flag_findings(self.summary, name[len("red_flag_"):])]
        return []

    # ---------------------------------------------------------------- function and conservative care
    def functional_improvement(self) -> Extraction:
        """yes / no / not_stated: the record's last statement, else the UR's (`FunctionAndCareFacts`)."""
        if not self.case.clinical_summary:
            return MISSING
        return self.care.functional_improvement()

    def failed_conservative_care(self) -> Extraction:
        """yes / no / not_stated: care tried and failed, or not tried yet (`FunctionAndCareFacts`)."""
        if not self.case.clinical_summary:
            return MISSING
        return self.care.failed_conservative_care()

    # ---------------------------------------------------------------- what the UR reviewer said
    def ur_statement(self, name: str) -> Extraction:
        """One of `UR_STATEMENTS`: True from the first UR sentence saying it."""
        if not self.case.clinical_summary:
            return MISSING
        found = self._ur_statements.get(name)
        return Extraction(True, found.span()) if found is not None else Extraction(False, None)

    @cached_property
    def _ur_statements(self) -> dict[str, Mention]:
        ur = UR_REVIEWER
        out: dict[str, Mention] = {}

        def first(name: str, mentions: list[Mention]) -> None:
            mentions = [m for m in mentions if m.author == ur]
            if mentions and name not in out:
                out[name] = min(mentions, key=lambda m: m.start)

        first("ur_states_no_functional_improvement", [m for v, m in self.care.function_statements if v == NO])
        first("ur_states_inadequate_conservative_care", self.care.not_tried())
        first("ur_states_no_failed_conservative_care",
              [m for m in self.summary.mentions("failed_care") if Category.NEGATED in m.assertion.categories])
        first("ur_states_no_red_flags", [
            m for k in (*RED_FLAGS, "red_flags_named") for m in self.summary.mentions(k)
            if Category.NEGATED in m.assertion.categories])
        first("ur_states_not_recommended", [m for m in self.summary.mentions("not_recommended")
                                            if not m.assertion.categories & {Category.NEGATED}])
        return out

    # ---------------------------------------------------------------- regions
    @property
    def summary_regions(self) -> dict[str, RegionMention]:
        """The first mention of each body region the summary names, in text order (`ImagingHistory`)."""
        return self.imaging.summary_regions

    def service(self, service: PreReviewService, family: str, service_type: str) -> ServiceFacts:
        return ServiceFacts(self, service, family, service_type)


class ServiceFacts(ServiceHeading):
    """What one disputed service's heading says, and what the summary says about that service."""

    def __init__(self, case: CaseFacts, service: PreReviewService, family: str, service_type: str) -> None:
        super().__init__(service, family, service_type)
        self.case = case

    # ---------------------------------------------------------------- imaging and sessions already had
    def prior_imaging_same_region(self) -> Extraction:
        """A done study of a region this service names (`ImagingHistory.prior_imaging_same_region`)."""
        if not self.case.case.clinical_summary:
            return MISSING
        return self.case.imaging.prior_imaging_same_region(self)

    def supporting(self, name: str) -> list[EvidenceSpan]:
        """Every span that gives a fact its value for this service, the deciding one first (the case's
        facts, `prior_imaging_same_region` and the examination of the service's region); empty for others."""
        if name == "prior_imaging_same_region":
            if not self.case.case.clinical_summary:
                return []
            return list(self.case.imaging.same_region_studies(self))
        if name in _EXAM_FACTS:
            if not self.case.case.clinical_summary:
                return []
            return [m.span() for m in self._exam_of_region(name)]
        if name == _DEFICIT_FACT:
            return [m.span() for m in self._deficits_of_region()]
        if name == _NEURO_NORMAL_FACT:
            return [m.span() for m in self._neuro_normals_of_region()]
        return self.case.supporting(name)

    # ---------------------------------------------------------------- examination of the service's region
    def _exam_of_region(self, name: str) -> Iterator[Mention]:
        """The findings (or normal examinations) whose sentence speaks of this service's region; all of
        them for a service that names no region (`exam_findings`)."""
        exam = self.case.exam
        if name == "exam_findings_same_region":  # a tendon's weakness is a finding of its part (session 26)
            mentions = sorted((*exam.findings, *self.case.tendon_weaknesses), key=lambda m: m.start)
        else:
            mentions = exam.normals
        return exam.of_region(mentions, [] if self.region_less else self.regions, self.side)

    def exam_findings_same_region(self) -> Extraction:
        """Objective examination findings of this service's region (`exam_findings.ExamFindings`)."""
        if not self.case.case.clinical_summary:
            return MISSING
        return first_of(self._exam_of_region("exam_findings_same_region"))

    def exam_normal_same_region(self) -> Extraction:
        """This service's region's examination stated normal, or a finding of it denied."""
        if not self.case.case.clinical_summary:
            return MISSING
        return first_of(self._exam_of_region("exam_normal_same_region"))

    def _deficits_of_region(self) -> Iterator[Mention]:
        """The neurological deficits whose sentence speaks of this service's region or of the spine or limbs
        its nerve roots join, read as the part's other findings are; all of them for a region-less service."""
        return self.case.exam.of_region(self.case.nerve_deficits, [] if self.region_less else self.regions,
                                        self.side, related=True)

    def neuro_deficit_of_region(self) -> Extraction:
        """A neurological deficit of this service's region, or of the spine or limbs its nerve roots join (a
        leg's for a lumbar request, a cervical root's for a shoulder's), as a nerve-root sign is read."""
        if not self.case.case.clinical_summary:
            return MISSING
        return first_of(self._deficits_of_region())

    def _neuro_normals_of_region(self) -> Iterator[Mention]:
        """The normal neurological findings whose own phrase names this service's region or the spine or
        limbs its nerve roots join, or names no region at all (a plain "neurologically intact" is of the whole
        worker); all of them for a region-less service. The phrase, not the sentence: "5/5 arm strength and
        normal motor function throughout the body" holds one finding of the arms and one of the whole body."""
        text = self.case.summary.text
        return self.case.exam.of_region(self.case.neuro_normals, [] if self.region_less else self.regions,
                                        self.side, related=True,
                                        phrase_of=lambda m: normal_finding_phrase(m, text))

    def neuro_exam_normal_of_region(self) -> Extraction:
        """A normal neurological examination of this service's region (session 26): a cervical examination
        stated normal is none of a lumbar request's, whose legs were not examined; `neuro_exam_normal` stays
        the letter's fact."""
        if not self.case.case.clinical_summary:
            return MISSING
        return first_of(self._neuro_normals_of_region())

    def prior_sessions(self) -> Extraction:
        """Completed sessions of this service's therapy (`SessionHistory.prior_sessions`)."""
        return self.case.sessions.prior_sessions(self)

    def sessions_asked_in_summary(self) -> Extraction:
        """The count of this service's therapy a record sentence asks for (`session_requests`), for a heading
        that gives none."""
        if not self.case.case.clinical_summary:
            return MISSING
        return sessions_asked_in_summary(self.case.sessions, self)

    def prior_course_named(self) -> Extraction:
        """A course of this service's therapy the record names as given without a count
        (`SessionHistory.course_named`)."""
        return self.case.sessions.course_named(self)

    # ---------------------------------------------------------------- duration of use
    def names(self) -> list[list[str]]:
        """Words that name this service's drug in the summary, most specific first (`DurationsOfUse`)."""
        return self.case.durations.names(self)

    def duration_of_use_months(self) -> Extraction:
        """Months the requested drug or treatment has been used (`DurationsOfUse.duration_of_use_months`)."""
        if not self.case.case.clinical_summary:
            return MISSING
        found = self.case.durations.duration_of_use_months(self)
        if found.value is None and self.family == "medication":  # round 38 (K8): a planned start is new (0)
            # session 38: a drug of a kind given only around an operation requested beside one is planned
            return requested_drug_planned(self.case.summary, self.text) or requested_drug_perioperative(
                self.case.summary, self.text, self.service_type, self.case.durations.families) or found
        return found
