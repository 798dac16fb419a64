"""Bad input to the `imr` commands: one line naming the file (or params key) and the problem, a
non-zero exit when anything failed, and the good inputs still processed (SYNTHETIC letters and tables).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from letter_texts import dwc_letter
from training_tables import tiny_table
from typer.testing import CliRunner

from imr_triage.cli import app


def _letter(folder: Path, name: str, number: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(dwc_letter().replace("CM16-0000001", number), encoding="utf-8")
    return path


def _imr(*args: str):  # noqa: ANN202 - click Result
    return CliRunner().invoke(app, list(args))


def _errors(result) -> list[str]:  # noqa: ANN001 - click Result
    return [line for line in result.stderr.splitlines() if line.startswith("error: ")]


def test_explain_on_a_folder_explains_the_letters_in_it(cli_model_dir: Path, tmp_path: Path) -> None:
    _letter(tmp_path / "letters", "a.txt", "CM16-0000001")
    _letter(tmp_path / "letters" / "sub", "b.txt", "CM16-0000002")
    res = _imr("explain", str(tmp_path / "letters"), "--model", str(cli_model_dir), "--json")
    assert res.exit_code == 0, res.output
    assert "Errno" not in res.output and _errors(res) == []
    assert sorted(r["letter_id"] for r in json.loads(res.stdout)) == ["CM16-0000001", "CM16-0000002"]


def test_explain_a_bad_and_a_good_file_exits_1_and_explains_the_good_one(
    cli_model_dir: Path, tmp_path: Path
) -> None:
    good = _letter(tmp_path, "good.txt", "CM16-0000003")
    bad = tmp_path / "bad.txt"
    bad.write_text("SYNTHETIC text that is not a letter\n", encoding="utf-8")
    res = _imr(
        "explain",
        str(bad),
        str(good),
        str(tmp_path / "absent.txt"),
        str(tmp_path),
        "--model",
        str(cli_model_dir),
        "--json",
    )
    assert res.exit_code == 1
    errors = _errors(res)
    assert errors[0] == f"error: {tmp_path / 'absent.txt'}: no such file or directory"
    assert errors[1].startswith(f"error: {bad}: not an IMR Final Determination letter")
    assert len(errors) == 2 and "Traceback" not in res.output
    assert [r["letter_id"] for r in json.loads(res.stdout)] == ["CM16-0000003"]  # the folder gave it once


def test_explain_without_a_model_or_with_a_bad_params_value(cli_model_dir: Path, tmp_path: Path) -> None:
    good = _letter(tmp_path, "good.txt", "CM16-0000004")
    res = _imr("explain", str(good), "--model", str(tmp_path / "no-model"))
    assert res.exit_code == 2 and _errors(res)[0].startswith(
        f"error: {tmp_path / 'no-model'}: no model there"
    )
    params = tmp_path / "params.yaml"
    params.write_text("explain: {top_k: 0}\n", encoding="utf-8")
    res = _imr("explain", str(good), "--model", str(cli_model_dir), "--params", str(params))
    assert res.exit_code == 2
    assert res.output.strip() == f"error: {params}: explain.top_k: Input should be greater than or equal to 1"


def test_train_names_a_file_that_is_not_a_feature_table(tmp_path: Path) -> None:
    (tmp_path / "notes.parquet").write_text("SYNTHETIC, not parquet", encoding="utf-8")
    res = _imr("train", str(tmp_path / "notes.parquet"), "--out", str(tmp_path / "m"), "--no-progress")
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1
    assert res.output.startswith(f"error: {tmp_path / 'notes.parquet'}: not a readable parquet feature table")
    pd.DataFrame({"letter_id": ["x"]}).to_parquet(tmp_path / "other.parquet")
    res = _imr("train", str(tmp_path / "other.parquet"), "--out", str(tmp_path / "m"))
    assert (
        res.exit_code == 2 and "not a feature table of this spec (missing columns: patient_age" in res.output
    )
    res = _imr("train", str(tmp_path / "absent.parquet"))
    assert (
        res.exit_code == 2
        and res.output.strip() == f"error: {tmp_path / 'absent.parquet'}: feature table not found"
    )


def test_train_names_a_bad_params_value(tmp_path: Path) -> None:
    tiny_table(20).to_parquet(tmp_path / "f.parquet")
    (tmp_path / "p.yaml").write_text("train: {seed: many}\n", encoding="utf-8")
    res = _imr("train", str(tmp_path / "f.parquet"), "--params", str(tmp_path / "p.yaml"))
    assert res.exit_code == 2 and res.output.startswith(f"error: {tmp_path / 'p.yaml'}: train.seed: ")


def test_features_and_score_name_what_is_missing(cli_model_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    res = _imr("features", str(tmp_path / "empty"), "--out", str(tmp_path / "f.parquet"))
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert res.output.startswith(f"error: {tmp_path / 'empty'}: no cases.parquet in that folder")
    _letter(tmp_path / "in", "good.txt", "CM16-0000005")
    bad = tmp_path / "in" / "bad.txt"
    bad.write_text("SYNTHETIC text that is not a letter\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'scores.db'}"
    res = _imr("score", str(tmp_path / "in"), "--model", str(cli_model_dir), "--db", db, "--no-progress")
    assert res.exit_code == 1  # one input failed ...
    errors = _errors(res)
    assert len(errors) == 1 and errors[0].startswith(f"error: {bad}: not an IMR Final Determination letter")
    assert " in 1 cases " in res.output and "1 input(s) failed" in res.output  # ... the good one is stored


def test_retrain_without_its_letters_folder_fails_in_one_line_with_a_report(tmp_path: Path) -> None:
    res = _imr(
        "retrain",
        "--new-letters",
        str(tmp_path / "absent"),
        "--out",
        str(tmp_path / "rep"),
        "--no-progress",
        "--params",
        str(tmp_path / "none.yaml"),
    )
    assert res.exit_code == 1
    assert _errors(res) == [
        f"error: retrain failed: FileNotFoundError: {tmp_path / 'absent'}: new-letters directory not found"
    ]
    report = json.loads((tmp_path / "rep" / "retrain.json").read_text())
    assert report["outcome"] == "failed" and "new-letters directory not found" in report["error"]
    res = _imr("retrain", "--new-letters", str(tmp_path), "--engine", "word", "--out", str(tmp_path / "rep"))
    assert res.exit_code == 2 and _errors(res)[0].startswith("error: --engine: ")


def test_evaluate_and_register_name_a_missing_model_or_table(tmp_path: Path) -> None:
    tiny_table(20).to_parquet(tmp_path / "f.parquet")
    (tmp_path / "holdout.json").write_text('{"test_letter_ids": []}', encoding="utf-8")
    for command in ("evaluate", "register"):
        res = _imr(
            command,
            str(tmp_path / "f.parquet"),
            "--model",
            str(tmp_path / "none"),
            "--holdout",
            str(tmp_path / "holdout.json"),
        )
        assert res.exit_code == 2 and "Traceback" not in res.output
        assert res.output.startswith(f"error: {tmp_path / 'none'}: not a TriageModel directory")
        res = _imr(command, str(tmp_path / "absent.parquet"), "--holdout", str(tmp_path / "holdout.json"))
        assert (
            res.output.strip() == f"error: {tmp_path / 'absent.parquet'}: not found (run `imr train` first)"
        )
