"""Other names of a requested drug (`drug_names.yaml`): generic and brand names, and class words."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from features.package_data import read_yaml


@dataclass(frozen=True)
class DrugNames:
    synonyms: dict[str, tuple[str, ...]]  # any name -> the other names of the same drug
    classes: dict[str, tuple[str, ...]]  # service type -> words naming its class


@lru_cache(maxsize=1)
def drug_names() -> DrugNames:
    raw = read_yaml("drug_names.yaml")
    synonyms: dict[str, tuple[str, ...]] = {}
    for group in raw["groups"]:
        names = tuple(str(n).lower() for n in group)
        for n in names:
            synonyms[n] = tuple(x for x in names if x != n)
    classes = {k: tuple(str(w).lower() for w in v) for k, v in raw["classes"].items()}
    return DrugNames(synonyms, classes)
