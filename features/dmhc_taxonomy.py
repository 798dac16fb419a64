"""DMHC treatment categories -> service families (`dmhc_taxonomy.yaml`), and the service features read
from a DMHC heading '<category> / <sub-category>'."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from letters.dmhc import split_heading

DMHC_TAXONOMY_FILE = "dmhc_taxonomy.yaml"
OTHER_FAMILY = "other"


@dataclass(frozen=True)
class DmhcTaxonomy:
    families: tuple[str, ...]
    categories: dict[str, str]

    def family(self, category: str | None) -> str:
        if category is None:
            return OTHER_FAMILY
        return self.categories.get(category.strip().lower(), OTHER_FAMILY)


@lru_cache(maxsize=1)
def load_dmhc_taxonomy() -> DmhcTaxonomy:
    """The packaged DMHC taxonomy, validated: every category maps to a declared family."""
    data = yaml.safe_load(resources.files("features").joinpath(DMHC_TAXONOMY_FILE).read_text("utf-8"))
    families = tuple(data["families"])
    bad = {c: f for c, f in data["categories"].items() if f not in families}
    if bad:
        raise ValueError(f"{DMHC_TAXONOMY_FILE}: categories map to undeclared families: {bad}")
    return DmhcTaxonomy(families, {str(c).strip().lower(): f for c, f in data["categories"].items()})


def service_features(heading: str | None) -> dict[str, Any]:
    """Service-level raw features from the heading (what the DMHC extractors compute in serving)."""
    cat, sub = split_heading(heading)
    return {
        "treatment_category": cat,
        "treatment_subcategory": sub,
        "service_family": load_dmhc_taxonomy().family(cat),
    }
