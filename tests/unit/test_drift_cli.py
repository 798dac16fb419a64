"""`imr drift` on a feature table and on a scores database (tiny synthetic data), and its input errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
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
    # Rows scored before feature values were stored: only the columns the rows hold, and it says so.
    assert {"service_family", "priority"} <= names and "patient_age" not in names
    assert "patient_age" in report["not_compared"]
    assert any("re-score" in n for n in report["notes"])
    assert report["other_share_current"] == 1.0 and "other family share" in report["alerts"]


def _scores_db_from(table, path: Path) -> str:  # noqa: ANN001 - a feature frame
    """A scores DB whose rows carry the table's feature values, as `imr score` and the API write them."""
    from features.spec import load_spec
    from serving.scores_db import ScoreRow, open_scores_db

    names = load_spec().names
    repo = open_scores_db(f"sqlite:///{path}")
    rng = np.random.default_rng(0)
    records = table.astype("object").where(table.notna(), None).to_dict("records")
    repo.save_scores([
        ScoreRow(letter_id=r["letter_id"], item_index=int(r["item_index"]), priority="Standard",
                 probability=float(rng.uniform()), risk_band="low", model_name="m", model_version="v",
                 features={k: r[k] for k in names if r[k] is not None})
        for r in records
    ])
    repo.engine.dispose()
    return f"sqlite:///{path}"


def _drift(tmp_path: Path, current: str, *extra: str):  # noqa: ANN202 - click Result
    (tmp_path / "empty.yaml").touch()  # every setting at its default
    return CliRunner().invoke(app, [
        "drift", "--reference", str(tmp_path / "ref.parquet"), "--current", current,
        "--out", str(tmp_path / "rep"), "--params", str(tmp_path / "empty.yaml"), *extra,
    ])


def test_drift_on_the_scores_database_compares_every_feature(tmp_path: Path) -> None:
    from features.spec import load_spec

    tiny_table(300, seed=0).to_parquet(tmp_path / "ref.parquet")
    same = _drift(tmp_path, _scores_db_from(tiny_table(300, seed=1), tmp_path / "same.db"), "--fail-on-alert")
    assert same.exit_code == 0, same.output
    report = json.loads((tmp_path / "rep" / "drift.json").read_text())
    facts = [f for f in load_spec().features if f.dtype != "text"]  # raw text is never binned
    assert report["n_features_compared"] == len(facts) and report["not_compared"] == []
    assert not report["drifted"], report["alerts"]

    shifted = tiny_table(300, seed=1)
    shifted["pain_score"] = shifted["pain_score"] + 8
    shifted["priority"] = "expedited"
    moved = _drift(tmp_path, _scores_db_from(shifted, tmp_path / "moved.db"), "--fail-on-alert")
    assert moved.exit_code == 10, moved.output
    alerts = json.loads((tmp_path / "rep" / "drift.json").read_text())["alerts"]
    assert {"pain_score", "priority"} <= set(alerts)


def test_scoring_stores_the_feature_values(tmp_path: Path) -> None:
    from letter_texts import dwc_letter

    from features.spec import load_spec
    from letters.parser import parse_text
    from serving.case_rows import prepare_case
    from serving.score_store import score_rows

    spec = load_spec()
    prepared = prepare_case(parse_text(dwc_letter(), "synthetic.txt"), spec, "SYN-1")
    services = [{"overturn_likelihood": 0.5, "risk_band": "moderate", "reasons": []} for _ in prepared.rows]
    row = score_rows(prepared, services, "m", "v", datetime.now(UTC), model_synthetic_only=True)[0]
    facts = {f.name for f in spec.features if f.dtype != "text"}  # raw text is never stored
    assert row.features and set(row.features) <= facts
    assert any(f.dtype == "text" and prepared.rows[0].get(f.name) for f in spec.features)  # it was there
    assert {k: v for k, v in prepared.rows[0].items() if k in facts and v is not None} == row.features


