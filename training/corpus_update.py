"""Incremental ingest for retraining: add only unseen letters to the corpus, extend its feature table.

A letter is known by its letter id or its case number, so a letter fetched twice (or under another
file name) is counted as a duplicate and never trains twice. The parsed decisions are checked against
a labels.csv beside the new letters as `imr train --letters` checks them; a service that disagrees is
added with its decision withheld, so it never trains or tests a model, now or after a rebuild; sent again
with labels.csv corrected so that they agree, such a letter replaces its corpus copy. Old feature rows
are reused when the table still matches the corpus and the feature spec; otherwise everything is rebuilt.

Nothing here writes as it goes: ingestion and the feature table are built in memory, and `commit_update`
writes them when the retraining run has finished, each file to a temporary sibling first and then renamed
over its target. A run that fails part-way leaves the corpus and the feature table as they were, so its
letters are still new to the next run.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from features.spec import FeatureSpec
from features.table import build_feature_frames, build_feature_table
from letters.ingest import (
    CASES_FILE,
    FAILURES_FILE,
    SERVICES_FILE,
    IngestResult,
    load_failures,
    load_records,
    parse_paths,
    write_case_tables,
    write_failures,
)
from letters.records import Case, ParseFailure
from training.letter_labels import (
    WITHHELD_NOTE,
    LabelCheck,
    compare_with_labels,
    find_labels,
    withhold_mismatched,
)


def has_corpus(corpus_dir: Path) -> bool:
    """True when `corpus_dir` holds corpus records (`imr retrain` refuses to start one by accident)."""
    return (corpus_dir / CASES_FILE).is_file()


@dataclass
class IngestSummary:
    """What incremental ingestion did with the new letter files."""

    n_files: int
    new_letter_ids: list[str]
    duplicate_letter_ids: list[str]
    failures: list[dict[str, str]]
    corpus_letters_before: int
    corpus_letters_after: int
    labels: LabelCheck = field(default_factory=lambda: LabelCheck(None))
    withheld_services: list[str] = field(default_factory=list)  # "CASE item N": decision withheld
    rechecked_letter_ids: list[str] = field(default_factory=list)  # withheld before, sent again, checked anew

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d.update(
            n_new=len(self.new_letter_ids),
            n_duplicate=len(self.duplicate_letter_ids),
            n_failed=len(self.failures),
            labels=self.labels.as_dict() | {"summary": self.labels.summary()},
            n_label_mismatches=len(self.labels.mismatches),
            n_withheld=len(self.withheld_services),
            n_rechecked=len(self.rechecked_letter_ids),
        )
        return d


def merge_new_cases(corpus: list[Case], parsed: IngestResult) -> tuple[list[Case], list[Case], list[str]]:
    """(merged corpus, newly added cases, duplicate letter ids): a letter is known by id or case number."""
    known_ids = {c.letter_id for c in corpus}
    known_numbers = {c.case_number for c in corpus if c.case_number}
    added: list[Case] = []
    duplicates: list[str] = []
    for case in parsed.cases:
        if case.letter_id in known_ids or (case.case_number and case.case_number in known_numbers):
            duplicates.append(case.letter_id)
            continue
        added.append(case)
        known_ids.add(case.letter_id)
        if case.case_number:
            known_numbers.add(case.case_number)
    return [*corpus, *added], added, duplicates


def has_withheld_decision(case: Case) -> bool:
    """True when an earlier ingest withheld a decision of this case (its parse warning says so)."""
    return any(WITHHELD_NOTE in w for w in case.parse_warnings)


def release_rechecked(
    corpus: list[Case], parsed: IngestResult, check: LabelCheck
) -> tuple[list[Case], list[str]]:
    """(the corpus without, letter ids of) the cases with a withheld decision that this batch sends again and
    whose labels now agree: the new copy replaces the old instead of counting as a duplicate. A letter whose
    labels still disagree stays a duplicate (nothing new to learn)."""
    if check.labels_file is None:
        return corpus, []  # no labels to check against: nothing could have been corrected
    bad_letters = check.bad_letters() | {number for number, _ in check.bad_services()}
    sent = {c.letter_id for c in parsed.cases} | {c.case_number for c in parsed.cases if c.case_number}
    again = [c for c in corpus if has_withheld_decision(c)
             and (c.letter_id in sent or (c.case_number and c.case_number in sent))
             and (c.case_number or c.letter_id) not in bad_letters]
    gone = {id(c) for c in again}
    return [c for c in corpus if id(c) not in gone], [c.letter_id for c in again]


@dataclass
class CorpusIngest:
    """One batch ingested in memory: what happened, the corpus before it, what it adds, and the updated
    records that `commit_update` writes once the run has finished."""

    summary: IngestSummary
    old_cases: list[Case]  # the corpus before (without letters sent again for a new label check)
    added: list[Case]
    records: IngestResult  # the updated corpus: every case, old failures and this batch's


def ingest_new_letters(
    new_letters: Path,
    corpus_dir: Path,
    engine: str = "pypdfium2",
    labels_file: Path | None = None,
) -> CorpusIngest:
    """Parse `new_letters`, check them against `labels_file` (default: a labels.csv beside them, as
    `imr train --letters` finds it) and add the unseen ones to the corpus records (a mismatched service
    with its decision withheld). Writes nothing: `commit_update` writes `records`."""
    corpus = load_records(corpus_dir) if has_corpus(corpus_dir) else []
    old_failures = load_failures(corpus_dir) if corpus else []
    parsed = parse_paths([new_letters], engine=engine)  # type: ignore[arg-type]
    labels_path = labels_file or find_labels(new_letters)
    # the whole batch (duplicates included); labels of letters outside the batch are not this batch's (one
    # labels.csv may cover many batches), and a letter that could not be read is already an error of its own
    check = LabelCheck(None)
    if labels_path:
        check = compare_with_labels(parsed.cases, labels_path, str(new_letters))
    n_before = len(corpus)
    corpus, rechecked = release_rechecked(corpus, parsed, check)
    merged, added, duplicates = merge_new_cases(corpus, parsed)
    added, withheld = withhold_mismatched(added, check)
    merged = [*merged[: len(corpus)], *added]
    summary = IngestSummary(
        n_files=len(parsed.cases) + len(parsed.failures),
        new_letter_ids=[c.letter_id for c in added],
        duplicate_letter_ids=duplicates,
        failures=[{"source_file": f.source_file, "reason": f.reason} for f in parsed.failures],
        corpus_letters_before=n_before,
        corpus_letters_after=len(merged),
        labels=check,
        withheld_services=withheld,
        rechecked_letter_ids=rechecked,
    )
    records = IngestResult(cases=merged, failures=_failures_after(old_failures, parsed))
    return CorpusIngest(summary, corpus, added, records)


def _failures_after(old: list[ParseFailure], parsed: IngestResult) -> list[ParseFailure]:
    """The corpus's failures.csv after this batch: a file read again (the same folder sent twice) keeps only
    this batch's outcome, so a rerun never repeats its rows and a file that now parses leaves the list."""
    seen = {f.source_file for f in parsed.failures} | {c.source_file for c in parsed.cases}
    kept = [f for f in old if f.source_file not in seen]
    unique = {(f.source_file, f.reason): f for f in [*kept, *parsed.failures]}
    return list(unique.values())


