"""Body regions and sides (`body_regions.yaml`): which region and side a text names (an operation's
abbreviation that holds a region names it: "ACDF" the neck), and which regions count as the same for prior
imaging (the annotation protocol's same-region rule)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from features.casefold import compile_folded, lower_text
from features.package_data import read_yaml

SPINE_UNSPECIFIED = "spine_unspecified"
SIDE_WINDOW = 25  # characters before a region word in which its side is named ("left lower extremity")
# what may stand before a one-letter side ("mri r knee", "(r knee"): a space or an opening mark, not a word
# character or a "/" or "-" that makes the letter part of another word ("b/l knees", "t-l knee")
_SIDE_LETTER_BEFORE = re.compile(r"[\s(\[:,;]")


@dataclass(frozen=True, slots=True)
class RegionMention:
    region: str
    side: str | None  # left | right | bilateral | None
    start: int
    end: int


@dataclass(frozen=True)
class BodyRegions:
    regions: dict[str, re.Pattern[str]]
    sides: dict[str, re.Pattern[str]]
    same_region: dict[str, frozenset[str]]
    summary_groups: dict[str, list[str]]
    any_region: re.Pattern[str]  # every region's pattern in one alternation: where the first region word is
    finding_regions: dict[str, frozenset[str]] = field(default_factory=dict)  # both ways, from the YAML
    # a one-letter side ("l", "r", lower-cased) right before a word of these regions (session 31)
    letter_sides: dict[str, str] = field(default_factory=dict)
    letter_side_words: re.Pattern[str] = re.compile(r"(?!)")  # the words of those regions (none by default)

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[RegionMention]:
        """Every region named in text[start:end], each with the side named just before (or right after)
        it, in text order. `text` must be lower-cased (`casefold.lower_text`). `any_region` (every region's
        pattern in one alternation) finds each place where some region's pattern matches, one scan of the
        text (session 32: not one scan per region); there each region is tried, as its own scan would try it
        there unless its last match covers the place. The same mentions as each region's `finditer`."""
        end = len(text) if end is None else end
        out = []
        scan_from = dict.fromkeys(self.regions, start)  # each region's own scan: after its last match
        at = self.any_region.search(text, start, end)
        while at is not None:
            here = at.start()
            for name, pat in self.regions.items():
                if here < scan_from[name] or (m := pat.match(text, here, end)) is None:
                    continue
                if m.end() == here:
                    raise ValueError(f"body_regions.yaml region {name!r} matched no text")
                scan_from[name] = m.end()
                out.append(RegionMention(name, self.side_of(text, here, m.end(), start, end), here, m.end()))
            at = self.any_region.search(text, here + 1, end)
        return out

    def _letter_side(self, text: str, start: int, lo: int) -> str | None:
        """The side of a one-letter side written alone right before the region word at `start` ("r knee"),
        else None: the letter must stand as a word of its own, one space before a limb or joint word."""
        if start - 2 < lo or text[start - 1] != " " or text[start - 2] not in self.letter_sides:
            return None
        if start - 3 >= lo and not _SIDE_LETTER_BEFORE.match(text[start - 3]):
            return None
        return self.letter_sides[text[start - 2]] if self.letter_side_words.match(text, start) else None

    def side_of(self, text: str, start: int, end: int, lo: int = 0, hi: int | None = None) -> str | None:
        """The side named nearest before the region word (within `SIDE_WINDOW`), else right after it; a
        one-letter side right before a limb or joint word first ("r knee", session 31)."""
        hi = len(text) if hi is None else hi
        letter = self._letter_side(text, start, lo)
        if letter is not None:
            return letter
        before = text[max(lo, start - SIDE_WINDOW):start]
        best, best_end = None, -1
        for side, pat in self.sides.items():
            for m in pat.finditer(before):
                if m.end() > best_end:
                    best, best_end = side, m.end()
        if best is not None:
            return best
        after = text[end:min(hi, end + 10)].lstrip(" ,")
        for side, pat in self.sides.items():
            m = pat.match(after)
            if m:
                return side
        return None

    def named(self, text: str) -> list[RegionMention]:
        """Regions a heading names: the specific ones, or an unspecified spine when it names no other."""
        found = self.find(lower_text(text))
        specific = [r for r in found if r.region != SPINE_UNSPECIFIED]
        return specific or found

    def same(self, a: str, b: str) -> bool:
        return a == b or b in self.same_region.get(a, frozenset())

    def finding_of(self, finding: str, request: str) -> bool:
        """Whether a finding named at region `finding` speaks to a request of region `request`: the same
        region either way, or a spine and a limb its nerve roots supply (`finding_regions`)."""
        return self.same(finding, request) or self.same(request, finding) \
            or request in self.finding_regions.get(finding, frozenset())



