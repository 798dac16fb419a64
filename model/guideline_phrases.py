"""Guideline phrase table: which guideline criterion a feature's contribution speaks to.

The table is data (`guideline_phrases.yaml`); this module loads it, validates it, and picks the
most specific entry for one reason (feature, its value, the service's context and the direction).
A feature with no guideline has an explicit `no_guideline` entry, so an explanation can say so
plainly instead of inventing a citation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from features.package_data import parse_yaml

Direction = Literal["raises", "lowers"]
GuidelineName = Literal[
    "MTUS Chronic Pain Medical Treatment Guidelines",
    "ACOEM Practice Guidelines",
    "ODG",
]

DEFAULT_TABLE = "guideline_phrases.yaml"
HEADING_CONTEXT = "service"  # context key holding the service heading text (pre-review)


class Citation(BaseModel):
    """Where a guideline says it: the guideline, its chapter/section and page(s) as published."""

    model_config = ConfigDict(frozen=True)

    guideline: GuidelineName
    chapter: str | None = Field(default=None, description="e.g. 'Chapter 12 Low Back Complaints'.")
    section: str | None = Field(default=None, description="Named section, e.g. 'Carisoprodol (Soma)'.")
    pages: str | None = Field(default=None, description="Page or range as published, e.g. '63-66'.")

    def text(self) -> str:
        """One-line human citation, e.g. 'MTUS Chronic Pain Medical Treatment Guidelines, ..., p.29'."""
        parts: list[str] = [self.guideline]
        if self.chapter:
            parts.append(self.chapter)
        if self.section:
            parts.append(self.section)
        if self.pages:
            parts.append(f"p.{self.pages}")
        return ", ".join(parts)


class PhraseEntry(BaseModel):
    """One row of the table; constraints left empty match anything."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    feature: str
    families: tuple[str, ...] | None = Field(
        default=None, description="Service families this entry applies to (None: any)."
    )
    when: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="Other feature values of the same service that must match."
    )
    values: tuple[str, ...] | None = Field(
        default=None, description="The feature's own (categorical) values this entry applies to."
    )
    heading_pattern: str | None = Field(
        default=None,
        description="Regex (case-insensitive) the service heading must match, e.g. a drug name that "
        "the taxonomy folds into a class (Soma within muscle relaxants).",
    )
    min: float | None = Field(default=None, description="Inclusive lower bound on a numeric value.")
    max: float | None = Field(default=None, description="Inclusive upper bound on a numeric value.")
    direction: Direction | None = Field(default=None, description="Only for this direction (None: any).")
    phrase: str | None = None
    citations: tuple[Citation, ...] = ()
    no_guideline: bool = False
    note: str | None = Field(default=None, description="Why there is no guideline, for no_guideline rows.")

    @field_validator("families", "values", mode="before")
    @classmethod
    def _normalise_values(cls, v: Any) -> Any:
        return None if v is None else tuple(value_key(x) for x in v)

    @field_validator("when", mode="before")
    @classmethod
    def _normalise_when(cls, v: Any) -> Any:
        return {k: tuple(value_key(x) for x in vals) for k, vals in (v or {}).items()}

    @model_validator(mode="after")
    def _phrase_or_explicit_none(self) -> PhraseEntry:
        if self.no_guideline:
            if self.citations:
                raise ValueError(f"{self.feature}: a no_guideline entry must not carry citations")
        elif not self.phrase or not self.citations:
            raise ValueError(f"{self.feature}: an entry needs a phrase and at least one citation "
                             "(or no_guideline: true)")
        if self.heading_pattern is not None:
            try:
                re.compile(self.heading_pattern)
            except re.error as exc:
                raise ValueError(f"{self.feature}: bad heading_pattern: {exc}") from exc
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"{self.feature}: min > max")
        return self

    def matches(
        self, value: Any, family: str | None, context: Mapping[str, Any], direction: Direction
    ) -> bool:
        if self.direction is not None and self.direction != direction:
            return False
        if self.families is not None and (family is None or family not in self.families):
            return False
        for other, allowed in self.when.items():
            if value_key(context.get(other)) not in allowed:
                return False
        if self.values is not None and value_key(value) not in self.values:
            return False
        if self._heading_re is not None:
            heading = context.get(HEADING_CONTEXT)
            if not isinstance(heading, str) or not self._heading_re.search(heading):
                return False
        if self.min is not None or self.max is not None:
            num = as_number(value)
            if num is None:
                return False
            if self.min is not None and num < self.min:
                return False
            if self.max is not None and num > self.max:
                return False
        return True

    @cached_property
    def _heading_re(self) -> re.Pattern[str] | None:
        return None if self.heading_pattern is None else re.compile(self.heading_pattern, re.IGNORECASE)

    @cached_property
    def specificity(self) -> int:
        """More constraints = more specific; the matcher prefers the most specific match."""
        return (
            (2 if self.families is not None else 0)
            + 2 * len(self.when)
            + (2 if self.values is not None else 0)
            + (3 if self.heading_pattern is not None else 0)
            + (1 if self.min is not None or self.max is not None else 0)
            + (1 if self.direction is not None else 0)
        )


