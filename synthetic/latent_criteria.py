"""The governing guideline section and criterion statuses of each synthetic service, from the
generator's latent facts and the project's criteria table (`features/criteria.yaml`).

The outcome model reads these statuses, so the table that drives the checklist also drives the
synthetic decisions. Clinical facts come from latent variables as the Clinical Case Summary
documents them (never from rendered text): a finding the summary does not state is missing, as it
would be for a reader of the letter. The request's own wording (the heading the generator drew)
gives its family and type through the project's service taxonomy, and its drug or modality
subgroup, rental days and phase through the table's lexicons, exactly as for any heading.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from features.body_regions import body_regions, same_side
from features.care_kinds import CARE_FACT, kinds_named
from features.criteria import Citation, CriteriaTable, Status, load_criteria
from features.criteria_facts import (
    UNSPECIFIC_REGIONS,
    LetterFacts,
    LetterService,
    derive_facts,
    operation_kinds,
    operation_texts,
    service_phase,
    text_regions,
)
from features.duration_statements import months_from
from features.evidence import EvidenceSpan
from features.evidence_choice import request_regions, request_side
from features.governing import Selection, resolve_region, select_section
from features.original_request import OriginalRequest
from features.pain_after_care import PainAfterCare, PainReading
from features.service_families import ServiceClass, load_taxonomy
from features.service_heading import REGION_LESS_FAMILIES
from features.session_counts import therapy_names
from features.value_patterns import value_patterns
from letters.records import Section

if TYPE_CHECKING:
    from synthetic.generative_model import SynthCase, SynthService
    from synthetic.tables import SynthTables

RED_FLAG_FACTS = ("trauma", "fracture", "infection", "cancer", "cauda_equina")
_DIGITS = re.compile(r"\d+")
_CLASSES: dict[str, ServiceClass] = {}


@dataclass(frozen=True)
class LatentChecklist:
    """One service's governing section (None when no section fits) and each criterion's status."""

    section_id: str | None
    citation: Citation | None
    statuses: dict[str, Status]  # criterion id -> status, in the section's order
    families: dict[str, str]  # criterion id -> criterion family

    def by_family(self) -> dict[str, Status]:
        """Criterion family -> status (a section has at most one criterion per family)."""
        return {self.families[c]: s for c, s in self.statuses.items()}


def criteria_table() -> CriteriaTable:
    """The packaged criteria table (parsed once per process)."""
    return load_criteria()


def feature_region(tables: SynthTables, key: str) -> str:
    """A generator region in the feature vocabulary (`features/body_regions.yaml`)."""
    return str(tables.regions[key].get("feature_region", key))


def stated_prior_sessions(case: SynthCase, svc: SynthService) -> int | None:
    """Completed sessions as the summary states them: none is written only where conservative care
    is "not yet tried" (saying none were had would say so)."""
    if svc.prior_sessions is None or (svc.prior_sessions == 0 and case.failed_conservative != "no"):
        return None
    return svc.prior_sessions


def course_named(case: SynthCase, svc: SynthService, cls: ServiceClass) -> bool | None:
    """An earlier course of the request's own therapy as `SessionHistory.course_named` reads it from the
    summary (session 24): the care the summary lists as given (failed care yes or not stated; its "not yet
    tried" names none) names the request's therapy by its own name; none for a post-operative request."""
    p = value_patterns()
    own_kind = bool(p["named_course_types"].match(cls.type or ""))
    if case.failed_conservative not in ("yes", "not_stated") or not own_kind \
            or p["post_operative"].search(svc.service):
        return None
    named = any(cls.type in n.types and not p["therapy_generic"].fullmatch(c[n.start:n.end])
                for c in case.treatments for n in therapy_names(c, counts=False))
    return True if named else None


def _prior_study(case: SynthCase, svc: SynthService) -> bool:
    """The summary reports a done study of this request's region and side (any region when the
    request names none): every imaging item's prior study of its region is stated."""
    studies = {(s.region, s.side) for s in case.services if s.family == "imaging" and s.prior_imaging}
    if not svc.names_region:
        return bool(studies)
    return (svc.region, svc.side) in studies


def _same_region(a: str, b: str) -> bool:
    regions = body_regions()
    return regions.same(a, b) or regions.same(b, a)


def exam_of_region(case: SynthCase, svc: SynthService, tables: SynthTables,
                   cls: ServiceClass | None = None) -> tuple[bool, bool]:
    """(findings, normal): whether the summary's examination documents objective findings of the region this
    request's wording names, and whether it states that region's examination normal (session 23). The
    primary region's examination is `exam_of_part`; a finding of the second region counts for its requests
    only, one in the UR's words for none. A request naming no region, or a medication, a device or an item
    of an operation, reads every region, as the extractor does (`ServiceHeading.region_less`)."""
    cls = cls or request_class(svc.service)
    primary, pside = case.regions[0]
    found = [(primary, pside)] if case.exam_of_part == "finding" else []
    if case.exam_other_region:
        found.append(case.regions[1])
    normal = [(primary, pside)] if case.exam_of_part in ("normal", "denied") else []
    mine = [r for r in body_regions().named(svc.service) if r.region not in ("none", "multiple")]
    region_less = cls.family in REGION_LESS_FAMILIES or value_patterns()["perioperative"].search(svc.service)
    if not mine or region_less:
        return bool(found), bool(normal)
    side = next(iter({r.side for r in mine if r.side}), None)

    def of_request(stated: list[tuple[str, str | None]]) -> bool:
        return any(_same_region(r.region, feature_region(tables, k)) and same_side(stated_side, side)
                   for r in mine for k, stated_side in stated)

    return of_request(found), of_request(normal)


def deficit_of_region(case: SynthCase, svc: SynthService, tables: SynthTables,
                      cls: ServiceClass | None = None) -> bool:
    """Whether the summary's neurological deficit is of the region this request's wording names, or of the
    spine or limbs its nerve roots join (session 24): the renderer writes it of the letter's spine region,
    else of its primary region. A request naming no region, or a region-less one (a medication, a device, an
    item of an operation), counts it wherever it is, as the extractor does."""
    if not case.neuro_deficit:
        return False
    cls = cls or request_class(svc.service)
    mine = [r for r in body_regions().named(svc.service) if r.region not in ("none", "multiple")]
    region_less = cls.family in REGION_LESS_FAMILIES or value_patterns()["perioperative"].search(svc.service)
    if not mine or region_less:
        return True
    key = next((k for k, _ in case.regions if tables.regions[k].get("spine")), case.regions[0][0])
    where = feature_region(tables, key)
    return any(body_regions().finding_of(where, r.region) for r in mine)


def prior_study_names(case: SynthCase, svc: SynthService, tables: SynthTables) -> list[str]:
    """How the summary names each done study of this request's region and side (any region when the request
    names none), as the renderer writes them: one per region and side, of the kind of the letter's first
    imaging request there."""
    first: dict[tuple[str, str | None], SynthService] = {}
    for s in case.services:
        if s.family == "imaging":
            first.setdefault((s.region, s.side), s)
    return [tables.study_name(s.item_key)[1] for key, s in first.items()
            if s.prior_imaging and (not svc.names_region or key == (svc.region, svc.side))]


def named_region(table: CriteriaTable, svc: SynthService, letter: LetterFacts) -> str | None:
    """The region the request's wording names, as the checklist places a heading (`resolve_region`: the
    narrowest named), None when it names none: a study "of the bilateral upper extremities" is the upper
    extremity's, though the generator drew it for the wrist (session 24: its section was the wrist's)."""
    named = text_regions(svc.service)
    if not any(r not in UNSPECIFIC_REGIONS for r in named):
        return None
    return resolve_region(table, None, named, item_index=svc.item_index, letter=letter)


def request_class(service: str) -> ServiceClass:
    """The taxonomy's family and type of a request, remembered per wording up to its numbers (counts,
    quantities and strengths never decide a type; tests/unit/test_synth_criteria.py checks it): the
    taxonomy classifies each distinct heading afresh, and counts make most headings distinct."""
    key = _DIGITS.sub("#", service)
    found = _CLASSES.get(key)
    if found is None:
        found = _CLASSES[key] = load_taxonomy().classify(service)
    return found


def letter_classes(case: SynthCase) -> list[ServiceClass]:
    """Each request's class with its letter's other requests read beside it, as the extractors read them
    (`ServiceTaxonomy.classify_letter`)."""
    return load_taxonomy().in_letter([request_class(s.service) for s in case.services])


def red_flags_elsewhere(case: SynthCase, svc: SynthService, tables: SynthTables, table: CriteriaTable,
                        region: str | None) -> frozenset[str]:
    """The body-part red flags (`table.body_part_red_flags`) the summary writes only of another part than this
    request's (session 24): the renderer writes a fracture of the letter's primary region and side, and the
    checklist reads the request's regions as `features.checklist` does."""
    flag = f"red_flag_{case.red_flag}" if case.red_flag else None
    if flag is None or flag not in table.body_part_red_flags:
        return frozenset()
    wanted = request_regions(region, text_regions(svc.service))
    if not wanted:
        return frozenset()
    primary, pside = case.regions[0]
    where, side = feature_region(tables, primary), request_side(svc.service)
    if any(_same_region(where, r) and same_side(pside, side) for r in wanted):
        return frozenset()
    return frozenset({flag})


def service_facts(case: SynthCase, svc: SynthService, tables: SynthTables,
                  cls: ServiceClass | None = None) -> dict[str, Any]:
    """The spec features the criteria read, for one service, from latent variables (`cls`: the
    request's family and type, when already known)."""
    cls = cls or request_class(svc.service)
    stated = stated_prior_sessions(case, svc)
    facts: dict[str, Any] = {
        "service_family": cls.family,
        "service_type": cls.type,
        "service_region": feature_region(tables, svc.region),
        "days_injury_to_ur_denial": float(case.days_injury_to_ur),
        "patient_age": float(case.age),
        "failed_conservative_care": case.failed_conservative,
        "functional_improvement": case.functional_improvement,
        "red_flag_neuro_deficit": case.neuro_deficit,
        "neuro_exam_normal": case.neuro_exam_normal,
        "prior_surgery": case.prior_surgery,
        "pain_score": float(case.pain) if case.pain_stated else None,
        "prior_imaging_same_region": _prior_study(case, svc),
        "prior_sessions": None if stated is None else float(stated),
        "prior_course_named": course_named(case, svc, cls),
        **_counts(svc, tables, svc.count_decided),
        "injection_levels": None if svc.levels is None else float(svc.levels),
        "continuation_request": svc.continuation,
        "partial_ur_certification": svc.partial,
        "duration_of_use_months": stated_months_of_use(case, svc),
    }
    for flag in RED_FLAG_FACTS:
        facts[f"red_flag_{flag}"] = case.red_flag == flag
    found, normal = exam_of_region(case, svc, tables, cls)
    facts["exam_findings_same_region"], facts["exam_normal_same_region"] = found, normal
    facts["neuro_deficit_of_region"] = deficit_of_region(case, svc, tables, cls)
    # session 26: the renderer writes the normal neurological examination naming no region, or as denied
    # symptoms whose first item's phrase names none ("denied weakness, numbness or tingling of the legs"), so
    # the generator's normal examination is every request's (the extractor reads the region of each phrase)
    facts["neuro_exam_normal_of_region"] = case.neuro_exam_normal
    return facts


def stated_months_of_use(case: SynthCase, svc: SynthService) -> float | None:
    """Months a drug has been used as the summary states it: a new drug from the start it dates, counted as
    the protocol counts a dated start (under half a month is newly started, 0; else days / 30.44, so three
    weeks are 0.7: a drug in use), else the generator's whole months."""
    if svc.duration_phrase is None or svc.drug_months is None:
        return None
    if svc.drug_start is not None:
        return months_from(svc.drug_start, case.ur_denial_date)
    return float(svc.drug_months)


def _counts(svc: SynthService, tables: SynthTables, count: int | None) -> dict[str, float | None]:
    """A count of the request as the criteria read it: sessions of a therapy or a programme, visits, or the
    injections of a series ("Trigger point injection x 3") where its heading counts them so, or the units of a
    drug."""
    medication = bool(tables.families.get(svc.family, {}).get("medication"))
    return {
        "sessions_requested": float(count) if svc.counts_sessions and count is not None else None,
        "drug_quantity": float(count) if medication and count is not None else None,
    }


def original_request(svc: SynthService, tables: SynthTables) -> OriginalRequest | None:
    """The request UR certified part of, as its partial-certification sentence names it (the whole course the
    quantity criteria judge), with its latent counts; None when UR certified none of it."""
    if not svc.partial:
        return None
    counts = _counts(svc, tables, svc.count_requested)
    return OriginalRequest(svc.original_request, counts["sessions_requested"], counts["drug_quantity"])


def failed_care_by_kind(case: SynthCase, tables: SynthTables, table: CriteriaTable,
                        kinds: Sequence[str]) -> str:
    """Failed care as the summary's statement about the given kinds of care gives it
    (`features.care_kinds`): care failed when the care it lists includes one of the kinds; care not tried
    when every way the generator says so names one (it picks one when rendering); else not stated."""
    wanted = frozenset(kinds)
    value = case.failed_conservative
    if value == "yes":
        named = any(wanted & kinds_named(table, c) for c in case.treatments)
    elif value == "no":
        said = [*tables.phrases["conservative_no"], *tables.phrases["conservative_no_ur"]]
        named = all(wanted & kinds_named(table, p) for p in said)
    else:
        return value
    return value if named else "not_stated"


def letter_facts(case: SynthCase, classes: list[ServiceClass] | None = None) -> LetterFacts:
    """The letter's disputed items as the criteria see them (family, type, the regions each request's wording
    names and its wording: what an operation requested beside a post-operative request names), and the pain
    its summary states after the care it lists."""
    classes = classes or letter_classes(case)
    return LetterFacts(tuple(LetterService(s.item_index, c.family, c.type, text_regions(s.service), s.service)
                             for s, c in zip(case.services, classes, strict=True)),
                       pain_after_care=pain_after_care(case))


_NO_SPAN = EvidenceSpan(Section.CLINICAL_SUMMARY, None, None, "")


def pain_after_care(case: SynthCase) -> PainAfterCare | None:
    """The pain score as `features.pain_after_care` reads it from the rendered summary: the summary lists the
    care as given when failed care is yes or not stated (its "not yet tried" names none), then rates the pain
    in words that name no body part; a function gained (told of the care) is care that helped."""
    if (case.failed_conservative not in ("yes", "not_stated") or not case.pain_stated
            or case.functional_improvement == "yes"):
        return None
    return PainAfterCare((PainReading(float(case.pain), "", _NO_SPAN),), _NO_SPAN)


_SELECTIONS: dict[int, tuple[CriteriaTable, dict[tuple[Any, ...], Selection | None]]] = {}


def _select(table: CriteriaTable, day: date, texts: Callable[[], tuple[str, ...]], **keys: Any
            ) -> Selection | None:
    """`select_section`, remembered per table, service description and which editions had started and
    were in force (the selection depends on the date only through them): a few hundred recur. A section set
    out by operation is selected again with `texts()` (its `operation_texts`), remembered by the kinds of
    operation each names: they only choose its topic."""
    hit = _SELECTIONS.get(id(table))
    if hit is None or hit[0] is not table:
        hit = _SELECTIONS[id(table)] = (table, {})
    memo = hit[1]
    editions = tuple((e.applies_from <= day, e.in_force(day)) for e in table.editions.values())
    key = (editions, *sorted(keys.items()))
    if key not in memo:
        memo[key] = select_section(table, ur_denial_date=day, **keys)
    found = memo[key]
    if found is None or not found.section.section_by_operation:
        return found
    said = texts()
    key = (*key, tuple(k for k in (operation_kinds(table, t) for t in said) if k))
    if key not in memo:
        memo[key] = select_section(table, ur_denial_date=day, operation_texts=said, **keys)
    return memo[key]


_STATUSES: dict[int, tuple[CriteriaTable, dict[tuple[Any, ...], Status]]] = {}


def _statuses(table: CriteriaTable) -> dict[tuple[Any, ...], Status]:
    """Statuses already decided, per (section, criterion, values of the facts it reads): a status
    depends on nothing else, and most fact combinations recur."""
    hit = _STATUSES.get(id(table))
    if hit is None or hit[0] is not table:
        hit = _STATUSES[id(table)] = (table, {})
    return hit[1]


def latent_checklist(case: SynthCase, svc: SynthService, tables: SynthTables, letter: LetterFacts,
                     table: CriteriaTable | None = None, cls: ServiceClass | None = None) -> LatentChecklist:
    """The governing section of one service (selected as `features.governing` selects it, from the
    latent facts) and the status of each of its criteria under the table's rules."""
    table = table or criteria_table()
    values = service_facts(case, svc, tables, cls)
    values["service_region"] = named_region(table, svc, letter) or values["service_region"]
    values["service_phase"] = service_phase(table, svc.service, values["days_injury_to_ur_denial"])
    facts = {**values, **derive_facts(table, values, service_text=svc.service, item_index=svc.item_index,
                                      letter=letter, prior_studies=prior_study_names(case, svc, tables),
                                      original=original_request(svc, tables),
                                      red_flags_elsewhere=red_flags_elsewhere(case, svc, tables, table,
                                                                              values["service_region"]))}
    selection = _select(
        table,
        case.ur_denial_date,
        lambda: operation_texts(table, svc.service, letter, svc.item_index, values["service_family"]),
        service_type=values["service_type"],
        service_family=values["service_family"],
        region=values["service_region"],
        phase=facts.get("phase"),
        groups=tuple(g for g in (facts.get("drug_group"), facts.get("modality_kind")) if g),
        surgery_in_letter=bool(facts.get("surgery_in_letter")),
    )
    if selection is None:
        return LatentChecklist(None, None, {}, {})
    statuses: dict[str, Status] = {}
    families: dict[str, str] = {}
    section = selection.section
    memo = _statuses(table)
    for crit in table.section_criteria(section):
        read = facts if not crit.care_kinds else {
            **facts, CARE_FACT: failed_care_by_kind(case, tables, table, crit.care_kinds)}
        key = (section.id, tuple(selection.params.items()), crit.id,
               *((type(v).__name__, v) for v in map(read.get, crit.facts)))
        if key not in memo:  # an operation topic's parameters replace the section's (`Selection.params`)
            memo[key] = crit.status(read, selection.params)
        statuses[crit.id] = memo[key]
        families[crit.id] = crit.family
    return LatentChecklist(selection.section.id, selection.citation, statuses, families)


def assess(case: SynthCase, tables: SynthTables) -> None:
    """Attach every service's latent checklist (pre-review: it reads no outcome)."""
    classes = letter_classes(case)
    letter = letter_facts(case, classes)
    table = criteria_table()
    for svc, cls in zip(case.services, classes, strict=True):
        svc.checklist = latent_checklist(case, svc, tables, letter, table, cls)