# the sides a heading names ("contralateral" says only that it is not the side the letter is about)
HEADING_SIDES = frozenset({"left", "right", "bilateral"})


def same_side(a: str | None, b: str | None) -> bool:
    """Sides that can be the same: either unsaid, equal, or one bilateral; "contralateral" (the side opposite
    the one the letter is about) is never a named side of the request's."""
    if a is None or b is None or a == b:
        return True
    return "contralateral" not in (a, b) and "bilateral" in (a, b)

def region_regexes(raw: dict[str, Any] | None = None) -> dict[str, str]:
    """Each region's regex (case-insensitive): the YAML's `regions` pattern, or it and the region's
    `operation_abbreviations` as whole words. `raw`: the parsed YAML (the packaged file by default)."""
    raw = read_yaml("body_regions.yaml") if raw is None else raw
    abbreviations = raw.get("operation_abbreviations", {})
    unknown = sorted(set(abbreviations) - set(raw["regions"]))
    if unknown:
        raise ValueError(f"body_regions.yaml operation_abbreviations: unknown regions {unknown}")
    out = {}
    for name, pattern in raw["regions"].items():
        words = [str(w) for w in abbreviations.get(name, [])]
        bad = [w for w in words if not w.isalnum()]
        if bad:
            raise ValueError(f"body_regions.yaml operation_abbreviations.{name}: {bad} are not words")
        out[name] = f"(?:{pattern}|\\b(?:{'|'.join(words)})\\b)" if words else pattern
    return out


@lru_cache(maxsize=4096)
def heading_regions(heading: str) -> tuple[RegionMention, ...]:
    """`BodyRegions.named` of a request heading, read once: its service's facts, its checklist and the
    letter's imaging history all ask."""
    return tuple(body_regions().named(heading))


@lru_cache(maxsize=1)
def body_regions() -> BodyRegions:
    raw = read_yaml("body_regions.yaml")
    regexes = region_regexes(raw)
    comp = {k: compile_folded(v) for k, v in regexes.items()}
    sides = {k: compile_folded(v) for k, v in raw["sides"].items()}
    same = {k: frozenset(v) for k, v in raw.get("same_region", {}).items()}
    for a, others in same.items():
        for b in others:
            if b not in comp or a not in comp:
                raise ValueError(f"body_regions.yaml same_region: unknown region {a!r} or {b!r}")
    any_region = compile_folded("|".join(f"(?:{v})" for v in regexes.values()))
    related: dict[str, set[str]] = {}
    for a, others in raw.get("finding_regions", {}).items():
        for b in others:
            if b not in comp or a not in comp:
                raise ValueError(f"body_regions.yaml finding_regions: unknown region {a!r} or {b!r}")
            related.setdefault(a, set()).add(b)
            related.setdefault(b, set()).add(a)
    letters = raw.get("letter_sides", {})
    unknown = sorted(set(letters.get("regions", [])) - set(comp))
    if unknown:
        raise ValueError(f"body_regions.yaml letter_sides: unknown regions {unknown}")
    limb_words = "|".join(f"(?:{regexes[r]})" for r in letters.get("regions", [])) or "(?!)"
    return BodyRegions(comp, sides, same, raw["summary_groups"], any_region,
                       {k: frozenset(v) for k, v in related.items()},
                       {str(k).lower(): v for k, v in letters.get("letters", {}).items()},
                       compile_folded(limb_words))
