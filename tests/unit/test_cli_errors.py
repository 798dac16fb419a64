"""Bad input to the `imr` commands: one line naming the file (or params key) and the problem, a
non-zero exit when anything failed, and the good inputs still processed (SYNTHETIC letters and tables).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from letter_texts import dwc_letter
from training_tables import tiny_table
from typer.testing import CliRunner

from imr_triage.cli import app
from imr_triage.cli_input import PACKAGED_PARAMS, params_section, read_params
from training.boosting import TrainParams
from training.params import load_params, section


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


def test_a_missing_params_file_is_said_once_and_the_defaults_apply(
    cli_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside the repository root (or with a mistyped --params) the built-in defaults apply, which for
    `train --letters` are another recipe than the repository's params.yaml: the user is told."""
    good = _letter(tmp_path, "good.txt", "CM16-0000006")
    typo = tmp_path / "parms.yaml"
    res = _imr("explain", str(good), "--model", str(cli_model_dir), "--params", str(typo), "--json")
    assert res.exit_code == 0 and [r["letter_id"] for r in json.loads(res.stdout)] == ["CM16-0000006"]
    warnings = [ln for ln in res.stderr.splitlines() if "no params file" in ln]
    assert warnings == [
        f"warning: {typo}: no params file there; every setting takes its built-in default, not the "
        "repository's params.yaml (run from the repository root or pass --params FILE)"
    ]


