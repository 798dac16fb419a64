"""The guideline criteria table (`criteria.yaml`): governing sections, their criteria and how each
criterion's status follows from pre-review facts.

The table is data so that one source drives the checklist, the model's criterion columns and the
explanation groups; this module validates it (every reference resolves, every fact exists, every
section has dates) and evaluates a criterion's status for one service's facts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from features.package_data import parse_yaml

DEFAULT_TABLE = "criteria.yaml"
Status = Literal["met", "unmet", "not_documented", "not_applicable"]
STATUSES: tuple[Status, ...] = ("met", "unmet", "not_documented", "not_applicable")
FACT_KINDS = ("boolean", "numeric", "categorical")
CRITERION_COLUMN_PREFIX = "crit_"


def fact_key(value: Any) -> tuple[Any, ...]:
    """A fact value as membership tests compare it: booleans, numbers and lower-case strings kept apart
    (True is not 1.0), and every kind of missing value (None, NaN, pandas.NA) as one."""
    if value is None or type(value).__name__ == "NAType":
        return ("none",)
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return ("bool", bool(value))
    if isinstance(value, int | float) or type(value).__module__ == "numpy":
        try:
            num = float(value)
        except (TypeError, ValueError):
            return ("str", str(value).strip().lower())
        return ("none",) if math.isnan(num) else ("num", num)
    return ("str", str(value).strip().lower())


def as_number(value: Any) -> float | None:
    """The numeric reading of a fact (None for missing, booleans and text)."""
    key = fact_key(value)
    return key[1] if key[0] == "num" else None


class NumericTest(BaseModel):
    """Inclusive (`min`, `max`) and exclusive (`above`, `below`) bounds; a number or "$param"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: float | str | None = None
    max: float | str | None = None
    above: float | str | None = None
    below: float | str | None = None

    @model_validator(mode="after")
    def _some_bound(self) -> NumericTest:
        bounds = (self.min, self.max, self.above, self.below)
        if all(b is None for b in bounds):
            raise ValueError("a numeric test needs at least one of min, max, above, below")
        for b in bounds:
            if isinstance(b, str) and not b.startswith("$"):
                raise ValueError(f"bound {b!r} is neither a number nor a $param")
        return self

    @property
    def params(self) -> set[str]:
        return {b[1:] for b in (self.min, self.max, self.above, self.below) if isinstance(b, str)}

    @property
    def thresholds(self) -> list[float | str]:
        return [b for b in (self.min, self.max, self.above, self.below) if b is not None]

    def holds(self, value: Any, params: Mapping[str, float]) -> bool:
        num = as_number(value)
        if num is None:
            return False

        def bound(b: float | str) -> float:
            return float(params[b[1:]]) if isinstance(b, str) else float(b)

        return not (
            (self.min is not None and num < bound(self.min))
            or (self.max is not None and num > bound(self.max))
            or (self.above is not None and num <= bound(self.above))
            or (self.below is not None and num >= bound(self.below))
        )


Test = list[Any] | NumericTest
Clause = dict[str, Test]


def clause_holds(clause: Clause, facts: Mapping[str, Any], params: Mapping[str, float]) -> bool:
    """Every test of the clause holds for the facts (a fact absent from `facts` is missing)."""
    for fact, test in clause.items():
        value = facts.get(fact)
        if isinstance(test, NumericTest):
            if not test.holds(value, params):
                return False
        elif isinstance(value, tuple | frozenset):  # a set fact (kind `regions`): any of its values
            if not {fact_key(v) for v in value} & {fact_key(v) for v in test}:
                return False
        elif fact_key(value) not in {fact_key(v) for v in test}:
            return False
    return True


