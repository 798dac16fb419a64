"""Which guideline section governs a disputed service, from what is known before review: the service's
type and family, its body region, the phase of care, the UR denial date (which edition was in force)
and the chapter the UR cited (a tie-breaker, and a region for services whose heading names none).

The reviewer's own guideline line is never read here; `cited_chapters` is also what the evaluation
uses to grade against it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from features.criteria import Chapter, Citation, CriteriaTable, OperationSection, Section, SectionEdition
from features.criteria_facts import (
    UNSPECIFIC_REGIONS,
    LetterFacts,
    lexicons,
    operation_kinds,
    recent_operation,
    text_regions,
)

UR_CITED_BONUS = 0.5  # below one specificity step: only breaks ties between equally specific sections
_SOURCE = re.compile(r"(non-\s*)?\bmtus\b", re.IGNORECASE)  # where an MTUS or a Non-MTUS part starts
_ODG = re.compile(r"official disability guidelines|offiicial disability|\bodg\b", re.IGNORECASE)
# ACOEM's 2nd edition (2004) is the MTUS's own ACOEM: its chapters count as MTUS chapters even in a part
# written "Non-MTUS" (the 3rd edition and later are not chapters of this table)
_ACOEM_2004 = re.compile(r"\bacoem\b(?:(?!\b(?:3rd|third)\b)[^;]){0,80}?(?:\b2nd\s+ed(?:ition|\.)?|\(2004\))",
                         re.IGNORECASE)
_ODG_MARK = re.compile(r"(official disability guidelines|offiicial disability|\(?\bodg\b\)?)[\s:,]*",
                       re.IGNORECASE)


@dataclass(frozen=True)
class Selection:
    """The governing section of one service, the edition that applied, and why."""

    section: Section
    edition: SectionEdition
    citation: Citation
    chapter_key: str
    in_force: bool | None  # None: UR denial date unknown
    region: str | None
    reason: str
    operation: str | None = None  # the kind of operation whose topic of the section governs, if any
    params: Mapping[str, float] = field(default_factory=dict)  # the section's, an operation topic's over them


# ---- chapters named in a guideline line ----------------------------------------------------------
def cited_chapters(table: CriteriaTable, line: str | None) -> list[str]:
    """Chapter keys a UR (or reviewer) guideline line cites, in the order written. The line alternates
    between MTUS parts (from the start, and after each 'MTUS' not written 'Non-MTUS') and Non-MTUS parts,
    where only ODG chapters count, after the ODG is named, and the MTUS chapters of an ACOEM 2nd edition
    (2004) citation. ACOEM 3rd edition and other sources are not chapters of this table and are skipped."""
    if not line:
        return []
    memo = lexicons(table).cited
    found = memo.get(line)
    if found is None:
        found = memo[line] = _cited_chapters(table, line)
    return list(found)


def _parts(line: str) -> list[tuple[int, str, str]]:
    """(offset, text, guideline) of each MTUS part and of the ODG text of each Non-MTUS part."""
    marks = [(m.start(), m.end(), "ODG" if m.group(1) else "MTUS") for m in _SOURCE.finditer(line)]
    bounds = [(0, 0, "MTUS"), *marks, (len(line), len(line), "")]
    parts: list[tuple[int, str, str]] = []
    for (_, start, guideline), (end, _, _) in zip(bounds, bounds[1:], strict=False):
        text = line[start:end]
        if guideline == "ODG":
            acoem, odg = _ACOEM_2004.search(text), _ODG.search(text)
            if acoem is not None and (odg is None or acoem.start() < odg.start()):
                upto = odg.start() if odg is not None else len(text)
                parts.append((start + acoem.end(), text[acoem.end():upto], "MTUS"))
            if odg is None:
                continue
            start, text = start + odg.end(), text[odg.end():]
        parts.append((start, text, guideline))
    return parts


def _chapter_position(part: str, start: int) -> bool:
    """After a part's first chapter, an ODG chapter is named only where a citation starts (after a
    separator), never inside a topic's words: 'Corticosteroids (... for low back pain)' names no chapter."""
    before = _ODG_MARK.sub("", part[:start]).rstrip()
    return not before or before[-1] in ",;:/" or before.lower().endswith((" and", "citation"))


