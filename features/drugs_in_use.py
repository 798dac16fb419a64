"""The drug classes the Clinical Case Summary says the worker takes: a name of the drug lexicon
(`drug_lexicon.csv`: generics, brands, products, class words) of that class, told of the worker's own use.

Read from structure, not new wording: the mention's ConText assertion (negated, hypothetical: requested or
recommended, another person's, possible or past history say nothing of use now), its sentence's author
(the UR's account of the request is not the record) and the lexicon's longest name (an "opioid antagonist"
is no opioid). Only the clause of the name is read for a drug no longer taken ("discontinued", "not
tolerated", `drug_not_in_use` in value_patterns.yaml); a topical form written with the name (as the duration
extractor reads it, `drug_durations.form_near`) is another drug: a gel is no oral NSAID and a compounded
tramadol cream no opioid taken, though an opioid patch is.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

from features.analysis import AnalysedText, Mention
from features.assertions import Category
from features.authors import UR_REVIEWER
from features.drug_durations import form_near
from features.drug_lexicon import load_lexicon
from features.drug_names import drug_names, name_pattern
from features.value_patterns import value_patterns

# a mention that tells no use now: denied, requested or recommended, someone else's, suspected, past
NOT_IN_USE = frozenset({Category.NEGATED, Category.HYPOTHETICAL, Category.FAMILY, Category.POSSIBLE,
                        Category.HISTORICAL})
CLASSES = ("nsaid", "opioid")  # the classes the checklist asks about
PATCH_IN_USE = frozenset({"opioid"})  # classes whose patch is the drug in use (other topical forms are not)
FORM_WINDOW = 40  # characters after a name in which its patch is written ("Butrans 10 mcg/hr patch")
_KINDS = frozenset({"generic", "brand", "product", "compound", "class_word"})  # not stems nor shorthands


@lru_cache(maxsize=1)
def _classes() -> dict[str, str]:
    return {r.name: r.drug_class for r in load_lexicon() if r.kind in _KINDS}


@lru_cache(maxsize=1)
def _parts() -> tuple[tuple[str, str], ...]:
    """(opening, regex) of every lexicon name, longest first (so "opioid antagonist" wins over "opioid"; a
    plural of a class word too: "NSAIDs", "anti-inflammatories"): its opening is the lower-case start of its
    first word, up to three characters, where a match of it must begin."""
    out = []
    for name in sorted(_classes(), key=lambda n: (-len(n), n)):
        plural = "(?:y|ies)" if name.endswith("y") else "(?:e?s)?"
        part = name_pattern(name[:-1] if name.endswith("y") else name) + plural
        out.append((name.split()[0].lower()[:3], part))
    return tuple(out)


def _alternation(parts: list[str]) -> re.Pattern[str]:
    # "non-opioid analgesics", "non-NSAID" name no drug of the class
    return re.compile(r"\b(?<!non-)(?<!non )(?:" + "|".join(parts) + r")\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _opening_lengths() -> tuple[int, ...]:
    return tuple(sorted({len(head) for head, _ in _parts()}))


@lru_cache(maxsize=1)
def _positions_by_opening() -> dict[str, tuple[int, ...]]:
    """The positions in `_parts` of the names of each opening, so a new word's names are not sought among
    all 1,200."""
    out: dict[str, list[int]] = {}
    for i, (head, _) in enumerate(_parts()):
        out.setdefault(head, []).append(i)
    return {head: tuple(positions) for head, positions in out.items()}


@lru_cache(maxsize=2048)
def _pattern_for(start: str) -> re.Pattern[str] | None:
    """The alternation of the names whose opening begins `start` (a word's first characters, as many as the
    longest opening), in the one pattern's order: the same match at a word as the alternation of every name,
    without trying 1,200 names there."""
    by_opening = _positions_by_opening()
    positions = sorted({i for k in _opening_lengths() for i in by_opening.get(start[:k], ())})
    parts = _parts()
    return _alternation([parts[i][1] for i in positions]) if positions else None


_WORD_START = re.compile(r"\b\w")


def _names_in(text: str) -> list[tuple[int, int]]:
    """Spans of the matches of the alternation of every name (`_parts`) in `text`, as its `finditer` gives
    them (leftmost, not overlapping), trying at each word only the names that open as it does."""
    lower = text.lower()
    longest = _opening_lengths()[-1]
    out: list[tuple[int, int]] = []
    end = 0
    for w in _WORD_START.finditer(lower):
        at = w.start()
        if at < end:
            continue
        pattern = _pattern_for(lower[at:at + longest])
        m = pattern.match(text, at) if pattern is not None else None
        if m is not None and m.end() > m.start():
            out.append(m.span())
            end = m.end()
    return out


@lru_cache(maxsize=4096)
def _class_of(text: str) -> str | None:
    """The class of a matched name, however `name_pattern` let it be written ("Tylenol #3", a plural)."""
    classes = _classes()
    key = " ".join(text.lower().replace("-", " ").split())
    for cand in (key, key.removesuffix("s"), key.removesuffix("es"), key.removesuffix("ies") + "y"):
        if cand in classes:
            return classes[cand]
    return next((c for n, c in classes.items()
                 if re.fullmatch(name_pattern(n) + "(?:e?s)?", text, re.IGNORECASE)), None)


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause of a sentence around [start, end): between ';' and a new clause of its own verb ("... and
    takes ibuprofen", `start_objects_end`), so "stopped Norco and takes ibuprofen" stops only Norco."""
    lo = text.rfind(";", 0, start) + 1
    hi = text.find(";", end)
    hi = len(text) if hi < 0 else hi
    for m in value_patterns()["start_objects_end"].finditer(text, lo, hi):
        if m.end() <= start:
            lo = m.end()
        elif m.start() >= end:
            hi = m.start()
            break
    return lo, hi


def in_use(m: Mention, drug_class: str) -> bool:
    """Whether a mention of a drug of `drug_class` tells the worker's own use now (module docstring)."""
    if m.author == UR_REVIEWER or m.assertion.categories & NOT_IN_USE:
        return False
    s = m.sentence
    a, b = m.start - s.start, m.end - s.start
    lo, hi = _clause(s.text, a, b)
    p = value_patterns()
    if p["drug_not_in_use"].search(s.text, lo, hi):
        return False
    compounded = p["drug_percent_strength"].match(s.text, b)  # "Tramadol 8%/Camphor 2% cream"
    if not compounded and form_near(s.text, (a, b), drug_names().mentions(s.text), p) != "topical":
        return True
    # a topical NSAID or a compounded opioid cream is another drug; an opioid patch (fentanyl, buprenorphine)
    # is the opioid taken through the skin
    patch = p["drug_form_patch"].search(s.text, a, min(hi, b + FORM_WINDOW))
    return drug_class in PATCH_IN_USE and not compounded and patch is not None


def drugs_in_use(summary: AnalysedText, wanted: Collection[str] = CLASSES) -> dict[str, Mention]:
    """For each drug class of `wanted` the summary says the worker takes, the first mention that says so."""
    found: dict[str, Mention] = {}
    for start, end in _names_in(summary.text):
        m = summary.mention("drug_in_use", start, end)
        if m is None:
            continue
        drug_class = _class_of(m.text)
        if drug_class in wanted and drug_class not in found and in_use(m, drug_class):
            found[drug_class] = m
    return found
