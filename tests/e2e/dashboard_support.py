"""Helpers for dashboard e2e tests: SYNTHETIC letters scored by `imr score`, and a live dashboard server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.e2e.child_process import free_port, stop_process

REPO = Path(__file__).resolve().parents[2]


def imr(*args: str) -> subprocess.CompletedProcess[str]:
    """`imr ARGS` run by the CLI in this process (exit code, stdout and stderr kept apart): the same
    command a shell runs, without importing the whole stack again per call."""
    from typer.testing import CliRunner

    from imr_triage.cli import app

    res = CliRunner().invoke(app, list(args))
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception  # a crash, not an exit code: show its traceback
    return subprocess.CompletedProcess(["imr", *args], res.exit_code, res.stdout, res.stderr)


@contextmanager
def _server(cmd: list[str], env: dict[str, str], ready_url: str, timeout: float) -> Iterator[None]:
    """Run `cmd` until `ready_url` answers 200 (or fail naming the exit code); stop it afterwards."""
    proc = subprocess.Popen(cmd, cwd=REPO, env=env)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(ready_url, timeout=10).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                what = " ".join(cmd[-3:])
                raise RuntimeError(f"{what}: not ready within {timeout}s (exit code {proc.poll()})")
            time.sleep(0.2)
        yield
    finally:
        stop_process(proc, grace_s=10)


@contextmanager
def live_dashboard(db_url: str) -> Iterator[str]:
    """A real uvicorn process serving the dashboard on 127.0.0.1; yields its /dashboard URL."""
    port = free_port()
    env = {**os.environ, "IMR_SCORES_DB_URL": db_url}
    cmd = [sys.executable, "-m", "uvicorn", "serving.dashboard:create_dashboard_app", "--factory",
           "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]  # fmt: skip
    base = f"http://127.0.0.1:{port}/dashboard"
    with _server(cmd, env, base, 60):  # the page answers even while the database is missing
        yield base


@contextmanager
def live_production_api(db_url: str, model_dir: Path, api_keys_json: str) -> Iterator[str]:
    """`imr serve` in production mode (keys required, dashboard closed by default) on 127.0.0.1;
    yields its /dashboard URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMR_SERVE_")}
    env.update({
        "IMR_SCORES_DB_URL": db_url, "IMR_SERVE_PRODUCTION": "true", "IMR_SERVE_API_KEYS": api_keys_json,
        "IMR_SERVE_MODEL_PATH": str(model_dir), "IMR_SERVE_POLL_INTERVAL_S": "0",
        "IMR_SERVE_PORT": str(port), "IMR_SERVE_LOG_LEVEL": "warning",
    })  # fmt: skip
    cmd = [sys.executable, "-c", "from imr_triage.cli import app; app()", "serve"]
    root = f"http://127.0.0.1:{port}"
    with _server(cmd, env, root + "/readyz", 120):
        yield root + "/dashboard"
