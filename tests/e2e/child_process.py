"""The servers the end-to-end tests start as child processes: a free port to start one on, and a stop that
cannot leave one running (terminate, then kill after a grace period, and reap it)."""

from __future__ import annotations

import socket
import subprocess


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop_process(proc: subprocess.Popen, grace_s: float) -> None:
    """Ask `proc` to stop; kill it when it has not within `grace_s` seconds; wait for it either way."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
