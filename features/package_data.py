"""Reading the YAML tables shipped in the `features` package (rules, patterns, lexicons are data)."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

# libyaml's parser (same SafeLoader constructors and results) is ~10x faster than pure-Python safe_load
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(name: str) -> Any:
    """The parsed YAML file `name` of the `features` package."""
    return yaml.load(resources.files("features").joinpath(name).read_text(encoding="utf-8"), Loader=_LOADER)
