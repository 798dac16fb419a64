"""Service-level extractors: the heading (family, type, region, dose, sessions), UR's guideline line,
UR's partial certification, and what the case summary says about this particular treatment."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache

from features.evidence import MISSING, EvidenceSpan, Extraction
from features.extractors.case_level import summary_span
from features.extractors.context import ServiceContext
from features.service_families import ServiceTaxonomy, clear_classification_cache
from features.text_patterns import (
    FastPattern,
    TextPatterns,
    ascii_lower,
    compile_lower,
    heading_words,
    is_negated,
    sentence_of,
    to_number,
)
from letters.records import Section

_THERAPY_TYPES = {
    "physical_therapy": r"physical therap\w*|physiotherap\w*|\bPT\b|therapy",
    "occupational_therapy": r"occupational therap\w*|hand therap\w*|\bOT\b|therapy",
    "chiropractic": r"chiro\w*|manipulation",
    "acupuncture": r"acupuncture",
    "massage": r"massage|myofascial",
    "aquatic_therapy": r"aqua\w*|pool",
    "modality": r"therapy|stimulation|ultrasound",
}
_FIRST_WORD = re.compile(r"\s*(?:post-?op\s+|retrospective\s+|prospective request for\s+)?([a-z][a-z-]{3,})")
_GENERIC_FIRST_WORDS = {"additional", "continue", "continued", "prospective", "purchase", "rental", "initial"}
_DOSED_FAMILIES = {"medication"}
_LEVEL_FAMILIES = {"injection", "surgery"}


def _heading_span(ctx: ServiceContext, m: re.Match[str] | None = None) -> EvidenceSpan:
    text = ctx.text_raw
    if m is None:
        return EvidenceSpan(Section.SERVICE_HEADING, 0, len(text), text)
    return EvidenceSpan(Section.SERVICE_HEADING, m.start(), m.end(), text[m.start() : m.end()])


# ---- taxonomy -------------------------------------------------------------------------------
def service_family(ctx: ServiceContext) -> Extraction:
    c = ctx.service_class
    if not c.known:
        return Extraction(c.family, _heading_span(ctx))
    span = EvidenceSpan(Section.SERVICE_HEADING, c.start, c.end, ctx.text_raw[c.start : c.end])
    return Extraction(c.family, span)


def service_type(ctx: ServiceContext) -> Extraction:
    return Extraction(ctx.service_class.type, service_family(ctx).span)


def _heading_regions(ctx: ServiceContext) -> list[tuple[str, re.Match[str]]]:
    """Regions the heading names (memoised by text: the region and prior-imaging features ask)."""
    return _find_heading_regions(ctx.patterns, ctx.text)


@lru_cache(maxsize=16384)
def _find_heading_regions(patterns: TextPatterns, text: str) -> list[tuple[str, re.Match[str]]]:
    found = []
    words = heading_words(text)  # most regions' words are absent from a heading: skipped without a scan
    for name, pat in patterns.regions.items():
        m = pat.search_in(words)
        if m:
            found.append((name, m))
    specific = [f for f in found if f[0] != "spine_unspecified"]
    return specific or found


def service_region(ctx: ServiceContext) -> Extraction:
    found = _heading_regions(ctx)
    if not found:
        return Extraction("none", None)
    if len(found) == 1:
        return Extraction(found[0][0], _heading_span(ctx, found[0][1]))
    return Extraction("multiple", _heading_span(ctx))


def imaging_contrast(ctx: ServiceContext) -> Extraction:
    if ctx.service_class.family != "imaging":
        return MISSING
    p = ctx.patterns
    m = p["contrast_without"].search_in(ctx.words)
    if m:
        return Extraction(False, _heading_span(ctx, m))
    m = p["contrast_with"].search_in(ctx.words)
    if m:
        return Extraction(True, _heading_span(ctx, m))
    return MISSING


def limbs_count(ctx: ServiceContext) -> Extraction:
    p = ctx.patterns
    m = p["bilateral"].search_in(ctx.words)
    if m:
        return Extraction(2.0, _heading_span(ctx, m))
    left = p["side_left"].search_in(ctx.words)
    right = p["side_right"].search_in(ctx.words)
    if left and right:
        return Extraction(2.0, _heading_span(ctx))
    if left or right:
        return Extraction(1.0, _heading_span(ctx, left or right))
    return MISSING


def sessions_requested(ctx: ServiceContext) -> Extraction:
    """Sessions asked for: an explicit count wins, else frequency x weeks, else 'N times M' / 'times N'."""
    p = ctx.patterns
    words = p.number_words
    explicit = p["sessions_n"].findall_in(ctx.words)
    if explicit:
        total = sum(to_number(m.group(1), words) or 0.0 for m in explicit)
        return Extraction(total, _heading_span(ctx, explicit[0]))
    m = p["sessions_freq_weeks"].search_in(ctx.words)
    if m:
        lo, hi, weeks = (to_number(g, words) for g in m.groups())
        freq = hi if hi is not None else lo
        if freq is not None and weeks is not None:
            return Extraction(freq * weeks, _heading_span(ctx, m))
    m = p["sessions_times"].search_in(ctx.words)
    if m and ctx.service_class.family in ("physical_medicine", "consultation", "functional_program"):
        a, b, c = m.groups()
        n = float(a) * float(b) if a and b else float(c) if c else None
        if n is not None:
            return Extraction(n, _heading_span(ctx, m))
    return MISSING


def _dosed_heading_number(ctx: ServiceContext, pattern: str) -> Extraction:
    """The first number a heading pattern captures, for drug-like families only."""
    if ctx.service_class.family not in _DOSED_FAMILIES:
        return MISSING
    m = ctx.patterns[pattern].search_in(ctx.words)
    if not m:
        return MISSING
    return Extraction(float(m.group(1)), _heading_span(ctx, m))


def drug_strength_mg(ctx: ServiceContext) -> Extraction:
    return _dosed_heading_number(ctx, "strength_mg")


def drug_quantity(ctx: ServiceContext) -> Extraction:
    return _dosed_heading_number(ctx, "quantity")


def refills(ctx: ServiceContext) -> Extraction:
    """Refills named in a medication heading; a medication heading silent about refills means 0."""
    if ctx.service_class.family not in _DOSED_FAMILIES:
        return MISSING
    m = ctx.patterns["refills"].search_in(ctx.words)
    if not m:
        return Extraction(0.0, None)
    n = to_number(m.group(1), ctx.patterns.number_words)
    return Extraction(n, _heading_span(ctx, m)) if n is not None else MISSING


def injection_levels(ctx: ServiceContext) -> Extraction:
    if ctx.service_class.family not in _LEVEL_FAMILIES:
        return MISSING
    ms = ctx.patterns["spinal_level"].findall_in(ctx.words)
    if not ms:
        return MISSING
    return Extraction(float(len(ms)), _heading_span(ctx, ms[0]))


def continuation_request(ctx: ServiceContext) -> Extraction:
    m = ctx.patterns["continuation"].search_in(ctx.words)
    return Extraction(True, _heading_span(ctx, m)) if m else Extraction(False, None)


def retrospective_request(ctx: ServiceContext) -> Extraction:
    m = ctx.patterns["retrospective"].search_in(ctx.words)
    return Extraction(True, _heading_span(ctx, m)) if m else Extraction(False, None)


# ---- UR's decision ---------------------------------------------------------------------------
def partial_ur_certification(ctx: ServiceContext) -> Extraction:
    s = ctx.service
    if s.partial_ur_certification:
        text = s.partial_certification_text or "partially certified by UR"
        return Extraction(True, EvidenceSpan(Section.PARTIAL_CERTIFICATION, 0, len(text), text))
    return Extraction(False, None)


def _ur_span(ctx: ServiceContext, m: re.Match[str] | None) -> EvidenceSpan:
    raw = ctx.service.ur_guideline_raw or ""
    if m is None:
        return EvidenceSpan(Section.UR_GUIDELINE, 0, len(raw), raw)
    return EvidenceSpan(Section.UR_GUIDELINE, m.start(), m.end(), raw[m.start() : m.end()])


def ur_guideline_source(ctx: ServiceContext) -> Extraction:
    raw = ctx.service.ur_guideline_raw
    if raw is not None:
        raw = ascii_lower(raw)
    if raw is None:
        return Extraction("missing", None)
    p = ctx.patterns
    none_cited = p["ur_none_cited"].search_line(raw)
    if ctx.service.ur_no_evidence_cited or none_cited:
        return Extraction("none_cited", _ur_span(ctx, none_cited))
    mtus = p["ur_mtus"].search_line(raw)
    odg = p["ur_odg"].search_line(raw)
    if mtus and odg:
        return Extraction("mtus_odg", _ur_span(ctx, None))
    if mtus:
        return Extraction("mtus", _ur_span(ctx, mtus))
    if odg:
        return Extraction("odg", _ur_span(ctx, odg))
    acoem = p["ur_acoem"].search_line(raw)
    if acoem:
        return Extraction("acoem", _ur_span(ctx, acoem))
    return Extraction("other" if raw.strip() else "missing", _ur_span(ctx, None))


def ur_guideline_chapter(ctx: ServiceContext) -> Extraction:
    raw = ctx.service.ur_guideline_raw
    if raw is not None:
        raw = ascii_lower(raw)
    if raw is None:
        return Extraction("none", None)
    p = ctx.patterns
    if ctx.service.ur_no_evidence_cited or p["ur_none_cited"].search_line(raw):
        return Extraction("none", None)
    for chapter, pat in p["ur_chapters"].items():
        m = pat.search_line(raw)
        if m:
            return Extraction(chapter, _ur_span(ctx, m))
    return Extraction("other", _ur_span(ctx, None))


# ---- the case summary about this service ------------------------------------------------------
def _service_mention_patterns(ctx: ServiceContext) -> tuple[FastPattern | str, ...]:
    """What finds this service's treatment in the summary, most specific first: the heading's first
    word (a drug name, as a plain lower-case word), then its taxonomy type (any drug of the class)."""
    return _mention_patterns(ctx.case_ctx.taxonomy, ctx.text_raw)


@lru_cache(maxsize=16384)
def _mention_patterns(taxonomy: ServiceTaxonomy, text_raw: str) -> tuple[FastPattern | str, ...]:
    """`_service_mention_patterns` by service text (memoised: the same headings recur). The first word
    stays a string: compiling a regex per new drug name cost ~70 us, and a word is found with `str.find`."""
    service_class = taxonomy.classify(text_raw)
    t = service_class.type
    if t in _THERAPY_TYPES:
        return (compile_lower(_THERAPY_TYPES[t]),)
    out: list[FastPattern | str] = []
    if service_class.known:
        word = _FIRST_WORD.match(ascii_lower(text_raw))
        if word and word.group(1) not in _GENERIC_FIRST_WORDS:
            out.append(word.group(1))
        pat = taxonomy.type_pattern(t)
        if pat is not None:
            out.append(pat)
    return tuple(out)


_MONTHS = {"day": 1 / 30.4, "week": 7 / 30.4, "month": 1.0, "year": 12.0}


def _parse_date(token: str) -> date | None:
    token = token.replace(".", "").replace(",", "").strip()
    for fmt in ("%B %d %Y", "%B %Y", "%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y", "%m-%d-%y", "%m/%Y", "%m-%Y", "%Y"):
        try:
            return datetime.strptime(token, fmt).date()
        except ValueError:
            continue
    return None


def _duration_in_sentence(ctx: ServiceContext, s: int, e: int) -> Extraction | None:
    # Sentences start right after their end mark (or at 0) and these patterns look behind only through
    # `\b`, so searching the summary within [s, e) finds what searching the sentence on its own did.
    p = ctx.patterns
    words = ctx.case_ctx.words
    ref = ctx.case.ur_denial_date
    m = p["duration_for"].search_in(words, s, e)
    if m:
        n = to_number(m.group(1), p.number_words)
        if n is not None:
            months = round(n * _MONTHS[m.group(2)], 2)
            return Extraction(months, summary_span(ctx, m.start(), m.end()))
    m = p["duration_since_date"].search_in(words, s, e)
    if m and ref is not None:
        d = _parse_date(m.group(1))
        if d is not None and d <= ref:
            return Extraction(round((ref - d).days / 30.4, 2), summary_span(ctx, m.start(), m.end()))
    m = p["duration_new"].search_in(words, s, e)
    if m:
        return Extraction(0.0, summary_span(ctx, m.start(), m.end()))
    m = p["duration_long_term"].search_in(words, s, e)
    if m:
        return Extraction(12.0, summary_span(ctx, m.start(), m.end()))
    return None


def duration_of_use_months(ctx: ServiceContext) -> Extraction:
    """Months the requested drug/treatment has been used, from a summary sentence that names it
    (a newly started drug counts 0; 'long-term use' without a number counts 12)."""
    if not ctx.case_ctx.summary:
        return MISSING
    case_ctx = ctx.case_ctx
    words = case_ctx.words
    bounds = case_ctx.bounds
    request_cue = ctx.patterns["request_cue"]
    memo = case_ctx.cache.setdefault("duration_by_sentence", {})
    for pat in _service_mention_patterns(ctx):
        seen: set[int] = set()
        for start in case_ctx.mention_starts(pat):
            s, e = sentence_of(bounds, start)
            if s in seen:
                continue
            if s not in memo:  # a sentence's duration depends on the case only, not on the service
                memo[s] = None if request_cue.search_in(words, s, e) else _duration_in_sentence(ctx, s, e)
            seen.add(s)
            found = memo[s]
            if found is not None:
                return found
    return MISSING


def _service_regions(ctx: ServiceContext) -> list[str]:
    return [name for name, _ in _heading_regions(ctx)]


def prior_imaging_same_region(ctx: ServiceContext) -> Extraction:
    """A summary sentence reporting done imaging (not a request) of this service's region.

    Services naming no region (medications, DME) count imaging of any region.
    """
    text = ctx.case_ctx.summary
    if not text:
        return MISSING
    regions = _service_regions(ctx)
    region_pats = [ctx.patterns.regions[r] for r in regions]
    words = ctx.case_ctx.words
    for s, e, _sentence in _done_imaging_sentences(ctx):
        if region_pats and not any(rp.search_in(words, s, e) for rp in region_pats):
            continue
        return Extraction(True, summary_span(ctx, s, e))
    return Extraction(False, None)


def _done_imaging_sentences(ctx: ServiceContext) -> list[tuple[int, int, str]]:
    """(start, end, text) of each summary imaging mention reporting done imaging, in order; per case."""
    cache = ctx.case_ctx.cache
    if "done_imaging" not in cache:
        text = ctx.case_ctx.summary
        words = ctx.case_ctx.words
        p = ctx.patterns
        bounds = ctx.case_ctx.bounds
        found = []
        for m in p["imaging_word"].findall_in(words):
            s, e = sentence_of(bounds, m.start())
            sentence = text[s:e]
            if p["request_cue"].search_in(words, s, e) or not p["imaging_result_cue"].search_in(words, s, e):
                continue
            if is_negated(text, m.start(), s, p["negation"]):
                continue
            found.append((s, e, sentence))
        cache["done_imaging"] = found
    return cache["done_imaging"]


def prior_sessions(ctx: ServiceContext) -> Extraction:
    """Sessions of the same therapy already done, from summary sentences naming the therapy."""
    t = ctx.service_class.type
    if t not in _THERAPY_TYPES:
        return MISSING
    therapy = compile_lower(_THERAPY_TYPES[t])
    best: tuple[float, int, int] | None = None
    for m in ctx.case_ctx.matches(ctx.patterns["no_prior_sessions"]):
        if therapy.search(m.group(0)):
            best = (0.0, m.start(), m.end())
    for n, m, sentence in _completed_session_counts(ctx):
        if not therapy.search(sentence):
            continue
        if best is None or n > best[0]:
            best = (n, m.start(), m.end())
    if best is None:
        return MISSING
    return Extraction(best[0], summary_span(ctx, best[1], best[2]))


def _completed_session_counts(ctx: ServiceContext) -> list[tuple[float, re.Match[str], str]]:
    """(count, match, sentence) of each summary session count reported as done, in order; per case
    (which therapy the sentence names is checked per service)."""
    cache = ctx.case_ctx.cache
    if "completed_sessions" not in cache:
        text = ctx.case_ctx.summary
        words = ctx.case_ctx.words
        p = ctx.patterns
        bounds = ctx.case_ctx.bounds
        found = []
        for key in ("sessions_out_of", "sessions_count"):
            for m in p[key].findall_in(words):
                s, e = sentence_of(bounds, m.start())
                sentence = text[s:e]
                if not p["completed_cue"].search_in(words, s, e):
                    continue
                if p["request_cue"].search_in(words, s, m.start()):
                    continue
                n = to_number(m.group(1), p.number_words)
                if n is None or n > 100:
                    continue
                found.append((n, m, sentence))
        cache["completed_sessions"] = found
    return cache["completed_sessions"]


# ---- memoised by text: the same headings and UR guideline lines recur across letters --------------
_Extractor = Callable[[ServiceContext], Extraction]


_TEXT_CONTEXT = "_text_context"  # key of a service's text-only context in its `cache`


def _by_service_text(fn: _Extractor) -> _Extractor:
    """`fn` (which reads only the service text) memoised by that text, on the text's shared context."""
    name = fn.__name__

    def extract(ctx: ServiceContext) -> Extraction:
        text_ctx = ctx.cache.get(_TEXT_CONTEXT)  # found once per service, not once per extractor
        if text_ctx is None:
            case_ctx = ctx.case_ctx
            text_ctx = ctx.cache[_TEXT_CONTEXT] = _service_text_context(
                case_ctx.patterns, case_ctx.taxonomy, ctx.text_raw)
        memo = text_ctx.cache
        found = memo.get(name)
        if found is None:
            found = memo[name] = fn(text_ctx)
        return found

    extract.__name__, extract.__doc__ = fn.__name__, fn.__doc__
    return extract


