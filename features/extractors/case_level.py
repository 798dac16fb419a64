"""Case-level extractors: header fields and what the clinical case summary says about the worker.

The clinical facts (function, conservative care, red flags, surgery, the UR's statements) come from
`features.facts.CaseFacts`; the rest read a value pattern and quote the sentence it sits in.
"""

from __future__ import annotations

import re
from datetime import date

from features.body_regions import body_regions
from features.evidence import MISSING, EvidenceSpan, Extraction
from features.extractors.context import ServiceContext
from features.facts import UR_STATEMENTS
from features.red_flags import RED_FLAGS
from features.value_patterns import value_patterns
from letters.records import Section


def summary_span(ctx: ServiceContext, start: int, end: int) -> EvidenceSpan:
    """Evidence at [start, end) of the summary, with the whole sentence around it."""
    summary = ctx.case_ctx.facts.summary
    m = summary.mention("value", start, end)
    if m is not None:
        return m.span()
    return EvidenceSpan(Section.CLINICAL_SUMMARY, start, end, summary.text[start:end])


def _header(text: str) -> EvidenceSpan:
    return EvidenceSpan(Section.HEADER, None, None, text)


def _days(a: date | None, b: date | None, label: str) -> Extraction:
    if a is None or b is None:
        return MISSING
    return Extraction(float((b - a).days), _header(f"{label}: {a.isoformat()} -> {b.isoformat()}"))


def days_injury_to_ur_denial(ctx: ServiceContext) -> Extraction:
    c = ctx.case
    return _days(c.date_of_injury, c.ur_denial_date, "Date of Injury -> UR Denial Date")


def days_ur_denial_to_application(ctx: ServiceContext) -> Extraction:
    c = ctx.case
    return _days(c.ur_denial_date, c.application_received, "UR Denial Date -> Application Received")


def priority(ctx: ServiceContext) -> Extraction:
    p = ctx.case.priority
    if not p:
        return MISSING
    return Extraction(p.strip().lower(), _header(f"Priority: {p}"))


def items_in_letter(ctx: ServiceContext) -> Extraction:
    n = len(ctx.case.services)
    return Extraction(float(n), EvidenceSpan(Section.SERVICE_HEADING, None, None, f"{n} disputed items"))


def patient_age(ctx: ServiceContext) -> Extraction:
    m = value_patterns()["age"].search(ctx.case.clinical_summary)
    if m:
        age = int(m.group(1) or m.group(2))
        if 14 <= age <= 100:
            return Extraction(float(age), summary_span(ctx, m.start(), m.end()))
    if ctx.case.patient_age is not None:
        return Extraction(float(ctx.case.patient_age), _header(f"age {ctx.case.patient_age}"))
    return MISSING


def patient_sex(ctx: ServiceContext) -> Extraction:
    """Explicit 'male'/'female' wins, then the header; otherwise the majority of pronouns."""
    text = ctx.case.clinical_summary
    p = value_patterns()
    explicit = p["explicit_sex"].search(text)
    if explicit:
        word = explicit.group(1).lower()
        sex = "female" if word in ("female", "woman") else "male"
        return Extraction(sex, summary_span(ctx, explicit.start(), explicit.end()))
    if ctx.case.patient_sex:
        return Extraction(ctx.case.patient_sex, _header(f"sex {ctx.case.patient_sex}"))
    male = list(p["sex"]["male"].finditer(text))
    female = list(p["sex"]["female"].finditer(text))
    if len(male) == len(female):
        return MISSING
    hits = male if len(male) > len(female) else female
    return Extraction("male" if hits is male else "female", summary_span(ctx, hits[0].start(), hits[0].end()))


# ---- body regions the summary mentions ------------------------------------------------------------
def _summary_regions(ctx: ServiceContext) -> dict[str, tuple[int, int]]:
    return {k: (r.start, r.end) for k, r in ctx.case_ctx.facts.summary_regions.items()}


