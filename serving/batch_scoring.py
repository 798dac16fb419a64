"""Scoring files into the scores database (what `imr score` and its Dask partitions do): letters and
case files -> prepared cases -> the one `Predictor` -> scores-database rows.

A bad case (a .jsonl line that is not JSON, an item that is no case record, a case that cannot be
scored) fails alone, named by its line or item, and a failing file is named with its reason while the
other files are still scored: a batch never loses its good rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from features.spec import FeatureSpec
from letters.ingest import expand_inputs, parse_file
from letters.records import Case
from model.predictor import Predictor
from serving.case_rows import prepare_case
from serving.score_store import score_rows

CASE_SUFFIXES = (".json", ".jsonl", ".ndjson")


@dataclass
class FileScores:
    """What one input file gave: score rows, (probability, outcome) of decided services, cases, what
    failed (the file, or each bad case of a case file, by line or item) and the parse warnings of the
    letters scored (read with a gap: a header field, the summary's section)."""

    rows: list[Any] = field(default_factory=list)
    labelled: list[tuple[float, int]] = field(default_factory=list)
    n_cases: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def error(self) -> str | None:
        """Every failure of the file on one line (None when nothing failed)."""
        return "; ".join(self.errors) or None


def expand_score_inputs(inputs: list[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Letters via the ingest expander, plus case files (which it does not look for in folders)."""
    files, missing = expand_inputs(inputs)
    failures = [(m.source_file, m.reason) for m in missing]
    for item in inputs:
        if item.is_dir():
            files += sorted(f for f in item.rglob("*") if f.is_file() and f.suffix.lower() in CASE_SUFFIXES)
    # A folder with only case files is not "empty".
    failures = [
        (s, r) for s, r in failures if not (Path(s).is_dir() and any(f.is_relative_to(s) for f in files))
    ]
    return files, failures


def cases_in(path: Path) -> Iterator[Case | ValueError]:
    """Cases from one input file, in order; a bad case comes in its place as a ValueError naming its
    line or item, so the cases around it are still scored. A letter, or a .json file that is not JSON
    at all, raises (the whole file is one input)."""
    suffix = path.suffix.lower()
    if suffix not in CASE_SUFFIXES:
        yield parse_file(path)
        return
    text = path.read_text(encoding="utf-8")
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc}") from exc
        items = data if isinstance(data, list) else [data]
        located: Iterator[tuple[str, Any]] = ((f"item {i}", item) for i, item in enumerate(items))
    else:
        located = _json_lines(text)
    for loc, item in located:
        if isinstance(item, ValueError):
            yield ValueError(f"{loc}: {item}")
            continue
        try:
            case = Case.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            yield ValueError(f"{loc}: not a case record: {where + ': ' if where else ''}{first['msg']}")
            continue
        if not case.source_file:
            case.source_file = f"{path}#{loc}"
        yield case


def _json_lines(text: str) -> Iterator[tuple[str, Any]]:
    """(`line N`, the decoded value, or a ValueError saying why the line is not JSON) per non-blank line."""
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield f"line {n}", json.loads(line)
        except json.JSONDecodeError as exc:
            yield f"line {n}", ValueError(f"not valid JSON ({exc.msg}, column {exc.colno})")


def score_file(
    path: Path, predictor: Predictor, spec: FeatureSpec, model_name: str, model_version: str,
    scored_at: datetime,
) -> FileScores:
    """Score every case of one file; each failure names what failed, and every good case is kept."""
    out = FileScores()
    try:
        for case in cases_in(path):
            if isinstance(case, ValueError):
                out.errors.append(str(case))
                continue
            try:
                _score_case(case, out, predictor, spec, model_name, model_version, scored_at)
            except Exception as exc:  # noqa: BLE001 - reported per case, the rest of the file still runs
                out.errors.append(str(exc))
    except Exception as exc:  # noqa: BLE001 - reported per file, the rest still run
        out.errors.append(str(exc))
    return out


def _score_case(
    case: Case, out: FileScores, predictor: Predictor, spec: FeatureSpec, model_name: str,
    model_version: str, scored_at: datetime,
) -> None:  # fmt: skip
    """One case's score rows (and its decided services, for the reliability check) added to `out`."""
    if not case.services:
        raise ValueError(f"{case.letter_id}: no disputed services found")
    prepared = prepare_case(case, spec, case.letter_id)
    services = predictor.explain(prepared.rows, prepared.evidence, checklists=prepared.checklists)
    marked = predictor.metadata.card().synthetic_only  # a model that never saw a real letter
    rows = score_rows(prepared, services, model_name, model_version, scored_at, model_synthetic_only=marked)
    # Decisions are post-review: never features, only the reliability check.
    decisions = {s.item_index: s.decision for s in case.services}
    for row, s in zip(prepared.rows, services, strict=True):
        decision = decisions.get(int(row["item_index"]))
        if decision is not None:
            out.labelled.append((float(s["overturn_likelihood"]), int(decision == "Overturned")))
    out.rows += rows
    out.n_cases += 1
    if case.parse_warnings:
        out.warnings.append("; ".join(case.parse_warnings))
