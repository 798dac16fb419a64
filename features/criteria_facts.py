"""Facts the criteria read beyond the spec features: the phase of care, the letter's other requests,
heading lexicons (drug and modality subgroups, rental days) and combinations of spec features.

Everything here reads pre-review text only (the service heading, the header dates, the other
headings of the same letter and the spec features' values); the patterns are data in
`criteria.yaml` and `body_regions.yaml`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from features.body_regions import region_regexes
from features.casefold import ASCII_WORDS, FoldedSearch
from features.criteria import CriteriaTable, as_number, fact_key
from features.evidence import EvidenceSpan
from features.imaging_modalities import same_kind_prior
from features.original_request import OriginalRequest
from features.pain_after_care import PainAfterCare, PainReading
from features.value_patterns import value_patterns
from features.word_start import word_guarded
from features.written_dates import month_number

UNSPECIFIC_REGIONS = frozenset({"none", "multiple", "spine_unspecified"})
SPINAL_REGIONS = frozenset({"lumbar", "cervical", "thoracic", "spine_unspecified"})
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "ten": 10, "fourteen": 14, "thirty": 30}
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30}
PURCHASE_DAYS = 365.0


@dataclass(frozen=True, slots=True)
class LetterService:
    """What the criteria need to know of one disputed item of the letter (from its heading)."""

    item_index: int
    family: str
    type: str
    regions: tuple[str, ...]
    text: str = ""  # the heading (what an operation requested in the letter names)


@dataclass(frozen=True, slots=True)
class Operation:
    """An operation the summary says was done, dated: days before the UR denial, the regions its
    sentence names, and the sentence (offsets into the summary, the phase's evidence)."""

    days_before_ur: int
    regions: tuple[str, ...]
    start: int
    end: int
    sentence: str


@dataclass(frozen=True, slots=True)
class LetterFacts:
    """The letter around a service: its disputed items, its clinical summary and the dated operations
    the summary says were done."""

    services: tuple[LetterService, ...]
    summary: str = ""
    operations: tuple[Operation, ...] = ()
    claims: frozenset[str] = frozenset()  # the claim kinds the summary states (`claim_kinds`)
    # the sentences of the summary that say an operation was done, dated or not, in summary order
    operation_sentences: tuple[str, ...] = ()
    # (drug class, the summary's mention that says the worker takes it), per class (features/drugs_in_use.py)
    drugs_in_use: tuple[tuple[str, EvidenceSpan], ...] = ()
    # the current pain scores after the record lists care given (features/pain_after_care.py)
    pain_after_care: PainAfterCare | None = None
    # the items whose requested drug the summary tells as new: other drugs had, this one only asked for
    # (features/requested_drug_new.py)
    new_drugs: frozenset[int] = frozenset()
    # failed care is "no" only by the UR's claim that care was not attempted, against the record's own list
    # of care given (session 24: `FunctionAndCareFacts.not_tried_only_by_ur_claim`): read not stated
    ur_not_tried_claim_only: bool = False
    # the record's sentence saying care helped, no failure of care stated (session 25 nurse check), else None
    care_helped: EvidenceSpan | None = None
    # the current pain scores after that care (the criteria table decides how high a pain leaves care failed)
    pain_after_help: PainAfterCare | None = None

    def drug_in_use(self, drug_class: str) -> EvidenceSpan | None:
        """The summary's mention saying the worker takes a drug of this class, None when it says none."""
        return next((span for c, span in self.drugs_in_use if c == drug_class), None)

    def summary_regions(self, table: CriteriaTable) -> tuple[str, ...]:
        """Regions the summary names, not counting where a pain radiates to nor a nerve root's findings on a
        limb (found on use: only region-less services ask)."""
        lex = lexicons(table)
        return text_regions(lex.root_findings.sub(" ", lex.radiation.sub(" ", self.summary)))

    def others(self, item_index: int) -> tuple[LetterService, ...]:
        return tuple(s for s in self.services if s.item_index != item_index)


class CompiledLexicons:
    """The table's heading lexicons and phase patterns, compiled once per table."""

    def __init__(self, table: CriteriaTable) -> None:
        lex = table.lexicons
        # (lexicon, its families, {group: (pattern, the families it applies to)})
        self.groups: list[tuple[str, frozenset[str], dict[str, tuple[re.Pattern[str], frozenset[str]]]]] = []
        for name in ("drug_group", "modality_kind"):
            entry = lex[name]
            families = frozenset(entry["families"])
            own = entry.get("pattern_families") or {}
            patterns = {k: (_compile(p), frozenset(own.get(k, families)))
                        for k, p in entry["patterns"].items()}
            self.groups.append((name, families | {f for fs in own.values() for f in fs}, patterns))
        topical = lex["topical_not_recommended"]
        self.topical_families = frozenset(topical["families"])
        self.topical = _compile(topical["pattern"])
        self.radiation = _compile(lex["radiation"]["pattern"])
        self.root_findings = _compile(lex["root_findings"]["pattern"])
        evaluation = lex["evaluation_only"]
        self.evaluation_families = frozenset(evaluation["families"])
        self.evaluation = _compile(evaluation["pattern"])
        rental = lex["rental_days"]
        self.rental_families = frozenset(rental["families"])
        self.rental = _compile(rental["pattern"])
        self.purchase = _compile(rental["purchase"])
        # each kind of care a criterion may read failed care of: (kind, its words, its drug classes)
        self.care_kinds = tuple((name, _compile(k.words) if k.words else None, frozenset(k.drug_classes))
                                for name, k in table.care_kinds.items())
        self.post_operative = _compile(table.phases.post_operative)
        self.pre_operative = _compile(table.phases.pre_operative)
        self.acute_days = table.phases.acute_days
        self.subacute_days = table.phases.subacute_days
        self.operation_days = table.phases.operation_days
        self.operation_days_by_family = dict(table.phases.operation_days_by_family)
        self.operation_elapsed = _compile(table.phases.operation_elapsed)
        # claim kind -> (decisive claim words, diagnosis words, words that rule the diagnosis out)
        self.claim_kinds = {
            name: (FoldedSearch.of(_compile(k.claim)),
                   FoldedSearch.of(_compile(k.diagnosis)) if k.diagnosis else None,
                   FoldedSearch.of(_compile(k.unless)) if k.unless else None)
            for name, k in table.claim_kinds.items()}
        # (kind, pattern) of each kind of operation, in the order they win (`operations`)
        self.operations = tuple((name, _compile(kind.pattern)) for name, kind in table.operations.items())
        self.operation_date_after = _compile(table.phases.operation_date_after)
        self.operation_date_before = _compile(table.phases.operation_date_before)
        # (chapter key, guideline, alias regex), longest alias first: 'Low Back Complaints' beats 'Low Back'
        pairs = [(key, ch.guideline, alias) for key, ch in table.chapters.items() for alias in ch.aliases]
        pairs.sort(key=lambda p: -len(p[2]))
        self.derived_sources = tuple(dict.fromkeys(
            src for d in table.derived_facts.values() for src in d.sources if src != "service_phase"))
        self.cited: dict[str, list[str]] = {}  # guideline line -> chapters it cites (lines recur)
        # (section, edition, chapter, section name) -> (Citation, chapter key)
        self.citations: dict[tuple[str, str, str, str], Any] = {}
        self.selectors = [
            (order, section, [_SelectorIndex.of(s) for s in section.match],
             frozenset({section.chapter, *section.chapter_by_region.values(),
                        *(e.chapter for e in section.editions if e.chapter)}))
            for order, section in enumerate(table.sections.values())
        ]
        # which sections a service type, family or heading group can select (the rest never fit)
        self.candidates: dict[tuple[str, str], list[int]] = {}
        for i, (_, section, _, _) in enumerate(self.selectors):
            for s in section.match:
                keys = ([("group", g) for g in s.groups] if s.groups else
                        [("type", t) for t in s.types] if s.types else
                        [("family", f) for f in s.families or ()])
                for key in keys:
                    hits = self.candidates.setdefault(key, [])
                    if i not in hits:
                        hits.append(i)
        self.chapter_aliases = tuple(
            (key, guideline, re.compile(r"(?<![\w])" + re.escape(alias) + r"(?![\w])", re.IGNORECASE))
            for key, guideline, alias in pairs
        )


@dataclass(frozen=True, slots=True)
class _SelectorIndex:
    """A selector as sets, for matching many services quickly."""

    types: frozenset[str] | None
    families: frozenset[str] | None
    regions: frozenset[str] | None
    phases: frozenset[str] | None
    groups: frozenset[str] | None
    surgery: frozenset[bool] | None
    claims: frozenset[str] | None
    specificity: int

    @classmethod
    def of(cls, s: Any) -> _SelectorIndex:
        def opt(v: Any) -> frozenset[Any] | None:
            return None if v is None else frozenset(v)

        return cls(opt(s.types), opt(s.families), opt(s.regions), opt(s.phases), opt(s.groups),
                   opt(s.surgery_in_letter), opt(s.claim_kinds), s.specificity)

    @property
    def family_level(self) -> bool:
        """Fits by family (and region) alone: a stand-in that a section-less type must not take."""
        return (self.families is not None and self.types is None and self.groups is None
                and self.phases is None and self.surgery is None and self.claims is None)

    def score(self, service_type: str | None, family: str | None, region: str | None, phase: str | None,
              groups: set[str], surgery: bool, claims: frozenset[str] = frozenset()) -> int | None:
        """The specificity when every key the selector gives holds for the service, else None."""
        if (
            (self.types is not None and service_type not in self.types)
            or (self.families is not None and family not in self.families)
            or (self.regions is not None and region not in self.regions)
            or (self.phases is not None and phase not in self.phases)
            or (self.groups is not None and not (groups & self.groups))
            or (self.surgery is not None and surgery not in self.surgery)
            or (self.claims is not None and not (claims & self.claims))
        ):
            return None
        return self.specificity


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(word_guarded(pattern), re.IGNORECASE | ASCII_WORDS)


_COMPILED: dict[int, tuple[CriteriaTable, CompiledLexicons]] = {}


def lexicons(table: CriteriaTable) -> CompiledLexicons:
    """Compiled lexicons of a table (kept per table object; the packaged table is loaded once)."""
    hit = _COMPILED.get(id(table))
    if hit is None or hit[0] is not table:
        hit = _COMPILED[id(table)] = (table, CompiledLexicons(table))
    return hit[1]


# ---- body regions of a heading (body_regions.yaml, the extractors' region table) -----------------
@lru_cache(maxsize=1)
def _region_patterns() -> tuple[tuple[str, FoldedSearch], ...]:
    return tuple((name, FoldedSearch.of(re.compile(word_guarded(pat), re.IGNORECASE | ASCII_WORDS)))
                 for name, pat in region_regexes().items())


@lru_cache(maxsize=8192)
def text_regions(text: str) -> tuple[str, ...]:
    """Regions a text names, in order of first mention; `spine_unspecified` only when no spinal
    region is named. An ASCII text is searched lower-cased (`casefold`: a summary's 14 scans in 70% of the
    time)."""
    lower = text.lower() if text.isascii() else None
    found = []
    for name, pat in _region_patterns():
        m = pat.plain.search(text) if lower is None else pat.folded.search(lower)
        if m:
            found.append((m.start(), name))
    names = [n for _, n in sorted(found)]
    specific = [n for n in names if n != "spine_unspecified"]
    return tuple(specific or names)


# ---- phase -------------------------------------------------------------------------------------
def dated_operations(
    table: CriteriaTable,
    summary: str,
    mentions: Iterable[tuple[int, int, int, int]],
    ur_denial_date: date | None,
) -> tuple[Operation, ...]:
    """The done operations whose date the summary gives, from (start, end, sentence start, sentence end)
    of each operation the record says was done: the date right after the mention, or opening its clause;
    only dates on or before the UR denial count."""
    if ur_denial_date is None:
        return ()
    lex = lexicons(table)
    found: list[Operation] = []
    for start, end, s_start, s_end in mentions:
        m = (lex.operation_date_after.search(summary[end:s_end])
             or lex.operation_date_before.search(summary[s_start:start]))
        day = (_date(m.group(1)) if m.group(1) else _ago(m.group(3), ur_denial_date)) if m else None
        if day is None or day > ur_denial_date:
            continue
        sentence = summary[s_start:s_end]
        found.append(Operation((ur_denial_date - day).days, text_regions(sentence), s_start, s_end, sentence))
    return tuple(found)


def stated_operations(
    table: CriteriaTable,
    summary: str,
    sentences: Iterable[tuple[int, int]],
    ur_denial_date: date | None,
) -> tuple[Operation, ...]:
    """Operations the summary dates by the time since them ('six weeks post-op', 'post-operative day 10'),
    one per statement, from the (start, end) of each summary sentence: counted back from the UR denial, as
    the notes precede it."""
    if ur_denial_date is None:
        return ()
    pattern = lexicons(table).operation_elapsed
    found: list[Operation] = []
    for s_start, s_end in sentences:
        sentence = summary[s_start:s_end]
        for m in pattern.finditer(sentence):
            if m.group("day"):
                days = int(m.group("day"))
            else:
                days = (ur_denial_date - _ago(f"{m.group('n')} {m.group('unit')}", ur_denial_date)).days
            found.append(Operation(days, text_regions(sentence), s_start, s_end, sentence))
    return tuple(found)


_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18}
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


