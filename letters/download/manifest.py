"""The manifest: what was fetched, from where, verified how, with the search table's metadata.

`manifest.json` (one entry per letter, merged across runs) is the source of truth; `manifest.csv`
flattens it to one row per disputed service. `decision` is the IMR outcome: a post-review label.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from pydantic import BaseModel, Field

from letters.download.search_results import ResultRow

MANIFEST_JSON = "manifest.json"
MANIFEST_CSV = "manifest.csv"
SERVICE_COLUMNS = [c for c in ResultRow.model_fields if c not in ("case_number", "pdf_url")]
LETTER_COLUMNS = [
    "case_number",
    "status",
    "file",
    "pdf_url",
    "source",
    "pages",
    "bytes",
    "sha256",
    "attempts",
    "fetched_at",
    "error",
]


class LetterRecord(BaseModel):
    case_number: str
    status: str = Field(description="downloaded | present | failed")
    file: str | None = None
    pdf_url: str | None = None
    source: str = ""
    pages: int | None = None
    bytes: int | None = None
    sha256: str | None = None
    attempts: int = 0
    fetched_at: str | None = None
    error: str | None = None
    services: list[ResultRow] = Field(default_factory=list)


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary sibling and rename, so readers never see a half-written file."""
    tmp = path.with_name(f".{path.name}.part-{os.getpid()}")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load_manifest(out_dir: Path) -> dict[str, LetterRecord]:
    path = out_dir / MANIFEST_JSON
    if not path.exists():
        return {}
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["letters"]
        return {e["case_number"]: LetterRecord.model_validate(e) for e in entries}
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: unreadable manifest ({exc}); move it aside to start a new one") from exc


def merge(old: dict[str, LetterRecord], new: list[LetterRecord]) -> list[LetterRecord]:
    """New records replace old ones by case number; search metadata survives a metadata-less rerun."""
    merged = dict(old)
    for record in new:
        previous = merged.get(record.case_number)
        if previous is not None and not record.services:
            record = record.model_copy(update={"services": previous.services})
        if previous is not None and record.status == "present" and previous.fetched_at:
            kept = {"fetched_at": previous.fetched_at, "attempts": previous.attempts}
            record = record.model_copy(update=kept)
        merged[record.case_number] = record
    return sorted(merged.values(), key=lambda r: r.case_number)


def _csv_bytes(records: list[LetterRecord]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=LETTER_COLUMNS + SERVICE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        letter = record.model_dump(include=set(LETTER_COLUMNS))
        for service in record.services or [None]:
            row = dict(letter)
            if service is not None:
                row.update(service.model_dump(include=set(SERVICE_COLUMNS)))
            writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


def write_manifest(out_dir: Path, records: list[LetterRecord]) -> tuple[Path, Path]:
    """Merge with any manifest already in `out_dir` and write both files atomically."""
    merged = merge(load_manifest(out_dir), records)
    payload = {
        "note": "decision is the IMR outcome (post-review label, never a feature)",
        "letters": [r.model_dump() for r in merged],
    }
    json_path, csv_path = out_dir / MANIFEST_JSON, out_dir / MANIFEST_CSV
    write_atomic(json_path, json.dumps(payload, indent=1).encode("utf-8"))
    write_atomic(csv_path, _csv_bytes(merged))
    return json_path, csv_path
