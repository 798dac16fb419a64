"""DMHC health-plan IMR determinations (the `;`-separated trend CSV) -> typed rows and cases.

A second real source at scale: one case per Reference ID, one service per row (the treatment
category and sub-category). The determination is only ever the label. A malformed row becomes a
`DmhcRowError` naming its line, id and reason, and the good rows of the batch are kept.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from letters.records import Case, ServiceDecision

LETTER_FORMAT = "dmhc-trend"
HEADING_SEPARATOR = " / "
NOT_STATED = "Not stated"  # heading part for a missing treatment category or sub-category

# CSV header -> DmhcRow field
COLUMNS: dict[str, str] = {
    "Reference ID": "reference_id",
    "Report Year": "report_year",
    "Diagnosis Category": "diagnosis_category",
    "Diagnosis Sub Category": "diagnosis_subcategory",
    "Treatment Category": "treatment_category",
    "Treatment Sub Category": "treatment_subcategory",
    "Determination": "determination",
    "Type": "review_type",
    "Age Range": "age_range",
    "Patient Gender": "patient_gender",
}
DETERMINATIONS: dict[str, Literal["Overturned", "Upheld"]] = {
    "overturned decision of health plan": "Overturned",
    "upheld decision of health plan": "Upheld",
}


class DmhcRow(BaseModel):
    """One DMHC determination as published (blank cells are None)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reference_id: str = Field(min_length=1)
    report_year: int = Field(ge=1990, le=2100)
    diagnosis_category: str | None = None
    diagnosis_subcategory: str | None = None
    treatment_category: str | None = None
    treatment_subcategory: str | None = None
    determination: Literal["Overturned", "Upheld"]
    review_type: str
    age_range: str | None = None
    patient_gender: Literal["female", "male"] | None = None

    @field_validator("determination", mode="before")
    @classmethod
    def _determination(cls, v: Any) -> Any:
        key = str(v).strip().lower()
        if key in DETERMINATIONS:
            return DETERMINATIONS[key]
        if v in ("Overturned", "Upheld"):
            return v
        raise ValueError(f"unknown determination {v!r} (expected Overturned/Upheld Decision of Health Plan)")

    @field_validator("age_range", mode="before")
    @classmethod
    def _age(cls, v: Any) -> Any:
        return None if v is None else str(v).strip().replace("_", "-")  # the data writes 11_20

    @field_validator("patient_gender", mode="before")
    @classmethod
    def _gender(cls, v: Any) -> Any:
        return None if v is None else str(v).strip().lower()

    @property
    def heading(self) -> str:
        return service_heading(self.treatment_category, self.treatment_subcategory)


@dataclass(frozen=True)
class DmhcRowError:
    """A row that could not be read, with where it is and why."""

    source_file: str
    line: int
    reference_id: str | None
    reason: str

    def message(self) -> str:
        rid = f" ({self.reference_id})" if self.reference_id else ""
        return f"{self.source_file}:{self.line}{rid}: {self.reason}"


@dataclass
class DmhcBatch:
    rows: list[DmhcRow] = field(default_factory=list)
    errors: list[DmhcRowError] = field(default_factory=list)


# ---- headings -----------------------------------------------------------------------
def service_heading(category: str | None, subcategory: str | None) -> str:
    """'<treatment category> / <sub-category>': the service text the model and the API see."""
    return f"{category or NOT_STATED}{HEADING_SEPARATOR}{subcategory or NOT_STATED}"


def split_heading(heading: str | None) -> tuple[str | None, str | None]:
    """Inverse of `service_heading` (a missing part is None); a heading without separator is a category."""
    if not heading:
        return None, None
    cat, sep, sub = heading.partition(HEADING_SEPARATOR)  # no DMHC category contains " / "
    cat, sub = cat.strip(), sub.strip() if sep else ""
    return (None if cat in ("", NOT_STATED) else cat), (None if sub in ("", NOT_STATED) else sub)


# ---- reading -----------------------------------------------------------------------------------
def _cell(value: str | None) -> str | None:
    if value is None:
        return None
    v = value.strip()
    return v or None


def read_dmhc_csv(path: Path | str) -> DmhcBatch:
    """Parse the trend CSV; a bad header raises (nothing can be read), a bad row is reported and skipped."""
    src = Path(path)
    batch = DmhcBatch()
    seen: dict[str, int] = {}
    with src.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh, delimiter=";")
        header = next(reader, None)
        if header is None:
            raise ValueError(f"{src}: empty file, expected a ';'-separated header")
        header = [h.strip() for h in header]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise ValueError(f"{src}: header lacks DMHC columns {missing} (is it ';'-separated?)")
        index = {COLUMNS[h]: i for i, h in enumerate(header) if h in COLUMNS}
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            rid = _cell(values[index["reference_id"]]) if len(values) > index["reference_id"] else None
            if len(values) != len(header):
                batch.errors.append(
                    DmhcRowError(str(src), line, rid, f"{len(values)} fields, header has {len(header)}")
                )
                continue
            record = {name: _cell(values[i]) for name, i in index.items()}
            try:
                row = DmhcRow.model_validate(record)
            except ValidationError as exc:
                reason = "; ".join(
                    f"{'.'.join(str(x) for x in e['loc']) or 'row'}: {e['msg'].removeprefix('Value error, ')}"
                    for e in exc.errors(include_url=False)
                )
                batch.errors.append(DmhcRowError(str(src), line, rid, reason))
                continue
            if row.reference_id in seen:
                batch.errors.append(
                    DmhcRowError(
                        str(src),
                        line,
                        rid,
                        f"duplicate Reference ID (first on line {seen[row.reference_id]})",
                    )
                )
                continue
            seen[row.reference_id] = line
            batch.rows.append(row)
    return batch


# ---- records ---------------------------------------------------------------
def to_case(row: DmhcRow) -> Case:
    """The project's record: one case (the Reference ID) with one service, decision as the label."""
    return Case(
        letter_id=row.reference_id,
        case_number=row.reference_id,
        letter_format=LETTER_FORMAT,
        patient_sex=row.patient_gender,
        source_file="dmhc-imr",
        services=[
            ServiceDecision(
                item_index=0, heading=row.heading, service=row.heading, decision=row.determination
            )
        ],
    )