def _date(text: str) -> date | None:
    """mm/dd/yyyy, mm-dd-yy, ISO yyyy-mm-dd or a month's name ('November 10, 2016', '10 November 2016'),
    as the phase patterns capture them."""
    if re.match(r"\d{4}-", text):
        year, month, day = (int(x) for x in text.split("-"))
    elif re.match(r"\d{1,2}[/-]", text):
        month, day, year = (int(x) for x in re.split(r"[/-]", text))
    else:
        first, second, year_text = re.split(r"[\s,.]+", text.strip())
        name, day_text = (second, first) if first[0].isdigit() else (first, second)
        month, day, year = month_number(name), int(day_text), int(year_text)
    try:
        return date(year + 2000 if year < 100 else year, month, day)
    except ValueError:
        return None


def _ago(text: str, ur_denial_date: date) -> date:
    """'two weeks ago' counted back from the UR denial: the summary's notes precede it, so the operation
    is at least this old at the UR."""
    count, unit = text.lower().split()[:2]
    n = int(count) if count.isdigit() else _NUMBER_WORDS[count]
    unit = unit.rstrip("s")
    return ur_denial_date - timedelta(days=n * _UNIT_DAYS["week" if unit == "wk" else unit])


def operation_window(table: CriteriaTable, family: str | None) -> int:
    """Days after an operation in which a request of this service family is post-operative (the table's
    window for the family, else its general one)."""
    lex = lexicons(table)
    return lex.operation_days_by_family.get(family or "", lex.operation_days)