def _cited_chapters(table: CriteriaTable, line: str) -> list[str]:
    hits: list[tuple[int, str]] = []
    for offset, part, guideline in _parts(line):
        found: list[tuple[int, int, str]] = []  # non-overlapping alias matches, longest alias first
        for key, chapter_guideline, pat in lexicons(table).chapter_aliases:
            if chapter_guideline != guideline:
                continue
            for m in pat.finditer(part):
                if not any(m.start() < e and s < m.end() for s, e, _ in found):
                    found.append((m.start(), m.end(), key))
        found.sort()
        hits += [(offset + s, key) for i, (s, _, key) in enumerate(found)
                 if guideline == "MTUS" or i == 0 or _chapter_position(part, s)]
    out: list[str] = []
    for _, key in sorted(hits):
        if key not in out:
            out.append(key)
    return out


# ---- the region of a service ------------------------------------------------------------------
def resolve_region(
    table: CriteriaTable,
    service_region: str | None,
    heading_regions: tuple[str, ...],
    *,
    item_index: int,
    letter: LetterFacts,
    ur_chapters: Iterable[str] = (),
) -> str | None:
    """The heading's region; for several, the first named that holds none of the others (a thumb
    splint 'for the upper extremity' is a hand device); for none, the letter's: the region of the chapter
    UR cited, then an operation's region in the same letter, then the region of the operation the request
    follows (`operation_region`), then the summary's only region (not counting where a pain radiates to,
    findings of a nerve root examined on a limb, nor a limb named besides a narrower region)."""
    if service_region and service_region not in UNSPECIFIC_REGIONS:
        return service_region
    specific = [r for r in heading_regions if r not in UNSPECIFIC_REGIONS]
    narrow = [r for r in specific if not set(table.region_parts.get(r, ())) & set(specific)]
    if narrow:
        return narrow[0]
    for key in ur_chapters:
        chapter: Chapter | None = table.chapters.get(key)
        if chapter is not None and chapter.regions:
            return chapter.regions[0]
    for other in letter.others(item_index):
        regions = [r for r in other.regions if r not in UNSPECIFIC_REGIONS]
        if other.family == "surgery" and regions:
            return regions[0]
    operated = operation_region(table, letter, item_index)
    if operated is not None:
        return operated
    summary = [r for r in letter.summary_regions(table) if r not in UNSPECIFIC_REGIONS]
    if len(summary) > 1:  # a limb named besides a joint or the spine ('straight leg raise'): the narrower one
        summary = [r for r in summary if r not in table.region_parts] or summary
    if len(summary) == 1:
        return summary[0]
    return "spine_unspecified" if "spine_unspecified" in heading_regions else None


def operation_region(table: CriteriaTable, letter: LetterFacts, item_index: int) -> str | None:
    """The region of the operation a post-operative request follows: the recent dated operation that makes
    it post-operative (`recent_operation`), else, for a heading that says it is post-operative, the operations
    the summary says were done (latest mentioned first). A sentence's own region (the narrowest it names),
    else the region of the kind of operation it names (a cruciate ligament is the knee's); None when neither
    is known. A cold unit after an 'anterior cruciate ligament reconstruction' is the knee's."""
    this = next((s for s in letter.services if s.item_index == item_index), None)
    if this is None:
        return None
    recent = recent_operation(table, this.text, letter.operations, this.family)
    if recent is not None:
        sentences: tuple[str, ...] = (recent.sentence,)
    elif lexicons(table).post_operative.search(this.text):
        sentences = tuple(reversed(letter.operation_sentences))
    else:
        return None
    for sentence in sentences:
        named = text_regions(sentence)
        specific = [r for r in named if r not in UNSPECIFIC_REGIONS]
        narrow = [r for r in specific if not set(table.region_parts.get(r, ())) & set(specific)]
        if narrow:
            return narrow[0]
        if named:  # a spinal operation without its level ('back surgery'): no limb's kind
            continue
        for kind in operation_kinds(table, sentence):
            region = table.operations[kind].region
            if region is not None:
                return region
    return None


# ---- selection --------------------------------------------------------------------------------
def pick_edition(
    table: CriteriaTable, section: Section, day: date | None
) -> tuple[SectionEdition, bool | None]:
    """The section's edition in force on `day`; otherwise the latest that started by then (or the
    earliest when none had), flagged not in force; the latest when the date is unknown."""
    by_start = sorted(section.editions, key=lambda e: table.editions[e.edition].applies_from)
    if day is None:
        return by_start[-1], None
    for e in reversed(by_start):
        if table.editions[e.edition].in_force(day):
            return e, True
    started = [e for e in by_start if table.editions[e.edition].applies_from <= day]
    return (started[-1] if started else by_start[0]), False


