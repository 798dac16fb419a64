"""Real letters as a labelled table: parse a directory, read each service's IMR decision, and check
the parsed decisions against a `labels.csv` when one lies beside the letters.

The decision is post-review text: it is read only as the target, never as a feature. A service
whose parsed decision disagrees with the labels file is left out of training (its truth is
unknown) and reported by case number and item, so one misread letter never trains the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import pandas as pd

from features.spec import FeatureSpec
from features.table import build_feature_table
from letters.ingest import parse_paths
from letters.records import Case, Decision
from training.boosting import labelled_rows

LABELS_FILE = "labels.csv"
LABEL_COLUMNS = ("case_number", "item_index", "decision")
WITHHELD_NOTE = "decision withheld from training"  # the parse warning that marks a withheld decision


DECISIONS: tuple[str, ...] = get_args(Decision)  # the parser's decision words, one source


@dataclass(frozen=True)
class LabelMismatch:
    """A labelled service that cannot be trusted: its parsed decision disagrees with the label, or (`invalid`)
    the labels file holds a value that is no decision or item at all (then `problem` names file and field)."""

    case_number: str
    item_index: int | None
    problem: str
    invalid: bool = False

    def line(self) -> str:
        if self.invalid:
            return self.problem
        item = "" if self.item_index is None else f" item {self.item_index}"
        return f"{self.case_number}{item}: {self.problem}"

    def error_line(self) -> str:
        """What follows `error: ` on a terminal: a disagreement says it is one, a bad value names its file."""
        return self.line() if self.invalid else f"label mismatch: {self.line()}"


@dataclass
class LabelCheck:
    """Parsed decisions compared with a labels file (or no file: nothing to compare)."""

    labels_file: str | None
    n_labelled: int = 0
    n_compared: int = 0
    mismatches: list[LabelMismatch] = field(default_factory=list)
    # labels of letters that are not among the parsed ones (one labels file may cover many folders)
    n_without_letter: int = 0
    letters_where: str = "the letters"

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def bad_services(self) -> set[tuple[str, int]]:
        return {(m.case_number, m.item_index) for m in self.mismatches if m.item_index is not None}

    def bad_letters(self) -> set[str]:
        return {m.case_number for m in self.mismatches if m.item_index is None}

    def summary(self) -> str:
        if self.labels_file is None:
            return f"no {LABELS_FILE} beside the letters: parsed decisions used unchecked"
        n_invalid = sum(m.invalid for m in self.mismatches)
        text = (
            f"{self.labels_file}: {self.n_compared} of {self.n_labelled} labelled services compared, "
            f"{len(self.mismatches) - n_invalid} mismatches"
        )
        if n_invalid:
            text += f", {n_invalid} invalid label value{'s' if n_invalid != 1 else ''}"
        if self.n_without_letter:
            text += f"; {self.n_without_letter} labels have no letter in {self.letters_where}; ignored"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "labels_file": self.labels_file,
            "n_labelled": self.n_labelled,
            "n_compared": self.n_compared,
            "mismatches": [m.line() for m in self.mismatches],
            "errors": [m.error_line() for m in self.mismatches],
            "n_without_letter": self.n_without_letter,
        }


def find_labels(letters_dir: Path) -> Path | None:
    """`labels.csv` in the letters directory or its parent (the shared layout: pdf/ + labels.csv)."""
    for candidate in (letters_dir / LABELS_FILE, letters_dir.parent / LABELS_FILE):
        if candidate.is_file():
            return candidate
    return None


def read_labels(labels_file: Path) -> pd.DataFrame:
    """The labels file as text columns, or a ValueError in one line naming it: one that cannot be read
    or lacks a column is bad input, which `imr retrain` refuses before the run (exit 2)."""
    try:
        labels = pd.read_csv(labels_file, dtype=str)
    except Exception as exc:  # noqa: BLE001 - one clear line naming the file
        raise ValueError(f"{labels_file}: cannot read labels: {str(exc).strip()}") from exc
    missing = [c for c in LABEL_COLUMNS if c not in labels.columns]
    if missing:
        raise ValueError(f"{labels_file}: missing columns {missing}")
    return labels


def compare_with_labels(
    cases: list[Case], labels_file: Path, letters_where: str = "the letters"
) -> LabelCheck:
    """Each labelled service's decision vs the parsed one; services missing on either side.

    Labels of letters that are not among `cases` are counted, not compared: one labels file may cover many
    folders or batches (a letter that could not be read is already an error of its own). A decision that is
    neither Overturned nor Upheld is an invalid value of the file, not a disagreement."""
    labels = read_labels(labels_file)
    by_case = {c.case_number or c.letter_id: c for c in cases}
    here = labels["case_number"].isin(by_case)
    check = LabelCheck(str(labels_file), n_labelled=int(here.sum()), n_without_letter=int((~here).sum()),
                       letters_where=letters_where)  # fmt: skip
    for case_number, rows in labels[here].groupby("case_number", sort=True):
        case = by_case[str(case_number)]
        parsed = {s.item_index: s for s in case.services}
        for row in rows.itertuples():
            try:
                item = int(row.item_index)
            except (TypeError, ValueError):
                why = f"{labels_file}: item_index: {row.item_index!r} is not a number ({case_number})"
                check.mismatches.append(LabelMismatch(str(case_number), None, why, invalid=True))
                continue
            if row.decision not in DECISIONS:
                why = (f"{labels_file}: decision: {row.decision!r} is not {' or '.join(DECISIONS)} "
                       f"({case_number} item {item}; left out)")  # fmt: skip
                check.mismatches.append(LabelMismatch(str(case_number), item, why, invalid=True))
                continue
            service = parsed.get(item)
            if service is None:
                check.mismatches.append(LabelMismatch(str(case_number), item, "labelled service not parsed"))
                continue
            check.n_compared += 1
            if (service.decision or "") != str(row.decision):
                check.mismatches.append(
                    LabelMismatch(
                        str(case_number),
                        item,
                        f"parsed decision {service.decision!r}, label {row.decision!r}",
                    )
                )
        extra = sorted(set(parsed) - {int(i) for i in rows["item_index"] if str(i).isdigit()})
        for item in extra:
            check.mismatches.append(LabelMismatch(str(case_number), item, "parsed service has no label"))
    for number in sorted(set(by_case) - set(labels["case_number"].astype(str))):
        check.mismatches.append(LabelMismatch(number, None, f"parsed letter has no label in {labels_file}"))
    return check


def withhold_mismatched(cases: list[Case], check: LabelCheck) -> tuple[list[Case], list[str]]:
    """The cases with the decision of every mismatched service set to None (its truth is unknown, so it
    neither trains nor tests a model), and "CASE item N" for each service withheld.

    For a corpus that persists (`imr retrain`): rows dropped from one feature table would come back when
    the table is rebuilt from the records. The case keeps a parse warning that names no decision."""
    bad_items, bad_letters = check.bad_services(), check.bad_letters()
    source = Path(check.labels_file or LABELS_FILE).name
    out: list[Case] = []
    withheld: list[str] = []
    for case in cases:
        number = case.case_number or case.letter_id
        hit = sorted(
            s.item_index
            for s in case.services
            if s.decision is not None and (number in bad_letters or (number, s.item_index) in bad_items)
        )
        if not hit:
            out.append(case)
            continue
        services = [
            s.model_copy(update={"decision": None}) if s.item_index in hit else s for s in case.services
        ]
        notes = [f"item {i}: {WITHHELD_NOTE}: it disagrees with {source}" for i in hit]
        update = {"services": services, "parse_warnings": [*case.parse_warnings, *notes]}
        out.append(case.model_copy(update=update))
        withheld += [f"{number} item {i}" for i in hit]
    return out, withheld


@dataclass
class RealLetters:
    """The labelled feature rows of a directory of real letters and what went wrong on the way."""

    table: pd.DataFrame
    cases: list[Case]
    parse_failures: list[str]
    labels: LabelCheck
    dropped: list[str]

    @property
    def problems(self) -> list[str]:
        return self.parse_failures + [m.line() for m in self.labels.mismatches]


def load_real_letters(letters_dir: Path, spec: FeatureSpec, labels_file: Path | None = None) -> RealLetters:
    """Parse every letter in `letters_dir`, build features, keep services with a decision that agrees
    with the labels file (when there is one)."""
    parsed = parse_paths([str(letters_dir)], progress=False)
    failures = [f"{f.source_file}: {f.reason}" for f in parsed.failures]
    labels_path = labels_file or find_labels(letters_dir)
    check = LabelCheck(None)
    if labels_path:
        check = compare_with_labels(parsed.cases, labels_path, str(letters_dir))
    table = labelled_rows(build_feature_table(parsed.cases, spec=spec), spec)
    bad_items, bad_letters = check.bad_services(), check.bad_letters()
    key = list(zip(table["case_number"].astype(str), table["item_index"].astype(int), strict=True))
    drop = [(c, i) in bad_items or c in bad_letters for c, i in key]
    dropped = [f"{c} item {i}" for (c, i), d in zip(key, drop, strict=True) if d]
    table = table.loc[[not d for d in drop]].reset_index(drop=True)
    return RealLetters(table, parsed.cases, failures, check, dropped)