def test_outside_the_repository_root_the_repositorys_params_apply(
    cli_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started where there is no params.yaml and none named, `imr` runs with the repository's params.yaml (a
    link installed with the package) and says so once: `train --letters` from another folder trained another,
    much weaker recipe (the built-in defaults)."""
    repo_params = Path(__file__).resolve().parents[2] / "params.yaml"
    assert PACKAGED_PARAMS.resolve() == repo_params.resolve()
    good = _letter(tmp_path, "good.txt", "CM16-0000007")
    monkeypatch.chdir(tmp_path)
    res = _imr("explain", str(good), "--model", str(cli_model_dir), "--json")
    assert res.exit_code == 0
    notes = [ln for ln in res.stderr.splitlines() if "params" in ln]
    assert notes == [f"note: no params.yaml in {tmp_path}; using the repository's settings ({repo_params})"]
    assert read_params(Path("params.yaml")) == load_params(repo_params)
    real = params_section(TrainParams, Path("params.yaml"), "train_real")
    assert real == TrainParams(**section(load_params(repo_params), "train_real")) != TrainParams()


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


def test_train_that_cannot_start_leaves_no_output_folder(tmp_path: Path) -> None:
    """The output folder is checked, not made, before the table is read: a run that fails leaves nothing."""
    res = _imr("train", str(tmp_path / "absent.parquet"), "--out", str(tmp_path / "new" / "models"))
    assert res.exit_code == 2 and not (tmp_path / "new").exists()
    res = _imr("train", "--letters", str(tmp_path / "absent"), "--out", str(tmp_path / "new" / "models"))
    assert res.exit_code == 2 and not (tmp_path / "new").exists()


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
    scored = next(ln for ln in res.stderr.splitlines() if ln.startswith("scored "))
    assert re.search(r" with imr-overturn-[0-9a-f]{12} -> sqlite:///", scored), scored
    assert scored.count("imr-overturn") == 1  # the name once: the content version begins with it


def test_score_keeps_the_good_cases_of_a_case_file_around_a_bad_line(
    cli_model_dir: Path, tmp_path: Path
) -> None:
    """A .jsonl case file with a line that is not JSON and one that is no case record: each is named by
    its line, and the good cases before and after them are still scored and stored (SYNTHETIC cases)."""

    def case(n: int, heading: str) -> str:
        service = {"item_index": 0, "heading": heading, "service": heading}
        return json.dumps({"letter_id": f"SYN-{n}", "clinical_summary": "SYNTHETIC.", "services": [service]})

    cases = tmp_path / "cases.jsonl"
    lines = [case(1, "MRI lumbar spine"), "not json", '{"services": []}', case(4, "Physical therapy 2x4")]
    cases.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'scores.db'}"
    res = _imr("score", str(cases), "--model", str(cli_model_dir), "--db", db, "--no-progress")
    assert res.exit_code == 1
    assert _errors(res) == [
        f"error: {cases}: line 2: not valid JSON (Expecting value, column 1)",
        f"error: {cases}: line 3: not a case record: letter_id: Field required",
    ]
    assert "scored 2 services in 2 cases " in res.stderr and "2 input(s) failed" in res.stderr
    from serving.scores_db import ScoreFilters, open_scores_db

    repo = open_scores_db(db)
    stored = {r["letter_id"] for r in repo.queue(ScoreFilters())["items"]}
    repo.engine.dispose()
    assert stored == {"SYN-1", "SYN-4"}


def test_check_letters_names_an_unreadable_labels_file_in_one_line(
    cli_model_dir: Path, tmp_path: Path
) -> None:
    letter = _letter(tmp_path, "a.txt", "CM16-0000007")
    labels = tmp_path / "labels.csv"
    labels.write_text("case_number,item_index\nCM16-0000007,0\nCM16-0000007,1,Upheld\n", encoding="utf-8")
    res = _imr("check-letters", str(letter), "--model", str(cli_model_dir), "--labels", str(labels),
               "--out", str(tmp_path / "check"), "--n-bootstrap", "0", "--no-progress")  # fmt: skip
    assert res.exit_code == 2
    assert res.stderr.splitlines() == [
        f"error: {labels}: cannot read labels: Error tokenizing data. C error: "
        "Expected 2 fields in line 3, saw 3"
    ]


def _files(root: Path) -> dict[str, bytes]:
    """Every file under `root` (hidden ones included) and its bytes: "nothing written" keeps it equal."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--new-letters", "{tmp}/absent"], "{tmp}/absent: no such folder (new letters)"),
        (["--new-letters", "{tmp}/afile"], "{tmp}/afile: not a folder (new letters)"),
        (["--out", "{tmp}/afile"], "{tmp}/afile: not a folder (report folder)"),
        (["--features-out", "{tmp}/new"], "{tmp}/new: a folder, not a file (feature table)"),
        (["--corpus-out", "{tmp}/afile/records"],
         "{tmp}/afile/records: cannot be created, {tmp}/afile is not a folder (corpus records)"),
        (["--params", "{tmp}/bad.yaml"],
         "{tmp}/bad.yaml: retrain.holdout_fraction: Input should be less than 1"),
    ],
)  # fmt: skip
def test_retrain_bad_input_is_one_line_exit_2_no_report_nothing_written(
    tmp_path: Path, extra: list[str], message: str
) -> None:
    """As --help promises: bad input found before the run is one line naming the path and the problem, exit 2,
    no report, and no file written or changed (corpus, feature table, MLflow store); before, a missing
    new-letters folder was `retrain failed: FileNotFoundError`, exit 1, with a report (SYNTHETIC letters)."""
    _letter(tmp_path / "old", "a.txt", "CM16-0000011")
    from letters.ingest import parse_paths, write_records

    write_records(parse_paths([tmp_path / "old"]), tmp_path / "records")
    _letter(tmp_path / "new", "b.txt", "CM16-0000012")
    (tmp_path / "afile").write_text("SYNTHETIC: a file where a folder is expected\n", encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("retrain:\n  holdout_fraction: 2\n", encoding="utf-8")
    args = {"--new-letters": "{tmp}/new", "--corpus": "{tmp}/records", "--features": "{tmp}/features.parquet",
            "--out": "{tmp}/rep", "--params": "{tmp}/none.yaml", "--tracking-uri": "sqlite:///{tmp}/m.db"}
    args |= dict(zip(extra[::2], extra[1::2], strict=True))
    before = _files(tmp_path)
    res = _imr("retrain", *(a.format(tmp=tmp_path) for kv in args.items() for a in kv), "--no-progress")
    lines = [ln for ln in res.output.splitlines() if ln.strip() and not ln.startswith("warning: ")]
    assert res.exit_code == 2 and lines == [f"error: {message.format(tmp=tmp_path)}"], res.output
    assert _files(tmp_path) == before  # no report, no store, corpus untouched


@pytest.mark.parametrize(
    ("command", "what"),
    [
        (["train", "--letters", "{tmp}/empty", "--out", "{tmp}/out", "--no-progress"], " (letters)"),
        (["evaluate-real", "--letters", "{tmp}/empty", "--out", "{tmp}/out", "--no-progress"],
         " (real letters)"),
        (["register", "--letters", "{tmp}/empty", "--out", "{tmp}/out"], " (real letters)"),
        (["check-letters", "{tmp}/empty", "--model", "{model}", "--out", "{tmp}/out/check", "--no-progress"],
         ""),
    ],
)  # fmt: skip
def test_a_letters_folder_without_letters_is_bad_input(
    cli_model_dir: Path, tmp_path: Path, command: list[str], what: str
) -> None:
    """A folder holding no .pdf or .txt file is one line naming it, exit 2 (nothing to start on), as `imr
    parse` says it; before, `imr train --letters` said "no labelled services of both outcomes", exit 1, and
    `imr check-letters` counted the folder as "1 files failed"."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.docx").write_text("SYNTHETIC: not a letter\n", encoding="utf-8")
    res = _imr(*(a.format(tmp=tmp_path, model=cli_model_dir) for a in command))
    assert res.exit_code == 2, res.output
    assert _errors(res) == [f"error: {tmp_path}/empty: directory holds no .pdf or .txt files{what}"]
    assert not (tmp_path / "out").exists()


def test_retrain_bad_options_and_params_files_are_one_line(tmp_path: Path) -> None:
    res = _imr("retrain", "--new-letters", str(tmp_path), "--engine", "word", "--out", str(tmp_path / "rep"))
    assert res.exit_code == 2 and _errors(res)[0].startswith("error: --engine: ")
    (tmp_path / "list.yaml").write_text("- SYNTHETIC\n- not a mapping\n", encoding="utf-8")
    res = _imr("retrain", "--new-letters", str(tmp_path), "--params", str(tmp_path / "list.yaml"),
               "--out", str(tmp_path / "rep2"), "--no-progress")  # fmt: skip
    assert res.exit_code == 2 and len(_errors(res)) == 1  # not a second "retrain failed: Exit: 2"
    assert _errors(res)[0].startswith(f"error: {tmp_path / 'list.yaml'}: cannot read params (")
    assert not (tmp_path / "rep").exists() and not (tmp_path / "rep2").exists()


def test_retrain_never_starts_a_new_corpus_unasked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A mistyped or missing --corpus would train the challenger on the new letters alone: refused in one
    line before anything is written, unless --new-corpus says to start one (SYNTHETIC letter)."""
    monkeypatch.chdir(tmp_path)  # the default --corpus data/records is not here
    _letter(tmp_path / "new", "a.txt", "CM16-0000008")
    args = ["retrain", "--new-letters", str(tmp_path / "new"), "--out", str(tmp_path / "rep"),
            "--params", str(tmp_path / "none.yaml"), "--no-progress"]  # fmt: skip
    res = _imr(*args)
    assert res.exit_code == 2 and _errors(res) == [
        "error: data/records: no corpus there (no cases.parquet); pass --corpus DIR of the existing corpus "
        "(`imr parse` output), or --new-corpus to start one there"
    ]
    assert not (tmp_path / "data").exists() and not (tmp_path / "rep").exists()
    (tmp_path / "empty").mkdir()  # with --new-corpus the run goes on (here: nothing new, exit 11)
    res = _imr(*args[:2], str(tmp_path / "empty"), *args[3:], "--new-corpus")
    assert res.exit_code == 11 and "new corpus: starting one at data/records (--new-corpus)" in res.stderr
    assert (tmp_path / "data" / "records" / "cases.parquet").is_file()


@pytest.mark.parametrize(
    ("args", "path", "problem"),
    [
        (["train", "--letters", "{tmp}/absent"], "{tmp}/absent", "no such folder (letters)"),
        (["train", "--letters", "{tmp}", "--labels", "{tmp}/l.csv"], "{tmp}/l.csv",
         "no such file (labels file)"),
        (["evaluate-real", "--letters", "{tmp}/absent"], "{tmp}/absent", "no such folder (real letters)"),
        (["evaluate-real", "--letters", "{tmp}", "--synthetic", "{tmp}/s.parquet"], "{tmp}/s.parquet",
         "synthetic feature table not found"),
        (["register", "--letters", "{tmp}/absent"], "{tmp}/absent", "no such folder (real letters)"),
        (["register", "--letters", "{tmp}", "--model", "{tmp}/m"], "{tmp}/m", "not a TriageModel directory"),
        (["ingest-dmhc", "{tmp}/absent.csv"], "{tmp}/absent.csv", "no such file (DMHC trend CSV)"),
        (["ingest-dmhc", "{tmp}"], "{tmp}", "not a file (DMHC trend CSV)"),
        (["synth", "--n", "1", "--out", "{tmp}/afile"], "{tmp}/afile", "not a folder (the output folder)"),
        (["synth", "--n", "1", "--out", "{tmp}/afile/x"], "{tmp}/afile/x", "cannot create the output folder"),
    ],
)  # fmt: skip
def test_a_bad_path_is_one_error_line_not_a_usage_box(
    tmp_path: Path, args: list[str], path: str, problem: str
) -> None:
    (tmp_path / "afile").write_text("SYNTHETIC: a file where a folder is expected\n", encoding="utf-8")
    _letter(tmp_path, "a.txt", "CM16-0000021")  # `--letters {tmp}` names a folder with a letter in it
    res = _imr(*(a.format(tmp=tmp_path) for a in args))
    lines = [ln for ln in res.output.splitlines() if ln.strip() and not ln.startswith("warning: ")]
    assert res.exit_code == 2 and len(lines) == 1, res.output  # no "Usage:", no box, no traceback
    assert lines[0].startswith(f"error: {path.format(tmp=tmp_path)}: {problem}"), res.output


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


# ---- outputs that cannot be written, and runs that build nothing (session-17 audit) ----------------------
def _file_in_the_way(tmp_path: Path) -> Path:
    """A path under a plain file: no folder can be made there (a check that works for root too)."""
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    return tmp_path / "afile" / "sub"


def _one_line_error(res, path: Path) -> None:  # noqa: ANN001 - click Result
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert len(_errors(res)) == 1 and _errors(res)[0].startswith(f"error: {path}"), res.output


def test_parse_checks_its_output_folder_before_reading_any_letter(tmp_path: Path) -> None:
    _letter(tmp_path / "in", "good.txt", "CM16-0000011")
    out = _file_in_the_way(tmp_path)
    res = _imr("parse", str(tmp_path / "in"), "--out", str(out), "--no-progress")
    _one_line_error(res, out)
    assert "letters read" not in res.output  # nothing was parsed and then lost


def test_features_checks_its_output_file_first_and_fails_when_it_builds_no_row(tmp_path: Path) -> None:
    _letter(tmp_path / "in", "good.txt", "CM16-0000012")
    assert _imr("parse", str(tmp_path / "in"), "--out", str(tmp_path / "rec"), "--no-progress").exit_code == 0
    (tmp_path / "a_folder").mkdir()
    res = _imr("features", str(tmp_path / "rec"), "--out", str(tmp_path / "a_folder"), "--no-progress")
    _one_line_error(res, tmp_path / "a_folder")
    out = _file_in_the_way(tmp_path) / "f.parquet"
    res = _imr("features", str(tmp_path / "rec"), "--out", str(out), "--no-progress")
    _one_line_error(res, out.parent)
    # records of a parse where every letter failed: no row, so exit 1 (its help: "1 only when no row")
    bad = tmp_path / "bad" / "bad.txt"
    bad.parent.mkdir()
    bad.write_text("SYNTHETIC text that is not a letter\n", encoding="utf-8")
    _imr("parse", str(bad.parent), "--out", str(tmp_path / "none"), "--no-progress")
    res = _imr("features", str(tmp_path / "none"), "--out", str(tmp_path / "f0.parquet"), "--no-progress")
    assert res.exit_code == 1 and "no feature row was built" in res.output


def test_score_names_a_scores_db_it_cannot_open_before_scoring(cli_model_dir: Path, tmp_path: Path) -> None:
    _letter(tmp_path / "in", "good.txt", "CM16-0000013")
    for db in (f"sqlite:///{_file_in_the_way(tmp_path) / 'scores.db'}", "postgresql://nouser@127.0.0.1:1/x"):
        res = _imr("score", str(tmp_path / "in"), "--model", str(cli_model_dir), "--db", db, "--no-progress")
        assert res.exit_code == 2 and "Traceback" not in res.output, res.output
        errors = _errors(res)
        assert len(errors) == 1 and errors[0].startswith(f"error: {db}: cannot open the scores database")
        assert "scored " not in res.output


def test_train_names_a_table_with_one_outcome_and_an_unwritable_output(tmp_path: Path) -> None:
    table = tiny_table(40)
    table["overturned"] = 0
    table.to_parquet(tmp_path / "f.parquet")
    res = _imr("train", str(tmp_path / "f.parquet"), "--out", str(tmp_path / "m"), "--no-progress")
    _one_line_error(res, tmp_path / "f.parquet")
    assert "same decision" in res.output
    tiny_table(40).to_parquet(tmp_path / "g.parquet")
    out = _file_in_the_way(tmp_path)
    res = _imr("train", str(tmp_path / "g.parquet"), "--out", str(out), "--no-progress")
    _one_line_error(res, out)


def test_check_letters_checks_where_its_report_goes_first(cli_model_dir: Path, tmp_path: Path) -> None:
    _letter(tmp_path / "in", "good.txt", "CM16-0000014")
    out = _file_in_the_way(tmp_path) / "report"
    res = _imr("check-letters", str(tmp_path / "in"), "--model", str(cli_model_dir), "--out", str(out),
               "--no-progress")
    _one_line_error(res, out.parent)


def test_register_names_a_missing_reports_folder(cli_model_dir: Path, tmp_path: Path) -> None:
    table = tiny_table(40)
    table.to_parquet(tmp_path / "f.parquet")
    held = sorted(set(table["letter_id"].astype(str)))[:10]
    (tmp_path / "holdout.json").write_text(json.dumps({"test_letter_ids": held}), encoding="utf-8")
    res = _imr("register", str(tmp_path / "f.parquet"), "--model", str(cli_model_dir), "--holdout",
               str(tmp_path / "holdout.json"), "--reports", str(tmp_path / "noreports"),
               "--tracking-uri", f"sqlite:///{tmp_path / 'mlflow.db'}")
    _one_line_error(res, tmp_path / "noreports")


def test_explain_names_missing_letters_before_loading_a_model_and_warns_of_parse_gaps(
    cli_model_dir: Path, tmp_path: Path
) -> None:
    res = _imr("explain", str(tmp_path / "absent.txt"), "--model", str(tmp_path / "no-model"))
    assert res.exit_code == 2 and len(_errors(res)) == 1, res.output  # nothing to start on, as `imr parse`
    assert _errors(res)[0].startswith(f"error: {tmp_path / 'absent.txt'}: ")
    assert "no-model" not in res.output  # the model was never needed
    gap = tmp_path / "gap.txt"
    gap.write_text(dwc_letter().replace("CM16-0000001", "CM16-0000021").replace("CLINICAL CASE SUMMARY", "")
                   .replace("case file, including all medical records:", "case file:"), encoding="utf-8")
    res = _imr("explain", str(gap), "--model", str(cli_model_dir), "--json", "--no-progress")
    assert res.exit_code == 0, res.output
    warnings = [ln for ln in res.stderr.splitlines() if ln.startswith("warning: ")]
    assert any(ln.startswith(f"warning: {gap}: ") and "CLINICAL CASE SUMMARY" in ln for ln in warnings), \
        warnings


def test_score_prints_the_parse_warnings_of_a_letter_it_scores(cli_model_dir: Path, tmp_path: Path) -> None:
    gap = tmp_path / "in" / "gap.txt"
    gap.parent.mkdir()
    gap.write_text(dwc_letter().replace("CM16-0000001", "CM16-0000022").replace("CLINICAL CASE SUMMARY", "")
                   .replace("case file, including all medical records:", "case file:"), encoding="utf-8")
    _letter(tmp_path / "in", "good.txt", "CM16-0000023")
    db = f"sqlite:///{tmp_path / 'scores.db'}"
    res = _imr("score", str(tmp_path / "in"), "--model", str(cli_model_dir), "--db", db, "--no-progress")
    assert res.exit_code == 0, res.output
    warnings = [ln for ln in res.stderr.splitlines() if ln.startswith("warning: ")]
    assert len(warnings) == 1 and warnings[0].startswith(f"warning: {gap}: ") and "SUMMARY" in warnings[0]
    assert " in 2 cases " in res.output  # the letter with a gap is scored too


def test_register_refuses_evaluation_reports_of_another_model(cli_model_dir: Path, tmp_path: Path) -> None:
    """`imr train` again (new seed, new params) and `imr register` without `imr evaluate` logged the
    previous model's metrics and plots on the new model's run: its MLflow run showed a ROC-AUC the model
    does not have. The metrics are checked against the model's own on the same holdout, before logging."""
    table = tiny_table(120, seed=3)
    table.to_parquet(tmp_path / "f.parquet")
    held = sorted(set(table["letter_id"].astype(str)))[:40]
    (tmp_path / "holdout.json").write_text(json.dumps({"test_letter_ids": held}), encoding="utf-8")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "metrics.json").write_text(json.dumps({"roc_auc": 0.123456, "brier": 0.5}))
    db = tmp_path / "mlflow.db"
    res = _imr("register", str(tmp_path / "f.parquet"), "--model", str(cli_model_dir), "--holdout",
               str(tmp_path / "holdout.json"), "--reports", str(tmp_path / "reports"),
               "--tracking-uri", f"sqlite:///{db}", "--out", str(tmp_path / "registry.json"))
    _one_line_error(res, tmp_path / "reports" / "metrics.json")
    assert "another model" in _errors(res)[0] and "imr evaluate" in _errors(res)[0], res.output
    assert not db.exists() and not (tmp_path / "registry.json").exists()  # nothing logged or registered


