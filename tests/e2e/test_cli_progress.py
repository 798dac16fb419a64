"""`imr serve` on a terminal shows its start-up steps until uvicorn takes over (issue #22); MLflow's own
download bars stay off in the commands that download models (`imr register`)."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.imr_process import run_imr
from tests.synthetic_tables import letter_range_table

BIN = Path(sys.executable).parent


def _read_until(fd: int, marker: bytes, seconds: float) -> bytes:
    buf, end = b"", time.monotonic() + seconds
    while time.monotonic() < end and marker not in buf:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                buf += os.read(fd, 65536)
            except OSError:
                break
    return buf


def test_serve_start_up_shows_its_steps_on_a_terminal(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    env = dict(os.environ, MLFLOW_TRACKING_URI=f"sqlite:///{tmp_path / 'mlflow.db'}", COLUMNS="100")
    proc = subprocess.Popen(
        [str(BIN / "imr"), "serve", "--port", "0"], stdin=slave, stdout=slave, stderr=slave,
        env=env, cwd=tmp_path, start_new_session=True,
    )
    os.close(slave)
    try:
        out = _read_until(master, b"Application startup complete", 90)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
        os.close(master)
    text = out.decode(errors="replace")
    assert "Application startup complete" in text, text[-2000:]
    assert "imr serve: loading the model" in text, text[-2000:]
    assert text.index("imr serve: loading the model") < text.index("Application startup complete")


def test_register_prints_no_mlflow_download_bars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty_mlflow_store: Callable[[Path], str]
) -> None:
    """docs/settings.md: `imr` turns MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR off unless it is set; only the
    commands that drew a bar of their own did, and `imr register` filled stderr with tqdm redraws."""
    import json

    from typer.testing import CliRunner

    from features.spec import load_spec
    from imr_triage.cli import app
    from training.boosting import TrainParams
    from training.train import train_model

    table = letter_range_table(0, 80, seed=5, name="synthetic-{i:04d}.txt")
    table.to_parquet(tmp_path / "f.parquet")
    params = TrainParams(
        cv_folds=2, weighting="unweighted", calibration="sigmoid", lgbm={"num_boost_round": 20}
    )
    train_model(table, load_spec(), params).model.save(tmp_path / "model")
    held = sorted(set(table["letter_id"].astype(str)))[:25]
    (tmp_path / "holdout.json").write_text(json.dumps({"test_letter_ids": held}), encoding="utf-8")
    common = ["--model", str(tmp_path / "model"), "--holdout", str(tmp_path / "holdout.json")]
    reports = tmp_path / "reports"
    ev = CliRunner().invoke(app, ["evaluate", str(tmp_path / "f.parquet"), *common, "--out", str(reports),
                                  "--metrics", str(reports / "metrics.json")])  # fmt: skip
    assert ev.exit_code == 0, ev.output
    monkeypatch.delenv("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", raising=False)  # as a user's shell has it
    store = empty_mlflow_store(tmp_path / "mlflow.db")  # migrated already: the bars are what is proved here
    reg = run_imr("register", str(tmp_path / "f.parquet"), *common, "--reports", str(reports),
                  "--tracking-uri", store, "--out", str(tmp_path / "r.json"),
                  cwd=tmp_path)  # fmt: skip
    assert reg.returncode == 0, reg.stderr
    assert "registered imr-overturn" in reg.stdout
    assert "Downloading artifacts" not in reg.stderr and "it/s]" not in reg.stderr, reg.stderr[-2000:]
