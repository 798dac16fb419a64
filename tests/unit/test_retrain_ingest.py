"""Retraining: a letter already in the corpus (by id or case number) is not added twice; the decision rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from letter_texts import dwc_letter

from features.spec import load_spec
from features.table import build_feature_table
from letters.ingest import IngestResult, load_failures, load_records, parse_paths, write_records
from letters.records import Case
from training.comparison import paired_gain
from training.corpus_update import (
    IngestSummary,
    commit_update,
    ingest_new_letters,
    merge_new_cases,
    update_features,
)
from training.registry import RegistryParams, decide
from training.retrain import RetrainParams, final_decision


def _case(letter_id: str, case_number: str | None = None) -> Case:
    return Case(letter_id=letter_id, case_number=case_number, source_file=f"{letter_id}.txt")


def test_merge_skips_known_ids_case_numbers_and_repeats_within_the_batch() -> None:
    corpus = [_case("A", "CM1"), _case("B", "CM2")]
    parsed = IngestResult(cases=[_case("A", "CM1"), _case("B-copy", "CM2"), _case("C", "CM3"),
                                 _case("C", "CM3"), _case("D", None)])
    merged, added, dups = merge_new_cases(corpus, parsed)
    assert [c.letter_id for c in added] == ["C", "D"]
    assert dups == ["A", "B-copy", "C"]
    assert [c.letter_id for c in merged] == ["A", "B", "C", "D"]


def _ingest_and_commit(new: Path, corpus: Path) -> tuple[IngestSummary, list[Case], list[Case]]:
    """Ingest (in memory) and write the records, as a finished `imr retrain` run does."""
    update = ingest_new_letters(new, corpus)
    commit_update(update.records, corpus)
    return update.summary, update.old_cases, update.added


def _write(folder: Path, name: str, number: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = dwc_letter().replace("Case Number: CM16-0000001", f"Case Number: {number}")
    (folder / name).write_text(text, encoding="utf-8")


def test_ingest_new_letters_counts_new_duplicate_and_failed(tmp_path: Path) -> None:
    old = tmp_path / "old"
    _write(old, "one.txt", "CM16-0000001")
    write_records(parse_paths([old]), tmp_path / "corpus")
    new = tmp_path / "new"
    _write(new, "one-again.txt", "CM16-0000001")  # same case, another file name
    _write(new, "two.txt", "CM16-0000002")
    (new / "broken.txt").write_text("", encoding="utf-8")
    summary, old_cases, added = _ingest_and_commit(new, tmp_path / "corpus")
    assert (len(old_cases), [c.case_number for c in added]) == (1, ["CM16-0000002"])
    d = summary.as_dict()
    assert (d["n_new"], d["n_duplicate"], d["n_failed"], d["n_files"]) == (1, 1, 1, 3)
    assert d["failures"][0]["source_file"].endswith("broken.txt")
    numbers = sorted(c.case_number for c in load_records(tmp_path / "corpus"))
    assert numbers == ["CM16-0000001", "CM16-0000002"]
    # running again adds nothing
    again, _, added_again = _ingest_and_commit(new, tmp_path / "corpus")
    assert added_again == [] and again.corpus_letters_after == 2 and len(again.duplicate_letter_ids) == 2


def test_a_rerun_does_not_repeat_failures_and_a_fixed_file_leaves_them(tmp_path: Path) -> None:
    """The audit: each rerun of `imr retrain` on a folder with an unreadable file added its row to the
    corpus's failures.csv again."""
    _write(tmp_path / "old", "one.txt", "CM16-0000001")
    write_records(parse_paths([tmp_path / "old"]), tmp_path / "corpus")
    new = tmp_path / "new"
    _write(new, "two.txt", "CM16-0000002")
    (new / "broken.txt").write_text("SYNTHETIC text that is not a letter\n", encoding="utf-8")
    for _ in range(3):
        _ingest_and_commit(new, tmp_path / "corpus")
    assert [Path(f.source_file).name for f in load_failures(tmp_path / "corpus")] == ["broken.txt"]
    _write(new, "broken.txt", "CM16-0000003")  # the file fixed: it parses now, its failure goes
    summary, _, added = _ingest_and_commit(new, tmp_path / "corpus")
    assert [c.case_number for c in added] == ["CM16-0000003"] and load_failures(tmp_path / "corpus") == []