def operation_section(
    table: CriteriaTable, section: Section, region: str | None, texts: Iterable[str]
) -> OperationSection | None:
    """The section's topic for the operation a request follows: the first text (nearest first) that names a
    kind of operation the section lists for the request's region; in one text, the kind that wins by the
    table's order (a fusion over the laminectomy done with it)."""
    topics = {t.operation: t for t in section.section_by_operation if t.region == region}
    if not topics:
        return None
    for text in texts:
        for kind in operation_kinds(table, text):
            if kind in topics:
                return topics[kind]
    return None


def citation_for(
    table: CriteriaTable, section: Section, edition: SectionEdition, region: str | None,
    topic: OperationSection | None = None,
) -> tuple[Citation, str]:
    """The citation of a section in one edition, with the chapter (and the section's name) chosen by region
    where the section has a region map (ODG topics live in the chapter of the body part; the Postsurgical
    guidelines' physical medicine is set out by body region), and by the operation's topic where one is known
    (their course after a carpal tunnel release is 'Carpal tunnel syndrome')."""
    key = edition.chapter or section.chapter_by_region.get(region or "", section.chapter)
    name = edition.section or (topic.section if topic is not None else
                               section.section_by_region.get(region or "", section.section))
    memo = lexicons(table).citations
    found = memo.get((section.id, edition.edition, key, name))
    if found is None:
        chapter = table.chapters[key]
        ed = table.editions[edition.edition]
        citation = Citation(guideline=ed.guideline, edition=ed.edition, chapter=chapter.title,
                            section=name, pages=edition.pages)
        found = memo[(section.id, edition.edition, key, name)] = (citation, key)
    return found


def select_section(
    table: CriteriaTable,
    *,
    service_type: str | None,
    service_family: str | None,
    region: str | None,
    phase: str | None,
    groups: Iterable[str | None] = (),
    surgery_in_letter: bool = False,
    ur_denial_date: date | None = None,
    ur_chapters: Iterable[str] = (),
    claim_kinds: Iterable[str] = (),
    operation_texts: Iterable[str] = (),
) -> Selection | None:
    """The most specific section whose selectors fit the service (ties: priority, then a section in the
    chapter UR cited, then the table's order); None when no section fits (e.g. an unknown service). A
    type the table lists as section-less is never placed by its family and region alone. Where the section
    sets out a topic per operation, `operation_texts` (nearest first) say which operation it follows."""
    section_less = service_type in table.section_less  # the table says why: no family-level stand-in
    group_set = {g for g in groups if g}
    ur = set(ur_chapters)
    claims = frozenset(claim_kinds)
    best: tuple[float, int, Section, int] | None = None
    lex = lexicons(table)
    keys = [("type", service_type), ("family", service_family), *(("group", g) for g in group_set)]
    candidates = sorted({i for k in keys for i in lex.candidates.get(k, ())})  # type: ignore[arg-type]
    for order, section, selectors, chapter_keys in (lex.selectors[i] for i in candidates):
        fits = [f for s in selectors
                if not (section_less and s.family_level)
                and (f := s.score(service_type, service_family, region, phase, group_set, surgery_in_letter,
                                  claims)) is not None]
        if not fits:
            continue
        bonus = UR_CITED_BONUS if chapter_keys & ur else 0.0
        score = max(fits) + section.priority + bonus
        if best is None or score > best[0]:
            best = (score, -order, section, max(fits))
    if best is None:
        return None
    section = best[2]
    edition, in_force = pick_edition(table, section, ur_denial_date)
    topic = (operation_section(table, section, region, operation_texts) if section.section_by_operation
             else None)
    citation, key = citation_for(table, section, edition, region, topic)
    reason = (f"specificity {best[3]}" + (f", priority {section.priority}" if section.priority else "")
              + (", chapter UR cited" if key in ur else "")
              + (f", after an operation: {topic.operation}" if topic is not None else ""))
    params = {**section.params, **topic.params} if topic is not None else section.params
    return Selection(section, edition, citation, key, in_force, region, reason,
                     None if topic is None else topic.operation, params)
