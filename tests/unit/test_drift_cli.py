"""`imr drift` on a feature table and on a scores database (tiny synthetic data)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from training_tables import tiny_table
from typer.testing import CliRunner

from imr_triage.cli import app


def test_drift_cli_feature_tables_flags_moved_feature(tmp_path: Path) -> None:
    ref, cur = tiny_table(200, seed=0), tiny_table(200, seed=1)
    cur["patient_age"] = cur["patient_age"] + 30
    ref.to_parquet(tmp_path / "ref.parquet")
    cur.to_parquet(tmp_path / "cur.parquet")
    res = CliRunner().invoke(app, [
        "drift", "--reference", str(tmp_path / "ref.parquet"), "--current", str(tmp_path / "cur.parquet"),
        "--out", str(tmp_path / "rep"), "--params", str(tmp_path / "none.yaml"), "--fail-on-alert",
    ])
    assert res.exit_code == 10, res.output
    report = json.loads((tmp_path / "rep" / "drift.json").read_text())
    assert report["drifted"] and report["alerts"] == ["patient_age"]
    assert report["score"] is None  # no --model: no score PSI, and the report says so
    assert any("score PSI not computed" in n for n in report["notes"])
    assert "| patient_age | numeric |" in (tmp_path / "rep" / "drift.md").read_text()


def test_drift_cli_reads_the_scores_database(tmp_path: Path) -> None:
    from serving.scores_db import ScoreRow, open_scores_db

    ref = tiny_table(200, seed=0)
    ref.to_parquet(tmp_path / "ref.parquet")
    db = tmp_path / "scores.db"
    repo = open_scores_db(f"sqlite:///{db}")
    rng = np.random.default_rng(0)
    repo.save_scores([
        ScoreRow(letter_id=f"SYN-{i}", item_index=0, service_family="other", priority="standard",
                 probability=float(rng.uniform()), risk_band="low", model_name="m", model_version="1",
                 synthetic=True)
        for i in range(100)
    ])
    repo.engine.dispose()
    res = CliRunner().invoke(app, [
        "drift", "--reference", str(tmp_path / "ref.parquet"), "--current", f"sqlite:///{db}",
        "--out", str(tmp_path / "rep"), "--params", str(tmp_path / "none.yaml"),
    ])
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "rep" / "drift.json").read_text())
    names = {f["name"] for f in report["features"]}
    assert {"service_family", "priority"} <= names and "patient_age" not in names
    assert report["other_share_current"] == 1.0 and "other family share" in report["alerts"]
