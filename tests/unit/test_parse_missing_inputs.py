"""`imr parse` with an input path that names no letter: an error line naming the path, never a letter read
(the audit saw `letters read: 1` for a missing file); exit 2 when no path named a letter, 1 when some did
(their letters are still written). SYNTHETIC letters."""

from __future__ import annotations

import csv
from pathlib import Path

from letter_texts import dwc_letter
from typer.testing import CliRunner

from imr_triage.cli import app


def _parse(*args: str):  # noqa: ANN202 - click Result
    return CliRunner().invoke(app, ["parse", *args, "--no-progress", "--params", "absent-params.yaml"])


def test_a_missing_path_alone_is_one_error_exit_2_nothing_written(tmp_path: Path) -> None:
    res = _parse(str(tmp_path / "missing.txt"), "--out", str(tmp_path / "out"))
    assert res.exit_code == 2, res.output
    assert [ln for ln in res.stderr.splitlines() if not ln.startswith("warning: ")] == [
        f"error: {tmp_path / 'missing.txt'}: no such file or directory"
    ]
    assert "letters read" not in res.output and not (tmp_path / "out").exists()


def test_a_missing_path_beside_a_good_letter_is_an_error_not_a_letter_read(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(dwc_letter(), encoding="utf-8")
    res = _parse(str(good), str(tmp_path / "missing.txt"), "--out", str(tmp_path / "out"))
    assert res.exit_code == 1, res.output
    assert f"error: {tmp_path / 'missing.txt'}: no such file or directory" in res.stderr.splitlines()
    assert "letters read: 1  parsed: 1  services: " in res.stderr and "failed: 0" in res.stderr
    with (tmp_path / "out" / "failures.csv").open(encoding="utf-8") as fh:
        assert list(csv.DictReader(fh)) == []  # failures.csv lists letters that failed, not bad arguments
    assert (tmp_path / "out" / "cases.parquet").is_file()


def test_paths_with_brackets_are_printed_as_they_are(tmp_path: Path) -> None:
    """`wrote ...` names the output folder verbatim: rich read "[copy]" in a path as markup and dropped it."""
    good = tmp_path / "good.txt"
    good.write_text(dwc_letter(), encoding="utf-8")
    out = tmp_path / "records [copy]"
    res = _parse(str(good), "--out", str(out))
    assert res.exit_code == 0, res.output
    assert f"wrote {out / 'cases.parquet'}, " in " ".join(res.stderr.split("\n")), res.stderr


def test_files_in_a_folder_that_are_not_letters_are_named_in_a_note_not_lost_unseen(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.txt").write_text(dwc_letter(), encoding="utf-8")
    (folder / "letter.docx").write_bytes(b"PK\x03\x04 not read")
    (folder / "sub" / "notes.md").write_text("x", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\x00")  # hidden files are no one's letters
    res = _parse(str(folder), "--out", str(tmp_path / "out"))
    assert res.exit_code == 0, res.output  # a note, not a failure: the letter in the folder was read
    assert f"note: {folder}: skipped 2 file(s) that are not .pdf or .txt (letter.docx, sub/notes.md)" in (
        res.stderr.splitlines()
    )
    assert "letters read: 1  parsed: 1" in res.stderr


def test_the_note_follows_what_the_command_reads(tmp_path: Path) -> None:
    from letters.ingest import skipped_in_folders, skipped_note

    (tmp_path / "a.txt").write_text(dwc_letter(), encoding="utf-8")
    (tmp_path / "b.json").write_text("[]", encoding="utf-8")
    note = f"note: {tmp_path}: skipped 1 file(s) that are not .pdf or .txt (b.json)"
    assert skipped_note([tmp_path]) == [note]
    assert skipped_in_folders([tmp_path], (".pdf", ".txt", ".json")) == {}  # `imr score` reads case files
    assert skipped_in_folders([tmp_path / "a.txt"]) == {}  # a file named on its own is read or fails
