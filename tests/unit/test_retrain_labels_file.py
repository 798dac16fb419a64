"""`imr retrain` refuses a labels.csv it cannot use before the run, as the documented bad input it is (one
line naming the file, exit 2, no report): one without the case_number/item_index columns used to fail the
run part-way, after the champion was loaded and the letters parsed (`error: retrain failed: ValueError:
...`, exit 1, a failed report)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from imr_triage.cli import app


@pytest.mark.parametrize("where", ["beside", "option"])
def test_a_labels_file_without_its_columns_is_bad_input(tmp_path: Path, where: str) -> None:
    new = tmp_path / "new"
    new.mkdir()
    (new / "SYN-1.txt").write_text("SYNTHETIC", encoding="utf-8")
    labels = tmp_path / "labels.csv"  # beside new/: found as the shared layout's labels
    labels.write_text("case,item,decision\nSYN-1,0,Upheld\n", encoding="utf-8")
    args = ["retrain", "--new-letters", str(new), "--corpus", str(tmp_path / "records"),
            "--out", str(tmp_path / "report"), "--no-progress"]  # fmt: skip
    if where == "option":
        labels = labels.rename(tmp_path / "my-labels.csv")
        args += ["--labels", str(labels)]
    res = CliRunner().invoke(app, args)
    errors = [line for line in res.stderr.splitlines() if line.startswith("error: ")]
    assert res.exit_code == 2, res.output
    assert errors == [f"error: {labels}: missing columns ['case_number', 'item_index']"], res.stderr
    assert not (tmp_path / "report").exists() and not (tmp_path / "records").exists()


def test_the_last_line_counts_invalid_label_values_apart_from_mismatches() -> None:
    """A labels.csv value that is no decision ("Maybe") disagrees with no letter: the run's last line
    counted it as a "label mismatch" before; now each kind of bad input is counted under its own name."""
    from training.retrain import input_problems

    assert input_problems(0, 0, 0) == []
    assert input_problems(1, 0, 1) == ["1 new letter could not be read", "1 invalid label value"]
    assert input_problems(0, 2, 3) == ["2 label mismatches", "3 invalid label values"]