def test_decision_needs_margin_and_a_credible_gain() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    letters = np.arange(400) // 2
    good = np.clip(y * 0.6 + rng.uniform(0, 0.4, 400), 0, 1)
    noise = rng.uniform(size=400)
    reg = RegistryParams(margin=0.005)
    params = RetrainParams()
    strong = paired_gain(y, good, noise, letters, "roc_auc", 200, 0.95, 0)
    assert strong.gain_lower > 0
    assert strong.gain == pytest.approx(strong.challenger_value - strong.reference_value)
    point = decide(strong.challenger_value, strong.reference_value, "champion v1", reg, "2", "1", 400)
    assert final_decision(point, strong, params).promoted
    tiny = paired_gain(y, noise, noise[::-1].copy(), letters, "roc_auc", 200, 0.95, 0)
    noisy_point = decide(0.70, 0.60, "champion v1", reg, "2", "1", 400)
    weak = tiny.__class__(**{**tiny.as_dict(), "gain": 0.1, "gain_lower": -0.01})
    out = final_decision(noisy_point, weak, params)
    assert not out.promoted and "not credible" in out.reason
    assert final_decision(noisy_point, weak, RetrainParams(require_credible_gain=False)).promoted


def test_new_letters_are_checked_against_the_labels_beside_them(tmp_path: Path) -> None:
    """A wrong label row withholds that service's decision in the corpus; the letter's other services and
    every other letter are added as parsed (SYNTHETIC letters)."""
    new = tmp_path / "new"
    _write(new, "one.txt", "CM16-0000001")  # items 0 Upheld, 1 Overturned, 2 Upheld
    _write(new, "two.txt", "CM16-0000002")
    parsed = ["Upheld", "Overturned", "Upheld"]
    rows = [(n, i, d) for n in ("CM16-0000001", "CM16-0000002") for i, d in enumerate(parsed)]
    rows[1] = ("CM16-0000001", 1, "Upheld")  # deliberately wrong
    labels = pd.DataFrame(rows, columns=["case_number", "item_index", "decision"])
    labels.to_csv(new / "labels.csv", index=False)
    summary, _, added = _ingest_and_commit(new, tmp_path / "corpus")
    d = summary.as_dict()
    assert d["labels"]["summary"] == f"{new / 'labels.csv'}: 6 of 6 labelled services compared, 1 mismatches"
    assert d["labels"]["mismatches"] == ["CM16-0000001 item 1: parsed decision 'Overturned', label 'Upheld'"]
    assert (d["withheld_services"], d["n_withheld"], d["n_new"]) == (["CM16-0000001 item 1"], 1, 2)
    stored = {c.case_number: [s.decision for s in c.services] for c in load_records(tmp_path / "corpus")}
    assert stored == {"CM16-0000001": ["Upheld", None, "Upheld"], "CM16-0000002": parsed}
    assert [c.case_number for c in added] == ["CM16-0000001", "CM16-0000002"]
    _write(tmp_path / "more", "three.txt", "CM16-0000003")  # no labels.csv here or in its parent
    unchecked, _, _ = _ingest_and_commit(tmp_path / "more", tmp_path / "corpus")
    assert unchecked.labels.labels_file is None and unchecked.withheld_services == []
    assert unchecked.as_dict()["labels"]["summary"].startswith("no labels.csv beside the letters")


