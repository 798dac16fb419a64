"""Test modules have unique file names: tests/ has no packages, so pytest imports each by its base name and a
second module of the same name fails to collect ("import file mismatch"), which only a full run shows."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_every_test_module_has_its_own_file_name() -> None:
    names = Counter(p.name for p in TESTS.rglob("test_*.py"))
    assert [name for name, n in names.items() if n > 1] == []