def recent_operation(
    table: CriteriaTable, service_text: str, operations: Iterable[Operation], family: str | None = None
) -> Operation | None:
    """The latest operation within the table's window (for the request's family) before the UR denial,
    unless the heading names only other regions than the operation's sentence."""
    heading = _specific(text_regions(service_text))
    window = operation_window(table, family)
    fits = [op for op in operations if op.days_before_ur <= window
            and not (heading and _specific(op.regions) and not heading & _specific(op.regions))]
    return min(fits, key=lambda op: op.days_before_ur, default=None)


def operation_texts(
    table: CriteriaTable, service_text: str, letter: LetterFacts, item_index: int, family: str | None = None
) -> tuple[str, ...]:
    """The texts that may say which operation a post-operative request follows, nearest first: its own
    heading, the dated operation that made it post-operative, the operations the letter requests, the
    summary's operations (latest mentioned first), and last the whole summary, whose condition of the region
    is what an operation named without it treated ('fractured the distal radius ... underwent ORIF')."""
    recent = recent_operation(table, service_text, letter.operations, family)
    requested = [s.text for s in letter.others(item_index) if s.family == "surgery" and s.text]
    return (service_text, *((recent.sentence,) if recent is not None else ()), *requested,
            *reversed(letter.operation_sentences), letter.summary)


