"""`--model-uri models:/...` (or runs:/) where the store (--tracking-uri, MLFLOW_TRACKING_URI, else the
project's sqlite:///mlflow.db) is an SQLite file that is not there: one error line and exit 2, and no file
made; before, MLflow created mlflow.db in the current folder and then said the model was missing (the audit).
SYNTHETIC letter."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from letter_texts import dwc_letter
from training_tables import tiny_table
from typer.testing import CliRunner

from imr_triage.cli import app


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    (tmp_path / "a.txt").write_text(dwc_letter(), encoding="utf-8")
    tiny_table(20).to_parquet(tmp_path / "f.parquet")
    return tmp_path


COMMANDS = {
    "score": ["score", "a.txt", "--db", "sqlite:///scores.db", "--no-progress", "--model-uri"],
    "explain": ["explain", "a.txt", "--model-uri"],
    "drift": ["drift", "--reference", "f.parquet", "--current", "f.parquet", "--model"],
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("uri", ["models:/imr-overturn@champion", "runs:/0123abcd/model"])
def test_a_registry_uri_without_a_store_is_one_line_and_makes_no_file(
    workdir: Path, command: str, uri: str
) -> None:
    before = sorted(p.name for p in workdir.iterdir())
    res = CliRunner().invoke(app, [*COMMANDS[command], uri, "--params", "none.yaml"])
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error: ")]
    why = (f"no MLflow store there (no file mlflow.db), so {uri} cannot be found in it; "
           "pass --tracking-uri URI or set MLFLOW_TRACKING_URI")
    assert res.exit_code == 2 and errors == [f"error: sqlite:///mlflow.db: {why}"], res.output
    assert sorted(p.name for p in workdir.iterdir()) == before  # no mlflow.db, no scores.db, no report


def test_a_tracking_uri_of_a_missing_sqlite_file_is_refused_not_created(workdir: Path) -> None:
    args = [*COMMANDS["score"], "models:/imr-overturn@champion", "--tracking-uri", "sqlite:///typo.db"]
    res = CliRunner().invoke(app, [*args, "--params", "none.yaml"])
    assert res.exit_code == 2 and "error: sqlite:///typo.db: no MLflow store there" in res.stderr
    assert not (workdir / "typo.db").exists() and not (workdir / "mlflow.db").exists()
    assert isinstance(pd.read_parquet(workdir / "f.parquet"), pd.DataFrame)  # the inputs untouched


def test_the_projects_store_is_the_default_when_it_exists(workdir: Path) -> None:
    """With ./mlflow.db there (as `imr register` leaves it) and no URI given, the lookup goes to it, as
    `imr register` and `imr retrain` do: the model is then looked up, not the store refused."""
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{workdir / 'mlflow.db'}")
    mlflow.search_experiments()  # creates the store, as `imr register` would
    args = [*COMMANDS["explain"], "models:/imr-overturn@champion", "--params", "none.yaml"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2 and "no MLflow store there" not in res.stderr
    assert "imr-overturn" in res.stderr, res.output
