"""Service-level extractors: the heading (family, type, region, side, dose, sessions), UR's guideline line
and partial certification, and what the case summary says about this particular service."""

from __future__ import annotations

import re

from features.evidence import MISSING, EvidenceSpan, Extraction
from features.extractors.context import ServiceContext
from features.request_quantities import DOSED_FAMILIES, drug_quantity_in, sessions_in
from features.value_patterns import value_patterns
from letters.records import Section

_LEVEL_FAMILIES = {"injection", "surgery"}


def _heading_span(ctx: ServiceContext, m: re.Match[str] | None = None) -> EvidenceSpan:
    return ctx.facts.heading_span(*(m.span() if m is not None else (None, None)))


def _search(ctx: ServiceContext, name: str) -> re.Match[str] | None:
    return value_patterns()[name].search(ctx.text)


# ---- taxonomy -------------------------------------------------------------------------------
def service_family(ctx: ServiceContext) -> Extraction:
    c = ctx.service_class
    if not c.known or c.start is None:
        return Extraction(c.family, _heading_span(ctx))
    return Extraction(c.family, ctx.facts.heading_span(c.start, c.end))


def service_type(ctx: ServiceContext) -> Extraction:
    return Extraction(ctx.service_class.type, service_family(ctx).span)


# ---- region and side ------------------------------------------------------------------------
def service_region(ctx: ServiceContext) -> Extraction:
    found = ctx.facts.regions
    names = list(dict.fromkeys(r.region for r in found))
    if not names:
        return Extraction("none", None)
    if len(names) == 1:
        return Extraction(names[0], ctx.facts.heading_span(found[0].start, found[0].end))
    return Extraction("multiple", _heading_span(ctx))


def service_side(ctx: ServiceContext) -> Extraction:
    """left / right / bilateral as the heading names it, else none."""
    side = ctx.facts.side
    return Extraction(side or "none", _heading_span(ctx) if side else None)


def limbs_count(ctx: ServiceContext) -> Extraction:
    side = ctx.facts.side
    if side is None:
        return MISSING
    return Extraction(2.0 if side == "bilateral" else 1.0, _heading_span(ctx))


def imaging_contrast(ctx: ServiceContext) -> Extraction:
    if ctx.service_class.family != "imaging":
        return MISSING
    m = _search(ctx, "contrast_without")
    if m:
        return Extraction(False, _heading_span(ctx, m))
    m = _search(ctx, "contrast_with")
    if m:
        return Extraction(True, _heading_span(ctx, m))
    return MISSING


# ---- numbers of the request -----------------------------------------------------------------
def sessions_requested(ctx: ServiceContext) -> Extraction:
    """Sessions asked for (`features.request_quantities.sessions_in`), from the part IMR decides; where it
    gives no count, the count the summary's request sentence asks for (session 39, round-78 kind K2)."""
    found = sessions_in(ctx.text, ctx.service_class.family)
    if found is None:
        return ctx.facts.sessions_asked_in_summary()
    return Extraction(found[0], ctx.facts.heading_span(*found[1]))


def _dosed_heading_number(ctx: ServiceContext, pattern: str) -> Extraction:
    """The first number a heading pattern captures, for drug-like families only."""
    if ctx.service_class.family not in DOSED_FAMILIES:
        return MISSING
    m = _search(ctx, pattern)
    if not m:
        return MISSING
    return Extraction(float(m.group(1)), _heading_span(ctx, m))


def drug_strength_mg(ctx: ServiceContext) -> Extraction:
    return _dosed_heading_number(ctx, "strength_mg")


def drug_quantity(ctx: ServiceContext) -> Extraction:
    """Units of a drug asked for (`request_quantities.drug_quantity_in`), from the part IMR decides."""
    found = drug_quantity_in(ctx.text, ctx.service_class.family)
    return MISSING if found is None else Extraction(found[0], ctx.facts.heading_span(*found[1]))


def refills(ctx: ServiceContext) -> Extraction:
    """Refills named in a medication heading; a medication heading silent about refills means 0."""
    if ctx.service_class.family not in DOSED_FAMILIES:
        return MISSING
    m = _search(ctx, "refills")
    if not m:
        return Extraction(0.0, None)
    n = value_patterns().number(m.group(1))
    return Extraction(n, _heading_span(ctx, m)) if n is not None else MISSING


def injection_levels(ctx: ServiceContext) -> Extraction:
    if ctx.service_class.family not in _LEVEL_FAMILIES:
        return MISSING
    ms = list(value_patterns()["spinal_level"].finditer(ctx.text))
    if not ms:
        return MISSING
    return Extraction(float(len(ms)), _heading_span(ctx, ms[0]))


def continuation_request(ctx: ServiceContext) -> Extraction:
    m = _search(ctx, "continuation")
    return Extraction(True, _heading_span(ctx, m)) if m else Extraction(False, None)