def operation_kinds(table: CriteriaTable, text: str) -> tuple[str, ...]:
    """The kinds of operation a text names, in the table's order of precedence."""
    return tuple(name for name, pattern in lexicons(table).operations if pattern.search(text))


def _specific(regions: Iterable[str]) -> set[str]:
    return {r for r in regions if r not in UNSPECIFIC_REGIONS}


def service_phase(
    table: CriteriaTable, service_text: str, days_since_injury: Any, operations: Iterable[Operation] = (),
    family: str | None = None,
) -> str | None:
    """post_operative / pre_operative from the heading, post_operative after a recent dated operation
    (`recent_operation`), else acute / subacute / chronic by days from the injury to the UR denial; None
    when none is known."""
    lex = lexicons(table)
    if lex.post_operative.search(service_text):
        return "post_operative"
    if lex.pre_operative.search(service_text):
        return "pre_operative"
    if recent_operation(table, service_text, operations, family) is not None:
        return "post_operative"
    days = as_number(days_since_injury)
    if days is None:
        return None
    if days <= lex.acute_days:
        return "acute"
    return "subacute" if days <= lex.subacute_days else "chronic"


def claim_kinds(table: CriteriaTable, summary: str) -> frozenset[str]:
    """The claim kinds a letter's summary states (`claim_kinds` of the table): a kind's claim words, or
    its diagnosis words where none of its `unless` words (e.g. pain) appear. Read once per letter (an ASCII
    summary lower-cased: `casefold.FoldedSearch`)."""
    lower = summary.lower() if summary.isascii() else None

    def found(p: FoldedSearch | None) -> bool:
        return p is not None and p.found_in(summary, lower)

    return frozenset(name for name, (claim, diagnosis, unless) in lexicons(table).claim_kinds.items()
                     if found(claim) or (found(diagnosis) and not found(unless)))