class Criterion(BaseModel):
    """What a reviewer checks, in the project's words, and the facts that decide it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    family: str
    phrase: str = Field(min_length=10)
    applies: list[Clause] | None = None
    met: list[Clause] = Field(default_factory=list)
    unmet: list[Clause] = Field(default_factory=list)
    care_kinds: list[str] | None = Field(
        default=None, description="The kinds of care (the table's `care_kinds`) whose failure the criterion "
        "is about: it reads failed conservative care as the statements about those kinds give it.")

    @model_validator(mode="after")
    def _decidable(self) -> Criterion:
        if not self.met and not self.unmet:
            raise ValueError(f"criterion {self.id}: needs a met or an unmet rule")
        return self

    @property
    def clauses(self) -> list[Clause]:
        return [*(self.applies or []), *self.met, *self.unmet]

    @cached_property
    def facts(self) -> tuple[str, ...]:
        """The facts the criterion reads, in first-use order."""
        out: dict[str, None] = {}
        for clause in self.clauses:
            out.update(dict.fromkeys(clause))
        return tuple(out)

    @cached_property
    def params(self) -> set[str]:
        return {p for c in self.clauses for t in c.values() if isinstance(t, NumericTest) for p in t.params}

    def evaluate(
        self, facts: Mapping[str, Any], params: Mapping[str, float] | None = None
    ) -> tuple[Status, tuple[str, ...]]:
        """The status and the facts of the clause that decided it (the applicability facts for
        not_applicable; every fact the criterion reads for not_documented)."""
        params = params or {}
        if self.applies is not None:
            if not any(clause_holds(c, facts, params) for c in self.applies):
                return "not_applicable", tuple(dict.fromkeys(k for c in self.applies for k in c))
        for status, rules in (("met", self.met), ("unmet", self.unmet)):
            for clause in rules:
                if clause_holds(clause, facts, params):
                    return status, tuple(clause)  # type: ignore[return-value]
        return "not_documented", self.facts

    def status(self, facts: Mapping[str, Any], params: Mapping[str, float] | None = None) -> Status:
        return self.evaluate(facts, params)[0]


class Edition(BaseModel):
    """One edition of a guideline and the dates between which it governed UR decisions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    guideline: Literal["MTUS", "ODG", "ACOEM"]
    edition: str
    title: str
    applies_from: date
    applies_until: date | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Edition:
        if self.applies_until is not None and self.applies_until <= self.applies_from:
            raise ValueError(f"{self.title}: applies_until must come after applies_from")
        return self

    def in_force(self, day: date) -> bool:
        return self.applies_from <= day and (self.applies_until is None or day < self.applies_until)


class Chapter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    guideline: Literal["MTUS", "ODG", "ACOEM"]
    title: str
    aliases: list[str] = Field(min_length=1)
    regions: list[str] = Field(default_factory=list)