def retrospective_request(ctx: ServiceContext) -> Extraction:
    m = _search(ctx, "retrospective")
    return Extraction(True, _heading_span(ctx, m)) if m else Extraction(False, None)


# ---- UR's decision ---------------------------------------------------------------------------
def partial_ur_certification(ctx: ServiceContext) -> Extraction:
    s = ctx.service
    if s.partial_ur_certification:
        text = s.partial_certification_text or "partially certified by UR"
        return Extraction(True, EvidenceSpan(Section.PARTIAL_CERTIFICATION, 0, len(text), text, sentence=text,
                                             sentence_start=0, sentence_end=len(text), author="ur_reviewer",
                                             assertion="affirmed"))
    return Extraction(False, None)


def _ur_span(ctx: ServiceContext, m: re.Match[str] | None) -> EvidenceSpan:
    raw = ctx.service.ur_guideline_raw or ""
    s, e = m.span() if m is not None else (0, len(raw))
    return EvidenceSpan(Section.UR_GUIDELINE, s, e, raw[s:e], sentence=raw, sentence_start=0,
                        sentence_end=len(raw), author="ur_reviewer", assertion="affirmed")


def ur_guideline_source(ctx: ServiceContext) -> Extraction:
    raw = ctx.service.ur_guideline_raw
    if raw is None:
        return Extraction("missing", None)
    p = value_patterns()
    none_cited = p["ur_none_cited"].search(raw)
    if ctx.service.ur_no_evidence_cited or none_cited:
        return Extraction("none_cited", _ur_span(ctx, none_cited))
    mtus = p["ur_mtus"].search(raw)
    odg = p["ur_odg"].search(raw)
    if mtus and odg:
        return Extraction("mtus_odg", _ur_span(ctx, None))
    if mtus:
        return Extraction("mtus", _ur_span(ctx, mtus))
    acoem = p["ur_acoem"].search(raw)
    named = sorted((m.start(), name, m) for name, m in (("odg", odg), ("acoem", acoem)) if m)
    if named:  # the guideline named first
        _, name, m = named[0]
        return Extraction(name, _ur_span(ctx, m))
    return Extraction("other" if raw.strip() else "missing", _ur_span(ctx, None))


def ur_guideline_chapter(ctx: ServiceContext) -> Extraction:
    raw = ctx.service.ur_guideline_raw
    if raw is None:
        return Extraction("none", None)
    p = value_patterns()
    if ctx.service.ur_no_evidence_cited or p["ur_none_cited"].search(raw):
        return Extraction("none", None)
    for chapter, pat in p["ur_chapters"].items():
        m = pat.search(raw)
        if m:
            return Extraction(chapter, _ur_span(ctx, m))
    return Extraction("other", _ur_span(ctx, None))


# ---- the case summary about this service ------------------------------------------------------
def duration_of_use_months(ctx: ServiceContext) -> Extraction:
    """How long the requested drug has been used, from a summary sentence naming it."""
    return ctx.facts.duration_of_use_months()


def prior_imaging_same_region(ctx: ServiceContext) -> Extraction:
    """The summary reports a done study of the region this service concerns (same side)."""
    return ctx.facts.prior_imaging_same_region()


def exam_findings_same_region(ctx: ServiceContext) -> Extraction:
    """The summary's examination finds objective findings of this service's region (`exam_findings`)."""
    return ctx.facts.exam_findings_same_region()


def exam_normal_same_region(ctx: ServiceContext) -> Extraction:
    """The summary states this service's region's examination normal, or a finding of it absent."""
    return ctx.facts.exam_normal_same_region()


def neuro_deficit_of_region(ctx: ServiceContext) -> Extraction:
    """A neurological deficit of this service's region or of the spine or limbs its nerve roots join."""
    return ctx.facts.neuro_deficit_of_region()


def neuro_exam_normal_of_region(ctx: ServiceContext) -> Extraction:
    """A normal neurological examination of this service's region or of the spine or limbs its roots join."""
    return ctx.facts.neuro_exam_normal_of_region()


def prior_sessions(ctx: ServiceContext) -> Extraction:
    """Sessions of the same therapy already completed."""
    return ctx.facts.prior_sessions()


def prior_course_named(ctx: ServiceContext) -> Extraction:
    """A course of the same therapy named as already given, without a count."""
    return ctx.facts.prior_course_named()


SERVICE_EXTRACTORS = {
    fn.__name__: fn
    for fn in (
        service_family, service_type, service_region, service_side, imaging_contrast, limbs_count,
        sessions_requested, drug_strength_mg, drug_quantity, refills, injection_levels, continuation_request,
        retrospective_request, partial_ur_certification, ur_guideline_source, ur_guideline_chapter,
        duration_of_use_months, prior_imaging_same_region, prior_sessions, exam_findings_same_region,
        exam_normal_same_region, neuro_deficit_of_region, neuro_exam_normal_of_region, prior_course_named,
    )
}
