"""`imr serve` on a terminal shows its start-up steps until uvicorn takes over (issue #22)."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

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
