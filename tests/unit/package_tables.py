"""The package's YAML tables as plain data, parsed once per worker with the C loader: several modules
break a copy of the criteria table to see a bad edit refused."""

from __future__ import annotations

import copy
from functools import cache
from importlib import resources
from typing import Any

import yaml

from features.package_data import SAFE_LOADER

LOADER = SAFE_LOADER  # the product's one YAML parser


@cache
def _parsed(package: str, name: str) -> Any:
    return yaml.load(resources.files(package).joinpath(name).read_text(encoding="utf-8"), Loader=LOADER)  # noqa: S506 - a safe loader


def package_yaml(package: str, name: str) -> Any:
    """A fresh deep copy of `package/name`, free for the caller to edit."""
    return copy.deepcopy(_parsed(package, name))


def raw_criteria() -> dict[str, Any]:
    """A fresh copy of features/criteria.yaml as data."""
    return package_yaml("features", "criteria.yaml")
