"""`imr serve` with an operator's PROMETHEUS_MULTIPROC_DIR: prometheus_client sums every value file in it,
and an earlier server's files are never removed, so a restarted server's /metrics carried the old run's
request counts and reload counts, and its dead workers' `imr_model_info` rows. The files are removed at
start, and said."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from imr_triage.commands.serve import _clear_earlier_metrics

# One server process's metrics, in a real process: the value files are named by its pid.
SERVER = """
from serving.metrics import ServiceMetrics
m = ServiceMetrics()
m.set_model("imr-overturn", "3", "champion")
m.reloads.labels(outcome="loaded").inc()
print(m.render().decode())
"""


def _server(folder: Path) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    res = subprocess.run([sys.executable, "-c", SERVER], env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return res.stdout


def _sample(text: str, name: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(name)]


def test_a_restarted_server_does_not_report_the_earlier_runs_metrics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "prom"
    folder.mkdir()
    first = _server(folder)
    assert _sample(first, 'imr_model_reloads_total{outcome="loaded"}') == [
        'imr_model_reloads_total{outcome="loaded"} 1.0'
    ], first
    (folder / "README").write_text("the operator's own file", encoding="utf-8")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    _clear_earlier_metrics()  # what `imr serve` does at start
    assert "metric files of an earlier run from PROMETHEUS_MULTIPROC_DIR=" in capsys.readouterr().err
    second = _server(folder)
    assert _sample(second, 'imr_model_reloads_total{outcome="loaded"}') == [
        'imr_model_reloads_total{outcome="loaded"} 1.0'
    ], second  # this run's one load, not 2.0
    assert len(_sample(second, "imr_model_info{")) == 1, second  # no row for the earlier run's pid
    assert (folder / "README").exists()
