"""Reading a blind probe's YAML file, one way for every probe runner.

Each runner (phrasing, summary, heading, governing) keeps its own row model and its own checks; this
module holds the shape they share: a non-empty list of rows, each validated, ids unique, and an error
that names the file and the row; and, for the runners' command lines, the options every runner takes and
how a file that cannot be read is reported.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel

from features.package_data import parse_yaml


class ProbeError(ValueError):
    """The probe file is malformed: names the file, the row and the problem."""


RowT = TypeVar("RowT", bound=BaseModel)
LoadedT = TypeVar("LoadedT")

# An unquoted heading is a YAML plain scalar, and " #" in one starts a comment: "Tylenol #3 (codeine)" would
# reach the product as "Tylenol" (governing probe round 7). Headings never carry comments, so refuse them.
_CUT_HEADING = re.compile(r"\bheading:[ \t]+(?!['\"|>])[^\n]*?[ \t]#")


def refuse_cut_headings(path: Path, text: str) -> None:
    """A ProbeError naming the first line whose unquoted heading YAML would cut at " #"."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.lstrip().startswith("#") and _CUT_HEADING.search(line):
            raise ProbeError(f"{path}: line {number}: unquoted heading holds ' #', "
                             "which YAML reads as a comment: quote the heading")


def load_rows(path: Path, model: type[RowT], *, noun: str = "row") -> list[RowT]:
    """The file's rows validated as `model`, in file order; a ProbeError on the first fault."""
    text = path.read_text()
    refuse_cut_headings(path, text)
    raw = parse_yaml(text)
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


def probe_parser(doc: str, default: Path) -> argparse.ArgumentParser:
    """A runner's command line: described by its docstring's first line, with `--probe` (the YAML, default
    `default`) and `--json`; a runner adds its own options after these."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--probe", type=Path, default=default, help="probe YAML (default: %(default)s)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    return parser


def load_or_report(load: Callable[[], LoadedT]) -> LoadedT | None:
    """What `load()` returns, or None after `error: ...` on stderr when a file is malformed, missing or not
    YAML (the runner then exits 2)."""
    try:
        return load()
    except (ProbeError, OSError, yaml.YAMLError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