STAGING_NAME = ".{name}.retrain-{pid}.tmp"  # where `commit_update` writes a file before renaming it over


def _staging_name(target: Path) -> Path:
    """The temporary sibling `target` is written to before it is renamed over it (same folder, so the
    rename is atomic; a hidden name, so no reader takes it for the real file)."""
    return target.with_name(STAGING_NAME.format(name=target.name, pid=os.getpid()))


def _pid_alive(pid: int) -> bool:
    """True when a process with this pid exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_stale_staging(targets: list[Path]) -> list[Path]:
    """Remove the temporary siblings of `targets` that a killed run left (its pid, in the name, is gone);
    returns them. A run killed with SIGKILL runs no cleanup, and the next run's names differ (their pid),
    so nothing else would ever remove them. A live run's files are left alone."""
    removed: list[Path] = []
    for target in targets:
        for tmp in sorted(target.parent.glob(STAGING_NAME.format(name=target.name, pid="*"))):
            pid = tmp.name.rsplit(".retrain-", 1)[1].removesuffix(".tmp")
            if pid.isdigit() and int(pid) != os.getpid() and _pid_alive(int(pid)):
                continue
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def corpus_targets(corpus_dir: Path, features: Path | None) -> list[Path]:
    """Every file `commit_update` replaces, in the order it renames them (feature table first)."""
    return [*([features] if features is not None else []),
            corpus_dir / FAILURES_FILE, corpus_dir / SERVICES_FILE, corpus_dir / CASES_FILE]  # fmt: skip


