"""Two class rules of the service taxonomy, read from `service_taxonomy.yaml`: what makes consumables the
companions of a device (`accessories`) and drug names one combination product (`medication.combination`).

Kept apart from the term matching (`service_families`) because they are about how the items of a heading
relate to each other, not about what one word names; the taxonomy applies them to its matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class _Lemma(Protocol):
    lemma: str


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
