"""Everything under tests/e2e starts a server, a cluster, a browser or a pipeline: all of it is `slow`
(`pytest -m "not slow"` runs the fast unit and real-letter tests alone)."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.slow)