class PhraseTable(BaseModel):
    """All entries, plus the name of the spec feature that holds a service's family."""

    model_config = ConfigDict(extra="forbid")

    family_feature: str = Field(description="Spec feature whose value is the service family.")
    anchors: dict[str, Any] = Field(default_factory=dict, description="YAML anchors (citations).")
    phrases: dict[str, str] = Field(default_factory=dict, description="YAML anchors (shared phrases).")
    no_guideline_text: str = "No guideline phrase for this feature."
    entries: tuple[PhraseEntry, ...]

    @cached_property
    def _by_feature(self) -> dict[str, list[PhraseEntry]]:
        out: dict[str, list[PhraseEntry]] = {}
        for e in self.entries:
            out.setdefault(e.feature, []).append(e)
        for lst in out.values():  # most specific first; stable within equal specificity (file order)
            lst.sort(key=lambda e: -e.specificity)
        return out

    @cached_property
    def heading_patterns(self) -> tuple[re.Pattern[str], ...]:
        """Distinct heading regexes in the table (callers key their match caches on which hit)."""
        seen: dict[str, re.Pattern[str]] = {}
        for e in self.entries:
            if e.heading_pattern is not None and e.heading_pattern not in seen:
                seen[e.heading_pattern] = re.compile(e.heading_pattern, re.IGNORECASE)
        return tuple(seen.values())

    def features(self) -> set[str]:
        return set(self._by_feature)

    def value_use(self, feature: str) -> tuple[str, tuple[float, ...]]:
        """How `match` reads this feature's own value, so callers can cache matches per value bucket:
        ("none", ()) when no entry constrains the value, ("bounds", sorted min/max bounds) when entries
        only bound it numerically, ("exact", ()) when an entry lists values."""
        entries = self._by_feature.get(feature, ())
        if any(e.values is not None for e in entries):
            return "exact", ()
        bounds = {b for e in entries for b in (e.min, e.max) if b is not None}
        return ("bounds", tuple(sorted(bounds))) if bounds else ("none", ())

    def missing(self, spec_features: Iterable[str]) -> list[str]:
        """Spec features with no entry at all (neither a phrase nor an explicit no-guideline row)."""
        have = self.features()
        return sorted(f for f in spec_features if f not in have)

    def unknown(self, spec_features: Iterable[str]) -> list[str]:
        """Entries (or `when` keys) naming a feature the spec does not have: likely a typo."""
        spec = set(spec_features)
        names = {e.feature for e in self.entries} | {k for e in self.entries for k in e.when}
        names.add(self.family_feature)
        return sorted(names - spec)

    def match(
        self,
        feature: str,
        value: Any,
        context: Mapping[str, Any],
        direction: Direction,
    ) -> PhraseEntry | None:
        """Most specific entry that fits; None when the feature has no entry for this situation."""
        family = context.get(self.family_feature)
        fam = None if family is None else str(family)
        for entry in self._by_feature.get(feature, ()):
            if entry.matches(value, fam, context, direction):
                return entry
        return None


def value_key(value: Any) -> str:
    """Normalise a raw feature value for categorical matching ('true', 'no', '12', 'none')."""
    if value is None or type(value).__name__ == "NAType":  # pandas.NA without importing pandas
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "none"
        if value.is_integer():
            return str(int(value))
    return str(value).strip().lower()


def as_number(value: Any) -> float | None:
    """The numeric reading of a value for min/max bounds (None: not a number, so no bound matches)."""
    if value is None or isinstance(value, bool | str) or type(value).__name__ == "NAType":
        return None
    try:
        num = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(num) else num


def load_phrase_table(path: Path | str | None = None) -> PhraseTable:
    """Load and validate the table: a file path, or the name of a packaged table (e.g.
    `dmhc_guideline_phrases.yaml`); the packaged default when none is given. Errors name the file."""
    name = DEFAULT_TABLE
    if path is not None and len(Path(path).parts) == 1 and not Path(path).exists():
        if resources.files("model").joinpath(Path(path).name).is_file():
            path, name = None, Path(path).name
    if path is None:
        text = resources.files("model").joinpath(name).read_text(encoding="utf-8")
        where = f"model/{name}"
    else:
        text = Path(path).read_text(encoding="utf-8")
        where = str(path)
    data = parse_yaml(text)
    try:
        return PhraseTable.model_validate(data)
    except ValueError as exc:
        raise ValueError(f"{where}: invalid guideline phrase table: {exc}") from exc