def test_a_letter_with_a_withheld_decision_sent_again_is_checked_anew(tmp_path: Path) -> None:
    """Once labels.csv is corrected, sending the letter again replaces its corpus copy (decision restored),
    instead of counting it as a duplicate forever; while its labels still disagree, and for a letter without a
    withheld decision, it stays a duplicate."""
    new = tmp_path / "new"
    _write(new, "one.txt", "CM16-0000001")  # items 0 Upheld, 1 Overturned, 2 Upheld
    _write(new, "two.txt", "CM16-0000002")
    parsed = ["Upheld", "Overturned", "Upheld"]
    rows = [(n, i, d) for n in ("CM16-0000001", "CM16-0000002") for i, d in enumerate(parsed)]
    wrong = [*rows[:1], ("CM16-0000001", 1, "Upheld"), *rows[2:]]
    columns = ["case_number", "item_index", "decision"]
    pd.DataFrame(wrong, columns=columns).to_csv(new / "labels.csv", index=False)
    first, _, _ = _ingest_and_commit(new, tmp_path / "corpus")
    assert first.withheld_services == ["CM16-0000001 item 1"]
    still, _, added_still = _ingest_and_commit(new, tmp_path / "corpus")
    assert (added_still, still.rechecked_letter_ids, len(still.duplicate_letter_ids)) == ([], [], 2)
    pd.DataFrame(rows, columns=columns).to_csv(new / "labels.csv", index=False)
    again, old_cases, added = _ingest_and_commit(new, tmp_path / "corpus")
    d = again.as_dict()
    assert (d["n_rechecked"], d["n_new"], d["n_duplicate"], d["n_withheld"]) == (1, 1, 1, 0)
    assert [c.case_number for c in old_cases] == ["CM16-0000002"] and again.corpus_letters_before == 2
    stored = {c.case_number: [s.decision for s in c.services] for c in load_records(tmp_path / "corpus")}
    assert stored == {"CM16-0000001": parsed, "CM16-0000002": parsed} and again.corpus_letters_after == 2
    spec = load_spec()  # the old table holds the released letter's rows: they go, the others are reused
    corpus = load_records(tmp_path / "corpus")
    build_feature_table(corpus, spec=spec).to_parquet(tmp_path / "features.parquet")
    table, how, failed = update_features(tmp_path / "features.parquet", old_cases, added, spec)
    assert (how, failed) == ("reused existing rows, built new ones", [])
    assert sorted(table["letter_id"].value_counts().tolist()) == [3, 3] and len(table) == 6
    third, _, added_third = _ingest_and_commit(new, tmp_path / "corpus")
    assert (added_third, third.rechecked_letter_ids, len(third.duplicate_letter_ids)) == ([], [], 2)


def test_ingest_writes_nothing_and_a_failed_commit_leaves_every_file_as_it_was(tmp_path: Path) -> None:
    """`imr retrain` ingests in memory and writes at the end: a run that fails before then leaves the corpus
    and the feature table as they were (its letters stay new for the next run), and so does a commit that
    fails while writing (here a feature table pyarrow cannot store): no target replaced, no temporary file
    left behind. A good commit then replaces them all (SYNTHETIC letters)."""
    import pyarrow as pa

    corpus, features = tmp_path / "corpus", tmp_path / "features.parquet"
    _write(tmp_path / "old", "one.txt", "CM16-0000001")
    write_records(parse_paths([tmp_path / "old"]), corpus)
    spec = load_spec()
    build_feature_table(load_records(corpus), spec=spec).to_parquet(features, index=False)

    def files() -> dict[str, bytes]:  # every file, hidden ones (a temporary file left behind) included
        return {str(p.relative_to(tmp_path)): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()
                and p.parent in (tmp_path, corpus)}  # fmt: skip

    _write(tmp_path / "new", "two.txt", "CM16-0000002")
    before = files()
    update = ingest_new_letters(tmp_path / "new", corpus)
    assert [c.case_number for c in update.added] == ["CM16-0000002"] and files() == before
    table, how, _ = update_features(features, update.old_cases, update.added, spec)
    assert how == "reused existing rows, built new ones" and files() == before
    unstorable = table.assign(letter_id=[1, *table["letter_id"][1:]])  # an int among strings
    with pytest.raises(pa.ArrowException):
        commit_update(update.records, corpus, unstorable, features)
    assert files() == before
    commit_update(update.records, corpus, table, features)
    assert sorted(c.case_number for c in load_records(corpus)) == ["CM16-0000001", "CM16-0000002"]
    assert pd.read_parquet(features).equals(table)
    assert sorted(files()) == sorted(before)  # the same files, rewritten; no temporary one left