def body_region_count(ctx: ServiceContext) -> Extraction:
    if not ctx.case.clinical_summary:
        return MISSING
    found = sorted(k for k in _summary_regions(ctx) if k != "spine_unspecified")
    return Extraction(float(len(found)), EvidenceSpan(Section.CLINICAL_SUMMARY, None, None, ", ".join(found)))


def _region_flag(group: str):
    def extract(ctx: ServiceContext) -> Extraction:
        if not ctx.case.clinical_summary:
            return MISSING
        found = _summary_regions(ctx)
        for region in body_regions().summary_groups[group]:
            if region in found:
                return Extraction(True, summary_span(ctx, *found[region]))
        return Extraction(False, None)

    extract.__name__ = f"region_{group}"
    extract.__doc__ = f"The case summary mentions the {group.replace('_', ' ')} region."
    return extract


# ---- pain ------------------------------------------------------------------------------------------
def pain_score(ctx: ServiceContext) -> Extraction:
    """Highest 0-10 pain score stated, a range by its upper end: with and without medication, or at an
    earlier and a later visit, the higher one, as the tune letters' annotations read it; a score its own
    sentence puts in the past beside a current one ("used to be a nine", "down from 8/10") is not current."""
    scores = ctx.case_ctx.facts.current_pain_scores
    if not scores:
        return MISSING
    best = max(scores, key=lambda s: s.value)  # the first of equal scores
    return Extraction(best.value, summary_span(ctx, best.start, best.end))


# ---- facts --------------------------------------------------------------------------------------------
def functional_improvement(ctx: ServiceContext) -> Extraction:
    """yes / no / not_stated: whether treatment is documented to improve function (the record first)."""
    return ctx.case_ctx.facts.functional_improvement()


def failed_conservative_care(ctx: ServiceContext) -> Extraction:
    """yes = conservative care tried and failed, no = not yet tried or inadequate, else not_stated."""
    return ctx.case_ctx.facts.failed_conservative_care()


def neuro_exam_normal(ctx: ServiceContext) -> Extraction:
    """A normal neurological finding, or a neurological sign the record says is absent."""
    return ctx.case_ctx.facts.neuro_exam_normal()


def prior_surgery(ctx: ServiceContext) -> Extraction:
    """An earlier operation on the patient is stated."""
    return ctx.case_ctx.facts.prior_surgery()


def _red_flag(kind: str):
    def extract(ctx: ServiceContext) -> Extraction:
        return ctx.case_ctx.facts.red_flag(kind)

    extract.__name__ = f"red_flag_{kind}"
    extract.__doc__ = f"Red flag {kind.replace('_', ' ')}: the patient's own finding, not negated."
    return extract


def _ur_statement(name: str):
    def extract(ctx: ServiceContext) -> Extraction:
        return ctx.case_ctx.facts.ur_statement(name)

    extract.__name__ = name
    extract.__doc__ = f"The UR reviewer's words in the summary: {re.sub('_', ' ', name[10:])}."
    return extract


CASE_EXTRACTORS = {
    "patient_age": patient_age,
    "patient_sex": patient_sex,
    "days_injury_to_ur_denial": days_injury_to_ur_denial,
    "days_ur_denial_to_application": days_ur_denial_to_application,
    "priority": priority,
    "items_in_letter": items_in_letter,
    "body_region_count": body_region_count,
    **{
        f"region_{g}": _region_flag(g)
        for g in ("low_back", "neck", "shoulder", "knee", "hand_wrist", "lower_leg_foot")
    },
    "pain_score": pain_score,
    "functional_improvement": functional_improvement,
    **{f"red_flag_{k}": _red_flag(k) for k in RED_FLAGS},
    "neuro_exam_normal": neuro_exam_normal,
    "prior_surgery": prior_surgery,
    "failed_conservative_care": failed_conservative_care,
    **{name: _ur_statement(name) for name in UR_STATEMENTS},
}
