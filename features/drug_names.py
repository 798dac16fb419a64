"""Other names of a requested drug, read from the taxonomy's drug lexicon (`drug_lexicon.csv`).

A heading may say "Norco" where the summary says "hydrocodone", or name only the class ("opioid
medications"). A brand's principal ingredient (the first in its `contains` column) groups it with its
generic and the other brands of that ingredient; the lexicon's class words name each drug class.
Compounded products list several actives and are left out of the groups.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from features.drug_lexicon import load_lexicon


@dataclass(frozen=True)
class DrugNames:
    synonyms: dict[str, tuple[str, ...]]  # a name -> the other names of the same drug
    classes: dict[str, str]  # a name -> its drug class
    class_words: dict[str, tuple[str, ...]]  # a drug class -> the words that name it
    contains: dict[str, str] = field(default_factory=dict)  # a brand or product -> its actives ("a/b")
    phrases: tuple[str, ...] = ()  # the names of several words, longest first ("tylenol with codeine")

    def others(self, name: str) -> tuple[str, ...]:
        return self.synonyms.get(name.lower(), ())

    def class_names(self, name: str) -> tuple[str, ...]:
        drug_class = self.classes.get(name.lower())
        return self.class_words.get(drug_class, ()) if drug_class else ()

    def is_combination(self, name: str) -> bool:
        """Whether `name` is a product of several actives ("norco": hydrocodone/acetaminophen)."""
        return "/" in self.contains.get(name.lower(), "")

    def phrases_in(self, text: str) -> list[str]:
        """The names of several words that `text` writes, however their number is marked ("Tylenol #3",
        "Tylenol No. 3", "Tylenol w/ codeine"), longest first, none inside another found."""
        return [n for _, _, n in self._phrase_spans(text)]

    def _phrase_spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, name) of each name of several words `text` writes (`phrases_in`), in text order."""
        found: list[tuple[int, int, str]] = []
        if self._any_phrase.search(text) is None:
            return found  # most texts name no phrase: one search, not one per phrase
        for name, pattern in self._phrase_patterns:
            for m in pattern.finditer(text):
                if not any(a < m.end() and m.start() < b for a, b, _ in found):
                    found.append((m.start(), m.end(), name))
        return sorted(found)

    def names_in(self, text: str) -> list[tuple[int, int]]:
        """Character spans of every lexicon name in `text` (`mentions`) and of every name of several words
        ("MS Contin", "Tylenol #3"), in text order: session 34 (round-55 kind K5), a start said of "MS
        Contin" is not the next drug's for want of the name before it. A word that names a drug alone inside
        such a name keeps its own span too ("codeine" of "Tylenol with codeine", for a plain Tylenol
        heading)."""
        return sorted({*self.mentions(text), *((a, b) for a, b, _ in self._phrase_spans(text))})

    @cached_property
    def _phrase_patterns(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """(name, regex) of each phrase, built once for the lexicon, not once per text `phrases_in` reads."""
        return tuple((name, re.compile(rf"\b{name_pattern(name)}\b", re.IGNORECASE)) for name in self.phrases)

    @cached_property
    def _any_phrase(self) -> re.Pattern[str]:
        """Matches where a phrase's regex (`_phrase_patterns`) does: one search tells a text naming none."""
        return re.compile("|".join(p.pattern for _, p in self._phrase_patterns) or r"(?!)", re.IGNORECASE)

    def names_a_drug(self, text: str) -> bool:
        """Whether `text` names a drug of the lexicon (a word of three or more letters, any case)."""
        return any(w in self.classes for w in _WORD.findall(text.lower()))

    def is_name(self, word: str) -> bool:
        """`names_a_drug` of one word of three or more ASCII letters or hyphens, not scanned for words."""
        return word.lower() in self.classes

    def mentions(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the lexicon's drug names in `text`: the drugs a sentence lists, so that a
        duration said of one of them is not given to another."""
        return [m.span() for m in _WORD.finditer(text.lower()) if m.group(0) in self.classes]


_WORD = re.compile(r"[a-z][a-z-]{2,}")


def name_pattern(name: str) -> str:
    """A regex for a lexicon name as summaries and headings write it: a number after a word may be marked
    "#", "No." or "number" ("tylenol 3": "Tylenol #3", "Tylenol No. 3"), "with" may be "w/", "-" or "/",
    and the words may be split by a hyphen or any space (round 28)."""
    parts = name.split()
    out = re.escape(parts[0])
    for before, part in zip(parts, parts[1:], strict=False):
        if part[:1].isdigit():
            out += r"[\s-]*(?:#|no\.?|number)?\s*" + re.escape(part)
        elif part == "with":
            out += r"(?:\s+with\s+|\s*w/\s*|\s*[-/&]\s*)"
        else:
            out += ("" if before == "with" else r"[\s-]+") + re.escape(part)
    return out


def _principal(contains: str) -> str | None:
    """'hydrocodone/acetaminophen' -> 'hydrocodone'; 'oxycodone ER' -> 'oxycodone'."""
    m = re.match(r"\s*([a-z][a-z-]+)", contains.lower())
    return m.group(1) if m else None


@lru_cache(maxsize=1)
def drug_names() -> DrugNames:
    rows = load_lexicon()
    groups: dict[str, set[str]] = defaultdict(set)
    classes: dict[str, str] = {}
    contains: dict[str, str] = {}
    class_words: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if r.is_stem:
            continue
        if r.kind == "class_word":
            class_words[r.drug_class].append(r.name)
            continue
        classes[r.name] = r.drug_class
        if r.contains:
            contains[r.name] = r.contains.lower()
        if r.kind == "generic":
            groups[r.name].add(r.name)
        elif r.kind in ("brand", "product") and r.contains:
            principal = _principal(r.contains)
            if principal:
                groups[principal].update((principal, r.name))
    synonyms: dict[str, tuple[str, ...]] = {}
    for names in groups.values():
        for n in names:
            synonyms[n] = tuple(sorted(names - {n}))
    phrases = tuple(sorted((n for n in classes if " " in n), key=lambda n: (-len(n), n)))
    return DrugNames(synonyms, classes, {k: tuple(v) for k, v in class_words.items()}, contains, phrases)
