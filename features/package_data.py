"""Reading the YAML tables shipped in the packages (rules, patterns, lexicons, criteria are data), with one
parser for every YAML file the code reads."""

from __future__ import annotations

from importlib import resources
from typing import IO, Any

import yaml

# libyaml's parser (the same safe constructors and results) is ~10x faster than the pure-Python one
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(source: str | IO[str]) -> Any:
    """YAML text or an open file, parsed safely (no Python objects constructed)."""
    return yaml.load(source, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader


def read_yaml(name: str) -> Any:
    """The parsed YAML file `name` of the `features` package."""
    return parse_yaml(resources.files("features").joinpath(name).read_text(encoding="utf-8"))
