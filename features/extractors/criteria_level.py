"""Criterion features: the governing section's checklist of a service, as model columns.

`service_phase` (the phase of care), the counts of met / unmet / not documented criteria, and one status
column per criterion family (`crit_<family>`, not_applicable when the governing section has no criterion
of that family). The checklist is computed once per service (features/checklist.py) from the other
extractors' values, so training, serving and every checklist surface share one computation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from features.assertions import Category
from features.authors import UR_REVIEWER
from features.checklist import ServiceChecklist, phase_extraction, service_checklist
from features.criteria import CRITERION_COLUMN_PREFIX, CriteriaTable, load_criteria
from features.criteria_facts import (
    LetterFacts,
    LetterService,
    claim_kinds,
    dated_operations,
    stated_operations,
    text_regions,
)
from features.drugs_in_use import drugs_in_use
from features.evidence import MISSING, EvidenceSpan, Extraction
from features.extractors.case_level import CASE_EXTRACTORS
from features.extractors.context import ServiceContext, service_contexts
from features.extractors.service_level import SERVICE_EXTRACTORS
from features.pain_after_care import PainAfterCare, pain_after_care
from features.requested_drug_new import requested_drug_new
from features.spec import Role, load_spec
from letters.records import Case, Section

_CHECKLIST = "criteria_checklist"  # key of a service's checklist in its context cache
_LETTER = "criteria_letter_facts"  # key of the letter's facts in the case context cache
# an operation mention that is not one done on the patient (as for the prior_surgery feature)
_NOT_DONE = frozenset({Category.NEGATED, Category.HYPOTHETICAL, Category.FAMILY, Category.POSSIBLE})


@lru_cache(maxsize=256)
def _spec_extractor(name: str) -> tuple[Callable[[ServiceContext], Extraction], bool]:
    """The extractor the feature spec names for a fact (a case- or service-level extractor: criterion
    columns never read each other) and whether the fact describes the whole case."""
    try:
        feature = load_spec().feature(name)
    except KeyError:
        raise KeyError(f"criteria table reads fact {name!r}, which the feature spec lacks") from None
    found = CASE_EXTRACTORS.get(feature.extractor) or SERVICE_EXTRACTORS.get(feature.extractor)
    if found is None:
        raise KeyError(f"criteria table reads fact {name!r}, whose extractor {feature.extractor!r} is not "
                       "a case- or service-level extractor")
    return found, feature.role == Role.CASE


def _extract(ctx: ServiceContext, name: str) -> Extraction:
    """A spec feature's value for this service, computed once per service (once per case for
    case-level features, which every service of the letter shares), the value its feature column reads."""
    extractor, case_level = _spec_extractor(name)
    return ctx.extraction(extractor, case_level)


def _letter_facts(ctx: ServiceContext) -> LetterFacts:
    cache = ctx.case_ctx.cache
    found = cache.get(_LETTER)
    if found is None:
        services = []
        for s in ctx.case.services:
            other = ctx if s.item_index == ctx.service.item_index else ServiceContext.build(ctx.case_ctx, s)
            family = _extract(other, "service_family").value
            stype = _extract(other, "service_type").value
            regions = text_regions(other.text)
            services.append(LetterService(s.item_index, str(family), str(stype), regions, other.text))
        done = [(m.start, m.end, m.sentence.start, m.sentence.end)
                for m in ctx.case_ctx.facts.summary.mentions("surgery")
                if not m.assertion.categories & _NOT_DONE and m.author != UR_REVIEWER]
        summary = ctx.case.clinical_summary
        sentences = [(s.start, s.end) for s in ctx.case_ctx.facts.summary.sentences]
        operations = (dated_operations(_table(), summary, done, ctx.case.ur_denial_date)
                      + stated_operations(_table(), summary, sentences, ctx.case.ur_denial_date))
        said = tuple(dict.fromkeys(summary[s_start:s_end] for _, _, s_start, s_end in done))
        wanted = {d.summary_drug_class for d in _table().derived_facts.values() if d.summary_drug_class}
        taken = tuple((c, m.span()) for c, m in drugs_in_use(ctx.case_ctx.facts.summary, wanted).items())
        helped = ctx.case_ctx.facts.care.care_helped_statement() if summary else None
        found = cache[_LETTER] = LetterFacts(tuple(services), summary, operations,
                                             claim_kinds(_table(), summary), said, taken,
                                             _pain_after_care(ctx),
                                             frozenset(s.item_index for s in services
                                                       if s.family == "medication" and requested_drug_new(
                                                           ctx.case_ctx.facts.summary, s.text)),
                                             bool(summary)
                                             and ctx.case_ctx.facts.care.not_tried_only_by_ur_claim(),
                                             care_helped=None if helped is None else helped.span(),
                                             pain_after_help=None if helped is None
                                             else _pain_after_care(ctx, after_help=True))
    return found


def _pain_after_care(ctx: ServiceContext, *, after_help: bool = False) -> PainAfterCare | None:
    """The summary's pain scores after care given (`after_help`: care the record says helped), each dated by
    the visit its sentence reports."""
    visits = ctx.case_ctx.facts.durations.visits

    def visit_day(index: int) -> date | None:
        own = visits.sentence_dates[index]
        found = own or visits.visit_date(index)
        # the date of injury written in an earlier sentence ("sustained an injury on 10/25/2016. ... Pain was
        # rated 7/10.") dates no visit: carried forward it made every later score an injury-day one
        if found is None or (own is None and found[0] == injury):
            return None
        return found[0]

    injury = ctx.case.date_of_injury
    facts = ctx.case_ctx.facts  # the case's current scores, read once for the pain score too
    return pain_after_care(facts.summary, injury=injury, visit_day=visit_day,
                           scores=facts.current_pain_scores, after_help=after_help)


@lru_cache(maxsize=1)
def _table() -> CriteriaTable:
    """The packaged criteria table, checked once against the packaged feature spec (a fact the spec lacks
    is named here, before any checklist is built)."""
    table = load_criteria()
    table.check_spec(load_spec().names)
    return table


def checklist_of(ctx: ServiceContext) -> ServiceChecklist:
    """The checklist of one service (computed once per service context)."""
    found = ctx.cache.get(_CHECKLIST)
    if found is None:
        s = ctx.service
        texts = {
            Section.CLINICAL_SUMMARY: ctx.case.clinical_summary,
            Section.SERVICE_HEADING: ctx.text,
            Section.PARTIAL_CERTIFICATION: s.partial_certification_text,
        }
        found = ctx.cache[_CHECKLIST] = service_checklist(
            _table(),
            lambda name: _extract(ctx, name),
            letter_id=ctx.case.letter_id,
            item_index=s.item_index,
            service_text=ctx.text,
            ur_guideline_line=s.ur_guideline_raw,
            ur_denial_date=ctx.case.ur_denial_date,
            texts=texts,
            letter=_letter_facts(ctx),
            support=ctx.facts.supporting,
            regions_of=ctx.case_ctx.facts.exam.sentence_regions,
        )
    return found


def case_checklists(case: Case) -> list[ServiceChecklist]:
    """The checklist of every disputed service of a parsed letter (pre-review view only), in letter
    order: the same computation the model's criterion columns come from. Where the letter's feature rows
    are read too, the checklists come from the rows' contexts instead (`model.explanations.checklists_for`),
    so the letter is analysed once."""
    return [checklist_of(ctx) for ctx in service_contexts(case)]


def _span(item: Any) -> EvidenceSpan | None:
    if item is None or not item.evidence:
        return None
    ev = item.evidence[0]
    return EvidenceSpan(Section(ev.section), ev.start, ev.end, ev.text)


def service_phase(ctx: ServiceContext) -> Extraction:
    """Phase of care: post- or pre-operative from the heading, post-operative after an operation the
    summary dates within weeks of the UR denial, else acute / subacute / chronic from the days between
    the injury and the UR denial."""
    days = _extract(ctx, "days_injury_to_ur_denial").value
    family = _extract(ctx, "service_family").value
    return phase_extraction(_table(), ctx.text, days, _letter_facts(ctx).operations,
                            None if family is None else str(family))


def _count(status: str) -> Callable[[ServiceContext], Extraction]:
    def extract(ctx: ServiceContext) -> Extraction:
        checklist = checklist_of(ctx)
        if checklist.governing_guideline is None:
            return MISSING
        return Extraction(float(checklist.counts()[status]), None)

    extract.__name__ = f"criteria_{status}"
    extract.__doc__ = f"Number of criteria of the governing section that are {status.replace('_', ' ')}."
    return extract


_FAMILIES = "criteria_family_columns"  # key of a service's {family: Extraction} in its context cache


def _family(family: str) -> Callable[[ServiceContext], Extraction]:
    def extract(ctx: ServiceContext) -> Extraction:
        columns = ctx.cache.get(_FAMILIES)
        if columns is None:  # every family column of the service at once: one pass over its checklist
            checklist = checklist_of(ctx)
            columns = ctx.cache[_FAMILIES] = {
                item.family: Extraction(item.status, _span(item)) for item in checklist.checklist}
        found = columns.get(family)
        return found if found is not None else Extraction("not_applicable", None)

    extract.__name__ = f"{CRITERION_COLUMN_PREFIX}{family}"
    extract.__doc__ = f"Status of the governing section's {family.replace('_', ' ')} criterion."
    return extract


@lru_cache(maxsize=1)
def criteria_extractors() -> Mapping[str, Callable[[ServiceContext], Extraction]]:
    """The criterion columns' extractors (one status column per family of the packaged criteria table),
    built on first use: the table is read when a feature is first listed, never at import."""
    out: dict[str, Callable[[ServiceContext], Extraction]] = {"service_phase": service_phase}
    for status in ("met", "unmet", "not_documented"):
        out[f"criteria_{status}"] = _count(status)
    for family in load_criteria().families:
        out[f"{CRITERION_COLUMN_PREFIX}{family}"] = _family(family)
    return MappingProxyType(out)