def test_explain_warns_of_a_letter_whose_header_dates_run_backwards(
    cli_model_dir: Path, tmp_path: Path
) -> None:
    letter = tmp_path / "late_injury.txt"
    letter.write_text(dwc_letter().replace("Date of Injury: 10/13/2016", "Date of Injury: 10/13/2020"))
    res = _imr("explain", str(letter), "--model", str(cli_model_dir), "--json")
    assert res.exit_code == 0, res.output
    assert f"warning: {letter}: header dates run backwards: date_of_injury (2020-10-13) is after " \
        "ur_denial_date (2016-11-03)" in res.stderr
    assert [r["letter_id"] for r in json.loads(res.stdout)] == ["CM16-0000001"]


@pytest.mark.parametrize("command", ["parse", "explain", "score"])
def test_no_path_naming_a_letter_exits_2_for_every_letter_command(command: str, tmp_path: Path) -> None:
    """README: exit 2 when a command cannot start, 1 when some of its letters failed. `imr parse` exited 2
    when no path named a letter, `imr explain` and `imr score` 1: the same mistyped path, two meanings."""
    model = ["--model", str(tmp_path / "no-model")]
    args = {"parse": ["--out", str(tmp_path / "out")], "explain": model,
            "score": [*model, "--db", f"sqlite:///{tmp_path / 's.db'}"]}[command]  # fmt: skip
    absent = tmp_path / "absent.txt"
    res = _imr(command, str(absent), *args, "--no-progress", "--params", str(PACKAGED_PARAMS))
    assert res.exit_code == 2, res.output
    assert _errors(res) == [f"error: {absent}: no such file or directory"], res.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "s.db").exists()  # nothing written