def test_a_missing_or_foreign_scores_database_is_one_clear_line(tmp_path: Path) -> None:
    tiny_table(50, seed=0).to_parquet(tmp_path / "ref.parquet")
    missing = _drift(tmp_path, str(tmp_path / "typo.db"))
    assert missing.exit_code == 2
    assert missing.output.strip().splitlines() == [
        f"error: {tmp_path / 'typo.db'}: no scores database there (SQLite file not found; check the path, "
        "or IMR_SCORES_DB_URL)"
    ]
    assert not (tmp_path / "typo.db").exists()  # a read command never creates the database
    (tmp_path / "other.db").write_bytes(b"")
    foreign = _drift(tmp_path, f"sqlite:///{tmp_path / 'other.db'}")
    assert foreign.exit_code == 2 and "not a scores database" in foreign.output
    assert "Traceback" not in foreign.output and len(foreign.output.strip().splitlines()) == 1
    no_ref = CliRunner().invoke(app, ["drift", "--reference", str(tmp_path / "nope.parquet"), "--current",
                                      str(tmp_path / "ref.parquet")])
    assert no_ref.exit_code == 2 and "nope.parquet: reference feature table not found" in no_ref.output


def _drift_tables(tmp_path: Path, ref: object, cur: object) -> object:
    ref.to_parquet(tmp_path / "ref.parquet")  # type: ignore[attr-defined]
    cur.to_parquet(tmp_path / "cur.parquet")  # type: ignore[attr-defined]
    return CliRunner().invoke(app, [
        "drift", "--reference", str(tmp_path / "ref.parquet"), "--current", str(tmp_path / "cur.parquet"),
        "--out", str(tmp_path / "rep"), "--params", str(tmp_path / "none.yaml"), "--no-progress",
    ])  # fmt: skip


def test_a_current_table_with_none_of_the_features_is_one_clear_line(tmp_path: Path) -> None:
    """A table that is not a feature table (none of the spec's features) was a TypeError traceback
    from the markdown writer; it is refused in one line naming the table, exit 2, nothing written."""
    import pandas as pd

    res = _drift_tables(tmp_path, tiny_table(100, seed=0), pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}))
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "current table has none of the" in res.output and "imr features" in res.output, res.output
    assert not (tmp_path / "rep" / "drift.json").exists()


def test_a_current_table_without_the_service_family_still_writes_its_report(tmp_path: Path) -> None:
    """The `other` family share is reported for one side only when the other lacks `service_family`:
    drift.md says n/a there instead of failing on None."""
    cur = tiny_table(100, seed=1).drop(columns=["service_family"])
    res = _drift_tables(tmp_path, tiny_table(100, seed=0), cur)
    assert res.exit_code == 0, res.output
    md = (tmp_path / "rep" / "drift.md").read_text()
    assert "current n/a" in md and "service_family" in md


def test_a_since_that_is_not_a_date_is_one_clear_line(tmp_path: Path) -> None:
    """`--since garbage` was a pandas DateParseError traceback after the reference was read."""
    ref = tiny_table(50, seed=0)
    ref.to_parquet(tmp_path / "ref.parquet")
    res = CliRunner().invoke(app, [
        "drift", "--reference", str(tmp_path / "ref.parquet"), "--current", f"sqlite:///{tmp_path / 'x.db'}",
        "--since", "last week", "--out", str(tmp_path / "rep"), "--no-progress",
    ])  # fmt: skip
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "error: --since 'last week': not a date (YYYY-MM-DD)" in res.output, res.output


def test_scores_database_filters_on_a_feature_table_are_refused_not_ignored(tmp_path: Path) -> None:
    """`--since` and `--model-version` filter the scores database; on a feature table they were ignored
    without a word, so the report compared every row while the user believed it compared a window."""
    for option, value in (("--since", "2016-06-01"), ("--model-version", "3")):
        res = CliRunner().invoke(app, [
            "drift", "--reference", str(tmp_path / "ref.parquet"), "--current", str(tmp_path / "cur.parquet"),
            option, value, "--out", str(tmp_path / "rep"), "--no-progress",
        ])  # fmt: skip
        assert res.exit_code == 2, res.output
        assert f"{option} filters the scores database" in res.output, res.output
        assert not (tmp_path / "rep").exists()
