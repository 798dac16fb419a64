"""`imr score` run again on letters it already stored: the rows are replaced, never duplicated, and the
result line says how many of the services replaced stored scores (a triage team re-running a folder after
Ctrl-C, or by mistake, sees what the run did). SYNTHETIC letters."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from letter_texts import dwc_letter
from typer.testing import CliRunner

from imr_triage.cli import app


def _score(folder: Path, model: Path, db: Path) -> str:
    res = CliRunner().invoke(app, ["score", str(folder), "--model", str(model), "--db", f"sqlite:///{db}",
                                   "--no-progress"])  # fmt: skip
    assert res.exit_code == 0, res.output
    return next(ln for ln in res.stderr.splitlines() if ln.startswith("scored "))


def test_a_rerun_says_how_many_stored_scores_it_replaced(cli_model_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(dwc_letter(), encoding="utf-8")
    db = tmp_path / "scores.db"
    first = _score(folder, cli_model_dir, db)
    assert "replaced" not in first, first  # a fresh database: nothing was there to replace
    with sqlite3.connect(db) as con:
        (n_first,) = con.execute("SELECT COUNT(*) FROM scored_services").fetchone()
    (folder / "b.txt").write_text(dwc_letter().replace("CM16-0000001", "CM16-0000002"), encoding="utf-8")
    again = _score(folder, cli_model_dir, db)
    with sqlite3.connect(db) as con:
        (n_again,) = con.execute("SELECT COUNT(*) FROM scored_services").fetchone()
    assert n_again == 2 * n_first  # the new letter added, the old one replaced, not duplicated
    assert f"scored {n_again} services in 2 cases " in again
    assert f"({n_first} of them replaced scores this model had stored before)" in again, again
