"""`imr score` end to end: SYNTHETIC letters and case files -> scores DB, idempotent, bad inputs named."""

from __future__ import annotations

from pathlib import Path

import pytest

from letters.parser import parse_text
from serving.scores_db import ScoreFilters, open_scores_db
from tests.e2e.dashboard_support import imr
from tests.synthetic_explain_model import synthetic_model_dir
from tests.synthetic_letter_files import write_synthetic_letters

pytestmark = pytest.mark.slow


def test_score_writes_explained_rows_idempotently(tmp_path: Path) -> None:
    letters = write_synthetic_letters(tmp_path / "letters", 25, seed=41, name="synthetic-{seed}-{i:04d}.txt")
    (tmp_path / "letters" / "broken.txt").write_text("SYNTHETIC text that is not a letter\n")
    case = parse_text(letters[0].read_text(), "synthetic.txt")
    case.letter_id = "SYNTH-JSON-CASE"
    (tmp_path / "cases.jsonl").write_text(
        case.model_dump_json() + "\n" + '{"letter_id": "X", "services": 3}\n'
    )
    db = f"sqlite:///{tmp_path / 'scores.db'}"
    model = str(synthetic_model_dir())

    run = imr("score", str(tmp_path / "letters"), str(tmp_path / "cases.jsonl"), "--model", model,
              "--db", db, "--model-version", "7", "--no-progress")  # fmt: skip
    assert run.returncode == 1, run.stderr  # two inputs failed; every good one is still stored
    assert "broken.txt" in run.stderr and "not an IMR Final Determination letter" in run.stderr
    assert "cases.jsonl: line 2" in run.stderr
    # The model never saw a real letter: one line says so, and every stored row is marked.
    (marked,) = [ln for ln in run.stderr.splitlines() if "SYNTHETIC-ONLY" in ln]
    assert marked.startswith("SYNTHETIC-ONLY MODEL: imr-overturn 7 was trained on ")
    assert marked.endswith("its scores are not evidence about real IMR outcomes.")

    expected = sum(len(parse_text(p.read_text(), p.name).services) for p in letters) + len(case.services)
    repo = open_scores_db(db)
    assert repo.count() == expected
    rows = repo.queue(ScoreFilters(model_version="7"), page_size=500)["items"]
    assert {r["letter_id"] for r in rows} >= {"SYNTH-JSON-CASE", case_id_of(letters[1])}
    assert all(r["synthetic"] and r["model_version"] == "7" and r["model_synthetic_only"] for r in rows)
    assert all(r["top_reasons"] and r["top_reasons"][0]["feature"] for r in rows)
    assert all(r["risk_band"] in {"low", "medium", "high"} for r in rows)
    assert sum(r["body_region"] is not None for r in rows) > 0
    run_info = repo.model_run("imr-overturn", "7")
    assert run_info is not None and run_info["calibration"], "labelled synthetic letters give a curve"
    assert sum(p["count"] for p in run_info["calibration"]) == expected
    first = {(r["letter_id"], r["item_index"]): r["probability"] for r in rows}

    again = imr("score", str(tmp_path / "letters"), "--model", model, "--db", db, "--model-version", "7",
                "--no-progress", "--allow-failures")  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert repo.count() == expected, "re-scoring with the same model must not add rows"
    rows2 = repo.queue(ScoreFilters(model_version="7"), page_size=500)["items"]
    assert {(r["letter_id"], r["item_index"]): r["probability"] for r in rows2} == first
    repo.engine.dispose()


def case_id_of(path: Path) -> str:
    return parse_text(path.read_text(), path.name).letter_id


def test_score_fails_clearly_when_nothing_can_be_scored(tmp_path: Path) -> None:
    run = imr(
        "score", str(tmp_path / "missing.txt"), "--db", f"sqlite:///{tmp_path / 's.db'}", "--no-progress"
    )
    assert run.returncode == 2  # no input to start on: exit 2, as `imr parse` and `imr explain`
    assert "missing.txt: no such file or directory" in run.stderr
