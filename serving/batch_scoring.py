"""Scoring files into the scores database (what `imr score` and its Dask partitions do): letters and
case files -> prepared cases -> the one `Predictor` -> scores-database rows.

A bad case stops its file but keeps the rows of the cases before it, and a failing file is named with
its reason while the other files are still scored: a batch never loses its good rows.
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
    """What one input file gave: score rows, (probability, outcome) of decided services, cases, error."""

    rows: list[Any] = field(default_factory=list)
    labelled: list[tuple[float, int]] = field(default_factory=list)
    n_cases: int = 0
    error: str | None = None


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


def cases_in(path: Path) -> Iterator[Any]:
    """Cases from one input file; raises ValueError naming the file (and line/item) on bad input."""
    suffix = path.suffix.lower()
    if suffix not in CASE_SUFFIXES:
        yield parse_file(path)
        return
    text = path.read_text(encoding="utf-8")
    try:
        if suffix == ".json":
            data = json.loads(text)
            items = data if isinstance(data, list) else [data]
            where = [f"item {i}" for i in range(len(items))]
        else:
            lines = [(n, ln) for n, ln in enumerate(text.splitlines(), 1) if ln.strip()]
            items = [json.loads(ln) for _n, ln in lines]
            where = [f"line {n}" for n, _ln in lines]
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc}") from exc
    for item, loc in zip(items, where, strict=True):
        try:
            case = Case.model_validate(item)
        except ValidationError as exc:
            raise ValueError(
                f"{loc}: not a case record: {exc.errors()[0]['loc']} {exc.errors()[0]['msg']}"
            ) from exc
        if not case.source_file:
            case.source_file = f"{path}#{loc}"
        yield case


def score_file(
    path: Path, predictor: Predictor, spec: FeatureSpec, model_name: str, model_version: str,
    scored_at: datetime,
) -> FileScores:
    """Score every case of one file; an error names what failed and keeps the rows scored before it."""
    out = FileScores()
    try:
        for case in cases_in(path):
            if not case.services:
                raise ValueError(f"{case.letter_id}: no disputed services found")
            prepared = prepare_case(case, spec, case.letter_id)
            services = predictor.explain(prepared.rows, prepared.evidence, checklists=prepared.checklists)
            out.rows += score_rows(prepared, services, model_name, model_version, scored_at)
            # Decisions are post-review: never features, only the reliability check.
            decisions = {s.item_index: s.decision for s in case.services}
            for row, s in zip(prepared.rows, services, strict=True):
                decision = decisions.get(int(row["item_index"]))
                if decision is not None:
                    out.labelled.append((float(s["overturn_likelihood"]), int(decision == "Overturned")))
            out.n_cases += 1
    except Exception as exc:  # noqa: BLE001 - reported per file, the rest still run
        out.error = str(exc)
    return out
