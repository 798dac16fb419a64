"""Case-level extractors: header fields and what the clinical case summary says about the worker."""

from __future__ import annotations

import re
from datetime import date

from features.evidence import MISSING, EvidenceSpan, Extraction
from features.extractors.context import ServiceContext
from features.text_patterns import FastPattern, compile_lower, is_negated, sentence_of
from letters.records import Section

_SNIPPET = 80
_EXPLICIT_SEX = r"\b(male|female|man|woman)\b"


def summary_span(ctx: ServiceContext, start: int, end: int) -> EvidenceSpan:
    text = ctx.case_ctx.summary_raw
    return EvidenceSpan(Section.CLINICAL_SUMMARY, start, end, text[start:end][: _SNIPPET * 3])


def first_affirmed(ctx: ServiceContext, pattern: FastPattern) -> re.Match[str] | None:
    """First match of `pattern` in the summary that is not negated within its sentence."""
    text = ctx.case_ctx.summary
    neg = ctx.patterns["negation"]
    bounds = ctx.case_ctx.bounds
    for m in pattern.iter_in(ctx.case_ctx.words):
        s, _ = sentence_of(bounds, m.start())
        if not is_negated(text, m.start(), s, neg):
            return m
    return None


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
    m = ctx.patterns["age"].search_in(ctx.case_ctx.words)
    if m:
        age = int(m.group(1) or m.group(2))
        if 14 <= age <= 100:
            return Extraction(float(age), summary_span(ctx, m.start(), m.end()))
    if ctx.case.patient_age is not None:
        return Extraction(float(ctx.case.patient_age), _header(f"age {ctx.case.patient_age}"))
    return MISSING


def patient_sex(ctx: ServiceContext) -> Extraction:
    """Explicit 'male'/'female' wins; otherwise the majority of pronouns in the summary."""
    words = ctx.case_ctx.words
    explicit = compile_lower(_EXPLICIT_SEX).search_in(words)
    if explicit:
        word = explicit.group(1).lower()
        sex = "female" if word in ("female", "woman") else "male"
        return Extraction(sex, summary_span(ctx, explicit.start(), explicit.end()))
    if ctx.case.patient_sex:
        return Extraction(ctx.case.patient_sex, _header(f"sex {ctx.case.patient_sex}"))
    pats = ctx.patterns["sex"]
    male = pats["male"].findall_in(words)
    female = pats["female"].findall_in(words)
    if len(male) == len(female):
        return MISSING
    winner, hits = ("male", male) if len(male) > len(female) else ("female", female)
    return Extraction(winner, summary_span(ctx, hits[0].start(), hits[0].end()))


# ---- body regions ----------------------------------------------------------------------------
def _summary_regions(ctx: ServiceContext) -> dict[str, re.Match[str]]:
    cache = ctx.case_ctx.cache
    if "regions" not in cache:
        words = ctx.case_ctx.words
        found: dict[str, re.Match[str]] = {}
        for name, pat in ctx.patterns.regions.items():
            m = pat.search_in(words)
            if m:
                found[name] = m
        cache["regions"] = found
    return cache["regions"]


def body_region_count(ctx: ServiceContext) -> Extraction:
    found = {k: v for k, v in _summary_regions(ctx).items() if k != "spine_unspecified"}
    if not ctx.case_ctx.summary:
        return MISSING
    text = ", ".join(sorted(found))
    return Extraction(float(len(found)), EvidenceSpan(Section.CLINICAL_SUMMARY, None, None, text))


def _region_flag(group: str):
    def extract(ctx: ServiceContext) -> Extraction:
        if not ctx.case_ctx.summary:
            return MISSING
        found = _summary_regions(ctx)
        for region in ctx.patterns.summary_groups[group]:
            m = found.get(region)
            if m:
                return Extraction(True, summary_span(ctx, m.start(), m.end()))
        return Extraction(False, None)

    extract.__name__ = f"region_{group}"
    extract.__doc__ = f"The case summary mentions the {group.replace('_', ' ')} region."
    return extract


# ---- pain, function, red flags, history ------------------------------------------------------
def pain_score(ctx: ServiceContext) -> Extraction:
    """Highest 0-10 pain score stated; ranges count by their upper end."""
    words = ctx.case_ctx.words
    best: tuple[float, int, int] | None = None
    for key in ("pain_score", "pain_score_word"):
        for m in ctx.patterns[key].findall_in(words):
            vals = [float(g) for g in m.groups() if g is not None]
            v = max(vals) if vals else None
            if v is None or v > 10:
                continue
            if best is None or v > best[0]:
                best = (v, m.start(), m.end())
        if best is not None:
            break
    if best is None:
        return MISSING
    return Extraction(best[0], summary_span(ctx, best[1], best[2]))


def _yes_no_statement(ctx: ServiceContext, key: str) -> Extraction:
    """'yes'/'no'/'not_stated' from the first summary sentence with a statement; 'no' wins within it."""
    text = ctx.case_ctx.summary
    if not text:
        return MISSING
    pats = ctx.patterns[key]
    words = ctx.case_ctx.words
    hits = []
    for level in ("no", "yes"):
        for m in pats[level].iter_in(words):
            s, _ = sentence_of(ctx.case_ctx.bounds, m.start())
            if level == "yes" and is_negated(text, m.start(), s, ctx.patterns["negation"]):
                continue
            hits.append((s, 0 if level == "no" else 1, level, m))
            break
    if not hits:
        return Extraction("not_stated", None)
    _, _, level, m = min(hits, key=lambda h: (h[0], h[1]))
    return Extraction(level, summary_span(ctx, m.start(), m.end()))


def functional_improvement(ctx: ServiceContext) -> Extraction:
    """Whether the summary documents functional improvement ('yes'), its absence ('no'), or neither."""
    return _yes_no_statement(ctx, "functional_improvement")


def failed_conservative_care(ctx: ServiceContext) -> Extraction:
    """'yes' = conservative care tried and failed, 'no' = not yet tried, else 'not_stated'."""
    return _yes_no_statement(ctx, "failed_conservative_care")


def _flag(pattern_path: tuple[str, ...], name: str, doc: str, also: tuple[str, ...] | None = None):
    def extract(ctx: ServiceContext) -> Extraction:
        if not ctx.case_ctx.summary:
            return MISSING
        for path in (pattern_path, also) if also else (pattern_path,):
            pat = ctx.patterns[path[0]]
            for key in path[1:]:
                pat = pat[key]
            m = first_affirmed(ctx, pat)
            if m:
                return Extraction(True, summary_span(ctx, m.start(), m.end()))
        return Extraction(False, None)

    extract.__name__ = name
    extract.__doc__ = doc
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
    **{
        f"red_flag_{k}": _flag(("red_flags", k), f"red_flag_{k}", f"Red flag {k} stated, not negated.")
        for k in ("trauma", "fracture", "infection", "cancer", "cauda_equina")
    },
    "red_flag_neuro_deficit": _flag(
        ("red_flags", "neuro_deficit"), "red_flag_neuro_deficit", "Objective neurological deficit stated.",
        also=("red_flags", "neuro_grade"),
    ),
    "prior_surgery": _flag(("prior_surgery",), "prior_surgery", "An earlier surgery is stated."),
    "failed_conservative_care": failed_conservative_care,
}
