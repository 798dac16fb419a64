"""Reading the YAML tables shipped in the `features` package (rules, patterns, lexicons are data)."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml


def read_yaml(name: str) -> Any:
    """The parsed YAML file `name` of the `features` package."""
    return yaml.safe_load(resources.files("features").joinpath(name).read_text(encoding="utf-8"))