# ---- derived facts -------------------------------------------------------------------------------
def _any_true(values: Iterable[Any]) -> bool | None:
    vals = [fact_key(v) for v in values]
    if any(v == ("bool", True) for v in vals):
        return True
    return None if all(v == ("none",) for v in vals) else False


def _bool(value: Any) -> bool | None:
    key = fact_key(value)
    return bool(key[1]) if key[0] == "bool" else None


def _group(lex: CompiledLexicons, name: str, family: str | None, text: str) -> str | None:
    for group_name, families, patterns in lex.groups:
        if group_name != name or family not in families:
            continue
        for key, (pat, pattern_families) in patterns.items():
            if family in pattern_families and pat.search(text):
                return key
    return None


def rental_days(lex: CompiledLexicons, family: str | None, text: str) -> float | None:
    if family not in lex.rental_families:
        return None
    if lex.purchase.search(text):
        return PURCHASE_DAYS
    m = lex.rental.search(text)
    if not m:
        return None
    raw = m.group(1).lower()
    n = float(raw) if raw.isdigit() else float(_NUMBER_WORDS[raw])
    return n * _UNIT_DAYS[m.group(2).lower()]


def _heading_region_facts(service_text: str, original: OriginalRequest | None = None) -> dict[str, Any]:
    """Every region the heading names (a set: a membership test holds when any is listed), and whether
    all of them are spinal; both null when the heading names none. A partial certification's remainder that
    names none ("Chiropractic treatment 6 visits") is of the original request's regions (session 25)."""
    regions = text_regions(service_text)
    if not regions and original is not None:
        regions = text_regions(original.text)
    if not regions:
        return {"heading_regions": None, "heading_spinal_only": None}
    return {"heading_regions": tuple(regions), "heading_spinal_only": set(regions) <= SPINAL_REGIONS}


