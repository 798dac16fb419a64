"""The per-service checklist: every criterion of the governing section with its status, the facts that
decided it and the letter text behind them as whole sentences, plus a reviewer-style summary line.

One implementation serves the model's criterion columns and every surface that shows a checklist
(`features.extractors.criteria_level.checklist_of` / `case_checklists`); it reads only pre-review facts.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, Field

from features.body_regions import RegionMention
from features.care_kinds import CARE_FACT, failed_care_of_kinds
from features.criteria import STATUSES, Citation, CriteriaTable, NumericTest, Status
from features.criteria_facts import (
    LetterFacts,
    Operation,
    derive_facts,
    lexicons,
    operation_texts,
    pain_reading,
    recent_operation,
    rental_days,
    service_phase,
    summary_drug_evidence,
    text_regions,
    unchanged_reading,
)
from features.evidence import MISSING, EvidenceSpan, Extraction
from features.evidence_choice import EvidenceRanker, named_regions, request_regions, request_side, ur_account
from features.function_and_care import DRUGS_NOT_TRIED
from features.governing import cited_chapters, resolve_region, select_section
from features.imaging_modalities import imaging_kinds
from features.original_request import OriginalRequest, read_original_request
from features.regional_red_flags import of_other_parts
from letters.records import Section

# Sections whose text can be quoted as evidence of a clinical criterion (header facts are shown as
# values; the UR's guideline line is context, not evidence about the patient).
QUOTABLE_SECTIONS = (Section.CLINICAL_SUMMARY, Section.SERVICE_HEADING, Section.PARTIAL_CERTIFICATION)
SELECTION_FACTS = ("service_type", "service_family", "service_region", "days_injury_to_ur_denial")
_ABBREVIATIONS = frozenset({"dr", "mr", "mrs", "ms", "e.g", "i.e", "vs", "etc", "approx", "no", "st", "jr",
                            "sr", "inc", "fig", "pg", "pp", "dept", "u.s", "a.m", "p.m", "min", "max"})
_TERMINATOR = re.compile(r"[.!?](?=[\s\"')\]]|$)|\n\s*\n")


class EvidenceItem(BaseModel):
    """A whole sentence of pre-review text; offsets index into its section's text."""

    text: str
    section: str
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)
    author: str | None = None


class CheckItem(BaseModel):
    """One criterion of the governing section for one service."""

    criterion_id: str
    criterion: str = Field(description="What the reviewer checks, in the project's words.")
    family: str
    citation: Citation
    status: Status
    facts: dict[str, float | bool | str | None] = Field(
        default_factory=dict, description="The fact values that decided the status."
    )
    evidence: list[EvidenceItem] = Field(default_factory=list)


class ServiceChecklist(BaseModel):
    """The governing section of one disputed service and its criteria, with a summary line."""

    letter_id: str | None = None
    item_index: int
    service: str
    section_id: str | None = None
    governing_guideline: Citation | None = None
    chapter_key: str | None = None
    in_force: bool | None = Field(default=None, description="Edition in force at the UR date (None: unknown)")
    phase: str | None = None
    region: str | None = None
    params: dict[str, float] = Field(
        default_factory=dict, description="The section's parameters for this service (an operation topic's "
        "own course replaces the section's: half of 8 visits after a carpal tunnel release).")
    checklist: list[CheckItem] = Field(default_factory=list)
    summary: str

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for item in self.checklist:
            out[item.status] += 1
        return out

    def family_status(self, family: str) -> Status:
        """The status of the section's criterion of this family; not_applicable when it has none."""
        item = self.item(family)
        return "not_applicable" if item is None else item.status

    def item(self, family: str) -> CheckItem | None:
        return next((i for i in self.checklist if i.family == family), None)


# ---- sentences ------------------------------------------------------------------------------------
def _is_boundary(text: str, m: re.Match[str]) -> bool:
    if m.group(0)[0] in "!?\n":
        return True
    i = m.start()
    j = i
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] == "."):
        j -= 1
    word = text[j:i].lower()
    if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False
    k = m.end()
    while k < len(text) and text[k] in " \t\"')]":
        k += 1
    return not (k < len(text) and text[k].islower())


