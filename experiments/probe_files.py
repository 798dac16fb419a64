"""Reading a blind probe's YAML file, one way for every probe runner.

Each runner (phrasing, summary, heading, governing) keeps its own row model and its own checks; this
module holds the shape they share: a non-empty list of rows, each validated, ids unique, and an error
that names the file and the row.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel


class ProbeError(ValueError):
    """The probe file is malformed: names the file, the row and the problem."""


RowT = TypeVar("RowT", bound=BaseModel)


def load_rows(path: Path, model: type[RowT], *, noun: str = "row") -> list[RowT]:
    """The file's rows validated as `model`, in file order; a ProbeError on the first fault."""
    raw = yaml.safe_load(path.read_text())
    if not isinstance(raw, list) or not raw:
        raise ProbeError(f"{path}: expected a non-empty list of {noun}s")
    rows: list[RowT] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        try:
            row = model.model_validate(item)
        except ValueError as exc:
            raise ProbeError(f"{path}: {noun} {i}: {exc}") from exc
        row_id = row.id  # every probe row model has an `id`
        if row_id in seen:
            raise ProbeError(f"{path}: duplicate id {row_id}")
        seen.add(row_id)
        rows.append(row)
    return rows