def supply_days(quantity: float | None, service_text: str) -> float | None:
    """Days a drug's quantity lasts at the heading's dose and frequency ("one three times a day #45": 15), at
    the highest rate written ("1-2 tabs every 4-6 hours"); null when the heading gives no frequency."""
    p = value_patterns()
    m = p["dose_frequency"].search(service_text) if quantity else None
    if m is None or quantity is None:
        return None
    units = p.number(m.group("units_hi") or m.group("units") or "1")
    hours = p.number(m.group("hours"))
    per_day = 24 / hours if hours and 0 < hours <= 24 else p.doses_a_day(m.group("freq"))
    return quantity / (units * per_day) if units and per_day else None


def pain_reading(letter: LetterFacts, service_text: str, *, after_help: bool = False) -> PainReading | None:
    """The latest pain score after care that rates the request's body part: one whose words name a region
    the heading names, or no region, or any score when the heading names none (a drug, a device);
    `after_help`: after care the record says helped (`LetterFacts.pain_after_help`)."""
    scores = letter.pain_after_help if after_help else letter.pain_after_care
    if scores is None:
        return None
    wanted = set(text_regions(service_text))
    return scores.latest(
        lambda words: not wanted or not (named := set(text_regions(words))) or bool(named & wanted))


def unchanged_reading(letter: LetterFacts, service_text: str) -> PainReading | None:
    """The latest statement, after care given, that the complaints have not changed, of the request's body
    part (its sentence names a region the heading names, or none; any when the heading names none)."""
    if letter.pain_after_care is None:
        return None
    wanted = set(text_regions(service_text))
    return letter.pain_after_care.latest_unchanged(
        lambda words: not wanted or not (named := set(text_regions(words))) or bool(named & wanted))


def summary_drug_facts(table: CriteriaTable, letter: LetterFacts) -> dict[str, bool | None]:
    """Each derived fact with a `summary_drug_class`: true when the summary documents that the worker takes a
    drug of that class, else null (a summary that names none does not say the worker takes none)."""
    return {name: (True if letter.drug_in_use(d.summary_drug_class) is not None else None)
            for name, d in table.derived_facts.items() if d.summary_drug_class}


def summary_drug_evidence(table: CriteriaTable, letter: LetterFacts) -> dict[str, EvidenceSpan]:
    """The summary's mention behind each true `summary_drug_facts` fact: its evidence, not its sources'."""
    return {name: span for name, d in table.derived_facts.items()
            if d.summary_drug_class and (span := letter.drug_in_use(d.summary_drug_class)) is not None}


def _continues(continuation: tuple[Any, ...], prior: float | None, named: bool) -> bool | None:
    """The request continues a course given before: a continuation, or completed sessions (none: a first
    course), or a course of its therapy the record names as given without a count (`named`, session 24);
    null when none is known."""
    if continuation == ("bool", True) or (prior or 0) > 0 or (prior is None and named):
        return True
    return False if continuation == ("bool", False) or prior == 0 else None


def _course(requested: float | None, original: float | None) -> tuple[float | None, float]:
    """(sessions of the whole request, the sessions UR certified of it): the original request's count when
    it is known and not below the disputed remainder, else the disputed item's (nothing certified)."""
    if original is None or requested is None or original < requested:
        return (original if requested is None else requested), 0.0
    return original, original - requested


def _whole_rental_days(lex: CompiledLexicons, family: str | None, service_text: str,
                       original: OriginalRequest | None) -> float | None:
    """Rental days of the whole request: the original request's words first (a partial certification's)."""
    days = None if original is None else rental_days(lex, family, original.text)
    return days if days is not None else rental_days(lex, family, service_text)


