"""Three class rules of the service taxonomy, read from `service_taxonomy.yaml`: what makes consumables the
companions of a device (`accessories`), drug names one combination product (`medication.combination`), and the
words after a post-operative marker the context of a request rather than the request (`after_operation`).

Kept apart from the term matching (`service_families`) because they are about how the items of a heading
relate to each other, not about what one word names; the taxonomy applies them to its matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from features.heading_tokens import fold


class _Lemma(Protocol):
    lemma: str


class _Word(Protocol):
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class AccessoryRule:
    """Consumables named after a device and a joiner are the device's companions ("TENS unit and supplies");
    named alone or first, they are the request."""

    type: str  # the consumables' type
    joiners: frozenset[str]  # words (lemmas) and marks (',', '+') that join a companion to the device
    device_family: str
    not_devices: frozenset[str]  # types of `device_family` that name no device (generic DME, consumables)

    def joins(self, gap: Sequence[str], text: str) -> bool:
        """Whether the words `gap` (lemmas) or the characters `text` between a device and a consumable join
        them."""
        return any(j in gap if j.isalnum() else j in text for j in self.joiners)

    def is_device(self, family: str, service_type: str) -> bool:
        return family == self.device_family and service_type not in self.not_devices


@dataclass(frozen=True, slots=True)
class Combination:
    """How drug names of one heading form one combination product, and which component gives its class."""

    joiners: frozenset[str]
    strength_words: frozenset[str]
    separators: frozenset[str]  # marks of two requests ('#' of a dispensed quantity, ';')
    precedence: tuple[str, ...]  # drug classes, most specific or most controlled first
    adjuvants: frozenset[str] = frozenset()  # ingredients that give a product no class (caffeine)

    def links(self, gap: Sequence[str]) -> bool:
        """Whether the words between two drug names (lemmas, marks included) make them one product."""
        neutral = self.joiners | self.strength_words | self.adjuvants
        return all(w not in self.separators and (w in neutral or _is_number(w)) for w in gap)

    def order(self, drug_class: str) -> int:
        """A component's place in the precedence (lower first); an unlisted class after every listed one."""
        return self.precedence.index(drug_class) if drug_class in self.precedence else len(self.precedence)


def _is_number(word: str) -> bool:
    return bool(re.fullmatch(r"\d+(?:\.\d+)?", word))


def load_accessories(data: dict[str, Any] | None, types: Collection[str], families: Collection[str],
                     source: str) -> AccessoryRule | None:
    """The YAML's `accessories`, checked against the table's types and families (None when absent)."""
    if data is None:
        return None
    for stype in [data["type"], *data.get("not_devices", [])]:
        if stype not in types:
            raise ValueError(f"{source} accessories: unknown type {stype!r}")
    if data["device_family"] not in families:
        raise ValueError(f"{source} accessories: unknown family {data['device_family']!r}")
    joiners = frozenset(str(j).lower() for j in data["joiners"])
    return AccessoryRule(data["type"], joiners, data["device_family"], frozenset(data.get("not_devices", [])))


def load_combination(data: dict[str, Any] | None, classes: Collection[str],
                     tokens: Callable[[str], Sequence[_Lemma]], source: str) -> Combination | None:
    """The YAML's `medication.combination`, its words read as the heading's lemmas (`tokens`) and its
    precedence checked against the lexicon's classes (None when absent)."""
    if data is None:
        return None
    precedence = tuple(data["precedence"])
    unknown = sorted(set(precedence) - set(classes))
    if unknown:
        raise ValueError(f"{source} medication.combination.precedence: unknown classes {unknown}")
    if len(set(precedence)) != len(precedence):
        raise ValueError(f"{source} medication.combination.precedence: a class listed twice")

    def lemmas(key: str) -> frozenset[str]:
        words = [str(w) for w in data.get(key, [])]
        return frozenset(t.lemma for w in words for t in tokens(w)) | {w for w in words if not w.isalnum()}

    return Combination(lemmas("joiners"), lemmas("strength_words"), lemmas("separators"), precedence,
                       lemmas("adjuvants"))


@dataclass(frozen=True, slots=True)
class AfterOperation:
    """A post-operative marker ("status post", "s/p", "post", "following", "after") opens a stretch of the
    heading that names the operation a request follows: its context, not the request, wherever the heading
    names a service outside it ("Hand therapy post CTR" requests hand therapy; "Revision ACDF status post
    failed fusion" is still the revision, named before the marker)."""

    markers: tuple[tuple[str, ...], ...]  # each marker's words as written (folded), longest first
    not_before: frozenset[str]  # a marker right before one of these words is the request's own adjective
    ends: frozenset[str]  # marks that end a marker's stretch ("S/P TKA, physical therapy")

    def stretches(self, text: str, words: Sequence[_Word]) -> list[tuple[int, int]]:
        """The (start, end) character spans of `text` that follow a marker: from the marker's last word up to
        the next end mark, the next marker or the end of the text. `words`: the heading's words, offsets in
        `text`."""
        written = [fold(text[w.start:w.end]).replace(".", "") for w in words]
        found: list[tuple[int, int]] = []  # (marker start, marker end) in characters
        i = 0
        while i < len(written):
            marker = next((m for m in self.markers if tuple(written[i:i + len(m)]) == m), None)
            after = i + len(marker) if marker else i
            if marker is None or after >= len(written) or written[after] in self.not_before:
                i += 1
                continue
            found.append((words[i].start, words[after - 1].end))
            i = after
        out = []
        for k, (_, end) in enumerate(found):
            stop = found[k + 1][0] if k + 1 < len(found) else len(text)
            mark = next((j for j in range(end, stop) if text[j] in self.ends), stop)
            out.append((end, mark))
        return out


def load_after_operation(data: dict[str, Any] | None, tokens: Callable[[str], Sequence[_Word]],
                         source: str) -> AfterOperation | None:
    """The YAML's `after_operation`, its markers cut into words as headings are (None when absent)."""
    if data is None:
        return None
    markers = []
    for text in data["markers"]:
        words = tuple(fold(str(text)[w.start:w.end]).replace(".", "") for w in tokens(str(text)))
        if not words:
            raise ValueError(f"{source} after_operation: marker {text!r} has no word")
        markers.append(words)
    ends = [str(e) for e in data.get("ends", [])]
    if any(len(e) != 1 or e.isalnum() for e in ends):
        raise ValueError(f"{source} after_operation: ends must be single marks, not {ends!r}")
    return AfterOperation(tuple(sorted(markers, key=len, reverse=True)),
                          frozenset(fold(str(w)) for w in data.get("not_before", [])), frozenset(ends))
