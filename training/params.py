"""Reads `params.yaml` once at the edge; commands validate their own section with pydantic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from features.package_data import parse_yaml

DEFAULT_PARAMS = Path("params.yaml")


def load_params(path: Path | str = DEFAULT_PARAMS) -> dict[str, Any]:
    """Return params.yaml as a dict (empty when the file is missing, so CLI defaults apply)."""
    p = Path(path)
    if not p.exists():
        return {}
    with p.open(encoding="utf-8") as fh:
        data = parse_yaml(fh) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{p}: expected a mapping at top level, got {type(data).__name__}")
    return data


def section(params: dict[str, Any], name: str) -> dict[str, Any]:
    """One stage's section merged over the shared `base:` section (stage keys win)."""
    merged = dict(params.get("base", {}) or {})
    merged.update(params.get(name, {}) or {})
    return merged