def derive_facts(
    table: CriteriaTable,
    values: Mapping[str, Any],
    *,
    service_text: str,
    item_index: int,
    letter: LetterFacts,
    prior_studies: Sequence[str] | None = None,
    original: OriginalRequest | None = None,
    red_flags_elsewhere: Collection[str] = (),
) -> dict[str, Any]:
    """Every derived fact of `table.derived_facts` for one service, from its spec feature values;
    `prior_studies`: the words naming each earlier study of its region (the spans of
    `prior_imaging_same_region`), None when not known (an earlier study then counts as of its kind);
    `original`: the request UR certified part of (None when UR certified none), whose course the
    quantity facts measure; `red_flags_elsewhere`: the body-part red flags found only on another part than
    the request's, which `red_flag_any` does not count."""
    lex = lexicons(table)
    family = values.get("service_family")
    family = None if fact_key(family) == ("none",) else str(family)
    others = letter.others(item_index)
    prior = as_number(values.get("prior_sessions"))
    requested = as_number(values.get("sessions_requested"))
    duration = as_number(values.get("duration_of_use_months"))
    continuation = fact_key(values.get("continuation_request"))

    named = _bool(values.get("prior_course_named")) is True
    continues = _continues(continuation, prior, named)
    course, certified = _course(requested, None if original is None else original.sessions)
    quantity = as_number(values.get("drug_quantity"))
    if original is not None and original.drug_quantity is not None:
        quantity = original.drug_quantity
    operation_done = recent_operation(table, service_text, letter.operations, family)
    if continuation == ("bool", True) or (duration or 0) > 0:
        ongoing: bool | None = True
    elif duration == 0 or (duration is None and family == "medication" and item_index in letter.new_drugs):
        ongoing = False  # newly started, or a drug the summary names only as asked for (session 23)
    elif duration is None and family == "medication" and not operation_done \
            and lex.post_operative.search(service_text):
        ongoing = False  # session 26: for after an operation not yet done ("Post-op Norco"), so not yet taken
    else:
        ongoing = None

    group = _group(lex, "drug_group", family, service_text)
    topical = None
    if family in lex.topical_families and values.get("service_type") == "topical":
        topical = bool(lex.topical.search(service_text))
    facts = {
        "red_flag_any": _any_true(values.get(f) for f in table.derived_facts["red_flag_any"].sources
                                  if f not in red_flags_elsewhere),
        "course_sessions": course,
        "course_drug_quantity": quantity,
        "total_sessions": None if course is None else course + max(0.0, (prior or 0.0) - certified),
        # session 24: an earlier course named without a count makes the total a lower bound only
        "earlier_sessions_unknown": prior is None and named,
        "continues_course": continues,
        "ongoing_use": ongoing,
        "phase": values.get("service_phase"),
        "surgery_in_letter": any(s.family == "surgery" for s in others),
        "opioid_in_letter": any(s.type == "opioid" for s in others),
        "nsaid_in_letter": any(s.type == "nsaid" for s in others),
        **summary_drug_facts(table, letter),
        "care_helped": None if not letter.summary else letter.care_helped is not None,
        "pain_after_help": None if (after := pain_reading(letter, service_text, after_help=True)) is None
        else after.score,
        "pain_after_care": None if (reading := pain_reading(letter, service_text)) is None else reading.score,
        "unchanged_after_care": True if unchanged_reading(letter, service_text) is not None else None,
        "drug_group": group,
        "modality_kind": _group(lex, "modality_kind", family, service_text),
        "topical_not_recommended": topical,
        "topical_nsaid_alone": topical is False and group == "topical_nsaid",  # not a compound's NSAID
        "rental_days": _whole_rental_days(lex, family, service_text, original),
        # the whole course's quantity (a partial certification's original request) at the heading's frequency
        "supply_days": supply_days(quantity, service_text) if family == "medication" else None,
        **_heading_region_facts(service_text, original),
        "operation_done": True if operation_done else None,
        "evaluation_only": family in lex.evaluation_families
        and as_number(values.get("sessions_requested")) is None
        and lex.evaluation.search(service_text) is not None,
        "prior_imaging_same_modality": same_kind_prior(
            _bool(values.get("prior_imaging_same_region")), values.get("service_type"), prior_studies),
    }
    missing = set(table.derived_facts) - set(facts)
    if missing:
        raise KeyError(f"criteria_facts computes no value for derived facts {sorted(missing)}")
    return facts