@lru_cache(maxsize=16384)
def _service_text_context(patterns: TextPatterns, taxonomy: ServiceTaxonomy, text: str) -> ServiceContext:
    """One text-only context per heading: its extractors share it and memoise their results in its
    `cache` (one cache miss per new heading, not one per extractor; building it cost ~10 us)."""
    return ServiceContext.of_service_text(patterns, taxonomy, text)


def _by_ur_line(fn: _Extractor) -> _Extractor:
    """`fn` (which reads only UR's guideline line and its no-evidence flag) memoised by those."""
    name = fn.__name__

    def extract(ctx: ServiceContext) -> Extraction:
        s, case_ctx = ctx.service, ctx.case_ctx
        line_ctx = _ur_line_context(case_ctx.patterns, case_ctx.taxonomy, s.ur_guideline_raw,
                                    s.ur_no_evidence_cited)
        memo = line_ctx.cache
        found = memo.get(name)
        if found is None:
            found = memo[name] = fn(line_ctx)
        return found

    extract.__name__, extract.__doc__ = fn.__name__, fn.__doc__
    return extract


@lru_cache(maxsize=16384)
def _ur_line_context(
    patterns: TextPatterns, taxonomy: ServiceTaxonomy, raw: str | None, no_evidence: bool
) -> ServiceContext:
    """One UR-line-only context per line, shared by the UR-line extractors (which memoise in its `cache`)."""
    return ServiceContext.of_service_text(patterns, taxonomy, "", raw, no_evidence)


def clear_text_caches() -> None:
    """Forget everything memoised by heading or UR-line text, classification included (benchmarks time
    a cold start with this: what a new `imr features` process pays on letters it has not seen)."""
    for cached in (_find_heading_regions, _mention_patterns, _service_text_context, _ur_line_context,
                   heading_words):
        cached.cache_clear()
    clear_classification_cache()


SERVICE_EXTRACTORS = {
    **{
        fn.__name__: _by_service_text(fn)
        for fn in (
            service_family, service_type, service_region, imaging_contrast, limbs_count, sessions_requested,
            drug_strength_mg, drug_quantity, refills, injection_levels, continuation_request,
            retrospective_request,
        )
    },
    "partial_ur_certification": partial_ur_certification,
    "ur_guideline_source": _by_ur_line(ur_guideline_source),
    "ur_guideline_chapter": _by_ur_line(ur_guideline_chapter),
    "duration_of_use_months": duration_of_use_months,
    "prior_imaging_same_region": prior_imaging_same_region,
    "prior_sessions": prior_sessions,
}
