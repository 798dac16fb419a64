"""Parsed decisions against a labels.csv: mismatches are named, their services never train a model
(SYNTHETIC letters from the generator, written as text files)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from features.spec import load_spec
from letters.ingest import parse_file
from synthetic.corpus import iter_letters
from synthetic.generative_model import GeneratorSettings
from training.letter_labels import compare_with_labels, find_labels, load_real_letters


@pytest.fixture(scope="module")
def letter_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("letters")
    (root / "pdf").mkdir()
    rows = []
    for i, (_case, text) in enumerate(iter_letters(8, GeneratorSettings(seed=21))):
        path = root / "pdf" / f"synthetic-{i}.txt"
        path.write_text(text, encoding="utf-8")
        case = parse_file(path)
        rows += [{"case_number": case.case_number, "item_index": s.item_index, "service": s.service,
                  "decision": s.decision} for s in case.services]  # fmt: skip
    pd.DataFrame(rows).to_csv(root / "labels.csv", index=False)
    return root


def test_matching_labels_pass_and_are_found_beside_the_letters(letter_dir: Path) -> None:
    assert find_labels(letter_dir / "pdf") == letter_dir / "labels.csv"
    data = load_real_letters(letter_dir / "pdf", load_spec())
    labels = pd.read_csv(letter_dir / "labels.csv")
    assert data.labels.ok and data.labels.n_compared == len(labels) == len(data.table)
    assert data.problems == [] and data.dropped == []
    assert "0 mismatches" in data.labels.summary()


def test_mismatch_is_named_and_its_service_left_out(letter_dir: Path, tmp_path: Path) -> None:
    labels = pd.read_csv(letter_dir / "labels.csv", dtype=str)
    flipped = labels.iloc[0]
    labels.loc[0, "decision"] = "Overturned" if flipped["decision"] == "Upheld" else "Upheld"
    ghost = {"case_number": "SYN16-9999999", "item_index": "0", "service": "x", "decision": "Upheld"}
    labels = pd.concat([labels, pd.DataFrame([ghost])], ignore_index=True)
    bad = tmp_path / "labels.csv"
    labels.to_csv(bad, index=False)
    data = load_real_letters(letter_dir / "pdf", load_spec(), bad)
    lines = [m.line() for m in data.labels.mismatches]
    assert f"{flipped['case_number']} item {flipped['item_index']}: parsed decision" in lines[0]
    assert not any("SYN16-9999999" in line for line in lines)  # a label without a letter is no error
    assert data.labels.n_without_letter == 1 and "1 labels have no letter in " in data.labels.summary()
    assert data.dropped == [f"{flipped['case_number']} item {flipped['item_index']}"]
    assert len(data.table) == len(labels) - 2  # the flipped service and the ghost letter
    assert len(data.problems) == 1


def test_labels_of_letters_not_in_the_folder_are_one_summary_not_errors(
    letter_dir: Path, tmp_path: Path
) -> None:
    """One labels file for more letters than the folder (the audit: 117 error lines for a 12-letter subset):
    counted in the summary, ignored; a letter of the folder without a label is still an error."""
    labels = pd.read_csv(letter_dir / "labels.csv", dtype=str)
    numbers = sorted(labels["case_number"].unique())
    subset = tmp_path / "subset"
    subset.mkdir()
    for f in sorted((letter_dir / "pdf").glob("*.txt")):
        if parse_file(f).case_number in numbers[:3]:
            (subset / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    data = load_real_letters(subset, load_spec(), letter_dir / "labels.csv")
    n_other = int((~labels["case_number"].isin(numbers[:3])).sum())
    assert data.problems == [] and data.labels.mismatches == []
    ignored = f"0 mismatches; {n_other} labels have no letter in {subset}; ignored"
    assert data.labels.summary().endswith(ignored)
    unlabelled = tmp_path / "labels.csv"
    labels[labels["case_number"] != numbers[0]].to_csv(unlabelled, index=False)
    data = load_real_letters(subset, load_spec(), unlabelled)
    assert data.problems == [f"{numbers[0]}: parsed letter has no label in {unlabelled}"]
    assert numbers[0] not in set(data.table["case_number"])  # its decisions are unchecked: left out


def test_a_decision_that_is_no_decision_is_an_invalid_value_not_a_mismatch(
    letter_dir: Path, tmp_path: Path
) -> None:
    labels = pd.read_csv(letter_dir / "labels.csv", dtype=str)
    labels.loc[0, "decision"] = "Maybe"
    bad = tmp_path / "labels.csv"
    labels.to_csv(bad, index=False)
    data = load_real_letters(letter_dir / "pdf", load_spec(), bad)
    case, item = labels.loc[0, "case_number"], labels.loc[0, "item_index"]
    why = f"{bad}: decision: 'Maybe' is not Overturned or Upheld ({case} item {item}; left out)"
    assert data.problems == [why]
    assert [m.error_line() for m in data.labels.mismatches] == data.problems  # no "label mismatch:" prefix
    assert data.labels.summary().endswith("0 mismatches, 1 invalid label value")
    assert data.dropped == [f"{case} item {item}"]


def test_unreadable_labels_name_the_file(letter_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "labels.csv"
    bad.write_text("case,decision\nA,Upheld\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"labels\.csv: missing columns \['case_number', 'item_index'\]"):
        compare_with_labels([], bad)
    no_labels = tmp_path / "nothing" / "here"
    no_labels.mkdir(parents=True)
    assert find_labels(no_labels) is None


def test_a_mismatched_service_is_kept_without_its_decision(letter_dir: Path, tmp_path: Path) -> None:
    """What `imr retrain` adds to its corpus: the letter stays, only the disagreeing service loses its
    decision (so it never trains or tests, even after the feature table is rebuilt)."""
    from letters.ingest import parse_paths
    from training.letter_labels import withhold_mismatched

    cases = parse_paths([letter_dir / "pdf"]).cases
    labels = pd.read_csv(letter_dir / "labels.csv", dtype=str)
    multi = next(c for c in cases if len(c.services) > 1)  # a letter with another service to keep
    row = labels.index[(labels["case_number"] == multi.case_number) & (labels["item_index"] == "1")][0]
    labels.loc[row, "decision"] = "Overturned" if labels.loc[row, "decision"] == "Upheld" else "Upheld"
    labels.to_csv(tmp_path / "labels.csv", index=False)
    check = compare_with_labels(cases, tmp_path / "labels.csv")
    out, withheld = withhold_mismatched(cases, check)
    assert withheld == [f"{multi.case_number} item 1"]
    changed = next(c for c in out if c.case_number == multi.case_number)
    assert changed.services[1].decision is None
    assert [s.decision for i, s in enumerate(changed.services) if i != 1] == [
        s.decision for i, s in enumerate(multi.services) if i != 1
    ]
    note = "item 1: decision withheld from training: it disagrees with labels.csv"
    assert changed.parse_warnings[-1] == note
    assert [c for c in out if c.case_number != multi.case_number] == [
        c for c in cases if c.case_number != multi.case_number
    ]  # every other letter untouched
    assert withhold_mismatched(cases, compare_with_labels(cases, letter_dir / "labels.csv")) == (cases, [])