class CareKind(BaseModel):
    """A kind of care a criterion may read failed care of (features/care_kinds.py): the words that name it
    and the classes of the drug lexicon whose drugs are of it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field(min_length=10)
    words: str | None = None
    drug_classes: list[str] = Field(default_factory=list)


class DerivedFact(BaseModel):
    """A fact computed from spec features (features/criteria_facts.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    kind: Literal["boolean", "numeric", "categorical", "regions"]
    levels: list[str] | None = None
    sources: list[str] = Field(alias="from", min_length=1)
    description: str
    quote: bool = Field(default=True, description="Quote the sources' text as evidence (false for facts "
                        "about other items of the letter, whose text is not this service's).")
    summary_drug_class: str | None = Field(
        default=None, description="The fact is true when the clinical summary documents that the worker "
        "takes a drug of this class (features/drugs_in_use.py); the summary's sentence is its evidence.")


class SectionEdition(BaseModel):
    """A section as it appears in one edition (chapter, section name and pages may differ by edition)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    edition: str
    chapter: str | None = None
    section: str | None = None
    pages: str | None = None

    @field_validator("pages")
    @classmethod
    def _page_form(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"\d+(-\d+)?", v):
            raise ValueError(f"pages must look like '303' or '303-305', got {v!r}")
        return v


class PageSourceRef(BaseModel):
    """One public source looked at for an edition's pages: where it is, what kind of source it is and what
    it shows (a page, or a fact about the edition's pagination)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(pattern=r"^https?://\S+$")
    kind: Literal["guideline_copy", "regulator_notice", "news_report", "imr_decision"]
    shows: str = Field(min_length=10)


class PageSource(BaseModel):
    """What an edition's pages rest on, so that a page is never a guess: whether the edition has pages at
    all (ODG online has none), what the table's pages of it rest on, the sources looked at and what was
    sought without finding it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    paginated: bool
    pages_rest_on: str | None = Field(default=None, min_length=10)
    sources: list[PageSourceRef] = Field(default_factory=list)
    not_found: str | None = Field(default=None, min_length=10)


class Selector(BaseModel):
    """When a section governs a service; every given key must hold (lists are alternatives)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    types: list[str] | None = None
    families: list[str] | None = None
    regions: list[str] | None = None
    phases: list[str] | None = None
    groups: list[str] | None = None
    surgery_in_letter: list[bool] | None = None
    claim_kinds: list[str] | None = None  # the letter's claim, read from its summary (`claim_kinds`)

    @model_validator(mode="after")
    def _names_the_service(self) -> Selector:
        if not (self.types or self.families or self.groups):
            raise ValueError("a selector needs types, families or groups")
        return self

    @property
    def specificity(self) -> int:
        """groups > types > families alone; a region, a phase or the letter's surgery add to it (a
        family with a region still ranks below a named type)."""
        return (
            (4 if self.groups else 3 if self.types else 0)
            + (2 if self.regions else 0)
            + (1 if self.phases else 0)
            + (1 if self.surgery_in_letter else 0)
            + (1 if self.claim_kinds else 0)
        )


class PhaseRules(BaseModel):
    """How the phase of care of a request is read: heading words first, then a recent dated operation,
    then days since the injury."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    post_operative: str
    pre_operative: str
    acute_days: int = Field(gt=0)
    subacute_days: int = Field(gt=0)
    operation_days: int = Field(gt=0)  # a dated operation this recent makes the requests post-operative
    # ... or this recent, for requests of these service families (the window differs by kind of request)
    operation_days_by_family: dict[str, int] = Field(default_factory=dict)
    operation_date_after: str  # the operation's date after its mention (group 1)
    operation_date_before: str  # the operation's date opening its clause (group 1)
    operation_elapsed: str  # the time since an operation as the summary states it (groups n, unit; day)

    @model_validator(mode="after")
    def _ordered(self) -> PhaseRules:
        if self.subacute_days <= self.acute_days:
            raise ValueError("phases: subacute_days must exceed acute_days")
        if any(days <= 0 for days in self.operation_days_by_family.values()):
            raise ValueError("phases: operation_days_by_family must be positive")
        for pat in (self.post_operative, self.pre_operative, self.operation_date_after,
                    self.operation_date_before):
            re.compile(pat)
        if not {"n", "unit", "day"} <= set(re.compile(self.operation_elapsed).groupindex):
            raise ValueError("phases: operation_elapsed needs the groups n, unit and day")
        return self


class ClaimKind(BaseModel):
    """A kind of claim a letter's summary states (e.g. a psychiatric claim), which changes the chapter
    that governs some requests: `claim` decides alone; otherwise `diagnosis` without `unless`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field(min_length=10)
    claim: str
    diagnosis: str | None = None
    unless: str | None = None

    @model_validator(mode="after")
    def _patterns(self) -> ClaimKind:
        for pat in (self.claim, self.diagnosis, self.unless):
            if pat is not None:
                re.compile(pat)
        return self


class OperationKind(BaseModel):
    """A kind of operation, named by its procedure or the condition it treats (a closed word class): which
    of a guideline's operation topics a post-operative request belongs to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field(min_length=10)
    pattern: str
    # the body region every operation of the kind is done on (a cruciate ligament is the knee's), where its
    # words name none: a request after it takes that region when its own sentence names none
    region: str | None = None

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"bad regex: {exc}") from None
        return v


class OperationSection(BaseModel):
    """A section's topic for one kind of operation in one body region (the Postsurgical guidelines set out
    each operation's course under its region), and the parameters that topic sets (its own course)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    region: str
    operation: str
    section: str = Field(min_length=3)
    params: dict[str, float] = Field(default_factory=dict)


class Section(BaseModel):
    """A governing guideline section and the criteria a reviewer checks there."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    chapter: str
    chapter_by_region: dict[str, str] = Field(default_factory=dict)
    section: str
    # the section's name by region where one guideline section is organised by body region (Postsurgical)
    section_by_region: dict[str, str] = Field(default_factory=dict)
    # ... and by the kind of operation in a region, where the section sets out a topic per operation
    # (Postsurgical: carpal tunnel syndrome under Forearm, Wrist, & Hand); the first kind named wins
    section_by_operation: list[OperationSection] = Field(default_factory=list)
    editions: list[SectionEdition] = Field(min_length=1)
    match: list[Selector] = Field(min_length=1)
    priority: int = 0
    params: dict[str, float] = Field(default_factory=dict)
    criteria: list[str] = Field(min_length=1)
    phrases: dict[str, str] = Field(default_factory=dict)
    note: str | None = None

    def phrase(self, criterion: Criterion) -> str:
        return self.phrases.get(criterion.id, criterion.phrase)


class Citation(BaseModel):
    """Where a guideline says it: the contract's {guideline, edition, chapter, section, pages}."""

    model_config = ConfigDict(frozen=True)

    guideline: str
    edition: str
    chapter: str
    section: str
    pages: str | None = None

    def text(self) -> str:
        parts = [f"{self.guideline} {self.chapter} ({self.edition})", self.section]
        if self.pages:
            parts.append(f"p.{self.pages}")
        return ", ".join(parts)


class CriteriaTable(BaseModel):
    """The whole table, cross-checked: every reference resolves and every section is decidable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    editions: dict[str, Edition]
    chapters: dict[str, Chapter]
    phases: PhaseRules
    derived_facts: dict[str, DerivedFact]
    lexicons: dict[str, Any]
    families: dict[str, str]
    context_features: list[str]
    criteria: dict[str, Criterion]
    region_maps: dict[str, dict[str, str]] = Field(default_factory=dict)
    region_parts: dict[str, list[str]] = Field(
        default_factory=dict, description="Regions that hold narrower ones: a heading naming both is "
        "about the narrower one (governing.resolve_region).")
    claim_kinds: dict[str, ClaimKind] = Field(default_factory=dict)
    care_kinds: dict[str, CareKind] = Field(default_factory=dict)
    operations: dict[str, OperationKind] = Field(
        default_factory=dict, description="Kinds of operation, in the order they win when one text names "
        "several (a fusion over the laminectomy done with it): `section_by_operation` names them.")
    regional_findings: list[str] = Field(
        default_factory=list, description="Spec features that report a finding of a body region (a "
        "neurological deficit, an earlier study): a checklist quotes a sentence about the request's region "
        "for them before one naming only another (features.evidence_choice).")
    page_sources: dict[str, PageSource] = Field(
        default_factory=dict, description="Edition -> what its pages rest on (features/criteria.yaml "
        "`page_sources`): an edition without pages carries none, and a page needs its basis named.")
    body_part_red_flags: list[str] = Field(
        default_factory=list, description="Spec red-flag features found on a body part (a fracture): one "
        "found only on another part than the request's is no red flag for it (features.regional_red_flags).")
    section_less: dict[str, str] = Field(
        default_factory=dict, description="Service types no guideline section of the table governs, each "
        "with the reason: selection never gives them a family-level stand-in (a heading subgroup or a "
        "pre-operative selector may still place them).")
    sections: dict[str, Section]

    @model_validator(mode="before")
    @classmethod
    def _ids_from_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in ("criteria", "sections"):
                items = data.get(key)
                if isinstance(items, dict):
                    data[key] = {k: {**v, "id": k} if isinstance(v, dict) else v for k, v in items.items()}
        return data

    @model_validator(mode="after")
    def _references(self) -> CriteriaTable:
        errors: list[str] = []
        for cid, c in self.criteria.items():
            if c.family not in self.families:
                errors.append(f"criterion {cid}: unknown family {c.family!r}")
            errors += [f"criterion {cid}: unknown care kind {k!r}" for k in c.care_kinds or ()
                       if k not in self.care_kinds]
        for sid, s in self.sections.items():
            errors += self._section_errors(sid, s)
        for name, lex in self.lexicons.items():
            errors += [f"lexicon {name}: {e}" for e in _lexicon_errors(lex)]
        named = {t for s in self.sections.values() for m in s.match for t in (m.types or ())}
        for typ, reason in self.section_less.items():
            if typ in named:
                errors.append(f"section_less {typ}: a section's selector names it")
            if len(reason.strip()) < 10:
                errors.append(f"section_less {typ}: give the reason")
        errors += self._page_source_errors()
        if errors:
            raise ValueError("; ".join(errors))
        return self

    def _page_source_errors(self) -> list[str]:
        """Every edition named, by known editions only; no page for an edition without pages; a page only
        where the edition's basis is named (checked when the table gives `page_sources` at all)."""
        if not self.page_sources:
            return []
        errors = [f"page_sources: unknown edition {k!r}" for k in self.page_sources
                  if k not in self.editions]
        errors += [f"page_sources: edition {k!r} is missing" for k in self.editions
                   if k not in self.page_sources]
        for sid, s in self.sections.items():
            for e in s.editions:
                src = self.page_sources.get(e.edition)
                if e.pages is None or src is None:
                    continue
                if not src.paginated:
                    errors.append(f"section {sid}: edition {e.edition} has no pages, "
                                  f"yet p.{e.pages} is given")
                elif src.pages_rest_on is None:
                    errors.append(f"section {sid}: p.{e.pages} of {e.edition}, "
                                  "whose pages_rest_on is not named")
        return errors

    def _section_errors(self, sid: str, s: Section) -> list[str]:
        errors: list[str] = []
        chapters = [s.chapter, *s.chapter_by_region.values(), *(e.chapter for e in s.editions if e.chapter)]
        errors += [f"section {sid}: unknown chapter {c!r}" for c in chapters if c not in self.chapters]
        for e in s.editions:
            if e.edition not in self.editions:
                errors.append(f"section {sid}: unknown edition {e.edition!r}")
        starts = [self.editions[e.edition].applies_from for e in s.editions if e.edition in self.editions]
        if len(set(starts)) != len(starts):
            errors.append(f"section {sid}: two editions start on the same day")
        families: list[str] = []
        for cid in s.criteria:
            crit = self.criteria.get(cid)
            if crit is None:
                errors.append(f"section {sid}: unknown criterion {cid!r}")
                continue
            families.append(crit.family)
            missing = sorted(crit.params - set(s.params))
            if missing:
                errors.append(f"section {sid}: criterion {cid} needs params {missing}")
        dupes = sorted({f for f in families if families.count(f) > 1})
        if dupes:
            errors.append(f"section {sid}: more than one criterion of family {dupes}")
        if len(set(s.criteria)) != len(s.criteria):
            errors.append(f"section {sid}: a criterion is listed twice")
        for m in s.match:
            errors += [f"section {sid}: unknown claim kind {k!r}" for k in m.claim_kinds or ()
                       if k not in self.claim_kinds]
        errors += self._operation_errors(sid, s)
        extra = sorted(set(s.phrases) - set(s.criteria))
        if extra:
            errors.append(f"section {sid}: phrases for criteria it does not list: {extra}")
        return errors

    def _operation_errors(self, sid: str, s: Section) -> list[str]:
        """Each operation topic names a known kind, a region of the section's region map (when it has one),
        once per region and kind, and only parameters the section has (a topic changes a value, never adds
        a criterion's parameter)."""
        errors: list[str] = []
        seen: set[tuple[str, str]] = set()
        for t in s.section_by_operation:
            if t.operation not in self.operations:
                errors.append(f"section {sid}: unknown operation kind {t.operation!r}")
            if s.section_by_region and t.region not in s.section_by_region:
                errors.append(f"section {sid}: operation topic {t.operation!r} in region {t.region!r}, "
                              "which its region map lacks")
            if (t.region, t.operation) in seen:
                errors.append(f"section {sid}: operation {t.operation!r} listed twice for {t.region!r}")
            seen.add((t.region, t.operation))
            extra = sorted(set(t.params) - set(s.params))
            if extra:
                errors.append(f"section {sid}: operation {t.operation!r} sets params the section lacks: "
                              f"{extra}")
        return errors

    # ---- checks against the feature spec ------------------------------------------------------
    def fact_errors(self, spec_features: Iterable[str]) -> list[str]:
        """Facts, derived-fact sources and context features that the spec does not have."""
        spec = set(spec_features)
        known = spec | set(self.derived_facts)
        errors = [
            f"criterion {cid}: fact {f!r} is neither a spec feature nor a derived fact"
            for cid, c in self.criteria.items()
            for f in c.facts
            if f not in known
        ]
        errors += [
            f"derived fact {name}: source {src!r} is not a spec feature"
            for name, d in self.derived_facts.items()
            for src in d.sources
            if src not in spec
        ]
        errors += [f"context feature {f!r} is not a spec feature"
                   for f in self.context_features if f not in spec]
        errors += [f"regional finding {f!r} is not a spec feature"
                   for f in self.regional_findings if f not in spec]
        any_flag = self.derived_facts.get("red_flag_any")
        errors += [f"body-part red flag {f!r} is not a source of red_flag_any"
                   for f in self.body_part_red_flags if any_flag is None or f not in any_flag.sources]
        return errors

    def check_spec(self, spec_features: Iterable[str]) -> None:
        errors = self.fact_errors(spec_features)
        if errors:
            raise ValueError("criteria table does not fit the feature spec: " + "; ".join(errors))

    # ---- lookups --------------------------------------------------------------------------------
    def section_criteria(self, section: Section | str) -> list[Criterion]:
        s = self.sections[section] if isinstance(section, str) else section
        return [self.criteria[c] for c in s.criteria]

    def feature_sources(self, fact: str) -> list[str]:
        """The spec features behind a fact (itself when it is a spec feature)."""
        derived = self.derived_facts.get(fact)
        return list(derived.sources) if derived is not None else [fact]

    @property
    def family_columns(self) -> dict[str, str]:
        """Criterion family -> the model column holding its status (`crit_<family>`)."""
        return {f: f"{CRITERION_COLUMN_PREFIX}{f}" for f in self.families}

    def feature_groups(self, section: Section | str, spec_features: Sequence[str]) -> dict[str, list[str]]:
        """Criterion id -> the spec features whose contributions belong to it, for `Predictor.grouped`:
        the criterion's status column and the features behind the facts it reads. Each feature goes to
        the first criterion of the section that reads it; context features go to no criterion; every
        other spec feature lands in "context"."""
        s = self.sections[section] if isinstance(section, str) else section
        spec = list(spec_features)
        available = set(spec)
        taken = set(self.context_features)
        groups: dict[str, list[str]] = {}
        for crit in self.section_criteria(s):
            feats: list[str] = []
            column = self.family_columns[crit.family]
            if column in available:
                feats.append(column)
            for fact in crit.facts:
                for f in self.feature_sources(fact):
                    if f in available and f not in taken and f not in feats:
                        feats.append(f)
            taken.update(feats)
            groups[crit.id] = feats
        used = {f for fs in groups.values() for f in fs}
        groups["context"] = [f for f in spec if f not in used]
        return groups


def _lexicon_errors(lex: Any) -> list[str]:
    if not isinstance(lex, dict) or "families" not in lex:
        return ["needs families and patterns/pattern"]
    patterns: dict[str, str] = dict(lex.get("patterns") or {})
    for key in ("pattern", "purchase"):
        if key in lex:
            patterns[key] = lex[key]
    if not patterns:
        return ["has no pattern"]
    out = []
    for name, pat in patterns.items():
        try:
            re.compile(pat)
        except re.error as exc:
            out.append(f"{name}: bad regex: {exc}")
    return out


def load_criteria(path: Path | str | None = None) -> CriteriaTable:
    """Load and validate the table (the packaged `criteria.yaml` when no path is given; parsed once per
    process). Errors name the file and every problem found."""
    if path is None:
        return _packaged()
    return _load(Path(path).read_text(encoding="utf-8"), str(path))


@lru_cache(maxsize=1)
def _packaged() -> CriteriaTable:
    text = resources.files("features").joinpath(DEFAULT_TABLE).read_text(encoding="utf-8")
    return _load(text, f"features/{DEFAULT_TABLE}")


def _load(text: str, origin: str) -> CriteriaTable:
    data = parse_yaml(text)
    if not isinstance(data, dict):
        raise ValueError(f"{origin}: expected a mapping at top level")
    try:
        return CriteriaTable.model_validate(data)
    except ValueError as exc:
        raise ValueError(f"{origin}: invalid criteria table: {exc}") from exc
