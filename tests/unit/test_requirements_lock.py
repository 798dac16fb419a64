"""requirements.lock pins every dependency pyproject.toml names, at a version pyproject allows.

A dependency added or re-ranged in pyproject.toml without `make lock` would install unpinned (or be refused
by the constraint) on a fresh clone; this fails first, naming the package.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
_PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)")


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = _PIN.match(line)
        if match:
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"]) + list(project["optional-dependencies"]["dev"])
    return [Requirement(line) for line in lines]


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    pins = _pins()
    problems = []
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        version = pins.get(name)
        if version is None:
            problems.append(f"{requirement.name}: not in requirements.lock (run `make lock`)")
        elif not requirement.specifier.contains(version, prereleases=True):
            allowed = requirement.specifier
            problems.append(f"{requirement.name}: locked {version} outside pyproject's {allowed}")
    assert not problems, "; ".join(problems)