def _fsync(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def commit_update(
    records: IngestResult, corpus_dir: Path, table: pd.DataFrame | None = None, features: Path | None = None
) -> None:
    """Write the updated corpus records to `corpus_dir` (and `table` to `features`) all or nothing, as far
    as files allow: every file is written in full to a temporary sibling first; only when all are written
    are they renamed over their targets, the feature table first and cases.parquet last. A failure while
    writing (a full disk, a folder that cannot be made) removes the temporary files and leaves every target
    as it was. Only a crash between two renames leaves some new and some old, and in that order it is one
    a rerun repairs: the letters count as new while cases.parquet lacks them, and the feature table's rows
    are then rebuilt for them."""
    if table is not None and features is None:
        raise ValueError("commit_update: a feature table needs a path to go to")
    targets = corpus_targets(corpus_dir, features if table is not None else None)
    staged = {target: _staging_name(target) for target in targets}
    try:
        corpus_dir.mkdir(parents=True, exist_ok=True)
        write_failures(records.failures, staged[corpus_dir / FAILURES_FILE])
        write_case_tables(records.cases, staged[corpus_dir / CASES_FILE], staged[corpus_dir / SERVICES_FILE])
        if table is not None and features is not None:
            features.parent.mkdir(parents=True, exist_ok=True)
            table.to_parquet(staged[features], index=False)
        for tmp in staged.values():
            _fsync(tmp)
    except BaseException:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        raise
    try:
        for target in targets:  # the order the docstring gives
            os.replace(staged[target], target)
    finally:
        for tmp in staged.values():  # left only when a rename failed
            tmp.unlink(missing_ok=True)


def _build_rows(cases: list[Case], spec: FeatureSpec, failed: list[str]) -> list[pd.DataFrame]:
    """Feature rows in chunks; a letter whose features cannot be built is named and skipped."""
    frames, failed_here = build_feature_frames(cases, spec)
    failed.extend(failed_here)
    return frames


def update_features(
    existing: Path | None, old_cases: list[Case], added: list[Case], spec: FeatureSpec
) -> tuple[pd.DataFrame, str, list[str]]:
    """Old rows reused when the existing table matches the corpus and the spec (else rebuilt); new built."""
    failed: list[str] = []
    reuse = None
    if existing is not None and existing.is_file():
        table = pd.read_parquet(existing)
        same_cols = list(table.columns) == list(spec.table_columns)
        old_ids = {c.letter_id for c in old_cases}
        # a letter sent again for a new label check left the corpus: its old rows go, the rest are reused
        if same_cols and old_ids <= set(table["letter_id"].astype(str)):
            reuse = table[table["letter_id"].astype(str).isin(old_ids)].reset_index(drop=True)
    old = [reuse] if reuse is not None else _build_rows(old_cases, spec, failed)
    frames = [f for f in [*old, *_build_rows(added, spec, failed)] if len(f)]
    table = pd.concat(frames, ignore_index=True) if frames else build_feature_table([], spec=spec)
    how = "reused existing rows, built new ones" if reuse is not None else "rebuilt from the corpus"
    return table, how, failed
