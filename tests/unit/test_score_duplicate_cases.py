"""`imr score` given one case under two names (a copy of a letter, the same case number): the audit saw
"2 cases" printed and 1 stored; the counts printed are of what is stored, and the repeat is named.
SYNTHETIC letters."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from letter_texts import dwc_letter
from typer.testing import CliRunner

from imr_triage.cli import app


def test_a_case_in_two_files_is_counted_and_stored_once(cli_model_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(dwc_letter(), encoding="utf-8")
    (folder / "b-copy.txt").write_text(dwc_letter(), encoding="utf-8")  # same case number, another name
    (folder / "c.txt").write_text(dwc_letter().replace("CM16-0000001", "CM16-0000002"), encoding="utf-8")
    db = tmp_path / "scores.db"
    res = CliRunner().invoke(app, ["score", str(folder), "--model", str(cli_model_dir), "--db",
                                   f"sqlite:///{db}", "--no-progress"])  # fmt: skip
    assert res.exit_code == 0, res.output
    with sqlite3.connect(db) as con:
        cases, services = con.execute(
            "SELECT COUNT(DISTINCT letter_id), COUNT(*) FROM scored_services").fetchone()
    assert cases == 2
    assert f"scored {services} services in 2 cases " in res.stderr, res.stderr
    assert (f"warning: {folder / 'b-copy.txt'}: case CM16-0000001 was already scored from {folder / 'a.txt'} "
            "in this run; stored once (these scores replace those)") in res.stderr.splitlines()
