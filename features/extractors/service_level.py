"""Service-level extractors: the heading (family, type, region, side, dose, sessions), UR's guideline line
and partial certification, and what the case summary says about this particular service."""

from __future__ import annotations

import re

from features.evidence import MISSING, EvidenceSpan, Extraction
from features.extractors.context import ServiceContext
from features.value_patterns import ValuePatterns, value_patterns
from letters.records import Section

_DOSED_FAMILIES = {"medication"}
_LEVEL_FAMILIES = {"injection", "surgery"}
_DAILY_FAMILIES = {"home_health", "physical_medicine"}  # counted in days (home nursing, inpatient rehab)
# families whose "N x M" / "x N" in the heading counts sessions or visits ("Home health nursing 3x6") or,
# for injections, the injections asked for ("Synvisc injections x3"): the count IMR decides
_TIMES_FAMILIES = {"physical_medicine", "consultation", "functional_program", "home_health", "injection"}


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
    """Sessions asked for: an explicit count wins, else frequency x weeks (upper end of a frequency
    range), else 'N times M' / 'times N', else a therapy heading's quantity ('quantity 8', '#8')."""
    p = value_patterns()
    explicit = [(p.number(m.group(1)), m) for m in p["sessions_n"].finditer(ctx.text)]
    explicit = [(n, m) for n, m in explicit if n is not None]
    if explicit:  # several counts (one per region): the largest, as annotated
        n, m = max(explicit, key=lambda x: x[0])
        return Extraction(n, _heading_span(ctx, m))
    phases = _phases(ctx.text, p)
    if phases:  # round 15: phases told one after the other add up ("3x/week for 4 weeks then 2x/week ...")
        return Extraction(sum(n for n, _ in phases), _heading_span(ctx, phases[0][1]))
    if ctx.service_class.family in _DAILY_FAMILIES:
        m = p["sessions_daily_weeks"].search(ctx.text)
        if m:
            weeks = p.number(m.group(1))
            if weeks is not None:
                return Extraction(7 * weeks, _heading_span(ctx, m))
        m = p["sessions_days"].search(ctx.text)
        if m:
            return Extraction(float(m.group(2) or m.group(1)), _heading_span(ctx, m))
    m = p["sessions_times"].search(ctx.text)
    if m and ctx.service_class.family in _TIMES_FAMILIES:
        a, b, c = m.groups()
        n = float(a) * float(b) if a and b else float(c) if c else None
        if n is not None:
            return Extraction(n, _heading_span(ctx, m))
    m = p["quantity"].search(ctx.text)  # "Physical therapy for the lumbar spine, quantity 8": sessions
    if m and ctx.service_class.family in ("physical_medicine", "functional_program"):
        return Extraction(float(m.group(1)), _heading_span(ctx, m))
    return MISSING


def _phases(text: str, p: ValuePatterns) -> list[tuple[float, re.Match[str]]]:
    """(sessions, match) of the first frequency x weeks of a heading and of each phase joined to it
    (`sessions_phase_join`: "then", "followed by"), the upper end of each range, as annotated."""
    out: list[tuple[float, re.Match[str]]] = []
    for m in p["sessions_freq_weeks"].finditer(text):
        if out and not p["sessions_phase_join"].match(text[out[-1][1].end():m.start()]):
            break
        lo, hi, weeks_lo, weeks_hi = (p.number(g) for g in m.groups())
        freq = hi if hi is not None else lo
        weeks = weeks_hi if weeks_hi is not None else weeks_lo
        if freq is None or weeks is None:
            break
        out.append((freq * weeks, m))
    return out


def _dosed_heading_number(ctx: ServiceContext, pattern: str) -> Extraction:
    """The first number a heading pattern captures, for drug-like families only."""
    if ctx.service_class.family not in _DOSED_FAMILIES:
        return MISSING
    m = _search(ctx, pattern)
    if not m:
        return MISSING
    return Extraction(float(m.group(1)), _heading_span(ctx, m))


def drug_strength_mg(ctx: ServiceContext) -> Extraction:
    return _dosed_heading_number(ctx, "strength_mg")


def drug_quantity(ctx: ServiceContext) -> Extraction:
    """The number after '#' / 'qty' / 'dispense' (not a '#' that names the drug: "Tylenol #3"), else a
    count of dosage units ("60 tablets"; not a dose, "1 tab TID"), else a dose times its doses a day times
    days ("1 tab TID x 30 days"), else a count of containers ('one container of ...')."""
    if ctx.service_class.family not in _DOSED_FAMILIES:
        return MISSING
    p = value_patterns()
    for m in p["quantity"].finditer(ctx.text):
        if not p["quantity_in_name"].search(ctx.text, 0, m.end()):
            return Extraction(float(m.group(1)), _heading_span(ctx, m))
    for m in p["quantity_units"].finditer(ctx.text):  # round 19: "60 tablets", not the dose "1 tab TID"
        n = p.number(m.group("n"))
        if n is not None:
            return Extraction(n, _heading_span(ctx, m))
    m = p["quantity_daily_dose"].search(ctx.text)
    n = _daily_dose_quantity(m, p) if m else None
    if n is not None:
        return Extraction(n, _heading_span(ctx, m))
    m = _search(ctx, "quantity_containers")
    n = p.number(m.group(1)) if m else None
    return Extraction(n, _heading_span(ctx, m)) if n is not None else MISSING


def _daily_dose_quantity(m: re.Match[str], p: ValuePatterns) -> float | None:
    """Units per dose (a range's upper end) x doses a day x days of a `quantity_daily_dose` match."""
    units = p.number(m.group("units_hi") or m.group("units") or "1")  # "Naproxen 550 mg BID x 30 days": one
    hours = p.number(m.group("hours"))
    per_day = 24 / hours if hours and 0 < hours <= 24 else p.doses_a_day(m.group("freq"))
    days = _days(m, p)
    if units is None or per_day is None or days is None:
        return None
    return units * per_day * days


def _days(m: re.Match[str], p: ValuePatterns) -> float | None:
    """Days of a `quantity_daily_dose` match: its days or supply, 7 a week, 30 a month (a month's supply)."""
    for group, per in (("days", 1), ("supply", 1), ("weeks", 7), ("months", 30)):
        n = p.number(m.group(group))
        if n is not None:
            return n * per
    return None


def refills(ctx: ServiceContext) -> Extraction:
    """Refills named in a medication heading; a medication heading silent about refills means 0."""
    if ctx.service_class.family not in _DOSED_FAMILIES:
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


def prior_sessions(ctx: ServiceContext) -> Extraction:
    """Sessions of the same therapy already completed."""
    return ctx.facts.prior_sessions()


SERVICE_EXTRACTORS = {
    fn.__name__: fn
    for fn in (
        service_family, service_type, service_region, service_side, imaging_contrast, limbs_count,
        sessions_requested, drug_strength_mg, drug_quantity, refills, injection_levels, continuation_request,
        retrospective_request, partial_ur_certification, ur_guideline_source, ur_guideline_chapter,
        duration_of_use_months, prior_imaging_same_region, prior_sessions, exam_findings_same_region,
        exam_normal_same_region,
    )
}