@lru_cache(maxsize=4096)
def _sentence_stops(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Where each sentence of `text` starts (after the previous end mark) and stops (after its own end
    mark, or at the end of the text); once per text: every service of a letter quotes its summary."""
    starts, stops = [], []
    s = 0
    for m in _TERMINATOR.finditer(text):
        if not _is_boundary(text, m):
            continue
        stops.append(m.start() + (1 if m.group(0)[0] in ".!?" else 0))
        starts.append(s)
        s = m.end()
    starts.append(s)
    stops.append(len(text))
    return tuple(starts), tuple(stops)


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The smallest run of whole sentences of `text` that covers [start, end)."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    starts, stops = _sentence_stops(text)
    first = bisect_right(stops, start)  # the first sentence that stops after `start`
    last = bisect_left(stops, end, lo=min(first, len(stops) - 1))  # the first that stops at or after `end`
    first, last = min(first, len(stops) - 1), min(last, len(stops) - 1)
    s, e = starts[first], stops[last]
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def sentence_of_span(span: EvidenceSpan, texts: Mapping[Section, str]) -> EvidenceItem | None:
    """The whole sentence(s) around an extractor's span, in the span's section (None when the span has
    no offsets or its section is not quotable)."""
    section = Section(span.section)
    text = texts.get(section)
    if section not in QUOTABLE_SECTIONS or text is None or span.start is None or span.end is None:
        return None
    if section == Section.SERVICE_HEADING:  # a request heading is quoted whole
        s, e = len(text) - len(text.lstrip()), len(text.rstrip())
    else:
        s, e = sentence_bounds(text, span.start, span.end)
    if e <= s:
        return None
    return EvidenceItem.model_construct(text=text[s:e], section=section.value, start=s, end=e,
                                        author=getattr(span, "author", None))


def lead_in(texts: Mapping[Section, str], item: EvidenceItem, n: int = 2) -> list[str]:
    """The `n` sentences of its section just before a quoted one, nearest first (what a sentence naming no
    region is read in)."""
    text = texts.get(Section(item.section))
    if text is None or item.start is None:
        return []
    starts, stops = _sentence_stops(text)
    i = bisect_right(stops, item.start)  # the sentence holding the item's start
    return [text[starts[j]:stops[j]] for j in range(i - 1, max(i - 1 - n, -1), -1)]


# ---- building a checklist ----------------------------------------------------------------------------
def _display(value: Any) -> float | bool | str | None:
    if value is None or type(value).__name__ == "NAType":
        return None
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    if isinstance(value, int | float) or type(value).__module__ == "numpy":
        num = float(value)
        return None if math.isnan(num) else num
    return str(value)


def summary_line(citation: Citation | None, items: Sequence[CheckItem]) -> str:
    """'MTUS Low Back Complaints, Special Studies ...: 2 of 5 criteria not documented, 1 unmet, 2 met'."""
    if citation is None:
        return "No governing guideline section found for this request."
    head = f"{citation.guideline} {citation.chapter}, {citation.section}"
    applicable = [i for i in items if i.status != "not_applicable"]
    n = len(applicable)
    if n == 0:
        return f"{head}: no criterion applies"
    parts: list[str] = []
    for status, label in (("not_documented", "not documented"), ("unmet", "unmet"), ("met", "met")):
        k = sum(1 for i in applicable if i.status == status)
        if k:
            noun = "criterion" if n == 1 else "criteria"
            parts.append(f"{k} of {n} {noun} {label}" if not parts else f"{k} {label}")
    return f"{head}: {', '.join(parts)}"


def service_checklist(
    table: CriteriaTable,
    extract: Callable[[str], Extraction],
    *,
    letter_id: str | None,
    item_index: int,
    service_text: str,
    ur_guideline_line: str | None,
    ur_denial_date: date | None,
    texts: Mapping[Section, str],
    letter: LetterFacts,
    support: Callable[[str], Sequence[EvidenceSpan]] | None = None,
    regions_of: Callable[[str], list[RegionMention]] = named_regions,
) -> ServiceChecklist:
    """The checklist of one service. `extract(name)` returns a spec feature's value and span for this
    service; `texts` holds the pre-review text of each quotable section (what spans index into);
    `support(name)`: every span that gives the feature its value (deciding one first), from which an item
    quotes the best (`features.evidence_choice`) when the deciding one is the UR's or another region's;
    `regions_of(text)`: the regions a summary sentence names (the letter's `SentenceRegions`, read once)."""
    got: dict[str, Extraction] = {}

    def value(name: str) -> Any:
        if name not in got:
            got[name] = extract(name)
        return got[name].value

    values: dict[str, Any] = {name: value(name) for name in SELECTION_FACTS}
    got["service_phase"] = phase_extraction(table, service_text, values["days_injury_to_ur_denial"],
                                            letter.operations, _str(values.get("service_family")))
    values["service_phase"] = got["service_phase"].value
    for src in lexicons(table).derived_sources:
        if src not in values:
            values[src] = value(src)
    facts: dict[str, Any] = dict(values)
    studies = _prior_studies(values, support)
    original = read_original_request(texts.get(Section.PARTIAL_CERTIFICATION),
                                     _str(values.get("service_family")))
    ur_chapters = cited_chapters(table, ur_guideline_line)
    heading_regions, side = text_regions(service_text), request_side(service_text)  # read once per service
    region = resolve_region(table, _str(values.get("service_region")), heading_regions,
                            item_index=item_index, letter=letter, ur_chapters=ur_chapters)
    elsewhere = _red_flags_elsewhere(table, values, support,
                                     request_regions(region, heading_regions), side)
    facts.update(derive_facts(table, values, service_text=service_text, item_index=item_index, letter=letter,
                              prior_studies=None if studies is None else [s.text for s in studies],
                              original=original, red_flags_elsewhere=elsewhere))
    own_evidence = _derived_evidence(table, letter, facts, studies, values.get("service_type"), service_text,
                                     original)
    if elsewhere and facts.get("red_flag_any"):  # quote the red flags that count, not the other part's
        own_evidence["red_flag_any"] = [got[f].span for f in table.derived_facts["red_flag_any"].sources
                                        if f not in elsewhere and values.get(f) is True and f in got
                                        and got[f].span is not None]
    whole_request = _whole_request_spans(facts, original)
    selection = select_section(
        table,
        service_type=_str(values.get("service_type")),
        service_family=_str(values.get("service_family")),
        region=region,
        phase=_str(facts.get("phase")),
        groups=(facts.get("drug_group"), facts.get("modality_kind")),
        surgery_in_letter=bool(facts.get("surgery_in_letter")),
        ur_denial_date=ur_denial_date,
        ur_chapters=ur_chapters,
        claim_kinds=letter.claims,
        operation_texts=operation_texts(table, service_text, letter, item_index,
                                        _str(values.get("service_family"))),
    )
    if selection is None:
        return ServiceChecklist(letter_id=letter_id, item_index=item_index, service=service_text,
                                phase=_str(facts.get("phase")), region=region, summary=summary_line(None, []))
    items: list[CheckItem] = []
    ranker = EvidenceRanker(request_regions(region, heading_regions), side,
                            lambda i: lead_in(texts, i), regions_of=regions_of)
    for crit in table.section_criteria(selection.section):
        for fact in crit.facts:
            if fact not in facts:
                facts[fact] = value(fact)
        crit_facts, crit_evidence = _care_facts(table, crit.care_kinds, facts, own_evidence, support, letter)
        status, deciding = crit.evaluate(crit_facts, selection.params)
        evidence: list[EvidenceItem] = []
        if status in ("met", "unmet"):
            seen: set[tuple[str, int | None, int | None]] = set()
            for fact in deciding:
                derived = table.derived_facts.get(fact)
                if derived is not None and not derived.quote:
                    continue
                for src, span, spans in _evidence_sources(table, fact, got, support, crit_evidence,
                                                          whole_request):
                    item = sentence_of_span(span, texts) if span is not None else None
                    regional = src in table.regional_findings
                    if item is not None and spans is not None and not ranker.settled(item, regional):
                        others = (sentence_of_span(s, texts) for s in spans())
                        item = ranker.best([item, *(o for o in others if o is not None)], regional)
                    if item is not None and (item.section, item.start, item.end) not in seen:
                        seen.add((item.section, item.start, item.end))
                        evidence.append(item)
            evidence.sort(key=ur_account)  # stable: the record's own sentences before the UR's account
        items.append(CheckItem.model_construct(  # built from validated table data: no re-validation
            criterion_id=crit.id,
            criterion=selection.section.phrase(crit),
            family=crit.family,
            citation=selection.citation,
            status=status,
            facts={f: _display(crit_facts.get(f)) for f in deciding},
            evidence=evidence,
        ))
    return ServiceChecklist.model_construct(
        letter_id=letter_id,
        item_index=item_index,
        service=service_text,
        section_id=selection.section.id,
        governing_guideline=selection.citation,
        chapter_key=selection.chapter_key,
        in_force=selection.in_force,
        phase=_str(facts.get("phase")),
        region=region,
        params=dict(selection.params),
        checklist=items,
        summary=summary_line(selection.citation, items),
    )


def _care_facts(
    table: CriteriaTable, kinds: Sequence[str] | None, facts: dict[str, Any],
    own: dict[str, list[EvidenceSpan]], support: Callable[[str], Sequence[EvidenceSpan]] | None,
    letter: LetterFacts,
) -> tuple[Mapping[str, Any], Mapping[str, list[EvidenceSpan]]]:
    """The facts and own evidence a criterion reads: failed care not stated, quoting nothing, where its "no"
    is only the UR's claim that care was not attempted against the record's own list of care given
    (`LetterFacts.ur_not_tried_claim_only`, session 24); for a criterion about kinds of care, failed care as
    the statements about those kinds give it, quoting them (`features.care_kinds`); else the service's."""
    if CARE_FACT not in facts:
        return facts, own
    if letter.ur_not_tried_claim_only and facts[CARE_FACT] == "no":
        return {**facts, CARE_FACT: "not_stated"}, {**own, CARE_FACT: []}
    if not kinds:
        return facts, own
    statements = list(support(CARE_FACT)) if support is not None else []
    not_tried = list(support(DRUGS_NOT_TRIED)) if support is not None else []
    value, spans = failed_care_of_kinds(table, kinds, facts[CARE_FACT], statements, not_tried)
    return {**facts, CARE_FACT: value}, {**own, CARE_FACT: spans}


def _red_flags_elsewhere(
    table: CriteriaTable, values: Mapping[str, Any], support: Callable[[str], Sequence[EvidenceSpan]] | None,
    request: frozenset[str], side: str | None,
) -> frozenset[str]:
    """The body-part red flags (`table.body_part_red_flags`) found, each only on another part than the
    request's (session 24: a thumb fracture is no red flag for a shoulder MRI); none when not known."""
    if support is None:
        return frozenset()
    return frozenset(f for f in table.body_part_red_flags
                     if values.get(f) is True and of_other_parts(support(f), request, side))


def _prior_studies(values: Mapping[str, Any],
                   support: Callable[[str], Sequence[EvidenceSpan]] | None) -> list[EvidenceSpan] | None:
    """The spans of every earlier study of the service's region (`prior_imaging_same_region` true), whose
    words name each study's kind; None when the region was not imaged or the spans are not known."""
    if support is None or values.get("prior_imaging_same_region") is not True:
        return None
    return list(support("prior_imaging_same_region"))


def _derived_evidence(table: CriteriaTable, letter: LetterFacts, facts: Mapping[str, Any],
                      studies: list[EvidenceSpan] | None, service_type: Any, service_text: str,
                      original: OriginalRequest | None = None) -> dict[str, list[EvidenceSpan]]:
    """Derived facts that quote spans of their own, deciding one first: the summary's mention of a drug the
    worker takes; the latest pain score after care given (of the request's body part), then the care (so a
    statement of complaints unchanged after it); a
    possible repeat quotes the earlier studies of the request's kind, no repeat the studies of other kinds
    (none when no study was done); rental days, and the regions of a remainder that names none (session 25),
    read from a partial certification's original request quote its sentence."""
    out = {k: [v] for k, v in summary_drug_evidence(table, letter).items()}
    if (reading := pain_reading(letter, service_text)) is not None and letter.pain_after_care is not None:
        out["pain_after_care"] = [reading.span, letter.pain_after_care.care]
    unchanged = unchanged_reading(letter, service_text)
    if unchanged is not None and letter.pain_after_care is not None:
        out["unchanged_after_care"] = [unchanged.span, letter.pain_after_care.care]  # session 26
    if letter.care_helped is not None:
        out["care_helped"] = [letter.care_helped]
    if (after := pain_reading(letter, service_text, after_help=True)) is not None:
        out["pain_after_help"] = [after.span]
    if (original is not None and original.span is not None and facts.get("rental_days") is not None
            and facts["rental_days"] == rental_days(lexicons(table), _str(facts.get("service_family")),
                                                    original.text)):
        out["rental_days"] = [original.span]
    if (original is not None and original.span is not None and facts.get("heading_regions")
            and not text_regions(service_text)):  # the remainder's regions are the original request's
        out["heading_regions"] = out["heading_spinal_only"] = [original.span]
    fact = "prior_imaging_same_modality"
    if studies is not None and facts.get(fact) is not None:
        same = imaging_kinds().same_kind(service_type, studies, lambda s: s.text)
        out[fact] = same if facts[fact] else studies
    return out


def _whole_request_spans(facts: Mapping[str, Any],
                         original: OriginalRequest | None) -> dict[str, EvidenceSpan]:
    """The disputed item's counts that the whole-request facts replace by the original request's (after a
    partial certification), each with the original request's words: what those facts quote instead."""
    if original is None or original.span is None:
        return {}
    out: dict[str, EvidenceSpan] = {}
    if original.sessions is not None and facts.get("course_sessions") == original.sessions:
        out["sessions_requested"] = original.span
    if original.drug_quantity is not None and facts.get("course_drug_quantity") == original.drug_quantity:
        out["drug_quantity"] = original.span
    return out


def _evidence_sources(
    table: CriteriaTable, fact: str, got: Mapping[str, Extraction],
    support: Callable[[str], Sequence[EvidenceSpan]] | None, own: Mapping[str, list[EvidenceSpan]],
    whole_request: Mapping[str, EvidenceSpan] | None = None,
) -> list[tuple[str, EvidenceSpan | None, Callable[[], Sequence[EvidenceSpan]] | None]]:
    """(source fact, deciding span, every span that may be quoted instead) for each source of a fact: a
    derived fact's own spans when it has them, else each spec feature's span and `support` (for a derived
    fact, the original request's words where its value replaces the source's: `whole_request`)."""
    if fact in own:
        spans = own[fact]
        return [(src, spans[0] if spans else None, lambda: spans[1:]) for src in table.feature_sources(fact)]
    replaced = whole_request if whole_request and fact in table.derived_facts else {}
    return [(src, replaced[src], None) if src in replaced else
            (src, got[src].span if src in got else None,
             None if support is None else (lambda src=src: support(src)))  # type: ignore[misc]
            for src in table.feature_sources(fact)]


def phase_extraction(
    table: CriteriaTable, service_text: str, days_since_injury: Any, operations: Sequence[Operation],
    family: str | None,
) -> Extraction:
    """The service's phase of care with what says it: the heading's words, the summary's sentence of the
    dated operation that makes it post-operative, or the header's days from injury to UR denial."""
    phase = service_phase(table, service_text, days_since_injury, operations, family)
    if phase is None:
        return MISSING
    if phase in ("post_operative", "pre_operative"):
        if service_phase(table, service_text, days_since_injury) != phase:  # not the heading's words
            op = recent_operation(table, service_text, operations, family)
            if op is not None:
                span = EvidenceSpan(Section.CLINICAL_SUMMARY, op.start, op.end, op.sentence)
                return Extraction(phase, span)
        return Extraction(phase, EvidenceSpan(Section.SERVICE_HEADING, 0, len(service_text), service_text))
    header = f"{float(days_since_injury):.0f} days from injury to UR denial"
    return Extraction(phase, EvidenceSpan(Section.HEADER, None, None, header))


def what_if_met(
    table: CriteriaTable, row: Mapping[str, Any], checklist: ServiceChecklist, criterion_id: str
) -> dict[str, Any] | None:
    """The raw feature row as it would be if a not-documented criterion were documented as met: the
    criterion's status column says met, the counts move, and each spec feature its first met rule names
    takes a value that satisfies it (derived facts keep their sources). None when the criterion is not
    in the checklist, is not 'not documented', or has no met rule. For the predictor's what-if."""
    item = next((i for i in checklist.checklist if i.criterion_id == criterion_id), None)
    crit = table.criteria.get(criterion_id)
    if item is None or crit is None or item.status != "not_documented" or not crit.met:
        return None
    params = checklist.params or (table.sections[checklist.section_id].params if checklist.section_id else {})
    out = dict(row)
    for fact, test in crit.met[0].items():
        if fact in table.derived_facts or fact not in row:
            continue
        out[fact] = _satisfying(test, params)
    out[table.family_columns[crit.family]] = "met"
    for column, step in (("criteria_met", 1), ("criteria_not_documented", -1)):
        if out.get(column) is not None:
            out[column] = float(out[column]) + step
    return out


def _satisfying(test: Any, params: Mapping[str, float]) -> Any:
    if isinstance(test, NumericTest):
        def bound(b: float | str) -> float:
            return float(params[b[1:]]) if isinstance(b, str) else float(b)

        if test.min is not None:
            return bound(test.min)
        if test.max is not None:
            return bound(test.max)
        return bound(test.above) + 1 if test.above is not None else bound(test.below) - 1  # type: ignore[arg-type]
    return next(v for v in test if v is not None)


def _str(value: Any) -> str | None:
    return None if value is None or type(value).__name__ == "NAType" else str(value)
